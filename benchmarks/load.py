"""Load through the deployed topology: nginx in front of two app processes over one PostgreSQL, with a
catalog of real review text resampled to 1M reviews.

wrk (``apt-get install wrk``) replays the search mix of benchmarks/search.py (``--corpus real``) as
``GET /api/search`` through nginx for 60 s in each phase:

* baseline: 32 connections kept busy (each sends its next search as soon as it has an answer), nothing
  else runs: how many searches a second the site answers at most;
* at 150/s: searches sent at that fixed rate (``--rate``) whether or not earlier ones have been answered,
  as shoppers arrive: the latencies at that load, without the queue 32 busy connections build;
* import: ``amazen-import`` loads 100k more reviews (new products) into the same database meanwhile;
* writes: signed-in shoppers write reviews through nginx meanwhile, back to back, while the searches run.

The import and writes phases keep 32 connections busy, as the baseline does.

It prints one table: requests/s, p50/p95/p99 and errors (5xx, timeouts, socket errors) of the searches in
each phase, and what the import and the writers got (a write refused with 503 because an import holds the
catalog is counted apart from errors).

The database (``amazen_load`` on the embedded server, or on AMAZEN_BENCH_DATABASE_URL's) is built first
(import, VACUUM ANALYZE); ``--reuse`` measures the one a previous run left, as it is (its import phase has
added reviews to it). Every limit of nginx and of the app that counts by client address is raised for the
run: all of wrk's connections come from one address, which the deployed limits exist to slow down.

    python benchmarks/load.py [--reviews 1000000] [--extra 100000] [--seconds 60] [--connections 32] [--rate 150]
        [--phases baseline,rate,import,writes] [--reuse]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import sqlalchemy as sa

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCHMARKS))

from import_speed import built_database_url, fresh_database, wait_for_autovacuum, write_files  # noqa: E402
from search import REAL_QUERIES, query_mix  # noqa: E402

from tests.serve import free_port  # noqa: E402
from tests.stack.stack import SERVER_NAME, SESSION_SECRET, Nginx, Shopper, answers, stop_process, wait_until  # noqa: E402

DATABASE = "amazen_load"
BIN = Path(sys.executable).parent
WORKDIR = Path(tempfile.gettempdir()) / "amazen-load"  # the generated files, kept for --reuse
# How many reviews of the resampled stream the database holds: the import phase loads the ones after them.
POSITION = WORKDIR / "position"

# wrk's script: each connection walks the mix from its own offset; statuses are counted per thread and
# summed at the end (wrk's own count of "non-2xx/3xx" does not tell a 503 from a 500).
#
# With LOAD_RATE, requests are sent on a fixed schedule (an open loop: one every 1/rate s, whether or not
# earlier ones have been answered) rather than each as soon as its connection is free. wrk times a request
# from when it is sent, so a send that had to wait for a free connection would hide that wait: such sends
# (more than LATE_MS behind the schedule) are counted, and with none the latencies are the whole story.
WRK_SCRIPT = r"""
local paths = {}
for line in io.lines(os.getenv("LOAD_PATHS")) do paths[#paths + 1] = line end
local threads = {}
local counter = 0
local rate = tonumber(os.getenv("LOAD_RATE") or "")
local LATE_MS = 10
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  position = (id * 7919) % #paths
  statuses = {}
  late = 0
end
if rate then
  local ffi = require("ffi")
  ffi.cdef[[
    typedef struct { long tv_sec; long tv_nsec; } load_timespec;
    int clock_gettime(int clock, load_timespec *now);
  ]]
  local clock = ffi.new("load_timespec")
  local function now_ms()
    ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
    return tonumber(clock.tv_sec) * 1e3 + tonumber(clock.tv_nsec) / 1e6
  end
  local start, scheduled = nil, 0
  -- Called before each request a connection sends: how long to wait for the request's turn.
  function delay()
    local now = now_ms()
    start = start or now
    local due = start + scheduled * 1000 / rate
    scheduled = scheduled + 1
    if now - due > LATE_MS then late = late + 1 end
    return math.max(0, math.floor(due - now + 0.5))
  end
end
function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local total, late = {}, 0
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do total[tostring(status)] = (total[tostring(status)] or 0) + count end
    late = late + thread:get("late")
  end
  io.write(string.format('LOAD-RESULT {"requests": %d, "seconds": %.3f, "p50": %.3f, "p95": %.3f, "p99": %.3f, ' ..
    '"timeouts": %d, "socket_errors": %d, "late": %d, "statuses": {',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, summary.errors.timeout,
    summary.errors.connect + summary.errors.read + summary.errors.write, late))
  local first = true
  for status, count in pairs(total) do
    io.write(string.format('%s"%s": %d', first and "" or ", ", status, count))
    first = false
  end
  io.write("}}\n")
end
"""


def split_files(directory, reviews, extra):
    """Ni 2018 files for the catalog (``reviews``) and for the import phase (``extra`` more reviews, of
    products the catalog does not have): one resampled stream cut where the catalog's reviews end."""
    meta, review_file, _, _ = write_files(directory, reviews + extra, "real")
    later = set()  # asins whose first review comes after the cut
    seen = set()
    paths = {name: directory / name for name in ("meta_Base.json", "Base_5.json", "meta_More.json", "More_5.json")}
    with open(review_file) as lines, open(paths["Base_5.json"], "w") as base, open(paths["More_5.json"], "w") as more:
        for number, line in enumerate(lines):
            asin = json.loads(line)["asin"]
            if number >= reviews and asin not in seen:
                later.add(asin)
            seen.add(asin)
            (more if asin in later else base).write(line)
    with open(meta) as lines, open(paths["meta_Base.json"], "w") as base, open(paths["meta_More.json"], "w") as more:
        for line in lines:
            (more if json.loads(line)["asin"] in later else base).write(line)
    meta.unlink()
    review_file.unlink()
    return paths


def import_files(url, *paths):
    return subprocess.run(
        [str(BIN / "amazen-import"), "--config", str(REPO / "production.ini"), *map(str, paths)],
        env={**os.environ, "AMAZEN_DATABASE_URL": url},
        check=True,
        capture_output=True,
        text=True,
    )


def build(reviews, extra):
    shutil.rmtree(WORKDIR, ignore_errors=True)
    WORKDIR.mkdir(parents=True)
    paths = split_files(WORKDIR, reviews, extra)
    url = fresh_database(DATABASE)
    wait_for_autovacuum(url)
    started = time.monotonic()
    import_files(url, paths["meta_Base.json"], paths["Base_5.json"])
    POSITION.write_text(str(reviews))
    print(f"built: {reviews:,} reviews imported in {time.monotonic() - started:.0f} s", file=sys.stderr)
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE)")
    engine.dispose()
    return url


class Stack:
    """nginx (docker/nginx.conf, rendered as the stack test renders it) in front of two `pserve
    production.ini` processes on ``url``'s database, with every per-address limit raised (see above)."""

    APP_LIMITS = "\n".join(f"amazen.limits.{rule} = 1000000/60" for rule in ("signin_failures", "signups", "review_writes"))

    def __init__(self, url, cache_mb=None):
        self.url = url
        self.cache_mb = cache_mb  # amazen.search_cache_mb, when not the default
        self.dir = Path(tempfile.mkdtemp(prefix="amazen-load-stack-"))
        self.apps = []
        self.nginx = None

    def start(self):
        settings = self.APP_LIMITS + ("" if self.cache_mb is None else f"\namazen.search_cache_mb = {self.cache_mb}")
        ini = (REPO / "production.ini").read_text().replace("[server:main]", settings + "\n\n[server:main]", 1)
        (self.dir / "production.ini").write_text(ini)
        for name in ("app1", "app2"):
            port = free_port()
            env = {k: v for k, v in os.environ.items() if not k.startswith(("AMAZEN_", "DATABASE_URL"))}
            env.update(
                AMAZEN_DATABASE_URL=self.url,
                AMAZEN_SESSION_SECRET=SESSION_SECRET,
                AMAZEN_LISTEN=f"127.0.0.1:{port}",
                PROMETHEUS_MULTIPROC_DIR=str(self.dir / "metrics"),
            )
            with open(self.dir / f"{name}.log", "w") as log:
                process = subprocess.Popen(
                    [str(BIN / "pserve"), str(self.dir / "production.ini")],
                    cwd=REPO,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            self.apps.append((process, port))
        for process, port in self.apps:
            wait_until(lambda port=port: answers(port, "/healthz"), "pserve", process=process)
        self.nginx = Nginx(self.dir, [port for _, port in self.apps])
        self.nginx.start()
        # The deployed request-rate zones raised: one client address stands for many shoppers here. And
        # the site made the default server: wrk connects by address, so its TLS handshake names no host.
        conf = self.nginx.dir / "amazen.conf"
        site = re.sub(r"rate=\d+r/[sm]", "rate=100000r/s", conf.read_text())
        site, dropped = re.subn(r"\nserver \{[^{}]*return 444;\n\}\n", "\n", site)
        assert dropped == 1, "docker/nginx.conf's default server (return 444) not found: update the benchmark"
        conf.write_text(site)
        subprocess.run(self.nginx.command("-s", "reload"), check=True, capture_output=True)
        return self

    def stop(self):
        if self.nginx is not None:
            stop_process(self.nginx.process)
        for process, _ in self.apps:
            stop_process(process, group=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def wrk(stack, paths_file, seconds, connections, rate=None):
    """wrk over HTTPS to nginx, one thread (the other core is the servers'); with ``rate``, requests go
    out at that many a second (see WRK_SCRIPT)."""
    url = f"https://127.0.0.1:{stack.nginx.https_port}"
    script = stack.dir / "mix.lua"
    script.write_text(WRK_SCRIPT)
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-H",
            f"Host: {SERVER_NAME}",
            "-s",
            str(script),
            url,
        ],
        env={**os.environ, "LOAD_PATHS": str(paths_file), **({"LOAD_RATE": str(rate)} if rate else {})},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.split("LOAD-RESULT ", 1)[1].splitlines()[0])


class Writers:
    """Signed-in shoppers writing reviews through nginx, back to back, each to products of its own."""

    def __init__(self, stack, asins, count=4):
        self.nginx = stack.nginx
        self.shoppers = []
        for n in range(count):
            shopper = Shopper(stack.apps[n % 2][1])  # signed up at an app process directly
            shopper.sign_up(f"load-writer-{n}-{os.urandom(4).hex()}@example.com", "load writer password 2026")
            self.shoppers.append((shopper, asins[n::count]))
        self.results = []  # (status, seconds)
        self.stopping = threading.Event()
        self.threads = []

    def start(self):
        self.results = []
        self.stopping.clear()
        self.threads = [threading.Thread(target=self.write, args=pair, daemon=True) for pair in self.shoppers]
        for thread in self.threads:
            thread.start()
        return self

    def write(self, shopper, asins):
        token = shopper.csrf_token()
        while not self.stopping.is_set():
            asin = asins.pop()
            body = {"rating": 4, "summary": "Does the job", "text": "Comfortable enough and the sound quality is fine."}
            response = shopper.request(
                f"/api/products/{urllib.parse.quote(asin)}/reviews",
                method="POST",
                body=json.dumps(body),
                headers={"Content-Type": "application/json", "X-CSRF-Token": token},
                port=self.nginx,
                timeout=30,
            )
            self.results.append((response.status, response.seconds))

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join()
        return list(self.results)


# Products the writers review, in a fixed order; each writer takes its own share, a review to each.
WRITABLE = "SELECT asin FROM products JOIN product_stats ON product_id = id WHERE review_count > 0 ORDER BY md5(asin) LIMIT 20000"


# The rate phase's connections: enough that a request finds one free on time unless this many are
# waiting for answers (the queue then is more than 64 / 150 s ≈ 0.4 s long, and the phase says so).
RATE_CONNECTIONS = 64


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000 if ordered else float("nan")


def run(args):
    url = built_database_url(DATABASE) if args.reuse else build(args.reviews, args.extra)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        reviews = conn.exec_driver_sql("SELECT count(*) FROM reviews").scalar()
        asins = conn.exec_driver_sql(WRITABLE).scalars().all()
    engine.dispose()
    paths_file = Path(tempfile.mkdtemp(prefix="amazen-load-")) / "paths.txt"
    mix = query_mix(300, REAL_QUERIES)
    paths_file.write_text("".join(f"/api/search?{urllib.parse.urlencode(list(params.items()))}\n" for params in mix))
    stack = Stack(url, args.search_cache_mb).start()
    rows = []
    try:
        writers = Writers(stack, list(asins))
        wrk(stack, paths_file, 10, args.connections)  # warm-up: caches, plans, TLS sessions
        if "baseline" in args.phases:
            print("phase: baseline", file=sys.stderr)
            rows.append(("baseline", wrk(stack, paths_file, args.seconds, args.connections), None, None))
        if "rate" in args.phases:
            print(f"phase: {args.rate}/s", file=sys.stderr)
            searches = wrk(stack, paths_file, args.seconds, RATE_CONNECTIONS, rate=args.rate)
            rows.append((f"at {args.rate}/s", searches, None, None))
        if "import" in args.phases:
            print("phase: import", file=sys.stderr)
            rows.append(during_import(stack, url, writers, paths_file, args))
        if "writes" in args.phases:
            print("phase: writes", file=sys.stderr)
            writers.start()
            rows.append(("during writes", wrk(stack, paths_file, args.seconds, args.connections), writers.stop(), None))
        peaks = [peak_rss_mb(process.pid) for process, _ in stack.apps]
    finally:
        stack.stop()
    report(rows, reviews, args)
    print(f"app processes' peak RSS: {', '.join(f'{mb:.0f} MB' for mb in peaks)}")


def peak_rss_mb(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024


def extra_files(extra):
    """The import phase's files: the products whose reviews follow, in the resampled stream, what the
    database holds (new products, so that every run imports as much)."""
    position = int(POSITION.read_text())
    made = WORKDIR / "More.position"
    if not made.exists() or made.read_text() != f"{position} {extra}":
        paths = split_files(WORKDIR, position, extra)
        paths["meta_Base.json"].unlink()
        paths["Base_5.json"].unlink()
        made.write_text(f"{position} {extra}")
    return position + extra, [WORKDIR / "meta_More.json", WORKDIR / "More_5.json"]


def during_import(stack, url, writers, paths_file, args):
    """The searches and the writers while amazen-import loads the extra files into the same database."""
    position, files = extra_files(args.extra)
    writers.start()
    started = time.monotonic()
    importer = subprocess.Popen(
        [str(BIN / "amazen-import"), "--config", str(REPO / "production.ini"), *map(str, files)],
        env={**os.environ, "AMAZEN_DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    searches = wrk(stack, paths_file, args.seconds, args.connections)
    output, _ = importer.communicate()
    if importer.returncode == 0:
        POSITION.write_text(str(position))
    return "during import", searches, writers.stop(), (importer.returncode, time.monotonic() - started, output)


def report(rows, reviews, args):
    print(
        f"{reviews:,} reviews (real text resampled); nginx (TLS) → 2 app processes → PostgreSQL; wrk, "
        f"{args.connections} busy connections ({RATE_CONNECTIONS} at {args.rate}/s), {args.seconds} s per phase, "
        "GET /api/search over a mix of 300 queries\n"
    )
    print(
        f"{'phase':<14} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'5xx':>5} {'timeouts':>8} {'socket':>6}"
        f" {'writes':>6} {'201':>5} {'503':>5} {'other':>5} {'write p50':>9} {'write p99':>9}"
    )
    for phase, searches, writes, _ in rows:
        statuses = {int(k): v for k, v in searches["statuses"].items()}
        errors = sum(v for k, v in statuses.items() if k >= 500)
        line = (
            f"{phase:<14} {searches['requests'] / searches['seconds']:>7.0f} {searches['p50']:>7.1f} {searches['p95']:>7.1f} "
            f"{searches['p99']:>7.1f} {errors:>5} {searches['timeouts']:>8} {searches['socket_errors']:>6}"
        )
        if writes is not None:
            done = [s for status, s in writes if status == 201]
            busy = sum(1 for status, _ in writes if status == 503)
            other = len(writes) - len(done) - busy
            line += (
                f" {len(writes):>6} {len(done):>5} {busy:>5} {other:>5} {percentile(done, 50):>9.0f} {percentile(done, 99):>9.0f}"
            )
        print(line)
        other_statuses = {k: v for k, v in statuses.items() if k != 200}
        if other_statuses:
            print(f"{'':<14} search statuses other than 200: {other_statuses}")
        if searches.get("late"):
            print(
                f"{'':<14} {searches['late']:,} of {searches['requests']:,} searches went out late (no free connection):"
                " the latencies leave out that wait"
            )
    for phase, _, writes, outcome in rows:
        if writes:
            odd = sorted({status for status, _ in writes} - {201, 503})
            if odd:
                print(f"{phase}: write statuses other than 201/503: {odd}")
        if outcome is not None:
            code, seconds, output = outcome
            print(f"{phase}: amazen-import exited {code} after {seconds:.0f} s; its report:\n{output.strip()}")


if __name__ == "__main__":
    if "--build-only" in sys.argv:  # make the database now, measure later with --reuse
        build(int(sys.argv[sys.argv.index("--build-only") + 1]), int(sys.argv[sys.argv.index("--build-only") + 2]))
        sys.exit()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reviews", type=int, default=1_000_000, help="the catalog's reviews")
    parser.add_argument("--extra", type=int, default=100_000, help="reviews the import phase adds")
    parser.add_argument("--seconds", type=int, default=60, help="each phase's length")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--phases",
        type=lambda text: text.split(","),
        default=["baseline", "rate", "import", "writes"],
        help="which phases, comma-separated (default: baseline,rate,import,writes)",
    )
    parser.add_argument("--rate", type=int, default=150, help="the rate phase's searches a second (default: 150)")
    parser.add_argument("--reuse", action="store_true", help="measure the database a previous run left (amazen_load)")
    parser.add_argument(
        "--search-cache-mb", type=int, help="the app processes' amazen.search_cache_mb (0: no cache; default: the app's)"
    )
    run(parser.parse_args())
