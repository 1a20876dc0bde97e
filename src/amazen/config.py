"""Settings that come from the environment, resolved the same way by the app, Alembic and every script.

The ini files hold only non-secret settings. The database URL is a secret, so it comes from
AMAZEN_DATABASE_URL (then DATABASE_URL). Without one, development falls back to the embedded
PostgreSQL; production refuses to start and says which variable is missing. Migrations and the console
scripts (jobs that create and swap tables) connect as the schema's owner, AMAZEN_OWNER_DATABASE_URL, when
it is set; the app connects with AMAZEN_DATABASE_URL, as a role that may only read and write rows
(amazen.dbroles). A URL with the templates' placeholder password is refused everywhere. Streaming
replicas that serve reads (amazen.replicas) are AMAZEN_DATABASE_REPLICA_URLS, comma-separated (else the
``amazen.database_replica_urls`` setting); without them the app uses its one server.

The session secret (which signs the session cookie) comes from AMAZEN_SESSION_SECRET. Without it,
development (``amazen.generate_session_secret``) makes a random one in var/session_secret and reuses it;
production refuses to start and says so.
"""

import os
import secrets
import stat
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pyramid.settings import asbool

DATABASE_URL_VARIABLES = ("AMAZEN_DATABASE_URL", "DATABASE_URL")
OWNER_DATABASE_URL_VARIABLE = "AMAZEN_OWNER_DATABASE_URL"
REPLICA_URLS_VARIABLE = "AMAZEN_DATABASE_REPLICA_URLS"
# The password env_template and .db_env_template ship with: a deployment that kept it is refused.
PLACEHOLDER_PASSWORD = "change-this-password"
DEFAULT_DATA_DIR = "var"
SESSION_SECRET_VARIABLE = "AMAZEN_SESSION_SECRET"
SESSION_SECRET_FILE = "session_secret"
# A secret shorter than this could be guessed offline from one signed cookie.
MIN_SESSION_SECRET_LENGTH = 32
MAKE_A_SECRET = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


class ConfigurationError(Exception):
    """A setting needed to start is missing or wrong; the message is one line for the operator."""


def normalise_database_url(url, name=DATABASE_URL_VARIABLES[0]):
    """Accept the URL spellings operators paste (postgres://, postgresql://) and pick our driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    if url.startswith("postgresql+"):
        return url
    raise ConfigurationError(f"{name} must be a PostgreSQL URL (postgresql://user:password@host/dbname)")


def checked_database_url(name, value):
    """``value`` normalised, refused when it kept the templates' placeholder password."""
    if unquote(urlsplit(value).password or "") == PLACEHOLDER_PASSWORD:
        raise ConfigurationError(
            f"{name} has the templates' placeholder password ({PLACEHOLDER_PASSWORD}): set a real one, "
            "the same as the database's (docs/deploy.md)"
        )
    return normalise_database_url(value, name)


def database_url_from_environment(environ=None, owner=False):
    """The first URL set among the variables (the owner's first when ``owner``), or None."""
    environ = os.environ if environ is None else environ
    names = ((OWNER_DATABASE_URL_VARIABLE,) if owner else ()) + DATABASE_URL_VARIABLES
    for name in names:
        value = environ.get(name, "").strip()
        if value:
            return checked_database_url(name, value)
    return None


def resolve_replica_urls(settings, environ=None):
    """The read replicas' URLs: AMAZEN_DATABASE_REPLICA_URLS's, else ``amazen.database_replica_urls``'s
    (comma-separated, in the order they take turns); an empty list when neither is set."""
    environ = os.environ if environ is None else environ
    value = environ.get(REPLICA_URLS_VARIABLE, "").strip() or str(settings.get("amazen.database_replica_urls") or "")
    return [checked_database_url(REPLICA_URLS_VARIABLE, url.strip()) for url in value.split(",") if url.strip()]


def resolve_database_url(settings, environ=None, owner=False):
    """The database URL for these settings: the environment's, else the embedded server's, else an error.
    ``owner``: the URL of the schema's owner (AMAZEN_OWNER_DATABASE_URL) for migrations and jobs, when set."""
    url = database_url_from_environment(environ, owner)
    if url:
        return url
    if asbool(settings.get("amazen.embedded_database", False)):
        from amazen import embedded

        return embedded.database_url(settings.get("amazen.data_dir") or DEFAULT_DATA_DIR)
    raise ConfigurationError(
        f"{DATABASE_URL_VARIABLES[0]} is not set: production needs the PostgreSQL URL in that variable "
        "(e.g. postgresql://amazen:secret@db/amazen)"
    )


def resolve_session_secret(settings, environ=None):
    """The secret that signs session cookies: AMAZEN_SESSION_SECRET's, else ``amazen.session_secret``
    (tests and embedding applications pass it; never put one in an ini file), else, in development, the
    one kept in the data directory, else an error naming the variable."""
    environ = os.environ if environ is None else environ
    secret = environ.get(SESSION_SECRET_VARIABLE, "").strip() or str(settings.get("amazen.session_secret") or "").strip()
    if secret:
        if len(secret) < MIN_SESSION_SECRET_LENGTH:
            raise ConfigurationError(
                f"{SESSION_SECRET_VARIABLE} is too short: use at least {MIN_SESSION_SECRET_LENGTH} random characters "
                f"(e.g. from {MAKE_A_SECRET})"
            )
        return secret
    if asbool(settings.get("amazen.generate_session_secret", False)):
        return development_session_secret(Path(settings.get("amazen.data_dir") or DEFAULT_DATA_DIR))
    raise ConfigurationError(
        f"{SESSION_SECRET_VARIABLE} is not set: production needs a long random secret in that variable "
        f"(e.g. from {MAKE_A_SECRET}), the same for every app process"
    )


def development_session_secret(data_dir):
    """The secret in ``data_dir``/session_secret, made on first use (readable by its owner only) and
    reused, so development sessions survive restarts. Two processes starting at once agree: the file
    appears whole, by a hard link that only one of them can make."""
    path = data_dir / SESSION_SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        scratch = data_dir / f".{SESSION_SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48) + "\n")
            try:
                os.link(scratch, path)
            except FileExistsError:
                pass  # another process made it first: use theirs
        finally:
            scratch.unlink()
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigurationError(f"{path} may be read by other users: make it private (chmod 600 {path})")
    secret = path.read_text().strip()
    if len(secret) < MIN_SESSION_SECRET_LENGTH:
        raise ConfigurationError(f"{path} holds no usable secret: delete it and a new one is made on the next start")
    return secret
