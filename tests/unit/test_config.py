import pytest

from amazen import main
from amazen.config import ConfigurationError, normalise_database_url, resolve_database_url


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
