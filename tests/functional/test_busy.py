"""Requests that meet a lock someone else holds, or a slow statement: they answer 503 with Retry-After after
the lock_timeout or the statement_timeout, never hang and never answer 500.

The app here is the real one on a scratch database, with its own transactions (not a test's rolled-back
one), so its timeouts apply as they do in production.
"""

import threading
import time
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from amazen import main
from amazen.catalog.demo import generate
from amazen.ingest.bulk import load_records
from tests.shoppers import api_headers, form_token, new_browser, sign_up

PRODUCTS = 12
IMPORTED_REVIEWS = 3  # per product the import touches
# An upper bound on waiting for a state (a busy machine), never a promise of how long it takes.
DEADLINE = 120
# The longest a request may take in a test that it does not hang: far past every timeout it may meet.
REQUEST_CAP = 30


@pytest.fixture
def catalog(scratch_url):
    """(the scratch database's engine, its products' asins in id order): a small demo catalog."""
    engine = sa.create_engine(scratch_url)
    with engine.begin() as conn:
        load_records(conn, generate(products=PRODUCTS))
        asins = conn.execute(sa.text("SELECT asin FROM products ORDER BY id")).scalars().all()
    yield engine, asins
    engine.dispose()


def make_app(engine, **settings):
    return main(
        {},
        **{
            "amazen.engine": engine,
            "retry.attempts": "1",
            "amazen.session_secret": "tests-only-session-secret-" + "x" * 24,
            **settings,
        },
    )


def shopper(app):
    """A signed-in browser on the app's own transactions."""
    browser = new_browser(app, {"HTTP_HOST": "example.com"})
    sign_up(browser)
    return browser


def timed(request):
    """(``request()``'s response, seconds it took); fails, rather than hanging, when it takes REQUEST_CAP."""
    answer = {}

    def run():
        started = time.monotonic()
        answer["response"] = request()
        answer["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(REQUEST_CAP)
    assert not thread.is_alive(), f"the request was still waiting after {REQUEST_CAP} s"
    assert "response" in answer, "the request failed (see the thread's exception above)"
    return answer["response"], answer["seconds"]


# A row a review write locks: its product's (through the ORM), search_stats' (in the index's own SQL).
ROWS = {
    "product": "SELECT id FROM products WHERE asin = :asin FOR UPDATE",
    "search_stats": "SELECT id FROM search_stats WHERE id = 1 FOR UPDATE",
}


@contextmanager
def row_held(engine, asin, row="product"):
    """Someone else's transaction holds a row lock a write of a review of ``asin`` needs while the block runs."""
    with engine.connect() as holder:
        holder.execute(sa.text(ROWS[row]), {"asin": asin})
        try:
            yield
        finally:
            holder.rollback()


@pytest.mark.parametrize("row", list(ROWS))
def test_a_write_blocked_by_a_row_lock_answers_503_after_the_lock_timeout(catalog, row):
    engine, asins = catalog
    app = make_app(engine, **{"amazen.lock_timeout_ms": "1500"})
    browser = shopper(app)
    headers = api_headers(browser)
    body = {"rating": 5, "text": "Zorblish and sturdy."}
    with row_held(engine, asins[1], row):
        response, seconds = timed(
            lambda: browser.post_json(f"/api/products/{asins[1]}/reviews", body, headers=headers, expect_errors=True)
        )
    assert response.status_int == 503, response.text[:500]
    assert 1.5 <= seconds < 1.5 + 5, seconds  # the lock_timeout, then the answer
    assert response.headers["Retry-After"] == "5"
    assert response.json["error"]["code"] == "timeout"
    # The lock_timeout was the request's transaction's only: the pooled connection does not keep it.
    with engine.connect() as conn:
        assert conn.execute(sa.text("SHOW lock_timeout")).scalar() == "0"


def test_a_statement_past_the_statement_timeout_answers_503(catalog):
    engine, asins = catalog
    app = make_app(engine, **{"amazen.lock_timeout_ms": "600000", "amazen.statement_timeout_ms": "700"})
    browser = shopper(app)
    page = browser.get(f"/products/{asins[2]}")
    fields = {"rating": "3", "text": "Held up.", "csrf_token": form_token(page)}
    with row_held(engine, asins[2]):
        response, seconds = timed(lambda: browser.post(f"/products/{asins[2]}/reviews", fields, expect_errors=True))
    assert response.status_int == 503 and seconds < 0.7 + 5, (response.status, seconds)
    assert response.headers["Retry-After"] == "5"
    assert "Amazen is busy right now" in response.text and "Traceback" not in response.text


@pytest.mark.parametrize("setting", ["amazen.lock_timeout_ms", "amazen.statement_timeout_ms"])
@pytest.mark.parametrize("value", ["0", "2s", "-1"])
def test_a_malformed_timeout_setting_stops_the_app_with_one_line(catalog, setting, value):
    engine, _ = catalog
    with pytest.raises(SystemExit) as stopped:
        make_app(engine, **{setting: value})
    assert str(stopped.value) == f"amazen: {setting} = {value!r}: expected whole milliseconds, at least 1"
