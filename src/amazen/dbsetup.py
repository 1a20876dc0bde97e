"""First-run setup for development: migrate an empty database and load the demo catalog.

``pserve development.ini`` on a fresh clone must show products with no other step, so the app does
this itself when ``amazen.setup_on_start`` is true. Production leaves migrations to the operator
(``alembic upgrade head`` in the container entrypoint) and never loads demo data.
"""

import logging
import time
from contextlib import contextmanager

import sqlalchemy as sa

log = logging.getLogger(__name__)

# Any constants work; each only has to be the same in every process that may run setup (or migrate) at once.
SETUP_LOCK_KEY = 0x616D617A656E
MIGRATION_LOCK_KEY = SETUP_LOCK_KEY + 2  # + 1 is the import lock (ingest/importer.py)


def alembic_config(url):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "amazen:alembic")
    config.attributes["database_url"] = url
    return config


def migrate(url):
    from alembic import command

    command.upgrade(alembic_config(url), "head")


@contextmanager
def setup_lock(engine):
    """Reloading workers, an import and a parallel setup must not migrate at the same time."""
    with engine.connect() as lock_conn:
        lock_conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": SETUP_LOCK_KEY})
        try:
            yield
        finally:
            lock_conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": SETUP_LOCK_KEY})
            lock_conn.commit()


def wait_for_database(url, timeout=60.0, interval=1.0):
    """Return once the database accepts a connection; after ``timeout`` seconds, raise its last error."""
    from .models import CONNECT_TIMEOUT

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args={"connect_timeout": CONNECT_TIMEOUT})
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                with engine.connect():
                    return
            except sa.exc.OperationalError:
                if time.monotonic() + interval > deadline:
                    raise
                time.sleep(interval)
    finally:
        engine.dispose()


def migrate_with_lock(url):
    engine = sa.create_engine(url)
    try:
        with setup_lock(engine):
            migrate(url)
    finally:
        engine.dispose()


def setup_database(url, demo_products=300):
    """Bring the database to the latest schema and, if it has no products, load the demo catalog."""
    engine = sa.create_engine(url)
    try:
        with setup_lock(engine):
            migrate(url)
            with engine.begin() as conn:
                empty = conn.execute(sa.text("SELECT NOT EXISTS (SELECT 1 FROM products)")).scalar()
            if empty:
                load_demo_catalog(engine, demo_products)
    finally:
        engine.dispose()


def load_demo_catalog(engine, products):
    from .catalog.demo import generate
    from .ingest.bulk import load_records

    started = time.monotonic()
    with engine.begin() as conn:
        counts = load_records(conn, generate(products=products))
    log.info(
        "loaded the demo catalog: %d products, %d reviews in %.1f s",
        counts.products,
        counts.reviews,
        time.monotonic() - started,
    )
