"""The database engine a console script works on, resolved as the app resolves it."""

import sys


def database_engine(config_uri, prog):
    """The engine for the config's database, migrated when the config sets amazen.setup_on_start. Its
    sessions carry ``prog`` as their name in pg_stat_activity, so operators (and the tests) can tell
    which command is running."""
    import sqlalchemy as sa
    from pyramid.paster import get_appsettings
    from pyramid.settings import asbool

    from amazen.config import resolve_database_url

    settings = get_appsettings(config_uri)
    url = resolve_database_url(settings, owner=True)
    if asbool(settings.get("amazen.setup_on_start", False)):
        from amazen.dbsetup import migrate_with_lock

        migrate_with_lock(url)
    # PostgreSQL notices a client that is gone (killed) only when it next reads from it or writes to it:
    # checked every second instead, a killed script's session ends within a second even mid-statement.
    options = "-c client_connection_check_interval=1000"
    return sa.create_engine(url, connect_args={"application_name": prog, "options": options})


def engine_or_exit(config_uri, prog, code=1):
    """database_engine, or an exit with status ``code`` and one line naming the problem."""
    from amazen.config import ConfigurationError

    try:
        return database_engine(config_uri, prog)
    except FileNotFoundError:
        message = f"config file not found: {config_uri}"
    except ConfigurationError as err:
        message = str(err)
    print(f"{prog}: {message}", file=sys.stderr)
    raise SystemExit(code)
