"""Settings the deployment relies on: waitress's environment overrides and limits, the app's database role,
and the static files' version."""

import configparser
from pathlib import Path

import pytest
from waitress.adjustments import Adjustments

from amazen.dbroles import app_role
from amazen.server import server_settings
from amazen.views import static_version

REPO = Path(__file__).resolve().parents[2]

INI = {"listen": "localhost:6543", "trusted_proxy": "127.0.0.1", "threads": "8"}


def test_the_environment_replaces_listen_and_trusted_proxy():
    environ = {"AMAZEN_LISTEN": "0.0.0.0:6543", "AMAZEN_TRUSTED_PROXY": "*"}
    assert server_settings(INI, environ) == {"listen": "0.0.0.0:6543", "trusted_proxy": "*", "threads": "8"}


@pytest.mark.parametrize("environ", [{}, {"AMAZEN_LISTEN": " ", "AMAZEN_TRUSTED_PROXY": ""}])
def test_without_the_variables_the_ini_settings_stand(environ):
    assert server_settings(INI, environ) == INI


def test_the_static_version_changes_with_any_static_file(tmp_path):
    (tmp_path / "a.css").write_text("body {}")
    (tmp_path / "b.svg").write_text("<svg/>")
    before = static_version(str(tmp_path))
    assert static_version(str(tmp_path)) == before
    (tmp_path / "b.svg").write_text("<svg></svg>")
    assert static_version(str(tmp_path)) != before


def test_production_ini_listens_on_this_host_only_and_bounds_bodies_and_connections():
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(REPO / "production.ini")
    settings = {key: value for key, value in ini["server:main"].items() if key != "use"}
    adjustments = Adjustments(**server_settings(settings, environ={}))  # waitress accepts every one
    assert [address[3] for address in adjustments.listen] == [("127.0.0.1", 6543)]
    assert adjustments.max_request_body_size == 1024 * 1024  # a review is at most 20,000 characters
    assert adjustments.threads == 8 and adjustments.connection_limit == 100
    assert adjustments.channel_timeout == 60


@pytest.mark.parametrize(
    "environ, role",
    [
        (
            {"AMAZEN_DATABASE_URL": "postgresql://amazen_app:a@db/z", "AMAZEN_OWNER_DATABASE_URL": "postgresql://amazen:o@db/z"},
            "amazen_app",
        ),
        ({"AMAZEN_DATABASE_URL": "postgresql://amazen:a@db/z", "AMAZEN_OWNER_DATABASE_URL": "postgresql://amazen:a@db/z"}, None),
        ({"AMAZEN_DATABASE_URL": "postgresql://amazen_app:a@db/amazen"}, None),
        ({}, None),
    ],
    ids=["two roles", "one role twice", "no owner", "nothing"],
)
def test_the_app_role_is_granted_only_when_the_owner_is_another_user(environ, role):
    assert app_role(environ) == role
