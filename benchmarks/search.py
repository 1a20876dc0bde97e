"""Search latency at scale: service level and over HTTP through waitress, index build time, app RSS.

For each size (100k and 1M reviews by default) it writes Ni 2018-format files from the demo generator
(or, with --corpus real, from the real reviews under ../shared resampled: see import_speed.resampled_real),
imports them into a fresh database with `amazen-import` (which builds the index), times a full
`amazen-reindex` and a VACUUM (ANALYZE) (what autovacuum does soon after a load),
then runs a fixed mix of queries (1-3 query words, 0-3 descriptors, with and without
filters; seeded, so every run asks the same questions):

* service level: SearchService.search, SuggestService.descriptors and SuggestService.complete in this
  process, after one warm-up pass; and the mix's searches again narrowed by their top category facet
  value, then by their top brand (as a shopper clicking that facet would: "+category", "+brand");
* HTTP: GET /api/search, the results page GET /search and GET /api/suggest/descriptors against `pserve
  production.ini` (waitress) on a local port, one client; the server's peak RSS (VmHWM) is read from
  /proc at the end.

With --replica, the database is built on a primary started for the run and cloned into a streaming
replica beside it (tests/replica/servers.py), and the HTTP mix runs twice: on the primary alone, then
with the replica in AMAZEN_DATABASE_REPLICA_URLS; it prints both latencies and the share of the
second run's transactions each server committed.

    python benchmarks/search.py [--sizes 100000 1000000] [--queries 240] [--corpus demo|real]
                                [--measure-only [--database amazen_bench]] [--cache-mb 64]
    python benchmarks/search.py --replica [--sizes 100000] [--queries 240] [--corpus demo|real]
    python benchmarks/search.py --against ../main [--queries 240] [--corpus demo|real] [--database amazen_bench]
                                [--against-database amazen_old]

With --against, this checkout and another (say main, before a change) serve the database a run left
behind side by side, and the HTTP mix goes to both, interleaved: latencies and CPU per request of each.
With --against-database, the other checkout serves that database instead (a change of what the index
stores: each code on the catalog it built from the same files, on the same server).
"""

import argparse
import contextlib
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session
from webob.multidict import MultiDict

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(BENCHMARKS))
sys.path.insert(0, str(REPO))  # tests.replica.servers, for --replica

from import_speed import bench_database_url, built_database_url, fresh_database, wait_for_autovacuum, write_files  # noqa: E402

from amazen.search.blockcache import DEFAULT_MB, BlockCache  # noqa: E402
from amazen.search.query import parse_search  # noqa: E402
from amazen.search.service import SearchService  # noqa: E402
from amazen.search.suggest import SuggestService  # noqa: E402

# What shoppers of the demo catalog's categories type, and what they want reviews to say.
QUERIES = {
    "headphones": (
        ["headphones", "wireless headphones", "noise cancelling headphones", "bluetooth headphones", "studio headphones"],
        ["comfortable", "bass", "sound quality", "battery life", "noise cancelling", "microphone"],
        ["flimsy", "broke", "uncomfortable"],
    ),
    "speaker": (
        ["speaker", "bluetooth speaker", "waterproof speaker", "portable speaker"],
        ["loud", "bass", "battery life", "waterproof", "sound quality"],
        ["distorted", "broke", "disconnects"],
    ),
    "knife": (
        ["knife", "chef knife", "kitchen knife", "santoku knife"],
        ["sharp", "balance", "handle", "edge"],
        ["rust", "dull", "chipped"],
    ),
    "coffee": (
        ["coffee maker", "drip coffee maker", "coffee", "programmable coffee maker"],
        ["hot", "easy to clean", "taste", "fast"],
        ["leaks", "noisy", "bitter"],
    ),
    "backpack": (
        ["backpack", "laptop backpack", "travel backpack", "hiking backpack"],
        ["comfortable", "durable", "storage", "zippers"],
        ["ripped", "zipper broke", "small"],
    ),
    "bottle": (
        ["water bottle", "insulated bottle", "stainless bottle"],
        ["cold", "insulation", "easy to clean"],
        ["leaks", "dent", "metallic taste"],
    ),
    "chair": (
        ["office chair", "ergonomic chair", "desk chair", "mesh chair"],
        ["comfortable", "lumbar support", "easy assembly", "armrests"],
        ["squeaks", "wobbly", "broke"],
    ),
    "shoes": (
        ["running shoes", "trail shoes", "shoes", "lightweight running shoes"],
        ["comfortable", "cushioning", "grip", "breathable"],
        ["blisters", "narrow", "fell apart"],
    ),
}


# The same for the real catalog resampled (--corpus real): electronics and books from the Multi-Domain
# Sentiment Dataset, gift cards from Ni 2018 and the TSV sample, a few instruments and phones.
REAL_QUERIES = {
    "headphones": (
        ["headphones", "wireless headphones", "noise cancelling headphones", "headset", "earbuds"],
        ["comfortable", "bass", "sound quality", "noise cancelling"],
        ["broke", "uncomfortable", "cheap"],
    ),
    "audio": (
        ["speakers", "computer speakers", "mp3 player", "radio"],
        ["sound quality", "loud", "bass", "easy to use"],
        ["static", "distorted", "stopped working"],
    ),
    "computer": (
        ["mouse", "wireless mouse", "keyboard", "router", "cable"],
        ["reliable", "easy to install", "fast", "works great"],
        ["disconnects", "stopped working", "returned"],
    ),
    "phone": (
        ["phone", "cordless phone", "phone charger", "phone case"],
        ["battery life", "clear", "easy to use", "durable"],
        ["static", "flimsy", "broke"],
    ),
    "video": (
        ["dvd player", "remote control", "tv antenna", "memory card"],
        ["picture quality", "easy to use", "reliable"],
        ["stopped working", "poor reception", "slow"],
    ),
    "books": (
        ["novel", "history book", "cookbook", "mystery novel", "biography"],
        ["well written", "interesting", "recipes", "characters"],
        ["boring", "predictable", "repetitive"],
    ),
    "gift cards": (
        ["gift card", "amazon gift card", "restaurant gift card", "starbucks card"],
        ["great gift", "convenient", "easy"],
        ["expired", "problem", "fees"],
    ),
}


def query_mix(count, queries=QUERIES, seed=20261128):
    rng = random.Random(seed)
    mix = []
    for i in range(count):
        words, wanted, avoided = queries[rng.choice(sorted(queries))]
        params = MultiDict()
        query = rng.choice(words)
        if i % 10 == 9:  # some searches are descriptors alone
            query = ""
        else:
            query = " ".join(query.split()[:3])
        if query:
            params.add("q", query)
        descriptors = rng.choice((0, 1, 1, 2, 2, 3)) if query else rng.choice((1, 2))
        for word in rng.sample(wanted, min(descriptors, len(wanted))):
            params.add("pos", word)
        if descriptors >= 2 and rng.random() < 0.5:
            params.add("neg", rng.choice(avoided))
        roll = rng.random()
        if roll < 0.2:
            params.add("price_max", str(rng.choice((50, 100, 200))))
        elif roll < 0.35:
            params.add("rating_min", "4")
        elif roll < 0.45:
            params.add("sort", rng.choice(("price_asc", "rating", "reviews")))
        if rng.random() < 0.1:
            params.add("page", str(rng.choice((2, 3, 10))))
        mix.append(params)
    return mix


def percentiles(samples):
    ordered = sorted(samples)

    def at(p):
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000

    return at(50), at(95), at(99)


def prefixes(mix):
    """What a shopper has typed on the way to each query: every prefix of 1 to 12 characters."""
    typed = []
    for params in mix:
        query = params.get("q") or params.get("pos") or ""
        typed += [query[:n] for n in range(1, min(len(query), 12) + 1)]
    return typed


def timed(call, inputs):
    for value in inputs:  # warm-up: caches, plans
        call(value)
    timings = []
    for value in inputs:
        started = time.perf_counter()
        call(value)
        timings.append(time.perf_counter() - started)
    return timings


def clicked(search, mix, facet):
    """The searches of ``mix`` narrowed by the value of ``facet`` ("category" or "brand") that most of
    their results have, as a shopper clicking it would; searches that offer none are left out."""
    narrowed = []
    for params in mix:
        values = search.search(parse_search(params)).facets[facet]
        if values:
            params = MultiDict(params)
            params.add(facet, max(values, key=lambda value: value["count"])["value"])
            narrowed.append(params)
    return narrowed


def service_level(url, mix, cache_mb=DEFAULT_MB):
    """Service-level latencies of searches (also narrowed by a category or a brand facet), descriptor
    suggestions and completions; "cached": the searches again with a process's cache of the packed index
    (amazen.search.blockcache) of ``cache_mb``, as the app has."""
    engine = sa.create_engine(url)
    with Session(engine) as session:
        search = SearchService(session)
        suggest = SuggestService(session, search)

        def run_search(params):
            return search.search(parse_search(params))

        cached = SearchService(session, BlockCache(cache_mb << 20) if cache_mb else None)
        timings = {
            "search": timed(run_search, mix),
            "cached": timed(lambda params: cached.search(parse_search(params)), mix),
            "+category": timed(run_search, clicked(search, mix, "category")),
            "+brand": timed(run_search, clicked(search, mix, "brand")),
            "suggest": timed(lambda params: suggest.descriptors(parse_search(params)), mix),
            "complete": timed(suggest.complete, prefixes(mix)),
        }
    engine.dispose()
    return timings


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(url, replica_url=None):
    """pserve's environment: the database, the replica when there is one, and a session secret (production
    refuses to start without one) unless the caller's environment has its own."""
    env = {**os.environ, "AMAZEN_DATABASE_URL": url}
    env.setdefault("AMAZEN_SESSION_SECRET", "benchmark-session-secret-" + "b" * 32)
    if replica_url:
        env["AMAZEN_DATABASE_REPLICA_URLS"] = replica_url
    return env


# What a shopper's browser asks for: the API's search, the results page (with suggested descriptors,
# facets and evidence) and the suggestions the page's script asks for.
HTTP_PATHS = ("/api/search", "/search", "/api/suggest/descriptors")


@contextlib.contextmanager
def served(url, checkout=REPO, replica_url=None, cache_mb=DEFAULT_MB, name="amazen-bench"):
    """(pserve's process, its base URL): `pserve production.ini` of ``checkout`` (its own .venv's, or this
    interpreter's for this checkout) on a free local port, its database sessions named ``name``."""
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="amazen-bench-http-"))
    ini = re.sub(r"^listen = .*$", f"listen = 127.0.0.1:{port}", (checkout / "production.ini").read_text(), flags=re.M)
    ini = ini.replace("[server:main]", f"amazen.search_cache_mb = {cache_mb}\n\n[server:main]", 1)
    (workdir / "production.ini").write_text(ini)
    pserve = checkout / ".venv" / "bin" / "pserve" if checkout != REPO else Path(sys.executable).with_name("pserve")
    server = subprocess.Popen(
        [str(pserve), str(workdir / "production.ini")],
        cwd=workdir,
        env={**server_environment(url, replica_url), "PGAPPNAME": name},
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "pserve.log", "w"),
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("pserve did not start:\n" + (workdir / "pserve.log").read_text()[-3000:])
                time.sleep(0.2)
        yield server, base
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


def getter(base, path):
    def get(params):
        with urllib.request.urlopen(f"{base}{path}?{urllib.parse.urlencode(list(params.items()))}", timeout=30) as r:
            assert r.status == 200
            r.read()

    return get


def peak_rss_mb(pid):
    return int(re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1)) / 1024


def over_http(url, mix, replica_url=None, cache_mb=DEFAULT_MB, paths=HTTP_PATHS):
    """{path: latencies} of ``mix`` against `pserve production.ini` over HTTP (each path of ``paths`` in
    turn, one client), and the server's peak RSS in MB."""
    with served(url, replica_url=replica_url, cache_mb=cache_mb) as (server, base):
        timings = {path: timed(getter(base, path), mix) for path in paths}
        return timings, peak_rss_mb(server.pid)


def cpu_seconds(pid):
    """User and system CPU seconds of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def against(url, mix, other, cache_mb=DEFAULT_MB, other_url=None):
    """Before and after in one run: this checkout's `pserve` and ``other``'s (another checkout with its
    own .venv, e.g. main's) on the same database (or ``other`` on ``other_url``), each request of the mix
    sent to both in turn (which goes first alternates), path by path after a warm-up pass. Per server and path: latencies, the app
    process's CPU per request and its PostgreSQL sessions' (found by application name: PostgreSQL on this
    machine)."""
    engine = sa.create_engine(url)

    def sessions(name):
        with engine.connect() as conn:
            return [
                pid
                for (pid,) in conn.execute(sa.text("SELECT pid FROM pg_stat_activity WHERE application_name = :n"), {"n": name})
            ]

    rows = []
    with (
        served(other_url or url, other, cache_mb=cache_mb, name="bench-before") as before,
        served(url, cache_mb=cache_mb, name="bench-after") as after,
    ):
        servers = {"before": before, "after": after}
        for path in HTTP_PATHS:
            gets = {label: getter(base, path) for label, (_, base) in servers.items()}
            for params in mix:  # warm-up: caches, plans, the pools' connections
                for get in gets.values():
                    get(params)
            backends = {label: sessions(f"bench-{label}") for label in servers}
            used = {
                label: (cpu_seconds(server.pid), sum(map(cpu_seconds, backends[label]))) for label, (server, _) in servers.items()
            }
            timings = {label: [] for label in servers}
            for i, params in enumerate(mix):
                for label in ("before", "after") if i % 2 == 0 else ("after", "before"):
                    started = time.perf_counter()
                    gets[label](params)
                    timings[label].append(time.perf_counter() - started)
            for label, (server, _) in servers.items():
                app = (cpu_seconds(server.pid) - used[label][0]) / len(mix)
                database = (sum(map(cpu_seconds, backends[label])) - used[label][1]) / len(mix)
                rows.append((path, label, timings[label], app, database, peak_rss_mb(server.pid)))
    engine.dispose()
    print(
        f"{len(mix)} requests a path to each server, interleaved, after a warm-up pass; load average {os.getloadavg()[0]:.1f}\n"
    )
    print(f"{'GET':>26} {'code':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'app CPU ms':>11} {'PG CPU ms':>10} {'peak RSS MB':>12}")
    for path, label, timings, app, database, rss in rows:
        p50, p95, p99 = percentiles(timings)
        print(
            f"{path:>26} {label:>7} {p50:>7.1f} {p95:>7.1f} {p99:>7.1f} {app * 1000:>11.1f} {database * 1000:>10.1f} {rss:>12.0f}"
        )
    print("\nlatencies in ms; CPU per request; peak RSS: the app process's, at the end")


def corpus_counts(url):
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        counts = {
            t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in ("products", "reviews", "descriptor_evidence")
        }
        # The postings, counted from their terms' document frequencies rather than decoded row by row.
        counts["product_terms"] = conn.execute(sa.text("SELECT COALESCE(sum(products), 0) FROM product_term_stats")).scalar()
        counts["index_mb"] = conn.execute(
            sa.text(
                "SELECT (pg_total_relation_size('product_evidence')"
                " + pg_total_relation_size('packed_terms') + pg_total_relation_size('packed_evidence')"
                " + pg_total_relation_size('packed_facts')) / 1048576.0"
            )
        ).scalar()
    engine.dispose()
    return counts


def build(size, corpus):
    """A fresh database with ``size`` reviews from ``corpus``, indexed twice (by the import, then by a
    full reindex) and vacuumed; returns (url, import s, reindex s, vacuum s)."""
    bin_dir = Path(sys.executable).parent
    directory = Path(tempfile.mkdtemp(prefix="amazen-bench-search-"))
    meta, reviews_file, _, _ = write_files(directory, size, corpus)
    url = fresh_database()
    wait_for_autovacuum(url)
    env = {**os.environ, "AMAZEN_DATABASE_URL": url}
    started = time.monotonic()
    subprocess.run(
        [str(bin_dir / "amazen-import"), "--config", str(REPO / "production.ini"), str(meta), str(reviews_file)],
        env=env,
        check=True,
        capture_output=True,
    )
    import_seconds = time.monotonic() - started
    shutil.rmtree(directory)
    started = time.monotonic()
    subprocess.run(
        [str(bin_dir / "amazen-reindex"), "--config", str(REPO / "production.ini")], env=env, check=True, capture_output=True
    )
    reindex_seconds = time.monotonic() - started
    # What autovacuum does shortly after a big load; done here so every run measures the same state.
    started = time.monotonic()
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(
            "VACUUM (ANALYZE) products, product_evidence, term_stats, vocabulary, packed_terms, packed_evidence, packed_facts"
        )
    engine.dispose()
    return url, import_seconds, reindex_seconds, time.monotonic() - started


def run(sizes, queries, corpus, measure_only=False, database="amazen_bench", cache_mb=DEFAULT_MB):
    mix = query_mix(queries, REAL_QUERIES if corpus == "real" else QUERIES)
    rows = []
    for size in sizes:
        if measure_only:  # the database the last run left behind, as it is
            url, import_seconds, reindex_seconds, vacuum_seconds = built_database_url(database), None, None, None
        else:
            url, import_seconds, reindex_seconds, vacuum_seconds = build(size, corpus)
        counts = corpus_counts(url)
        service = service_level(url, mix, cache_mb)
        http, rss = over_http(url, mix, cache_mb=cache_mb)
        rows.append((counts, import_seconds, reindex_seconds, vacuum_seconds, service, http, rss))
        print(f"done: {counts['reviews']:,} reviews", file=sys.stderr)

    print(
        f"corpus: {corpus}; {len(mix)} queries (1-3 query words, 0-3 descriptors, with and without filters), "
        "after a warm-up pass\n"
    )
    print(
        f"{'reviews':>10} {'products':>9} {'index MB':>9} {'import s':>9} {'reindex s':>10} {'vacuum s':>9} "
        f"{'svc p50':>8} {'svc p95':>8} {'svc p99':>8} {'svc q/s':>8} "
        f"{'http p50':>9} {'http p95':>9} {'http p99':>9} {'RSS MB':>7}"
    )
    for counts, import_s, reindex_s, vacuum_s, service, http, rss in rows:
        s50, s95, s99 = percentiles(service["search"])
        h50, h95, h99 = percentiles(http["/api/search"])
        import_s, reindex_s, vacuum_s = (f"{s:.1f}" if s is not None else "-" for s in (import_s, reindex_s, vacuum_s))
        print(
            f"{counts['reviews']:>10,} {counts['products']:>9,} {counts['index_mb']:>9.0f} "
            f"{import_s:>9} {reindex_s:>10} {vacuum_s:>9} "
            f"{s50:>8.1f} {s95:>8.1f} {s99:>8.1f} {len(service['search']) / sum(service['search']):>8.0f} "
            f"{h50:>9.1f} {h95:>9.1f} {h99:>9.1f} {rss:>7.0f}"
        )
    print("\nlatencies in ms; svc q/s: one client, sequential")
    print(
        "\nService level, per operation (+category, +brand: the mix's searches narrowed by their top category or "
        "brand facet value; suggest: /api/suggest/descriptors for the same mix; complete: every 1-12 character "
        "prefix of its queries)\n"
    )
    print(f"{'reviews':>10} {'operation':>10} {'calls':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'per s':>7}")
    for counts, _, _, _, service, _, _ in rows:
        for operation, timings in service.items():
            p50, p95, p99 = percentiles(timings)
            print(
                f"{counts['reviews']:>10,} {operation:>10} {len(timings):>6} {p50:>7.1f} {p95:>7.1f} {p99:>7.1f} "
                f"{len(timings) / sum(timings):>7.0f}"
            )
    print("\nOver HTTP, one client (GET /search: the results page with suggestions, facets and evidence)\n")
    print(f"{'reviews':>10} {'GET':>26} {'calls':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'per s':>7}")
    for counts, _, _, _, _, http, _ in rows:
        for path, timings in http.items():
            p50, p95, p99 = percentiles(timings)
            print(
                f"{counts['reviews']:>10,} {path:>26} {len(timings):>6} {p50:>7.1f} {p95:>7.1f} {p99:>7.1f} "
                f"{len(timings) / sum(timings):>7.0f}"
            )


def with_replica(sizes, queries, corpus):
    """The HTTP mix on the primary alone, then with one streaming replica beside it; which server
    committed the second run's transactions (a search is one, on the server that answered it)."""
    from amazen.config import normalise_database_url
    from tests.replica.servers import Primary, Replica
    from tests.stack.stack import wait_until

    mix = query_mix(queries, REAL_QUERIES if corpus == "real" else QUERIES)
    workdir = Path(tempfile.mkdtemp(prefix="amazen-bench-replica-"))
    primary = Primary(workdir)
    servers = [primary]
    rows = []
    try:
        primary.create(log_statements=False)
        os.environ["AMAZEN_BENCH_DATABASE_URL"] = normalise_database_url(primary.url())
        for size in sizes:
            url = build(size, corpus)[0]
            replica = Replica(workdir, primary, apply_delay="0")
            servers.append(replica)
            replica.create()
            position = primary.position()
            wait_until(lambda: replica.replayed(position), "the replica replaying the import", deadline=600)
            alone = over_http(url, mix, paths=("/api/search",))[0]["/api/search"]
            before = committed((primary, replica))
            replica_url = normalise_database_url(replica.url("amazen_bench"))
            beside = over_http(url, mix, replica_url, paths=("/api/search",))[0]["/api/search"]
            after = committed((primary, replica))
            share = (after[1] - before[1]) / (after[0] - before[0] + after[1] - before[1])
            rows.append((corpus_counts(url)["reviews"], alone, beside, share))
            replica.stop()
            replica.remove()
            servers.remove(replica)
    finally:
        for server in servers[::-1]:
            server.stop()
            server.remove()
    print(f"corpus: {corpus}; {len(mix)} searches over HTTP (GET /api/search, one client), after a warm-up pass\n")
    print(f"{'reviews':>10} {'setup':>16} {'p50':>7} {'p95':>7} {'p99':>7} {'replica share':>14}")
    for reviews, alone, beside, share in rows:
        for setup, timings, shown in (("primary alone", alone, "-"), ("primary+replica", beside, f"{share:.1%}")):
            p50, p95, p99 = percentiles(timings)
            print(f"{reviews:>10,} {setup:>16} {p50:>7.1f} {p95:>7.1f} {p99:>7.1f} {shown:>14}")
    print("\nlatencies in ms; replica share: of the transactions committed in the second run, the replica's")


def committed(servers):
    """Transactions committed in the benchmark's database on each server, once no session of it is left
    (a session's counts reach pg_stat_database by the time it has ended)."""
    from tests.stack.stack import wait_until

    for server in servers:
        idle = "SELECT count(*) = 0 FROM pg_stat_activity WHERE datname = 'amazen_bench'"
        wait_until(lambda: server.query(idle)[0], "the app's sessions ended", deadline=60)
    return [int(server.query("SELECT xact_commit FROM pg_stat_database WHERE datname = 'amazen_bench'")[0]) for server in servers]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=240)
    parser.add_argument(
        "--corpus",
        choices=("demo", "real"),
        default="demo",
        help="demo: the demo generator; real: the reviews under ../shared resampled to each size",
    )
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="skip building: measure the database the last run left (--database) as it is",
    )
    parser.add_argument("--database", default="amazen_bench", help="with --measure-only: the database to measure")
    parser.add_argument(
        "--cache-mb",
        type=int,
        default=DEFAULT_MB,
        help="the packed index's cache per process (amazen.search_cache_mb; 0: none) of the served app and of 'cached'",
    )
    parser.add_argument(
        "--against",
        type=Path,
        help="another checkout (with its own .venv) to compare with over HTTP, interleaved, on --database",
    )
    parser.add_argument("--against-database", help="with --against: the database the other checkout serves (default: --database)")
    parser.add_argument(
        "--replica",
        action="store_true",
        help="build on a primary of its own and compare the HTTP mix without and with a streaming replica",
    )
    args = parser.parse_args()
    if args.replica:
        with_replica(args.sizes, args.queries, args.corpus)
        raise SystemExit
    if args.against:
        mix = query_mix(args.queries, REAL_QUERIES if args.corpus == "real" else QUERIES)
        other_url = None
        if args.against_database:
            other_url = bench_database_url(args.against_database)  # migrated by the other checkout's code, not this one's
        against(built_database_url(args.database), mix, args.against.resolve(), args.cache_mb, other_url)
        raise SystemExit
    run(
        args.sizes[:1] if args.measure_only else args.sizes,
        args.queries,
        args.corpus,
        args.measure_only,
        args.database,
        args.cache_mb,
    )
