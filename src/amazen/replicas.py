"""Read replicas: PostgreSQL streaming standbys that answer the requests that only read.

With replica URLs configured (AMAZEN_DATABASE_REPLICA_URLS, amazen.config), the request's session
factory (amazen.models) decides once per request: a GET or HEAD reads through ``ReplicaSet.connect``,
anything else uses the primary, and so do the writes hidden in reads (the session row the security
policy marks seen goes through ``request.primary_dbsession``; rate-limit hits use the primary engine).

- In turn: each read asks the next replica. One that cannot be reached, or loses its connection during
  a request (pyramid_retry then runs the request again), is left out for ``retry_seconds`` and asked
  again after that; with no replica usable the primary answers. A replica's failure is never an error
  to the shopper.
- Lag: a replica is asked its state on the connection the request then uses (one short query; for reads
  without a WAL position, at most once a second). One that has more than ``max_lag_bytes`` of received
  WAL not yet replayed, or whose last replayed commit is more than ``max_lag_seconds`` old while WAL
  waits or while it does not follow the primary (no WAL receiver), is not used.
- Read your writes: a request that committed on the primary sets the ``amazen_lsn`` cookie to the
  primary's WAL position after the commit. A read that carries it uses a replica only once that replica
  has replayed that far, waiting up to ``wait_ms`` for it, else the primary. Readers without the cookie
  read any usable replica.
- ``status()`` (``/healthz``) reports each replica; every state query also sets the replica gauges in
  amazen.metrics.
"""

import itertools
import logging
import re
import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa
from pyramid_retry import mark_error_retryable

from amazen.config import ConfigurationError

log = logging.getLogger(__name__)

LSN_COOKIE = "amazen_lsn"
LSN = re.compile(r"[0-9A-F]{1,8}/[0-9A-F]{1,8}")
SAFE_METHODS = frozenset(("GET", "HEAD"))
# Settings (amazen.replica_<name>) and their defaults.
DEFAULTS = {
    "wait_ms": 200,  # how long a read that carries a WAL position waits for a replica to replay it
    "max_lag_bytes": 16 * 1024 * 1024,  # received WAL not yet replayed
    "max_lag_seconds": 30,  # age of the last replayed commit while WAL waits to be replayed
    "retry_seconds": 5,  # how long a replica that failed is left out
}
# Between two looks at a replica's replay position while a read waits for it.
POLL_SECONDS = 0.01
# How long a replica's lag, once found within the settings, stands for reads that carry no position: its
# state is asked at most this often for them, not on every request.
STATE_SECONDS = 1.0

# A standby's state. Its lag in seconds is the age of its last replayed commit, unless it follows the
# primary (its WAL receiver runs) and has replayed all it received; a primary named as a replica reports
# its own position and no lag.
STATE = sa.text(
    """
    SELECT position::text AS position,
           following,
           coalesce(pg_wal_lsn_diff(received, position), 0)::bigint AS lag_bytes,
           CASE WHEN NOT standby OR (following AND received <= position) THEN 0
                ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END::float8 AS lag_seconds,
           CAST(:wanted AS pg_lsn) IS NULL OR position >= CAST(:wanted AS pg_lsn) AS caught_up
      FROM (SELECT pg_is_in_recovery() AS standby,
                   CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END AS position,
                   pg_last_wal_receive_lsn() AS received,
                   EXISTS (SELECT FROM pg_stat_wal_receiver) AS following) AS wal
    """
)
CURRENT_POSITION = sa.text("SELECT pg_current_wal_lsn()::text")


@dataclass
class Replica:
    number: int  # its place in the configured list, from 1: its name in /healthz and the metrics
    engine: sa.engine.Engine
    left_out_until: float = 0.0
    lag_checked_until: float = 0.0  # until then its lag is known to be within the settings

    def available(self, now):
        return now >= self.left_out_until


def settings_of(settings):
    """{name: number} from the amazen.replica_* settings or DEFAULTS; ConfigurationError names a malformed one."""
    values = {}
    for name, default in DEFAULTS.items():
        setting = f"amazen.replica_{name}"
        value = str(settings.get(setting) or default).strip()
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if not number >= 0 or number == float("inf"):
            raise ConfigurationError(f"{setting} = {value!r}: expected a number, at least 0")
        values[name] = number
    return values


class ReplicaSet:
    def __init__(self, engines, primary, settings):
        self.replicas = [Replica(number, engine) for number, engine in enumerate(engines, 1)]
        self.primary = primary
        self.settings = settings_of(settings)
        self._turn = itertools.count()
        self._lock = threading.Lock()

    def in_turn(self):
        """The replicas not left out, starting with the next one's turn."""
        with self._lock:
            start = next(self._turn) % len(self.replicas)
        now = time.monotonic()
        return [r for r in self.replicas[start:] + self.replicas[:start] if r.available(now)]

    def connect(self, wanted=None):
        """A connection to the next usable replica (replayed up to ``wanted``, a WAL position, when it is
        given), or None when no replica will do and the primary must answer."""
        deadline = time.monotonic() + self.settings["wait_ms"] / 1000
        for replica in self.in_turn():
            try:
                connection = replica.engine.connect()
            except sa.exc.DBAPIError as err:
                self.leave_out(replica, err)
                continue
            try:
                if self.usable(replica, connection, wanted, deadline):
                    return connection
            except sa.exc.SQLAlchemyError as err:  # the state query failed, or ending its transaction did
                self.leave_out(replica, err)
            connection.close()
        return None

    def usable(self, replica, connection, wanted, deadline):
        """Whether ``replica`` may answer: lag within the settings, and ``wanted`` replayed (waiting until
        ``deadline`` for it). Ends the state query's transaction, so the request's session begins its own."""
        if wanted is None and time.monotonic() < replica.lag_checked_until:
            return True
        try:
            while True:
                state = self.state(replica, connection, wanted)
                if self.too_far_behind(state):
                    replica.lag_checked_until = 0.0
                    return False
                replica.lag_checked_until = time.monotonic() + STATE_SECONDS
                if state.caught_up:
                    return True
                if time.monotonic() >= deadline:
                    return False
                time.sleep(POLL_SECONDS)
        finally:
            connection.rollback()

    def state(self, replica, connection, wanted=None):
        state = connection.execute(STATE, {"wanted": wanted}).one()
        record(replica, up=True, lag_bytes=state.lag_bytes, lag_seconds=state.lag_seconds)
        return state

    def too_far_behind(self, state):
        return state.lag_bytes > self.settings["max_lag_bytes"] or state.lag_seconds > self.settings["max_lag_seconds"]

    def leave_out(self, replica, err):
        """Leave ``replica`` out of the turns for a while after ``err``."""
        if replica.available(time.monotonic()):
            log.warning("replica %s left out for %g s: %s", replica.number, self.settings["retry_seconds"], first_line(err))
        replica.left_out_until = time.monotonic() + self.settings["retry_seconds"]
        record(replica, up=False)

    def lost_connection_handler(self, engine):
        """A handle_error listener for ``engine``'s replica: when its connection is lost during a request,
        the replica is left out and the error marked retryable, so pyramid_retry runs the request again
        on the next replica or the primary."""
        replica = next(r for r in self.replicas if r.engine is engine)

        def lost_connection(context):
            if context.is_disconnect and not context.is_pre_ping and context.sqlalchemy_exception is not None:
                self.leave_out(replica, context.sqlalchemy_exception)
                mark_error_retryable(context.sqlalchemy_exception)

        return lost_connection

    def status(self):
        """Each replica: reachable, and its replay lag in bytes and seconds (for /healthz)."""
        found = []
        for replica in self.replicas:
            try:
                with replica.engine.connect() as connection:
                    state = self.state(replica, connection)
            except sa.exc.DBAPIError as err:
                self.leave_out(replica, err)
                found.append(
                    {
                        "replica": replica.number,
                        "reachable": False,
                        "following": None,
                        "lag_bytes": None,
                        "lag_seconds": None,
                        "used": False,
                    }
                )
                continue
            found.append(
                {
                    "replica": replica.number,
                    "reachable": True,
                    "following": state.following,
                    "lag_bytes": state.lag_bytes,
                    "lag_seconds": round(state.lag_seconds, 3),
                    "used": not self.too_far_behind(state),
                }
            )
        return found

    def primary_position(self):
        """The primary's WAL position now (after a commit: at or past that commit), or None if it cannot say."""
        try:
            with self.primary.connect() as connection:
                return connection.execute(CURRENT_POSITION).scalar()
        except sa.exc.DBAPIError as err:
            log.warning("no WAL position for the read-your-writes cookie: %s", first_line(err))
            return None

    def cookie_seconds(self):
        # Once this long has passed, every replica within max_lag_seconds has replayed the write.
        return int(self.settings["max_lag_seconds"]) + 60


def wanted_position(request):
    """The WAL position in the request's cookie, or None (no cookie, or not a position)."""
    value = request.cookies.get(LSN_COOKIE, "").upper()
    return value if LSN.fullmatch(value) else None


def remember_commit(request, replicas):
    """After ``request`` commits, set its read-your-writes cookie to the primary's WAL position."""

    def after_commit(committed):
        position = replicas.primary_position() if committed else None
        if position:
            request.add_response_callback(lambda request, response: set_cookie(request, response, position, replicas))

    request.tm.get().addAfterCommitHook(after_commit)


def set_cookie(request, response, position, replicas):
    response.set_cookie(
        LSN_COOKIE,
        position,
        max_age=replicas.cookie_seconds(),
        path="/",
        httponly=True,
        samesite="Lax",
        secure=request.scheme == "https",
    )


def record(replica, up, lag_bytes=None, lag_seconds=None):
    from amazen.metrics import metrics

    gauges = metrics()
    name = str(replica.number)
    gauges["replica_up"].labels(name).set(1 if up else 0)
    if lag_bytes is not None:
        gauges["replica_lag_bytes"].labels(name).set(lag_bytes)
        gauges["replica_lag_seconds"].labels(name).set(lag_seconds)


def first_line(err):
    lines = str(getattr(err, "orig", None) or err).strip().splitlines()
    return lines[0] if lines else err.__class__.__name__
