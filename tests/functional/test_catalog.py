"""The catalog services and the loader against the demo catalog in the test database.

Expected values are computed here from the generator's records, independently of the SQL under test.
"""

from collections import Counter, defaultdict
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from amazen.catalog.records import ProductRecord, ReviewRecord
from amazen.catalog.services import CatalogService
from amazen.catalog.slugs import slugify
from amazen.ingest.bulk import load_records
from amazen.models import Product, Review
from amazen.params import PageRequest


def split(records):
    products = [r for r in records if isinstance(r, ProductRecord)]
    reviews = [r for r in records if isinstance(r, ReviewRecord)]
    return products, reviews


@pytest.fixture
def catalog(dbsession):
    return CatalogService(dbsession)


def test_totals_match_the_records(catalog, demo_records):
    products, reviews = split(demo_records)
    unique_reviews = {(r.asin, r.reviewer_id) for r in reviews}
    assert catalog.totals() == (len({p.asin for p in products}), len(unique_reviews))


def test_rating_aggregates_match_a_count_from_the_records(catalog, demo_records):
    _, reviews = split(demo_records)
    stars = defaultdict(Counter)
    for review in reviews:
        stars[review.asin][review.rating] += 1
    for asin in list(stars)[:20]:
        product = catalog.product_by_asin(asin)
        expected = stars[asin]
        assert product.rating_count == sum(expected.values())
        assert product.histogram == {n: expected[n] for n in (5, 4, 3, 2, 1)}
        mean = sum(n * c for n, c in expected.items()) / sum(expected.values())
        assert product.rating_average == pytest.approx(mean)


def test_products_without_reviews_have_no_average(catalog, demo_records):
    products, reviews = split(demo_records)
    reviewed = {r.asin for r in reviews}
    unreviewed = [p.asin for p in products if p.asin not in reviewed]
    for asin in unreviewed:
        product = catalog.product_by_asin(asin)
        assert product.rating_count == 0 and product.rating_average is None


def test_listing_by_review_count_is_ordered_and_complete(catalog, demo_records):
    products, reviews = split(demo_records)
    counts = Counter(r.asin for r in reviews)
    seen = []
    page = catalog.list_products(PageRequest(1, 7), sort="reviews")
    while True:
        seen.extend(page.items)
        if page.number >= page.pages:
            break
        page = catalog.list_products(PageRequest(page.number + 1, 7), sort="reviews")
    assert len(seen) == len(products) == page.total
    assert len({p.asin for p in seen}) == len(products)  # stable order: no product twice across pages
    assert [counts[p.asin] for p in seen] == sorted((counts[p.asin] for p in products), reverse=True)


@pytest.mark.parametrize("sort, key, reverse", [("price_asc", "price", False), ("price_desc", "price", True)])
def test_listing_by_price_puts_unpriced_products_last(catalog, demo_records, sort, key, reverse):
    products, _ = split(demo_records)
    page = catalog.list_products(PageRequest(1, 100), sort=sort)
    prices = [p.price for p in page.items]
    priced = [p for p in prices if p is not None]
    assert priced == sorted((p.price for p in products if p.price is not None), reverse=reverse)
    assert prices[len(priced) :] == [None] * (len(prices) - len(priced))


def test_a_page_past_the_end_shows_the_last_page(catalog, demo_records):
    products, _ = split(demo_records)
    page = catalog.list_products(PageRequest(10_000, 25), sort="title")
    assert page.number == page.pages == -(-len(products) // 25)
    assert len(page.items) == len(products) - 25 * (page.pages - 1)


def test_category_listing_includes_subcategories(catalog, demo_records):
    products, _ = split(demo_records)
    top = Counter(path[0] for p in products for path in {c[:1] for c in p.categories})
    name, expected = top.most_common(1)[0]
    category = catalog.category_by_path(slugify(name))
    assert category.name == name
    assert catalog.list_products(PageRequest(1, 10), category=category).total == expected


def test_text_filter_is_a_literal_substring(catalog, demo_records):
    products, _ = split(demo_records)
    brand = products[0].brand
    expected = sum(1 for p in products if brand.lower() in p.title.lower() or brand.lower() in (p.brand or "").lower())
    assert catalog.list_products(PageRequest(1, 10), text=brand).total == expected
    assert catalog.list_products(PageRequest(1, 10), text="%").total == 0
    assert catalog.list_products(PageRequest(1, 10), text="_").total == 0


@pytest.mark.parametrize("sort", ["helpful", "recent", "rating_desc", "rating_asc"])
def test_reviews_sort(catalog, demo_records, sort):
    _, reviews = split(demo_records)
    asin = Counter(r.asin for r in reviews).most_common(1)[0][0]
    product = catalog.product_by_asin(asin)
    listed = catalog.list_reviews(product, PageRequest(1, 50), sort=sort).items
    if sort == "helpful":
        values = [r.helpful_votes for r in listed]
        assert values == sorted(values, reverse=True)
    elif sort == "recent":
        values = [r.reviewed_at for r in listed]
        assert values == sorted(values, reverse=True)
    else:
        values = [r.rating for r in listed]
        assert values == sorted(values, reverse=(sort == "rating_desc"))


def test_loading_the_same_records_twice_changes_nothing(dbsession, demo_records):
    conn = dbsession.connection()

    def snapshot():
        return (
            conn.execute(
                sa.text(
                    "SELECT asin, title, price, rating_count, rating_average, stars_5"
                    " FROM products LEFT JOIN product_stats ON product_id = id ORDER BY asin"
                )
            ).all(),
            conn.execute(
                sa.text("SELECT product_id, reviewer_id, rating, text FROM reviews ORDER BY product_id, reviewer_id")
            ).all(),
            conn.execute(sa.text("SELECT path, name FROM categories ORDER BY path")).all(),
        )

    before = snapshot()
    load_records(conn, demo_records)
    assert snapshot() == before


def test_a_new_review_updates_the_aggregates(dbsession, catalog, demo_records):
    products, _ = split(demo_records)
    asin = products[0].asin
    before = catalog.product_by_asin(asin)
    count, five = before.rating_count, before.histogram[5]
    when = datetime(2026, 1, 1, tzinfo=timezone.utc)
    load_records(dbsession.connection(), [ReviewRecord(asin=asin, reviewer_id="TEST-1", rating=5, reviewed_at=when)])
    dbsession.expire_all()
    after = catalog.product_by_asin(asin)
    assert (after.rating_count, after.histogram[5]) == (count + 1, five + 1)


def test_a_review_of_an_unknown_product_creates_a_bare_product(dbsession, catalog):
    counts = load_records(dbsession.connection(), [ReviewRecord(asin="NEW0000000", reviewer_id="X", rating=3)])
    assert (counts.products_inserted, counts.reviews_inserted) == (1, 1)
    product = catalog.product_by_asin("NEW0000000")
    assert product.title is None and product.display_title == "Product NEW0000000"
    assert (product.review_count, product.rating_count, product.histogram[3]) == (1, 1, 1)


def test_metadata_before_or_after_partial_records_gives_the_same_product(dbsession, catalog):
    meta = ProductRecord(asin="ORDER00001", title="From metadata", brand=None, features=("a", "b"))
    partial = ProductRecord(asin="ORDER00001", title="From a review row", brand="Acme", partial=True)
    results = []
    for order in ([meta, partial], [partial, meta]):
        with dbsession.begin_nested() as savepoint:
            for record in order:
                load_records(dbsession.connection(), [record])
            dbsession.expire_all()
            product = catalog.product_by_asin("ORDER00001")
            results.append((product.title, product.brand, product.features))
            savepoint.rollback()
    assert results[0] == results[1] == ("From metadata", "Acme", ["a", "b"])


def test_duplicate_review_lines_are_stored_once_and_the_last_wins(dbsession, catalog):
    lines = [
        ProductRecord(asin="DUP0000001", title="Dup"),
        ReviewRecord(asin="DUP0000001", reviewer_id="R", rating=1, text="first"),
        ReviewRecord(asin="DUP0000001", reviewer_id="R", rating=5, text="second"),
    ]
    loader_counts = load_records(dbsession.connection(), lines)
    assert loader_counts.reviews_inserted == 1 and loader_counts.duplicate_reviews.count == 1
    product = catalog.product_by_asin("DUP0000001")
    (review,) = catalog.list_reviews(product, PageRequest(1, 10)).items
    assert (review.rating, review.text, product.histogram[5], product.histogram[1]) == (5, "second", 1, 0)


def test_the_database_enforces_star_ratings(dbsession):
    product_id = dbsession.scalar(sa.select(Product.id).limit(1))
    with pytest.raises(sa.exc.IntegrityError):
        with dbsession.begin_nested():
            dbsession.add(Review(product_id=product_id, reviewer_id="bad", rating=6))
            dbsession.flush()


def test_the_loads_larger_sort_memory_ends_before_the_index_rebuild(dbsession, catalog, monkeypatch):
    """The merges sort with LOAD_WORK_MEM; the rebuild plans its reads with the transaction's own."""
    from amazen.ingest import bulk

    conn = dbsession.connection()
    before = conn.exec_driver_sql("SHOW work_mem").scalar()
    seen = []
    index_products = bulk.index_products
    monkeypatch.setattr(
        bulk,
        "index_products",
        lambda conn, *args, **kw: (
            seen.append(conn.exec_driver_sql("SHOW work_mem").scalar()),
            index_products(conn, *args, **kw),
        )[1],
    )
    merge = bulk.BulkLoader._merge_batch
    monkeypatch.setattr(
        bulk.BulkLoader,
        "_merge_batch",
        lambda self, *a: (seen.append(self.conn.exec_driver_sql("SHOW work_mem").scalar()), merge(self, *a))[1],
    )
    load_records(conn, [ReviewRecord(asin="NEW0000000", reviewer_id="X", rating=3)])
    assert before != bulk.LOAD_WORK_MEM and seen == [bulk.LOAD_WORK_MEM, before]


def test_a_full_rebuild_keeps_the_derived_figures_of_the_catalogs_products_only(dbsession):
    """product_stats has no foreign key: a product deleted (its reviews with it) keeps its row until a
    full rebuild, which leaves one row per product, and the catalog's totals counted from them."""
    from amazen.search.indexer import index_products

    conn = dbsession.connection()
    gone = conn.execute(sa.text("SELECT product_id FROM product_stats WHERE review_count > 0 ORDER BY 1 LIMIT 1")).scalar()
    conn.execute(sa.text("DELETE FROM products WHERE id = :id"), {"id": gone})
    index_products(conn)
    stats = conn.execute(sa.text("SELECT array_agg(product_id ORDER BY product_id), sum(review_count) FROM product_stats")).one()
    products = conn.execute(sa.text("SELECT array_agg(id ORDER BY id) FROM products")).scalar()
    assert gone not in stats[0] and stats[0] == products
    reviews = conn.execute(sa.text("SELECT count(*) FROM reviews WHERE hidden_at IS NULL")).scalar()
    assert conn.execute(sa.text("SELECT documents, reviews FROM search_stats")).one() == (len(products), reviews)
