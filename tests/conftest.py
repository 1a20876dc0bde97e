"""Test fixtures in the Pyramid cookiecutter's shape, on a real PostgreSQL.

The database is the embedded server's ``amazen_test`` database (recreated for each test session, the
server stopped at its end), or the one named by AMAZEN_TEST_DATABASE_URL. Migrations run once per session
and the demo catalog is loaded once; every test then runs inside an outer transaction that is rolled
back, with the session joining it through savepoints, so tests see the same data and cannot leak writes
into each other.

Tests that read the public Amazon datasets ask for the ``amazon_data`` fixture; tests that need a system
package call ``unavailable`` when it is missing. Both skip with one reason, or fail when
AMAZEN_REQUIRE_ALL=1 (.ci/run sets it: there, every test must run).
"""

import os
import signal

import pytest
import sqlalchemy as sa
import transaction
import webtest
from sqlalchemy.orm import Session
from zope.sqlalchemy import register

from amazen import main
from amazen.catalog.demo import generate
from amazen.config import normalise_database_url
from amazen.ingest.bulk import load_records
from tests.datasets import AMAZON_DATA, REPO, missing_datasets

# Tests stop the processes they start (pserve, amazen-import) with Ctrl-C's SIGINT. A shell that runs a
# command in the background without job control starts it with SIGINT ignored, and an ignored signal
# stays ignored in every child: Python would then never raise KeyboardInterrupt in them. The children
# start with Ctrl-C's usual meaning whatever started this run.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

REQUIRE_ALL = os.environ.get("AMAZEN_REQUIRE_ALL", "") not in ("", "0")
TEST_DATABASE = "amazen_test"
# The catalog every test sees: small enough to load in a second, big enough to paginate.
DEMO_PRODUCTS = 60


def pytest_report_header(config):
    data = AMAZON_DATA if not missing_datasets() else f"missing ({AMAZON_DATA})"
    return [f"database: {test_database_description()}", f"Amazon datasets: {data}"]


def unavailable(reason):
    """Skip the calling test for want of ``reason``; fail it instead under AMAZEN_REQUIRE_ALL=1."""
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (AMAZEN_REQUIRE_ALL=1: no test may be skipped)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def amazon_data():
    """The directory of the public Amazon datasets; skips the test when they are not there."""
    missing = missing_datasets()
    if missing:
        unavailable(
            f"needs the public Amazon datasets ({', '.join(missing)}) in {AMAZON_DATA}: "
            "set AMAZEN_DATA_DIR to the directory that holds them"
        )
    return AMAZON_DATA


def pytest_sessionfinish(session, exitstatus):
    """Under AMAZEN_REQUIRE_ALL=1 a run with any skipped test fails, whatever skipped it."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if REQUIRE_ALL and skipped and session.exitstatus == 0:
        reporter.ensure_newline()
        reporter.write_line(f"AMAZEN_REQUIRE_ALL=1: {len(skipped)} test(s) skipped; failing the run", red=True)
        session.exitstatus = 1


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
    try:
        pg = embedded.server(data_dir)
        embedded.drop_database(pg.get_uri(), TEST_DATABASE)
        yield embedded.database_url(data_dir, TEST_DATABASE)
    finally:
        # Stopped here, not only at the interpreter's exit: unless another process uses it too.
        embedded.release(data_dir)


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
    # A fixed session secret (the app refuses to start without one); tests only, never in an ini file.
    return {"amazen.engine": dbengine, "retry.attempts": "1", "amazen.session_secret": "tests-only-session-secret-" + "x" * 24}


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
