"""Passwords: the rules a new one must meet, and argon2id hashing.

argon2-cffi is the reference Argon2 binding, well kept and audited; its PasswordHasher writes argon2id
with RFC 9106's parameters in the PHC string format, so a hash carries its own parameters and a change of
them is noticed on the next sign-in (``needs_rehash``). The list of common passwords is zxcvbn's: the
30,000 most common passwords from real leaks, shipped inside the package, so checking costs no network
and no data file of ours.
"""

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
MAX_LENGTH = 1000  # argon2 takes any length; this bounds the work one sign-in can ask for

hasher = PasswordHasher()
# Verified against when the address has no account, so that an unknown address costs the same time as a
# wrong password and answers cannot tell which addresses have accounts.
_DUMMY_HASH = hasher.hash("not anyone's password: only for timing")


@functools.cache
def common_passwords():
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password, *, email="", display_name=""):
    """Why ``password`` may not be used (one sentence), or None when it may."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH:,} characters."
    folded = password.lower()
    if folded in common_passwords() or folded.strip() in common_passwords():
        return "That password is one of the most common ones; choose another."
    if len(set(password)) < 3:
        return "That password repeats too few characters; choose another."
    for own in (email.lower(), email.lower().partition("@")[0], display_name.lower()):
        if own and len(own) >= 4 and folded == own:
            return "Do not use your email address or name as your password."
    return None


def hash_password(password):
    return hasher.hash(password)


def verify_password(password_hash, password):
    """Whether ``password`` matches; False for a wrong one or an unreadable hash. ``password_hash`` None
    (no such account) takes as long as a real check."""
    try:
        return hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return hasher.check_needs_rehash(password_hash)
