"""The README and docs/: the two commands on the README's first screen, .ci/run running the same test
command, the README short, links that resolve, and prose without issue numbers, commit hashes or dates.

A date may appear only on a benchmark table's "Measured on" line (docs/performance.md), which says
when and where the figures were measured."""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
DOCS = sorted((REPO / "docs").glob("*.md"))
FIRST_SCREEN = 40  # lines
MAX_README_LINES = 200
RUN_COMMAND = "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && pserve development.ini"
MEASURED_ON = "Measured on "  # the one kind of line that may carry a date

ISSUE_NUMBER = re.compile(r"\bissues?\s+#?\d|(?<![\w&/])#\d", re.I)
# A git hash, full or abbreviated: 7 to 40 lower-case hex digits with at least one digit and one letter
# (so neither a plain number nor an English word such as "deadbeef" or "accede" counts).
COMMIT_HASH = re.compile(r"\b(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b")
DATE = re.compile(
    r"\b(?:19|20)\d\d-[01]\d-[0-3]\d\b"  # 2026-12-05
    r"|\b\d{1,2}:[0-5]\d(?:\s*[–-]\s*\d{1,2}:[0-5]\d)?\b(?![.:/\d])"  # a time of day, 06:59 or 06:59–07:09
    r"|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+(?:19|20)\d\d\b"  # Dec 5, 2026
    r"|\b\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\s+(?:19|20)\d\d\b"  # 5 December 2026
)
WORK_LOG = re.compile(r"\bthis session\b|\b(?:earlier|previous|last) session\b|\bstop \d+\b", re.I)
LINK = re.compile(r"\]\(([^)\s]+)\)")


def prose_files():
    return [README, *DOCS]


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    command = re.search(r"^TEST_COMMAND='(.+)'$", ci, re.M).group(1)
    assert f"\n{command}\n" in "\n".join(README.read_text().splitlines()[:FIRST_SCREEN])


def test_the_readme_shows_how_to_install_and_run_on_its_first_screen():
    assert f"\n{RUN_COMMAND}\n" in "\n".join(README.read_text().splitlines()[:FIRST_SCREEN])


def test_the_readme_is_at_most_200_lines():
    assert len(README.read_text().splitlines()) <= MAX_README_LINES


def test_the_readme_shows_every_screenshot_and_each_exists():
    readme = README.read_text()
    shown = set(re.findall(r"\]\((docs/screenshots/[\w-]+\.png)\)", readme))
    taken = {
        f"docs/screenshots/{page}-{size}.png"
        for page in ("home", "results", "product", "compare", "signin", "review-form")
        for size in ("desktop", "phone")
    }
    assert shown == taken
    assert all((REPO / path).stat().st_size > 1000 for path in taken)


@pytest.mark.parametrize("path", prose_files(), ids=lambda path: str(path.relative_to(REPO)))
def test_every_relative_link_resolves_to_a_file(path):
    broken = []
    for target in LINK.findall(path.read_text()):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue  # a web address or an anchor in the same page
        if not (path.parent / target.split("#")[0]).exists():
            broken.append(target)
    assert broken == []


@pytest.mark.parametrize("path", prose_files(), ids=lambda path: str(path.relative_to(REPO)))
def test_prose_has_no_issue_number_commit_hash_work_log_or_date(path):
    found = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        for pattern in (ISSUE_NUMBER, COMMIT_HASH, WORK_LOG) + (() if line.startswith(MEASURED_ON) else (DATE,)):
            found += [f"{path.name}:{number}: {match.group(0)!r}" for match in pattern.finditer(line)]
    assert found == []


def test_the_checks_catch_what_they_are_for():
    assert ISSUE_NUMBER.search("done (issue 4)") and ISSUE_NUMBER.search("see #12")
    assert COMMIT_HASH.search("commit db5b28e:") and COMMIT_HASH.search("(f0e5e85)")
    assert DATE.search("The table before, 2026-12-05, 06:59–07:09") and DATE.search("at 16:42")
    assert WORK_LOG.search("measured this session")
    legitimate = (
        "ASIN B00004SB92; 1,000,002 reviews; http://localhost:6543/; 127.0.0.1:6543; Ni 2018; KDD 2004; "
        "p50 11.2 / p99 30.0 ms; `docs/ranking.md#the-score`; sort=rating_desc; a decade of accede"
    )
    assert not any(pattern.search(legitimate) for pattern in (ISSUE_NUMBER, COMMIT_HASH, DATE, WORK_LOG))
