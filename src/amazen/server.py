"""pserve's server: waitress, with two of its settings taken from the environment when set there.

The ini files cannot read the environment, and containers need these two:

- ``AMAZEN_LISTEN`` replaces ``listen`` (development.ini listens on localhost only, but in docker-compose
  nginx reaches the app from another container: ``0.0.0.0:6543``).
- ``AMAZEN_TRUSTED_PROXY`` replaces ``trusted_proxy``, the one peer whose X-Forwarded-* headers waitress
  believes (the ini's default is 127.0.0.1, an nginx on the same host). In docker-compose nginx's address
  is not fixed, so it is ``*``: safe only because the app's port is not published, so nginx is the only
  client that can reach it.

Before waitress starts its threads, glibc's malloc is limited to MALLOC_ARENAS arenas (see
``limit_malloc_arenas``).

The ini files select it with ``use = call:amazen.server:serve``.
"""

import ctypes
import os

import waitress

ENVIRONMENT_SETTINGS = {"AMAZEN_LISTEN": "listen", "AMAZEN_TRUSTED_PROXY": "trusted_proxy"}
M_ARENA_MAX = -8  # mallopt's parameter for the most arenas (glibc's malloc.h)
MALLOC_ARENAS = 2


def server_settings(settings, environ=None):
    """The ini's waitress settings with the environment's overrides applied."""
    environ = os.environ if environ is None else environ
    settings = dict(settings)
    for variable, setting in ENVIRONMENT_SETTINGS.items():
        value = environ.get(variable, "").strip()
        if value:
            settings[setting] = value
    return settings


def limit_malloc_arenas(count=MALLOC_ARENAS, environ=None):
    """Let glibc's malloc use at most ``count`` arenas, unless the environment's MALLOC_ARENA_MAX (which
    glibc reads itself) decides. glibc gives threads arenas of their own, up to eight a core, and each
    arena keeps the memory freed in it: with waitress's threads each freeing the large buffers a written
    review's repack and a search read, a process's RSS doubles while reviews are written
    (benchmarks/load.py). Returns whether the limit was set (not where the C library is not glibc)."""
    environ = os.environ if environ is None else environ
    if "MALLOC_ARENA_MAX" in environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return mallopt(M_ARENA_MAX, count) == 1


def serve(global_conf, **settings):
    """A ``paste.server_factory`` (what ``call:`` names in a server section): settings in, a server out."""
    settings = server_settings(settings)

    def run(app):
        limit_malloc_arenas()  # before waitress starts its threads
        waitress.serve(app, **settings)

    return run
