"""Where the abuse limits apply: every call into amazen.limits is here.

amazen.limits keeps the hits in PostgreSQL (shared by every app process), takes the numbers from its
rules (``amazen.limits.<rule>`` settings, or its defaults: 10 sign-in failures per email and per address
in 15 minutes, 10 sign-ups per address an hour, 20 review writes per account an hour) and raises
RateLimited, which its exception view answers 429 with Retry-After.
"""

from amazen import limits


def _normal_email(email):
    return (email or "").strip().lower()


def signin_attempt(request, email):
    """Before checking a password: counts the attempt against the client address and the email, and
    refuses past the limit for either. Counting before the check, not after a failure, means that once
    refused, a right password is refused too: answers cannot tell a right guess from a wrong one."""
    most, per_seconds = limits.configured(request, "signin_failures")
    limits.limit(request, "signin-address", limits.client_address(request), most=most, per_seconds=per_seconds)
    limits.limit(request, "signin-email", _normal_email(email), most=most, per_seconds=per_seconds)


def signin_succeeded(request, email):
    """After a right password: the email's attempts are forgotten, so that count holds failures only. The
    address's are not: an attacker could otherwise reset them by signing in to an account of their own
    between guesses at others' passwords."""
    limits.clear(request, "signin-email", _normal_email(email))


def signup_attempt(request):
    """A sign-up form sent (each one also tells whether an address has an account)."""
    most, per_seconds = limits.configured(request, "signups")
    limits.limit(request, "signup-address", limits.client_address(request), most=most, per_seconds=per_seconds)


def review_write(request, user):
    """A review written, edited or deleted (each rebuilds a product's index)."""
    most, per_seconds = limits.configured(request, "review_writes")
    limits.limit(request, "review-write", str(user.id), most=most, per_seconds=per_seconds)
