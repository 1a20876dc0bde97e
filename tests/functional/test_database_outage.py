"""A database that is down or silent costs a request seconds, and the app waits for one that is starting."""

import socket
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from amazen.dbsetup import wait_for_database
from amazen.models import CONNECT_TIMEOUT, get_engine
from tests.serve import free_port


@pytest.fixture
def silent_server():
    """A TCP port that accepts connections and never answers, like a database host that hangs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def test_connecting_to_a_silent_database_gives_up_after_the_connect_timeout(silent_server):
    engine = get_engine({"sqlalchemy.url": f"postgresql+psycopg2://amazen:x@127.0.0.1:{silent_server}/amazen"})
    started = time.monotonic()
    with pytest.raises(sa.exc.OperationalError, match="timeout"):
        engine.connect()
    # It waits the whole connect timeout, and gives up then: well before the next multiple of it.
    assert CONNECT_TIMEOUT - 0.5 < time.monotonic() - started < 2 * CONNECT_TIMEOUT
    engine.dispose()


def test_waiting_for_a_database_that_answers_returns_at_once(database_url):
    started = time.monotonic()
    wait_for_database(database_url, timeout=60)
    assert time.monotonic() - started < 10  # one connection, not a wait for the timeout


def test_waiting_for_a_database_that_is_down_gives_up_after_the_timeout():
    url = f"postgresql+psycopg2://amazen:x@127.0.0.1:{free_port()}/amazen"
    started = time.monotonic()
    with pytest.raises(sa.exc.OperationalError):
        wait_for_database(url, timeout=1.0, interval=0.2)
    assert 1.0 - 0.2 <= time.monotonic() - started < 10  # it retried until one interval before the timeout


def test_the_entrypoints_wait_names_the_missing_variable():
    env = {"PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "amazen.scripts.wait_for_db", "1"], env=env, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.startswith("wait_for_db: AMAZEN_DATABASE_URL is not set")


def test_the_entrypoints_wait_reports_a_database_that_stays_down():
    env = {"PATH": "/usr/bin:/bin", "AMAZEN_DATABASE_URL": f"postgresql://amazen:x@127.0.0.1:{free_port()}/amazen"}
    result = subprocess.run([sys.executable, "-m", "amazen.scripts.wait_for_db", "1"], env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert "the database did not answer within 1 s" in result.stderr
