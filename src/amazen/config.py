"""Settings that come from the environment, resolved the same way by the app, Alembic and every script.

The ini files hold only non-secret settings. The database URL is a secret, so it comes from
AMAZEN_DATABASE_URL (then DATABASE_URL). Without one, development falls back to the embedded
PostgreSQL; production refuses to start and says which variable is missing.
"""

import os

from pyramid.settings import asbool

DATABASE_URL_VARIABLES = ("AMAZEN_DATABASE_URL", "DATABASE_URL")
DEFAULT_DATA_DIR = "var"


class ConfigurationError(Exception):
    """A setting needed to start is missing or wrong; the message is one line for the operator."""


def normalise_database_url(url):
    """Accept the URL spellings operators paste (postgres://, postgresql://) and pick our driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    if url.startswith("postgresql+"):
        return url
    raise ConfigurationError(f"{DATABASE_URL_VARIABLES[0]} must be a PostgreSQL URL (postgresql://user:password@host/dbname)")


def database_url_from_environment(environ=None):
    environ = os.environ if environ is None else environ
    for name in DATABASE_URL_VARIABLES:
        value = environ.get(name, "").strip()
        if value:
            return normalise_database_url(value)
    return None


def resolve_database_url(settings, environ=None):
    """The database URL for these settings: the environment's, else the embedded server's, else an error."""
    url = database_url_from_environment(environ)
    if url:
        return url
    if asbool(settings.get("amazen.embedded_database", False)):
        from amazen import embedded

        return embedded.database_url(settings.get("amazen.data_dir") or DEFAULT_DATA_DIR)
    raise ConfigurationError(
        f"{DATABASE_URL_VARIABLES[0]} is not set: production needs the PostgreSQL URL in that variable "
        "(e.g. postgresql://amazen:secret@db/amazen)"
    )
