import pytest
import sqlalchemy as sa

from amazen import main
from amazen.config import (
    ConfigurationError,
    normalise_database_url,
    resolve_database_url,
    resolve_replica_urls,
    resolve_session_secret,
)


def test_amazen_database_url_wins_over_database_url():
    env = {"AMAZEN_DATABASE_URL": "postgresql://a@h/one", "DATABASE_URL": "postgresql://b@h/two"}
    assert resolve_database_url({}, env) == "postgresql+psycopg2://a@h/one"


def test_database_url_is_the_fallback_variable():
    assert resolve_database_url({}, {"DATABASE_URL": "postgres://b@h/two"}) == "postgresql+psycopg2://b@h/two"


def test_blank_variables_count_as_unset():
    with pytest.raises(ConfigurationError):
        resolve_database_url({"amazen.embedded_database": "false"}, {"AMAZEN_DATABASE_URL": "  "})


def test_production_without_a_url_names_the_variable():
    with pytest.raises(ConfigurationError, match="AMAZEN_DATABASE_URL is not set"):
        resolve_database_url({"amazen.embedded_database": "false"}, {})


def test_migrations_and_jobs_use_the_owners_url_and_the_app_its_own():
    env = {"AMAZEN_DATABASE_URL": "postgresql://app:a@h/db", "AMAZEN_OWNER_DATABASE_URL": "postgresql://owner:o@h/db"}
    assert resolve_database_url({}, env) == "postgresql+psycopg2://app:a@h/db"
    assert resolve_database_url({}, env, owner=True) == "postgresql+psycopg2://owner:o@h/db"
    # One role (development, or an operator who keeps one): the owner's URL falls back to the app's.
    assert (
        resolve_database_url({}, {"AMAZEN_DATABASE_URL": "postgresql://app:a@h/db"}, owner=True)
        == "postgresql+psycopg2://app:a@h/db"
    )


@pytest.mark.parametrize(
    "env, owner",
    [
        ({"AMAZEN_DATABASE_URL": "postgresql://amazen_app:change-this-password@db:5432/amazen"}, False),
        ({"DATABASE_URL": "postgres://amazen:change-this-password@db/amazen"}, False),
        (
            {
                "AMAZEN_DATABASE_URL": "postgresql://a:real@h/db",
                "AMAZEN_OWNER_DATABASE_URL": "postgresql://o:change-this-password@h/o",
            },
            True,
        ),
    ],
)
def test_the_templates_placeholder_password_is_refused_in_one_line(env, owner):
    with pytest.raises(ConfigurationError, match="placeholder password") as refused:
        resolve_database_url({}, env, owner=owner)
    assert "\n" not in str(refused.value) and "change-this-password" in str(refused.value)


def test_production_refuses_to_start_with_the_placeholder_password(monkeypatch):
    monkeypatch.setenv("AMAZEN_DATABASE_URL", "postgresql://amazen_app:change-this-password@db:5432/amazen")
    monkeypatch.setenv("AMAZEN_SESSION_SECRET", "s" * 40)
    with pytest.raises(SystemExit) as exit_info:
        main({}, **{"amazen.embedded_database": "false"})
    message = str(exit_info.value.code)
    assert message.startswith("amazen: AMAZEN_DATABASE_URL has the templates' placeholder password") and "\n" not in message


@pytest.mark.parametrize("url", ["mysql://x@h/db", "sqlite:///amazen.db", "not a url"])
def test_non_postgresql_urls_are_refused(url):
    with pytest.raises(ConfigurationError, match="PostgreSQL"):
        normalise_database_url(url)


def test_main_refuses_to_start_in_production_with_one_line(monkeypatch):
    monkeypatch.delenv("AMAZEN_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        main({}, **{"amazen.embedded_database": "false"})
    message = str(exit_info.value.code)
    assert message.startswith("amazen: AMAZEN_DATABASE_URL is not set")
    assert "\n" not in message


def test_the_app_and_nginx_send_the_same_content_security_policy():
    import re
    from pathlib import Path

    from amazen.csp import DEFAULT_POLICY

    repo = Path(__file__).resolve().parents[2]
    nginx = re.search(r'add_header Content-Security-Policy "([^"]+)"', (repo / "docker" / "nginx.conf").read_text())
    development = re.search(r"^amazen.content_security_policy = (.*)$", (repo / "development.ini").read_text(), re.M)
    assert nginx.group(1) == DEFAULT_POLICY == development.group(1)


def test_production_refuses_to_start_without_a_session_secret_in_one_line(monkeypatch):
    monkeypatch.setenv("AMAZEN_DATABASE_URL", "postgresql://amazen@localhost/amazen")
    monkeypatch.delenv("AMAZEN_SESSION_SECRET", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        main({}, **{"amazen.embedded_database": "false"})
    message = str(exit_info.value.code)
    assert message.startswith("amazen: AMAZEN_SESSION_SECRET is not set") and "\n" not in message


def test_a_short_session_secret_is_refused():
    with pytest.raises(ConfigurationError, match="AMAZEN_SESSION_SECRET is too short"):
        resolve_session_secret({}, {"AMAZEN_SESSION_SECRET": "short"})


def test_the_environments_session_secret_wins():
    secret = "s" * 40
    assert resolve_session_secret({"amazen.generate_session_secret": "true"}, {"AMAZEN_SESSION_SECRET": secret}) == secret


def test_development_makes_a_private_session_secret_once_and_reuses_it(tmp_path):
    settings = {"amazen.generate_session_secret": "true", "amazen.data_dir": str(tmp_path / "var")}
    first = resolve_session_secret(settings, {})
    path = tmp_path / "var" / "session_secret"
    assert len(first) >= 32 and path.stat().st_mode & 0o777 == 0o600
    assert resolve_session_secret(settings, {}) == first
    assert sorted(p.name for p in path.parent.iterdir()) == ["session_secret"]
    path.chmod(0o644)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        resolve_session_secret(settings, {})


def test_replica_urls_come_from_the_variable_else_the_setting_in_their_order():
    env = {"AMAZEN_DATABASE_REPLICA_URLS": " postgres://app:a@r1/db , postgresql://app:a@r2/db,"}
    assert resolve_replica_urls({}, env) == ["postgresql+psycopg2://app:a@r1/db", "postgresql+psycopg2://app:a@r2/db"]
    assert resolve_replica_urls({"amazen.database_replica_urls": "postgresql://app:a@r3/db"}, {}) == [
        "postgresql+psycopg2://app:a@r3/db"
    ]
    assert resolve_replica_urls({}, {}) == []


@pytest.mark.parametrize(
    "value, message",
    [
        ("mysql://app:a@r1/db", "AMAZEN_DATABASE_REPLICA_URLS must be a PostgreSQL URL"),
        ("postgresql://app:change-this-password@r1/db", "placeholder password"),
    ],
)
def test_a_malformed_replica_url_is_refused_naming_the_variable(value, message):
    with pytest.raises(ConfigurationError, match=message):
        resolve_replica_urls({}, {"AMAZEN_DATABASE_REPLICA_URLS": value})


@pytest.mark.parametrize("setting, value", [("wait_ms", "soon"), ("max_lag_bytes", "-1"), ("retry_seconds", "inf")])
def test_a_malformed_replica_setting_stops_the_app_naming_it(setting, value):
    primary = sa.create_engine("postgresql+psycopg2://app:a@127.0.0.1:9/db")  # never connected
    settings = {
        "amazen.engine": primary,
        "amazen.database_replica_urls": "postgresql://app:a@r1/db",
        f"amazen.replica_{setting}": value,
    }
    with pytest.raises(SystemExit, match=f"amazen.replica_{setting}"):
        main({}, **settings)
