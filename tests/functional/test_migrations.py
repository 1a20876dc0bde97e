"""The models and the migrations describe the same schema."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from amazen.dbsetup import alembic_config
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
