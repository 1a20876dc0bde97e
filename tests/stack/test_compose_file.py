"""docker-compose.yml, its development override and the files they name agree with each other.

`docker compose config` (or Debian's docker-compose) parses and resolves the compose files without a Docker
engine; where neither is installed, that test skips naming the install command (.ci/run installs it).
AMAZEN_DOCKER_COMPOSE names another docker-compose executable.
"""

import os
import re
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest

from tests.conftest import unavailable
from tests.serve import REPO


@pytest.fixture(scope="module")
def compose():
    """The command that runs docker-compose: the docker client's compose plugin, or the standalone one."""
    if os.environ.get("AMAZEN_DOCKER_COMPOSE"):
        standalone = shutil.which(os.environ["AMAZEN_DOCKER_COMPOSE"])
    else:
        docker = shutil.which("docker")
        if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
            return [docker, "compose"]
        standalone = shutil.which("docker-compose")
    if not standalone:
        unavailable("needs docker-compose (or docker's compose plugin): apt-get install docker-compose")
    return [standalone]


def env_file(name):
    lines = (REPO / name).read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


@pytest.fixture
def project(tmp_path):
    """The compose files, with .env and .db_env made from the committed templates as the README says."""
    for name in ("docker-compose.yml", "docker-compose.dev.yml"):
        shutil.copy(REPO / name, tmp_path / name)
    shutil.copy(REPO / "env_template", tmp_path / ".env")
    shutil.copy(REPO / ".db_env_template", tmp_path / ".db_env")
    (tmp_path / "tls").mkdir()  # the certificate pair that .env names (the README's openssl command)
    for name in ("cert.pem", "key.pem"):
        (tmp_path / "tls" / name).write_text("")
    for name in ("docker", "src"):
        (tmp_path / name).symlink_to(REPO / name)
    return tmp_path


def compose_config(compose, project, files, profiles=()):
    """`docker-compose config` of ``files`` with ``profiles`` on: its output, once it has exited 0."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    args = [arg for name in files for arg in ("-f", name)] + [arg for name in profiles for arg in ("--profile", name)]
    result = subprocess.run([*compose, *args, "config"], cwd=project, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(
    "files, app_command",
    [(["docker-compose.yml"], "production.ini"), (["docker-compose.yml", "docker-compose.dev.yml"], "--reload")],
    ids=["production", "development"],
)
def test_docker_compose_config_accepts_the_compose_files(compose, project, files, app_command):
    config = compose_config(compose, project, files)
    for expected in (app_command, "postgres:18", "nginx:", "service_healthy", "AMAZEN_DATABASE_URL", "AMAZEN_OWNER_DATABASE_URL"):
        assert expected in config, expected
    for expected in ("/etc/nginx/templates/default.conf.template", "/etc/nginx/tls/cert.pem", "/docker-entrypoint-initdb.d"):
        assert expected in config, expected
    # The app is given the replica URLs from .env: none in the template, so it reads the primary only.
    assert "AMAZEN_DATABASE_REPLICA_URLS: ''" in config


def test_docker_compose_config_accepts_the_replica_profile(compose, project):
    config = compose_config(compose, project, ["docker-compose.yml"], profiles=["replica"])
    replica = re.search(r"^  db-replica:\n((?:    .*\n)*)", config, re.M).group(1)
    for expected in ("postgres:18", "/amazen/replica.sh", "pgdata-replica:/var/lib/postgresql", "service_healthy"):
        assert expected in replica, expected
    assert "pg_stat_wal_receiver" in replica  # healthy while it streams from the primary
    assert "AMAZEN_REPLICATION_USER: amazen_replication" in replica


def test_the_replica_is_in_its_own_profile_with_its_own_volume_and_nothing_waits_for_it():
    replica = service("db-replica")
    assert "    profiles: [replica]\n" in replica  # the default `docker-compose up` leaves it out
    assert "      - pgdata-replica:/var/lib/postgresql\n" in replica and "pgdata:" not in replica
    assert "ports:" not in replica
    # The app goes on without it: it skips a replica that does not answer.
    assert "db-replica" not in service("app") and "db-replica" not in service("nginx")
    # The primary's first start makes the replication role the replica signs in as.
    assert (REPO / "docker" / "initdb" / "replication.sh").stat().st_mode & 0o111


def service(name):
    """A service's lines in docker-compose.yml (from its name to the next service or section)."""
    text = (REPO / "docker-compose.yml").read_text()
    return re.search(rf"^  {name}:\n((?:    .*\n|\s*\n)*)", text, re.M).group(1)


def test_nginx_is_given_every_variable_its_template_uses_and_the_app_port_is_not_published():
    used = set(re.findall(r"\$\{(\w+)\}", (REPO / "docker" / "nginx.conf").read_text()))
    given = set(re.findall(r"^      (\w+):", service("nginx"), re.M))
    assert used and all(name.startswith("AMAZEN_") for name in used)
    assert used <= given, used - given
    # The image replaces only these names, so nginx's own variables ($host and the like) stay as they are.
    assert 'NGINX_ENVSUBST_FILTER: "^AMAZEN_"' in service("nginx")
    assert "ports:" not in service("app") and "ports:" not in service("db")


def test_nginx_serves_the_static_files_from_where_the_image_and_compose_put_them():
    alias = re.search(r"^\s*alias (\S+);", (REPO / "docker" / "nginx.conf").read_text(), re.M).group(1)
    assert alias == "/app/src/amazen/static/"
    assert re.search(r"^WORKDIR /app$", (REPO / "docker" / "Dockerfile").read_text(), re.M)
    assert f"./src/amazen/static:{alias.rstrip('/')}:ro" in (REPO / "docker-compose.yml").read_text()


def test_the_env_templates_agree_on_the_database_and_stay_out_of_git():
    env, db = env_file("env_template"), env_file(".db_env_template")
    owner, app = urlsplit(env["AMAZEN_OWNER_DATABASE_URL"]), urlsplit(env["AMAZEN_DATABASE_URL"])
    assert (owner.username, owner.password) == (db["POSTGRES_USER"], db["POSTGRES_PASSWORD"])
    assert (app.username, app.password) == (db["AMAZEN_APP_USER"], db["AMAZEN_APP_PASSWORD"])
    assert owner.path.lstrip("/") == app.path.lstrip("/") == db["POSTGRES_DB"]
    assert app.username != owner.username
    assert owner.hostname == app.hostname == "db"  # the compose service
    # The replication role is a third one; the replica URL the template suggests is the app role's.
    assert db["AMAZEN_REPLICATION_USER"] not in (owner.username, app.username)
    assert env["AMAZEN_DATABASE_REPLICA_URLS"] == ""
    example = re.search(r"^#\s+AMAZEN_DATABASE_REPLICA_URLS=(\S+)$", (REPO / "env_template").read_text(), re.M)
    suggested = urlsplit(example.group(1))
    assert (suggested.username, suggested.password, suggested.path) == (app.username, app.password, app.path)
    assert suggested.hostname == "db-replica"
    ignored = (REPO / ".gitignore").read_text().splitlines()
    assert "/.env" in ignored and "/.db_env" in ignored and "/tls/" in ignored


def test_the_templates_passwords_are_refused_until_changed():
    from amazen.config import ConfigurationError, resolve_database_url

    env = env_file("env_template")
    for owner in (False, True):
        with pytest.raises(ConfigurationError, match="placeholder password"):
            resolve_database_url({}, env, owner=owner)
