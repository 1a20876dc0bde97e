"""Work per request does not grow with the catalog: the analyzer reads a bounded number of reviews for a
product page's ?say=, and a search that finds nothing works out what to drop in a bounded number of
ranking passes. Each bound is counted by wrapping the real function; the answers are checked against
an independent count."""

from dataclasses import replace

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from webob.multidict import MultiDict

from amazen.catalog import services as catalog_services
from amazen.models import Product, Review
from amazen.search import ranking
from amazen.search.indexer import index_products
from amazen.search.query import parse_query, parse_search, query_parts, without_part
from amazen.search.service import MAX_RELAXATIONS, SearchService
from amazen.search.spelling import corrections
from tests.reference_ranking import ReferenceSearch
from tests.shoppers import make_account

REVIEWS = 150
PER_PAGE = 10


def counting(monkeypatch, owner, name):
    """Wrap ``owner.name`` (the real function, which still does the work) and count its calls."""
    real = getattr(owner, name)
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return calls


@pytest.fixture
def statements(dbengine):
    """Every statement the database driver is handed."""
    seen = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    sa.event.listen(dbengine, "before_cursor_execute", note)
    yield seen
    sa.event.remove(dbengine, "before_cursor_execute", note)


def review_text(i):
    """Every third review says it is sturdy, every third that it is not (a mention too); the rest only
    share the stem's letters ("sturdwell"), which the database's narrowing lets through."""
    return ("Very sturdy frame.", "Not sturdy at all.", "The Sturdwell case fits.")[i % 3]


@pytest.fixture
def many_reviews(dbsession):
    """A product with REVIEWS reviews, indexed; (its asin, the ids of those that mention "sturdy" in the
    page's default order: most helpful first, then oldest)."""
    product = Product(asin="B0BOUNDED1", title="Bounded test stand", brand="Testbrand")
    dbsession.add(product)
    dbsession.flush()
    reviews = [
        Review(
            product_id=product.id,
            reviewer_id=f"bounded-{i}",
            rating=1 + i % 5,
            summary="Stand",
            text=review_text(i),
            helpful_votes=(i * 7) % 11,
        )
        for i in range(REVIEWS)
    ]
    dbsession.add_all(reviews)
    dbsession.flush()
    index_products(dbsession.connection(), [product.id])
    dbsession.expire_all()
    saying = sorted((r for i, r in enumerate(reviews) if i % 3 != 2), key=lambda r: (-r.helpful_votes, r.id))
    return product.asin, [r.id for r in saying]


def shown_ids(response):
    page = BeautifulSoup(response.text, "html.parser")
    return [int(item["id"].removeprefix("review-")) for item in page.select(".review-list .review")]


def test_a_say_page_reads_a_bounded_number_of_reviews_however_many_mention_it(testapp, many_reviews, monkeypatch):
    asin, _ = many_reviews
    read = counting(monkeypatch, catalog_services, "review_mentions")
    testapp.get(f"/products/{asin}", params={"say": "sturdy", "per_page": PER_PAGE})
    # Page n needs its n pages of matches: two in three candidates match, so a few pages' worth of
    # candidates, not all REVIEWS of them.
    assert 0 < len(read) <= 3 * PER_PAGE
    read.clear()
    testapp.get(f"/products/{asin}", params={"say": "sturdy", "per_page": PER_PAGE, "page": 3})
    assert 3 * PER_PAGE <= len(read) <= 6 * PER_PAGE


def test_a_say_page_never_reads_more_than_its_cap(testapp, many_reviews, monkeypatch):
    asin, _ = many_reviews
    monkeypatch.setattr(catalog_services, "MAX_MENTION_READ", 40, raising=False)
    read = counting(monkeypatch, catalog_services, "review_mentions")
    # With ?rq= as well the index has no count, so the read goes as far as it may.
    testapp.get(f"/products/{asin}", params={"say": "sturdy", "rq": "stand"})
    assert len(read) == 40


def test_say_pages_show_every_mentioning_review_once_in_order_with_the_exact_count(testapp, many_reviews):
    asin, saying = many_reviews
    shown, url = [], f"/products/{asin}?say=sturdy&per_page={PER_PAGE}"
    while url:
        response = testapp.get(url)
        note = BeautifulSoup(response.text, "html.parser").select_one(".filter-note").get_text(" ", strip=True)
        assert f"“sturdy”: {len(saying)}" in note
        shown += shown_ids(response)
        nxt = response.html.find("a", rel="next")
        url = nxt["href"] if nxt else None
    assert shown == saying
    # A page past the end shows the last one, as every listing does.
    last = testapp.get(f"/products/{asin}", params={"say": "sturdy", "per_page": PER_PAGE, "page": 99})
    assert shown_ids(last) == saying[-(len(saying) % PER_PAGE or PER_PAGE) :]


def test_say_with_review_words_counts_what_it_shows(testapp, many_reviews, dbsession):
    asin, saying = many_reviews
    # Independently: the mentioning reviews whose text has "not".
    with_not = [
        review_id
        for review_id in saying
        if "not" in dbsession.execute(sa.select(Review.text).where(Review.id == review_id)).scalar_one().lower()
    ]
    response = testapp.get(f"/products/{asin}", params={"say": "sturdy", "rq": "not", "per_page": 100})
    assert shown_ids(response) == with_not
    note = BeautifulSoup(response.text, "html.parser").select_one(".filter-note").get_text(" ", strip=True)
    assert f": {len(with_not)}" in note


# What to drop --------------------------------------------------------------------------------------------

# Searches of many parts that find nothing on the demo catalog: one part contradicts the rest (a knife
# among headphone words, a speaker brand on headphones, a brand it does not have), so dropping it finds
# products. That part is a query word that is not the rarest, the rarest word, a filter, a filter on
# wanted descriptors without a query, and a word no product uses.
NOTHING_FOUND = [
    [
        ("q", 'bluetooth headphones -refurbished "noise cancelling" over knife'),
        ("pos", "comfortable"),
        ("pos", "bass"),
        ("price_max", "400"),
        ("rating_min", "1"),
        ("category", "Electronics"),
    ],
    [("q", "bluetooth over knife"), ("brand", "Echora"), ("price_min", "5")],
    [("q", "headphones over bass"), ("brand", "Boomcraft"), ("price_min", "5"), ("rating_min", "1")],
    [("pos", "comfortable"), ("pos", "sharp"), ("pos", "quiet"), ("brand", "Sonique"), ("rating_min", "1"), ("price_max", "500")],
    [("q", "zyzzogeton"), ("brand", "Echora"), ("rating_min", "1")],
]


def expected_drops(session, request):
    """The hints the old, one-ranking-per-part way gives, each part's total from the SQL reference
    ranking (tests/reference_ranking.py): [(kind, value, total)], most found first."""
    reference = ReferenceSearch(session)
    tries = [
        ("q", i, replace(request, query=parse_query(without_part(request.query.text, i))))
        for i in range(len(query_parts(request.query.text)))
    ]
    tries += [
        ("pos", d.text, replace(request, descriptors=[x for x in request.descriptors if x is not d])) for d in request.positive
    ]
    tries += [
        ("category", request.category, replace(request, category=None)),
        ("brand", request.brand, replace(request, brand=None)),
        ("price", None, replace(request, price_min=None, price_max=None)),
        ("rating_min", request.rating_min, replace(request, rating_min=None)),
    ]
    found = []
    for kind, value, relaxed in tries:
        if relaxed != request:
            total, _ = reference.ranked_ids(replace(relaxed, page=1), 0)
            if total:
                found.append((kind, value, total))
    return sorted(found, key=lambda f: -f[2])


@pytest.mark.parametrize("params", NOTHING_FOUND)
def test_a_search_of_many_parts_that_finds_nothing_works_out_what_to_drop_in_few_reads(dbsession, monkeypatch, params):
    request = parse_search(MultiDict(params))
    service = SearchService(dbsession)
    found = service.search(request)
    assert found.total == 0
    request = found.request  # its category as a path, as the page asks
    reads = counting(monkeypatch, ranking, "copy_rows")  # every read of the index
    drops = service.relaxations(request)
    # One read counts every part whose removal keeps the candidates;
    # the part that picks them (the rarest query word, or the wanted descriptors without a query) is
    # ranked on its own: a read of its terms and one of its descriptors; and, without a cache, a read of
    # the candidates' facts.
    assert len(reads) <= 4
    expected = expected_drops(dbsession, request)[:MAX_RELAXATIONS]
    assert drops and drops == expected, (drops, expected, len(reads))


# Did you mean ----------------------------------------------------------------------------------------

# Title words of the demo's headphones, each misspelt (one and two edits away), and what they mean.
MISSPELT = {"wirelss": "wireless", "blutooth": "bluetooth", "hedphones": "headphones", "bluettooth": "bluetooth"}


def test_did_you_mean_looks_up_every_word_of_a_long_query_in_two_statements(testapp, statements):
    words = list(MISSPELT) * 3  # twelve words, the most a query has
    found = testapp.get("/api/search", params={"q": " ".join(words)}).json
    assert len([s for s in statements if "FROM vocabulary" in s]) <= 2
    assert found["did_you_mean"]["query"] == " ".join(MISSPELT[word] for word in words)


def test_each_misspelt_word_gets_its_own_correction_when_asked_together(dbsession):
    together = corrections(dbsession, dict.fromkeys(MISSPELT, 0))
    assert together == MISSPELT
    assert {word: corrections(dbsession, {word: 0})[word] for word in MISSPELT} == MISSPELT


# Catalog totals ------------------------------------------------------------------------------------------


def test_the_home_page_counts_no_review(testapp, statements):
    assert "reviews." in testapp.get("/").text
    assert not [s for s in statements if "FROM reviews" in s]


def test_the_product_listing_counts_no_product(testapp, statements, dbsession):
    page = testapp.get("/products/", params={"per_page": 7, "page": 2})
    assert not [s for s in statements if "count(" in s]
    products = dbsession.scalar(sa.select(sa.func.count()).select_from(Product))
    pager = BeautifulSoup(page.text, "html.parser").select_one(".pager").get_text(" ", strip=True)
    assert f"8–14 of {products:,} products" in pager


def test_a_product_page_counts_no_review(testapp, statements, dbsession, many_reviews):
    asin, saying = many_reviews
    review = dbsession.get(Review, saying[0])
    catalog_services.CatalogService(dbsession).hide_review(review, make_account(dbsession, "Bounded moderator"))
    statements.clear()
    page = testapp.get(f"/products/{asin}", params={"per_page": PER_PAGE})
    assert not [s for s in statements if "count(" in s]
    pager = BeautifulSoup(page.text, "html.parser").select_one(".review-list ~ .pager").get_text(" ", strip=True)
    assert f"1–{PER_PAGE} of {REVIEWS - 1} reviews" in pager


def test_the_catalog_totals_follow_a_hidden_review(dbsession, many_reviews):
    catalog = catalog_services.CatalogService(dbsession)
    review = dbsession.get(Review, many_reviews[1][0])
    catalog.hide_review(review, make_account(dbsession, "Bounded moderator"))
    # Independently: a count of the rows.
    products = dbsession.scalar(sa.select(sa.func.count()).select_from(Product))
    reviews = dbsession.scalar(sa.select(sa.func.count()).select_from(Review).where(Review.hidden_at.is_(None)))
    assert catalog.totals() == (products, reviews)
