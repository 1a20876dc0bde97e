"""Written-review latency: CatalogService.write_review, committed, on the benchmark's database.

What `POST /api/products/<asin>/reviews` costs below HTTP: the review written, the product's rating
aggregates and search index rows rebuilt, the catalog's totals moved, in one transaction. It writes one
review to each of N reviewed products (seeded choice), one transaction each, then deletes them and
re-indexes those products the same way, so the database is left with the reviews it had. The writer is
an account made for the run and deleted with its reviews afterwards.

Runs on the database `benchmarks/search.py` leaves behind (``amazen_bench``).

    python benchmarks/write_review.py [--writes 50] [--database amazen_bench]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_speed import built_database_url  # noqa: E402
from search import percentiles  # noqa: E402

from amazen.accounts.services import CurrentUser  # noqa: E402
from amazen.catalog.services import CatalogService  # noqa: E402
from amazen.models import Product, User  # noqa: E402
from amazen.search.indexer import index_products  # noqa: E402

WRITER_EMAIL = "amazen-benchmark-writer@example.invalid"


def run(writes, database):
    engine = sa.create_engine(built_database_url(database))
    with engine.connect() as conn:
        reviews = conn.execute(sa.text("SELECT count(*) FROM reviews")).scalar()
        product_ids = (
            conn.execute(
                sa.text("SELECT product_id FROM product_stats WHERE review_count > 0 ORDER BY md5(product_id::text) LIMIT :n"),
                {"n": writes},
            )
            .scalars()
            .all()
        )
    with Session(engine) as session, session.begin():
        # The account whose reviews these are; its password hash is never used to sign in.
        session.execute(sa.text("DELETE FROM users WHERE email = :e"), {"e": WRITER_EMAIL})
        writer = User(email=WRITER_EMAIL, display_name="Benchmark writer", password_hash="-")
        session.add(writer)
        session.flush()
        writer = CurrentUser.of(writer)
    timings = []
    try:
        for product_id in product_ids:
            started = time.perf_counter()
            with Session(engine) as session, session.begin():
                CatalogService(session).write_review(
                    session.get(Product, product_id),
                    writer,
                    rating=4,
                    summary="Comfortable",
                    text="Very comfortable and sturdy. Good value.",
                )
            timings.append(time.perf_counter() - started)
    finally:
        with engine.begin() as conn:
            written = (
                conn.execute(sa.text("DELETE FROM reviews WHERE user_id = :u RETURNING product_id"), {"u": writer.id})
                .scalars()
                .all()
            )
            conn.execute(sa.text("DELETE FROM users WHERE id = :u"), {"u": writer.id})
            index_products(conn, written, reviews_only=True)
        engine.dispose()
    p50, p95, p99 = percentiles(timings)
    print(f"database: {database}, {reviews:,} reviews; {len(timings)} reviews written, one per product, each committed\n")
    print(f"{'operation':>12} {'p50':>7} {'p95':>7} {'p99':>7} {'mean':>7} {'per s':>7}")
    print(
        f"{'write_review':>12} {p50:>7.1f} {p95:>7.1f} {p99:>7.1f} {1000 * statistics.mean(timings):>7.1f} "
        f"{len(timings) / sum(timings):>7.0f}"
    )
    print("\nlatencies in ms, one writer")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writes", type=int, default=50)
    parser.add_argument("--database", default="amazen_bench", help="the database to measure (on the benchmarks' server)")
    args = parser.parse_args()
    run(args.writes, args.database)
