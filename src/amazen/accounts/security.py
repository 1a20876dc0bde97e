"""Who is asking, and what they may do: the session cookie, the security policy, CSRF.

- The session is Pyramid's signed cookie (HttpOnly, SameSite=Lax, Secure on HTTPS requests), signed
  with the secret from amazen.config.resolve_session_secret.
- ``request.user`` is the signed-in account (a CurrentUser) or None: the session's user id, when that
  account exists and its session version is the one the session was signed in with (changing the
  password moves the version on, which ends every session of the account).
- Permissions are names granted by the traversal context's ``__acl__`` (amazen.resources) to these
  principals: everyone, every signed-in account (Authenticated), ``user:<id>``, and ``role:moderator``.
"""

import secrets

from pyramid.authentication import SessionAuthenticationHelper
from pyramid.authorization import ACLHelper, Authenticated, Everyone
from pyramid.security import forget as forget_headers
from pyramid.security import remember as remember_headers
from pyramid.session import SignedCookieSessionFactory

from .services import AccountService, CurrentUser

SESSION_COOKIE = "amazen_session"
SESSION_VERSION = "amazen.session_version"
SESSION_ID = "amazen.session_id"
# A session lasts this long without a request, and its cookie is sent again at most this often
# (reissuing refreshes the timeout).
SESSION_TIMEOUT = 14 * 24 * 3600
SESSION_REISSUE = 24 * 3600
MODERATOR = "role:moderator"

_session_helper = SessionAuthenticationHelper()


def principal(user_id):
    return f"user:{user_id}"


def session_factory_for(secret):
    """A session factory that signs with ``secret`` and marks the cookie Secure on HTTPS requests (the
    scheme waitress reports: nginx's X-Forwarded-Proto behind the proxy)."""
    options = {
        "cookie_name": SESSION_COOKIE,
        "httponly": True,
        "samesite": "Lax",
        "timeout": SESSION_TIMEOUT,
        "reissue_time": SESSION_REISSUE,
        "max_age": SESSION_TIMEOUT,
        "set_on_exception": False,
    }
    plain = SignedCookieSessionFactory(secret, secure=False, **options)
    secure = SignedCookieSessionFactory(secret, secure=True, **options)

    def session_factory(request):
        return (secure if request.scheme == "https" else plain)(request)

    return session_factory


def current_user(request):
    """``request.user``: the signed-in account, or None."""
    user_id = _session_helper.authenticated_userid(request)
    if user_id is None:
        return None
    user = AccountService(request.dbsession).by_id(user_id) if isinstance(user_id, int) else None
    if user is None or request.session.get(SESSION_VERSION) != user.session_version:
        return None
    return CurrentUser.of(user)


def header_user(request):
    """``request.user`` for pages that must render whatever happened (error pages): None when it cannot
    be known because the database is away or the request's transaction has failed."""
    try:
        return request.user
    except Exception:  # noqa: BLE001 - the error page is what matters now
        request.__dict__["user"] = None
        return None


def sign_in(request, user):
    """Start a new session for ``user``: the old session (and any id an attacker planted in it) is
    dropped, and a new one carries the user id and their session version. Returns the headers to send."""
    request.session.invalidate()
    # A fresh random id: the new cookie shares nothing with the old one (its CSRF token is new as well).
    request.session[SESSION_ID] = secrets.token_urlsafe(16)
    request.session[SESSION_VERSION] = user.session_version
    return remember_headers(request, user.id)


def sign_out(request):
    headers = forget_headers(request)
    request.session.invalidate()
    return headers


class SecurityPolicy:
    def __init__(self):
        self.helper = _session_helper
        self.acl = ACLHelper()

    def identity(self, request):
        return request.user

    def authenticated_userid(self, request):
        user = request.user
        return None if user is None else user.id

    def principals(self, request):
        found = [Everyone]
        user = request.user
        if user is not None:
            found += [Authenticated, principal(user.id)]
            if user.is_moderator:
                found.append(MODERATOR)
        return found

    def permits(self, request, context, permission):
        return self.acl.permits(context, self.principals(request), permission)

    def remember(self, request, userid, **kw):
        return self.helper.remember(request, userid, **kw)

    def forget(self, request, **kw):
        return self.helper.forget(request, **kw)
