"""Where each process keeps its metrics, and a start that cannot use that place (no database needed)."""

import subprocess
import sys
from pathlib import Path

from amazen.metrics import metrics_directory


def test_the_environment_wins_over_the_settings():
    settings = {"amazen.metrics_dir": "/srv/one", "amazen.data_dir": "/srv/data"}
    assert metrics_directory(settings, {"PROMETHEUS_MULTIPROC_DIR": "/run/two"}) == Path("/run/two")
    assert metrics_directory(settings, {}) == Path("/srv/one")


def test_without_either_it_is_under_the_data_directory():
    assert metrics_directory({"amazen.data_dir": "/srv/data"}, {}) == Path("/srv/data/metrics")
    assert metrics_directory({}, {}) == Path("var/metrics").absolute()


def test_an_unusable_directory_stops_the_start_with_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    start = (
        "import sqlalchemy as sa; from amazen import main; "
        "main({}, **{'amazen.engine': sa.create_engine('postgresql+psycopg2://nobody@127.0.0.1:1/none'), "
        "'amazen.session_secret': 'x' * 40})"
    )
    env = {"PROMETHEUS_MULTIPROC_DIR": str(blocker / "metrics"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", start], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"amazen: the metrics directory {blocker / 'metrics'} cannot be used (Not a directory): set PROMETHEUS_MULTIPROC_DIR"
    ]


CLAIM = "import sys; from pathlib import Path; from amazen.metrics import claim_directory; " + (
    "claim_directory(Path(sys.argv[1])); print('claimed', flush=True); sys.stdin.read()"
)


def claiming_process(directory):
    """A process that has claimed ``directory`` and holds it until its stdin is closed."""
    process = subprocess.Popen(
        [sys.executable, "-c", CLAIM, str(directory)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline() == "claimed\n"  # waits for the claim (or fails if the process died)
    return process


def test_the_first_process_deletes_the_last_runs_files_and_later_ones_keep_the_live_ones(tmp_path):
    stale = tmp_path / "counter_4000001.db"
    stale.write_bytes(b"left by a process that is gone")
    first = claiming_process(tmp_path)
    try:
        assert not stale.exists()
        live = tmp_path / "counter_4000002.db"  # as if the first process had written it
        live.write_bytes(b"current")
        second = claiming_process(tmp_path)
        second.communicate()
        assert live.exists()
    finally:
        first.communicate()
    third = claiming_process(tmp_path)  # nobody else holds the directory: a fresh start
    third.communicate()
    assert not live.exists()
