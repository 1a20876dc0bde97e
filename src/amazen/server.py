"""pserve's server: waitress, with two of its settings taken from the environment when set there.

The ini files cannot read the environment, and containers need these two:

- ``AMAZEN_LISTEN`` replaces ``listen`` (development.ini listens on localhost only, but in docker-compose
  nginx reaches the app from another container: ``0.0.0.0:6543``).
- ``AMAZEN_TRUSTED_PROXY`` replaces ``trusted_proxy``, the one peer whose X-Forwarded-* headers waitress
  believes (the ini's default is 127.0.0.1, an nginx on the same host). In docker-compose nginx's address
  is not fixed, so it is ``*``: safe only because the app's port is not published, so nginx is the only
  client that can reach it.

The ini files select it with ``use = call:amazen.server:serve``.
"""

import os

import waitress

ENVIRONMENT_SETTINGS = {"AMAZEN_LISTEN": "listen", "AMAZEN_TRUSTED_PROXY": "trusted_proxy"}


def server_settings(settings, environ=None):
    """The ini's waitress settings with the environment's overrides applied."""
    environ = os.environ if environ is None else environ
    settings = dict(settings)
    for variable, setting in ENVIRONMENT_SETTINGS.items():
        value = environ.get(variable, "").strip()
        if value:
            settings[setting] = value
    return settings


def serve(global_conf, **settings):
    """A ``paste.server_factory`` (what ``call:`` names in a server section): settings in, a server out."""
    settings = server_settings(settings)

    def run(app):
        waitress.serve(app, **settings)

    return run
