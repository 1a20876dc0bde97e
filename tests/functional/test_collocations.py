"""Two-word phrases are index terms only when the catalog's reviews make them collocations
(amazen.search.collocations): on the demo catalog and on Blitzer et al.'s real electronics reviews.

Why a phrase is kept or dropped is checked against the texts here, independently of the code: a kept
phrase is written in several different sentences, a dropped one in a single sentence (a template of the
demo generator, or one real review).
"""

import re

import pytest
import sqlalchemy as sa

from amazen.search.indexer import index_products
from tests.functional.conftest import ELECTRONICS
from tests.functional.test_search import RAW
from tests.shoppers import post_review, signed_in_browser

# (how reviewers write it, its index term)
DEMO_KEPT = [("battery life", "batteri life"), ("sound quality", "sound qualiti"), ("lasts forever", "last forev")]
DEMO_DROPPED = [("head perfectly", "head perfect"), ("cancelling works", "cancel work"), ("people on calls", "peopl call")]
REAL_KEPT = [("battery life", "batteri life"), ("sound quality", "sound qualiti"), ("easy to use", "easi use")]
REAL_DROPPED = [("cancelling works", "cancel work")]


def sentences_with(texts, written):
    """The distinct sentences (lower case, punctuation and case aside) of ``texts`` that contain ``written``."""
    pattern = re.compile(rf"\b{re.escape(written)}\b")
    found = set()
    for text in texts:
        for sentence in re.split(r"[.!?;:,()\n]+|\bbut\b", text.lower()):
            if pattern.search(sentence):
                found.add(" ".join(re.findall(r"[a-z0-9']+", sentence)))
    return found


def index_terms(conn, table, terms):
    """Which of ``terms`` ``table`` (collocations, term_stats, product_term_stats) has."""
    column = "phrase" if table == "collocations" else "term"
    return set(conn.execute(sa.text(f"SELECT {column} FROM {table} WHERE {column} = ANY(:t)"), {"t": terms}).scalars())


def demo_texts(demo_records):
    return [f"{r.summary or ''}\n{r.text or ''}" for r in demo_records if hasattr(r, "rating")]


def test_the_demo_catalog_keeps_phrases_written_in_several_sentences_and_drops_one_sentences_pairs(dbsession, demo_records):
    texts = demo_texts(demo_records)
    for written, _ in DEMO_KEPT:
        assert len(sentences_with(texts, written)) >= 2, written
    for written, _ in DEMO_DROPPED:
        assert len(sentences_with(texts, written)) == 1, written
    conn = dbsession.connection()
    kept, dropped = [term for _, term in DEMO_KEPT], [term for _, term in DEMO_DROPPED]
    assert index_terms(conn, "collocations", kept + dropped) == set(kept)
    # Reviews' evidence carries the kept phrases, and nothing of the dropped ones.
    assert index_terms(conn, "term_stats", kept + dropped) == set(kept)
    assert conn.execute(sa.text("SELECT count(*) FROM descriptor_evidence WHERE term = ANY(:t)"), {"t": dropped}).scalar() == 0


def test_every_phrase_the_index_carries_is_a_collocation(dbsession):
    conn = dbsession.connection()
    for table in ("term_stats", "product_term_stats"):
        strays = (
            conn.execute(sa.text(f"SELECT term FROM {table} WHERE term LIKE '% %' EXCEPT SELECT phrase FROM collocations"))
            .scalars()
            .all()
        )
        assert strays == [], table
    assert conn.execute(sa.text("SELECT count(*) FROM term_stats WHERE term LIKE '% %'")).scalar() > 0


def test_a_descriptor_phrase_that_is_no_collocation_is_asked_as_its_two_words(testapp, demo_records):
    head = testapp.get("/api/search", params={"pos": "head"}).json
    both = testapp.get("/api/search", params={"pos": "head perfectly"}).json
    assert both["query"]["pos"] == ["head", "perfectly"]
    assert "head perfectly" not in both["unknown_terms"] and both["unknown_terms"] == []
    # Descriptors alone match a product whose reviews say either word: at least the ones that say "head".
    assert both["total"] >= head["total"] > 0
    first = both["results"][0]
    assert [e["descriptor"] for e in first["evidence"]] == ["head", "perfectly"]


def test_a_quoted_query_phrase_that_is_no_collocation_finds_the_products_with_both_words(testapp, dbsession):
    conn = dbsession.connection()
    # Two words some product texts have, but no review makes a collocation: their phrase is no term.
    term_stats = dict(conn.execute(sa.text("SELECT term, products FROM product_term_stats")).all())
    assert "wireless headphon" not in term_stats and {"wireless", "headphon"} <= set(term_stats)
    expected = conn.execute(
        sa.text(
            "SELECT count(*) FROM (SELECT product_id FROM product_terms WHERE term IN ('wireless', 'headphon')"
            " GROUP BY product_id HAVING count(*) = 2) both_words"
        )
    ).scalar()
    found = testapp.get("/api/search", params={"q": '"wireless headphones"'}).json
    assert found["unknown_terms"] == [] and found["total"] == expected > 0


def evidence_terms(conn, asin, terms):
    return set(
        conn.execute(
            sa.text(
                "SELECT e.term FROM descriptor_evidence e JOIN products p ON p.id = e.product_id"
                " WHERE p.asin = :asin AND e.term = ANY(:t)"
            ),
            {"asin": asin, "t": terms},
        ).scalars()
    )


def test_a_written_review_keeps_to_the_catalogs_phrases(app, testapp, dbsession):
    conn = dbsession.connection()
    before = conn.execute(sa.text("SELECT phrase, clauses FROM collocations ORDER BY 1")).all()
    asin = conn.execute(
        sa.text("SELECT asin FROM products JOIN product_stats ON product_id = id WHERE review_count > 0 ORDER BY asin LIMIT 1")
    ).scalar()
    # A pair no review of the catalog writes, twice: a collocation if it were counted, but a written
    # review does not count phrases again.
    text = "Zorblish wobbletrons, truly zorblish wobbletrons. Great battery life."
    post_review(signed_in_browser(app, testapp.extra_environ), asin, {"rating": 5, "summary": "Fine", "text": text})
    assert evidence_terms(conn, asin, ["zorblish wobbletron", "batteri life", "zorblish", "wobbletron"]) == {
        "batteri life",
        "zorblish",
        "wobbletron",
    }
    assert conn.execute(sa.text("SELECT phrase, clauses FROM collocations ORDER BY 1")).all() == before


def test_a_partial_rebuild_keeps_to_the_catalogs_phrases_and_a_full_one_counts_them_again(dbsession):
    conn = dbsession.connection()
    products = conn.execute(
        sa.text("SELECT id, asin FROM products JOIN product_stats ON product_id = id WHERE review_count > 0 ORDER BY id LIMIT 2")
    ).all()
    texts = [
        "Zorblish wobbletrons everywhere.",
        "I love zorblish wobbletrons.",
        "Two zorblish wobbletrons came.",
        "Zorblish wobbletrons again!",
    ]
    for i, text in enumerate(texts):
        conn.execute(
            sa.text("INSERT INTO reviews (product_id, reviewer_id, rating, text) VALUES (:p, :r, 5, :text)"),
            {"p": products[i % 2].id, "r": f"colloc-{i}", "text": text},
        )
    index_products(conn, [product_id for product_id, _ in products])  # a partial rebuild: two products of sixty
    assert evidence_terms(conn, products[0].asin, ["zorblish wobbletron", "zorblish"]) == {"zorblish"}
    index_products(conn)  # a full rebuild counts the phrases again: four different clauses use the pair
    assert index_terms(conn, "collocations", ["zorblish wobbletron"]) == {"zorblish wobbletron"}
    assert evidence_terms(conn, products[0].asin, ["zorblish wobbletron"]) == {"zorblish wobbletron"}


# Last in the module: the electronics fixture's transaction holds its tables until the module ends.
@pytest.mark.usefixtures("amazon_data")
def test_real_reviews_keep_their_common_phrases_and_drop_a_one_review_pair(electronics):
    texts = [text for reviews in RAW.values() for _, text, _ in reviews.values()]
    for written, _ in REAL_KEPT:
        assert len(sentences_with(texts, written)) >= 5, written
    for written, _ in REAL_DROPPED:
        assert len(sentences_with(texts, written)) == 1, written
    assert ELECTRONICS
    kept, dropped = [term for _, term in REAL_KEPT], [term for _, term in REAL_DROPPED]
    assert index_terms(electronics, "collocations", kept + dropped) == set(kept)
    assert index_terms(electronics, "term_stats", kept + dropped) == set(kept)
