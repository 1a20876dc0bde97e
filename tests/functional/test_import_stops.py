"""amazen-import stopped by SIGKILL, SIGTERM or SIGINT in each phase (reading, loading, indexing): within
five seconds no process of it and no database session of it is left, and the same import run again
completes. A real amazen-import in a session of its own (its process group holds every process it
starts), a real PostgreSQL.

Each phase is reached by waiting for the import's session to name it (application_name), and held there:
the test locks the products table, on which the first batch's merge waits ("loading"); the import's
worker processes are stopped (SIGSTOP, as a worker in a long parse would be) so that the import waits for
them ("reading", "indexing"). The signal is sent while the import waits; the stopped workers are then let
go on (SIGCONT), and must notice that the import is gone or stopping.
"""

import json
import os
import signal
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.functional.test_import_cli import run_import, start_import, write_big_review_file

STOPPED_WITHIN = 5  # seconds from the signal until no process and no session of the import is left
WAIT_FOR_PHASE = 120  # an upper bound on reaching a phase, generous for a busy machine
EXIT = {signal.SIGKILL: -signal.SIGKILL, signal.SIGTERM: 128 + signal.SIGTERM, signal.SIGINT: 128 + signal.SIGINT}


@pytest.fixture(scope="module")
def reviews(tmp_path_factory):
    """About 30,000 reviews of 3,000 products: more than one COPY batch (the reader is still at work
    when the first batch is merged), and enough products that two workers build the index."""
    path = tmp_path_factory.mktemp("stops") / "stops_5.json"
    return path, write_big_review_file(path, products=3_000)


def group_members(pgid):
    """The live (not zombie) processes of process group ``pgid``: {pid: parent pid}."""
    members = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        state, ppid, pgrp = stat[stat.rindex(")") + 2 :].split()[:3]
        if int(pgrp) == pgid and state != "Z":
            members[int(entry.name)] = int(ppid)
    return members


def import_sessions(conn):
    """(application_name, wait_event_type) of each session of an amazen-import in this database."""
    with conn.begin():  # pg_stat_activity is read once per transaction: each look is a new one
        return conn.execute(
            sa.text(
                "SELECT application_name, wait_event_type FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name LIKE 'amazen-import%'"
            )
        ).all()


def wait_for(condition, process, what, bound=WAIT_FOR_PHASE):
    """Return once ``condition()`` holds, failing if ``process`` (a job) ends first or ``bound`` passes."""
    give_up = time.monotonic() + bound
    while not condition():
        assert process.poll() is None, f"the job ended (exit {process.returncode}) before {what}"
        assert time.monotonic() < give_up, f"no {what} within {bound} s"
        time.sleep(0.02)


def stop_workers(pid):
    """Stop (SIGSTOP) every process of the import's group but the import itself."""
    for member in group_members(pid):
        if member != pid:
            os.kill(member, signal.SIGSTOP)


def imported_reviews(url):
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM reviews")).scalar()
    engine.dispose()
    return count


@pytest.mark.parametrize("phase", ["reading", "loading", "indexing"])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_a_stopped_import_leaves_no_process_and_no_session_and_a_rerun_completes(scratch_url, reviews, sig, phase):
    path, count = reviews
    engine = sa.create_engine(scratch_url)
    holder, watcher = engine.connect(), engine.connect()
    holder.execute(sa.text("LOCK TABLE products IN SHARE MODE"))  # the first batch's merge waits for it
    # In a session of its own: its process group holds the import and every process it starts.
    process = start_import(scratch_url, path, start_new_session=True)
    pid = process.pid
    try:
        wait_for(lambda: import_sessions(watcher) == [("amazen-import: loading", "Lock")], process, "loading held")
        if phase == "reading":
            stop_workers(pid)  # the reader, mid-way through the file: the import waits for its next batch
            holder.rollback()
            wait_for(lambda: import_sessions(watcher) == [("amazen-import: reading", "Client")], process, "reading held")
        elif phase == "indexing":
            loading = set(group_members(pid))
            holder.rollback()

            def index_workers_at_work():
                names = [name for name, _ in import_sessions(watcher)]
                return names == ["amazen-import: indexing"] and set(group_members(pid)) - loading

            wait_for(index_workers_at_work, process, "index workers")
            stop_workers(pid)  # the import waits for their chunks
            assert set(group_members(pid)) - loading, "the index workers were done before they could be stopped"
        signalled = time.monotonic()
        if sig == signal.SIGINT:
            os.killpg(pid, sig)  # Ctrl-C in a terminal: the whole group
        else:
            process.send_signal(sig)  # kill, the OOM killer, docker stop: the import alone
        os.killpg(pid, signal.SIGCONT)

        def gone():
            return not group_members(pid) and not import_sessions(watcher)

        while not gone() and time.monotonic() < signalled + STOPPED_WITHIN:
            time.sleep(0.02)
        left = group_members(pid), import_sessions(watcher)
        assert left == ({}, []), f"{STOPPED_WITHIN} s after {sig.name} in {phase}: processes, sessions left {left}"
    finally:
        holder.rollback()
        holder.close()
        watcher.close()
        engine.dispose()
        if group_members(pid):  # a failed test leaves nothing running either
            os.killpg(pid, signal.SIGKILL)
        _, stderr = process.communicate(timeout=60)

    assert process.returncode == EXIT[sig], stderr
    if sig != signal.SIGKILL:
        assert stderr == f"amazen-import: stopped by {sig.name}; nothing was imported\n"
    assert imported_reviews(scratch_url) == 0
    rerun = run_import(scratch_url, "--json", path)
    assert rerun.returncode == 0, rerun.stderr
    assert json.loads(rerun.stdout)["reviews"]["inserted"] == count
    assert imported_reviews(scratch_url) == count
