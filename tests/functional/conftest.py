"""Fixtures shared by functional tests: real reviews, and scratch databases."""

import uuid

import pytest
import sqlalchemy as sa
import transaction
import webtest
from sqlalchemy.orm import Session
from zope.sqlalchemy import register

from amazen.dbsetup import migrate
from amazen.ingest.importer import import_files
from tests.datasets import MDSD_ELECTRONICS, missing_datasets

# Blitzer et al.'s electronics reviews; none without the datasets, so that modules reading them at import
# still load (their tests skip: the ``electronics`` fixture asks for ``amazon_data``).
ELECTRONICS = [] if missing_datasets() else MDSD_ELECTRONICS


@pytest.fixture
def scratch_url(database_url):
    """A new database next to the test database, migrated, dropped afterwards."""
    name = f"amazen_scratch_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(database_url).set(database=name).render_as_string(hide_password=False)
    migrate(url)
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="module")
def electronics(dbengine, amazon_data):
    connection = dbengine.connect()
    outer = connection.begin()
    # Only the electronics reviews: the demo catalog's headphones would blur the expected rankings.
    connection.execute(sa.text("DELETE FROM products"))
    import_files(connection, ELECTRONICS)
    yield connection
    outer.rollback()
    connection.close()


@pytest.fixture
def session(electronics):
    tm = transaction.TransactionManager(explicit=True)
    tm.begin()
    tm.doom()
    session = Session(bind=electronics, join_transaction_mode="create_savepoint")
    register(session, transaction_manager=tm)
    yield session, tm
    tm.abort()
    session.close()


@pytest.fixture
def api(app, session):
    dbsession, tm = session
    return webtest.TestApp(
        app, extra_environ={"HTTP_HOST": "example.com", "tm.active": True, "tm.manager": tm, "app.dbsession": dbsession}
    )


@pytest.fixture
def author(app, api):
    """A browser signed in as a new account, on the electronics reviews' transaction (``api``'s)."""
    from tests.shoppers import signed_in_browser

    return signed_in_browser(app, api.extra_environ, display_name="Test Author")
