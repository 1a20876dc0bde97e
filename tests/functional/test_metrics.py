"""GET /metrics and request ids over WSGI with WebTest (one process; tests/functional/test_metrics_served.py
runs two real app processes behind no proxy and as a proxy would reach them)."""

import re

import pytest
from prometheus_client.parser import text_string_to_metric_families

from amazen.catalog.records import ProductRecord

GENERATED_ID = re.compile(r"[0-9a-f]{32}")
PROXIED = {"X-Forwarded-For": "203.0.113.9"}  # what waitress leaves only on requests from trusted_proxy


def sample(text, name, **labels):
    """The value of the series ``name`` with exactly ``labels`` in a scrape (0 when it is not there yet)."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return found.value
    return 0.0


def scrape(testapp):
    return testapp.get("/metrics", status=200).text


def first_asin(records):
    return next(r.asin for r in records if isinstance(r, ProductRecord))


def test_a_search_is_counted_once_by_route_and_status(testapp):
    before = sample(scrape(testapp), "amazen_requests_total", route="SearchPage", status="200")
    testapp.get("/search", params={"q": "battery"}, status=200)
    after = sample(scrape(testapp), "amazen_requests_total", route="SearchPage", status="200")
    assert after - before == 1


@pytest.mark.parametrize(
    "path, params, route",
    [
        ("/search", {"q": "battery"}, "SearchPage"),
        ("/api/search", {"q": "battery"}, "ApiSearch"),
        ("/api/suggest/complete", {"q": "bat"}, "ApiComplete"),
        ("/api/suggest/descriptors", {"q": "battery"}, "ApiSuggestDescriptors"),
        (None, {}, "ProductResource"),
    ],
)
def test_the_latency_histogram_gets_an_observation(testapp, demo_records, path, params, route):
    path = path or f"/products/{first_asin(demo_records)}"
    name = "amazen_request_duration_seconds_count"
    before = sample(scrape(testapp), name, route=route)
    testapp.get(path, params=params, status=200)
    text = scrape(testapp)
    assert sample(text, name, route=route) - before == 1
    # Every observation falls into the last bucket, so it went up by one as well.
    assert sample(text, "amazen_request_duration_seconds_bucket", route=route, le="+Inf") >= sample(text, name, route=route)


def test_routes_are_named_by_context_and_view_never_by_the_raw_path(testapp):
    before = sample(scrape(testapp), "amazen_requests_total", route="Root", status="404")
    testapp.get("/no-such-page-xyzzy", status=404)
    testapp.get("/healthz", status=200)
    text = scrape(testapp)
    assert sample(text, "amazen_requests_total", route="Root", status="404") - before == 1
    assert sample(text, "amazen_requests_total", route="Root@@healthz", status="200") >= 1
    assert "xyzzy" not in text


def test_a_request_id_from_the_proxy_is_kept_and_sent_back(testapp):
    res = testapp.get("/healthz", headers={**PROXIED, "X-Request-ID": "0123abcd-ef.45_67"}, status=200)
    assert res.headers["X-Request-ID"] == "0123abcd-ef.45_67"


def test_a_request_id_from_anyone_else_is_replaced_by_a_new_one(testapp):
    first = testapp.get("/healthz", headers={"X-Request-ID": "chosen-by-the-client"}, status=200)
    second = testapp.get("/healthz", status=200)
    assert GENERATED_ID.fullmatch(first.headers["X-Request-ID"])
    assert GENERATED_ID.fullmatch(second.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


@pytest.mark.parametrize(
    "value", ["<script>", "a b", "x" * 65, "id\u00e9", ""], ids=["markup", "space", "long", "non-ascii", "empty"]
)
def test_a_malformed_request_id_is_replaced_even_from_the_proxy(testapp, value):
    res = testapp.get("/healthz", headers={**PROXIED, "X-Request-ID": value}, status=200)
    assert GENERATED_ID.fullmatch(res.headers["X-Request-ID"])


def test_metrics_are_not_answered_through_the_proxy(testapp):
    res = testapp.get("/metrics", headers=PROXIED, status=404)
    assert "amazen_requests_total" not in res.text


def test_with_a_token_metrics_need_it(testapp, monkeypatch):
    monkeypatch.setenv("AMAZEN_METRICS_TOKEN", "s3cret-scrape-token")
    testapp.get("/metrics", status=401)
    testapp.get("/metrics", headers={"Authorization": "Bearer wrong"}, status=401)
    res = testapp.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape-token"}, status=200)
    assert "amazen_requests_total" in res.text
    assert res.headers["Content-Type"].startswith("text/plain; version=0.0.4")


def test_a_scraper_asking_for_openmetrics_gets_it(testapp):
    res = testapp.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"}, status=200)
    assert res.headers["Content-Type"].startswith("application/openmetrics-text")
    assert res.text.endswith("# EOF\n")


def test_the_pool_gauge_follows_connections_checked_out_and_in(testapp, dbengine):
    before = sample(scrape(testapp), "amazen_db_pool_checked_out")
    with dbengine.connect():
        assert sample(scrape(testapp), "amazen_db_pool_checked_out") - before == 1
    assert sample(scrape(testapp), "amazen_db_pool_checked_out") == before
    assert sample(scrape(testapp), "amazen_db_pool_size") >= dbengine.pool.size()
