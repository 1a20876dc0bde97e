"""Descriptor suggestions, "customers say", autocomplete and did-you-mean on real reviews (Blitzer et al.'s
electronics). Expected counts are recomputed here from the raw files (tests/functional/test_search.py's
parser and stemmer), not read back from the code under test.
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from webob.multidict import MultiDict

from amazen.search.documents import HEAD_TERMS
from amazen.search.query import parse_search
from amazen.search.spelling import edits1, osa_distance
from amazen.search.suggest import log_likelihood
from tests.functional.test_api import check, response_schema
from tests.functional.test_search import RAW, STEM, brute_force_evidence
from tests.reference_ranking import ReferenceSearch
from tests.shoppers import api_headers, post_review, signed_in_browser

GENERIC = {
    "great",
    "good",
    "product",
    "products",
    "works",
    "work",
    "bought",
    "buy",
    "amazon",
    "recommend",
    "love",
    "like",
    "use",
    "one",
    "really",
    "well",
    "time",
    "money",
    "item",
}


def stems_of(text):
    return {STEM(w) for w in re.findall(r"[a-z0-9]+", text.lower())}


def products_named(word):
    """asins whose product name has a word with the stem of ``word`` (what a query for it matches)."""
    target = STEM(word)
    return {asin for asin, reviews in RAW.items() if any(target in stems_of(name) for _, _, name in reviews.values())}


def products_whose_reviews_say(asins, word, least=1):
    """asins with at least ``least`` reviews whose text has a word with the stem of ``word``."""
    target = STEM(word)
    return {asin for asin in asins if sum(target in stems_of(text) for _, text, _ in RAW[asin].values()) >= least}


# Descriptor suggestions ---------------------------------------------------------------------------


def test_headphone_suggestions_are_about_sound_bass_or_comfort_and_never_generic(api, session):
    found = api.get("/api/suggest/descriptors", params={"q": "headphones"}).json
    descriptors = [s["descriptor"] for s in found["suggestions"]]
    assert 5 <= len(descriptors) <= 10
    assert {STEM(d) for d in descriptors} & {"sound", "bass", "comfort"}
    assert not {STEM(w) for d in descriptors for w in d.split()} & {STEM(g) for g in GENERIC}
    assert "headphones" not in descriptors and "headphone" not in descriptors  # the query itself says nothing new
    # Every matching product was read (fewer than 200 match), and each count is theirs: a product whose
    # reviews use more than HEAD_TERMS terms counts for one of them only when two of its reviews say it
    # and it is one of the HEAD_TERMS terms most of its reviews say (on a tie, in term order).
    matching = products_named("headphones")
    assert found["matching"] == found["considered"] == len(matching)
    terms = {}
    for asin, term, mentions in session[0].execute(
        sa.text("SELECT p.asin, e.term, e.mentions FROM descriptor_evidence e JOIN products p ON p.id = e.product_id")
    ):
        terms.setdefault(asin, []).append((-mentions, term))
    big = {asin for asin in matching if len(terms.get(asin, ())) > HEAD_TERMS}
    head = {asin: {term for _, term in sorted(t for t in terms[asin] if t[0] < -1)[:HEAD_TERMS]} for asin in big}
    assert big  # products whose head leaves terms out: what the counts are checked against
    for suggestion in found["suggestions"]:
        assert suggestion["positive_share"] is None or 0 <= suggestion["positive_share"] <= 1
        if " " not in suggestion["descriptor"]:
            word = suggestion["descriptor"]
            in_heads = {asin for asin in big if STEM(word) in head[asin]}
            saying = products_whose_reviews_say(matching - big, word) | products_whose_reviews_say(in_heads, word, least=2)
            assert suggestion["products"] == len(saying)


def test_suggestions_leave_out_descriptors_in_play_and_dismissed_ones(api):
    first = [s["descriptor"] for s in api.get("/api/suggest/descriptors", params={"q": "headphones"}).json["suggestions"]]
    wanted, dismissed = first[0], first[1]
    again = api.get("/api/suggest/descriptors", params=[("q", "headphones"), ("pos", wanted), ("dismissed", dismissed)]).json
    stems = {STEM(s["descriptor"]) for s in again["suggestions"]}
    assert STEM(wanted) not in stems and STEM(dismissed) not in stems
    assert again["suggestions"]


def test_suggestions_answer_empty_input_with_an_empty_list_and_bad_input_with_400(api):
    assert api.get("/api/suggest/descriptors").json["suggestions"] == []
    assert api.get("/api/suggest/descriptors", params={"q": "zzqxv"}).json["suggestions"] == []
    bad = api.get("/api/suggest/descriptors", params={"q": "headphones", "dismissed": "one two three four"}, status=400)
    assert bad.json["error"]["field"] == "dismissed"
    many = api.get("/api/suggest/descriptors", params=[("dismissed", f"word{i}") for i in range(51)], status=400)
    assert many.json["error"]["field"] == "dismissed"


def test_the_results_page_offers_suggestions_as_links_that_add_the_descriptor(api):
    page = BeautifulSoup(api.get("/search", params={"q": "headphones"}).text, "html.parser")
    links = page.select(".suggestions .suggestion a")
    assert links
    add = links[0]["href"]
    followed = BeautifulSoup(api.get(add).text, "html.parser")
    chips = [chip.get_text(" ", strip=True) for chip in followed.select(".chips .descriptor")]
    assert chips and chips[0].startswith("Want:")


# Did you mean --------------------------------------------------------------------------------------


@pytest.mark.parametrize("typo", ["hedphones", "haedphones", "headphoens", "hedphonez"])
def test_a_misspelt_query_offers_the_correction_with_its_hit_count(api, typo):
    found = api.get("/api/search", params={"q": typo}).json
    assert found["total"] == 0
    expected = {"query": "headphones", "pos": [], "neg": [], "total": len(products_named("headphones"))}
    assert found["did_you_mean"] == expected


def test_did_you_mean_keeps_the_other_words_and_stays_away_from_correct_queries(api):
    assert api.get("/api/search", params={"q": "headphones"}).json["did_you_mean"] is None
    assert api.get("/api/search", params={"q": "sony hedphones"}).json["did_you_mean"]["query"] == "sony headphones"
    assert api.get("/api/search", params={"q": "zzqxv"}).json["did_you_mean"] is None  # nothing close
    assert api.get("/api/search", params={"q": "hdp"}).json["did_you_mean"] is None  # too short to guess


def test_the_results_page_links_the_correction(api):
    page = BeautifulSoup(api.get("/search", params={"q": "hedphones"}).text, "html.parser")
    link = page.select_one(".did-you-mean a")
    assert link.get_text() == "headphones" and "q=headphones" in link["href"]


def reviews_saying(word):
    """How many raw reviews use a word with the stem of ``word``."""
    target = STEM(word)
    return sum(target in stems_of(text) for reviews in RAW.values() for _, text, _ in reviews.values())


def reference_total(session, **params):
    return ReferenceSearch(session[0]).search(parse_search(MultiDict(params))).total


def test_a_misspelt_wanted_descriptor_offers_the_far_more_used_word_with_its_total(api, session):
    # "confortable" is a real review word (one review), so it is not unknown: it quietly ranks by that review.
    assert reviews_saying("confortable") >= 1 and reviews_saying("comfortable") >= 20 * reviews_saying("confortable")
    found = api.get("/api/search", params={"q": "headphones", "pos": "confortable"}).json
    assert found["unknown_terms"] == []
    assert found["did_you_mean"] == {
        "query": "headphones",
        "pos": ["comfortable"],
        "neg": [],
        "total": reference_total(session, q="headphones", pos="comfortable"),
    }
    assert found["did_you_mean"]["total"] > 0


def test_a_misspelt_avoided_descriptor_is_corrected_too_and_a_correct_one_is_left_alone(api, session):
    found = api.get("/api/search", params={"q": "headphones", "neg": "cheep"}).json
    total = reference_total(session, q="headphones", neg="cheap")
    assert found["did_you_mean"] == {"query": "headphones", "pos": [], "neg": ["cheap"], "total": total}
    for params in (
        {"q": "headphones", "pos": "comfortable"},
        {"q": "headphones", "neg": "cheap"},
        {"pos": "comfort"},
        {"pos": "comfortable", "neg": "confortable"},  # the correction would both want and avoid it
    ):
        assert api.get("/api/search", params=params).json["did_you_mean"] is None, params


def test_every_descriptor_is_looked_up_in_one_statement_and_the_correction_ranked_once(api, electronics):
    typed = {"pos": ["confortable", "flimpsy", "qaulity"], "neg": ["cheep", "proboem"]}
    seen = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    sa.event.listen(electronics, "before_cursor_execute", note)
    try:
        found = api.get("/api/search", params={"q": "headphones", **typed}).json
    finally:
        sa.event.remove(electronics, "before_cursor_execute", note)
    offered = found["did_you_mean"]
    assert offered["pos"] == ["comfortable", "flimsy", "quality"] and offered["neg"] == ["cheap", "problem"]
    # Two searches planned (this one, the corrected one), each reading its descriptors' products; one
    # statement more finds every descriptor's correction.
    assert len([s for s in seen if "search_stats" in s]) == 2
    assert len([s for s in seen if "FROM term_stats" in s]) == 3


def test_the_results_page_links_the_corrected_descriptor_search(api):
    page = BeautifulSoup(
        api.get("/search", params={"q": "headphones", "pos": "confortable", "sort": "rating"}).text, "html.parser"
    )
    offered = page.select_one(".did-you-mean")
    link = offered.select_one("a")
    assert link.get_text() == "want “comfortable”"
    corrected = api.get("/api/search", params={"q": "headphones", "pos": "comfortable", "sort": "rating"}).json
    assert f"{corrected['total']:,} product" in offered.get_text()
    followed = parse_qs(urlsplit(link["href"]).query)
    assert followed == {"q": ["headphones"], "pos": ["comfortable"], "sort": ["rating"]}


def test_the_did_you_mean_object_validates_against_the_openapi_document(api):
    document = api.get("/api/openapi.json").json
    for params in ({"q": "headphones", "pos": "confortable"}, {"q": "hedphones", "neg": "cheep"}):
        found = api.get("/api/search", params=params).json
        assert found["did_you_mean"]["pos"] or found["did_you_mean"]["neg"]
        check(found, response_schema(document, "/api/search", "get", "200"), document)


def test_spelling_distance_counts_a_swap_as_one_edit():
    assert osa_distance("headphones", "haedphones") == 1
    assert osa_distance("kitten", "sitting") == 3
    assert osa_distance("abc", "abc") == 0
    assert "haedphones" in edits1("headphones") and "headphones" not in edits1("headphones")


def test_log_likelihood_is_zero_for_equal_rates_and_grows_with_the_difference():
    assert log_likelihood(10, 100, 100, 1000) == pytest.approx(0.0, abs=1e-9)
    assert 0 < log_likelihood(20, 100, 100, 1000) < log_likelihood(40, 100, 100, 1000)


# Autocomplete --------------------------------------------------------------------------------------


def test_head_completes_to_headphone_entries_most_used_first(api):
    completions = api.get("/api/suggest/complete", params={"prefix": "head"}).json["completions"]
    texts = [c["text"] for c in completions]
    assert "headphones" in texts and all(t.startswith("head") for t in texts)
    counts = [c["products"] for c in completions]
    assert counts == sorted(counts, reverse=True)
    # Products whose title has the word "headphones", counted from the raw files.
    titled = {
        asin
        for asin, reviews in RAW.items()
        if any(re.search(r"\bheadphones\b", name.lower()) for _, _, name in reviews.values())
    }
    assert completions[texts.index("headphones")]["products"] == len(titled)


def test_completion_continues_the_last_word_after_the_words_before_it(api):
    texts = [c["text"] for c in api.get("/api/suggest/complete", params={"prefix": "Sony  HEAD"}).json["completions"]]
    assert texts and all(t.startswith("sony head") for t in texts)


def test_completion_of_nothing_or_odd_input_is_an_empty_list_and_too_long_is_400(api):
    assert api.get("/api/suggest/complete").json == {"completions": []}
    assert api.get("/api/suggest/complete", params={"prefix": "%_\\"}).json == {"completions": []}
    assert api.get("/api/suggest/complete", params={"prefix": "x" * 201}, status=400).json["error"]["field"] == "prefix"


# Customers say ------------------------------------------------------------------------------------


def most_reviewed():
    return max(RAW, key=lambda asin: (len(RAW[asin]), asin))


def test_customers_say_counts_match_the_raw_reviews(api):
    asin = most_reviewed()
    says = api.get(f"/api/products/{asin}").json["customers_say"]
    assert says
    own = stems_of(next(iter(RAW[asin].values()))[2])
    for say in says:
        assert STEM(say["descriptor"].split()[0]) not in own or " " in say["descriptor"]
        assert not {STEM(w) for w in say["descriptor"].split()} & {STEM(g) for g in GENERIC}
        assert say["mentions"] >= 2
        if " " not in say["descriptor"]:
            mentions, positive, negative, neutral, _, stars = brute_force_evidence(asin, say["descriptor"])
            got = (say["mentions"], say["positive"], say["negative"], say["neutral"], say["stars"])
            assert got == (mentions, positive, negative, neutral, stars)


def test_choosing_what_customers_say_filters_the_reviews_to_those_that_mention_it(api):
    asin = most_reviewed()
    says = api.get(f"/api/products/{asin}").json["customers_say"]
    say = next(s for s in says if " " not in s["descriptor"])
    page = BeautifulSoup(api.get(say["reviews_url"]).text, "html.parser")
    note = page.select_one(".filter-note").get_text(" ", strip=True)
    assert f"“{say['descriptor']}”: {say['mentions']}" in note
    target = STEM(say["descriptor"])
    shown = page.select(".review-list .review")
    assert shown and all(target in stems_of(r.get_text(" ")) for r in shown)
    assert page.select_one(".say.active a").get_text() == say["descriptor"]


def test_a_malformed_say_parameter_is_a_400_page(api):
    asin = most_reviewed()
    assert (
        "That request did not look right" in api.get(f"/products/{asin}", params={"say": "one two three four"}, status=400).text
    )


# Freshness --------------------------------------------------------------------------------------


def test_corpus_totals_stay_exact_as_reviews_are_written(app, api, session):
    dbsession, _ = session
    asin = most_reviewed()
    for name in ("fresh-1", "fresh-2"):
        author = signed_in_browser(app, api.extra_environ, display_name=name)
        post_review(author, asin, {"rating": 5, "text": "The zorblax finish is superb. Great zorblax."})
    kept = dbsession.execute(sa.text("SELECT term, products, mentions, positive FROM term_stats ORDER BY 1")).all()
    recount = dbsession.execute(
        sa.text("SELECT term, count(*), sum(mentions), sum(positive) FROM descriptor_evidence GROUP BY term ORDER BY 1")
    ).all()
    assert kept == recount
    assert ("zorblax", 1, 2, 2) in kept
    says = api.get(f"/api/products/{asin}").json["customers_say"]
    assert any(s["descriptor"] == "zorblax" for s in says)  # two mentions, nowhere else: distinctive


def test_the_catalogs_review_and_rating_totals_stay_exact_as_reviews_are_written(app, api, session):
    # A written review moves the totals by difference instead of summing every product: after new
    # reviews, an account's second review replacing its first, and one deleted, they must equal a count
    # of the reviews table itself.
    dbsession, _ = session
    asin = most_reviewed()
    authors = {
        name: signed_in_browser(app, api.extra_environ, display_name=name) for name in ("totals-1", "totals-2", "totals-3")
    }
    for name, rating in (("totals-1", 1), ("totals-2", 2), ("totals-1", 4), ("totals-3", 5)):
        post_review(authors[name], asin, {"rating": rating, "text": "Fine."}, status="2*")
    deleted = post_review(authors["totals-2"], asin, {"rating": 2, "text": "Fine."}, status=200).json["review"]["id"]
    authors["totals-2"].delete(f"/api/reviews/{deleted}", headers=api_headers(authors["totals-2"]), status=204)
    kept = dbsession.execute(sa.text("SELECT reviews, ratings, rating_points, mean_rating FROM search_stats")).one()
    reviews, ratings, points = dbsession.execute(sa.text("SELECT count(*), count(rating), sum(rating) FROM reviews")).one()
    assert tuple(kept) == (reviews, ratings, points, points / ratings)
