"""Abuse limits shared by every app process, kept in PostgreSQL.

``limit(request, name, key, most=, per_seconds=)`` counts one hit of ``key`` under the limit ``name`` and
raises ``RateLimited`` when, counting it, more than ``most`` hits fell within the last ``per_seconds``;
``clear`` forgets a key's hits (a successful sign-in clears its failures). Where only failures count,
the two halves come apart: ``check`` refuses a key whose count is already full, counting nothing, before
the attempt; ``record`` counts a failed attempt afterwards (never refusing: the attempt has happened).
Views let ``RateLimited`` propagate: ``amazen.views.limits`` answers it 429 with ``Retry-After``.

How a hit is counted, and why:

- On its own connection from the app's engine, in its own short transaction, committed before ``limit``
  returns or raises: a failed sign-in answers 4xx, which aborts the request's transaction, and its hit
  must count all the same. A request that checks a limit therefore uses two pooled connections at once.
- By the database's clock, the same for every process.
- Exactly, across processes: a transaction-scoped advisory lock per (name, key) makes concurrent hits of
  one key take turns, so a burst cannot slip more than ``most`` hits past the count.
- Never waiting long: ``lock_timeout`` and ``statement_timeout`` bound the transaction, and when either
  runs out the error is the database's (``OperationalError``), which the error views answer 503.
- In work that does not grow with the table: a key's hits in the window are one range of the primary key
  (name, key, at) and at most ``most`` of them are read; a refused hit is not stored, so the client may
  try again after ``Retry-After``. Every hit also deletes a few rows older than ``MAX_WINDOW`` (of any
  key), so keys that are never seen again do not stay.
- Keys are stored as their SHA-256: a key may be anything a client typed (an over-long "email", or a
  password typed into the email field), and none of it is kept in clear.

The numbers: the defaults below, or ``amazen.limits.<rule> = MOST/SECONDS`` in the ini file's app
section (``configured`` reads them; a malformed one stops the app at start).
"""

import hashlib
import math
from datetime import timedelta

import sqlalchemy as sa

from amazen.config import ConfigurationError

# (most, per_seconds) for each rule; the setting amazen.limits.<rule> replaces the default.
SIGNIN_FAILURES = (10, 15 * 60)  # failed sign-ins, per email and per client address
SIGNUPS = (10, 60 * 60)  # sign-ups per client address
REVIEW_WRITES = (20, 60 * 60)  # review writes (new or edited) per account
RULES = {"signin_failures": SIGNIN_FAILURES, "signups": SIGNUPS, "review_writes": REVIEW_WRITES}
SETTING_PREFIX = "amazen.limits."

# The longest window a limit may have: hits older than this are swept, whatever their key.
MAX_WINDOW = 24 * 60 * 60
# Rows older than MAX_WINDOW each hit deletes: more than the one it adds, so the sweep keeps up.
SWEEP_BATCH = 20
# How long a hit may wait for another hit of the same key, and run in all (milliseconds). A hit's
# transaction takes milliseconds, so running out means the database is in trouble: the request answers 503.
LOCK_TIMEOUT_MS = 2000
STATEMENT_TIMEOUT_MS = 5000
# The first key of the two-key advisory locks that serialise the hits of one (name, key); two-key locks
# never collide with single-key ones such as the migrations' lock.
LOCK_CLASS = 0x4C494D  # "LIM"


class RateLimited(Exception):
    """Too many hits: try again in ``retry_after`` whole seconds (at least 1)."""

    def __init__(self, retry_after):
        self.retry_after = max(1, int(retry_after))
        super().__init__(f"rate limited: retry after {self.retry_after} s")


def client_address(request):
    """The client's address as waitress gives it in REMOTE_ADDR.

    Behind nginx that is the forwarded address: waitress believes X-Forwarded-For only from its
    ``trusted_proxy`` and puts the last hop nginx added into REMOTE_ADDR, so a client cannot choose it.
    Not ``request.client_addr``: that reads the first X-Forwarded-For entry, which the client writes.
    """
    return request.remote_addr or "unknown"


def limit(request, name, key, *, most, per_seconds):
    """Count one hit of ``key`` under ``name``; raise RateLimited when, counting it, more than ``most``
    hits fell within the last ``per_seconds``."""
    hit(request.registry["db_engine"], name, key, most=most, per_seconds=per_seconds)


def check(request, name, key, *, most, per_seconds):
    """Raise RateLimited when ``key`` already has ``most`` hits under ``name`` within the last
    ``per_seconds``; count nothing either way."""
    peek(request.registry["db_engine"], name, key, most=most, per_seconds=per_seconds)


def record(request, name, key, *, most, per_seconds):
    """Count one hit of ``key`` under ``name`` without refusing: a failure that has happened. When the
    window holds ``most`` hits already (another request filled it since ``check``), the count is full
    and the hit is not stored."""
    hit(request.registry["db_engine"], name, key, most=most, per_seconds=per_seconds, refuse=False)


def clear(request, name, key):
    """Forget the hits of ``key`` under ``name``."""
    forget(request.registry["db_engine"], name, key)


def configured(request, rule):
    """(most, per_seconds) for a rule of RULES: from the settings, or the default."""
    return rule_from_settings(request.registry.settings, rule)


def rule_from_settings(settings, rule):
    value = settings.get(SETTING_PREFIX + rule)
    if value is None or not str(value).strip():
        return RULES[rule]
    most, slash, seconds = str(value).partition("/")
    try:
        if not slash:
            raise ValueError
        most, seconds = int(most), int(seconds)
    except ValueError:
        raise ConfigurationError(f"{SETTING_PREFIX}{rule} = {value!r}: expected MOST/SECONDS, e.g. 10/900") from None
    check_numbers(most, seconds, what=f"{SETTING_PREFIX}{rule}", error=ConfigurationError)
    return most, seconds


def check_settings(settings):
    """Raise ConfigurationError for a malformed amazen.limits.* setting (at start, not at the first hit)."""
    for name in settings:
        if name.startswith(SETTING_PREFIX) and name[len(SETTING_PREFIX) :] not in RULES:
            raise ConfigurationError(f"{name}: no such limit (known: {', '.join(SETTING_PREFIX + r for r in RULES)})")
    for rule in RULES:
        rule_from_settings(settings, rule)


def check_numbers(most, per_seconds, what="limit", error=ValueError):
    if isinstance(most, bool) or not isinstance(most, int) or most < 1:
        raise error(f"{what}: most must be a whole number of hits, at least 1 (got {most!r})")
    if isinstance(per_seconds, bool) or not isinstance(per_seconds, int) or not 1 <= per_seconds <= MAX_WINDOW:
        raise error(f"{what}: per_seconds must be whole seconds from 1 to {MAX_WINDOW} (got {per_seconds!r})")


def stored_key(key):
    """What the table holds for ``key``: its SHA-256, 64 hex digits whatever the key's length or text."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


TIMEOUTS = sa.text("SELECT set_config('lock_timeout', :lock, true), set_config('statement_timeout', :statement, true)")
LOCK = sa.text("SELECT pg_advisory_xact_lock(:class, hashtext(:name || '/' || :key))")
SWEEP = sa.text(
    "DELETE FROM rate_limit_hits WHERE ctid = ANY (ARRAY("
    " SELECT ctid FROM rate_limit_hits WHERE at < statement_timestamp() - make_interval(secs => :max_window)"
    " ORDER BY at LIMIT :batch FOR UPDATE SKIP LOCKED))"
)
# The database's time and the key's newest hits within the window, newest first: at most ``most``.
RECENT = sa.text(
    "SELECT statement_timestamp(), ARRAY("
    " SELECT at FROM rate_limit_hits"
    " WHERE name = :name AND key = :key AND at > statement_timestamp() - make_interval(secs => :per_seconds)"
    " ORDER BY at DESC LIMIT :most)"
)
# Two hits of a key in the same microsecond (the clock stepped back) are one row: the primary key.
RECORD = sa.text("INSERT INTO rate_limit_hits (name, key, at) VALUES (:name, :key, :at) ON CONFLICT DO NOTHING")
FORGET = sa.text("DELETE FROM rate_limit_hits WHERE name = :name AND key = :key")


def hit(engine, name, key, *, most, per_seconds, refuse=True):
    """``limit`` on an engine: the hit is committed before this returns or raises RateLimited. With
    ``refuse=False`` (``record``), a hit past ``most`` is neither stored nor refused; returns whether the
    hit was stored."""
    check_numbers(most, per_seconds)
    key = stored_key(key)
    with engine.connect() as conn, conn.begin():
        bounded(conn)
        conn.execute(LOCK, {"class": LOCK_CLASS, "name": name, "key": key})
        conn.execute(SWEEP, {"max_window": MAX_WINDOW, "batch": SWEEP_BATCH})
        now, recent = conn.execute(RECENT, {"name": name, "key": key, "per_seconds": per_seconds, "most": most}).one()
        if len(recent) < most:
            conn.execute(RECORD, {"name": name, "key": key, "at": now})
            return True
    if refuse:
        raise RateLimited(retry_after(now, recent, most, per_seconds))
    return False


def peek(engine, name, key, *, most, per_seconds):
    """``check`` on an engine: the same bounded read as a hit (at most ``most`` rows of one key range),
    without the lock (it writes nothing, so it need not wait its turn) and without storing anything."""
    check_numbers(most, per_seconds)
    key = stored_key(key)
    with engine.connect() as conn, conn.begin():
        bounded(conn)
        now, recent = conn.execute(RECENT, {"name": name, "key": key, "per_seconds": per_seconds, "most": most}).one()
    if len(recent) >= most:
        raise RateLimited(retry_after(now, recent, most, per_seconds))


def retry_after(now, recent, most, per_seconds):
    """Seconds until a key whose newest hits are ``recent`` (newest first, ``most`` of them) has room for
    one more: when the oldest of them leaves the window."""
    leaves = recent[most - 1] + timedelta(seconds=per_seconds)
    return math.ceil((leaves - now).total_seconds())


def forget(engine, name, key):
    """``clear`` on an engine."""
    with engine.connect() as conn, conn.begin():
        bounded(conn)
        conn.execute(FORGET, {"name": name, "key": stored_key(key)})


def bounded(conn):
    """Limit this transaction's waits for locks and its statements' run time."""
    conn.execute(TIMEOUTS, {"lock": f"{LOCK_TIMEOUT_MS}ms", "statement": f"{STATEMENT_TIMEOUT_MS}ms"})
