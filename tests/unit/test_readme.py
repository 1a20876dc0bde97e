"""The README's first screen and .ci/run must agree on the test command."""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    command = re.search(r"^TEST_COMMAND='(.+)'$", ci, re.M).group(1)
    first_screen = "\n".join((REPO / "README.md").read_text().splitlines()[:40])
    assert command in first_screen
