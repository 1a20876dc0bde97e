"""The app's ranking over the packed index (amazen.search.ranking) against the SQL reference ranking
(tests/reference_ranking.py, the oracle tests/functional/test_ranking.py holds it to), on the same
database, for the search benchmark's query mix: whether every search gets the same total, page, scores
and facets from both, and the latency of each, service level (evidence and quotes included), the two
interleaved after a warm-up pass.

The comparison stays because it checks the packed ranking against its oracle at a catalog's full size,
which the tests' catalog of a few thousand products cannot; the reference's latency shows what the
packed index saves over ranking in SQL. It runs on a database `benchmarks/search.py` left behind
(``amazen_bench`` by default), as it is, with keys by term for the reference while it runs (``BY_TERM``).

    python benchmarks/packed_ranking.py [--queries 240] [--corpus demo|real] [--database amazen_bench]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # the repository, for tests.reference_ranking
from import_speed import bench_database_url  # noqa: E402
from search import QUERIES, REAL_QUERIES, percentiles, query_mix  # noqa: E402

from amazen.search.query import parse_search  # noqa: E402
from amazen.search.service import SearchService  # noqa: E402
from tests.reference_ranking import ReferenceSearch  # noqa: E402


def outcome(found):
    return found.total, [(r.asin, round(r.score, 6)) for r in found.results], found.facets


# The reference reads a term's rows by term, and product_terms and descriptor_evidence are views of one
# row per product: for the run, it reads copies of their rows keyed by term (temporary tables of the same
# names, which come first in the search path).
BY_TERM = """
SET temp_buffers = '1GB';
CREATE TEMP TABLE product_terms AS SELECT * FROM public.product_terms;
CREATE INDEX ON pg_temp.product_terms (term, product_id) INCLUDE (tf, length);
CREATE TEMP TABLE descriptor_evidence AS SELECT * FROM public.descriptor_evidence;
CREATE INDEX ON pg_temp.descriptor_evidence (term, product_id) INCLUDE (mentions, positive, negative, rated, stars_sum);
CREATE INDEX ON pg_temp.descriptor_evidence (product_id, term);
ANALYZE pg_temp.product_terms, pg_temp.descriptor_evidence;
"""


def run(queries, corpus, database):
    mix = query_mix(queries, REAL_QUERIES if corpus == "real" else QUERIES)
    requests = [parse_search(params) for params in mix]
    engine = sa.create_engine(bench_database_url(database))
    with engine.connect() as conn:
        conn.exec_driver_sql(BY_TERM)
        conn.commit()
        timings, differing, products, reviews = compare(conn, mix, requests)
    engine.dispose()
    report(corpus, mix, timings, differing, products, reviews)


def compare(conn, mix, requests):
    """Each search's outcome from both rankings, then their latencies, interleaved after a warm-up."""
    with Session(bind=conn) as session:
        products, reviews = session.execute(
            sa.text("SELECT (SELECT count(*) FROM products), (SELECT count(*) FROM reviews)")
        ).one()
        services = {"sql": ReferenceSearch(session), "packed": SearchService(session)}
        differing = [
            params
            for params, request in zip(mix, requests)
            if outcome(services["packed"].search(request)) != outcome(services["sql"].search(request))
        ]
        session.rollback()
        for request in requests:  # warm-up
            for service in services.values():
                service.search(request)
        timings = {"sql": [], "packed": []}
        for i, request in enumerate(requests):
            for name in ("sql", "packed") if i % 2 else ("packed", "sql"):
                started = time.perf_counter()
                services[name].search(request)
                timings[name].append(time.perf_counter() - started)
            session.rollback()
    return timings, differing, products, reviews


def report(corpus, mix, timings, differing, products, reviews):
    print(
        f"corpus: {corpus}; {reviews:,} reviews, {products:,} products; {len(mix)} queries, after a warm-up pass, "
        f"the two interleaved"
    )
    print(f"same total, page, scores and facets: {len(mix) - len(differing)} of {len(mix)}")
    for params in differing[:5]:
        print("  differs:", "&".join(f"{k}={v}" for k, v in params.items()))
    print(f"\n{'ranking':>24} {'p50':>7} {'p95':>7} {'p99':>7} {'mean':>7} {'per s':>7}")
    for name, label in (("sql", "SQL reference"), ("packed", "packed index + numpy")):
        p50, p95, p99 = percentiles(timings[name])
        print(
            f"{label:>24} {p50:>7.1f} {p95:>7.1f} {p99:>7.1f} {1000 * statistics.mean(timings[name]):>7.1f} "
            f"{len(timings[name]) / sum(timings[name]):>7.0f}"
        )
    print("\nlatencies in ms, service level, evidence and quotes included")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=240)
    parser.add_argument(
        "--corpus",
        choices=("demo", "real"),
        default="demo",
        help="which query mix: the demo generator's products or the real catalog's",
    )
    parser.add_argument("--database", default="amazen_bench", help="the database to measure (on the benchmarks' server)")
    args = parser.parse_args()
    run(args.queries, args.corpus, args.database)
