"""Feasibility measurement for issue 4, not used by the app: the search benchmark's query mix ranked over
packed arrays with numpy, against SearchService's SQL on the same database.

SearchService ranks in one SQL statement, row at a time: at 1M reviews a median query has thousands
to tens of thousands of candidates, and each costs a few microseconds in every step (join, score,
facets, sort). This script measures the alternative: PostgreSQL keeps each term's postings, each
descriptor's evidence and the catalog's facts as arrays (bytea of big-endian numbers), a search reads the
arrays it needs and the app process ranks, filters, counts facets and sorts them with numpy. Nothing is
kept between requests (no private index in the app); the arrays are read in the request's transaction.

It runs on the database `benchmarks/search.py` leaves behind (``amazen_bench``) and packs, in SQL, into
UNLOGGED tables it drops at the end:

* each product's facts as one fixed-width record (price, rating, counts, brand number) and its category ids;
* the postings of the mix's query terms: product ids, tf, length and each posting's product record (as
  product_terms carries the facts today, so a query's candidates need no other read);
* the evidence of its descriptors: product ids, positive - negative, stars sum, rated, and each entry's
  product record (so descriptors alone need no read of the catalog's facts either);
* the catalog's facts, one row per 4,096 product ids with one array per fact, for a search with neither
  a query nor a wanted descriptor (not in the mix), which reads them whole or, for few candidates,
  the candidates' records.

Arrays are read with COPY ... (FORMAT binary): psycopg2 returns ordinary results as text, where bytea is
hex and costs 4-5 times as much to read. Then it checks that every search gets the same total, page and
facets from both, and times both, interleaved, service level (evidence and quotes included: the same
code for both). Category and brand filters are not implemented: the mix has none.

    python benchmarks/packed_ranking.py [--queries 240] [--corpus demo|real] [--pack-all] [--writes 50] [--database amazen_bench]

``--pack-all`` also times packing every term and descriptor of the catalog (what an index build would add).
``--writes N`` times what keeping block-stored arrays current would cost a written review (see write_cost).
"""
import argparse
import io
import math
import statistics
import struct
import sys
import time
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_speed import bench_database_url  # noqa: E402
from search import QUERIES, REAL_QUERIES, percentiles, query_mix  # noqa: E402

from amazen.search import service as ranking  # noqa: E402
from amazen.search.query import parse_search  # noqa: E402

BLOCK = 4096  # product ids per row of packed facts


def agg(expression, order="product_id"):
    return f"string_agg({expression}, ''::bytea ORDER BY {order})"


PACK_TERMS = f"""
    INSERT INTO bench_packed_terms
    SELECT term, count(*), {agg("int4send(product_id)")}, {agg("float8send(tf)")}, {agg("float8send(length)")},
           {agg("f.record")}, {agg("f.category_ids")}
    FROM product_terms JOIN bench_packed_products f ON f.id = product_id {{where}} GROUP BY term"""
PACK_EVIDENCE = f"""
    INSERT INTO bench_packed_evidence
    SELECT term, {agg("int4send(product_id)")}, {agg("int4send(positive - negative)")},
           {agg("int4send(stars_sum)")}, {agg("int4send(rated)")}, {agg("f.record")}, {agg("f.category_ids")}
    FROM descriptor_evidence JOIN bench_packed_products f ON f.id = product_id {{where}} GROUP BY term"""
PRESENT = "CASE WHEN p.id IS NULL THEN '\\x00'::bytea ELSE '\\x01'::bytea END"
# Dense by id: an id with no product has present = 0. Brands are numbered in the database's own order of
# brand names, so ties in the brand facet break the way ORDER BY brand breaks them.
PACK_FACTS = f"""
    INSERT INTO bench_packed_brands SELECT row_number() OVER (ORDER BY brand) - 1, brand
        FROM (SELECT DISTINCT brand FROM products WHERE brand IS NOT NULL) b;
    INSERT INTO bench_packed_facts
    SELECT g.id / {BLOCK},
           {agg(PRESENT, "g.id")},
           {agg("float8send(COALESCE(p.price::float8, 'NaN'))", "g.id")},
           {agg("float8send(COALESCE(p.rating_average, 'NaN'))", "g.id")},
           {agg("int4send(COALESCE(p.rating_count, 0))", "g.id")},
           {agg("int4send(COALESCE(p.review_count, 0))", "g.id")},
           {agg("int4send(COALESCE(b.id, -1)::int)", "g.id")},
           {agg("int4send(COALESCE(cardinality(p.search_categories), 0))", "g.id")},
           {agg("COALESCE(c.ids, ''::bytea)", "g.id")}
    FROM generate_series(0, (SELECT max(id) FROM products) / {BLOCK} * {BLOCK} + {BLOCK - 1}) g(id)
    LEFT JOIN products p ON p.id = g.id
    LEFT JOIN bench_packed_brands b ON b.name = p.brand
    LEFT JOIN LATERAL (SELECT string_agg(int4send(x), ''::bytea ORDER BY o) AS ids
                       FROM unnest(p.search_categories) WITH ORDINALITY u(x, o)) c ON TRUE
    GROUP BY 1;
    INSERT INTO bench_packed_products
    SELECT p.id, int4send(p.id) || float8send(COALESCE(p.price::float8, 'NaN')) || float8send(COALESCE(p.rating_average, 'NaN'))
                 || int4send(p.rating_count) || int4send(p.review_count) || int4send(COALESCE(b.id, -1)::int)
                 || int4send(COALESCE(cardinality(p.search_categories), 0)),
           COALESCE(c.ids, ''::bytea)
    FROM products p
    LEFT JOIN bench_packed_brands b ON b.name = p.brand
    LEFT JOIN LATERAL (SELECT string_agg(int4send(x), ''::bytea ORDER BY o) AS ids
                       FROM unnest(p.search_categories) WITH ORDINALITY u(x, o)) c ON TRUE"""
PACKED = ["bench_packed_terms", "bench_packed_evidence", "bench_packed_facts", "bench_packed_brands", "bench_packed_products"]
TABLES = """
    DROP TABLE IF EXISTS {tables};
    CREATE UNLOGGED TABLE bench_packed_terms (term text COLLATE "C" PRIMARY KEY, products int, ids bytea, tf bytea, length bytea,
        records bytea, category_ids bytea);
    CREATE UNLOGGED TABLE bench_packed_evidence (term text COLLATE "C" PRIMARY KEY, ids bytea, net bytea, stars_sum bytea,
        rated bytea, records bytea, category_ids bytea);
    CREATE UNLOGGED TABLE bench_packed_brands (id int PRIMARY KEY, name text);
    CREATE UNLOGGED TABLE bench_packed_facts (block int PRIMARY KEY, present bytea, price bytea, rating bytea,
        rating_count bytea, review_count bytea, brand bytea, categories bytea, category_ids bytea);
    CREATE UNLOGGED TABLE bench_packed_products (id int PRIMARY KEY, record bytea, category_ids bytea);
"""
FACT_TYPES = ("u1", ">f8", ">f8", ">i4", ">i4", ">i4", ">i4", ">i4")


REPACK = f"""
    INSERT INTO bench_repacked_terms
    SELECT term, product_id / :block, {agg("int4send(product_id)")}, {agg("float8send(tf)")}, {agg("float8send(length)")},
           {agg("f.record")}, {agg("f.category_ids")}
    FROM product_terms JOIN bench_packed_products f ON f.id = product_id
    WHERE term = ANY(ARRAY(SELECT term FROM product_terms WHERE product_id = :product))
      AND product_id >= :product / :block * :block AND product_id < (:product / :block + 1) * :block
    GROUP BY 1, 2;
    INSERT INTO bench_repacked_evidence
    SELECT term, product_id / :block, {agg("int4send(product_id)")}, {agg("int4send(positive - negative)")},
           {agg("int4send(stars_sum)")}, {agg("int4send(rated)")}, {agg("f.record")}, {agg("f.category_ids")}
    FROM descriptor_evidence JOIN bench_packed_products f ON f.id = product_id
    WHERE term = ANY(ARRAY(SELECT term FROM descriptor_evidence WHERE product_id = :product))
      AND product_id >= :product / :block * :block AND product_id < (:product / :block + 1) * :block
    GROUP BY 1, 2"""
REPACKED = """
    DROP TABLE IF EXISTS bench_repacked_terms, bench_repacked_evidence;
    CREATE TABLE bench_repacked_terms (term text COLLATE "C", block int, ids bytea, tf bytea, length bytea, records bytea,
        category_ids bytea);
    CREATE TABLE bench_repacked_evidence (term text COLLATE "C", block int, ids bytea, net bytea, stars_sum bytea, rated bytea,
        records bytea, category_ids bytea);
"""


def write_cost(engine, samples, block):
    """What keeping arrays stored in blocks of ``block`` product ids current would cost a written review:
    for ``samples`` reviewed products, each in its own committed transaction, every term and descriptor
    of the product repacked over the product's block. (Seconds per product, bytes written per product.)"""
    with engine.begin() as conn:
        conn.exec_driver_sql(REPACKED)
        products = conn.exec_driver_sql(
            f"SELECT id FROM products WHERE review_count > 0 ORDER BY md5(id::text) LIMIT {samples}").scalars().all()
    seconds = []
    try:
        for product in products:
            started = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(sa.text(REPACK), {"product": product, "block": block})
            seconds.append(time.perf_counter() - started)
        with engine.begin() as conn:
            written = conn.exec_driver_sql(
                "SELECT (SELECT COALESCE(sum(octet_length(ids) + octet_length(tf) + octet_length(length) + octet_length(records)"
                " + octet_length(category_ids)), 0) FROM bench_repacked_terms) + (SELECT COALESCE(sum(octet_length(ids) * 4"
                " + octet_length(records) + octet_length(category_ids)), 0) FROM bench_repacked_evidence)").scalar()
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS bench_repacked_terms, bench_repacked_evidence")
    return seconds, written / max(len(products), 1)


def pack(conn, terms, descriptors):
    """The tables, with the given terms' postings and descriptors' evidence (None: all); seconds taken."""
    conn.exec_driver_sql(TABLES.format(tables=", ".join(PACKED)))
    for table in PACKED:
        for column in conn.execute(sa.text(
                "SELECT column_name FROM information_schema.columns WHERE table_name = :t AND data_type = 'bytea'"), {"t": table}):
            # Stored as they are: compressed arrays would be decompressed on every read.
            conn.exec_driver_sql(f"ALTER TABLE {table} ALTER {column[0]} SET STORAGE EXTERNAL")
    started = time.monotonic()
    conn.exec_driver_sql(PACK_FACTS)
    conn.execute(sa.text(PACK_TERMS.format(where="" if terms is None else "WHERE term = ANY(:terms)")), {"terms": terms})
    conn.execute(sa.text(PACK_EVIDENCE.format(where="" if descriptors is None else "WHERE term = ANY(:terms)")), {"terms": descriptors})
    return time.monotonic() - started


def copy_rows(cursor, sql, params=()):
    """The rows of ``sql`` as tuples of bytes (None for NULL), read with COPY (FORMAT binary)."""
    buffer = io.BytesIO()
    cursor.copy_expert(f"COPY ({cursor.mogrify(sql, params).decode()}) TO STDOUT (FORMAT binary)", buffer)
    data = buffer.getbuffer()
    at = 11 + 4
    at += 4 + struct.unpack_from(">i", data, at)[0]  # header extension
    rows = []
    while True:
        (fields,) = struct.unpack_from(">h", data, at)
        at += 2
        if fields == -1:
            return rows, len(data)
        row = []
        for _ in range(fields):
            (size,) = struct.unpack_from(">i", data, at)
            at += 4
            row.append(None if size < 0 else bytes(data[at:at + size]))
            at += max(size, 0)
        rows.append(tuple(row))


PRODUCT_RECORD = np.dtype([("id", ">i4"), ("price", ">f8"), ("rating", ">f8"), ("rating_count", ">i4"),
                           ("review_count", ">i4"), ("brand", ">i4"), ("category_count", ">i4")])
CANDIDATE_FACTS = """
    SELECT string_agg(record, ''::bytea ORDER BY id), string_agg(category_ids, ''::bytea ORDER BY id)
    FROM bench_packed_products WHERE id = ANY(%s)"""
FEW_CANDIDATES = 1 / 30  # up to this share of the catalog, the candidates' facts are read row by row


class Facts(dict):
    """Per-candidate fact arrays (by name) in candidate order, and ``category_ids`` that their
    ``category_start``/``category_count`` slice."""

    def take(self, keep):
        out = Facts({name: values[keep] for name, values in self.items()})
        out.category_ids = self.category_ids
        return out


def records_facts(records, category_ids, positions=None):
    """Facts from packed product records (and their categories), picked at ``positions``."""
    records = np.frombuffer(records or b"", PRODUCT_RECORD)
    facts = Facts({name: records[name] for name in PRODUCT_RECORD.names})
    facts["category_start"] = np.concatenate(([0], np.cumsum(facts["category_count"])[:-1]))
    facts.category_ids = np.frombuffer(category_ids or b"", ">i4")
    return facts.take(positions) if positions is not None else facts


def lookup(ids, candidates):
    """Where each candidate is in the sorted ``ids``, and whether it is there."""
    at = np.minimum(np.searchsorted(ids, candidates), len(ids) - 1)
    return at, ids[at] == candidates


def union_facts(candidates, sources):
    """Facts of ``candidates`` (sorted ids), each taken from the first of ``sources`` that has it: a list of
    (sorted ids, their records, their category ids), which together hold every candidate."""
    parts = [records_facts(records, category_ids) for _, records, category_ids in sources]
    source, position = np.full(len(candidates), -1), np.zeros(len(candidates), int)
    for i, (ids, _, _) in enumerate(sources):
        at, hit = lookup(ids, candidates)
        take = hit & (source < 0)
        source[take], position[take] = i, at[take]
    combined = Facts({name: np.concatenate([part[name] for part in parts]) for name in parts[0]})
    category_offsets = np.cumsum([0] + [len(part.category_ids) for part in parts[:-1]])
    combined["category_start"] = np.concatenate(
        [part["category_start"] + offset for part, offset in zip(parts, category_offsets)])
    combined.category_ids = np.concatenate([part.category_ids for part in parts])
    record_offsets = np.cumsum([0] + [len(part["id"]) for part in parts[:-1]])
    return combined.take(record_offsets[source] + position)


def candidate_facts(cursor, candidates, products):
    """(Facts of ``candidates``, a sorted id array, or of every product when None; bytes read).

    A few candidates' facts are read row by row (about a microsecond each); for more, the whole
    catalog's fact arrays (tens of nanoseconds a product) and the candidates picked out of them."""
    if candidates is not None and len(candidates) <= FEW_CANDIDATES * products:
        rows, read = copy_rows(cursor, CANDIDATE_FACTS, ([int(i) for i in candidates],))
        facts = records_facts(*rows[0])
        assert len(facts["id"]) == len(candidates)
        return facts, read
    blocks, read = copy_rows(cursor, "SELECT present, price, rating, rating_count, review_count, brand, categories, "
                                     "category_ids FROM bench_packed_facts ORDER BY block")
    present, price, rating, rating_count, review_count, brand, category_count, category_ids = (
        np.concatenate([np.frombuffer(block[i], kind) for block in blocks]) for i, kind in enumerate(FACT_TYPES))
    if candidates is None:
        candidates = np.flatnonzero(present).astype("i4")
    facts = Facts(id=candidates, price=price[candidates], rating=rating[candidates], rating_count=rating_count[candidates],
                  review_count=review_count[candidates], brand=brand[candidates], category_count=category_count[candidates],
                  category_start=np.concatenate(([0], np.cumsum(category_count)[:-1]))[candidates])
    facts.category_ids = category_ids
    return facts, read


def search(session, service, request):
    """(total, page asins, facets, bytes read) for ``request``, ranked as SearchService ranks."""
    if request.category or request.brand:
        raise NotImplementedError("the benchmark mix has no category or brand filters")
    cursor = session.connection().connection.cursor()
    cursor.execute("SELECT documents, average_length, mean_rating FROM search_stats WHERE id = 1")
    documents, average_length, mean_rating = cursor.fetchone()
    average_length = max(average_length, 1.0)
    names = list(request.query.terms) + [term for term, _ in request.query.excluded]
    descriptor_terms = [d.term for d in request.descriptors]
    rows, read = copy_rows(cursor, "SELECT term, products, ids, tf, length, records, category_ids FROM bench_packed_terms "
                                   "WHERE term = ANY(%s)", (names,))
    postings = {term.decode(): (struct.unpack(">i", n)[0], np.frombuffer(ids, ">i4"), np.frombuffer(tf, ">f8"),
                                np.frombuffer(length, ">f8")) for term, n, ids, tf, length, _, _ in rows}
    # Each posting carries its product's facts: a query's candidates need no other read.
    posting_facts = {term.decode(): (records, category_ids) for term, _, _, _, _, records, category_ids in rows}
    rows, size = copy_rows(cursor, "SELECT term, ids, net, stars_sum, rated, records, category_ids FROM bench_packed_evidence "
                                   "WHERE term = ANY(%s)", (descriptor_terms,))
    read += size
    evidence = {term.decode(): tuple(np.frombuffer(x, ">i4") for x in arrays) for term, *arrays, _, _ in rows}
    # Evidence carries its product's facts too: descriptors alone need no read of the catalog's facts.
    evidence_facts = {term.decode(): (records, category_ids) for term, _, _, _, _, records, category_ids in rows}
    known = sorted((t for t in request.query.terms if t in postings), key=lambda t: (postings[t][0], t))
    if request.query.terms and not known:
        return 0, [], None, read

    def bm25(term, at=None):
        products, _, tf, length = postings[term]
        if at is not None:
            tf, length = tf[at], length[at]
        idf = math.log(1 + (documents - products + 0.5) / (products + 0.5))
        return idf * tf * (ranking.K1 + 1) / (tf + ranking.K1 * (1 - ranking.B + ranking.B * length / average_length))

    if known:
        candidates, relevance_bm25 = postings[known[0]][1].astype("i4"), bm25(known[0])
        positions = np.arange(len(candidates))  # in the rarest term's postings
        for term in known[1:]:
            at, hit = lookup(postings[term][1], candidates)
            candidates, relevance_bm25 = candidates[hit], relevance_bm25[hit] + bm25(term, at[hit])
            positions = positions[hit]
    elif request.positive:
        candidates = np.unique(np.concatenate(
            [evidence[d.term][0] for d in request.positive if d.term in evidence] or [np.zeros(0, "i4")])).astype("i4")
        relevance_bm25 = np.zeros(len(candidates))
    else:
        candidates = None  # every product: known once the facts are read
    if known:
        records, category_ids = posting_facts[known[0]]
        facts = records_facts(records, category_ids, positions)
    elif request.positive:
        facts = union_facts(candidates, [(evidence[d.term][0], *evidence_facts[d.term])
                                         for d in request.positive if d.term in evidence])
    else:
        facts, size = candidate_facts(cursor, candidates, documents)
        read += size
    if candidates is None:
        candidates = facts["id"]
        relevance_bm25 = np.zeros(len(candidates))
    for term, _ in request.query.excluded:
        if term in postings:
            keep = ~np.isin(candidates, postings[term][1])
            candidates, relevance_bm25, facts = candidates[keep], relevance_bm25[keep], facts.take(keep)
    described = np.zeros(len(candidates))
    for descriptor in request.descriptors:
        if descriptor.term not in evidence:
            continue
        ids, net, stars_sum, rated = evidence[descriptor.term]
        sign = 1 if descriptor.polarity == "+" else -1
        at, hit = lookup(ids, candidates)
        stars_mean = (stars_sum[at] + 3.0 * ranking.STARS_PRIOR) / (rated[at] + ranking.STARS_PRIOR)
        said = (ranking.W_DESCRIPTOR * sign) * net[at] * (0.5 + (sign * (stars_mean - 3) + 2) / 4)
        described = described + np.where(hit, said, 0.0)

    review_count, rating_count = facts["review_count"], facts["rating_count"]
    rating, price, brand = facts["rating"], facts["price"], facts["brand"]
    score = (ranking.W_QUERY * relevance_bm25 / (relevance_bm25 + ranking.RELEVANCE_HALF)
             + described / (review_count + ranking.EVIDENCE_PRIOR).astype(float)
             + ranking.W_RATING * ((ranking.RATING_PRIOR * mean_rating + np.nan_to_num(rating) * rating_count)
                                   / (ranking.RATING_PRIOR + rating_count) - 1) / 4
             + ranking.W_POPULARITY * np.minimum(1.0, np.log(1 + review_count) / math.log(1001)))

    everything = np.ones(len(candidates), bool)
    with np.errstate(invalid="ignore"):  # NaN (no price, no rating) compares false, as NULL filters out
        in_price = everything.copy()
        if request.price_min is not None:
            in_price &= price >= float(request.price_min)
        if request.price_max is not None:
            in_price &= price <= float(request.price_max)
        in_rating = rating >= float(request.rating_min) if request.rating_min is not None else everything
        prices = [int((in_rating & (price >= low) & ((price < high) if high else True)).sum()) for low, high in ranking.PRICE_BUCKETS]
        ratings = [int((in_price & (rating >= low)).sum()) for low in ranking.RATING_BUCKETS]
    matching = np.flatnonzero(in_price & in_rating)
    brand_counts = np.bincount(brand[matching][brand[matching] >= 0], minlength=1)
    top_brands = sorted((-int(n), int(b)) for b, n in enumerate(brand_counts) if n)[:ranking.FACET_VALUES]
    # Every category of every matching product: its slice of category_ids, gathered.
    starts, counts = facts["category_start"][matching], facts["category_count"][matching]
    gather = np.repeat(starts - np.concatenate(([0], np.cumsum(counts)[:-1])), counts) + np.arange(counts.sum())
    category_counts = np.bincount(facts.category_ids[gather]) if len(gather) else np.zeros(0, int)

    wanted = request.page * request.per_page
    shortlist = matching
    if request.sort == "relevance" and len(matching) > 4 * wanted:
        # Only products scoring at least the wanted-th best can be on the page (ties kept).
        cutoff = np.partition(-score[matching], wanted - 1)[wanted - 1]
        shortlist = matching[-score[matching] <= cutoff]
    last_nan = lambda values: np.where(np.isnan(values), np.inf, values)  # noqa: E731 NULLS LAST
    keys = {  # np.lexsort: the last key is the first sort key
        "relevance": (candidates, -score),
        "price_asc": (candidates, -score, last_nan(price)),
        "price_desc": (candidates, -score, last_nan(-price)),
        "rating": (candidates, -score, -rating_count, last_nan(-rating)),
        "reviews": (candidates, -score, -review_count),
    }[request.sort]
    order = shortlist[np.lexsort(tuple(key[shortlist] for key in keys))]
    page = order[(request.page - 1) * request.per_page: request.page * request.per_page]
    page_ids = [int(i) for i in candidates[page]]

    cursor.execute("SELECT id, asin FROM products WHERE id = ANY(%s)", (page_ids,))
    asins = dict(cursor.fetchall())
    parent = "parent_id IS NULL"
    cursor.execute(f"SELECT id, path, name FROM categories WHERE id = ANY(%s) AND {parent} ORDER BY name",
                   ([int(i) for i in np.flatnonzero(category_counts)],))
    categories = sorted(({"value": path, "name": name, "count": int(category_counts[i])} for i, path, name in cursor),
                        key=lambda c: -c["count"])[:ranking.FACET_VALUES]  # stable: ties stay in name order
    cursor.execute("SELECT id, name FROM bench_packed_brands WHERE id = ANY(%s)", ([b for _, b in top_brands],))
    brand_names = dict(cursor.fetchall())
    service.evidence([(i, int(n)) for i, n in zip(page_ids, review_count[page])], request.descriptors)
    facets = {
        "category": categories,
        "brand": [{"value": brand_names[b], "count": -n} for n, b in top_brands],
        "price": [{"min": low, "max": high, "count": n} for (low, high), n in zip(ranking.PRICE_BUCKETS, prices)],
        "rating": [{"min": low, "count": n} for low, n in zip(ranking.RATING_BUCKETS, ratings)],
    }
    return len(matching), [asins[i] for i in page_ids], facets, read


def run(queries, corpus, pack_all, database, writes):
    mix = query_mix(queries, REAL_QUERIES if corpus == "real" else QUERIES)
    requests = [parse_search(params) for params in mix]
    engine = sa.create_engine(bench_database_url(database))
    terms = sorted({t for r in requests for t in r.query.terms} | {t for r in requests for t, _ in r.query.excluded})
    descriptors = sorted({d.term for r in requests for d in r.descriptors})
    try:
        with engine.begin() as conn:
            products = conn.exec_driver_sql("SELECT count(*) FROM products").scalar()
            reviews = conn.exec_driver_sql("SELECT count(*) FROM reviews").scalar()
            pack_all_seconds = packed_mb = None
            if pack_all:
                pack_all_seconds = pack(conn, None, None)
                packed_mb = conn.exec_driver_sql(
                    f"SELECT sum(pg_total_relation_size(t)) / 1048576.0 FROM unnest(ARRAY{list(PACKED)}::regclass[]) t").scalar()
            pack_seconds = pack(conn, terms, descriptors)
            conn.exec_driver_sql(f"ANALYZE {', '.join(PACKED)}")
        with Session(engine) as session:
            service = ranking.SearchService(session)
            agree, differing = 0, []
            for params, request in zip(mix, requests):
                total, asins, facets, _ = search(session, service, request)
                expected = service.search(request)
                same = (total, asins) == (expected.total, [r.asin for r in expected.results]) and (
                    facets is None or facets == expected.facets)
                agree += same
                if not same:
                    differing.append(params)
            session.rollback()
            timings = {"sql": [], "packed": []}
            read = []
            for request in requests:  # warm-up
                search(session, service, request)
                service.search(request)
            for i, request in enumerate(requests):
                for name in (("sql", "packed") if i % 2 else ("packed", "sql")):
                    started = time.perf_counter()
                    if name == "sql":
                        service.search(request)
                    else:
                        read.append(search(session, service, request)[3])
                    timings[name].append(time.perf_counter() - started)
                session.rollback()
        costs = {block: write_cost(engine, writes, block) for block in (4096, 1024)} if writes else {}
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {', '.join(PACKED)}")
        engine.dispose()

    print(f"corpus: {corpus}; {reviews:,} reviews, {products:,} products; {len(mix)} queries, after a warm-up pass, "
          f"the two interleaved")
    print(f"same total, page and facets as SearchService: {agree} of {len(mix)}")
    for params in differing[:5]:
        print("  differs:", "&".join(f"{k}={v}" for k, v in params.items()))
    print(f"\n{'ranking':>22} {'p50':>7} {'p95':>7} {'p99':>7} {'mean':>7} {'per s':>7}")
    for name, label in (("sql", "SQL (SearchService)"), ("packed", "packed arrays + numpy")):
        p50, p95, p99 = percentiles(timings[name])
        print(f"{label:>22} {p50:>7.1f} {p95:>7.1f} {p99:>7.1f} {1000 * statistics.mean(timings[name]):>7.1f} "
              f"{len(timings[name]) / sum(timings[name]):>7.0f}")
    print(f"\nlatencies in ms, service level, evidence and quotes included; arrays read per search: median "
          f"{statistics.median(read) / 1e6:.1f} MB, largest {max(read) / 1e6:.1f} MB")
    print(f"packing the mix's {len(terms)} terms and {len(descriptors)} descriptors and the facts: {pack_seconds:.1f} s")
    if pack_all_seconds is not None:
        print(f"packing every term, descriptor and the facts: {pack_all_seconds:.1f} s, {packed_mb:,.0f} MB")
    for block, (seconds, written) in costs.items():
        p50, p95, p99 = percentiles(seconds)
        print(f"a written review, arrays in blocks of {block:,} product ids: repacking its product's block of every term "
              f"and descriptor it has, committed: p50 {p50:.1f}, p95 {p95:.1f}, max {1000 * max(seconds):.1f} ms; "
              f"{written / 1e6:.1f} MB written ({len(seconds)} products)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=240)
    parser.add_argument("--corpus", choices=("demo", "real"), default="demo",
                        help="which query mix: the demo generator's products or the real catalog's")
    parser.add_argument("--pack-all", action="store_true")
    parser.add_argument("--database", default="amazen_bench", help="the database to measure (on the benchmarks' server)")
    parser.add_argument("--writes", type=int, default=50, metavar="N",
                        help="time keeping the arrays current for N written reviews (0: skip)")
    args = parser.parse_args()
    run(args.queries, args.corpus, args.pack_all, args.database, args.writes)
