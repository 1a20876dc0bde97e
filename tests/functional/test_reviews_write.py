"""Writing reviews as a signed-in shopper: who may write, edit, delete, hide and vote, and the search
index following every change in the same transaction."""

import pytest
import sqlalchemy as sa

from amazen.accounts.services import AccountService
from amazen.models import Review, ReviewVote, User
from amazen.search.indexer import index_products
from tests.shoppers import PASSWORD, api_headers, form_token, new_browser, sign_in, sign_up, unique_email


@pytest.fixture
def browser(app, testapp):
    return lambda: new_browser(app, testapp.extra_environ)


@pytest.fixture
def shopper(browser):
    b = browser()
    sign_up(b, display_name="Ann Author")
    return b


@pytest.fixture
def other(browser):
    b = browser()
    sign_up(b, display_name="Bob Other")
    return b


@pytest.fixture
def moderator(browser, dbsession):
    b = browser()
    account = sign_up(b, display_name="Mo Derator")
    AccountService(dbsession).grant_moderator(account["email"])
    return b


@pytest.fixture
def asins(dbsession):
    return (
        dbsession.execute(
            sa.text(
                "SELECT asin FROM products JOIN product_stats ON product_id = id WHERE review_count > 0 ORDER BY asin LIMIT 3"
            )
        )
        .scalars()
        .all()
    )


def write(browser, asin, text="Wonderfully zorblish and sturdy.", rating=5, summary="Zorblish", status=201):
    body = {"rating": rating, "summary": summary, "text": text}
    return browser.post_json(f"/api/products/{asin}/reviews", body, headers=api_headers(browser), status=status)


def found(testapp, descriptor):
    """The asins a search for products whose reviews say ``descriptor`` finds, with their evidence."""
    body = testapp.get("/api/search", {"pos": descriptor, "per_page": 100}).json
    return {r["asin"]: r["evidence"][0]["mentions"] for r in body["results"]}


def test_a_signed_in_shopper_writes_a_review_that_search_finds_at_once(shopper, asins, testapp):
    review = write(shopper, asins[0]).json["review"]
    assert review["author"] == "Ann Author" and review["verified"] is False and review["imported"] is False
    assert (review["rating"], review["summary"], review["text"]) == (5, "Zorblish", "Wonderfully zorblish and sturdy.")
    assert found(testapp, "zorblish") == {asins[0]: 1}
    page = testapp.get(f"/products/{asins[0]}")
    item = page.html.find(id=f"review-{review['id']}")
    assert "Ann Author" in item.text and "Verified purchase" not in item.text


def test_anonymous_writes_are_401_in_the_api_and_go_to_sign_in_from_a_form(browser, asins):
    anonymous = browser()
    answer = anonymous.post_json(f"/api/products/{asins[0]}/reviews", {"rating": 5, "text": "x"}, status=401)
    assert answer.json["error"]["code"] == "unauthenticated"
    answer = anonymous.post(
        f"/products/{asins[0]}/reviews",
        {"rating": "5", "text": "x"},
        headers={"Referer": f"http://example.com/products/{asins[0]}"},
        status=303,
    )
    assert answer.location == f"http://example.com/account/login?next=%2Fproducts%2F{asins[0]}"


@pytest.mark.parametrize("headers", [{}, {"X-CSRF-Token": "not-the-token"}])
def test_api_writes_without_the_csrf_token_are_refused(shopper, asins, headers, testapp):
    answer = shopper.post_json(
        f"/api/products/{asins[0]}/reviews", {"rating": 5, "text": "Zorblish."}, headers=headers, status=403
    )
    assert answer.json["error"]["code"] == "csrf"
    assert found(testapp, "zorblish") == {}


def test_api_writes_over_https_without_an_origin_are_refused_saying_so(shopper, asins, testapp):
    # Over HTTPS Pyramid also checks that the request names this site (Origin or Referer), as browsers do.
    https = {"wsgi.url_scheme": "https"}
    body = {"rating": 5, "text": "Zorblish over https."}
    headers = api_headers(shopper)
    answer = shopper.post_json(f"/api/products/{asins[0]}/reviews", body, headers=headers, extra_environ=https, status=403)
    assert answer.json["error"]["code"] == "csrf"
    assert "Origin" in answer.json["error"]["message"]
    assert found(testapp, "zorblish") == {}
    named = {**headers, "Origin": "https://example.com"}
    shopper.post_json(f"/api/products/{asins[0]}/reviews", body, headers=named, extra_environ=https, status=201)


def test_the_review_form_without_the_csrf_token_is_refused(shopper, asins, dbsession):
    answer = shopper.post(f"/products/{asins[0]}/reviews", {"rating": "5", "text": "Zorblish."}, status=403)
    assert "expired or came from another site" in answer.text
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(Review).where(Review.text == "Zorblish.")) == 0


def test_the_old_anonymous_body_with_a_reviewer_id_is_refused(shopper, asins):
    body = {"reviewer_id": "someone-else", "rating": 1, "text": "Forged."}
    answer = shopper.post_json(f"/api/products/{asins[0]}/reviews", body, headers=api_headers(shopper), status=400)
    assert answer.json["error"]["field"] == "reviewer_id"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"text": "No stars."}, "rating"),
        ({"rating": 6, "text": "Too many."}, "rating"),
        ({"rating": True, "text": "A boolean."}, "rating"),
        ({"rating": 3}, "text"),
        ({"rating": 3, "text": "x" * 20_001}, "text"),
        ({"rating": 3, "summary": "s" * 201, "text": "Fine."}, "summary"),
        ({"rating": 3, "text": "Nul \u0000"}, "text"),
    ],
)
def test_bad_review_bodies_are_400_naming_the_field(shopper, asins, body, field):
    answer = shopper.post_json(f"/api/products/{asins[0]}/reviews", body, headers=api_headers(shopper), status=400)
    assert answer.json["error"]["field"] == field


def test_one_review_per_account_and_product_a_second_submission_edits_it(shopper, asins, dbsession, testapp):
    first = write(shopper, asins[0]).json["review"]
    second = write(shopper, asins[0], text="Turned out quite flibbery.", rating=2, summary="Changed", status=200).json["review"]
    assert second["id"] == first["id"] and second["rating"] == 2
    user_id = shopper.get("/api/session").json["user"]["id"]
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(Review).where(Review.user_id == user_id)) == 1
    assert found(testapp, "zorblish") == {} and found(testapp, "flibbery") == {asins[0]: 1}


def test_only_the_author_edits_or_deletes_a_review(shopper, other, browser, asins, testapp):
    review_id = write(shopper, asins[0]).json["review"]["id"]
    url = f"/api/reviews/{review_id}"
    assert (
        other.patch_json(url, {"text": "Hijacked."}, headers=api_headers(other), status=403).json["error"]["code"] == "forbidden"
    )
    assert other.delete(url, headers=api_headers(other), status=403).json["error"]["code"] == "forbidden"
    anonymous = browser()
    assert anonymous.patch_json(url, {"text": "Hijacked."}, status=401).json["error"]["code"] == "unauthenticated"
    assert anonymous.delete(url, status=401).json["error"]["code"] == "unauthenticated"
    assert shopper.patch_json("/api/reviews/999999999", {"text": "x"}, headers=api_headers(shopper), status=404)
    edited = shopper.patch_json(url, {"text": "Now truly grumbleish."}, headers=api_headers(shopper), status=200).json["review"]
    assert edited["text"] == "Now truly grumbleish." and edited["rating"] == 5
    assert found(testapp, "grumbleish") == {asins[0]: 1}
    shopper.delete(url, headers=api_headers(shopper), status=204)
    assert found(testapp, "grumbleish") == {}
    shopper.get(url, status=404)


def test_without_the_csrf_token_patch_and_delete_are_refused(shopper, asins):
    review_id = write(shopper, asins[0]).json["review"]["id"]
    shopper.patch_json(f"/api/reviews/{review_id}", {"text": "Changed."}, status=403)
    shopper.delete(f"/api/reviews/{review_id}", status=403)
    assert shopper.get(f"/api/reviews/{review_id}").json["review"]["text"] == "Wonderfully zorblish and sturdy."


def imported_review(dbsession, asin):
    return dbsession.execute(
        sa.text(
            "SELECT r.id, r.text FROM reviews r JOIN products p ON p.id = r.product_id "
            "WHERE p.asin = :asin AND r.user_id IS NULL ORDER BY r.id LIMIT 1"
        ),
        {"asin": asin},
    ).one()


def test_nobody_edits_or_deletes_an_imported_review(shopper, moderator, asins, dbsession):
    review_id, text = imported_review(dbsession, asins[0])
    for who in (shopper, moderator):
        who.patch_json(f"/api/reviews/{review_id}", {"text": "Forged."}, headers=api_headers(who), status=403)
        who.delete(f"/api/reviews/{review_id}", headers=api_headers(who), status=403)
        page = who.get(f"/products/{asins[0]}")
        who.post(f"/products/{asins[0]}/reviews/{review_id}/delete", {"csrf_token": form_token(page)}, status=403)
    assert dbsession.execute(sa.text("SELECT text FROM reviews WHERE id = :id"), {"id": review_id}).scalar() == text


def test_votes_one_per_account_never_your_own_and_an_edit_clears_them(shopper, other, browser, asins, dbsession):
    review_id = write(shopper, asins[0]).json["review"]["id"]
    helpful = f"/api/reviews/{review_id}/helpful"
    assert other.post(helpful, headers=api_headers(other), status=200).json == {"review_id": review_id, "helpful_votes": 1}
    assert other.post(helpful, headers=api_headers(other), status=409).json["error"]["code"] == "already_voted"
    assert shopper.post(helpful, headers=api_headers(shopper), status=403).json["error"]["code"] == "forbidden"
    assert browser().post(helpful, status=401)
    other.post(helpful, status=403)  # no CSRF token
    third = browser()
    sign_up(third)
    assert third.post(helpful, headers=api_headers(third), status=200).json["helpful_votes"] == 2
    edited = shopper.patch_json(f"/api/reviews/{review_id}", {"rating": 4}, headers=api_headers(shopper), status=200)
    assert edited.json["review"]["helpful_votes"] == 0
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(ReviewVote).where(ReviewVote.review_id == review_id)) == 0
    assert other.post(helpful, headers=api_headers(other), status=200).json["helpful_votes"] == 1


def test_votes_on_imported_reviews_add_to_their_count(other, asins, dbsession):
    review_id, _ = imported_review(dbsession, asins[0])
    before = dbsession.execute(sa.text("SELECT helpful_votes FROM reviews WHERE id = :id"), {"id": review_id}).scalar()
    answer = other.post(f"/api/reviews/{review_id}/helpful", headers=api_headers(other), status=200)
    assert answer.json["helpful_votes"] == before + 1


def test_a_hidden_review_leaves_search_evidence_and_pages(shopper, other, moderator, asins, testapp, dbsession):
    review_id = write(shopper, asins[0]).json["review"]["id"]
    other.post(f"/api/reviews/{review_id}/hide", headers=api_headers(other), status=403)
    browser_anonymous = testapp
    browser_anonymous.post(f"/api/reviews/{review_id}/hide", status=401)
    assert found(testapp, "zorblish") == {asins[0]: 1}
    count_before = testapp.get(f"/api/products/{asins[0]}").json["review_count"]
    hidden = moderator.post(f"/api/reviews/{review_id}/hide", headers=api_headers(moderator), status=200).json["review"]
    assert hidden["hidden"] is True
    assert found(testapp, "zorblish") == {}
    assert testapp.get(f"/api/products/{asins[0]}").json["review_count"] == count_before - 1
    assert f'id="review-{review_id}"' not in testapp.get(f"/products/{asins[0]}", {"per_page": 50}).text
    assert f'id="review-{review_id}"' not in testapp.get(f"/products/{asins[0]}", {"review": review_id}).text
    other.get(f"/api/reviews/{review_id}", status=404)
    other.post(f"/api/reviews/{review_id}/helpful", headers=api_headers(other), status=404)
    # Its author still sees it, marked, and may delete it.
    assert "hidden by a moderator" in shopper.get("/account/").text
    shopper.delete(f"/api/reviews/{review_id}", headers=api_headers(shopper), status=204)


def test_moderators_hide_with_the_product_page_form(shopper, moderator, asins, testapp):
    review_id = write(shopper, asins[0]).json["review"]["id"]
    page = moderator.get(f"/products/{asins[0]}", {"review": review_id})
    form = page.html.find(id=f"review-{review_id}").find("form", action=lambda a: a and a.endswith("/hide"))
    assert form is not None
    moderator.post(form["action"], {"csrf_token": form_token(page)}, status=303)
    assert found(testapp, "zorblish") == {}
    assert "/hide" not in testapp.get(f"/products/{asins[0]}").text  # only moderators see the button


def index_snapshot(conn):
    """Everything a full rebuild writes that a partial one keeps up to date, as comparable rows."""
    queries = {
        "evidence": "SELECT product_id, evidence FROM product_evidence ORDER BY 1",
        "postings": "SELECT term, product_id, tf, length FROM product_terms ORDER BY 1, 2",
        "term_stats": "SELECT term, products, mentions, positive FROM term_stats ORDER BY 1",
        "product_term_stats": "SELECT term, products FROM product_term_stats ORDER BY 1",
        "search_stats": "SELECT documents, reviews, ratings, rating_points FROM search_stats",
        "aggregates": "SELECT product_id, review_count, rating_count, rating_average, stars_1, stars_2, stars_3, stars_4, "
        "stars_5 FROM product_stats ORDER BY 1",
    }
    return {name: conn.execute(sa.text(sql)).all() for name, sql in queries.items()}


def test_deleting_an_account_deletes_its_reviews_and_votes_and_the_index_follows(browser, other, asins, dbsession, testapp):
    leaving = browser()
    account = sign_up(leaving, display_name="Leaving")
    for asin in asins[:2]:
        write(leaving, asin, text=f"Terribly zorblish, {asin}.", rating=1)
    kept = write(other, asins[0], text="Honestly zorblish too.", rating=4).json["review"]["id"]
    leaving.post(f"/api/reviews/{kept}/helpful", headers=api_headers(leaving), status=200)
    imported_id, _ = imported_review(dbsession, asins[2])
    votes_before = dbsession.execute(sa.text("SELECT helpful_votes FROM reviews WHERE id = :id"), {"id": imported_id}).scalar()
    leaving.post(f"/api/reviews/{imported_id}/helpful", headers=api_headers(leaving), status=200)
    assert found(testapp, "zorblish") == {asins[0]: 2, asins[1]: 1}

    page = leaving.get("/account/")
    leaving.post("/account/delete", {"delete_password": PASSWORD, "csrf_token": form_token(page)}, status=303)

    assert dbsession.scalar(sa.select(sa.func.count()).select_from(User).where(User.email == account["email"])) == 0
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(Review).where(Review.reviewer_name == "Leaving")) == 0
    assert found(testapp, "zorblish") == {asins[0]: 1}
    helpful = dict(
        dbsession.execute(
            sa.text("SELECT id, helpful_votes FROM reviews WHERE id IN (:a, :b)"), {"a": kept, "b": imported_id}
        ).all()
    )
    assert helpful == {kept: 0, imported_id: votes_before}
    # The index kept up by the partial rebuilds equals one rebuilt from scratch.
    conn = dbsession.connection()
    kept_up = index_snapshot(conn)
    index_products(conn, None)
    assert index_snapshot(conn) == kept_up


def test_the_product_page_form_writes_edits_and_marks_your_review(shopper, other, asins, testapp):
    asin = asins[1]
    page = shopper.get(f"/products/{asin}")
    form = page.html.find(id="write-review").find("form")
    assert form.find("input", attrs={"name": "csrf_token"}) is not None
    answer = shopper.post(
        f"/products/{asin}/reviews",
        {"rating": "4", "summary": "Pretty zorblish", "text": "Zorblish in the best way.", "csrf_token": form_token(page)},
        status=303,
    )
    assert answer.location.startswith(f"http://example.com/products/{asin}#review-")
    review_id = int(answer.location.rsplit("-", 1)[1])
    page = shopper.get(f"/products/{asin}", {"review": review_id})
    mine = page.html.find(id=f"review-{review_id}")
    assert "Your review" in mine.text and mine.find("button", string="Helpful") is None
    assert page.html.find(id="write-review-title").text == "Edit your review"
    assert page.html.find(id="f-text").text == "Zorblish in the best way."
    # Another shopper sees a Helpful button on it, and after voting, the count.
    theirs = other.get(f"/products/{asin}", {"review": review_id})
    button = theirs.html.find(id=f"review-{review_id}").find("form", action=lambda a: a and a.endswith("/helpful"))
    other.post(button["action"], {"csrf_token": form_token(theirs)}, status=303)
    after = other.get(f"/products/{asin}", {"review": review_id}).html.find(id=f"review-{review_id}")
    assert "1 person found this helpful" in after.text and "You found this helpful" in after.text


def test_the_review_form_shows_errors_beside_the_fields_and_keeps_what_was_written(shopper, asins, dbsession):
    asin = asins[1]
    page = shopper.get(f"/products/{asin}")
    answer = shopper.post(
        f"/products/{asin}/reviews", {"summary": "Kept <b>", "text": "Kept text.", "csrf_token": form_token(page)}, status=200
    )
    assert "Choose from 1 to 5 stars." in answer.html.find(id="f-rating-error").text
    assert answer.html.find(id="f-summary")["value"] == "Kept <b>" and answer.html.find(id="f-text").text == "Kept text."
    # The page's own links are the product page's, not the form's address.
    assert answer.html.find("form", class_="review-search")["action"] == f"http://example.com/products/{asin}/#reviews"
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(Review).where(Review.text == "Kept text.")) == 0


def test_anonymous_shoppers_are_asked_to_sign_in_to_review(testapp, asins):
    section = testapp.get(f"/products/{asins[0]}").html.find(id="write-review")
    assert section.find("form") is None and "Sign in" in section.text


def test_your_account_lists_your_reviews_and_deletes_one(shopper, asins, testapp):
    review_id = write(shopper, asins[0]).json["review"]["id"]
    page = shopper.get("/account/")
    item = page.html.find(id=f"review-{review_id}")
    assert "Zorblish" in item.text
    form = item.find("form")
    answer = shopper.post(form["action"], {"csrf_token": form_token(page), "next": "/account/"}, status=303)
    assert answer.location == "http://example.com/account/"
    assert found(testapp, "zorblish") == {}


def test_an_account_made_by_the_service_signs_in_through_the_form(browser, dbsession):
    email = unique_email()
    AccountService(dbsession).sign_up(email, "Service Made", PASSWORD)
    b = browser()
    sign_in(b, email)
    assert b.get("/api/session").json["user"]["display_name"] == "Service Made"


def test_the_twenty_first_review_write_in_an_hour_is_429(shopper, asins):
    for i in range(20):
        write(shopper, asins[i % 2], text=f"Edit number {i}.", status="2*")
    answer = write(shopper, asins[2], status=429)
    assert answer.json["error"]["code"] and int(answer.headers["Retry-After"]) > 0


@pytest.mark.parametrize(
    "body, content_type",
    [
        ("[" * 100_000 + "]" * 100_000, "application/json"),  # nested deeper than the JSON parser recurses
        ('{"rating": 5, "text": "Zorblish."}', "application/json; charset=bogus"),  # no such encoding
        (b'{"rating": 5, "text": "\xff\xfe"}', "application/json"),  # not UTF-8
    ],
    ids=["deeply-nested", "unknown-charset", "not-utf8"],
)
def test_an_api_body_that_cannot_be_read_is_a_400_naming_the_body(shopper, asins, body, content_type, testapp):
    answer = shopper.post(
        f"/api/products/{asins[0]}/reviews",
        body.encode() if isinstance(body, str) else body,
        headers={**api_headers(shopper), "Content-Type": content_type},
        status=400,
    )
    assert answer.json["error"]["field"] == "body"
    assert found(testapp, "zorblish") == {}


def test_a_review_form_in_an_encoding_python_does_not_know_is_a_400_page(shopper, asins, dbsession):
    page = shopper.get(f"/products/{asins[0]}")
    body = f"rating=5&text=Zorblish.&csrf_token={form_token(page)}".encode()
    content_type = "application/x-www-form-urlencoded; charset=bogus"
    answer = shopper.post(f"/products/{asins[0]}/reviews", body, headers={"Content-Type": content_type}, status=400)
    assert "text/html" in answer.content_type and "body" in answer.text
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(Review).where(Review.text == "Zorblish.")) == 0
