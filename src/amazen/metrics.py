"""Metrics in Prometheus's text format at ``GET /metrics``, and an id for every request.

Metrics go through prometheus_client's multiprocess mode, so one scrape of any app process sees the sum
over every process that shares the metrics directory (``PROMETHEUS_MULTIPROC_DIR``; when unset,
``amazen.metrics_dir``, else ``<amazen.data_dir>/metrics``, else ``var/metrics``). Each process holds a
shared lock on the directory's ``lock`` file for its life; a process that finds no other holder is the
first, and deletes the files a previous run left.

Requests are counted by route, never by raw path: the traversal context's class name, with the view's
name when the app has a view of that name (``Root@@healthz``), or the static view's name. Unknown path
segments therefore add no label values.

``/metrics`` answers only requests that did not come through the proxy: waitress keeps X-Forwarded-For
only from ``trusted_proxy`` (and drops it from anyone else), so a request that still carries one came
through nginx and is answered 404. With ``AMAZEN_METRICS_TOKEN`` set, a scrape must also send
``Authorization: Bearer <token>``.

A request's id is nginx's ``X-Request-ID`` when the request came through the proxy and the value is
1 to 64 letters, digits, ``.``, ``_`` or ``-``; otherwise a new random one. It is sent back in the
response's ``X-Request-ID`` and is ``%(request_id)s`` in log lines (``RequestIdFormatter``).
"""

import atexit
import contextvars
import fcntl
import functools
import hmac
import logging
import os
import re
import time
import uuid
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, multiprocess, values
from prometheus_client.exposition import choose_encoder
from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import Response
from pyramid.tweens import INGRESS
from sqlalchemy import event

from amazen.config import DEFAULT_DATA_DIR

log = logging.getLogger(__name__)
access_log = logging.getLogger("amazen.access")

DIRECTORY_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
TOKEN_VARIABLE = "AMAZEN_METRICS_TOKEN"
REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_ENVIRON = "amazen.request_id"  # kept in the environ so that a retried request keeps its id
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
NO_REQUEST = "-"
# Seconds: from a suggestion's few milliseconds to a slow search on a loaded machine.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

current_request_id = contextvars.ContextVar("amazen_request_id", default=NO_REQUEST)
_directory_lock = None  # the open lock file: its shared lock says "a live process uses this directory"


class RequestIdFormatter(logging.Formatter):
    """The ini files' log formatter: ``%(request_id)s`` is the id of the request being answered, "-"
    outside a request."""

    def format(self, record):
        record.request_id = current_request_id.get()
        return super().format(record)


def metrics_directory(settings, environ=None):
    environ = os.environ if environ is None else environ
    path = environ.get(DIRECTORY_VARIABLE, "").strip() or settings.get("amazen.metrics_dir")
    if not path:
        path = Path(settings.get("amazen.data_dir") or DEFAULT_DATA_DIR) / "metrics"
    return Path(path).absolute()


def claim_directory(path):
    """Use ``path`` as this process's metrics directory (made if missing), deleting stale files first
    when no other live process uses it. Sets PROMETHEUS_MULTIPROC_DIR for prometheus_client."""
    global _directory_lock
    if _directory_lock is not None:
        return  # once per process: its files are named by its pid
    path.mkdir(parents=True, exist_ok=True)
    lock = open(path / "lock", "a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pass  # another live process writes here: its files are current
    else:
        for stale in path.glob("*.db"):
            stale.unlink()
    # Waits while a process that has just started cleans; it writes no file before it holds this too.
    fcntl.flock(lock, fcntl.LOCK_SH)
    _directory_lock = lock
    os.environ[DIRECTORY_VARIABLE] = str(path)


@functools.cache
def metrics():
    """This process's metrics, made once (two objects for one series would overwrite each other's file)."""
    # prometheus_client picks its value class from PROMETHEUS_MULTIPROC_DIR when first imported, which may
    # have been before claim_directory set it: pick again, so these values live in the directory's files.
    values.ValueClass = values.get_value_class()
    # Gauges of a process that exits are dropped from the sums (a killed one's stay until the next start).
    atexit.register(multiprocess.mark_process_dead, os.getpid())
    return {
        "requests": Counter("amazen_requests", "HTTP requests answered, by route and status", ["route", "status"]),
        "latency": Histogram(
            "amazen_request_duration_seconds", "Time to answer a request, by route", ["route"], buckets=LATENCY_BUCKETS
        ),
        "pool_checked_out": Gauge("amazen_db_pool_checked_out", "Database connections in use", multiprocess_mode="livesum"),
        "pool_size": Gauge("amazen_db_pool_size", "Database connections the pools keep", multiprocess_mode="livesum"),
        # Read replicas (amazen.replicas): the latest state any process saw, by the replica's number.
        "replica_up": replica_gauge("amazen_replica_up", "1 when the replica answered its last check"),
        "replica_lag_bytes": replica_gauge("amazen_replica_lag_bytes", "WAL the replica received but has not replayed"),
        "replica_lag_seconds": replica_gauge("amazen_replica_lag_seconds", "The replica's replay lag in seconds"),
        "imports": Counter("amazen_imports", "amazen-import runs that committed"),
        "imported_products": Counter("amazen_imported_products", "Products inserted or updated by amazen-import"),
        "imported_reviews": Counter("amazen_imported_reviews", "Reviews inserted or updated by amazen-import"),
    }


def replica_gauge(name, description):
    return Gauge(name, description, ["replica"], multiprocess_mode="mostrecent")


def record_import(report, settings):
    """Count a committed import (amazen-import) in the metrics directory of the app with these settings."""
    try:
        claim_directory(metrics_directory(settings))
    except OSError as err:  # the import has committed: say so, and go on
        log.warning("metrics not recorded: %s", err)
        return
    counters = metrics()
    counters["imports"].inc()
    counters["imported_products"].inc(report.products_inserted + report.products_updated)
    counters["imported_reviews"].inc(report.reviews_inserted + report.reviews_updated)


def request_id(environ):
    """The proxy's id when the request came through it and the id is well formed, else a new one."""
    given = environ.get("HTTP_X_REQUEST_ID", "")
    if came_through_proxy(environ) and REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def came_through_proxy(environ):
    # waitress (clear_untrusted_proxy_headers) leaves X-Forwarded-For only on requests from trusted_proxy.
    return "HTTP_X_FORWARDED_FOR" in environ


def route_label(request, view_names):
    route = request.matched_route
    if route is not None:
        return route.name.strip("_/")  # the static view
    context = getattr(request, "context", None)
    if context is None:
        return "none"  # answered before traversal
    name = type(context).__name__
    return f"{name}@@{request.view_name}" if request.view_name in view_names else name


def tween_factory(handler, registry):
    view_names = {item["introspectable"]["name"] for item in registry.introspector.get_category("views")}
    view_names.discard("")
    counters = metrics()

    def metrics_tween(request):
        request_id_value = request.environ.setdefault(REQUEST_ID_ENVIRON, request_id(request.environ))
        token = current_request_id.set(request_id_value)
        started = time.perf_counter()
        try:
            response = handler(request)
            seconds = time.perf_counter() - started
            route = route_label(request, view_names)
            counters["requests"].labels(route, str(response.status_code)).inc()
            counters["latency"].labels(route).observe(seconds)
            response.headers[REQUEST_ID_HEADER] = request_id_value
            method = request.method if request.method.isalpha() else "-"
            access_log.info("%s %s %s %.0f ms", method, request.path, response.status_code, seconds * 1000)
            return response
        finally:
            current_request_id.reset(token)

    return metrics_tween


def _checked_out(dbapi_connection, record, proxy):
    metrics()["pool_checked_out"].inc()


def _checked_in(dbapi_connection, record):
    metrics()["pool_checked_out"].dec()


def watch_pool(engine):
    if not event.contains(engine, "checkout", _checked_out):
        event.listen(engine, "checkout", _checked_out)
        event.listen(engine, "checkin", _checked_in)
        size = getattr(engine.pool, "size", None)
        if size is not None:
            metrics()["pool_size"].inc(size())


def metrics_view(context, request):
    """The metrics of every process sharing the directory, to scrapers that did not come through nginx."""
    if came_through_proxy(request.environ):
        raise HTTPNotFound()
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if token and not hmac.compare_digest(request.headers.get("Authorization", "").encode(), f"Bearer {token}".encode()):
        response = Response("A bearer token is needed.\n", status=401, content_type="text/plain")
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    # The format the scraper asks for (OpenMetrics or Prometheus text), as prometheus_client's own server does.
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    response = Response(encode(registry))
    response.headers["Content-Type"] = content_type
    response.cache_control = "no-store"
    return response


def includeme(config):
    path = metrics_directory(config.get_settings())
    try:
        claim_directory(path)
    except OSError as err:
        raise SystemExit(f"amazen: the metrics directory {path} cannot be used ({err.strerror}): set {DIRECTORY_VARIABLE}")
    watch_pool(config.registry["db_engine"])
    # Outermost: the id is set before anything logs, and the time and status are the whole answer's.
    config.add_tween(
        "amazen.metrics.tween_factory",
        under=INGRESS,
        over=("amazen.views.errors.readable_address_tween_factory", "pyramid_tm.tm_tween_factory"),
    )
    config.add_view(metrics_view, context="amazen.resources.Root", name="metrics")
