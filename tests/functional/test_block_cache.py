"""The per-process cache of the packed index (amazen.search.blockcache): a search reads only the rows of the
blocks whose version changed, and still sees every committed change on its next request.

Two apps on one scratch database stand for two app processes, each with its own cache; their
transactions are their own (committed), not a test's rolled-back one.
"""

import threading

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from webob.multidict import MultiDict
from webtest import TestApp

from amazen.catalog.demo import generate
from amazen.ingest.bulk import load_records
from amazen.search import blockcache, heads, ranking, service
from amazen.search.analyzer import descriptor_term
from amazen.search.blockcache import BlockCache
from amazen.search.indexer import index_products
from amazen.search.packed import BLOCK
from amazen.search.query import parse_search
from amazen.search.service import SearchService
from amazen.search.suggest import SuggestService
from tests.functional.test_bounded_work import counting
from tests.functional.test_busy import make_app, shopper
from tests.shoppers import post_review

PRODUCTS = 150
# Searches that read every kind of row: postings, evidence, exclusions, and every product's facts.
SEARCHES = [
    {"q": "headphones"},
    {"q": "wireless headphones", "pos": "comfortable"},
    {"q": "headphones -wireless", "pos": "bass", "neg": "broke"},
    {"pos": "comfortable"},
    {"pos": "sharp", "neg": "rust", "sort": "price_asc"},
    {"sort": "rating"},
    {"q": "-wireless"},
    {"q": "knife", "price_max": "100", "page": "2", "per_page": "5"},
]


@pytest.fixture
def catalog(scratch_url):
    engine = sa.create_engine(scratch_url)
    with engine.begin() as conn:
        load_records(conn, generate(products=PRODUCTS))
    yield engine
    engine.dispose()


def search(app, **params):
    return TestApp(app, extra_environ={"HTTP_HOST": "example.com"}).get("/api/search", params=params).json


def test_a_second_identical_search_reads_no_arrays(catalog, monkeypatch):
    app = make_app(catalog)
    reads = counting(monkeypatch, ranking, "copy_rows")
    first = [search(app, **params) for params in SEARCHES]
    assert len(reads) >= 4  # postings, evidence, facts: nothing was cached
    reads.clear()
    for params, found in zip(SEARCHES, first):
        assert search(app, **params) == found
        assert reads == [], params


def test_the_database_digests_the_versions_as_the_cache_does(scratch_url):
    engine = sa.create_engine(scratch_url)
    with engine.begin() as conn:
        assert conn.exec_driver_sql(ranking.BLOCKS_DIGEST).scalar() == blockcache.digest([])
        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('products', 'id'), :last)"), {"last": BLOCK - 10})
        load_records(conn, generate(products=PRODUCTS))  # in two blocks
        pairs = conn.exec_driver_sql(ranking.BLOCK_VERSIONS).all()
        written = conn.exec_driver_sql(ranking.BLOCKS_DIGEST).scalar()
    engine.dispose()
    assert [block for block, _ in pairs] == [0, 1] and written == blockcache.digest(pairs)


def test_the_versions_are_read_only_when_their_digest_is_new(catalog, monkeypatch):
    reader, writer = make_app(catalog), make_app(catalog)
    search(reader, q="headphones")
    snapshots = counting(monkeypatch, BlockCache, "snapshot")  # called with the versions read
    first = search(reader, q="headphones")
    assert search(reader, pos="comfortable")["total"] and snapshots == []
    post_review(shopper(writer), first["results"][0]["asin"], {"rating": 2, "summary": "Meh", "text": "Rattly hinge."})
    assert search(reader, q="headphones") != first and len(snapshots) == 1
    search(reader, q="headphones")
    assert len(snapshots) == 1


def test_a_review_written_through_another_process_is_seen_by_the_next_search(catalog, monkeypatch):
    reader, writer = make_app(catalog), make_app(catalog)
    before = search(reader, q="headphones", per_page=100)
    shown = before["results"][0]
    assert search(reader, q="headphones", pos="zanzibarish")["unknown_terms"] == ["zanzibarish"]
    reads = counting(monkeypatch, ranking, "copy_rows")
    assert search(reader, q="headphones", per_page=100) == before and reads == []  # all of it cached

    post_review(shopper(writer), shown["asin"], {"rating": 5, "summary": "Zanzibarish", "text": "Wonderfully zanzibarish sound."})
    after = search(reader, q="headphones", per_page=100)
    assert reads  # the rows the write changed, read again
    again = next(r for r in after["results"] if r["asin"] == shown["asin"])
    assert again["review_count"] == shown["review_count"] + 1  # the facts of the written product's block
    found = search(reader, q="headphones", pos="zanzibarish")
    assert found["unknown_terms"] == [] and found["results"][0]["asin"] == shown["asin"]
    assert found["results"][0]["evidence"][0]["mentions"] == 1


def test_a_search_without_a_query_sees_a_written_reviews_facts_on_the_next_request(catalog):
    """A search of descriptors alone, and one of nothing, take their candidates' facts from every
    product's facts, which the cache keeps decoded at one snapshot: a write is a new snapshot."""
    reader, writer = make_app(catalog), make_app(catalog)
    shown = search(reader, pos="comfortable")["results"][0]
    most_reviewed = search(reader, sort="reviews")["results"][0]
    assert search(reader, pos="comfortable")["results"][0] == shown  # from the cache

    review = {"rating": 5, "summary": "Comfortable", "text": "Comfortable all day."}
    post_review(shopper(writer), shown["asin"], review)
    again = next(r for r in search(reader, pos="comfortable", per_page=100)["results"] if r["asin"] == shown["asin"])
    assert again["review_count"] == shown["review_count"] + 1

    post_review(shopper(writer), most_reviewed["asin"], review)
    first = search(reader, sort="reviews")["results"][0]
    assert (first["asin"], first["review_count"]) == (most_reviewed["asin"], most_reviewed["review_count"] + 1)


def test_a_searchs_totals_and_spelling_are_read_once_a_snapshot(catalog, monkeypatch):
    """The corpus totals and did-you-mean's corrections a search reads beside the index are kept at the
    blocks' snapshot: read again after a write, as the index rows are."""
    reader, writer = make_app(catalog), make_app(catalog)
    params = {"q": "headphones", "pos": "confortable"}  # a misspelt descriptor: did-you-mean looks it up
    first = search(reader, **params)
    assert first["did_you_mean"] and first["did_you_mean"]["pos"] == ["comfortable"]
    counts = counting(monkeypatch, SearchService, "_read_counts")
    spelling = counting(monkeypatch, service, "descriptor_corrections")
    assert search(reader, **params) == first
    assert counts == [] and spelling == []

    shown = first["results"][0]
    post_review(shopper(writer), shown["asin"], {"rating": 5, "summary": "Confortable", "text": "So confortable."})
    again = search(reader, **params)
    assert counts and spelling  # a new snapshot: read again
    mentioned = next(r for r in again["results"] if r["asin"] == shown["asin"])["evidence"][0]["mentions"]
    assert mentioned == next(r for r in first["results"] if r["asin"] == shown["asin"])["evidence"][0]["mentions"] + 1


def test_a_written_review_makes_the_next_search_read_again_only_its_products_block(scratch_url, monkeypatch):
    engine = sa.create_engine(scratch_url)
    with engine.begin() as conn:  # product ids on both sides of a block boundary
        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('products', 'id'), :last)"), {"last": BLOCK - PRODUCTS // 3})
        load_records(conn, generate(products=PRODUCTS))
        block_of = {asin: i // BLOCK for asin, i in conn.execute(sa.text("SELECT asin, id FROM products"))}
    reader, writer = make_app(engine), make_app(engine)
    params = {"q": "headphones", "pos": "comfortable", "per_page": 100}
    before = search(reader, **params)
    assert {block_of[r["asin"]] for r in before["results"]} == {0, 1}
    shown = next(r for r in before["results"] if block_of[r["asin"]] == 1)
    reads = counting(monkeypatch, ranking, "copy_rows")
    assert search(reader, **params) == before and reads == []

    post_review(shopper(writer), shown["asin"], {"rating": 1, "summary": "Not comfortable", "text": "Not comfortable at all."})
    after = search(reader, **params)
    assert reads and all(set(params["blocks"]) == {1} for _, _, params in reads)
    again = next(r for r in after["results"] if r["asin"] == shown["asin"])
    assert again["review_count"] == shown["review_count"] + 1
    assert again["evidence"][0]["negative"] == shown["evidence"][0]["negative"] + 1
    engine.dispose()


def test_a_written_review_rewrites_no_packed_postings(catalog):
    """Postings come from a product's text alone: a written review rewrites its evidence and facts, and
    leaves its block's packed postings (and every process's cache of them) as they are."""

    def versions(conn, product_id):
        return {
            table: conn.execute(sa.text(f"SELECT ctid::text, xmin::text FROM {table} WHERE {where} ORDER BY 1"), params).all()
            for table, where, params in (
                ("packed_terms", "block = :block", {"block": product_id // BLOCK}),
                ("product_evidence", "product_id = :id", {"id": product_id}),
                ("packed_facts", "block = :block", {"block": product_id // BLOCK}),
            )
        }

    app = make_app(catalog)
    shown = search(app, q="headphones")["results"][0]
    with catalog.connect() as conn:
        product_id = conn.execute(sa.text("SELECT id FROM products WHERE asin = :asin"), {"asin": shown["asin"]}).scalar()
        before = versions(conn, product_id)
    post_review(shopper(app), shown["asin"], {"rating": 2, "summary": "Rattly", "text": "Rattly hinge, thin sound."})
    with catalog.connect() as conn:
        after = versions(conn, product_id)
    assert after["packed_terms"] == before["packed_terms"]
    assert after["product_evidence"] != before["product_evidence"] and after["packed_facts"] != before["packed_facts"]
    again = next(r for r in search(app, q="headphones", per_page=100)["results"] if r["asin"] == shown["asin"])
    assert again["review_count"] == shown["review_count"] + 1


def every_fact(engine, cache):
    """(ids, Facts) of every product, as a search reads them (through ``cache``, or straight when None)."""
    with Session(engine) as session:
        return ranking.IndexReader(session.connection().connection.cursor(), cache).every_fact()


def test_every_products_facts_are_patched_after_a_write_with_the_blocks_it_changed(scratch_url, monkeypatch):
    """The cache keeps every product's facts decoded; after a write, only the facts of the blocks it
    changed are decoded again, and the patched whole equals every fact read afresh."""
    engine = sa.create_engine(scratch_url)
    with engine.begin() as conn:  # product ids on both sides of a block boundary
        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('products', 'id'), :last)"), {"last": BLOCK - PRODUCTS // 3})
        load_records(conn, generate(products=PRODUCTS))
        asin, product_id = conn.execute(
            sa.text("SELECT asin, id FROM products WHERE id >= :b ORDER BY id LIMIT 1"), {"b": BLOCK}
        ).one()
    cache = BlockCache(1 << 30)
    every_fact(engine, cache)
    post_review(shopper(make_app(engine)), asin, {"rating": 1, "summary": "Flimsy", "text": "Flimsy hinge."})
    with engine.begin() as conn:  # and a product's text: its categories and price change
        conn.execute(sa.text("UPDATE products SET price = 12.5 WHERE id = :id"), {"id": product_id + 1})
        conn.execute(
            sa.text(
                "DELETE FROM product_categories WHERE product_id = :id"
                " AND category_id = (SELECT max(category_id) FROM product_categories WHERE product_id = :id)"
            ),
            {"id": product_id + 1},
        )
        index_products(conn, [product_id + 1])
    decoded = counting(monkeypatch, ranking, "_decoded_facts")
    ids, facts = every_fact(engine, cache)
    assert [[row[1] for row in rows] for (rows,) in decoded] == [[[1]]]  # block 1's facts only

    fresh_ids, fresh = every_fact(engine, None)
    assert ids.tolist() == fresh_ids.tolist() and facts.keys() == fresh.keys()
    for name in fresh:
        assert str(facts[name].tolist()) == str(fresh[name].tolist()), name  # str: NaN equals NaN
    everyone = np.arange(len(ids))
    assert [a.tolist() for a in facts.categories(everyone)] == [a.tolist() for a in fresh.categories(everyone)]
    at = ids.tolist().index(product_id)
    assert facts["review_count"][at] == fresh["review_count"][at] and facts["price"][ids.tolist().index(product_id + 1)] == 12.5
    engine.dispose()


def test_a_written_review_patches_only_the_facts_it_changed(catalog):
    """After a review, the kept facts share every array whose values stayed (ids, prices, brands, categories)
    with the facts kept before: a write costs each process a copy of what it changed, not of every
    product's facts."""
    cache = BlockCache(1 << 30)
    ids, facts = every_fact(catalog, cache)
    at = int(np.argmax(facts["review_count"]))  # a product with reviews: its average moves with a 1-star one
    asin = sa_scalar(catalog, "SELECT asin FROM products WHERE id = :id", id=int(ids[at]))
    post_review(shopper(make_app(catalog)), asin, {"rating": 1, "summary": "Flimsy", "text": "Flimsy hinge."})
    after_ids, after = every_fact(catalog, cache)
    assert after_ids is ids and after.category_ids is facts.category_ids
    assert {name for name in facts if after[name] is facts[name]} == set(facts) - {"review_count", "rating_count", "rating"}
    assert after["review_count"][at] == facts["review_count"][at] + 1 and after["rating"][at] < facts["rating"][at]
    fresh_ids, fresh = every_fact(catalog, None)
    assert after_ids.tolist() == fresh_ids.tolist()
    for name in fresh:
        assert str(after[name].tolist()) == str(fresh[name].tolist()), name  # str: NaN equals NaN
    assert after.category_ids.tolist() == fresh.category_ids.tolist()


def sa_scalar(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar_one()


def test_an_entry_older_than_the_snapshots_kept_is_read_again(catalog, monkeypatch):
    monkeypatch.setattr(blockcache, "SNAPSHOTS_KEPT", 1)
    reader, writer = make_app(catalog), make_app(catalog)
    before = search(reader, q="headphones", per_page=100)
    shown = before["results"][0]
    post_review(shopper(writer), shown["asin"], {"rating": 1, "summary": "Flimsy", "text": "Flimsy and loud."})
    search(reader, q="knife")  # a new snapshot: the one the headphones' entry was made at is forgotten
    after = search(reader, q="headphones", per_page=100)
    assert after == search(make_app(catalog, **{"amazen.search_cache_mb": "0"}), q="headphones", per_page=100)
    assert next(r for r in after["results"] if r["asin"] == shown["asin"])["review_count"] == shown["review_count"] + 1


def test_a_full_reindex_is_seen_by_the_next_search(catalog):
    app = make_app(catalog)
    before = search(app, q="headphones")
    asin, price = before["results"][0]["asin"], before["results"][0]["price"]
    with catalog.begin() as conn:
        conn.execute(sa.text("UPDATE products SET price = :price WHERE asin = :asin"), {"price": 1234.5, "asin": asin})
        index_products(conn)  # every product: new tables swapped in
    after = search(app, q="headphones")
    assert price != 1234.5 and next(r for r in after["results"] if r["asin"] == asin)["price"] == 1234.5
    everything = search(app, sort="price_desc")  # every product's facts
    assert everything["results"][0]["asin"] == asin


def service_results(engine, cache):
    """Every search of SEARCHES at the service level, each in its own transaction."""
    out = []
    for params in SEARCHES:
        with Session(engine) as session:
            found = SearchService(session, cache).search(parse_search(MultiDict(params)))
            out.append((found.total, [(r.product_id, r.score, r.price, r.review_count) for r in found.results], found.facets))
    return out


def test_a_cache_too_small_for_every_products_facts_reads_the_candidates_blocks_instead(catalog, monkeypatch):
    """Every product's decoded facts would not fit twice: a search with a query or descriptors reads its
    candidates' facts block by block, as without a cache, and finds the same."""
    expected = service_results(catalog, None)
    small = BlockCache(2 * BLOCK * ranking.DECODED_FACT_BYTES - 1)  # the catalog is one block
    everything = counting(monkeypatch, ranking.IndexReader, "every_fact")
    assert service_results(catalog, small) == expected
    # Only the searches with neither a query word nor a wanted descriptor rank every product.
    ranking_everything = [p for p in SEARCHES if not p.get("pos") and all(w.startswith("-") for w in p.get("q", "").split())]
    assert len(everything) == len(ranking_everything) == 2


def test_the_memory_bound_evicts_the_least_recently_used_rows(catalog):
    expected = service_results(catalog, None)
    whole = BlockCache(1 << 30)
    assert service_results(catalog, whole) == expected
    small = BlockCache(whole.bytes // 4)
    assert service_results(catalog, small) == expected
    assert 0 < small.bytes <= small.max_bytes and len(small) < len(whole)
    assert service_results(catalog, small) == expected  # evicted rows are read again


def in_threads(work, threads=4, rounds=3):
    """``work()``'s results from ``threads`` threads at once, ``rounds`` each; fails with a thread's error."""
    found, failed = [], []

    def run():
        try:
            for _ in range(rounds):
                found.append(work())
        except Exception as err:  # reported below, with the thread's error
            failed.append(err)

    running = [threading.Thread(target=run) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join(timeout=120)
    assert not failed and len(found) == threads * rounds
    return found


def test_threads_share_one_cache(catalog):
    expected = service_results(catalog, None)
    cache = BlockCache(1 << 30)
    assert all(results == expected for results in in_threads(lambda: service_results(catalog, cache)))


# Descriptor suggestions' heads (amazen.search.heads), kept in the same cache ------------------------

SUGGESTED = [
    {"q": "headphones"},
    {"q": "wireless headphones", "pos": "comfortable"},
    {"pos": "sharp", "neg": "rust"},
    {"q": "knife", "price_max": "100"},
    {"q": "speaker", "dismissed": "bass"},
]


def suggestions(app, **params):
    return TestApp(app, extra_environ={"HTTP_HOST": "example.com"}).get("/api/suggest/descriptors", params=params).json


def test_heads_are_the_lines_the_head_evidence_view_shows(catalog):
    """The view splits the lines in SQL (models/search.py), heads in Python: every product's head, the
    long heads of products of more than HEAD_TERMS terms among them, both ways alike; through a cache
    product by product, without one all the products' lines together."""
    with catalog.connect() as conn:
        view = conn.exec_driver_sql(
            "SELECT product_id, term, mentions, positive, negative, COALESCE(quote_1, -1), COALESCE(quote_2, -1)"
            " FROM head_evidence"
        ).all()
        cut = conn.exec_driver_sql("SELECT count(*) FROM product_evidence WHERE head_length IS NOT NULL").scalar()
        ids = [row[0] for row in conn.exec_driver_sql("SELECT id FROM products ORDER BY id")]
        cursor, cache = conn.connection.cursor(), BlockCache(1 << 30)
        terms, read = heads.read_heads(cursor, ids, cache, ranking.IndexReader(cursor, cache).snapshot())
        together, [all_lines] = heads.read_heads(cursor, ids)
    assert cut > 0 and len(view) > 1000 and len(read) == len(ids)
    rows = [
        (product, terms.names[number], *counts, *quotes)
        for product, head in zip(ids, read)
        for number, counts, quotes in zip(head.numbers.tolist(), head.counts.tolist(), head.quotes.tolist())
    ]
    assert sorted(rows) == sorted(tuple(row) for row in view)
    lines = zip(all_lines.numbers.tolist(), all_lines.counts.tolist(), all_lines.quotes.tolist())
    assert sorted((together.names[number], *counts, *quotes) for number, counts, quotes in lines) == sorted(
        tuple(row[1:]) for row in view
    )


def test_suggestions_through_the_cache_are_those_without_and_a_second_request_reads_no_heads(catalog, monkeypatch):
    cached, uncached = make_app(catalog), make_app(catalog, **{"amazen.search_cache_mb": "0"})
    expected = [suggestions(uncached, **params) for params in SUGGESTED]
    assert all(found["suggestions"] for found in expected)
    assert [suggestions(cached, **params) for params in SUGGESTED] == expected
    parsed = counting(monkeypatch, heads, "_parsed")
    mentions = counting(monkeypatch, heads, "read_catalog_mentions")
    assert [suggestions(cached, **params) for params in SUGGESTED] == expected
    assert parsed == [] and mentions == []


def test_a_written_review_is_in_the_next_suggestions_and_only_its_blocks_heads_are_read_again(scratch_url, monkeypatch):
    engine = sa.create_engine(scratch_url)
    with engine.begin() as conn:  # product ids on both sides of a block boundary
        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('products', 'id'), :last)"), {"last": BLOCK - PRODUCTS // 2})
        load_records(conn, generate(products=PRODUCTS))
    reader, writer = make_app(engine), make_app(engine)
    params = {"q": "headphones"}
    before = suggestions(reader, **params)
    top = before["suggestions"][0]
    matching = {r["asin"] for r in search(reader, q="headphones", per_page=100)["results"]}
    assert before["considered"] == len(matching)  # every matching product is in the set suggestions read
    with engine.connect() as conn:
        found = conn.execute(sa.text("SELECT asin, id FROM products WHERE asin = ANY(:asins)"), {"asins": sorted(matching)})
        ids = dict(found.all())
        # A matching product in the second block whose head is all its lines and lacks the term.
        lacking = conn.execute(
            sa.text("""
            SELECT p.asin FROM products p JOIN product_evidence e ON e.product_id = p.id
                JOIN product_stats s ON s.product_id = p.id
            WHERE p.asin = ANY(:matching) AND p.id >= :block AND e.head_length IS NULL AND s.review_count <= 3
              AND NOT EXISTS (SELECT 1 FROM head_evidence h WHERE h.product_id = p.id AND h.term = :term)
            ORDER BY p.id LIMIT 1"""),
            {"matching": sorted(matching), "term": descriptor_term(top["descriptor"]), "block": BLOCK},
        ).scalar()
    assert lacking is not None and {i // BLOCK for i in ids.values()} == {0, 1}
    parsed = counting(monkeypatch, heads, "_parsed")
    assert suggestions(reader, **params) == before and parsed == []

    said = top["descriptor"].capitalize()
    post_review(shopper(writer), lacking, {"rating": 5, "summary": said, "text": f"{said}, truly. {said} every day."})
    after = suggestions(reader, **params)
    reread = {row[0] for rows, *_ in parsed for row in rows}
    assert lacking in {asin for asin, i in ids.items() if i in reread}
    assert reread <= {i for i in ids.values() if i // BLOCK == 1}  # the other block's heads were kept
    again = next(s for s in after["suggestions"] if s["descriptor"] == top["descriptor"])
    assert again["products"] == top["products"] + 1
    assert after == suggestions(make_app(engine, **{"amazen.search_cache_mb": "0"}), **params)
    engine.dispose()


def test_past_the_bound_on_term_numbers_the_heads_are_read_again(catalog, monkeypatch):
    app = make_app(catalog)
    first = suggestions(app, q="headphones")
    numbered = app.registry["search_block_cache"].lasting(heads.CACHE_KEY, heads.Terms)
    monkeypatch.setattr(heads, "MAX_TERMS", len(numbered) - 1)
    parsed = counting(monkeypatch, heads, "_parsed")
    assert suggestions(app, q="headphones") == first and len(parsed) == 1
    assert app.registry["search_block_cache"].lasting(heads.CACHE_KEY, heads.Terms) is not numbered


def service_suggestions(engine, cache):
    """The suggestions for every search of SUGGESTED at the service level, each in its own transaction."""
    out = []
    for params in SUGGESTED:
        with Session(engine) as session:
            search = SearchService(session, cache)
            dismissed = params.get("dismissed", "")
            found = SuggestService(session, search).descriptors(parse_search(MultiDict(params)), dismissed=[dismissed])
            out.append([(s.term, s.products, s.positive_share, s.score) for s in found.suggestions])
    return out


def test_threads_share_the_heads_and_their_term_numbers(catalog):
    expected = service_suggestions(catalog, None)
    cache = BlockCache(1 << 30)
    assert all(results == expected for results in in_threads(lambda: service_suggestions(catalog, cache)))
    terms = cache.lasting(heads.CACHE_KEY, heads.Terms)
    assert len(set(terms.names)) == len(terms.names)  # each term numbered once, whichever thread saw it first
