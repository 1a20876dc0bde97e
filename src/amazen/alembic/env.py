"""Alembic environment: the same database URL resolution as the app (see amazen.config)."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool, text

import amazen.models  # noqa: F401  (registers every table on Base.metadata)
from amazen.config import ConfigurationError, resolve_database_url
from amazen.dbroles import app_role, grant_app_role
from amazen.dbsetup import MIGRATION_LOCK_KEY
from amazen.models.meta import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url():
    # Callers inside Amazen (first-run setup, tests) pass the URL they already resolved.
    url = config.attributes.get("database_url")
    if url:
        return url
    settings = config.get_section(config.config_ini_section) or {}
    try:
        return resolve_database_url(settings, owner=True)
    except ConfigurationError as err:
        raise SystemExit(f"alembic: {err}") from None


def run_migrations_offline():
    context.configure(url=database_url(), target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_on(connection):
    context.configure(connection=connection, target_metadata=Base.metadata)
    with context.begin_transaction():
        # Every app container runs `alembic upgrade head` as it starts (docker/entrypoint.sh): one migrates,
        # the others wait here until it commits and then find the schema current. The lock is taken before
        # alembic reads the schema's version, and released when this transaction ends.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        refuse_unknown_revisions()
        context.run_migrations()
        # Then, as the owner, the app role's privileges over the schema as it now is (amazen.dbroles).
        try:
            role = app_role()
            if role:
                grant_app_role(connection, role)
        except ConfigurationError as err:
            raise SystemExit(f"alembic: {err}") from None


def refuse_unknown_revisions():
    """One clear line, instead of Alembic's "Can't locate revision" traceback, for a database whose
    schema is at a revision these migrations do not have: one made before the baseline migration."""
    known = {script.revision for script in context.script.walk_revisions()}
    unknown = sorted(set(context.get_context().get_current_heads()) - known)
    if unknown:
        raise SystemExit(
            f"amazen: the database is at revision {', '.join(unknown)}, which predates the baseline migration "
            f"({context.script.get_base()}): delete var/ (the development database) or recreate the database"
        )


def run_migrations_online():
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations_on(connection)
        return
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        run_migrations_on(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
