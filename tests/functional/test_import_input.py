"""amazen-import on input made to hurt it: a line of 20 MB, fields of a megabyte of junk, plain and gzip.

The file is the Ni 2018 review format; each test gets a fresh, migrated scratch database.
"""

import gzip
import json
import os
import signal
import subprocess

import pytest
import sqlalchemy as sa

from amazen.ingest.clean import MAX_TEXT
from tests.datasets import REPO
from tests.functional.test_import_cli import IMPORT, counts

MB = 1024 * 1024


def review(n, **fields):
    return json.dumps(
        {"overall": 4.0, "reviewerID": f"R{n}", "asin": "B000INPUT1", "summary": "Fine", "reviewText": "Works well.", **fields}
    )


# Line by line, what the file holds and what becomes of it.
LINES = [
    review(1),
    review(2, reviewText="Good value. " * (20 * MB // 12)),  # 20 MB: skipped, never read whole
    '{"overall": 5.0, "asin": ',  # malformed: its number says the count went on right after the long line
    review(4, reviewText="{" + "a:" * (MB // 2)),  # the layout junk that once took an hour to clean
    review(5, reviewText="a{:" * (MB // 3), summary="a{:" * (MB // 3)),  # CSS rules without braces
    review(6, reviewText="<" * MB),  # a tag that never closes
    review(7),
]
JUNK_REVIEWERS = ["R4", "R5", "R6"]


def import_bounded(url, *args, bound=120):
    """Run amazen-import; ``bound`` caps the wait for it (an import that hangs on its input fails the test
    instead of holding it, and its worker goes with it: the whole process group is killed)."""
    process = subprocess.Popen(
        [IMPORT, "--config", str(REPO / "production.ini"), *map(str, args)],
        env={**os.environ, "AMAZEN_DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=bound)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"amazen-import had not finished after {bound} s")
    return process.returncode, stdout, stderr


@pytest.mark.parametrize("name", ["junk_5.json", "junk_5.json.gz"])
def test_a_20_mb_line_is_skipped_and_megabyte_fields_of_junk_are_cleaned_in_seconds(scratch_url, tmp_path, name):
    path = tmp_path / name
    with gzip.open(path, "wt") if name.endswith(".gz") else open(path, "w") as out:
        out.write("".join(line + "\n" for line in LINES))

    returncode, stdout, stderr = import_bounded(scratch_url, "--json", path)

    assert returncode == 0, stderr
    report = json.loads(stdout)
    assert report["lines_read"] == len(LINES)
    assert report["skipped"] == {
        "line too long": {"count": 1, "first": [f"{name}:2"]},
        "malformed line": {"count": 1, "first": [f"{name}:3"]},
    }
    assert report["reviews"] == {"inserted": 5, "updated": 0}
    assert counts(scratch_url)[:2] == (1, 5)
    engine = sa.create_engine(scratch_url)
    with engine.connect() as conn:
        texts = dict(conn.execute(sa.text("SELECT reviewer_id, text FROM reviews")).all())
    engine.dispose()
    # Not markup after all (no rule or tag closes): text, cut to its maximum.
    assert [len(texts[reviewer]) for reviewer in JUNK_REVIEWERS] == [MAX_TEXT] * 3
    assert texts["R1"] == texts["R7"] == "Works well."


def test_the_cap_is_a_setting_and_strict_stops_at_a_line_over_it(scratch_url, tmp_path):
    path = tmp_path / "long_5.json"
    path.write_text("\n".join([review(1), review(2, reviewText="x" * 5000), review(3)]) + "\n")

    returncode, stdout, _ = import_bounded(scratch_url, "--json", "--max-line", "4K", path)
    assert returncode == 0
    assert json.loads(stdout)["skipped"] == {"line too long": {"count": 1, "first": ["long_5.json:2"]}}

    returncode, _, stderr = import_bounded(scratch_url, "--strict", "--max-line", "4K", path)
    assert returncode == 1
    assert stderr.strip() == (
        "amazen-import: long_5.json:2: line too long (more than 4,096 characters); nothing was imported (--strict)"
    )

    returncode, _, stderr = import_bounded(scratch_url, "--max-line", "lots", path)
    assert returncode == 2 and "argument --max-line: 'lots' is not a size such as 1048576, 1024K or 16M" in stderr
