"""amazen-import as an operator runs it: a real process, its exit codes, its output, and what a kill
leaves behind. Each test gets a fresh, migrated scratch database on the test server.
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from amazen.catalog.demo import generate
from amazen.catalog.records import ReviewRecord
from tests.datasets import GIFT_META, GIFT_REVIEWS, REPO
from tests.shoppers import make_account

IMPORT = str(Path(sys.executable).with_name("amazen-import"))


def run_import(url, *args, **kwargs):
    env = {**os.environ, "AMAZEN_DATABASE_URL": url}
    return subprocess.run(
        [IMPORT, "--config", str(REPO / "production.ini"), *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


def start_import(url, *args, **kwargs):
    """amazen-import started in the background, its output captured."""
    return subprocess.Popen(
        [IMPORT, "--config", str(REPO / "production.ini"), *map(str, args)],
        env={**os.environ, "AMAZEN_DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def wait_until_blocked(engine, thread, who, what):
    """Return once some session of the database waits for a lock, ``thread`` (``who``) still running:
    it is waiting for ``what``."""
    deadline = time.monotonic() + 120  # a bound, generous for a busy machine
    with engine.connect() as conn:
        while True:
            waiting = conn.execute(
                sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
            ).scalar()
            # A transaction sees pg_stat_activity as it was when first read in it: each look is a new one.
            conn.rollback()
            if waiting:
                return
            assert time.monotonic() < deadline, f"{who} never waited for {what}"
            assert thread.is_alive(), f"{who} finished while {what} was still running"
            time.sleep(0.05)


def run_reindex(url):
    result = subprocess.run(
        [str(Path(IMPORT).with_name("amazen-reindex")), "--config", str(REPO / "production.ini")],
        env={**os.environ, "AMAZEN_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result


def counts(url):
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        result = tuple(
            conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("products", "reviews", "categories", "product_categories")
        )
    engine.dispose()
    return result


def write_big_review_file(path, products=15_000):
    """About 150k reviews in the Ni 2018 review format, from the demo generator."""
    with open(path, "w") as out:
        n = 0
        for record in generate(products=products):
            if isinstance(record, ReviewRecord):
                n += 1
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
                            "unixReviewTime": int(record.reviewed_at.timestamp()),
                        }
                    )
                    + "\n"
                )
    return n


@pytest.mark.usefixtures("amazon_data")
def test_a_clean_import_prints_a_report_and_exits_0(scratch_url):
    result = run_import(scratch_url, GIFT_REVIEWS)
    assert result.returncode == 0, result.stderr
    assert "Reviews:  2,965 inserted, 0 updated" in result.stdout
    assert "duplicate review" in result.stdout and "Traceback" not in result.stderr
    assert counts(scratch_url)[:2] == (148, 2965)


@pytest.mark.usefixtures("amazon_data")
def test_json_report(scratch_url):
    result = run_import(scratch_url, "--json", GIFT_REVIEWS)
    report = json.loads(result.stdout)
    assert report["reviews"] == {"inserted": 2965, "updated": 0}
    assert report["lines_read"] == 2972
    assert report["skipped"]["duplicate review (same reviewer and product): the last line is kept"]["count"] == 7


@pytest.mark.usefixtures("amazon_data")
def test_no_progress_output_when_not_on_a_terminal(scratch_url):
    result = run_import(scratch_url, GIFT_REVIEWS)
    assert result.stderr == ""


@pytest.mark.usefixtures("amazon_data")
def test_a_progress_bar_with_rate_and_eta_on_a_terminal(scratch_url):
    """Run the import on a pseudo-terminal, as an operator's shell would."""
    import fcntl
    import pty
    import struct
    import termios

    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal 120 columns wide, then the import
        fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        os.execve(
            IMPORT,
            [IMPORT, "--config", str(REPO / "production.ini"), str(GIFT_REVIEWS)],
            {**os.environ, "AMAZEN_DATABASE_URL": scratch_url},
        )
    output = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    text = output.decode()
    # tqdm's bar: file name, percentage, bytes done/total, [elapsed<ETA, rate]
    bar = re.search(r"Gift_Cards_5\.json: +100%\|.*\| [\d.]+[kM]/[\d.]+[kM] \[\d\d:\d\d<\d\d:\d\d, +[\d.]+[kM]?B/s\]", text)
    assert bar, text[:500]
    assert "Reviews:  2,965 inserted" in text


@pytest.mark.usefixtures("amazon_data")
@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda p: None, "no such file"),
        (lambda p: p.write_text(""), "the file is empty"),
        (lambda p: p.write_text("just some words\n"), "unknown format; known formats: mcauley2023-reviews, mcauley2014-reviews"),
    ],
)
def test_usage_problems_are_one_line_and_exit_2(scratch_url, tmp_path, setup, message):
    path = tmp_path / "input.json"
    setup(path)
    result = run_import(scratch_url, GIFT_REVIEWS, path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("amazen-import: ") and message in lines[0]
    assert counts(scratch_url)[:2] == (0, 0)


@pytest.mark.usefixtures("amazon_data")
def test_strict_aborts_at_a_bad_line_and_imports_nothing(scratch_url, tmp_path):
    lines = GIFT_REVIEWS.read_text().splitlines()
    broken = tmp_path / "broken.json"
    broken.write_text("\n".join(lines[:1000] + ['{"overall": 5.0, "asin": '] + lines[1000:]) + "\n")
    result = run_import(scratch_url, "--strict", broken)
    assert result.returncode == 1
    assert "broken.json:1001: malformed line" in result.stderr and "nothing was imported" in result.stderr
    assert counts(scratch_url) == (0, 0, 0, 0)
    lenient = run_import(scratch_url, broken)
    assert lenient.returncode == 0 and "broken.json:1001" in lenient.stdout


@pytest.mark.usefixtures("amazon_data")
def test_missing_database_url_in_production_is_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("AMAZEN_DATABASE_URL", "DATABASE_URL")}
    result = subprocess.run(
        [IMPORT, "--config", str(REPO / "production.ini"), str(GIFT_REVIEWS)], env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "amazen-import: AMAZEN_DATABASE_URL is not set: production needs the PostgreSQL URL in that variable "
        "(e.g. postgresql://amazen:secret@db/amazen)"
    )


def wait_until_held(conn, process, table, deadline=300):
    """Return once the import ``process`` has written reviews in its transaction and waits for the lock
    on ``table`` that ``conn`` holds: it is midway, and stays there until ``conn`` lets go."""
    give_up = time.monotonic() + deadline
    while True:
        # pg_stat_activity and pg_locks are read once per transaction: each look is a new one.
        with conn.begin():
            held = conn.execute(
                sa.text(
                    "SELECT bool_or(w.relation = CAST(:table AS regclass) AND NOT w.granted) "
                    "   AND bool_or(w.relation = 'reviews'::regclass AND w.granted AND w.mode = 'RowExclusiveLock') "
                    "FROM pg_stat_activity a JOIN pg_locks w ON w.pid = a.pid "
                    "WHERE a.application_name LIKE 'amazen-import%' AND a.datname = current_database()"
                ),
                {"table": table},
            ).scalar()
        if held:
            return
        assert process.poll() is None, f"the import ended (exit {process.returncode}) before it waited for {table}"
        assert time.monotonic() < give_up, f"the import did not reach {table} within {deadline} s"
        time.sleep(0.05)


def wait_for_backend_gone(url, deadline=60):
    engine = sa.create_engine(url)
    try:
        give_up = time.monotonic() + deadline
        while True:
            with engine.connect() as conn:
                if not conn.execute(
                    sa.text(
                        # This database only: other imports may share the server (a benchmark, another test run).
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'amazen-import%' "
                        "AND datname = current_database()"
                    )
                ).scalar():
                    return
            assert time.monotonic() < give_up, "the stopped import's database session is still there"
            time.sleep(0.05)
    finally:
        engine.dispose()


@pytest.mark.usefixtures("amazon_data")
@pytest.mark.parametrize(
    "sig, expected_exit", [(signal.SIGKILL, -signal.SIGKILL), (signal.SIGINT, 130)], ids=["SIGKILL", "SIGINT"]
)
def test_an_import_stopped_midway_leaves_the_database_unchanged_and_a_rerun_completes(scratch_url, tmp_path, sig, expected_exit):
    assert run_import(scratch_url, GIFT_REVIEWS).returncode == 0
    before = counts(scratch_url)
    big = tmp_path / "reviews_5.json"
    reviews = write_big_review_file(big)

    # The import is held midway, not raced: this transaction locks search_stats, which the import updates
    # only after it has loaded its reviews, until the signal has been sent.
    engine = sa.create_engine(scratch_url)
    holder = engine.connect()
    watcher = engine.connect()
    try:
        holder.execute(sa.text("LOCK TABLE search_stats IN ACCESS EXCLUSIVE MODE"))
        process = start_import(scratch_url, big)
        try:
            wait_until_held(watcher, process, "search_stats")
            process.send_signal(sig)
        except BaseException:
            process.kill()
            process.communicate()
            raise
        finally:
            holder.rollback()  # no longer held: what happens next is up to the signal
        _, stderr = process.communicate(timeout=300)
    finally:
        holder.close()
        watcher.close()
        engine.dispose()
    assert process.returncode == expected_exit, stderr
    if sig == signal.SIGINT:
        assert stderr.strip() == "amazen-import: stopped by SIGINT; nothing was imported"
    wait_for_backend_gone(scratch_url)
    assert counts(scratch_url) == before

    rerun = run_import(scratch_url, "--json", big)
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads(rerun.stdout)
    assert report["reviews"]["inserted"] == reviews
    assert counts(scratch_url)[1] == before[1] + reviews


def index_snapshot(url):
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        snapshot = (
            conn.execute(
                sa.text(
                    "SELECT p.asin, t.term, t.tf, t.length "
                    "FROM product_terms t JOIN products p ON p.id = t.product_id ORDER BY 1, 2"
                )
            ).all(),
            conn.execute(
                sa.text(
                    "SELECT p.asin, e.term, e.mentions, e.positive, e.negative, e.stars_1, e.stars_2, e.stars_3, e.stars_4, "
                    "e.stars_5, e.quote_1, e.quote_2 "
                    "FROM descriptor_evidence e JOIN products p ON p.id = e.product_id ORDER BY 1, 2"
                )
            ).all(),
            conn.execute(
                sa.text(
                    "SELECT asin, search_length, search_categories FROM products JOIN product_stats ON product_id = id ORDER BY 1"
                )
            ).all(),
            conn.execute(sa.text("SELECT documents, average_length, mean_rating, reviews FROM search_stats")).all(),
            # Kept by subtracting and adding each re-indexed product's rows: must equal a full recount.
            conn.execute(sa.text("SELECT term, products, mentions, positive FROM term_stats ORDER BY 1")).all(),
            conn.execute(sa.text("SELECT term, products FROM product_term_stats ORDER BY 1")).all(),
            conn.execute(sa.text("SELECT phrase, words, products FROM vocabulary ORDER BY 1")).all(),
            # Kept by subtracting and adding each re-indexed product's phrases: must equal a full recount.
            conn.execute(sa.text("SELECT phrase, products, named FROM phrase_counts ORDER BY 1")).all(),
            # Moved by each re-indexed product's categories: must equal a full recount (which has no zeros).
            category_counts(conn),
        )
    engine.dispose()
    return snapshot


@pytest.mark.usefixtures("amazon_data")
def test_reindex_rebuilds_exactly_what_imports_maintain(scratch_url):
    meta = GIFT_META
    # Reviews first, metadata second: the index must follow the products' text as it arrives.
    assert run_import(scratch_url, GIFT_REVIEWS).returncode == 0
    assert run_import(scratch_url, meta).returncode == 0
    maintained = index_snapshot(scratch_url)
    assert len(maintained[0]) > 1000 and len(maintained[1]) > 1000 and len(maintained[4]) > 1000
    assert ("gift card", 2) in {row[:2] for row in maintained[6]}

    engine = sa.create_engine(scratch_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("DELETE FROM product_evidence WHERE product_id IN (SELECT product_id FROM product_evidence LIMIT 20)")
        )
        conn.execute(sa.text("DELETE FROM packed_terms WHERE term = (SELECT min(term) FROM packed_terms)"))
        conn.execute(sa.text("UPDATE term_stats SET mentions = mentions + 1"))
        conn.execute(sa.text("UPDATE product_term_stats SET products = products + 1"))
        conn.execute(sa.text("DELETE FROM vocabulary WHERE words = 3"))
        conn.execute(sa.text("UPDATE phrase_counts SET products = products + 1 WHERE phrase LIKE 'g%'"))
        conn.execute(sa.text("UPDATE category_stats SET products = products + 1"))
    engine.dispose()
    assert index_snapshot(scratch_url) != maintained

    result = run_reindex(scratch_url)
    assert result.stdout.startswith("Indexed 1,547 products in ") and result.stderr == ""
    assert index_snapshot(scratch_url) == maintained


def category_counts(conn):
    """{category path: its products} as category_stats keeps them, the categories with any."""
    rows = conn.execute(
        sa.text("SELECT c.path, s.products FROM category_stats s JOIN categories c ON c.id = s.category_id WHERE s.products <> 0")
    )
    return dict(rows.all())


def linked_counts(conn):
    """{category path: its products} counted from the products' links, as a check of category_counts."""
    rows = conn.execute(
        sa.text("SELECT c.path, count(*) FROM product_categories pc JOIN categories c ON c.id = pc.category_id GROUP BY 1")
    )
    return dict(rows.all())


def vocabulary(url, *phrases):
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT phrase, words, products FROM vocabulary WHERE phrase = ANY(:phrases) ORDER BY 1"),
            {"phrases": list(phrases)},
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def scalar(url, sql):
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(sa.text(sql)).scalar()
    engine.dispose()
    return value


def last_analyze(url):
    return scalar(url, "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'phrase_counts'")


@pytest.mark.usefixtures("amazon_data")
def test_an_import_recounts_the_vocabulary_of_the_products_it_changes(scratch_url, tmp_path):
    """An import counts only its products' phrases again; a phrase a retitled product no longer uses
    drops out when fewer than two products use it, and one a brand names stays; a category an import
    adds to a product counts as named."""

    def meta(path, *products):
        with open(path, "w") as out:
            for asin, title, brand, *path_ in products:
                out.write(
                    json.dumps(
                        {
                            "asin": asin,
                            "title": title,
                            "brand": brand,
                            "category": path_[0] if path_ else ["Gift Cards"],
                            "feature": [],
                            "also_buy": [],
                            "main_cat": "Gift Cards",
                        }
                    )
                    + "\n"
                )
        return path

    assert run_import(scratch_url, GIFT_META).returncode == 0
    analysed = last_analyze(scratch_url)
    assert analysed is not None  # a first import samples the planner's statistics at once
    # ... and the index tables its full rebuild swapped in keep the statistics it sampled before the swap
    # (those with rows: metadata alone makes no evidence, and an empty table has no statistics)
    rebuilt = [
        table
        for table in ("product_evidence", "packed_terms", "packed_evidence", "packed_facts")
        if scalar(scratch_url, f"SELECT count(*) FROM {table}")
    ]
    assert rebuilt == ["packed_terms", "packed_facts"]
    names = ", ".join(f"'{table}'" for table in rebuilt)
    assert scalar(scratch_url, f"SELECT count(DISTINCT tablename) FROM pg_stats WHERE tablename IN ({names})") == 2
    phrases = ("zebra striped", "zebra striped tin", "quokka", "quokka co")
    assert vocabulary(scratch_url, *phrases) == []
    first = meta(
        tmp_path / "meta_1.json", ("ZZTEST0001", "Zebra Striped Tin", "Quokka Co"), ("ZZTEST0002", "Zebra-striped tin, large", "")
    )
    assert run_import(scratch_url, first).returncode == 0
    # Title phrases need two products; a brand (and its words) is always offered.
    assert vocabulary(scratch_url, *phrases) == [
        ("quokka", 1, 1),
        ("quokka co", 2, 1),
        ("zebra striped", 2, 2),
        ("zebra striped tin", 3, 2),
    ]
    second = meta(tmp_path / "meta_2.json", ("ZZTEST0002", "Plain tin, large", ""))
    assert run_import(scratch_url, second).returncode == 0
    assert vocabulary(scratch_url, *phrases) == [("quokka", 1, 1), ("quokka co", 2, 1)]
    assert vocabulary(scratch_url, "plain tin") == []  # one product
    third = meta(tmp_path / "meta_3.json", ("ZZTEST0001", "Zebra Striped Tin", "Quokka Co", ["Gift Cards", "Quokka Tins"]))
    assert run_import(scratch_url, third).returncode == 0
    assert vocabulary(scratch_url, "quokka", "quokka tins", "tins") == [("quokka", 1, 1), ("quokka tins", 2, 1), ("tins", 1, 1)]
    assert last_analyze(scratch_url) == analysed  # small imports leave the sampling to autovacuum

    maintained = index_snapshot(scratch_url)
    run_reindex(scratch_url)
    assert index_snapshot(scratch_url) == maintained


def test_an_import_keeps_each_categorys_product_count(scratch_url, tmp_path):
    """Each category counts the products in it, wherever on their paths, as imports add products and
    categories to products; a full rebuild counts the same."""

    def meta(name, *products):
        path = tmp_path / name
        lines = [{"asin": asin, "title": title, "category": category, "main_cat": "Home"} for asin, title, category in products]
        path.write_text("".join(json.dumps(line) + "\n" for line in lines))
        return path

    first = meta(
        "meta_1.json",
        ("ZZCAT0001", "Tin", ["Home", "Tins"]),
        ("ZZCAT0002", "Mug", ["Home", "Mugs"]),
        ("ZZCAT0003", "Big tin", ["Home", "Tins"]),
    )
    assert run_import(scratch_url, first).returncode == 0
    engine = sa.create_engine(scratch_url)
    try:
        with engine.connect() as conn:
            assert category_counts(conn) == {"home": 3, "home/tins": 2, "home/mugs": 1}
        # The big tin is a mug too now (a product keeps the categories it had), and a new product comes.
        second = meta("meta_2.json", ("ZZCAT0003", "Big tin", ["Home", "Mugs"]), ("ZZCAT0004", "Spade", ["Garden"]))
        assert run_import(scratch_url, second).returncode == 0
        with engine.connect() as conn:
            counts = category_counts(conn)
            assert counts == {"home": 3, "home/tins": 2, "home/mugs": 2, "garden": 1}
            assert linked_counts(conn) == counts
        run_reindex(scratch_url)
        with engine.connect() as conn:
            assert category_counts(conn) == counts
    finally:
        engine.dispose()


def product_evidence_table(url):
    return scalar(url, "SELECT 'product_evidence'::regclass::oid")


@pytest.mark.usefixtures("amazon_data")
def test_an_import_that_touches_a_quarter_of_the_catalog_rebuilds_it_whole_with_the_same_result(scratch_url, tmp_path):
    """From a quarter of a large catalog, loading new index tables beats inserting into the live keys."""
    meta = GIFT_META
    assert run_import(scratch_url, meta).returncode == 0
    asins = [json.loads(line)["asin"] for line in meta.open()]
    assert len(asins) == 1547

    def reviews(name, products):
        path = tmp_path / name
        path.write_text(
            "".join(
                json.dumps(
                    {
                        "overall": 4.0,
                        "reviewerID": f"{name}-{i}",
                        "asin": asin,
                        "reviewText": "Easy to use, not flimsy.",
                        "summary": "Fine",
                        "unixReviewTime": 1500000000,
                    }
                )
                + "\n"
                for i, asin in enumerate(products)
            )
        )
        return path

    table = product_evidence_table(scratch_url)
    assert run_import(scratch_url, reviews("few_5.json", asins[:380])).returncode == 0  # under a quarter
    assert product_evidence_table(scratch_url) == table  # rows replaced in the live tables
    assert run_import(scratch_url, reviews("many_5.json", asins[:390])).returncode == 0  # a quarter and more
    assert product_evidence_table(scratch_url) != table  # new tables swapped in

    maintained = index_snapshot(scratch_url)
    # Every product reviewed, and only those, has the evidence of its review ("not flimsy").
    assert {asin for asin, term, *_ in maintained[1] if term == "flimsi"} == set(asins[:390])
    run_reindex(scratch_url)
    assert index_snapshot(scratch_url) == maintained


def die_in_the_worker(*chunk):
    """Stands for analyse_chunk in a worker that the kernel kills (out of memory, an operator's kill -9)."""
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.usefixtures("amazon_data")
def test_an_indexing_worker_that_dies_fails_the_rebuild_instead_of_waiting_for_ever(scratch_url, monkeypatch):
    from amazen.search import indexer

    assert run_import(scratch_url, GIFT_META).returncode == 0
    before = index_snapshot(scratch_url)
    monkeypatch.setattr(indexer, "analyse_chunk", die_in_the_worker)  # 1,547 products: the workers are used
    engine = sa.create_engine(scratch_url)
    outcome = []

    def rebuild():
        try:
            with engine.begin() as conn:
                indexer.index_products(conn)
        except Exception as err:
            outcome.append(err)

    rebuilding = threading.Thread(target=rebuild, daemon=True)
    rebuilding.start()
    rebuilding.join(120)
    assert not rebuilding.is_alive(), "the rebuild is still waiting for a worker that is gone"
    assert [type(err) for err in outcome] == [RuntimeError] and "stopped unexpectedly" in str(outcome[0])
    engine.dispose()
    assert index_snapshot(scratch_url) == before  # rolled back


@pytest.mark.usefixtures("amazon_data")
def test_searches_read_the_old_index_without_waiting_while_a_full_reindex_runs(scratch_url, monkeypatch):
    """A full rebuild loads new index tables beside the live ones and swaps them in last, so while it
    runs, searches and completions go on reading the old index instead of queueing behind it."""
    from sqlalchemy.orm import Session
    from webob.multidict import MultiDict

    from amazen.search import indexer
    from amazen.search.query import parse_search
    from amazen.search.service import SearchService
    from amazen.search.suggest import SuggestService

    assert run_import(scratch_url, GIFT_REVIEWS, GIFT_META).returncode == 0
    request = parse_search(MultiDict(q="gift card", pos="easy"))
    engine = sa.create_engine(scratch_url)

    def look(connection):
        session = Session(bind=connection)
        service = SearchService(session)
        page = service.search(request)
        mentions = sum(e.mentions for r in page.results for e in r.evidence)
        seen = page.total, mentions, SuggestService(session, service).complete("gif")
        connection.rollback()
        return seen

    with engine.connect() as searcher:
        searcher.exec_driver_sql("SET lock_timeout = '2s'")  # waiting for the rebuild fails the test
        searcher.commit()
        fresh = look(searcher)
        assert fresh[0] > 0 and fresh[1] > 0 and fresh[2]
        with engine.begin() as conn:  # an old index that differs from what the rebuild will write
            # 'easi<TAB>3...' becomes 'easi<TAB>10003...': a thousand mentions more, at least
            conn.exec_driver_sql(
                r"UPDATE product_evidence "
                r"SET evidence = regexp_replace(evidence, '(^|\n)easi\t', '\1easi' || E'\t' || '1000', 'g')"
            )
        stale = look(searcher)
        assert stale[1] > fresh[1] + 1000

        # Look while the rebuild runs: its last step before the swap is the vocabulary.
        during = []
        refresh_vocabulary = indexer.refresh_vocabulary
        monkeypatch.setattr(
            indexer, "refresh_vocabulary", lambda conn, **kw: (refresh_vocabulary(conn, **kw), during.append(look(searcher)))
        )
        with engine.connect() as rebuilding:
            assert indexer.index_products(rebuilding) == 1547
            rebuilding.commit()
        assert during == [stale]  # no lock wait, and the old index unchanged
        assert look(searcher) == fresh
    tables = sa.inspect(engine).get_table_names()
    assert "product_evidence_new" not in tables and "packed_terms_new" not in tables
    engine.dispose()


@pytest.mark.usefixtures("amazon_data")
def test_a_review_written_during_a_full_reindex_waits_for_it_and_is_indexed_after(scratch_url, monkeypatch):
    """A review written while a full rebuild runs must not be lost when the rebuilt tables are swapped
    in: the writer waits for the rebuild to commit, then indexes its product in the new tables."""
    import threading

    from sqlalchemy.orm import Session

    from amazen.catalog.services import CatalogService
    from amazen.models import Product
    from amazen.search import indexer
    from amazen.search.analyzer import word_stem

    assert run_import(scratch_url, GIFT_REVIEWS, GIFT_META).returncode == 0
    engine = sa.create_engine(scratch_url)
    term = word_stem("zyzzogetic")  # a word no gift card review uses
    written = []

    def write_review():
        with engine.connect() as conn:
            session = Session(bind=conn)
            product = session.scalars(sa.select(Product).order_by(Product.asin).limit(1)).one()
            author = make_account(session, "tester-1")
            CatalogService(session).write_review(product, author, rating=5, summary="Zyzzogetic", text="So zyzzogetic.")
            session.flush()
            conn.commit()
            written.append(product.id)

    writer = threading.Thread(target=write_review)

    def start_the_writer_and_see_it_wait():
        writer.start()
        wait_until_blocked(engine, writer, "the writer", "the rebuild")

    refresh_vocabulary = indexer.refresh_vocabulary
    monkeypatch.setattr(
        indexer, "refresh_vocabulary", lambda conn, **kw: (refresh_vocabulary(conn, **kw), start_the_writer_and_see_it_wait())
    )
    with engine.connect() as rebuilding:
        assert indexer.index_products(rebuilding) == 1547
        rebuilding.commit()
    writer.join(60)
    assert written, "the review was not written"
    with engine.connect() as conn:
        evidence = conn.execute(
            sa.text("SELECT product_id, mentions, positive, neutral FROM descriptor_evidence WHERE term = :t"), {"t": term}
        ).all()
        stats = conn.execute(sa.text("SELECT products, mentions, positive FROM term_stats WHERE term = :t"), {"t": term}).all()
    assert evidence == [(written[0], 1, 0, 1)]  # "So zyzzogetic.": a mention with no opinion
    assert stats == [(1, 1, 0)]
    engine.dispose()


@pytest.mark.usefixtures("amazon_data")
def test_two_reviews_written_at_once_to_one_product_are_both_counted(scratch_url):
    """A second writer of a product waits for the first (the product's row lock, taken first), so the
    statements that recount the product's reviews see both: its aggregates and the catalog's totals,
    moved by difference, stay equal to a count of the reviews."""
    from sqlalchemy.orm import Session

    from amazen.catalog.services import CatalogService
    from amazen.models import Product

    assert run_import(scratch_url, GIFT_REVIEWS, GIFT_META).returncode == 0
    engine = sa.create_engine(scratch_url)
    with engine.connect() as conn:
        product_id = conn.execute(
            sa.text("SELECT id FROM products JOIN product_stats ON product_id = id WHERE review_count > 0 ORDER BY asin LIMIT 1")
        ).scalar()

    def write(conn, reviewer, rating):
        session = Session(bind=conn)
        author = make_account(session, reviewer)
        CatalogService(session).write_review(session.get(Product, product_id), author, rating=rating, summary=None, text="Noted.")
        session.flush()

    second_done = []

    def write_second():
        with engine.connect() as conn:
            write(conn, "second-writer", 5)
            conn.commit()
            second_done.append(True)

    with engine.connect() as first:
        write(first, "first-writer", 1)  # not committed yet
        second = threading.Thread(target=write_second)
        second.start()
        wait_until_blocked(engine, second, "the second writer", "the first")
        first.commit()
    second.join(60)
    assert second_done, "the second review was not written"
    with engine.connect() as conn:
        product = conn.execute(
            sa.text("SELECT review_count, rating_count, stars_1, stars_5 FROM product_stats WHERE product_id = :id"),
            {"id": product_id},
        ).one()
        counted = conn.execute(
            sa.text(
                "SELECT count(*), count(rating), count(*) FILTER (WHERE rating = 1), count(*) FILTER (WHERE rating = 5) "
                "FROM reviews WHERE product_id = :id"
            ),
            {"id": product_id},
        ).one()
        totals = conn.execute(sa.text("SELECT reviews, ratings, rating_points FROM search_stats")).one()
        all_reviews = conn.execute(sa.text("SELECT count(*), count(rating), sum(rating) FROM reviews")).one()
    assert tuple(product) == tuple(counted)
    assert tuple(totals) == tuple(all_reviews)
    engine.dispose()
