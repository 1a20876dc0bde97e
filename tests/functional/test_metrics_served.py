"""Metrics and request ids in real app processes: two `pserve development.ini` in one directory (one
database, one metrics directory), reached over HTTP as nginx reaches them (from trusted_proxy, 127.0.0.1,
with X-Forwarded-For) or directly (from 127.0.0.2, which waitress does not trust)."""

import http.client
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.datasets import GIFT_META, GIFT_REVIEWS
from tests.functional.test_metrics import GENERATED_ID, sample
from tests.functional.test_serve import pserve_executable
from tests.serve import Served

NGINX = "127.0.0.1"  # development.ini's trusted_proxy
ELSEWHERE = "127.0.0.2"  # another peer on the loopback network
LOG_DEADLINE = 30.0  # an upper bound on waiting for a line in a process's log


@pytest.fixture(scope="module")
def processes(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("metrics-served")
    first = Served(pserve_executable(), workdir)
    second = None
    try:
        first.wait_ready()
        # Started once the first has set up the database: it reuses the embedded server and the metrics.
        second = Served(pserve_executable(), workdir, name="second")
        second.wait_ready()
        yield first, second
    finally:
        if second is not None:  # stopped first: the embedded server goes on for the first
            second.stop_pserve()
        first.stop()


def get(served, path, headers=None, source=NGINX):
    """(status, headers, body) of a GET from ``source``."""
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30, source_address=(source, 0))
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def proxied(**headers):
    """What nginx sends: the client's address in X-Forwarded-For, and whatever else is given."""
    return {"X-Forwarded-For": "203.0.113.9", **headers}


def scrape(served):
    status, _, text = get(served, "/metrics")
    assert status == 200, text[:500]
    return text


def wait_for_log(served, text):
    """The log line of ``served`` that contains ``text``; fails after LOG_DEADLINE without one."""
    give_up = time.monotonic() + LOG_DEADLINE
    while True:
        lines = [line for line in served.output().splitlines() if text in line]
        if lines:
            return lines[0]
        assert time.monotonic() < give_up, f"no log line with {text!r}:\n{served.output()[-3000:]}"
        time.sleep(0.1)


def test_one_scrape_adds_up_the_requests_of_both_processes(processes):
    first, second = processes
    series = {"route": "SearchPage", "status": "200"}
    before = sample(scrape(first), "amazen_requests_total", **series)
    before_latency = sample(scrape(first), "amazen_request_duration_seconds_count", route="SearchPage")
    for served in (first, second):
        status, _, _ = get(served, "/search?q=battery")
        assert status == 200
    for served in (first, second):
        text = scrape(served)
        assert sample(text, "amazen_requests_total", **series) - before == 2
        assert sample(text, "amazen_request_duration_seconds_count", route="SearchPage") - before_latency == 2


def test_the_pool_gauges_add_up_over_both_processes(processes):
    first, _ = processes
    # development.ini keeps SQLAlchemy's default pool of 5 in each process.
    assert sample(scrape(first), "amazen_db_pool_size") == 10


def test_a_request_id_from_the_proxy_is_sent_back_and_logged(processes):
    first, _ = processes
    given = "nginx" + secrets.token_hex(8)
    status, headers, _ = get(first, "/healthz", headers=proxied(**{"X-Request-ID": given}))
    assert status == 200
    assert headers["X-Request-ID"] == given
    line = wait_for_log(first, given)
    assert f"[{given}]" in line and "/healthz 200" in line


def test_a_request_id_from_another_peer_is_replaced(processes):
    first, _ = processes
    given = "direct" + secrets.token_hex(8)
    status, headers, _ = get(first, "/healthz", headers=proxied(**{"X-Request-ID": given}), source=ELSEWHERE)
    assert status == 200
    made = headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(made)
    assert f"[{made}]" in wait_for_log(first, made)
    assert given not in first.output()


@pytest.mark.parametrize("given", ["<script>alert(1)</script>", "x" * 200, "a%0Ab", "id with spaces"])
def test_a_malformed_request_id_is_replaced_before_it_is_logged_or_sent_back(processes, given):
    first, _ = processes
    status, headers, _ = get(first, "/healthz", headers=proxied(**{"X-Request-ID": given}))
    assert status == 200
    made = headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(made)
    wait_for_log(first, made)
    assert given not in first.output()


def test_metrics_are_refused_to_requests_through_the_proxy(processes):
    first, _ = processes
    status, _, body = get(first, "/metrics", headers=proxied())
    assert status == 404
    assert "amazen_requests_total" not in body


def test_an_import_with_the_same_config_is_counted(processes, amazon_data):
    first, _ = processes
    before = scrape(first)
    env = {k: v for k, v in os.environ.items() if k not in ("AMAZEN_DATABASE_URL", "DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR")}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("amazen-import")), "--config", "development.ini", "--json", GIFT_META, GIFT_REVIEWS],
        cwd=first.workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    after = scrape(first)

    def went_up(name):
        return sample(after, name) - sample(before, name)

    assert went_up("amazen_imports_total") == 1
    assert went_up("amazen_imported_products_total") == sum(report["products"].values()) > 0
    assert went_up("amazen_imported_reviews_total") == sum(report["reviews"].values()) > 0
