"""Amazen beside its peers: plain PostgreSQL full-text search and Tantivy, one corpus, one query mix, one run.

For each size (1M reviews by default) it writes the real reviews under ../shared resampled to that size
as Ni 2018 files (as `benchmarks/search.py --corpus real` does), then loads them three ways, each timed
from the files to a searchable index, with the machine otherwise idle (it waits for autovacuum first):

* Amazen: `amazen-import` into a fresh database (reading, cleaning, COPY, merge, the search index);
* plain PostgreSQL full text, another database on the same server: products and reviews COPYed from the
  same files (read with json here), then one row per product with the reviews grouped into an English
  `tsvector` (title, brand and category weighted A, the reviews' summaries and texts D), a GIN index on
  it and ANALYZE;
* Tantivy (the optional `bench` extra; its row is left out with a note when it is not installed): one
  document per product (title, brand, category and the reviews' text, English stemming; price, rating
  and review count as fast fields), in a directory of its own.

Every database is then vacuumed and analysed (what autovacuum does soon after a load), untimed, and the
same seeded mix of searches (`search.query_mix` over `search.REAL_QUERIES`) runs against each, one
client in this process, after one warm-up pass, each search on every system in turn (so a busy moment
of the machine falls on all of them alike): Amazen's SearchService.search (ranking, evidence, quotes
and facets, as `search.py`'s service level; a second row runs it through the cache of the packed index
an app process keeps), and for the peers their top 20 and total count. Both peers
take a search the same way:

* the query words are AND'ed: every one must match (plain: `plainto_tsquery`);
* wanted descriptors (pos) are OR'ed into the rank as phrases: they add score, and a search of
  descriptors alone matches products with any of them;
* avoided descriptors (neg) exclude the products that have them (NOT);
* price_max and rating_min filter on the product's price and its reviews' mean rating;
* the sort orders price_asc, rating and reviews order by price, mean rating and review count; page is
  an offset of 20 a page.

Ranking: plain PostgreSQL by `ts_rank_cd`, Tantivy by BM25, Amazen by its own score (docs/ranking.md).
Sizes on disk: `pg_database_size` of each database, the Tantivy index directory, and the raw files.

    python benchmarks/peers.py [--sizes 1000000] [--queries 240]
"""

import argparse
import contextlib
import io
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(BENCHMARKS))

from import_speed import fresh_database, wait_for_autovacuum, write_files  # noqa: E402
from search import REAL_QUERIES, percentiles, query_mix  # noqa: E402

from amazen.pgcopy import copy_line  # noqa: E402
from amazen.search.blockcache import DEFAULT_MB, BlockCache  # noqa: E402
from amazen.search.query import parse_search  # noqa: E402
from amazen.search.service import SearchService  # noqa: E402

try:
    import tantivy
except ImportError:  # the optional `bench` extra
    tantivy = None

PER_PAGE = 20
COPY_BATCH = 20_000
SORTS = {"price_asc": "price", "rating": "rating", "reviews": "review_count"}


# The files, read directly: what both peers load.


def price_of(value):
    """The metadata's "$1,234.50" as a float; None when it is missing or not a price."""
    try:
        return float(value.lstrip("$").replace(",", "")) if value else None
    except ValueError:
        return None


def products_of(meta_path):
    """(asin, title, brand, category, price) from each metadata line: the category path as words, the price a float."""
    with open(meta_path) as meta:
        for line in meta:
            item = json.loads(line)
            yield (
                item["asin"],
                item.get("title") or "",
                item.get("brand") or "",
                " ".join(item.get("category") or ()),
                price_of(item.get("price")),
            )


def reviews_of(reviews_path):
    """(asin, rating, summary, text) from each review line."""
    with open(reviews_path) as reviews:
        for line in reviews:
            item = json.loads(line)
            yield item["asin"], int(item["overall"]), item.get("summary") or "", item.get("reviewText") or ""


def search_terms(params):
    """A search of the mix as the peers take it: (query words, wanted, avoided, price_max, rating_min,
    sort field or None, offset)."""
    price_max, rating_min = params.get("price_max"), params.get("rating_min")
    return (
        params.get("q", ""),
        params.getall("pos"),
        params.getall("neg"),
        float(price_max) if price_max else None,
        float(rating_min) if rating_min else None,
        SORTS.get(params.get("sort")),
        (int(params.get("page", 1)) - 1) * PER_PAGE,
    )


# Amazen.

CACHED = "Amazen, app's cache"  # the same searches through a cache of the packed index, as an app process


def load_amazen(meta, reviews):
    url = fresh_database("amazen_bench")
    wait_for_autovacuum(url)
    started = time.monotonic()
    subprocess.run(
        [str(Path(sys.executable).with_name("amazen-import")), "--config", str(REPO / "production.ini"), str(meta), str(reviews)],
        env={**os.environ, "AMAZEN_DATABASE_URL": url},
        check=True,
        capture_output=True,
    )
    return url, time.monotonic() - started


def amazen_search(session, cache_mb=0):
    """Amazen's search service; with ``cache_mb``, through a cache of the packed index as an app process
    keeps one (amazen.search.blockcache, DEFAULT_MB by default)."""
    search = SearchService(session, BlockCache(cache_mb << 20) if cache_mb else None)
    return lambda params: search.search(parse_search(params))


# Plain PostgreSQL full text.

PLAIN_SCHEMA = """
CREATE TEMPORARY TABLE meta (asin text, title text, brand text, category text, price numeric(10, 2));
CREATE TABLE reviews (asin text NOT NULL, rating smallint NOT NULL, summary text NOT NULL, text text NOT NULL);
"""

# One row per product: its facts, its reviews' mean rating and count, and everything searchable.
PLAIN_INDEX = """
CREATE TABLE products AS
SELECT m.asin, m.title, m.price, r.rating, coalesce(r.review_count, 0) AS review_count,
       setweight(to_tsvector('english', concat_ws(' ', m.title, m.brand, m.category)), 'A')
       || setweight(to_tsvector('english', coalesce(r.text, '')), 'D') AS document
FROM meta m
LEFT JOIN (
    SELECT asin, avg(rating)::real AS rating, count(*) AS review_count,
           string_agg(summary || ' ' || text, ' ') AS text
    FROM reviews GROUP BY asin
) r USING (asin);
ALTER TABLE products ADD PRIMARY KEY (asin);
CREATE INDEX products_document ON products USING gin (document);
CREATE INDEX reviews_asin ON reviews (asin);
ANALYZE products, reviews;
"""


def copy_rows(cursor, table, rows):
    rows = iter(rows)
    while batch := "".join(map(copy_line, itertools.islice(rows, COPY_BATCH))):
        cursor.copy_expert(f"COPY {table} FROM STDIN", io.StringIO(batch))


def load_plain(meta, reviews):
    url = fresh_database("amazen_fts", migrated=False)
    wait_for_autovacuum(url)
    engine = sa.create_engine(url)
    started = time.monotonic()
    connection = engine.raw_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(PLAIN_SCHEMA)
            copy_rows(cursor, "meta", products_of(meta))
            copy_rows(cursor, "reviews", reviews_of(reviews))
            cursor.execute(PLAIN_INDEX)
        connection.commit()
    finally:
        connection.close()
    seconds = time.monotonic() - started
    engine.dispose()
    return url, seconds


def plain_search(session):
    connection = session.connection()

    def run(params):
        words, wanted, avoided, price_max, rating_min, sort, offset = search_terms(params)
        binds = {"words": words, "price_max": price_max, "rating_min": rating_min, "offset": offset}
        phrases = []
        for n, phrase in enumerate(wanted):
            binds[f"pos{n}"] = phrase
            phrases.append(f"phraseto_tsquery('english', :pos{n})")
        wanted_query = " || ".join(phrases)
        match = "plainto_tsquery('english', :words)" if words else f"({wanted_query})"
        rank = f"{match} || {wanted_query}" if words and wanted else match
        where = [f"document @@ {match}"]
        for n, phrase in enumerate(avoided):
            binds[f"neg{n}"] = phrase
            where.append(f"NOT document @@ phraseto_tsquery('english', :neg{n})")
        if price_max is not None:
            where.append("price <= :price_max")
        if rating_min is not None:
            where.append("rating >= :rating_min")
        order = f"{sort} {'ASC' if sort == 'price' else 'DESC'} NULLS LAST, rank DESC" if sort else "rank DESC"
        where = " AND ".join(where)
        rows = connection.execute(
            sa.text(
                f"SELECT asin, title, ts_rank_cd(document, {rank}) AS rank, count(*) OVER () AS total "
                f"FROM products WHERE {where} ORDER BY {order} LIMIT {PER_PAGE} OFFSET :offset"
            ),
            binds,
        ).all()
        if rows or not offset:
            return (rows[0].total if rows else 0), rows
        # A page past the last one: the count alone.
        return connection.execute(sa.text(f"SELECT count(*) FROM products WHERE {where}"), binds).scalar(), rows

    return run


# Tantivy.


def tantivy_schema():
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("asin", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
    for field in ("brand", "category", "reviews"):
        builder.add_text_field(field, tokenizer_name="en_stem")
    builder.add_float_field("price", fast=True)
    builder.add_float_field("rating", fast=True)
    builder.add_integer_field("review_count", fast=True)
    return builder.build()


def load_tantivy(meta, reviews, directory):
    """The index in ``directory``; returns (index, seconds). Each product's reviews are one run of the
    reviews file (write_files writes them so), read beside the metadata in the same order."""
    started = time.monotonic()
    index = tantivy.Index(tantivy_schema(), path=str(directory))
    writer = index.writer()
    grouped = itertools.groupby(reviews_of(reviews), key=lambda review: review[0])
    pending = next(grouped, None)
    for asin, title, brand, category, price in products_of(meta):
        fields = {"asin": asin, "title": title, "brand": brand, "category": category}
        if pending and pending[0] == asin:
            ratings, texts = [], []
            for _, rating, summary, text in pending[1]:
                ratings.append(rating)
                texts.append(f"{summary} {text}")
            fields.update(reviews=" ".join(texts), rating=sum(ratings) / len(ratings), review_count=len(ratings))
            pending = next(grouped, None)
        else:
            fields["review_count"] = 0
        if price is not None:
            fields["price"] = price
        writer.add_document(tantivy.Document(**fields))
    if pending is not None:
        raise SystemExit(f"the reviews of {pending[0]} are not beside its product in the files")
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index, time.monotonic() - started


def tantivy_search(index):
    schema, searcher = index.schema, index.searcher()
    fields = ["title", "brand", "category", "reviews"]

    def run(params):
        words, wanted, avoided, price_max, rating_min, sort, offset = search_terms(params)
        text = " ".join(
            [
                *(f"+{word}" for word in words.split()),
                *(f'"{phrase}"' for phrase in wanted),
                *(f'-"{phrase}"' for phrase in avoided),
            ]
        )
        clauses = [(tantivy.Occur.Must, index.parse_query(text, fields))]
        if price_max is not None:
            clauses.append(
                (tantivy.Occur.Must, tantivy.Query.range_query(schema, "price", tantivy.FieldType.Float, None, price_max))
            )
        if rating_min is not None:
            clauses.append(
                (tantivy.Occur.Must, tantivy.Query.range_query(schema, "rating", tantivy.FieldType.Float, rating_min, None))
            )
        ordering = {}
        if sort:
            ordering = {"order_by_field": sort, "order": tantivy.Order.Asc if sort == "price" else tantivy.Order.Desc}
        result = searcher.search(tantivy.Query.boolean_query(clauses), limit=PER_PAGE, count=True, offset=offset, **ordering)
        return result.count, [searcher.doc(address)["asin"] for _, address in result.hits]

    return run


# The run.


def vacuumed_mb(url):
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE)")  # what autovacuum does soon after a load, the same for both
        size = conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar() / 2**20
    engine.dispose()
    return size


def directory_mb(directory):
    return sum(path.stat().st_size for path in Path(directory).rglob("*") if path.is_file()) / 2**20


def session_on(stack, url):
    """A session on ``url`` that ``stack`` closes, its engine disposed."""
    engine = sa.create_engine(url)
    stack.callback(engine.dispose)
    return stack.enter_context(Session(engine))


def timed_together(searches, mix):
    """{system: timings} of every search of ``mix`` on each system in turn, after a warm-up pass on each,
    so that a busy moment of the machine falls on all the systems alike."""
    for search in searches.values():
        for params in mix:
            search(params)
    timings = {system: [] for system in searches}
    for params in mix:
        for system, search in searches.items():
            started = time.perf_counter()
            search(params)
            timings[system].append(time.perf_counter() - started)
    return timings


def run(size, queries):
    mix = query_mix(queries, REAL_QUERIES)
    directory = Path(tempfile.mkdtemp(prefix="amazen-bench-peers-"))
    try:
        meta, reviews_file, products, reviews = write_files(directory, size, "real")
        files_mb = (meta.stat().st_size + reviews_file.stat().st_size) / 2**20
        loaded = {}  # system: (load s, size MB)
        amazen_url, seconds = load_amazen(meta, reviews_file)
        loaded["Amazen"] = seconds, vacuumed_mb(amazen_url)
        plain_url, seconds = load_plain(meta, reviews_file)
        loaded["plain PostgreSQL full text"] = seconds, vacuumed_mb(plain_url)
        if tantivy:
            wait_for_autovacuum(plain_url)
            index_directory = directory / "tantivy"
            index_directory.mkdir()
            index, seconds = load_tantivy(meta, reviews_file, index_directory)
            loaded["Tantivy"] = seconds, directory_mb(index_directory)
        # Searches only once everything is loaded, so each system runs them with the others' data on disk.
        with contextlib.ExitStack() as stack:
            searches = {
                "Amazen": amazen_search(session_on(stack, amazen_url)),
                CACHED: amazen_search(session_on(stack, amazen_url), DEFAULT_MB),
                "plain PostgreSQL full text": plain_search(session_on(stack, plain_url)),
            }
            if tantivy:
                searches["Tantivy"] = tantivy_search(index)
            timings = timed_together(searches, mix)
    finally:
        shutil.rmtree(directory, ignore_errors=True)

    print(
        f"corpus: real, {reviews:,} reviews of {products:,} products, raw files {files_mb:,.0f} MB; "
        f"{len(mix)} searches (1-3 query words, 0-3 descriptors, with and without filters), one client, "
        f"after a warm-up pass, each search on every system in turn; load average over 15 minutes {os.getloadavg()[2]:.1f}\n"
    )
    print(
        f"{'system':<28} {'load+index s':>13} {'size MB':>8} {'× files':>8} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'queries/s':>10}"
    )
    print(f"{'raw files':<28} {'':>13} {files_mb:>8,.0f} {1:>8.1f}")
    for system in timings:
        p50, p95, p99 = percentiles(timings[system])
        if system in loaded:
            seconds, mb = loaded[system]
            load = f"{seconds:>13.1f} {mb:>8,.0f} {mb / files_mb:>8.1f}"
        else:  # the same database as the row above
            load = f"{'':>13} {'':>8} {'':>8}"
        print(f"{system:<28} {load} {p50:>7.1f} {p95:>7.1f} {p99:>7.1f} {len(mix) / sum(timings[system]):>10.0f}")
    if not tantivy:
        print("\nTantivy: not installed (pip install -e '.[bench]'), so not measured")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--queries", type=int, default=240)
    args = parser.parse_args()
    for size in args.sizes:
        run(size, args.queries)
