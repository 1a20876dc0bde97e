"""Test fixtures in the Pyramid cookiecutter's shape, on a real PostgreSQL.

The database is the embedded server's ``amazen_test`` database (recreated for each test session), or
the one named by AMAZEN_TEST_DATABASE_URL. Migrations run once per session and the demo catalog is
loaded once; every test then runs inside an outer transaction that is rolled back, with the session
joining it through savepoints, so tests see the same data and cannot leak writes into each other.
"""
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
import transaction
import webtest
from sqlalchemy.orm import Session
from zope.sqlalchemy import register

from amazen import main
from amazen.catalog.demo import generate
from amazen.ingest.bulk import load_records
from amazen.config import normalise_database_url

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data" / "amazon"
TEST_DATABASE = "amazen_test"
# The catalog every test sees: small enough to load in a second, big enough to paginate.
DEMO_PRODUCTS = 60


def pytest_report_header(config):
    return f"database: {test_database_description()}"


def test_database_description():
    return "AMAZEN_TEST_DATABASE_URL" if os.environ.get("AMAZEN_TEST_DATABASE_URL") else "embedded PostgreSQL"


@pytest.fixture(scope="session")
def database_url():
    from amazen import embedded

    url = os.environ.get("AMAZEN_TEST_DATABASE_URL")
    if url:
        yield normalise_database_url(url)
        return
    data_dir = os.environ.get("AMAZEN_TEST_DATA_DIR", str(REPO / "var"))
    pg = embedded.server(data_dir)
    embedded.drop_database(pg.get_uri(), TEST_DATABASE)
    yield embedded.database_url(data_dir, TEST_DATABASE)


@pytest.fixture(scope="session")
def dbengine(database_url):
    from alembic import command

    from amazen.dbsetup import alembic_config

    config = alembic_config(database_url)
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        load_records(conn, generate(products=DEMO_PRODUCTS))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def app_settings(dbengine):
    return {"amazen.engine": dbengine, "retry.attempts": "1"}


@pytest.fixture(scope="session")
def app(app_settings):
    return main({}, **app_settings)


@pytest.fixture
def tm():
    tm = transaction.TransactionManager(explicit=True)
    tm.begin()
    tm.doom()
    yield tm
    tm.abort()


@pytest.fixture
def dbsession(dbengine, tm):
    connection = dbengine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    register(session, transaction_manager=tm)
    yield session
    session.close()
    outer.rollback()
    connection.close()


@pytest.fixture
def testapp(app, tm, dbsession):
    return webtest.TestApp(
        app,
        extra_environ={
            "HTTP_HOST": "example.com",
            "tm.active": True,
            "tm.manager": tm,
            "app.dbsession": dbsession,
        },
    )


@pytest.fixture(scope="session")
def demo_records():
    """The demo catalog's records, as the test database holds them."""
    return list(generate(products=DEMO_PRODUCTS))
