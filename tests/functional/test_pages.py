"""Every page over WSGI with WebTest: content, pagination, sorting, 404 and bad-parameter cases."""

import re
from collections import Counter

import pytest

from amazen.catalog.records import ProductRecord, ReviewRecord
from amazen.catalog.slugs import slugify


def products_of(records):
    return [r for r in records if isinstance(r, ProductRecord)]


def reviews_of(records):
    return [r for r in records if isinstance(r, ReviewRecord)]


def product_links(html):
    return re.findall(r'href="http://example\.com/products/([0-9A-Z]{10})"', html)


def test_home_shows_featured_categories_and_most_reviewed_products(testapp, demo_records):
    res = testapp.get("/", status=200)
    most_reviewed = Counter(r.asin for r in reviews_of(demo_records)).most_common(1)[0][0]
    assert most_reviewed in product_links(res.text)
    leaves = {path[-1] for p in products_of(demo_records) for path in p.categories}
    shown = [c for c in leaves if f">{c.replace('&', '&amp;')} <" in res.text]
    assert shown, "no featured category on the home page"
    assert 'role="search"' in res.text


def test_product_listing_paginates_every_product_once(testapp, demo_records):
    asins = []
    url = "/products/?per_page=17"
    while url:
        res = testapp.get(url, status=200)
        asins.extend(product_links(res.text))
        nxt = res.html.find("a", rel="next")
        url = nxt["href"].replace("http://example.com", "") if nxt else None
    assert sorted(asins) == sorted(p.asin for p in products_of(demo_records))


@pytest.mark.parametrize(
    "sort, label",
    [
        ("reviews", "Most reviewed"),
        ("rating", "Rating"),
        ("price_asc", "Price: low to high"),
        ("price_desc", "Price: high to low"),
        ("title", "Name"),
    ],
)
def test_product_listing_sorts(testapp, sort, label):
    res = testapp.get("/products/", params={"sort": sort}, status=200)
    assert res.text.count('aria-current="true"') == 1
    assert f'<strong aria-current="true">{label}</strong>' in res.text  # the sort asked for is the one marked


@pytest.mark.parametrize(
    "query", ["page=-1", "page=0", "page=99999999", "per_page=100000", "per_page=-5", "page=2&per_page=100000"]
)
def test_out_of_range_page_parameters_are_clamped(testapp, query):
    res = testapp.get(f"/products/?{query}", status=200)
    assert 1 <= len(product_links(res.text)) <= 100


def test_a_page_past_the_end_shows_the_last_page(testapp, demo_records):
    total = len(products_of(demo_records))
    res = testapp.get("/products/?page=99999999&per_page=25", status=200)
    assert len(product_links(res.text)) == total - 25 * ((total - 1) // 25)


@pytest.mark.parametrize(
    "url, field",
    [
        ("/products/?page=abc", "page"),
        ("/products/?page=1.5", "page"),
        ("/products/?per_page=lots", "per_page"),
        ("/products/?sort=cheapest", "sort"),
        ("/categories/electronics/?page=%00", "page"),
    ],
)
def test_malformed_parameters_give_the_400_page(testapp, url, field):
    res = testapp.get(url, status=400)
    assert "That request did not look right" in res.text
    assert f"<code>{field}</code>" in res.text
    assert "Traceback" not in res.text


@pytest.mark.parametrize(
    "url, field",
    [
        ("/products/?q=%ff", None),  # not UTF-8
        ("/search?q=mug&category=%ED%A0%80", None),  # UTF-8 for half of a surrogate pair: not UTF-8 either
        ("/products/%ff", None),
        ("/categories/%ff/mugs", None),
        ("/products/?q=mu%00g", "q"),  # a NUL, which no PostgreSQL text can hold
        ("/search?q=mug&category=%00", "category"),
        ("/products/mu%00g", None),
        ("/categories/%00", None),
        ("/static/amazen.css%00", None),
    ],
)
def test_an_address_that_is_not_text_gives_the_400_page(testapp, url, field):
    """Neither a query (on the NUL) nor the error page itself (on the bytes) fails: the answer is the 400 page."""
    res = testapp.get(url, status=400)
    assert "That request did not look right" in res.text
    assert (f"<code>{field}</code>" in res.text) if field else ("parameter <code>" not in res.text)
    assert "Content-Security-Policy" in res.headers


@pytest.mark.parametrize(
    "url, error",
    [
        ("/api/search?q=%ff", {"code": "bad_request", "message": "The query string is not UTF-8 text."}),
        (
            "/api/search?q=mug&brand=%00",
            {"code": "invalid_parameter", "message": "must not contain a NUL character", "field": "brand"},
        ),
        (
            "/api/suggest/complete?prefix=mu%00",
            {"code": "invalid_parameter", "message": "must not contain a NUL character", "field": "prefix"},
        ),
        ("/api/products/%ff", {"code": "bad_request", "message": "The address is not UTF-8 text."}),
        ("/api/products/%00", {"code": "bad_request", "message": "The address contains a NUL character."}),
    ],
)
def test_an_api_address_that_is_not_text_gives_a_400_json_error(testapp, url, error):
    assert testapp.get(url, status=400).json == {"error": error}


def test_product_page_shows_details_histogram_and_reviews(testapp, demo_records):
    reviews = reviews_of(demo_records)
    asin, count = Counter(r.asin for r in reviews).most_common(1)[0]
    product = next(p for p in products_of(demo_records) if p.asin == asin)
    res = testapp.get(f"/products/{asin}", status=200)
    assert product.title.replace("&", "&amp;") in res.text
    stars = Counter(r.rating for r in reviews if r.asin == asin)
    rows = res.html.select(".histogram tr")
    assert [int(row.select_one(".num").text.replace(",", "")) for row in rows] == [stars[n] for n in (5, 4, 3, 2, 1)]
    assert f"{count:,} reviews" in res.text
    assert len(res.html.select("li.review")) == min(count, 10)


@pytest.mark.parametrize("sort", ["helpful", "recent", "rating_desc", "rating_asc"])
def test_product_reviews_sort_and_paginate(testapp, demo_records, sort):
    asin, count = Counter(r.asin for r in reviews_of(demo_records)).most_common(1)[0]
    seen = []
    for page in range(1, -(-count // 10) + 1):
        res = testapp.get(f"/products/{asin}", params={"sort": sort, "page": page}, status=200)
        seen.extend(li["id"] for li in res.html.select("li.review"))
    assert len(seen) == len(set(seen)) == count


def test_ratings_shown_in_review_order(testapp, demo_records):
    asin = Counter(r.asin for r in reviews_of(demo_records)).most_common(1)[0][0]
    res = testapp.get(f"/products/{asin}", params={"sort": "rating_asc", "per_page": 50}, status=200)
    labels = [s["aria-label"] for s in res.html.select("li.review .stars")]
    ratings = [float(label.split()[0]) for label in labels]
    assert ratings == sorted(ratings)


@pytest.mark.parametrize("url", ["/products/NOPE", "/products/B000000000", "/nope", "/categories/nope", "/products/x/y"])
def test_unknown_names_give_the_site_404_page(testapp, url):
    res = testapp.get(url, status=404)
    assert "Page not found" in res.text
    assert 'class="site-header"' in res.text


def test_categories_index_and_nested_category_pages(testapp, demo_records):
    products = products_of(demo_records)
    top, leaf = products[0].categories[0][:2]

    def chip(url, name, count):  # a category's link with its count of products, counted from the records
        return f'href="http://example.com/categories/{url}">{name.replace("&", "&amp;")} <span class="count">{count:,}</span>'

    in_top = sum(any(path[0] == top for path in p.categories) for p in products)
    expected = sorted(p.asin for p in products if any(path[:2] == (top, leaf) for path in p.categories))
    res = testapp.get("/categories/", status=200)
    assert chip(slugify(top), top, in_top) in res.text
    res = testapp.get(f"/categories/{slugify(top)}/", status=200)
    assert chip(f"{slugify(top)}/{slugify(leaf)}", leaf, len(expected)) in res.text
    res = testapp.get(f"/categories/{slugify(top)}/{slugify(leaf)}/?per_page=100", status=200)
    assert sorted(product_links(res.text)) == expected


def test_search_box_text_is_escaped_and_matched_literally(testapp):
    res = testapp.get("/products/", params={"q": "<script>alert(1)</script>"}, status=200)
    assert "<script>alert(1)</script>" not in res.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in res.text
    assert "No products" in res.text


def test_healthz(testapp):
    res = testapp.get("/healthz", status=200)
    assert res.json == {"status": "ok"}


def test_static_files_are_served(testapp):
    res = testapp.get("/static/amazen.css", status=200)
    assert res.content_type == "text/css"


def test_static_urls_carry_the_static_files_version(testapp):
    from amazen.views import static_version

    page = testapp.get("/", status=200).text
    assert f'href="http://example.com/static/amazen.css?v={static_version()}"' in page
    testapp.get(f"/static/amazen.css?v={static_version()}", status=200)
