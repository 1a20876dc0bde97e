"""Review-driven search on real reviews: Blitzer et al.'s electronics reviews (2,000 reviews of 1,299
products), imported once for this module inside a transaction that is rolled back at the end.

Expected values come from the raw files, parsed here with regular expressions and matched with an
independent implementation of the documented rule (see ``brute_force_evidence``).
"""

import html
import re
from collections import defaultdict

import pytest
import sqlalchemy as sa
import Stemmer
from bs4 import BeautifulSoup

from amazen.search.analyzer import COMPLAINT, NEUTRAL, NEUTRAL_NEGATED, PRAISE, STOP_WORDS, review_mentions
from tests.functional.conftest import ELECTRONICS
from tests.shoppers import api_headers, make_account, post_review


def raw_reviews():
    """asin -> {reviewer: (stars, title + text, product name)} from the raw pseudo-XML (last copy wins)."""
    products = defaultdict(dict)
    for path in ELECTRONICS:
        for block in re.findall(r"<review>(.*?)</review>", path.read_text(encoding="utf-8", errors="replace"), re.S):

            def field(tag):
                found = re.search(rf"<{tag}>\n?(.*?)\n?</{tag}>", block, re.S)
                return html.unescape(found.group(1).strip()) if found else ""

            reviewer = field("unique_id").rsplit(":", 1)[-1]
            products[field("asin")][reviewer] = (
                int(float(field("rating"))),
                f"{field('title')}\n{field('review_text')}",
                field("product_name"),
            )
    return products


RAW = raw_reviews()
STEM = Stemmer.Stemmer("english").stemWord


def brute_force_evidence(asin, word):
    """(mentions, positive, negative, neutral, negated neutral, 1-5 star counts) of ``word`` in the raw reviews
    of ``asin``.

    Which reviews mention the word, written again from the README: its stem among the review's words. What
    each mentioning review says of it (praise, complaint or neutral) is the analyzer's reading of that one
    raw review (its rules have tests of their own on hand-written sentences): the import must store the
    sum of them.
    """
    target = STEM(word)
    mentions = positive = negative = neutral = neutral_negated = 0
    stars = [0] * 5
    for rating, text in ((r, t) for r, t, _ in RAW[asin].values()):
        words = re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower().replace("’", "'"))
        if not any(STEM(w.replace("'", "")) == target for w in words if w not in STOP_WORDS):
            continue
        mentions += 1
        said = review_mentions(None, text)[target]
        positive += said == PRAISE
        negative += said == COMPLAINT
        neutral += said in (NEUTRAL, NEUTRAL_NEGATED)
        neutral_negated += said == NEUTRAL_NEGATED
        stars[rating - 1] += 1
    return mentions, positive, negative, neutral, neutral_negated, stars


def said_of(asin, word, sign):
    """What the reviews of ``asin`` say for a wanted (``sign`` 1) or avoided (-1) ``word``, as the ranking
    counts it (docs/ranking.md): the wanted word's praise or the avoided word's complaints, less the
    reverse, plus the neutral mentions said plainly, less the negated ones."""
    _, positive, negative, neutral, neutral_negated, _ = brute_force_evidence(asin, word)
    return sign * (positive - negative) + neutral - 2 * neutral_negated


def named_in(category):
    """asins whose raw product name ends with the category (": Electronics", then maybe the maker)."""
    return {
        asin
        for asin, reviews in RAW.items()
        if re.search(rf":\s*{re.escape(category)}\s*(:|$)", next(iter(reviews.values()))[2], re.I)
    }


def search(api, **params):
    return api.get("/api/search", params=params).json


def headphones_with(word):
    """asins of headphone products (by name) whose raw reviews use ``word`` / never use it."""
    says, never = [], []
    for asin, reviews in RAW.items():
        names = {name.lower() for _, _, name in reviews.values()}
        if not any("headphone" in name for name in names):
            continue
        text = " ".join(t.lower() for _, t, _ in reviews.values())
        (says if word in text else never).append(asin)
    return says, never


def test_a_headphone_whose_reviews_say_comfortable_ranks_above_one_whose_reviews_do_not(api):
    says, _ = headphones_with("comfortable")
    # Never mentioned, in any form the stemmer folds together ("comfort", "comfortably").
    never = [a for a in sum(headphones_with("comfortable"), []) if brute_force_evidence(a, "comfortable")[0] == 0]
    assert says and never  # the data has both kinds
    body = search(api, q="headphones", pos="comfortable", per_page=100)
    order = [r["asin"] for r in body["results"]]
    # Mostly positive: more reviews call it comfortable than say it is not.
    positives = [a for a in says if said_of(a, "comfortable", 1) > 0]
    assert positives
    best_with = min(order.index(a) for a in positives if a in order)
    best_without = min(order.index(a) for a in never if a in order)
    assert best_with < best_without
    # Every headphone that reviewers mostly call comfortable ranks above every one they never mention it for.
    assert max(order.index(a) for a in positives if a in order) < best_without
    top = body["results"][0]["evidence"][0]
    assert top["descriptor"] == "comfortable" and top["polarity"] == "+" and top["positive"] > 0


def test_the_query_alone_and_descriptors_alone_both_work(api):
    alone = search(api, q="headphones")
    assert alone["total"] > 0 and all(r["evidence"] == [] for r in alone["results"])
    assert all("headphone" in r["title"].lower() or "head" in r["title"].lower() for r in alone["results"][:10])
    described = search(api, pos="comfortable")
    mentioning = {a for a in RAW if brute_force_evidence(a, "comfortable")[0] > 0}
    assert described["total"] == len(mentioning)


def test_a_negative_descriptor_demotes_products_whose_reviews_say_it(api):
    plain = [r["asin"] for r in search(api, q="headphones", per_page=100)["results"]]
    avoided = search(api, q="headphones", neg="broke", per_page=100)
    order = [r["asin"] for r in avoided["results"]]
    assert sorted(order) == sorted(plain)  # demoted, not filtered out
    broke = [a for a in order if said_of(a, "broke", -1) > 0]
    clean = [a for a in order if brute_force_evidence(a, "broke")[0] == 0]
    assert broke and clean
    assert max(order.index(a) for a in clean) < min(order.index(a) for a in broke)
    for result in avoided["results"]:
        assert result["evidence"][0]["polarity"] == "-"


def test_not_comfortable_counts_against_comfortable(api, session):
    dbsession, _ = session
    # A product whose reviews negate "comfortable" ("not comfortable", "isn't very comfortable").
    negated = [a for a in RAW if brute_force_evidence(a, "comfortable")[2] > 0]
    assert negated, "the electronics reviews contain a negated 'comfortable'"
    asin = negated[0]
    body = search(api, pos="comfortable", per_page=100)
    evidence = {r["asin"]: r["evidence"][0] for r in body["results"]}
    mentions, positive, negative, *_ = brute_force_evidence(asin, "comfortable")
    if asin in evidence:  # products whose only mentions are negative may fall past the page
        assert (evidence[asin]["positive"], evidence[asin]["negative"]) == (positive, negative)
    # A review that says "not comfortable at all" lowers the product against the same review saying it is.
    product_id = dbsession.execute(sa.text("SELECT id FROM products WHERE asin = 'B000065BP9'")).scalar()
    from amazen.catalog.services import CatalogService
    from amazen.models import Product

    service = CatalogService(dbsession)
    product = dbsession.get(Product, product_id)
    before = {r["asin"]: r for r in search(api, q="headphones", pos="comfortable", per_page=100)["results"]}["B000065BP9"]
    service.write_review(product, make_account(dbsession), rating=2, summary="Hurts", text="These are not comfortable at all.")
    after = {r["asin"]: r for r in search(api, q="headphones", pos="comfortable", per_page=100)["results"]}["B000065BP9"]
    assert after["evidence"][0]["negative"] == before["evidence"][0]["negative"] + 1
    assert after["evidence"][0]["positive"] == before["evidence"][0]["positive"]
    assert after["score"] < before["score"]


def test_evidence_counts_equal_a_brute_force_count_of_the_raw_reviews(api):
    words = ["comfortable", "sound", "battery", "easy", "quality", "cheap", "broke", "recommend", "return", "work"]
    checked = 0
    for word in words:
        body = search(api, pos=word, per_page=100)
        for result in body["results"][:10] + body["results"][-3:]:
            mentions, positive, negative, neutral, _, stars = brute_force_evidence(result["asin"], word)
            evidence = result["evidence"][0]
            got = (evidence["mentions"], evidence["positive"], evidence["negative"], evidence["neutral"], evidence["stars"])
            assert got == (mentions, positive, negative, neutral, stars), (word, result["asin"])
            assert evidence["share"] == round(mentions / len(RAW[result["asin"]]), 4)
            checked += 1
    assert checked >= 100


def test_quotes_mark_the_matched_words_and_link_to_the_review(api):
    body = search(api, q="headphones", pos="comfortable")
    quote = body["results"][0]["evidence"][0]["quotes"][0]
    assert re.search(r"<mark>comfort\w*</mark>", quote["text"], re.I)
    assert "?review=" in quote["review_url"] and "#review-" in quote["review_url"]
    page = api.get(quote["review_url"].replace("http://example.com", ""))
    review_id = quote["review_url"].rsplit("-", 1)[1]
    quoted = BeautifulSoup(page.text, "html.parser").select_one(f"#review-{review_id}")
    assert quoted is not None and "quoted" in quoted["class"]


def test_the_total_is_exact_and_pages_are_stable(api):
    first = search(api, pos="work", per_page=7)
    total = first["total"]
    assert total == len({a for a in RAW if brute_force_evidence(a, "work")[0] > 0})
    seen = []
    page = 1
    while True:
        body = search(api, pos="work", per_page=7, page=page)
        if not body["results"]:
            break
        seen += [r["asin"] for r in body["results"]]
        page += 1
    assert len(seen) == total == len(set(seen))


def test_deep_pages_have_no_cap(api):
    body = search(api, per_page=1, page=1200)  # no query, no descriptor: the whole catalog
    assert body["total"] >= 1299 and len(body["results"]) == 1


def test_unknown_terms_are_reported_and_zero_results_explained(api):
    body = search(api, q="xyzzy")
    assert body["total"] == 0 and body["unknown_terms"] == ["xyzzy"] and "xyzzy" in body["message"]
    mixed = search(api, q="headphones xyzzy", pos="qwertyuiop")
    assert mixed["unknown_terms"] == ["xyzzy", "qwertyuiop"] and mixed["total"] == search(api, q="headphones")["total"]


def test_phrases_and_exclusions(api):
    phrase = search(api, q='"noise cancelling"', per_page=100)
    for r in phrase["results"]:
        assert re.search(r"noise[- ]cancel", r["title"], re.I), r["title"]
    without = search(api, q="headphones -sennheiser", per_page=100)
    assert without["total"] > 0 and not any("sennheiser" in r["title"].lower() for r in without["results"])
    assert without["total"] < search(api, q="headphones")["total"]


def test_filters_and_facets_count_exactly(api):
    body = search(api, q="headphones", per_page=100)
    rating_facet = {f["min"]: f["count"] for f in body["facets"]["rating"]}
    for stars in (4, 3):
        filtered = search(api, q="headphones", rating_min=stars, per_page=100)
        assert filtered["total"] == rating_facet[stars]
        assert all(r["rating"] >= stars for r in filtered["results"])
    category = body["facets"]["category"][0]
    assert search(api, q="headphones", category=category["value"])["total"] == category["count"]


def test_a_category_alone_lists_every_product_in_it(api):
    """Without a query or a wanted descriptor, the candidates are the category's products (read from its
    list, not the whole catalog); one product of the electronics files is a video game accessory."""
    facets = {f["name"]: f for f in search(api)["facets"]["category"]}
    for name in ("Electronics", "Computer & Video Games"):
        listed = search(api, category=facets[name]["value"], sort="reviews", per_page=100, page=1)
        assert listed["total"] == facets[name]["count"] == len(named_in(name))
        most_reviewed = max(len(RAW[asin]) for asin in named_in(name))
        assert listed["results"][0]["review_count"] == most_reviewed
    assert len(named_in("Computer & Video Games")) == 1 and len(named_in("Electronics")) + 1 == len(RAW)


def test_descriptors_alone_in_a_category_find_its_products_whose_reviews_use_them(api):
    """ "The most comfortable products in a category": the category's products some review mentions a
    wanted descriptor of. In the one-product category the descriptor's evidence, which far more products
    have, is read only at that product; in electronics it is read whole."""
    categories = {f["name"]: f["value"] for f in search(api)["facets"]["category"]}
    (game,) = named_in("Computer & Video Games")
    word = next(w for w in ("great", "easy", "price", "work", "buy") if brute_force_evidence(game, w)[0])
    assert sum(1 for asin in RAW if brute_force_evidence(asin, word)[0]) >= 2  # the case this test is for
    body = search(api, category=categories["Computer & Video Games"], pos=word)
    assert body["total"] == 1 and body["results"][0]["asin"] == game
    assert body["results"][0]["evidence"][0]["mentions"] == brute_force_evidence(game, word)[0]

    comfortable = {asin for asin in named_in("Electronics") if brute_force_evidence(asin, "comfortable")[0]}
    body = search(api, category=categories["Electronics"], pos="comfortable", per_page=100)
    assert body["total"] == len(comfortable) > 10
    assert {r["asin"] for r in body["results"]} <= comfortable


def test_a_category_named_by_its_name_or_its_path_in_any_case_finds_the_same(api):
    """The category filter takes a category's display name as well as its path, either in any case; the
    search answers with the path, which its facet links use too."""
    paths = {f["name"]: f["value"] for f in search(api)["facets"]["category"]}
    game, electronics = paths["Computer & Video Games"], paths["Electronics"]
    assert game != "Computer & Video Games".lower()  # the name is not the path in another case
    expected = search(api, category=game, sort="reviews", per_page=100)
    assert expected["total"] == 1 and expected["query"]["category"] == game
    for typed in ("Computer & Video Games", "computer & video games", "COMPUTER & VIDEO GAMES", game.upper()):
        assert search(api, category=typed, sort="reviews", per_page=100) == expected, typed
    expected = search(api, q="headphones", pos="comfortable", category=electronics)
    assert expected["total"] > 10
    assert search(api, q="headphones", pos="comfortable", category="eLeCtRoNiCs") == expected
    suggested = api.get("/api/suggest/descriptors", params={"q": "headphones", "category": electronics}).json
    assert suggested["matching"] == expected["total"] and suggested["suggestions"]
    assert api.get("/api/suggest/descriptors", params={"q": "headphones", "category": "ELECTRONICS"}).json == suggested

    page = BeautifulSoup(api.get("/search", params={"q": "headphones", "category": "computer & video games"}).text, "html.parser")
    assert "Computer & Video Games" in [current.get_text(strip=True) for current in page.select("[aria-current]")]


def test_a_category_name_several_categories_share_is_a_400_naming_their_paths(api, session):
    dbsession, _ = session
    dbsession.execute(
        sa.text(
            "INSERT INTO categories (parent_id, slug, path, name, depth)"
            " SELECT id, 'cables', path || '/cables', 'Cables', depth + 1 FROM categories WHERE parent_id IS NULL"
        )
    )
    paths = dbsession.execute(sa.text("SELECT path FROM categories WHERE name = 'Cables' ORDER BY path")).scalars().all()
    assert len(paths) >= 2
    error = api.get("/api/search", params={"q": "cable", "category": "cables"}, status=400).json["error"]
    assert error["code"] == "invalid_parameter" and error["field"] == "category"
    assert all(path in error["message"] for path in paths), error
    error = api.get("/api/suggest/descriptors", params={"category": "CABLES"}, status=400).json["error"]
    assert error["field"] == "category" and all(path in error["message"] for path in paths)
    page = api.get("/search", params={"category": "Cables"}, status=400)
    assert "That request did not look right" in page.text and "<code>category</code>" in page.text
    assert all(html.escape(path) in page.text for path in paths)
    # Its path still names one of them.
    assert search(api, category=paths[0].upper())["query"]["category"] == paths[0]


def test_an_unknown_category_is_a_400(api):
    error = api.get("/api/search", params={"category": "Garden Gnomes"}, status=400).json["error"]
    assert error == {
        "code": "invalid_parameter",
        "field": "category",
        "message": "no category 'Garden Gnomes' (give a category's path or name)",
    }
    page = api.get("/search", params={"q": "mug", "category": "garden gnomes"}, status=400)
    assert "That request did not look right" in page.text and "<code>category</code>" in page.text
    assert "Traceback" not in page.text


@pytest.mark.parametrize("sort, key, reverse", [("rating", "rating", True), ("reviews", "review_count", True)])
def test_sorts(api, sort, key, reverse):
    results = search(api, q="headphones", sort=sort, per_page=100)["results"]
    values = [r[key] if r[key] is not None else -1 for r in results]
    assert values == sorted(values, reverse=reverse)


def test_explain_returns_the_score_components(api):
    result = search(api, q="headphones", pos="comfortable", explain=1)["results"][0]
    parts = result["explain"]
    assert abs(parts["relevance"] + parts["descriptors"] + parts["rating_prior"] + parts["popularity"] - result["score"]) < 1e-5
    assert parts["bm25"] > 0 and parts["descriptors"] > 0


@pytest.mark.parametrize(
    "params, field",
    [
        ({"q": "x" * 201}, "q"),
        ({"pos": ["a", "b", "c", "d", "e", "f"]}, "pos"),
        ({"pos": "x" * 61}, "pos"),
        ({"pos": "good battery life lasts"}, "pos"),
        ({"neg": "the"}, "neg"),
        ({"price_min": "cheap"}, "price_min"),
        ({"price_min": "nan"}, "price_min"),
        ({"price_min": "50", "price_max": "10"}, "price_max"),
        ({"rating_min": "7"}, "rating_min"),
        ({"sort": "best"}, "sort"),
        ({"page": "abc"}, "page"),
        ({"explain": "maybe"}, "explain"),
        ({"category": "no/such/category"}, "category"),
        ({"pos": "comfortable", "neg": "comfortable"}, "neg"),
    ],
)
def test_bad_parameters_are_400_json(api, params, field):
    response = api.get("/api/search", params=params, status=400)
    assert response.content_type == "application/json"
    assert response.json["error"]["field"] == field and response.json["error"]["message"]


def test_the_results_page_escapes_user_text(api):
    page = api.get("/search", params={"q": "<script>alert(1)</script>", "pos": "<i>comfortable"})
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<i>comfortable" not in page.text and "&lt;i&gt;comfortable" in page.text


def test_the_results_page_keeps_the_whole_state_in_links(api):
    page = api.get("/search", params={"q": "headphones", "pos": ["comfortable", "bass"], "neg": "broke"})
    soup = BeautifulSoup(page.text, "html.parser")
    assert len(soup.select(".result")) > 0
    chips = soup.select(".descriptor")
    assert [c.get_text(" ", strip=True).split(":")[0] for c in chips] == ["Want", "Want", "Avoid"]
    remove = [a["href"] for a in soup.select(".descriptor a") if a.get("aria-label") == "Remove bass"][0]
    assert "pos=comfortable" in remove and "pos=bass" not in remove and "neg=broke" in remove and "q=headphones" in remove
    after = api.get(remove.replace("http://example.com", ""))
    assert [c.get_text(" ", strip=True) for c in BeautifulSoup(after.text, "html.parser").select(".descriptor")][:1]
    next_link = soup.select_one("a[rel=next]")
    assert next_link is not None and "page=2" in next_link["href"] and "neg=broke" in next_link["href"]


def test_a_review_written_through_the_api_is_searchable_on_the_next_request(api, author):
    assert search(api, pos="zanzibarish")["total"] == 0
    post_review(author, "B000065BP9", {"rating": 5, "summary": "Zanzibarish", "text": "Wonderfully zanzibarish sound."})
    body = search(api, pos="zanzibarish")
    assert body["total"] == 1 and body["results"][0]["asin"] == "B000065BP9"
    assert body["results"][0]["evidence"][0]["mentions"] == 1


def test_search_results_show_a_written_reviews_count_and_rating_on_the_next_request(api, session, author):
    """Ranking reads a product's counts, rating and other facts from the packed index, where they are
    copied for speed: a written review must refresh that copy in its own transaction (test_ranking.py
    decodes every copy and compares it with the products)."""
    asin = "B00008RS97"  # Koss UR29 Collapsible Portable Headphones

    def shown():
        return next(r for r in search(api, q="koss headphones")["results"] if r["asin"] == asin)

    stars = [rating for rating, _, _ in RAW[asin].values()]
    before = shown()
    assert before["review_count"] == len(stars) and before["rating"] == pytest.approx(sum(stars) / len(stars), abs=5e-4)
    post_review(author, asin, {"rating": 1, "text": "Broke."})
    after = shown()
    assert after["review_count"] == len(stars) + 1
    assert after["rating"] == pytest.approx((sum(stars) + 1) / (len(stars) + 1), abs=5e-4)  # shown to 3 places


def test_a_rare_and_a_common_query_word_find_exactly_the_products_named_with_both(api, session):
    """The rarest query word's products are the candidates, and a word far more common is looked up at
    those products only: the products found must be the same as reading both words' postings whole."""
    named = {
        asin
        for asin, reviews in RAW.items()
        for _, _, name in list(reviews.values())[:1]
        if {"koss", "headphon"} <= {STEM(w) for w in re.findall(r"[a-z0-9]+", name.lower())}
    }
    assert len(named) == 7
    counted = dict(
        session[0]
        .execute(sa.text("SELECT term, count(*) FROM product_terms WHERE term IN ('koss', 'headphon') GROUP BY term"))
        .all()
    )
    kept = dict(
        session[0].execute(sa.text("SELECT term, products FROM product_term_stats WHERE term IN ('koss', 'headphon')")).all()
    )
    assert kept == counted and counted["headphon"] > 4 * counted["koss"]  # the case this test is for
    body = search(api, q="koss headphones", per_page=100)
    assert body["total"] == len(named) and {r["asin"] for r in body["results"]} == named
    assert search(api, q="headphones koss", per_page=100)["results"] == body["results"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"text": "ok"}, "rating"),
        ({"rating": 9, "text": "ok"}, "rating"),
        ({"rating": 5}, "text"),
        ({"rating": 5, "text": 5}, "text"),
        ({"reviewer_id": "x", "rating": 5, "text": "ok"}, "reviewer_id"),
    ],
)
def test_bad_reviews_are_400_json(author, body, field):
    response = post_review(author, "B000065BP9", body, status=400)
    assert response.json["error"]["field"] == field


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"rating": 3, "text": "Fine.\u0000"}, "text", "must not contain a NUL character"),
        ({"rating": 3, "summary": "\u0000", "text": "Fine."}, "summary", "must not contain a NUL character"),
        ({"rating": 3, "summary": "Fine \udcd6", "text": "Fine."}, "summary", "must be text: it has half of a surrogate pair"),
    ],
)
def test_a_review_with_characters_no_text_column_holds_is_400_json_and_writes_nothing(api, author, body, field, message):
    """JSON can escape a NUL or half of a surrogate pair; PostgreSQL can store neither: a clear 400, never a 500."""
    before = api.get("/api/products/B000065BP9").json["review_count"]
    response = post_review(author, "B000065BP9", body, status=400)
    assert response.json["error"] == {"code": "invalid_parameter", "message": message, "field": field}
    assert api.get("/api/products/B000065BP9").json["review_count"] == before


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"])
def test_a_review_posted_the_way_another_site_could_is_refused_and_writes_nothing(api, author, content_type):
    """A page on another site can make a browser POST only these content types without asking first
    (a CORS preflight, which Amazen never grants), and it cannot read the session's CSRF token: such a
    request, with the shopper's cookie but without the token, is refused; the write API also takes
    JSON alone, even with the token."""
    before = api.get("/api/products/B000065BP9").json["review_count"]
    forged = '{"rating": 1, "text": "Forged."}'
    headers = {"Content-Type": content_type, "Origin": "https://elsewhere.example"}
    response = author.post("/api/products/B000065BP9/reviews", forged, status=403, headers=headers)
    assert response.json["error"]["code"] == "csrf"
    response = author.post(
        "/api/products/B000065BP9/reviews", forged, status=400, headers={"Content-Type": content_type, **api_headers(author)}
    )
    assert response.json["error"]["field"] == "body"
    preflight = author.options(
        "/api/products/B000065BP9/reviews",
        expect_errors=True,
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-csrf-token",
        },
    )
    # OPTIONS answers which methods the address takes, but grants no other site anything: without an
    # Access-Control-Allow-Origin in the answer, a browser never sends the request it asked about.
    assert not any(name.lower().startswith("access-control-") for name in [*response.headers, *preflight.headers])
    assert api.get("/api/products/B000065BP9").json["review_count"] == before


def test_products_api(api):
    body = api.get("/api/products/B000065BP9").json
    mentions = RAW["B000065BP9"]
    assert body["review_count"] == len(mentions)
    assert sum(body["rating"]["histogram"].values()) == len(mentions)
    assert api.get("/api/products/NOPE", status=404).json["error"]["code"] == "not_found"


def test_an_avoided_descriptor_alone_ranks_the_whole_catalog_and_demotes_what_it_names(api, session):
    body = search(api, neg="flimsy", per_page=100, page=1)
    products = session[0].execute(sa.text("SELECT count(*) FROM products")).scalar()
    assert body["total"] == search(api)["total"] == products > 0
    flimsy = [a for a in RAW if said_of(a, "flimsy", -1) > 0]
    assert flimsy, "some electronics reviews call a product flimsy"
    assert not {r["asin"] for r in body["results"]} & set(flimsy)
