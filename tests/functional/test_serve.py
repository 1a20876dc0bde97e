"""A fresh start of `pserve development.ini`: embedded PostgreSQL, migrations and demo catalog, then pages."""

import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.serve import Served, check_fresh_start, fetch, postmaster_running


def pserve_executable():
    return shutil.which("pserve") or str(Path(sys.executable).with_name("pserve"))


def test_pserve_on_a_fresh_directory_serves_the_demo_catalog_and_stops_cleanly():
    report = dict(check_fresh_start(pserve_executable()))
    assert report["home, listing, product page, static file"] == "200"
    assert report["embedded PostgreSQL stopped with it"] == "yes"
    # Set on the new data directory, and in effect (wal_level only after a restart): without them an
    # import writes every new index table to the WAL as well (amazen.embedded.SETTINGS).
    assert report["embedded PostgreSQL's WAL settings"] == "wal_level minimal, max_wal_size 2GB"


def test_pserve_stopped_with_sigterm_stops_the_embedded_postgresql_too(tmp_path):
    """`kill`, systemd or a supervisor stop a server with SIGTERM, not Ctrl-C; the embedded database
    stops with it (Python's default for SIGTERM would skip the exit handlers)."""
    served = Served(pserve_executable(), tmp_path)
    try:
        served.wait_ready()
        assert postmaster_running(served.pgdata)
    finally:
        code = served.stop(signal.SIGTERM)
    log = served.output()[-2000:]
    assert code == 0, log  # pserve treats it as it treats Ctrl-C: "Exiting", status 0
    assert not served.postgres_outlived_pserve, log


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_pserve_stopped_while_its_embedded_postgresql_starts_stops_it_too(tmp_path, sig):
    """The signal comes once the server's postmaster.pid exists: while the library waits for the server,
    applies the settings or restarts it, or just after. Whichever, pserve exits and the server stops."""
    served = Served(pserve_executable(), tmp_path)
    try:
        give_up = time.monotonic() + 120
        while not (served.pgdata / "postmaster.pid").exists():
            assert served.process.poll() is None, served.output()[-2000:]
            assert time.monotonic() < give_up, "the embedded PostgreSQL never started"
            time.sleep(0.01)
    finally:
        served.stop(sig)
    assert not served.postgres_outlived_pserve, served.output()[-2000:]


def test_with_the_debug_toolbar_an_address_that_is_not_utf8_is_still_the_400_page(tmp_path):
    """development.ini's debug toolbar reads the query string before any of Amazen's code does: the
    address is made readable first, so the toolbar does not turn it into a bare 500."""
    served = Served(pserve_executable(), tmp_path, toolbar=True)
    try:
        served.wait_ready()
        for path in ("/search?q=%ff", "/products/%ff"):
            status, page = fetch(served.base + path)
            assert status == 400 and "That request did not look right" in page, (path, status, page[:300])
        status, _ = fetch(served.base + "/search?q=mug")
        assert status == 200
    finally:
        served.stop()
    assert not served.postgres_outlived_pserve, served.output()[-2000:]
