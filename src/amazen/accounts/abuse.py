"""Where the abuse limits apply: every call into amazen.limits is here.

amazen.limits keeps the hits in PostgreSQL (shared by every app process), takes the numbers from its
rules (``amazen.limits.<rule>`` settings, or its defaults: 10 sign-in failures per email and per address
in 15 minutes, 10 sign-ups per address an hour, 20 review writes per account an hour) and raises
RateLimited, which its exception view answers 429 with Retry-After.
"""

from amazen import limits


def _normal_email(email):
    return (email or "").strip().lower()


def signin_allowed(request, email):
    """Before checking a password: refuses (429) when the client address or the email already has the
    most failed sign-ins the window allows, counting nothing. The check comes first, so once refused a
    right password is refused too: answers cannot tell a right guess from a wrong one."""
    most, per_seconds = limits.configured(request, "signin_failures")
    waits = []
    for name, key in _signin_keys(request, email):
        try:
            limits.check(request, name, key, most=most, per_seconds=per_seconds)
        except limits.RateLimited as refused:
            waits.append(refused.retry_after)
    if waits:
        raise limits.RateLimited(max(waits))


def signin_failed(request, email):
    """After a wrong password (or an address with no account): one failure for the client address and
    one for the email."""
    most, per_seconds = limits.configured(request, "signin_failures")
    for name, key in _signin_keys(request, email):
        limits.record(request, name, key, most=most, per_seconds=per_seconds)


def signin_succeeded(request, email):
    """After a right password: the email's failures are forgotten. The address's are not: an attacker
    could otherwise reset them by signing in to an account of their own between guesses at others'
    passwords. Successes are never counted, so many shoppers behind one address may sign in."""
    limits.clear(request, "signin-email", _normal_email(email))


def _signin_keys(request, email):
    return [("signin-address", limits.client_address(request)), ("signin-email", _normal_email(email))]


def signup_attempt(request):
    """A sign-up form sent (each one also tells whether an address has an account)."""
    most, per_seconds = limits.configured(request, "signups")
    limits.limit(request, "signup-address", limits.client_address(request), most=most, per_seconds=per_seconds)


def review_write(request, user):
    """A review written, edited or deleted (each rebuilds a product's index)."""
    most, per_seconds = limits.configured(request, "review_writes")
    limits.limit(request, "review-write", str(user.id), most=most, per_seconds=per_seconds)
