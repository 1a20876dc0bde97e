"""Import throughput: reviews/s end to end (read, parse, clean, COPY, merge, aggregates) and peak memory.

Writes review and metadata files in the Ni 2018 format from the demo generator (100k and 1M reviews by
default; with --corpus real, the real reviews under ../shared resampled to that size), imports each into
a fresh database with `amazen-import`, and prints a table. The database is the embedded server's
`amazen_bench` (or AMAZEN_BENCH_DATABASE_URL's server).

    python benchmarks/import_speed.py [--sizes 100000 1000000] [--keep-files DIR] [--corpus demo|real]
        [--baseline OTHER_CHECKOUT/src --rounds 2]

With --baseline, the same files are imported by that code too, alternately (an A/B in one run: the
machine's speed moves too much between runs to compare them).
"""

import argparse
import dataclasses
import itertools
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from amazen import embedded  # noqa: E402
from amazen.catalog.demo import generate  # noqa: E402
from amazen.catalog.records import ProductRecord, ReviewRecord  # noqa: E402
from amazen.dbsetup import alembic_config, migrate  # noqa: E402
from amazen.ingest.base import open_text  # noqa: E402
from amazen.ingest.importer import detect_format  # noqa: E402

MEAN_REVIEWS = 10.0
SHARED_DATA = REPO.parent / "shared" / "data" / "amazon"


def write_files(directory, reviews_wanted, corpus="demo"):
    """meta_Bench.json and Bench_5.json (Ni 2018 format) with about ``reviews_wanted`` reviews from ``corpus``
    ("demo": the demo generator; "real": the real reviews under ../shared resampled, see ``resampled_real``);
    returns (meta path, reviews path, products, reviews)."""
    if corpus == "demo":
        records = generate(products=int(reviews_wanted / MEAN_REVIEWS * 1.02), mean_reviews=MEAN_REVIEWS)
    else:
        records = resampled_real()
    meta_path, reviews_path = directory / "meta_Bench.json", directory / "Bench_5.json"
    products = reviews = 0
    with open(meta_path, "w") as meta, open(reviews_path, "w") as out:
        for record in records:
            if isinstance(record, ProductRecord):
                if reviews >= reviews_wanted:
                    break
                products += 1
                meta.write(
                    json.dumps(
                        {
                            "asin": record.asin,
                            "title": record.title,
                            "brand": record.brand,
                            "price": f"${record.price:,}" if record.price is not None else "",
                            "category": list(record.categories[0]) if record.categories else [],
                            "feature": list(record.features),
                            "description": [record.description] if record.description else [],
                            "main_cat": record.categories[0][0] if record.categories else "",
                        }
                    )
                    + "\n"
                )
            elif isinstance(record, ReviewRecord):
                reviews += 1
                out.write(
                    json.dumps(
                        {
                            "overall": float(record.rating),
                            "verified": record.verified,
                            "reviewerID": record.reviewer_id,
                            "asin": record.asin,
                            "reviewerName": record.reviewer_name,
                            "reviewText": record.text,
                            "summary": record.summary,
                            "unixReviewTime": int(record.reviewed_at.timestamp()) if record.reviewed_at else None,
                            "vote": str(record.helpful_votes) if record.helpful_votes else None,
                        }
                    )
                    + "\n"
                )
    return meta_path, reviews_path, products, reviews


def real_catalog():
    """Every product and rated review in ../shared/data/amazon, read by Amazen's own readers:
    ({asin: ProductRecord}, {asin: [ReviewRecord]}). Metadata wins over what a review line carries;
    Hu & Liu's reviews have no stars and are left out (the Ni 2018 format needs them), and so are products
    without reviews (most of the Gift Cards and Appliances metadata), which would only dilute the corpus."""
    products, reviews = {}, {}
    for path in sorted(SHARED_DATA.rglob("*")):
        if not path.is_file() or path.suffix == ".md" or path.name == "Readme.txt":
            continue
        reader = detect_format(path)
        with open_text(path) as handle:
            for _, item in reader.read(handle):
                if isinstance(item, ProductRecord):
                    if item.asin not in products or (products[item.asin].partial and not item.partial):
                        products[item.asin] = item
                elif isinstance(item, ReviewRecord) and item.rating:
                    reviews.setdefault(item.asin, []).append(item)
    return {asin: products.get(asin, ProductRecord(asin=asin, title=None)) for asin in reviews}, reviews


def resampled_real(seed=20261129):
    """Endless records resampled from the real catalog: round c copies every reviewed product as "<asin>-c"
    (round 0 keeps the asin) and gives each copy as many reviews as the original has, drawn with
    replacement from the original's reviews under new reviewer ids. A query word matches the same share
    of this catalog as of the real files, and each copy's evidence varies as a real sample would."""
    products, reviews = real_catalog()
    rng = random.Random(seed)
    asins = sorted(products)
    for copy in itertools.count():
        for asin in asins:
            new_asin = f"{asin}-{copy}" if copy else asin
            yield dataclasses.replace(products[asin], asin=new_asin, partial=False)
            originals = reviews[asin]
            for n in range(len(originals)):
                review = rng.choice(originals)
                yield dataclasses.replace(review, asin=new_asin, reviewer_id=f"{review.reviewer_id}-{copy}-{n}")


def bench_database_url(name="amazen_bench"):
    """The benchmarks' database: ``name`` on AMAZEN_BENCH_DATABASE_URL's server or the embedded one."""
    base = os.environ.get("AMAZEN_BENCH_DATABASE_URL")
    url = sa.engine.make_url(base) if base else sa.engine.make_url(embedded.database_url(REPO / "var"))
    return url.set(database=name).render_as_string(hide_password=False)


def built_database_url(name="amazen_bench"):
    """bench_database_url(``name``) of a database an earlier run built, once it is at this code's
    migration: one that an older checkout built would fail mid-run, or measure another schema."""
    url = bench_database_url(name)
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.SQLAlchemyError as error:
        problem = type(error).__name__
        raise SystemExit(f"database {name}: no Amazen schema to measure ({problem}); build it with a run first") from None
    finally:
        engine.dispose()
    if version != head:
        raise SystemExit(
            f"database {name} is at migration {version}, this code at {head}: run `alembic upgrade head` and "
            "`amazen-reindex` on it (AMAZEN_DATABASE_URL), or build it again"
        )
    return url


def fresh_database(name="amazen_bench", migrated=True):
    """An empty database ``name`` (dropped first if it exists), with Amazen's schema when ``migrated``."""
    bench = bench_database_url(name)
    admin = sa.create_engine(sa.engine.make_url(bench).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    if migrated:
        migrate(bench)
    return bench


def wait_for_autovacuum(url, limit=300):
    """Wait (up to ``limit`` seconds) until no autovacuum worker runs on the server, so that the import
    is timed alone, not with autovacuum working through other large databases on the same cores.
    Returns whether one was still running when the wait ended."""
    engine = sa.create_engine(url)
    deadline = time.monotonic() + limit
    told = False
    try:
        with engine.connect() as conn:
            while True:
                running = conn.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
                ).scalar()
                if not running or time.monotonic() > deadline:
                    return bool(running)
                if not told:
                    print(f"waiting for {running} autovacuum worker(s) to finish before timing", file=sys.stderr)
                    told = True
                conn.rollback()  # a new snapshot of pg_stat_activity each time
                time.sleep(1)
    finally:
        engine.dispose()


def postgres_cpu():
    """CPU seconds the local PostgreSQL server's processes have used so far (the postmaster's ended
    children included: an import's backend ends with it), or None when the server is not on this machine."""
    import psutil

    def is_postmaster(process):
        """A postgres process whose parent is not one; False for a process (or parent) that has ended
        meanwhile: other servers' children come and go while this looks."""
        if process.info["name"] != "postgres":
            return False
        try:
            return process.info["ppid"] == 1 or psutil.Process(process.info["ppid"]).name() != "postgres"
        except psutil.Error:
            return False

    postmasters = [p for p in psutil.process_iter(["name", "ppid"]) if is_postmaster(p)]
    if not postmasters:
        return None
    total = 0.0
    for postmaster in postmasters:
        try:
            children, own = postmaster.children(), postmaster.cpu_times()
        except psutil.Error:  # that server stopped meanwhile
            continue
        total += own.user + own.system + own.children_user + own.children_system
        for process in children:
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
    return total


def adopt_orphans():
    """Make this process the reaper of its descendants' orphans (Linux). The import's workers are children
    of multiprocessing's forkserver, which outlives the import by a moment: reaped here (reap_group), its
    and its workers' CPU time and peak memory count in RUSAGE_CHILDREN."""
    import ctypes

    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def reap_group(pgid):
    """Wait for this process's children in process group ``pgid``: what the import left to finish."""
    import psutil

    for child in psutil.Process().children():
        try:
            if os.getpgid(child.pid) == pgid:
                os.waitpid(child.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def timed_import(importer, url, meta, reviews_file, source=None):
    """Import ``meta`` and ``reviews_file`` into ``url`` with ``amazen-import`` (the code under ``source``
    when given) and time it: {seconds, peak_mb, cpu, postgres_cpu, inserted, autovacuum, database_mb}."""
    autovacuum = wait_for_autovacuum(url)
    env = {**os.environ, "AMAZEN_DATABASE_URL": url}
    if source is not None:
        env["PYTHONPATH"] = str(source)
    adopt_orphans()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    postgres_before = postgres_cpu()
    started = time.monotonic()
    process = subprocess.Popen(
        [importer, "--config", str(REPO / "production.ini"), "--json", str(meta), str(reviews_file)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a process group of its own: the import and its workers
    )
    stdout, stderr = process.communicate()
    seconds = time.monotonic() - started
    reap_group(process.pid)
    if process.returncode != 0:
        sys.exit(stderr)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    postgres_after = postgres_cpu()
    return {
        "seconds": seconds,
        "peak_mb": max(after.ru_maxrss, before.ru_maxrss) / 1024,
        # The import's processes: itself and its workers (reaped by reap_group or by it).
        "cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
        "postgres_cpu": None if postgres_before is None else postgres_after - postgres_before,
        "inserted": json.loads(stdout)["reviews"]["inserted"],
        "autovacuum": autovacuum,
        "database_mb": database_mb(url),
    }


def database_mb(url):
    """pg_database_size of ``url``'s database, in MB."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        size = conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()
    engine.dispose()
    return size / 2**20


def migrate_with(url, source):
    """Migrate ``url`` with the code under ``source`` (a src/ folder), or with this checkout's (None)."""
    if source is None:
        migrate(url)
        return
    subprocess.run(
        [sys.executable, "-c", "import sys; from amazen.dbsetup import migrate; migrate(sys.argv[1])", url],
        env={**os.environ, "PYTHONPATH": str(source)},
        check=True,
    )


def run(sizes, keep, corpus="demo", baseline=None, rounds=1):
    """Import each size ``rounds`` times; with ``baseline`` (another checkout's src/ folder, e.g. of the
    code before a change), each round imports the same files with that code too, alternating which goes
    first, so that both are timed under the same load."""
    rows = []
    importer = str(Path(sys.executable).with_name("amazen-import"))
    codes = [("this", None)] + ([("baseline", Path(baseline).resolve())] if baseline else [])
    for size in sizes:
        directory = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="amazen-bench-"))
        directory.mkdir(parents=True, exist_ok=True)
        try:
            started = time.monotonic()
            meta, reviews_file, products, reviews = write_files(directory, size, corpus)
            generated = time.monotonic() - started
            for round_number in range(rounds):
                for code, source in codes if round_number % 2 == 0 else codes[::-1]:
                    url = fresh_database(migrated=False)
                    migrate_with(url, source)
                    row = timed_import(importer, url, meta, reviews_file, source)
                    rate = reviews / row["seconds"]
                    row.update(code=code, reviews=reviews, products=products, generated_s=generated, rate=rate)
                    row["mb"] = (meta.stat().st_size + reviews_file.stat().st_size) / 2**20
                    rows.append(row)
        finally:
            if not keep:  # the files and their folder, also when the run stops early
                shutil.rmtree(directory, ignore_errors=True)
    # CPU: seconds of CPU time used by the import's processes and by PostgreSQL's; on this 2-core machine
    # 20,000 reviews/s leaves 100 CPU seconds per million reviews for both.
    print(
        f"{'code':>8} {'reviews':>10} {'products':>9} {'file MB':>8} {'import s':>9} {'reviews/s':>10} {'peak RSS MB':>12} "
        f"{'CPU s import':>13} {'CPU s PostgreSQL':>17} {'database MB':>12}"
    )
    for r in rows:
        postgres = "–" if r["postgres_cpu"] is None else f"{r['postgres_cpu']:.1f}"
        print(
            f"{r['code']:>8} {r['reviews']:>10,} {r['products']:>9,} {r['mb']:>8.0f} {r['seconds']:>9.1f} {r['rate']:>10,.0f} "
            f"{r['peak_mb']:>12.0f} {r['cpu']:>13.1f} {postgres:>17} {r['database_mb']:>12,.0f}"
            + ("  (autovacuum was running)" if r["autovacuum"] else "")
        )
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--keep-files", metavar="DIR")
    parser.add_argument(
        "--corpus",
        choices=("demo", "real"),
        default="demo",
        help="demo: the demo generator; real: the reviews under ../shared resampled to each size",
    )
    parser.add_argument(
        "--baseline",
        metavar="SRC",
        help="also import with the code under SRC (another checkout's src/ folder), alternating with this one",
    )
    parser.add_argument("--rounds", type=int, default=1, help="imports of each size (with each code)")
    args = parser.parse_args()
    run(args.sizes, args.keep_files, args.corpus, args.baseline, args.rounds)
