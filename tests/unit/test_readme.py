"""The README's first screen and .ci/run must agree on the test command."""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    command = re.search(r"^TEST_COMMAND='(.+)'$", ci, re.M).group(1)
    first_screen = "\n".join((REPO / "README.md").read_text().splitlines()[:40])
    assert command in first_screen


def test_the_readme_shows_every_screenshot_and_each_exists():
    readme = (REPO / "README.md").read_text()
    shown = set(re.findall(r"\]\((docs/screenshots/[\w-]+\.png)\)", readme))
    taken = {f"docs/screenshots/{page}-{size}.png" for page in ("home", "results", "product", "compare") for size in ("desktop", "phone")}
    assert shown == taken
    assert all((REPO / path).stat().st_size > 1000 for path in taken)
