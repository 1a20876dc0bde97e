"""Reads served by a streaming replica, writes by the primary, read-your-writes, failover and lag, with a
real primary and a real replica (servers.py). Which server answered is read from its statement log; the
replica replays an hour late, so everything the tests write stays unreplayed there.

The test that stops and restarts the replica comes last: restarted, it replays from its own files up to
the first commit it holds back, and streams nothing new until it has replayed that one, an hour later."""

import random

import pytest

from amazen.replicas import LSN_COOKIE
from tests.shoppers import api_headers, sign_up
from tests.stack.stack import wait_until

from .conftest import new_client

pytestmark = pytest.mark.replica

# Deadlines bound waits for a state; they are not expected durations.
STATE_DEADLINE = 30.0


def word():
    """A word no catalog has, which the analyzer keeps as it is: in a request's SQL, it names the request."""
    return "zq" + "".join(random.choice("bcdfghjklmnprtvwxz") for _ in range(10))


class Seen:
    """The statements each server ran from now on."""

    def __init__(self, *servers):
        self.since = {server: server.log_size() for server in servers}

    def ran(self, server, text):
        return server.ran(text, self.since[server])

    def anything(self, server):
        return server.ran("statement: ", self.since[server])


@pytest.fixture(scope="module")
def asin(primary):
    return primary.execute(
        "SELECT asin FROM products JOIN product_stats ON product_id = id WHERE review_count > 0 ORDER BY asin LIMIT 1",
        database="amazen",
    )[0][0]


def search(client, text, **params):
    return client.get("/api/search", {"q": text, **params}).json


def found(client, descriptor):
    return {r["asin"] for r in client.get("/api/search", {"pos": descriptor, "per_page": 100}).json["results"]}


def test_searches_and_pages_are_served_by_the_replica(browser, primary, replica, asin):
    client = browser()
    seen = Seen(primary, replica)
    marker = word()
    search(client, marker)
    client.get("/search", {"q": marker + "x"})
    client.get(f"/products/{asin}")
    client.get("/api/suggest/descriptors", {"q": marker})
    assert seen.ran(replica, marker) and seen.ran(replica, marker + "x") and seen.ran(replica, asin)
    assert not seen.anything(primary)  # an anonymous reader costs the primary nothing
    assert LSN_COOKIE not in client.cookies


def test_writes_go_to_the_primary_and_a_signed_in_read_checks_its_session_there(browser, primary, replica):
    client = browser()
    seen = Seen(primary, replica)
    sign_up(client)
    assert seen.ran(primary, "INSERT INTO users") and seen.ran(primary, "INSERT INTO user_sessions")
    assert not seen.ran(replica, "INSERT")
    assert LSN_COOKIE in client.cookies  # the sign-up committed: the client's reads must see it

    # The session row a read marks seen is written on the primary; the search itself reads the replica.
    primary.execute("UPDATE user_sessions SET last_seen_at = now() - interval '2 days'", database="amazen")
    seen = Seen(primary, replica)
    marker = word()
    client.set_cookie(LSN_COOKIE, "0/1")  # a position every replica has replayed: read any of them
    search(client, marker)
    assert seen.ran(primary, "UPDATE user_sessions") and seen.ran(replica, marker)
    assert not seen.ran(primary, marker)


def test_a_review_written_is_found_at_once_by_its_writer_despite_the_replicas_delay(browser, primary, replica, asin):
    writer, stranger = browser(), browser()
    sign_up(writer)
    descriptor = word()
    text = f"Wonderfully {descriptor} and sturdy."
    writer.post_json(f"/api/products/{asin}/reviews", {"rating": 5, "summary": "Fine", "text": text}, headers=api_headers(writer))
    position = writer.cookies[LSN_COOKIE]
    wait_until(lambda: replica.received(position), "the replica receiving the review", deadline=STATE_DEADLINE)

    seen = Seen(primary, replica)
    assert found(writer, descriptor) == {asin}  # its writer reads it from the primary ...
    assert seen.ran(primary, descriptor) and not seen.ran(replica, descriptor)
    assert found(stranger, descriptor) == set()  # ... while the replica has not replayed it yet
    assert seen.ran(replica, descriptor)


def test_a_read_carrying_a_position_the_replica_has_not_replayed_goes_to_the_primary(browser, primary, replica):
    primary.execute("CREATE TABLE IF NOT EXISTS ahead AS SELECT 1 AS n", database="amazen")
    position = primary.position()
    wait_until(lambda: replica.received(position), "the replica receiving the write", deadline=STATE_DEADLINE)
    client = browser()
    client.set_cookie(LSN_COOKIE, position)
    seen = Seen(primary, replica)
    marker = word()
    search(client, marker)
    assert seen.ran(primary, marker) and not seen.ran(replica, marker)


@pytest.mark.parametrize("value", ["not-a-position", "0/1; drop", "FFFFFFFFF/0", ""])
def test_a_malformed_position_cookie_is_ignored(browser, primary, replica, value):
    client = browser()
    client.set_cookie(LSN_COOKIE, value)
    seen = Seen(primary, replica)
    marker = word()
    search(client, marker)  # 200, read from the replica as for a reader without the cookie
    assert seen.ran(replica, marker) and not seen.anything(primary)


def test_a_replica_too_far_behind_is_not_used(make_app, primary, replica):
    strict = new_client(make_app(**{"amazen.replica_max_lag_bytes": "1024"}))
    primary.execute("CREATE TABLE IF NOT EXISTS behind AS SELECT generate_series(1, 10000) AS n", database="amazen")
    wait_until(lambda: replica.unreplayed_bytes() > 1024, "the replica 1 kB behind", deadline=STATE_DEADLINE)

    seen = Seen(primary, replica)
    marker = word()
    search(strict, marker)
    assert seen.ran(primary, marker) and not seen.ran(replica, marker)
    health = strict.get("/healthz").json["replicas"]
    assert health[0]["reachable"] is True and health[0]["lag_bytes"] > 1024 and health[0]["used"] is False


def test_healthz_and_metrics_report_the_replicas_lag(browser, primary, replica):
    primary.execute("CREATE TABLE IF NOT EXISTS lagging AS SELECT 1 AS n", database="amazen")
    position = primary.position()
    wait_until(lambda: replica.received(position), "the replica receiving the write", deadline=STATE_DEADLINE)
    client = browser()
    health = client.get("/healthz").json
    [state] = health["replicas"]
    assert state["replica"] == 1 and state["reachable"] is True
    assert 0 < state["lag_bytes"] <= replica.unreplayed_bytes() and state["lag_seconds"] >= 0
    metrics = client.get("/metrics").text
    assert sample(metrics, "amazen_replica_up") == 1
    assert sample(metrics, "amazen_replica_lag_bytes") == state["lag_bytes"]  # healthz's check set it last
    assert sample(metrics, "amazen_replica_lag_seconds") == pytest.approx(state["lag_seconds"], abs=0.001)


def sample(metrics, name):
    """The value of ``name``'s series for the first replica in a Prometheus text page."""
    prefix = name + '{replica="1"} '
    return float(next(line for line in metrics.splitlines() if line.startswith(prefix))[len(prefix) :])


def test_without_replicas_nothing_changes(make_app, primary):
    client = new_client(make_app(replicas=False))
    sign_up(client)
    assert LSN_COOKIE not in client.cookies
    assert "replicas" not in client.get("/healthz").json


def test_with_the_replica_stopped_every_request_is_answered_by_the_primary_and_it_is_used_again_when_back(
    browser, primary, replica, asin
):
    client = browser()
    replica.stop()
    try:
        seen = Seen(primary)
        for _ in range(3):
            marker = word()
            search(client, marker)
            assert seen.ran(primary, marker)
        client.get(f"/products/{asin}", status=200)
        client.get("/search", {"q": word()}, status=200)
        health = client.get("/healthz", status=200).json
        assert health["status"] == "ok" and health["replicas"][0]["reachable"] is False
    finally:
        replica.start()  # it accepts connections again (it replays an hour late, so it has nothing to stream yet)

    seen = Seen(replica)

    def served_by_replica():
        marker = word()
        search(client, marker)
        return seen.ran(replica, marker)

    wait_until(served_by_replica, "a search served by the replica again", deadline=STATE_DEADLINE)
    assert client.get("/healthz").json["replicas"][0]["reachable"] is True
