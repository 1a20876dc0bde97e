"""Error pages: the site's 404, a 405 for a method an address does not take, a 400 for bad parameters,
401/403 for what the security policy or the CSRF check refuses, and a friendly 500 with no traceback.

Requests under /api/ get a JSON error object instead of a page. An address or query string that is not
text (bytes that are not UTF-8, or a NUL character, which no PostgreSQL text can hold) is answered 400
before any view reads it (traversal looks no name with a NUL up: amazen.resources).
"""

import codecs
import io
import logging
from urllib.parse import urlsplit

import psycopg2
import sqlalchemy as sa
from pyramid.events import ContextFound, subscriber
from pyramid.exceptions import BadCSRFOrigin, BadCSRFToken, PredicateMismatch
from pyramid.httpexceptions import HTTPBadRequest, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import exception_view_config, forbidden_view_config, notfound_view_config

from amazen.accounts.security import header_user
from amazen.locks import CatalogBusy
from amazen.params import InvalidParameter

log = logging.getLogger(__name__)

UNREADABLE = "amazen.unreadable"  # in the WSGI environ: why the address as sent could not be read
UNREADABLE_BODY = "amazen.unreadable_body"  # ... and why the body could not be
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def wants_json(request):
    return request.path_info.startswith("/api/")


def error_response(request, status, code, message, field=None):
    header_user(request)  # the page's header asks who is signed in; after a failure, nobody
    request.response.status_int = status
    if wants_json(request):
        error = {"code": code, "message": message}
        if field:
            error["field"] = field
        request.override_renderer = "json"
        return {"error": error}
    request.override_renderer = "error.jinja2"
    return {"status": status, "code": code, "message": message, "field": field}


def allowed_methods(request):
    """The methods the views of the request's context and view name take, from the registry's record of
    every view (GET brings HEAD); empty when one of them takes any method."""
    methods = set()
    for view in request.registry.introspector.get_category("views"):
        view = view["introspectable"]
        context = view["context"]
        if view["exception_only"] or view["route_name"] or view["name"] != request.view_name:
            continue
        if context is not None and not (
            isinstance(request.context, context) if isinstance(context, type) else context.providedBy(request.context)
        ):
            continue
        if not view["request_methods"]:
            return set()
        methods.update([view["request_methods"]] if isinstance(view["request_methods"], str) else view["request_methods"])
    if "GET" in methods:
        methods.add("HEAD")
    return methods


@notfound_view_config(renderer="error.jinja2")
def not_found(exc, request):
    """The 404; or, when the address is there but none of its views takes the request's method, a 405
    with the methods it does take in Allow (OPTIONS asks for just that: a 204 with Allow)."""
    allowed = allowed_methods(request) if isinstance(exc, PredicateMismatch) else set()
    if allowed and request.method not in allowed:
        allow = ", ".join(sorted(allowed | {"OPTIONS"}))
        if request.method == "OPTIONS":
            return Response(status=204, headers={"Allow": allow})
        request.response.headers["Allow"] = allow
        if wants_json(request):
            message = f"This address does not take {request.method}; it takes {allow}."
        else:
            message = "This page cannot be sent that kind of request. Go back to it and try again from there."
        return error_response(request, 405, "method_not_allowed", message)
    return error_response(request, 404, "not_found", "We could not find that page.")


@exception_view_config(InvalidParameter, renderer="error.jinja2")
def invalid_parameter(exc, request):
    return error_response(request, 400, "invalid_parameter", exc.message, field=exc.field)


@exception_view_config(HTTPBadRequest, renderer="error.jinja2")
def bad_request(exc, request):
    return error_response(request, 400, "bad_request", exc.detail or "The request was not understood.")


def same_site_path(value):
    """``value`` when it is a path on this site ("/products/B0?x=1"), else None: never another site's
    address ("//evil.example", "https://...", "/\\evil.example"), so a sign-in cannot send anyone away."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value) or len(value) > 2000:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


def coming_from(request):
    """The same-site page a refused request came from: the address itself for a GET, else the page that
    sent the form (its Referer, when it is this site's)."""
    if request.method in ("GET", "HEAD"):
        return request.path_qs
    referer = urlsplit(request.referer or "")
    if referer.netloc and referer.netloc == request.host:
        return same_site_path(referer.path + (f"?{referer.query}" if referer.query else ""))
    return None


@forbidden_view_config(renderer="error.jinja2")
def forbidden(exc, request):
    """Nobody signed in: 401 under /api/, else to the sign-in page and back here afterwards. Signed in
    but not allowed: 403."""
    if header_user(request) is None:
        if wants_json(request):
            return error_response(request, 401, "unauthenticated", "Sign in first: this needs an account.")
        query = {}
        back = coming_from(request)
        if back and back != "/":
            query["next"] = back
        return HTTPSeeOther(request.resource_url(request.root["account"], "login", query=query or None))
    return error_response(request, 403, "forbidden", "Your account may not do that.")


@exception_view_config(BadCSRFToken, renderer="error.jinja2")
@exception_view_config(BadCSRFOrigin, renderer="error.jinja2")
def bad_csrf(exc, request):
    """A form or API call without the CSRF token of the shopper's session (or from another site): refused, nothing done."""
    if wants_json(request) and isinstance(exc, BadCSRFOrigin):
        # Over HTTPS a write must also say which site sent it, as browsers do (Origin or Referer).
        message = "Over HTTPS, send an Origin (or Referer) header naming this site with the request."
    elif wants_json(request):
        message = "Send the session's CSRF token in the X-CSRF-Token header (GET /api/session gives it)."
    else:
        message = "This form has expired or came from another site. Go back, reload the page and try again."
    return error_response(request, 403, "csrf", message)


def unreadable_body(environ, why):
    """Nothing reads the body after this: it is dropped, and the request answered 400 saying why."""
    environ.update({"CONTENT_TYPE": "", "CONTENT_LENGTH": "0", "wsgi.input": io.BytesIO(b"")})
    environ[UNREADABLE_BODY] = why


def readable_address_tween_factory(handler, registry):
    """The outermost tween: a path or query string that is not UTF-8 is replaced before anything reads
    it (the path by / or /api/, the query by none; pyramid_debugtoolbar reads both first, in development),
    and so is a body in an encoding Python does not know, a form that is not text in its encoding or a
    multipart form that cannot be parsed;
    why is noted for reject_unreadable_text, which answers 400 once the error page can be made."""

    def readable_address_tween(request):
        environ = request.environ
        try:
            environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")  # WSGI: the path's bytes as latin-1
        except UnicodeError:
            environ["PATH_INFO"] = "/api/" if environ["PATH_INFO"].startswith("/api/") else "/"
            environ["QUERY_STRING"] = ""
            environ[UNREADABLE] = "The address is not UTF-8 text."
        try:
            request.GET
        except UnicodeDecodeError:
            environ["QUERY_STRING"] = ""
            environ[UNREADABLE] = "The query string is not UTF-8 text."
        try:
            codecs.lookup(request.charset)
            if request.content_type in FORM_TYPES:
                request.POST  # the CSRF check and the toolbar read the form before any view does
        except (LookupError, UnicodeDecodeError):
            unreadable_body(environ, "is not text in the encoding it names (or UTF-8)")
        except ValueError:  # a multipart form without a boundary, or one its parser cannot read
            unreadable_body(environ, "is not a form its Content-Type can read")
        return handler(request)

    return readable_address_tween


@subscriber(ContextFound)
def reject_unreadable_text(event):
    """400 for an address the tween above found unreadable, a path with a NUL character, or a query
    string with a NUL in a name or value: the views may then take every parameter for text that
    PostgreSQL can store."""
    request = event.request
    if UNREADABLE in request.environ:
        raise HTTPBadRequest(request.environ[UNREADABLE])
    if UNREADABLE_BODY in request.environ:
        raise InvalidParameter("body", request.environ[UNREADABLE_BODY])
    if "\x00" in request.path_info:
        raise HTTPBadRequest("The address contains a NUL character.")
    for name, value in request.GET.items():
        if "\x00" in name or "\x00" in value:
            raise InvalidParameter(name.replace("\x00", ""), "must not contain a NUL character")


BUSY_MESSAGE = "An import is updating the catalog; try again in a minute."
# SQLSTATEs of a web transaction's lock_timeout (lock_not_available) and statement_timeout (query_canceled).
TIMEOUTS = ("55P03", "57014")
# Seconds a client is asked to wait after a timeout or an outage.
RETRY_AFTER = 5


def unavailable(request, code, message, retry_after):
    """A 503 with Retry-After."""
    request.response.headers["Retry-After"] = str(retry_after)
    return error_response(request, 503, code, message)


@exception_view_config(CatalogBusy, renderer="error.jinja2")
def catalog_busy(exc, request):
    """A write while an import or reindex runs: refused at once, nothing changed."""
    return unavailable(request, "busy", BUSY_MESSAGE, exc.retry_after)


# pyramid_retry retries serialisation failures and deadlocks; these views must only answer once no retry
# is left, or when the error is not one that a retry could fix. The driver's own errors come from the SQL
# the index maintenance runs on the driver's cursor (amazen.search.indexer), SQLAlchemy's wrap the rest.
@exception_view_config(sa.exc.OperationalError, renderer="error.jinja2", last_retry_attempt=True)
@exception_view_config(sa.exc.OperationalError, renderer="error.jinja2", retryable_error=False)
@exception_view_config(psycopg2.OperationalError, renderer="error.jinja2", last_retry_attempt=True)
@exception_view_config(psycopg2.OperationalError, renderer="error.jinja2", retryable_error=False)
def database_unavailable(exc, request):
    error = getattr(exc, "orig", exc)
    if getattr(error, "pgcode", None) in TIMEOUTS:
        log.warning("timed out on %s: %s", request.path_qs, error.__class__.__name__)
        return unavailable(request, "timeout", "Amazen is busy right now. Please try again in a moment.", RETRY_AFTER)
    log.error("database unavailable on %s: %s", request.path_qs, error.__class__.__name__)
    message = "Amazen is briefly unavailable. Please try again in a moment."
    return unavailable(request, "database_unavailable", message, RETRY_AFTER)


@exception_view_config(Exception, renderer="error.jinja2", last_retry_attempt=True)
@exception_view_config(Exception, renderer="error.jinja2", retryable_error=False)
def server_error(exc, request):
    log.error("unhandled error on %s", request.path_qs, exc_info=exc)
    return error_response(request, 500, "server_error", "Something went wrong on our side. Please try again.")
