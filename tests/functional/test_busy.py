"""Requests while a job runs or a lock is held: writes answer 503 with Retry-After at once (or after the
lock_timeout), searches answer from the committed index, and the job commits, nothing cancelled.

The app here is the real one on a scratch database, with its own transactions (not a test's rolled-back
one), and the import is the real ``amazen-import`` process. "During an import" is made deterministic: the
test holds search_stats' row, which the import writes only after it has taken the import lock and
merged its reviews, and the requests are made once the import is seen waiting for that row.
"""

import json
import os
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from amazen import main
from amazen.catalog.demo import generate
from amazen.ingest.bulk import load_records
from amazen.locks import IMPORT_LOCK_KEY
from tests.datasets import REPO
from tests.functional.test_import_cli import IMPORT
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


def review_file(path, asins):
    """IMPORTED_REVIEWS new reviews of each of ``asins`` in the Ni 2018 review format."""
    with open(path, "w") as out:
        for asin in asins:
            for n in range(IMPORTED_REVIEWS):
                line = {
                    "overall": 4.0,
                    "reviewerID": f"IMPORTED{n}",
                    "asin": asin,
                    "reviewerName": f"Importer {n}",
                    "reviewText": "Sturdy and quiet, the battery lasts for days.",
                    "summary": "Sturdy",
                    "unixReviewTime": 1_500_000_000,
                }
                out.write(json.dumps(line) + "\n")
    return path


def imported_reviews(engine):
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM reviews WHERE reviewer_id LIKE 'IMPORTED%'")).scalar()


def start_job(script, url, *args):
    """The console script ``script`` on the database at ``url``, as an operator runs it."""
    return subprocess.Popen(
        [str(Path(IMPORT).with_name(script)), "--config", str(REPO / "production.ini"), *map(str, args)],
        env={**os.environ, "AMAZEN_DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process):
    """(stdout, stderr) of ``process`` once it has exited; killed when the test gave up on it."""
    try:
        return process.communicate(timeout=300)
    except BaseException:
        process.kill()
        process.communicate()
        raise


def wait_until(engine, process, query, params, what):
    """Return once ``query`` (on pg_stat_activity and pg_locks) says True of the job ``process``: ``what``."""
    give_up = time.monotonic() + DEADLINE
    with engine.connect() as conn:
        while True:
            # pg_stat_activity and pg_locks are read once per transaction: each look is a new one.
            with conn.begin():
                if conn.execute(sa.text(query), params).scalar():
                    return
            assert process.poll() is None, f"the job ended (exit {process.returncode}) before {what}"
            assert time.monotonic() < give_up, f"not within {DEADLINE} s: {what}"
            time.sleep(0.02)


# The import holds the import lock and waits for a lock of the session :holder.
IMPORT_HELD = """
SELECT bool_or(l.locktype = 'advisory' AND l.granted AND l.mode = 'ExclusiveLock'
               AND ((l.classid::bigint << 32) | l.objid::bigint) = :key AND l.objsubid = 1)
   AND bool_or(:holder = ANY(pg_blocking_pids(a.pid)))
FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
WHERE a.application_name LIKE 'amazen-import%' AND a.datname = current_database()
"""


@contextmanager
def import_held(engine, url, path):
    """Run ``amazen-import`` on ``path`` and hold it inside its transaction, after it took the import lock
    and merged its reviews, while the block runs; then let it go and check that it commits (exit 0)."""
    holder = engine.connect()
    holder.execute(sa.text("SELECT id FROM search_stats WHERE id = 1 FOR UPDATE"))
    holder_pid = holder.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    process = start_job("amazen-import", url, "--json", path)
    try:
        wait_until(engine, process, IMPORT_HELD, {"key": IMPORT_LOCK_KEY, "holder": holder_pid}, "the import was held")
        yield process
    finally:
        holder.rollback()
        holder.close()
        stdout, stderr = finished(process)
    assert process.returncode == 0, stderr
    report = json.loads(stdout)
    assert report["reviews"]["inserted"] == imported_reviews(engine) > 0


def assert_busy_json(response, seconds):
    assert response.status_int == 503, response.text[:500]
    assert seconds < 3, f"answered after {seconds:.1f} s"
    assert response.headers["Retry-After"] == "60"
    assert response.json["error"]["code"] == "busy"
    assert response.json["error"]["message"] == "An import is updating the catalog; try again in a minute."


def test_a_review_write_during_an_import_answers_503_at_once_and_the_import_commits(catalog, scratch_url, tmp_path):
    engine, asins = catalog
    app = make_app(engine)
    browser = shopper(app)
    headers = api_headers(browser)
    page = browser.get(f"/products/{asins[0]}")
    touched = asins[: PRODUCTS // 2]  # a partial rebuild: the import holds these products' rows
    with import_held(engine, scratch_url, review_file(tmp_path / "reviews.json", touched)):
        body = {"rating": 5, "summary": "Lovely", "text": "Zorblish and sturdy."}
        response, seconds = timed(
            lambda: browser.post_json(f"/api/products/{asins[0]}/reviews", body, headers=headers, expect_errors=True)
        )
        assert_busy_json(response, seconds)

        fields = {"rating": "4", "summary": "My headline", "text": "Every word I typed, kept.", "csrf_token": form_token(page)}
        response, seconds = timed(lambda: browser.post(f"/products/{asins[0]}/reviews", fields, expect_errors=True))
        assert response.status_int == 503 and seconds < 3, (response.status, seconds)
        assert response.headers["Retry-After"] == "60"
        assert "An import is updating the catalog; try again in a minute." in response.text
        assert "Every word I typed, kept.</textarea>" in response.text
        assert 'value="My headline"' in response.text
        assert 'value="4" checked' in response.text
    # Nothing of the refused writes was kept; the import's reviews all were (import_held checked them).
    with engine.connect() as conn:
        assert not conn.execute(sa.text("SELECT count(*) FROM reviews WHERE user_id IS NOT NULL")).scalar()
    # Once the import has committed, the same write goes through.
    browser.post_json(f"/api/products/{asins[0]}/reviews", body, headers=headers, status=201)


def test_every_kind_of_review_write_during_an_import_answers_503_at_once(catalog, scratch_url, tmp_path):
    engine, asins = catalog
    app = make_app(engine)
    author, voter = shopper(app), shopper(app)
    written = {"rating": 3, "text": "Written before the import."}
    review_id = author.post_json(f"/api/products/{asins[-1]}/reviews", written, headers=api_headers(author)).json["review"]["id"]
    url = f"/api/reviews/{review_id}"
    author_headers, voter_headers = api_headers(author), api_headers(voter)
    with import_held(engine, scratch_url, review_file(tmp_path / "reviews.json", asins[:2])):
        for request in (
            lambda: author.patch_json(url, {"text": "Edited."}, headers=author_headers, expect_errors=True),
            lambda: voter.post(f"{url}/helpful", headers=voter_headers, expect_errors=True),
            lambda: author.delete(url, headers=author_headers, expect_errors=True),
        ):
            assert_busy_json(*timed(request))
    review = author.get(url).json["review"]
    assert (review["text"], review["helpful_votes"]) == ("Written before the import.", 0)


@pytest.mark.parametrize("rebuild", ["partial", "full"])
def test_searches_during_an_import_answer_from_the_committed_index(catalog, scratch_url, tmp_path, rebuild):
    engine, asins = catalog
    app = make_app(engine)
    anyone = new_browser(app, {"HTTP_HOST": "example.com"})
    before = anyone.get("/api/search", {"q": "battery"}).json
    # An import that touches every product rebuilds the whole index into new tables.
    touched = asins if rebuild == "full" else asins[:2]
    with import_held(engine, scratch_url, review_file(tmp_path / "reviews.json", touched)):
        for address, params in (
            ("/api/search", {"q": "battery"}),
            ("/search", {"q": "battery"}),
            ("/api/suggest/complete", {"prefix": "bat"}),
            ("/api/suggest/descriptors", {"q": "battery"}),
        ):
            response, seconds = timed(lambda: anyone.get(address, params, expect_errors=True))
            assert response.status_int == 200, (address, response.status, response.text[:500])
            assert seconds < 3, (address, seconds)
        # What the committed index holds: the import's reviews are not counted yet.
        assert anyone.get("/api/search", {"q": "battery"}).json["total"] == before["total"]
        assert anyone.get(f"/api/products/{asins[0]}").json["review_count"] == review_count(engine, asins[0])
    assert anyone.get(f"/api/products/{asins[0]}").json["review_count"] == review_count(engine, asins[0])


def review_count(engine, asin):
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT count(*) FROM reviews r JOIN products p ON p.id = r.product_id WHERE p.asin = :asin"), {"asin": asin}
        ).scalar()


# The reindex waits for its ACCESS EXCLUSIVE lock on :table (the final swap).
SWAP_WAITS = """
SELECT count(*) > 0 FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
WHERE a.application_name = 'amazen-reindex' AND a.datname = current_database()
  AND l.relation = CAST(:table AS regclass) AND l.mode = 'AccessExclusiveLock' AND NOT l.granted
"""


def test_a_search_reading_the_index_during_the_swap_never_makes_a_reindex_fail(catalog, scratch_url):
    """A search's transaction holds the index tables it has read until it ends. The reindex's swap waits
    for them; a search that then reads another index table must not close a cycle that PostgreSQL breaks
    by cancelling the reindex."""
    engine, _ = catalog
    with engine.connect() as search:
        search.execute(sa.text("SELECT count(*) FROM packed_terms"))  # a search ranks ...
        process = start_job("amazen-reindex", scratch_url)
        try:
            wait_until(engine, process, SWAP_WAITS, {"table": "packed_terms"}, "the reindex's swap waited")
            search.execute(sa.text("SELECT count(*) FROM descriptor_evidence"))  # ... then reads evidence
        finally:
            search.rollback()  # ends the search's transaction (and, if the test failed, lets the swap go on)
            _, stderr = finished(process)
    assert process.returncode == 0, stderr
