"""Requests schemathesis (tests/fuzz_api.py) found the app answering with a 500: each is a 400 now."""

import pytest
import sqlalchemy as sa

from tests.shoppers import api_headers, form_token, signed_in_browser

# Content-Types a form cannot be read in: multipart without a boundary, or with one the body never uses.
UNREADABLE_FORMS = ["multipart/form-data", "multipart/form-data; boundary="]


@pytest.fixture
def shopper(app, testapp):
    return signed_in_browser(app, testapp.extra_environ)


@pytest.fixture
def asin(dbsession):
    return dbsession.execute(
        sa.text("SELECT asin FROM products JOIN product_stats ON product_id = id WHERE review_count > 0 ORDER BY asin LIMIT 1")
    ).scalar_one()


@pytest.mark.parametrize("content_type", UNREADABLE_FORMS)
def test_an_api_write_with_a_multipart_type_it_cannot_parse_is_a_400_naming_the_body(shopper, asin, content_type):
    answer = shopper.post(
        f"/api/products/{asin}/reviews",
        b'{"rating": 1, "text": "0"}',
        headers={**api_headers(shopper), "Content-Type": content_type},
        status=400,
    )
    assert answer.json["error"]["field"] == "body"


@pytest.mark.parametrize("content_type", UNREADABLE_FORMS)
def test_a_form_with_a_multipart_type_it_cannot_parse_is_a_400_page(shopper, asin, content_type):
    token = form_token(shopper.get(f"/products/{asin}"))
    body = f"rating=5&text=Fine.&csrf_token={token}".encode()
    answer = shopper.post(f"/products/{asin}/reviews", body, headers={"Content-Type": content_type}, status=400)
    assert "text/html" in answer.content_type and "body" in answer.text


def test_a_multipart_form_that_can_be_read_still_works(shopper, asin):
    token = form_token(shopper.get(f"/products/{asin}"))
    fields = {"rating": "5", "text": "Multipart and fine.", "csrf_token": token}
    shopper.post(f"/products/{asin}/reviews", fields, content_type="multipart/form-data", status=303)
