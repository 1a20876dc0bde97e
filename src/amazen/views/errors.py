"""Error pages: the site's 404, a 400 for bad parameters, and a friendly 500 with no traceback.

Requests under /api/ get a JSON error object instead of a page.
"""
import logging

import sqlalchemy as sa

from pyramid.httpexceptions import HTTPBadRequest
from pyramid.view import exception_view_config, notfound_view_config

from amazen.params import InvalidParameter

log = logging.getLogger(__name__)


def wants_json(request):
    return request.path_info.startswith("/api/")


def error_response(request, status, code, message, field=None):
    request.response.status_int = status
    if wants_json(request):
        error = {"code": code, "message": message}
        if field:
            error["field"] = field
        request.override_renderer = "json"
        return {"error": error}
    request.override_renderer = "error.jinja2"
    return {"status": status, "code": code, "message": message, "field": field}


@notfound_view_config(renderer="error.jinja2")
def not_found(exc, request):
    return error_response(request, 404, "not_found", "We could not find that page.")


@exception_view_config(InvalidParameter, renderer="error.jinja2")
def invalid_parameter(exc, request):
    return error_response(request, 400, "invalid_parameter", exc.message, field=exc.field)


@exception_view_config(HTTPBadRequest, renderer="error.jinja2")
def bad_request(exc, request):
    return error_response(request, 400, "bad_request", exc.detail or "The request was not understood.")


# pyramid_retry retries serialisation failures and deadlocks; these views must only answer once no retry
# is left, or when the error is not one that a retry could fix.
@exception_view_config(sa.exc.OperationalError, renderer="error.jinja2", last_retry_attempt=True)
@exception_view_config(sa.exc.OperationalError, renderer="error.jinja2", retryable_error=False)
def database_unavailable(exc, request):
    log.error("database unavailable on %s: %s", request.path_qs, exc.orig.__class__.__name__)
    return error_response(
        request, 503, "database_unavailable", "Amazen is briefly unavailable. Please try again in a moment."
    )


@exception_view_config(Exception, renderer="error.jinja2", last_retry_attempt=True)
@exception_view_config(Exception, renderer="error.jinja2", retryable_error=False)
def server_error(exc, request):
    log.error("unhandled error on %s", request.path_qs, exc_info=exc)
    return error_response(request, 500, "server_error", "Something went wrong on our side. Please try again.")
