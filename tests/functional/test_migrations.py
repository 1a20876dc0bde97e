"""The models and the migrations describe the same schema; concurrent migrations take turns."""
import threading

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from amazen.dbsetup import MIGRATION_LOCK_KEY, alembic_config, migrate
from amazen.models.meta import Base


def test_migrations_match_the_models(dbengine):
    with dbengine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_the_database_is_at_the_single_head(dbengine):
    script = ScriptDirectory.from_config(alembic_config(str(dbengine.url)))
    with dbengine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    assert list(current) == script.get_heads() and len(script.get_heads()) == 1


def test_extensions_for_search_are_installed(dbengine):
    with dbengine.connect() as conn:
        names = set(conn.exec_driver_sql("SELECT extname FROM pg_extension").scalars())
    assert {"pg_trgm", "unaccent"} <= names


def test_a_migration_waits_while_another_one_runs(database_url, dbengine):
    """Every app container runs `alembic upgrade head` as it starts: the lock makes them take turns."""
    done = threading.Event()
    migration = threading.Thread(target=lambda: (migrate(database_url), done.set()), daemon=True)
    with dbengine.connect() as other:  # stands for a migration in progress elsewhere
        other.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        migration.start()
        assert not done.wait(1.0)
        other.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
    migration.join(30)
    assert done.is_set()
