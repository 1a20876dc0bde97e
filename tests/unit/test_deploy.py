"""Settings the deployment relies on: waitress's environment overrides and the static files' version."""

import pytest

from amazen.server import server_settings
from amazen.views import static_version

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
