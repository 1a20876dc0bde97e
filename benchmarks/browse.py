"""Browse latency over HTTP: the pages a shopper reads before searching, on the benchmark's database.

The pages, against `pserve production.ini` (waitress) on a local port, one client, after a warm-up pass:

* the home page (`/`: the featured categories, the most reviewed products, the catalog's totals);
* the categories page (`/categories/`: every top-level category with its count of products);
* each top-level category's page (`/categories/<slug>/`: its subcategories with their counts and a page
  of its products), pages 1 and 50 in each sort order;
* the whole catalog (`/products/`), pages 1 and 50 in each sort order.

Runs on the database `benchmarks/search.py` or `benchmarks/peers.py` leaves behind (``amazen_bench``).
With --against, another checkout (with its own .venv) serves the same database beside this one, and each
request goes to both in turn (which goes first alternates), so that both are measured in the same hour.

    python benchmarks/browse.py [--database amazen_bench] [--rounds 3] [--against ../main]
"""

import argparse
import sys
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_speed import built_database_url  # noqa: E402
from search import percentiles, served  # noqa: E402

SORTS = ("reviews", "rating", "price_asc", "title")
PAGES = (1, 50)


def browse_mix(url):
    """[(kind, path)] of the pages measured, kinds as the table's rows."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        tops = conn.execute(sa.text("SELECT path FROM categories WHERE parent_id IS NULL ORDER BY path")).scalars().all()
    engine.dispose()
    mix = [("home", "/"), ("categories", "/categories/")]
    for page in PAGES:
        for sort in SORTS:
            mix += [(f"a category, page {page}", f"/categories/{top}/?sort={sort}&page={page}") for top in tops]
            mix.append((f"the catalog, page {page}", f"/products/?sort={sort}&page={page}"))
    return mix, len(tops)


def get(base, path):
    started = time.perf_counter()
    with urllib.request.urlopen(base + path, timeout=60) as response:
        assert response.status == 200, (path, response.status)
        response.read()
    return time.perf_counter() - started


def run(database, rounds, other):
    url = built_database_url(database)
    mix, categories = browse_mix(url)
    names = ["this checkout"] + ([f"{other.name} (--against)"] if other else [])
    timings = {name: {} for name in names}
    with ExitStack() as stack:
        bases = [stack.enter_context(served(url, name="amazen-bench"))[1]]
        if other:
            bases.append(stack.enter_context(served(url, checkout=other, name="amazen-bench-other"))[1])
        for _, path in mix:  # warm-up: caches, plans
            for base in bases:
                get(base, path)
        for number in range(rounds):
            for i, (kind, path) in enumerate(mix):
                order = list(zip(names, bases))
                if (number + i) % 2:
                    order.reverse()
                for name, base in order:
                    timings[name].setdefault(kind, []).append(get(base, path))
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        products = conn.execute(sa.text("SELECT documents FROM search_stats")).scalar()
    engine.dispose()
    print(f"database: {database}, {products:,} products, {categories} top-level categories; {rounds} rounds, one client\n")
    print(f"{'page':<24} {'system':<24} {'requests':>8} {'p50':>7} {'p95':>7} {'p99':>7}")
    for kind in dict(mix):
        for name in names:
            samples = timings[name][kind]
            p50, p95, p99 = percentiles(samples)
            print(f"{kind:<24} {name:<24} {len(samples):>8} {p50:>7.1f} {p95:>7.1f} {p99:>7.1f}")
    print("\nlatencies in ms over HTTP")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="amazen_bench", help="the database to measure (on the benchmarks' server)")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the pages after the warm-up")
    parser.add_argument("--against", type=Path, help="another checkout (with its own .venv) serving the same database")
    args = parser.parse_args()
    run(args.database, args.rounds, args.against.resolve() if args.against else None)
