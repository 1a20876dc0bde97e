"""Database plumbing in the Pyramid cookiecutter's shape: engine, session factory, a tm-bound session."""

import zope.sqlalchemy
from sqlalchemy import engine_from_config
from sqlalchemy.orm import configure_mappers, sessionmaker

from .accounts import ReviewVote, User  # noqa: F401
from .catalog import Category, Product, Review, product_categories  # noqa: F401  (register the tables)
from .limits import rate_limit_hits  # noqa: F401
from .meta import Base  # noqa: F401
from .search import (  # noqa: F401
    phrase_counts,
    product_evidence,
    product_postings,
    product_term_stats,
    product_vocabulary,
    search_stats,
    term_stats,
    vocabulary,
)

configure_mappers()


# Seconds a new database connection may take. A database that is down or unreachable must cost a request
# this long at most (the page then says 503), not the minutes a TCP connect can hang.
CONNECT_TIMEOUT = 3


def get_engine(settings, prefix="sqlalchemy."):
    # pool_pre_ping: after a database restart, pooled connections are dead; test each on checkout and replace
    # it, so the first requests after the restart succeed instead of failing once per stale connection.
    return engine_from_config(settings, prefix, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT})


def get_session_factory(engine):
    factory = sessionmaker()
    factory.configure(bind=engine)
    return factory


def get_tm_session(session_factory, transaction_manager, request=None):
    """A session joined to ``transaction_manager``: it commits or aborts with the transaction."""
    dbsession = session_factory(info={"request": request})
    zope.sqlalchemy.register(dbsession, transaction_manager=transaction_manager)
    return dbsession


def includeme(config):
    """Make ``request.dbsession`` available, managed by pyramid_tm.

    ``amazen.main`` has already put the resolved database URL into ``sqlalchemy.url``.
    """
    settings = config.get_settings()
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    # A 4xx/5xx response must not commit whatever the request wrote before failing.
    settings.setdefault("tm.commit_veto", "pyramid_tm.default_commit_veto")
    config.include("pyramid_tm")
    config.include("pyramid_retry")

    # Test fixtures hand in their own engine so a test's writes roll back.
    engine = settings.get("amazen.engine") or get_engine(settings)
    session_factory = get_session_factory(engine)
    config.registry["dbsession_factory"] = session_factory
    config.registry["db_engine"] = engine

    def dbsession(request):
        # WebTest fixtures may hand in a session bound to the test's outer transaction.
        session = request.environ.get("app.dbsession")
        if session is None:
            session = get_tm_session(session_factory, request.tm, request=request)
        return session

    config.add_request_method(dbsession, reify=True)
