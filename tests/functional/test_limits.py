"""The abuse limits: counted in PostgreSQL, by its clock, shared by every process, kept when a request aborts.

A hit is committed on its own connection, outside the test's rolled-back transaction, so each test counts
under limit names of its own and deletes their rows afterwards. Time is the database's: instead of
waiting, tests insert hits of a given age or age the stored ones.
"""

import configparser
import threading
import time
import uuid

import pytest
import sqlalchemy as sa
import webtest
from pyramid.request import Request
from pyramid.response import Response
from waitress.adjustments import Adjustments
from waitress.proxy_headers import proxy_headers_middleware
from zope.sqlalchemy import mark_changed

from amazen import main
from amazen.config import ConfigurationError
from amazen.limits import (
    LOCK,
    LOCK_CLASS,
    LOCK_TIMEOUT_MS,
    MAX_WINDOW,
    REVIEW_WRITES,
    SIGNIN_FAILURES,
    SIGNUPS,
    SWEEP_BATCH,
    RateLimited,
    check,
    clear,
    client_address,
    configured,
    forget,
    hit,
    limit,
    peek,
    record,
    rule_from_settings,
    stored_key,
)
from amazen.views.limits import waiting_time
from tests.conftest import REPO

MOST, PER = SIGNIN_FAILURES  # 10 per 15 minutes


@pytest.fixture
def name(dbengine):
    """A limit name of this test's own (and names beginning with it); their hits are deleted afterwards."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    yield name
    with dbengine.begin() as conn:
        conn.execute(sa.text("DELETE FROM rate_limit_hits WHERE name LIKE :prefix"), {"prefix": name + "%"})


@pytest.fixture
def engines(database_url):
    """Two engines with pools of their own: two app processes."""
    pair = [sa.create_engine(database_url), sa.create_engine(database_url)]
    yield pair
    for engine in pair:
        engine.dispose()


def insert_hits(engine, name, key, ages):
    """Hits of ``key`` ``ages`` seconds old by the database's clock."""
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO rate_limit_hits (name, key, at) "
                "SELECT :name, :key, clock_timestamp() - make_interval(secs => age) FROM unnest(CAST(:ages AS float8[])) age"
            ),
            {"name": name, "key": stored_key(key), "ages": list(ages)},
        )


def stored(engine, name, key=None):
    """How many hits the table holds for ``name`` (and ``key``)."""
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT count(*) FROM rate_limit_hits WHERE name = :name AND (CAST(:key AS text) IS NULL OR key = :key)"),
            {"name": name, "key": None if key is None else stored_key(key)},
        ).scalar()


def hits(engine, name, key, times, most=MOST, per_seconds=PER):
    for _ in range(times):
        hit(engine, name, key, most=most, per_seconds=per_seconds)


def refusal(engine, name, key, most=MOST, per_seconds=PER):
    with pytest.raises(RateLimited) as refused:
        hit(engine, name, key, most=most, per_seconds=per_seconds)
    return refused.value.retry_after


def test_the_hit_past_most_is_refused_until_the_first_hit_leaves_the_window(dbengine, name):
    hits(dbengine, name, "shopper@example.com", MOST)
    retry_after = refusal(dbengine, name, "shopper@example.com")
    # Ten hits just now: the first leaves the 15-minute window in a little under 15 minutes.
    assert PER - 30 < retry_after <= PER
    assert stored(dbengine, name) == MOST  # the refused hit is not stored


def test_retry_after_counts_from_the_oldest_hit_in_the_window(dbengine, name):
    insert_hits(dbengine, name, "k", [600 - i for i in range(MOST)])  # 600 s to 591 s old
    assert refusal(dbengine, name, "k") in (299, 300)  # the 600 s old hit leaves in 300 s
    insert_hits(dbengine, name, "j", [PER - 0.5 - i for i in range(MOST)])  # the oldest leaves in half a second
    assert refusal(dbengine, name, "j") == 1  # whole seconds, at least one


def test_hits_outside_the_window_do_not_count(dbengine, name):
    insert_hits(dbengine, name, "k", [PER + 1 + i for i in range(3 * MOST)])
    hits(dbengine, name, "k", MOST)
    refusal(dbengine, name, "k")
    # Age the ten counted hits past the window: ten more are allowed, and then no more.
    with dbengine.begin() as conn:
        conn.execute(
            sa.text("UPDATE rate_limit_hits SET at = at - make_interval(secs => :per) WHERE name = :name"),
            {"per": PER, "name": name},
        )
    hits(dbengine, name, "k", MOST)
    refusal(dbengine, name, "k")


def test_keys_and_names_are_counted_apart(dbengine, name):
    hits(dbengine, name, "a", MOST)
    refusal(dbengine, name, "a")
    hits(dbengine, name, "b", MOST)  # another key of the same limit
    hits(dbengine, name + "-other", "a", MOST)  # the same key under another limit
    refusal(dbengine, name, "b")
    refusal(dbengine, name + "-other", "a")


def test_clear_forgets_the_hits_of_one_key(dbengine, name):
    hits(dbengine, name, "a", MOST)
    hits(dbengine, name, "b", MOST)
    forget(dbengine, name, "a")
    hits(dbengine, name, "a", MOST)
    refusal(dbengine, name, "a")
    refusal(dbengine, name, "b")  # untouched


def test_peek_refuses_a_full_key_and_stores_nothing(dbengine, name):
    hits(dbengine, name, "k", MOST - 1)
    for _ in range(3):
        peek(dbengine, name, "k", most=MOST, per_seconds=PER)  # room for one more: allowed, not counted
    assert stored(dbengine, name, "k") == MOST - 1
    hits(dbengine, name, "k", 1)
    with pytest.raises(RateLimited) as refused:
        peek(dbengine, name, "k", most=MOST, per_seconds=PER)
    assert PER - 30 < refused.value.retry_after <= PER
    assert stored(dbengine, name, "k") == MOST
    peek(dbengine, name, "other", most=MOST, per_seconds=PER)


def test_peek_counts_only_the_window(dbengine, name):
    insert_hits(dbengine, name, "k", [PER + 1 + i for i in range(MOST)])
    peek(dbengine, name, "k", most=MOST, per_seconds=PER)
    insert_hits(dbengine, name, "k", [600 - i for i in range(MOST)])
    with pytest.raises(RateLimited) as refused:
        peek(dbengine, name, "k", most=MOST, per_seconds=PER)
    assert refused.value.retry_after in (299, 300)


def test_a_hit_that_does_not_refuse_is_stored_until_the_count_is_full(dbengine, name):
    stored_hits = [hit(dbengine, name, "k", most=MOST, per_seconds=PER, refuse=False) for _ in range(MOST + 3)]
    assert stored_hits == [True] * MOST + [False] * 3
    assert stored(dbengine, name, "k") == MOST  # a window never holds more than most


def test_check_and_record_in_a_request(probe_app, dbengine, name):
    request = Request.blank("/")
    request.registry = probe_app.app.registry
    for _ in range(2):
        check(request, name, "k", most=2, per_seconds=PER)
        record(request, name, "k", most=2, per_seconds=PER)
    assert stored(dbengine, name, "k") == 2
    with pytest.raises(RateLimited):
        check(request, name, "k", most=2, per_seconds=PER)
    record(request, name, "k", most=2, per_seconds=PER)  # never refuses
    assert stored(dbengine, name, "k") == 2


def test_two_processes_share_the_count(engines, name):
    first, second = engines
    hits(first, name, "k", MOST // 2)
    hits(second, name, "k", MOST - MOST // 2)
    refusal(first, name, "k")
    refusal(second, name, "k")


def wait_for_advisory_waits(engine, count, threads):
    """Return once ``count`` sessions wait for an advisory lock; fail if the threads end first."""
    deadline = time.monotonic() + 60
    with engine.connect() as conn:
        while True:
            waiting = conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
                )
            ).scalar()
            conn.rollback()  # pg_stat_activity is read once per transaction
            if waiting >= count:
                return
            assert all(t.is_alive() for t in threads), f"a hit did not wait for the key's lock ({waiting} waiting)"
            assert time.monotonic() < deadline, f"only {waiting} of {count} hits waited"
            time.sleep(0.01)


def test_simultaneous_hits_from_two_processes_take_turns_and_let_exactly_most_through(dbengine, engines, name):
    most, key = 4, "burst"
    results = []

    def one_hit(engine):
        try:
            hit(engine, name, key, most=most, per_seconds=PER)
            results.append("counted")
        except RateLimited:
            results.append("refused")

    threads = [threading.Thread(target=one_hit, args=(engines[i % 2],), daemon=True) for i in range(6)]
    with dbengine.connect() as holder:
        # Hold the key's lock until all six hits wait for it, so that all six check the count at once.
        holder.execute(LOCK, {"class": LOCK_CLASS, "name": name, "key": stored_key(key)})
        for thread in threads:
            thread.start()
        wait_for_advisory_waits(dbengine, len(threads), threads)
        holder.rollback()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == ["counted"] * most + ["refused"] * 2
    assert stored(dbengine, name, key) == most


def test_a_hit_waits_for_a_lock_no_longer_than_the_lock_timeout(dbengine, name):
    outcome = {}

    def one_hit():
        started = time.monotonic()
        try:
            hit(dbengine, name, "k", most=MOST, per_seconds=PER)
            outcome["error"] = None
        except sa.exc.OperationalError as error:
            outcome["error"] = error
        outcome["seconds"] = time.monotonic() - started

    with dbengine.connect() as holder:
        holder.execute(LOCK, {"class": LOCK_CLASS, "name": name, "key": stored_key("k")})
        thread = threading.Thread(target=one_hit, daemon=True)
        thread.start()
        thread.join(LOCK_TIMEOUT_MS / 1000 + 20)
        holder.rollback()  # lets the hit go on if it is still waiting, so the thread ends either way
    thread.join(30)
    assert outcome["error"] is not None, "the hit waited for the lock to be released"
    assert outcome["error"].orig.pgcode == "55P03"  # lock_not_available: the lock timeout, not the statement's
    assert LOCK_TIMEOUT_MS / 1000 - 0.1 <= outcome["seconds"]


def old_hits(engine):
    """How many hits of any limit are older than the longest window."""
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT count(*) FROM rate_limit_hits WHERE at < clock_timestamp() - make_interval(secs => :max)"),
            {"max": MAX_WINDOW},
        ).scalar()


def test_every_hit_sweeps_a_batch_of_hits_older_than_the_longest_window(dbengine, name):
    insert_hits(dbengine, name, "gone", [MAX_WINDOW + 60 + i for i in range(2 * SWEEP_BATCH + 5)])
    insert_hits(dbengine, name, "recent", [MAX_WINDOW - 60 - i for i in range(3)])  # old for the window, not for the sweep
    before = old_hits(dbengine)
    assert before >= 2 * SWEEP_BATCH + 5
    hit(dbengine, name + "-other", "k", most=MOST, per_seconds=PER)
    assert old_hits(dbengine) == before - SWEEP_BATCH
    refusal(dbengine, name + "-other", "k", most=1)  # a refused hit sweeps too
    assert old_hits(dbengine) == before - 2 * SWEEP_BATCH
    hits(dbengine, name + "-other", "j", 2)
    assert old_hits(dbengine) == 0
    assert stored(dbengine, name, "recent") == 3


def test_keys_are_stored_as_their_digest(dbengine, name):
    typed = "correct horse battery staple \x00 " + "x" * 5000  # a password in the email field, NUL, far too long
    hits(dbengine, name, typed, 2)
    with dbengine.connect() as conn:
        keys = conn.execute(sa.text("SELECT key FROM rate_limit_hits WHERE name = :name"), {"name": name}).scalars().all()
    assert keys == [stored_key(typed)] * 2 and len(keys[0]) == 64 and "horse" not in keys[0]
    refusal(dbengine, name, typed, most=2)


@pytest.mark.parametrize(
    "most, per_seconds", [(0, PER), (-1, PER), (1.5, PER), (True, PER), (MOST, 0), (MOST, MAX_WINDOW + 1), (MOST, 60.0)]
)
def test_numbers_out_of_range_are_a_programming_error(dbengine, name, most, per_seconds):
    with pytest.raises(ValueError):
        hit(dbengine, name, "k", most=most, per_seconds=per_seconds)
    assert stored(dbengine, name) == 0


# The limits in a request: the app with a test-only view, added through ``pyramid.includes``.


def probe(request):
    """A write in the request's transaction, then a hit, then the answer ?status= (400 by default: a failed
    attempt, whose transaction aborts)."""
    name, key = request.matchdict["name"], request.matchdict["key"]
    request.dbsession.execute(
        sa.text("INSERT INTO rate_limit_hits (name, key, at) VALUES (:name, 'probe-write', now())"), {"name": name}
    )
    mark_changed(request.dbsession)
    limit(request, name, key, most=int(request.GET.get("most", MOST)), per_seconds=60)
    return Response("counted", status=int(request.GET.get("status", 400)))


def includeme(config):
    config.add_route("limit_probe_page", "/limit-probe/{name}/{key}")
    config.add_route("limit_probe_api", "/api/limit-probe/{name}/{key}")
    config.add_view(probe, route_name="limit_probe_page")
    config.add_view(probe, route_name="limit_probe_api")


@pytest.fixture(scope="module")
def probe_app(app_settings):
    """The app with the probe, on real transactions: pyramid_tm commits and aborts them as in production."""
    app = main({}, **app_settings, **{"pyramid.includes": __name__})
    return webtest.TestApp(app, extra_environ={"HTTP_HOST": "example.com"})


def probe_writes(engine, name):
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT count(*) FROM rate_limit_hits WHERE name = :name AND key = 'probe-write'"), {"name": name}
        ).scalar()


def test_a_hit_counts_when_the_requests_transaction_aborts(probe_app, dbengine, name):
    for _ in range(3):
        probe_app.get(f"/limit-probe/{name}/k", status=400)
    assert probe_writes(dbengine, name) == 0  # the requests' transactions aborted ...
    assert stored(dbengine, name, "k") == 3  # ... and their hits counted
    probe_app.get(f"/limit-probe/{name}/k", params={"status": 200}, status=200)
    assert probe_writes(dbengine, name) == 1  # the probe's write does commit when its request succeeds


def test_clear_in_a_request(probe_app, dbengine, name):
    request = Request.blank("/")
    request.registry = probe_app.app.registry
    hits(dbengine, name, "k", 2)
    clear(request, name, "k")
    assert stored(dbengine, name, "k") == 0


def test_too_many_hits_answer_429_with_retry_after_json_under_the_api(probe_app, dbengine, name):
    probe_app.get(f"/api/limit-probe/{name}/k", params={"most": 2}, status=400)
    probe_app.get(f"/api/limit-probe/{name}/k", params={"most": 2}, status=400)
    response = probe_app.get(f"/api/limit-probe/{name}/k", params={"most": 2}, status=429)
    assert response.content_type == "application/json"
    assert response.json == {"error": {"code": "rate_limited", "message": response.json["error"]["message"], "field": None}}
    assert "try" in response.json["error"]["message"]
    assert 55 <= int(response.headers["Retry-After"]) <= 60  # the first of two hits within the last minute leaves
    assert probe_writes(dbengine, name) == 0  # the 429 committed nothing of the request's own


def test_too_many_hits_answer_429_with_retry_after_and_a_page_elsewhere(probe_app, dbengine, name):
    probe_app.get(f"/limit-probe/{name}/k", params={"most": 1, "status": 303}, status=303)
    response = probe_app.get(f"/limit-probe/{name}/k", params={"most": 1, "status": 303}, status=429)
    assert response.content_type == "text/html"
    assert "Too many attempts" in response.text and "Please wait" in response.text
    assert 55 <= int(response.headers["Retry-After"]) <= 60
    assert probe_writes(dbengine, name) == 1  # the first request's (a 303 commits); none from the 429


@pytest.mark.parametrize(
    "seconds, words",
    [(1, "1 second"), (2, "2 seconds"), (119, "119 seconds"), (120, "2 minutes"), (121, "3 minutes"), (900, "15 minutes")],
)
def test_the_page_says_how_long_to_wait_in_words(seconds, words):
    assert waiting_time(seconds) == words


# The numbers and the client's address.


def test_the_defaults_and_the_settings_that_replace_them(app_settings):
    assert (SIGNIN_FAILURES, SIGNUPS, REVIEW_WRITES) == ((10, 900), (10, 3600), (20, 3600))
    assert rule_from_settings({}, "signin_failures") == (10, 900)
    assert rule_from_settings({"amazen.limits.review_writes": " 5/60 "}, "review_writes") == (5, 60)
    request = Request.blank("/")
    request.registry = main({}, **app_settings, **{"amazen.limits.signups": "3/120"}).registry
    assert configured(request, "signups") == (3, 120) and configured(request, "signin_failures") == (10, 900)


@pytest.mark.parametrize(
    "setting, value", [("signups", "10"), ("signups", "ten/60"), ("signups", "0/60"), ("signups", "10/0"), ("sign_ups", "10/60")]
)
def test_a_malformed_limit_setting_stops_the_app_at_start(app_settings, setting, value):
    with pytest.raises(ConfigurationError, match=f"amazen.limits.{setting}"):
        main({}, **app_settings, **{f"amazen.limits.{setting}": value})


def test_the_client_address_is_remote_addr_not_what_the_client_wrote_in_x_forwarded_for():
    request = Request.blank("/", environ={"REMOTE_ADDR": "203.0.113.5"}, headers={"X-Forwarded-For": "198.51.100.66"})
    assert client_address(request) == "203.0.113.5"


@pytest.mark.parametrize(
    "peer, forwarded_for, address",
    [
        ("127.0.0.1", "198.51.100.66, 203.0.113.5", "203.0.113.5"),  # through nginx: the hop nginx added
        ("127.0.0.1", None, "127.0.0.1"),
        ("192.0.2.9", "198.51.100.66", "192.0.2.9"),  # straight to waitress: the header is not believed
    ],
)
def test_the_client_address_behind_waitress_with_production_ini(peer, forwarded_for, address):
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(REPO / "production.ini")
    adjustments = Adjustments(**{k: v for k, v in ini["server:main"].items() if k.startswith(("trusted_proxy", "clear_"))})
    seen = []

    def app(environ, start_response):
        seen.append(client_address(Request(environ)))
        start_response("200 OK", [])
        return [b""]

    wrapped = proxy_headers_middleware(
        app,
        trusted_proxy=adjustments.trusted_proxy,
        trusted_proxy_count=adjustments.trusted_proxy_count,
        trusted_proxy_headers=adjustments.trusted_proxy_headers,
        clear_untrusted=adjustments.clear_untrusted_proxy_headers,
    )
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    Request.blank("/", environ={"REMOTE_ADDR": peer}, headers=headers).get_response(wrapped)
    assert seen == [address]
