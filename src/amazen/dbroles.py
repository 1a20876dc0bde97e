"""The app's database role: it reads and writes rows, and may do nothing else.

In production two roles share the database. The schema's owner (AMAZEN_OWNER_DATABASE_URL's user) runs
the migrations and the jobs that create, swap and analyse tables (amazen-import, amazen-reindex,
amazen-initdb). The web app connects as the app role (AMAZEN_DATABASE_URL's user), which may only
SELECT, INSERT, UPDATE and DELETE rows and use the sequences: a mistake or an injection in a request can
change rows but never the schema. What a request writes, a review and its product's partial re-index
included, needs nothing more (every role may make temporary tables by default; the rebuild's, made once
per database session by amazen.search.scratch, belong to the role that made them, so a session must not
change role).

docker/initdb/app-role.sh creates the role when the database is created; every `alembic upgrade head`
grants it its privileges afterwards (alembic/env.py, in the migration's locked transaction), for today's
tables and, through default privileges, for the tables the owner makes later (a full rebuild swaps in new
index tables). With one URL, or both naming the same user (development), there is nothing to grant.
"""

from sqlalchemy import text

from amazen.config import DATABASE_URL_VARIABLES, OWNER_DATABASE_URL_VARIABLE, ConfigurationError, database_url_from_environment

ROW_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


def app_role(environ=None):
    """The app role's name when the owner's URL and the app's name two different users, else None."""
    from sqlalchemy.engine import make_url

    owner = database_url_from_environment(environ, owner=True)
    app = database_url_from_environment(environ)
    if not owner or not app:
        return None
    owner_user, app_user = make_url(owner).username, make_url(app).username
    return app_user if app_user and app_user != owner_user else None


def grant_app_role(connection, role):
    """Grant ``role`` row access to every table and sequence in the schema, now and for the tables the
    connected user (the owner) creates later. Idempotent; runs on every migration."""
    exists = connection.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = :role"), {"role": role}).first()
    if exists is None:
        raise ConfigurationError(
            f"the app's database role {role} ({DATABASE_URL_VARIABLES[0]}'s user) does not exist: create it "
            f"as docker/initdb/app-role.sh does, or set {OWNER_DATABASE_URL_VARIABLE} to the same user (docs/deploy.md)"
        )
    if exists.rolsuper:
        raise ConfigurationError(f"the app's database role {role} is a superuser: it must be an ordinary role (docs/deploy.md)")
    quoted = connection.dialect.identifier_preparer.quote(role)
    for statement in (
        # PostgreSQL before 15 let every role create tables in public: the app role must not.
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT {ROW_PRIVILEGES} ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {ROW_PRIVILEGES} ON TABLES TO {quoted}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO {quoted}",
    ):
        connection.execute(text(statement))
