"""The abuse limits' answers: RateLimited is a 429 with Retry-After, JSON under /api/, a page elsewhere.

The 429 aborts the request's transaction like any 4xx (the commit veto); the hit that caused it is
already committed on its own connection (``amazen.limits``). The limits' settings are checked once the
application is made, so a malformed one stops the app at start rather than failing the first sign-in.
"""

from pyramid.events import ApplicationCreated, subscriber
from pyramid.view import exception_view_config

from amazen.limits import RateLimited, check_settings
from amazen.views.errors import error_response, wants_json


@exception_view_config(RateLimited, renderer="error.jinja2")
def rate_limited(exc, request):
    wait = waiting_time(exc.retry_after)
    body = error_response(request, 429, "rate_limited", f"Too many attempts. Please wait {wait} before trying again.")
    if wants_json(request):
        body["error"]["field"] = None
    request.response.headers["Retry-After"] = str(exc.retry_after)
    return body


def waiting_time(seconds):
    """Whole seconds as people say them: "1 second", "90 seconds", "15 minutes" (rounded up)."""
    if seconds < 120:
        return "1 second" if seconds == 1 else f"{seconds} seconds"
    return f"{(seconds + 59) // 60} minutes"


@subscriber(ApplicationCreated)
def check_limit_settings(event):
    check_settings(event.app.registry.settings)
