"""Who is asking, and what they may do: the session cookie, the security policy, CSRF.

- The session is Pyramid's signed cookie (HttpOnly, SameSite=Lax, Secure on HTTPS requests), signed
  with the secret from amazen.config.resolve_session_secret.
- Signing in makes a server-side session: a random token in the cookie session (kept there by
  SessionAuthenticationHelper), a row of user_sessions keyed by the token's SHA-256 in the database.
  ``request.user`` is the account that row belongs to (a CurrentUser), or None. Deleting the row ends the
  session wherever the cookie is: signing out deletes it, changing the password deletes all the
  account's, deleting the account deletes them with it. A copy of the cookie opens nothing after that.
- Permissions are names granted by the traversal context's ``__acl__`` (amazen.resources) to these
  principals: everyone, every signed-in account (Authenticated), ``user:<id>``, and ``role:moderator``.
"""

from pyramid.authentication import SessionAuthenticationHelper
from pyramid.authorization import ACLHelper, Authenticated, Everyone
from pyramid.security import forget as forget_headers
from pyramid.security import remember as remember_headers
from pyramid.session import SignedCookieSessionFactory

from .services import AccountService, CurrentUser

SESSION_COOKIE = "amazen_session"
# A session lasts this long without a request, and its cookie is sent again (and its row marked seen) at
# most this often (reissuing refreshes the timeout).
SESSION_TIMEOUT = 14 * 24 * 3600
SESSION_REISSUE = 24 * 3600
MODERATOR = "role:moderator"

# Keeps the session token (not a user id) in the cookie session.
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
    """``request.user``: the account the session's token opens, or None. Always from the primary: a
    session that has ended opens nothing at once, and marking it seen is a write."""
    token = _session_helper.authenticated_userid(request)
    if token is None:
        return None
    user = AccountService(request.primary_dbsession).user_for_session(token, timeout=SESSION_TIMEOUT, touch_after=SESSION_REISSUE)
    return None if user is None else CurrentUser.of(user)


def header_user(request):
    """``request.user`` for pages that must render whatever happened (error pages): None when it cannot
    be known because the database is away or the request's transaction has failed."""
    try:
        return request.user
    except Exception:  # noqa: BLE001 - the error page is what matters now
        request.__dict__["user"] = None
        return None


def sign_in(request, user):
    """Start a new session for ``user``: the old cookie session (and anything an attacker planted in it,
    its CSRF token too) is dropped, and the new one carries only a new session's token. Returns the
    headers to send."""
    request.session.invalidate()
    return remember_headers(request, user.id)


def sign_out(request):
    """End the session: its row is deleted (a copy of the cookie opens nothing) and the cookie emptied."""
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
        """Sign ``userid`` in: a new server-side session, whose token the cookie session keeps."""
        token = AccountService(request.dbsession).start_session(userid, timeout=SESSION_TIMEOUT)
        return self.helper.remember(request, token, **kw)

    def forget(self, request, **kw):
        """End this request's session, in the database and in the cookie session."""
        token = self.helper.authenticated_userid(request)
        if token is not None:
            AccountService(request.dbsession).end_session(token)
        return self.helper.forget(request, **kw)
