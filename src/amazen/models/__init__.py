"""Database plumbing in the Pyramid cookiecutter's shape: engine, session factory, a tm-bound session."""

import sqlalchemy as sa
import zope.sqlalchemy
from sqlalchemy import engine_from_config
from sqlalchemy.orm import configure_mappers, sessionmaker

from amazen import replicas
from amazen.config import ConfigurationError, resolve_replica_urls

from .accounts import ReviewVote, User  # noqa: F401
from .catalog import Category, CategoryStats, Product, ProductStats, Review, product_categories  # noqa: F401  (register the tables)
from .limits import rate_limit_hits  # noqa: F401
from .meta import Base  # noqa: F401
from .search import (  # noqa: F401
    phrase_counts,
    product_evidence,
    product_term_stats,
    search_stats,
    term_stats,
    vocabulary,
)

configure_mappers()


# Seconds a new database connection may take. A database that is down or unreachable must cost a request
# this long at most (the page then says 503), not the minutes a TCP connect can hang.
CONNECT_TIMEOUT = 3


# How long a web transaction may wait for a lock, and run one statement (milliseconds; the settings
# amazen.lock_timeout_ms and amazen.statement_timeout_ms replace them). Past either the request answers
# 503 (amazen.views.errors) rather than waiting behind an import or holding a thread. Imports, reindexes
# and scripts have their own engines and no such bound.
TIMEOUTS = {"lock_timeout": 2000, "statement_timeout": 10_000}
SET_TIMEOUTS = sa.text(
    "SELECT set_config('lock_timeout', :lock_timeout, true), set_config('statement_timeout', :statement_timeout, true)"
)


def get_engine(settings, prefix="sqlalchemy."):
    # pool_pre_ping: after a database restart, pooled connections are dead; test each on checkout and replace
    # it, so the first requests after the restart succeed instead of failing once per stale connection.
    return engine_from_config(settings, prefix, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT})


def get_session_factory(engine):
    factory = sessionmaker()
    factory.configure(bind=engine)
    return factory


def get_tm_session(session_factory, transaction_manager, request=None, **options):
    """A session joined to ``transaction_manager``: it commits or aborts with the transaction."""
    dbsession = session_factory(info={"request": request}, **options)
    zope.sqlalchemy.register(dbsession, transaction_manager=transaction_manager)
    return dbsession


def timeouts_from_settings(settings):
    """{name: milliseconds} for SET_TIMEOUTS, from the settings or TIMEOUTS; ConfigurationError names a
    malformed one."""
    timeouts = {}
    for name, default in TIMEOUTS.items():
        setting = f"amazen.{name}_ms"
        value = str(settings.get(setting) or default).strip()
        if not value.isascii() or not value.isdigit() or int(value) < 1:
            raise ConfigurationError(f"{setting} = {value!r}: expected whole milliseconds, at least 1")
        timeouts[name] = str(int(value))
    return timeouts


def bound_transactions(session_factory, timeouts):
    """Every transaction of ``session_factory``'s sessions starts with these timeouts (SET LOCAL: they
    end with it, and a pooled connection goes back without them)."""

    @sa.event.listens_for(session_factory, "after_begin")
    def set_timeouts(session, transaction, connection):
        connection.execute(SET_TIMEOUTS, timeouts)


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
    try:
        bound_transactions(session_factory, timeouts_from_settings(settings))
    except ConfigurationError as err:
        raise SystemExit(f"amazen: {err}") from None
    config.registry["dbsession_factory"] = session_factory
    config.registry["db_engine"] = engine
    replica_set = config.registry["replicas"] = read_replicas(settings, engine)

    def primary_dbsession(request):
        """The primary's session: writes, and the reads that must see the latest commit (session rows)."""
        # WebTest fixtures may hand in a session bound to the test's outer transaction.
        session = request.environ.get("app.dbsession")
        if session is None:
            session = get_tm_session(session_factory, request.tm, request=request)
            if replica_set and request.method not in replicas.SAFE_METHODS:
                replicas.remember_commit(request, replica_set)
        return session

    def dbsession(request):
        """The request's session, chosen once: a replica's for a read when one is usable, else the primary's."""
        if replica_set is None or request.method not in replicas.SAFE_METHODS or "app.dbsession" in request.environ:
            return request.primary_dbsession
        connection = replica_set.connect(replicas.wanted_position(request))
        if connection is None:
            return request.primary_dbsession
        request.add_finished_callback(lambda request: connection.close())
        return get_tm_session(session_factory, request.tm, request=request, bind=connection)

    config.add_request_method(primary_dbsession, reify=True)
    config.add_request_method(dbsession, reify=True)


def read_replicas(settings, primary):
    """The ReplicaSet of the configured replica URLs (amazen.replicas), or None without any."""
    try:
        urls = resolve_replica_urls(settings)
        if not urls:
            return None
        engines = [get_engine({"sqlalchemy.url": url}) for url in urls]
        replica_set = replicas.ReplicaSet(engines, primary, settings)
    except ConfigurationError as err:
        raise SystemExit(f"amazen: {err}") from None
    for replica_engine in engines:
        sa.event.listen(replica_engine, "handle_error", replica_set.lost_connection_handler(replica_engine))
    return replica_set
