"""A method an address does not take is a 405 naming the ones it does (Allow), whatever the address:
the JSON error object under /api/, the friendly page elsewhere. HEAD and OPTIONS answer as HTTP says."""

import pytest
import sqlalchemy as sa

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@pytest.fixture
def document(testapp):
    return testapp.get("/api/openapi.json").json


@pytest.fixture
def review(dbsession):
    """(asin, id) of a visible review."""
    return dbsession.execute(
        sa.text("SELECT p.asin, r.id FROM reviews r JOIN products p ON p.id = r.product_id WHERE r.hidden_at IS NULL LIMIT 1")
    ).one()


def documented_methods(operations):
    methods = {method.upper() for method in operations if method.upper() in METHODS}
    return methods | ({"HEAD"} if "GET" in methods else set()) | {"OPTIONS"}


def allow(response):
    return set(response.headers["Allow"].split(", "))


def test_every_documented_path_answers_an_undocumented_method_with_405_and_the_documents_methods(testapp, document, review):
    asin, review_id = review
    checked = 0
    for path, operations in document["paths"].items():
        url = path.replace("{asin}", asin).replace("{id}", str(review_id))
        expected = documented_methods(operations)
        for method in set(METHODS) - expected:
            response = testapp.request(url, method=method, status=405, expect_errors=True)
            assert allow(response) == expected, (method, path)
            if path.startswith("/api/"):
                assert response.json["error"]["code"] == "method_not_allowed", (method, path)
                assert method in response.json["error"]["message"]
            else:
                assert "This address cannot do that" in response.text, (method, path)
            checked += 1
    assert checked > 40


@pytest.mark.parametrize("url", ["/", "/search?q=headphones", "/products/", "/categories/", "/compare", "/healthz"])
def test_pages_take_only_get_and_head(testapp, url):
    response = testapp.post(url, {"q": "x"}, status=405)  # no CSRF token: the method is refused first
    assert allow(response) == {"GET", "HEAD", "OPTIONS"}
    assert response.content_type == "text/html" or url == "/healthz"


def test_head_answers_as_get_without_a_body(testapp, review):
    asin, _ = review
    for url in ("/api/search?q=headphones", f"/api/products/{asin}", f"/products/{asin}"):
        response = testapp.head(url, status=200)
        assert response.body == b"" and response.content_type == testapp.get(url).content_type


def test_options_answers_which_methods_an_address_takes(testapp, review):
    asin, review_id = review
    response = testapp.options(f"/api/reviews/{review_id}", status=204)
    assert allow(response) == {"GET", "HEAD", "PATCH", "DELETE", "OPTIONS"} and response.body == b""
    assert allow(testapp.options(f"/api/products/{asin}/reviews", status=204)) == {"POST", "OPTIONS"}
    assert allow(testapp.options("/", status=204)) == {"GET", "HEAD", "OPTIONS"}


def test_an_address_that_is_not_there_is_still_a_404_whatever_the_method(testapp):
    for method in ("GET", "PUT", "OPTIONS"):
        assert "Allow" not in testapp.request("/api/nothing", method=method, status=404, expect_errors=True).headers
    testapp.request("/products/NOPE", method="PATCH", status=404, expect_errors=True)
    testapp.request("/api/reviews/1/nothing", method="POST", status=404, expect_errors=True)
