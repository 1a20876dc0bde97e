"""The OpenAPI document at /api/openapi.json describes what the API really answers.

Real responses (on the demo catalog) are checked against the document's schemas: every documented
required field is there with its type, and nothing undocumented is sent.
"""

import pytest

from amazen import main
from tests.shoppers import api_headers, form_token, new_browser, post_review, sign_in, sign_up, signed_in_browser

# The search API's parameters as its contract states them, written out independently of the code.
SEARCH_PARAMETERS = {
    "q",
    "pos",
    "neg",
    "category",
    "brand",
    "price_min",
    "price_max",
    "rating_min",
    "sort",
    "page",
    "per_page",
    "explain",
}
TYPES = {"object": dict, "array": list, "string": str, "integer": int, "number": (int, float), "boolean": bool}


def check(value, schema, document, where="$"):
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return check(value, document["components"]["schemas"][name], document, where)
    if value is None:
        assert schema.get("nullable"), f"{where} is null but not nullable"
        return
    expected = TYPES[schema["type"]]
    assert isinstance(value, expected) and not (schema["type"] in ("integer", "number") and isinstance(value, bool)), (
        f"{where}: {value!r} is not {schema['type']}"
    )
    if "enum" in schema:
        assert value in schema["enum"], where
    if schema["type"] == "object" and "properties" in schema:
        for key in schema.get("required", []):
            assert key in value, f"{where}.{key} is required but missing"
        undocumented = set(value) - set(schema["properties"])
        assert not undocumented, f"{where} has undocumented fields {undocumented}"
        for key, item in value.items():
            check(item, schema["properties"][key], document, f"{where}.{key}")
    if schema["type"] == "array":
        for index, item in enumerate(value):
            check(item, schema["items"], document, f"{where}[{index}]")


@pytest.fixture
def document(testapp):
    return testapp.get("/api/openapi.json").json


def response_schema(document, path, method, status):
    return document["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]


def test_the_document_is_openapi_3_and_lists_the_contracts_parameters(document):
    assert document["openapi"].startswith("3.")
    parameters = {p["name"] for p in document["paths"]["/api/search"]["get"]["parameters"]}
    assert parameters == SEARCH_PARAMETERS


@pytest.mark.parametrize(
    "params",
    [
        {"q": "headphones", "pos": "comfortable", "explain": "1"},
        {"pos": ["comfortable", "bass"], "neg": "flimsy", "sort": "price_asc", "per_page": "3"},
        {"q": "xyzzy"},
        {},
    ],
)
def test_search_responses_match_the_document(testapp, document, params):
    body = testapp.get("/api/search", params=params).json
    check(body, response_schema(document, "/api/search", "get", "200"), document)
    if params.get("pos"):
        assert body["results"] and body["results"][0]["evidence"]


def test_error_responses_match_the_document(testapp, document):
    body = testapp.get("/api/search", params={"sort": "nope"}, status=400).json
    check(body, response_schema(document, "/api/search", "get", "400"), document)
    body = testapp.get("/api/products/NOPE", status=404).json
    check(body, response_schema(document, "/api/products/{asin}", "get", "404"), document)


def test_product_and_review_responses_match_the_document(app, testapp, document, demo_records):
    asin = next(r.asin for r in demo_records if hasattr(r, "title"))
    body = testapp.get(f"/api/products/{asin}").json
    check(body, response_schema(document, "/api/products/{asin}", "get", "200"), document)

    def matches(response, path, method):
        check(response.json, response_schema(document, path, method, str(response.status_int)), document)

    anonymous = new_browser(app, testapp.extra_environ)
    matches(anonymous.get("/api/session"), "/api/session", "get")
    matches(
        anonymous.post_json(f"/api/products/{asin}/reviews", {"rating": 4, "text": "Fine."}, status=401),
        "/api/products/{asin}/reviews",
        "post",
    )
    author, voter = (signed_in_browser(app, testapp.extra_environ) for _ in range(2))
    matches(author.get("/api/session"), "/api/session", "get")
    matches(author.post_json(f"/api/products/{asin}/reviews", {"rating": 4}, status=403), "/api/products/{asin}/reviews", "post")
    matches(post_review(author, asin, {"rating": 4}, status=400), "/api/products/{asin}/reviews", "post")
    created = post_review(author, asin, {"rating": 4, "summary": "Good", "text": "Fine."}, status=201)
    matches(created, "/api/products/{asin}/reviews", "post")
    matches(post_review(author, asin, {"rating": 5, "text": "Better."}, status=200), "/api/products/{asin}/reviews", "post")
    url = f"/api/reviews/{created.json['review']['id']}"
    matches(anonymous.get(url), "/api/reviews/{id}", "get")
    matches(anonymous.get("/api/reviews/999999999", status=404), "/api/reviews/{id}", "get")
    matches(author.patch_json(url, {"text": "Best."}, headers=api_headers(author)), "/api/reviews/{id}", "patch")
    matches(voter.patch_json(url, {"text": "Mine."}, headers=api_headers(voter), status=403), "/api/reviews/{id}", "patch")
    matches(anonymous.patch_json(url, {"text": "Mine."}, status=401), "/api/reviews/{id}", "patch")
    matches(voter.post(f"{url}/helpful", headers=api_headers(voter)), "/api/reviews/{id}/helpful", "post")
    matches(voter.post(f"{url}/helpful", headers=api_headers(voter), status=409), "/api/reviews/{id}/helpful", "post")
    matches(author.post(f"{url}/helpful", headers=api_headers(author), status=403), "/api/reviews/{id}/helpful", "post")
    matches(voter.post(f"{url}/hide", headers=api_headers(voter), status=403), "/api/reviews/{id}/hide", "post")
    matches(voter.delete(url, headers=api_headers(voter), status=403), "/api/reviews/{id}", "delete")
    assert author.delete(url, headers=api_headers(author), status=204).body == b""
    assert "204" in document["paths"]["/api/reviews/{id}"]["delete"]["responses"]


# Every abuse limit at one: the second attempt is refused.
ONE_OF_EACH = {
    "amazen.limits.review_writes": "1/3600",
    "amazen.limits.signin_failures": "1/900",
    "amazen.limits.signups": "1/3600",
}


@pytest.fixture(scope="module")
def limited_app(app_settings):
    return main({}, **app_settings, **ONE_OF_EACH)


def test_every_route_a_limit_refuses_documents_its_429_with_retry_after(limited_app, testapp, document, demo_records):
    asin = next(r.asin for r in demo_records if hasattr(r, "title"))

    def refused(response, path, method):
        documented = document["paths"][path][method]["responses"]["429"]
        assert int(response.headers["Retry-After"]) >= documented["headers"]["Retry-After"]["schema"]["minimum"]
        if "application/json" in documented["content"]:
            check(response.json, documented["content"]["application/json"]["schema"], document)
            assert response.json["error"]["code"] == "rate_limited"
        else:
            assert response.content_type == "text/html" and "Too many attempts" in response.text

    # Review writes, through the API and the product page's forms.
    author = signed_in_browser(limited_app, testapp.extra_environ)
    review_id = post_review(author, asin, {"rating": 4, "text": "Fine."}, status=201).json["review"]["id"]
    url, headers = f"/api/reviews/{review_id}", api_headers(author)
    refused(post_review(author, asin, {"rating": 5, "text": "Better."}, status=429), "/api/products/{asin}/reviews", "post")
    refused(author.patch_json(url, {"text": "Best."}, headers=headers, status=429), "/api/reviews/{id}", "patch")
    refused(author.delete(url, headers=headers, status=429), "/api/reviews/{id}", "delete")
    token = form_token(author.get(f"/products/{asin}"))
    form = {"rating": "3", "text": "Changed my mind.", "csrf_token": token}
    refused(author.post(f"/products/{asin}/reviews", form, status=429), "/products/{asin}/reviews", "post")
    delete = f"/products/{asin}/reviews/{review_id}/delete"
    refused(author.post(delete, {"csrf_token": token}, status=429), "/products/{asin}/reviews/{id}/delete", "post")

    # Sign-ups from one address, failed sign-ins for one email.
    shopper = new_browser(limited_app, testapp.extra_environ)
    sign_up(shopper)
    fields = {"email": "second@example.com", "display_name": "Second", "password": "another long pass phrase"}
    fields["csrf_token"] = form_token(shopper.get("/account/signup"))
    refused(shopper.post("/account/signup", fields, status=429), "/account/signup", "post")
    guesser = new_browser(limited_app, testapp.extra_environ)
    sign_in(guesser, "nobody@example.com", password="a wrong guess at it", status=200)
    refused(sign_in(guesser, "nobody@example.com", password="a wrong guess at it", status=429), "/account/login", "post")

    # And only those: no other route documents a 429.
    limited = {
        (path, method)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method != "parameters" and "429" in operation["responses"]
    }
    assert limited == {
        ("/api/products/{asin}/reviews", "post"),
        ("/api/reviews/{id}", "patch"),
        ("/api/reviews/{id}", "delete"),
        ("/products/{asin}/reviews", "post"),
        ("/products/{asin}/reviews/{id}/delete", "post"),
        ("/account/signup", "post"),
        ("/account/login", "post"),
    }


def test_the_document_names_the_csrf_header_on_every_unsafe_operation(document):
    assert document["components"]["securitySchemes"]["csrf"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRF-Token",
        "description": document["components"]["securitySchemes"]["csrf"]["description"],
    }
    assert "X-CSRF-Token" in document["info"]["description"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("post", "patch", "delete"):
                responses = operation["responses"]
                assert "403" in responses and "CSRF" in responses["403"]["description"], (path, method)
                if path.startswith("/api/"):
                    assert operation["security"] == [{"session": [], "csrf": []}], (path, method)
                else:
                    form = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
                    assert "csrf_token" in form["required"], (path, method)
