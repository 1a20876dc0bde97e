"""amazen-reindex and amazen-import as an operator runs them: stopped by SIGTERM or SIGINT, amazen-reindex
rolls back and ends with one line and exit status 128 + the signal, leaving no session (amazen-import's
stops are in test_import_stops.py); a database error raised in either is one line, never a traceback.
Real processes on a real PostgreSQL."""

import signal
import subprocess
import time

import pytest
import sqlalchemy as sa

from amazen.dbroles import grant_app_role
from amazen.locks import IMPORT_LOCK_KEY
from tests.functional.test_busy import start_job
from tests.functional.test_import_cli import write_big_review_file
from tests.functional.test_import_stops import wait_for

WAIT_FOR_STATE = 120  # an upper bound on an ending, generous for a busy machine
STOPPED_WITHIN = 5  # seconds from the signal until no session of the reindex is left
LOGIN_ROLE = "amazen_test_reindex_login"


def reindex_sessions(engine):
    """wait_event_type of each session of amazen-reindex in the database (a new transaction each look:
    pg_stat_activity is read once per transaction)."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT wait_event_type FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = 'amazen-reindex'"
            )
        )
        return [wait for (wait,) in rows]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_a_stopped_reindex_says_so_in_one_line_and_leaves_no_session(scratch_url, sig):
    engine = sa.create_engine(scratch_url)
    holder = engine.connect()
    # An import holds the lock: the reindex waits for it, inside a statement only a cancel interrupts.
    holder.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": IMPORT_LOCK_KEY})
    process = start_job("amazen-reindex", scratch_url)
    try:
        wait_for(lambda: reindex_sessions(engine) == ["Lock"], process, "the reindex waiting for the import lock")
        process.send_signal(sig)
        out, err = process.communicate(timeout=WAIT_FOR_STATE)
        assert process.returncode == 128 + sig, err
        assert err.strip() == f"amazen-reindex: stopped by {sig.name}; the index is unchanged"
        assert out == ""
        give_up = time.monotonic() + STOPPED_WITHIN
        while reindex_sessions(engine):
            assert time.monotonic() < give_up, "the reindex's session outlived it"
            time.sleep(0.02)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
        holder.close()
        engine.dispose()


@pytest.fixture
def login_role_url(scratch_url):
    """``scratch_url`` as a login role with the app's row privileges only (it may not create tables)."""
    engine = sa.create_engine(scratch_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE ROLE {LOGIN_ROLE} LOGIN PASSWORD 'reindex-test'"))
        grant_app_role(conn, LOGIN_ROLE)
    url = sa.engine.make_url(scratch_url).set(username=LOGIN_ROLE, password="reindex-test")
    yield url.render_as_string(hide_password=False)
    with engine.begin() as conn:
        conn.execute(sa.text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{LOGIN_ROLE}'"))
        conn.execute(sa.text(f"DROP OWNED BY {LOGIN_ROLE}"))
        conn.execute(sa.text(f"DROP ROLE {LOGIN_ROLE}"))
    engine.dispose()


JOBS = [("amazen-reindex", "the index is unchanged"), ("amazen-import", "nothing was imported")]


@pytest.mark.parametrize("script, done", JOBS)
def test_a_database_error_is_one_line_not_a_traceback(login_role_url, tmp_path, script, done):
    """Run as a role that may only read and write rows, both jobs meet a "permission denied" from
    PostgreSQL (the full rebuild's new tables are made on the driver's own connection, not through
    SQLAlchemy): the operator reads one line."""
    args = []
    if script == "amazen-import":
        args = [tmp_path / "reviews_5.json"]
        write_big_review_file(args[0], products=20)
    process = start_job(script, login_role_url, *args)
    try:
        out, err = process.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    assert process.returncode == 1, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"{script}: database error, {done}: permission denied"), err
