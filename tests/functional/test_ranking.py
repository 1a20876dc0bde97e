"""The packed index and the ranking over it (amazen.search.packed, amazen.search.ranking).

The ranking is checked against the SQL reference ranking (tests/reference_ranking.py), a second
implementation of the same formula: every search of a varied mix (queries, exclusions, wanted and avoided
descriptors, every filter, sort and several pages) must get the same total, the same products in the
same order with the same scores, and the same facets.

The packed arrays are checked against what they are packed from (the analysis of each product's text as
it is now, the evidence rows, the products), decoded here with struct rather than numpy, after imports,
written reviews and a full reindex; the view product_terms, which decodes the postings in SQL, against
the same decoding.
"""

import itertools
import random
import struct

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from webob.multidict import MultiDict

from amazen.catalog.demo import generate
from amazen.catalog.records import ReviewRecord
from amazen.ingest.bulk import load_records
from amazen.ingest.importer import import_files
from amazen.search import collocations
from amazen.search.documents import product_postings
from amazen.search.indexer import COUNT_NONE, PRODUCTS_SQL, index_products
from amazen.search.packed import BLOCK, PACK
from amazen.search.query import parse_search
from amazen.search.scoring import SORT_NAMES
from amazen.search.service import SearchService
from tests.functional.conftest import ELECTRONICS
from tests.reference_ranking import ORDERS, ReferenceSearch
from tests.shoppers import make_account

QUERIES = [
    "headphones",
    "sound",
    "battery",
    "cable",
    "player",
    "case",
    "usb",
    "speaker",
    "wireless headphones",
    "coffee maker",
    "backpack",
    "knife",
    "great sound",
    "mp3 player",
    "cd",
    "chair",
    "bottle",
    "noise",
]
WANTED = ["comfortable", "sound quality", "battery life", "easy", "bass", "sharp", "durable", "cheap", "works"]
AVOIDED = ["broke", "flimsy", "return", "leaks", "static", "noisy"]


@pytest.fixture(scope="module")
def catalog(dbengine, amazon_data):
    """Real electronics reviews and a larger demo catalog (brands, prices, nested categories) on top of
    the test catalog: over 2,000 products, the demo's ids two blocks of the packed index past the others,
    so that they span several blocks whichever tests ran before."""
    connection = dbengine.connect()
    outer = connection.begin()
    import_files(connection, ELECTRONICS)
    connection.execute(sa.text("SELECT setval('products_id_seq', (SELECT max(id) FROM products) + 2 * :block)"), {"block": BLOCK})
    load_records(connection, generate(products=500, seed=7))
    # Reviews without stars (as Hu & Liu's), so some products' rating count is below their review count.
    asins = connection.execute(
        sa.text("SELECT asin FROM products JOIN product_stats ON product_id = id WHERE review_count > 0 ORDER BY id LIMIT 300")
    ).scalars()
    load_records(
        connection,
        [
            ReviewRecord(asin=asin, reviewer_id=f"unrated-{i}", rating=None, text="Sturdy, not flimsy.")
            for i, asin in enumerate(asins)
            if i % 3 == 0
        ],
    )
    assert connection.execute(sa.text("SELECT max(id) FROM products")).scalar() > 2 * BLOCK
    assert (
        connection.execute(
            sa.text("SELECT count(*) FROM products JOIN product_stats ON product_id = id WHERE rating_count < review_count")
        ).scalar()
        == 100
    )
    yield connection
    outer.rollback()
    connection.close()


@pytest.fixture
def session(catalog):
    session = Session(bind=catalog, join_transaction_mode="create_savepoint")
    yield session
    session.close()


def mix(session, count=300, seed=4):
    """Searches of every kind, with filter values the catalog has (brands in another case too)."""
    rng = random.Random(seed)
    categories = session.execute(sa.text("SELECT path FROM categories ORDER BY path")).scalars().all()
    brands = session.execute(sa.text("SELECT DISTINCT brand FROM products WHERE brand IS NOT NULL ORDER BY 1")).scalars().all()
    searches = []
    for i in range(count):
        params = MultiDict()
        if i % 12 == 0:  # neither a query nor a wanted descriptor: every product is a candidate
            if rng.random() < 0.3:
                params.add("q", "-" + rng.choice(["cheap", "small", "black", "case"]))
            if rng.random() < 0.5:
                params.add("neg", rng.choice(AVOIDED))
            if rng.random() < 0.5:
                params.add("category", rng.choice(categories))
        elif i % 6:
            words = rng.choice(QUERIES)
            if rng.random() < 0.15:
                words += " -" + rng.choice(["cheap", "small", "black", "case"])
            params.add("q", words)
        for word in rng.sample(WANTED, 0 if i % 12 == 0 else rng.choice((0, 1, 1, 2, 3)) if i % 6 else rng.choice((1, 2))):
            params.add("pos", word)
        if rng.random() < 0.3:
            params.add("neg", rng.choice(AVOIDED))
        if rng.random() < 0.25:
            params.add("category", rng.choice(categories))
        if rng.random() < 0.15:
            brand = rng.choice(brands)
            params.add("brand", brand.upper() if rng.random() < 0.5 else brand)
        if rng.random() < 0.2:
            params.add("price_min", str(rng.choice((0, 10, 25))))
            params.add("price_max", str(rng.choice((50, 100, 200))))
        if rng.random() < 0.2:
            params.add("rating_min", str(rng.choice((3, 4, 4.5))))
        params.add("sort", rng.choice(["relevance"] * 4 + ["price_asc", "price_desc", "rating", "reviews"]))
        params.add("page", str(rng.choice((1, 1, 1, 2, 3))))
        params.add("per_page", str(rng.choice((5, 10, 20))))
        searches.append(params)
    return searches


def outcome(found):
    return (
        found.total,
        [(r.asin, r.price, r.rating, r.review_count) for r in found.results],
        [round(r.score, 6) for r in found.results],
        found.facets,
        found.top_ids,
        found.unknown_terms,
    )


def test_the_packed_ranking_finds_what_the_reference_ranking_finds(session):
    packed, reference = SearchService(session), ReferenceSearch(session)
    searches = mix(session)
    nonempty = 0
    for params in searches:
        request = parse_search(params)
        got, expected = packed.search(request, top=30), reference.search(request, top=30)
        assert outcome(got) == outcome(expected), dict(params)
        for mine, theirs in zip(got.results, expected.results):
            assert mine.components == pytest.approx(theirs.components, abs=1e-6)
        assert packed.ranked_ids(request, 25) == reference.ranked_ids(request, 25), dict(params)
        nonempty += got.total > 0
    # The mix must exercise something: most searches find products, and filters leave some out.
    assert nonempty > len(searches) // 2


def test_a_deep_page_and_every_sort_agree_on_a_common_word(session):
    assert set(ORDERS) == set(SORT_NAMES)  # the reference orders every sort the app offers
    packed, reference = SearchService(session), ReferenceSearch(session)
    word = session.execute(sa.text("SELECT phrase FROM vocabulary WHERE words = 1 ORDER BY products DESC LIMIT 1")).scalar()
    for sort, page in itertools.product(SORT_NAMES, (1, 7)):
        request = parse_search(MultiDict(q=word, sort=sort, page=str(page), per_page="50"))
        got, expected = packed.search(request), reference.search(request)
        assert got.total > 300, word
        assert outcome(got) == outcome(expected)


def decoded(session, table):
    """{(term, product id): the entry's values}, decoded from the packed arrays."""
    out = {}
    for term, block, entries in session.execute(sa.text(f"SELECT term, block, entries FROM {table} ORDER BY term, block")):
        # A byte saying the layout. Postings: 0, the product's offset in the block, twice the tf and twice
        # the length; 1, product id, tf, length. Evidence: 0, the offset and four bytes; 1, five int4.
        layouts = {"packed_terms": {0: ">HHI", 1: ">idd"}, "packed_evidence": {0: ">HbbBB", 1: ">iiiii"}}[table]
        entries = bytes(entries)
        layout, narrow = layouts[entries[0]], entries[0] == 0
        entries = entries[1:]
        entry_size = struct.calcsize(layout)
        assert len(entries) % entry_size == 0
        last = -1
        for i in range(len(entries) // entry_size):
            product_id, *values = struct.unpack_from(layout, entries, i * entry_size)
            if narrow:
                product_id += block * BLOCK
                if table == "packed_terms":
                    values = [value / 2 for value in values]
            assert product_id // BLOCK == block and product_id > last  # ranking relies on the order
            last = product_id
            out[term, product_id] = tuple(values)
    return out


def expected_arrays(session, table):
    """The same, from what they are packed from: the evidence rows, or each product's text analysed now
    (its words, and the two-word phrases among the catalog's collocations)."""
    if table == "packed_evidence":
        sql = (
            "SELECT term, product_id, positive - negative, neutral - 2 * neutral_negated, stars_sum, rated "
            "FROM descriptor_evidence"
        )
        return {(term, product_id): tuple(rest) for term, product_id, *rest in session.execute(sa.text(sql))}
    cursor = session.connection().connection.dbapi_connection.cursor()
    kept = collocations.stored(cursor)
    ids = session.execute(sa.text("SELECT array_agg(id) FROM products")).scalar()
    cursor.execute(PRODUCTS_SQL.format(before=COUNT_NONE), {"ids": ids})
    expected = {}
    for product_id, title, brand, features, description, categories, *_ in cursor.fetchall():
        tf, length = product_postings(title, brand, categories, features, description)
        expected.update({(term, product_id): (weight, length) for term, weight in tf.items() if " " not in term or term in kept})
    return expected


def decoded_facts(session):
    """{product id: its facts}, decoded from packed_facts."""
    out = {}
    for block, ids, records, category_ids in session.execute(
        sa.text("SELECT block, ids, records, category_ids FROM packed_facts ORDER BY block")
    ):
        categories = struct.unpack(f">{len(category_ids) // 4}i", category_ids)
        at = 0
        for i, product_id in enumerate(struct.unpack(f">{len(ids) // 4}i", ids)):
            assert product_id // BLOCK == block
            *facts, count = struct.unpack_from(">ddiiii", records, i * 32)
            out[product_id] = (*facts, tuple(categories[at : at + count]))
            at += count
    return out


def assert_packed_arrays_hold_the_rows(session):
    for table in ("packed_terms", "packed_evidence"):
        got, expected = decoded(session, table), expected_arrays(session, table)
        assert got.keys() == expected.keys()
        differing = [key for key in expected if str(got[key]) != str(expected[key])]  # str: NaN equals NaN
        assert not differing, (table, differing[:3], [(got[k], expected[k]) for k in differing[:3]])
        if table == "packed_terms":
            view = session.execute(sa.text("SELECT term, product_id, tf, length FROM product_terms"))
            assert {(term, product_id): (tf, length) for term, product_id, tf, length in view} == got
    expected = {
        product_id: (*facts, tuple(categories))
        for product_id, *facts, categories in session.execute(
            sa.text(
                "SELECT p.id, COALESCE(p.price::float8, 'NaN'), COALESCE(s.rating_average, 'NaN'), "
                "s.rating_count, s.review_count, COALESCE(b.id, -1), COALESCE(s.search_categories, '{}')"
                " FROM products p LEFT JOIN product_stats s ON s.product_id = p.id LEFT JOIN brands b ON b.name = p.brand"
            )
        )
    }
    assert str(decoded_facts(session)) == str(dict(sorted(expected.items())))


def test_the_packed_arrays_hold_the_rows_after_imports_written_reviews_and_a_reindex(session, catalog):
    assert_packed_arrays_hold_the_rows(session)
    # Written reviews: new words, a changed rating, a product's last mention of a word replaced.
    from amazen.catalog.services import CatalogService
    from amazen.models import Product, ProductStats

    catalog_service = CatalogService(session)
    products = (
        session.execute(
            sa.select(Product).join(Product.stats).where(ProductStats.review_count > 0).order_by(Product.id.desc()).limit(3)
        )
        .scalars()
        .all()
    )
    authors = [make_account(session, f"packed-test-{i}") for i in range(len(products))]
    for i, product in enumerate(products):
        catalog_service.write_review(
            product,
            authors[i],
            rating=1 + i,
            summary="Zyzzogeton grade",
            text="Surprisingly flimsy but the sound quality is not bad at all.",
        )
    # The first author's second review of the product edits the first.
    catalog_service.write_review(products[0], authors[0], rating=5, summary="Changed my mind", text="Very comfortable.")
    session.flush()
    assert_packed_arrays_hold_the_rows(session)
    found = SearchService(session).search(parse_search(MultiDict(pos="zyzzogeton")))
    assert {r.asin for r in found.results} == {p.asin for p in products[1:]}
    # A partial import (metadata for products that exist, a new brand and price), then a full reindex.
    connection = session.connection()
    load_records(connection, generate(products=40, seed=11))
    assert_packed_arrays_hold_the_rows(session)
    index_products(connection)
    assert_packed_arrays_hold_the_rows(session)


def test_a_written_review_rewrites_only_the_evidence_arrays_of_the_terms_it_mentions(session, catalog):
    """Its product's other terms keep their entries, so their arrays in its block are left as they are
    (the same row versions); the two terms the review mentions are spliced."""
    from amazen.catalog.services import CatalogService
    from amazen.models import Product, ProductStats

    product = session.scalars(
        sa.select(Product).join(Product.stats).where(ProductStats.review_count > 1).order_by(Product.id).limit(1)
    ).one()
    rows = sa.text(
        "SELECT p.term, p.ctid::text FROM packed_evidence p"
        " WHERE p.block = :block AND p.term IN (SELECT term FROM descriptor_evidence WHERE product_id = :id)"
    )
    params = {"block": product.id // BLOCK, "id": product.id}
    before = dict(session.execute(rows, params).all())
    assert len(before) > 10 and "flimsi" in before  # "flimsy": the catalog's headphones' reviews use it
    CatalogService(session).write_review(
        product, make_account(session, "packed-splice"), rating=2, summary="Zyzzogeton", text="Flimsy."
    )
    after = dict(session.execute(rows, params).all())
    rewritten = {term for term, version in after.items() if before.get(term) != version}
    assert rewritten == {"zyzzogeton", "flimsi"}
    assert_packed_arrays_hold_the_rows(session)


def test_packing_in_sql_stores_each_row_in_the_layout_its_values_fit(scratch_url):
    """PACK["evidence"], what a written review's repack packs its product's new evidence with: "comfort"
    fits a byte a value (6-byte entries, the product's offset in its block), "loud" does not (a product's
    70 five-star mentions: 20-byte entries). Decoded with struct, in a database of its own (this module's
    catalog holds its tables' locks)."""
    first, second = 900 * BLOCK + 3, 900 * BLOCK + 1000
    evidence = {
        first: "comfort\t1\t1\t0\t0\t0\t0\t0\t0\t0\t1\t11\t\nloud\t70\t60\t0\t10\t0\t0\t0\t0\t0\t70\t12\t13",
        second: "comfort\t3\t0\t2\t1\t1\t1\t2\t0\t0\t0\t14\t15\nloud\t1\t0\t1\t0\t0\t1\t0\t0\t0\t0\t16\t",
    }
    engine = sa.create_engine(scratch_url)
    try:
        with engine.begin() as conn:
            for product_id, lines in evidence.items():
                conn.execute(
                    sa.text("INSERT INTO product_evidence (product_id, evidence) VALUES (:id, :lines)"),
                    {"id": product_id, "lines": lines},
                )
            cursor = conn.connection.cursor()
            cursor.execute(PACK["evidence"].format(where="WHERE x.product_id = ANY(%(ids)s)"), {"ids": [first, second]})
            rows = {term: (block, bytes(entries)) for term, block, entries in cursor.fetchall()}
    finally:
        engine.dispose()
    assert rows == {
        # net (praise - complaint), neutral net (plain - negated), stars sum, rated
        "comfort": (900, b"\x00" + struct.pack(">HbbBB", 3, 1, 0, 5, 1) + struct.pack(">HbbBB", 1000, -2, -1, 5, 3)),
        "loud": (900, b"\x01" + struct.pack(">iiiii", first, 60, 10, 350, 70) + struct.pack(">iiiii", second, -1, 0, 1, 1)),
    }
