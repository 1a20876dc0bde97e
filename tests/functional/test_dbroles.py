"""The app's database role on a real PostgreSQL (amazen.dbroles): granted by the owner, it reads and writes
rows and re-indexes a product after a write, as a request does; it may not change the schema, so a full
rebuild is a job for the owner. Each test runs in one transaction that is rolled back, the role included."""

import pytest
import sqlalchemy as sa
from psycopg2 import errors

from amazen.config import ConfigurationError
from amazen.dbroles import grant_app_role
from amazen.search.analyzer import stem
from amazen.search.indexer import index_products

ROLE = "amazen_test_app_role"


@pytest.fixture
def owner(dbengine):
    """A connection of the owner (the tests' user), in a transaction that is rolled back."""
    with dbengine.connect() as conn:
        transaction = conn.begin()
        try:
            yield conn
        finally:
            transaction.rollback()


@pytest.fixture
def app_role(owner):
    """The owner's connection, acting as an app role the owner has just granted."""
    owner.execute(sa.text(f"CREATE ROLE {ROLE}"))
    grant_app_role(owner, ROLE)
    # As a session of the app role's own login (the app's): without the temporary tables an earlier test
    # made on this pooled connection as the owner (a rebuild's scratch tables), which are the owner's.
    owner.execute(sa.text("DISCARD TEMP"))
    owner.execute(sa.text(f"SET LOCAL ROLE {ROLE}"))
    return owner


def refused(conn, statement):
    """Whether PostgreSQL refuses ``statement`` for want of a privilege (in a savepoint, so the test goes on)."""
    savepoint = conn.begin_nested()
    try:
        conn.execute(sa.text(statement))
    except sa.exc.ProgrammingError as err:
        savepoint.rollback()
        return isinstance(err.orig, errors.InsufficientPrivilege)
    savepoint.rollback()
    return False


def test_the_app_role_writes_a_review_and_reindexes_its_product(app_role):
    product_id = app_role.execute(sa.text("SELECT product_id FROM reviews ORDER BY id LIMIT 1")).scalar()
    app_role.execute(sa.text("UPDATE reviews SET text = 'A quixotically fine thing.' WHERE product_id = :p"), {"p": product_id})
    index_products(app_role, [product_id], reviews_only=True)  # what a written review does, as the request's role
    found = app_role.execute(
        sa.text("SELECT count(*) FROM descriptor_evidence WHERE product_id = :p AND term = :term"),
        {"p": product_id, "term": stem("quixotically")},
    )
    assert found.scalar() == 1
    assert app_role.execute(sa.text("SELECT current_user")).scalar() == ROLE


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE intruder (id int)",
        "DROP TABLE reviews",
        "ALTER TABLE reviews ADD COLUMN intruder int",
        "TRUNCATE rate_limit_hits",
        "CREATE INDEX intruder ON reviews (text)",
        "DROP VIEW product_terms",
    ],
)
def test_the_app_role_may_not_change_the_schema(app_role, statement):
    assert refused(app_role, statement)


def test_a_full_rebuild_is_refused_to_the_app_role(app_role):
    with pytest.raises(errors.InsufficientPrivilege):  # it makes new tables: amazen-reindex, as the owner
        index_products(app_role)


def test_tables_the_owner_makes_later_are_the_app_roles_too(owner, app_role):
    owner.execute(sa.text("RESET ROLE"))
    owner.execute(sa.text("CREATE TABLE made_later (id int GENERATED ALWAYS AS IDENTITY, note text)"))
    owner.execute(sa.text(f"SET LOCAL ROLE {ROLE}"))
    owner.execute(sa.text("INSERT INTO made_later (note) VALUES ('rows, and the sequence behind them')"))
    assert owner.execute(sa.text("SELECT id FROM made_later")).scalar() == 1


def test_a_missing_or_superuser_app_role_is_refused_in_one_line(owner):
    with pytest.raises(ConfigurationError, match="does not exist") as missing:
        grant_app_role(owner, "no_such_amazen_role")
    owner.execute(sa.text(f"CREATE ROLE {ROLE} SUPERUSER"))
    with pytest.raises(ConfigurationError, match="superuser") as superuser:
        grant_app_role(owner, ROLE)
    assert "\n" not in str(missing.value) + str(superuser.value)
