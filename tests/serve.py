"""Start ``pserve`` on a copy of development.ini in a fresh directory and read pages from it over HTTP.

Used by tests/functional/test_serve.py (the installed checkout) and by .ci/run's wheel check (a wheel
installed in a new venv): both prove a fresh start serves the demo catalog with no other setup.
Run as a script: ``python tests/serve.py PSERVE_EXECUTABLE`` prints what it checked and exits non-zero
on failure.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# A bound on waiting for the first page, not the promise (about 30 s on an idle machine, which the report
# shows): on a busy machine initdb, migrations and the demo catalog take longer.
START_DEADLINE = 120.0
# pserve's exit stops the embedded server, which waits for a lock that every embedded server on the machine
# takes to start or stop (an initdb elsewhere holds it for seconds): generous, so pserve is never killed
# before its own stop.
STOP_DEADLINE = 120.0


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url, timeout=10):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


class Served:
    """A running ``pserve development.ini`` in its own directory (so its own var/pgdata). Another one
    started in the same directory under another ``name`` shares its database and metrics directory."""

    def __init__(self, pserve, workdir, toolbar=False, name="development"):
        self.workdir = Path(workdir)
        self.port = free_port()
        ini = (REPO / "development.ini").read_text()
        ini = re.sub(r"^listen = .*$", f"listen = 127.0.0.1:{self.port}", ini, flags=re.M)
        if not toolbar:
            ini = ini.replace("pyramid_debugtoolbar", "")  # not needed to prove the pages
        (self.workdir / f"{name}.ini").write_text(ini)
        # Its own database and metrics directory (var/ in workdir), not the ones of the process starting it.
        own = ("AMAZEN_DATABASE_URL", "DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR")
        env = {k: v for k, v in os.environ.items() if k not in own}
        self.log_path = self.workdir / f"{name}.log"
        self.log = open(self.log_path, "w+")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [pserve, f"{name}.ini"], cwd=self.workdir, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self.base = f"http://127.0.0.1:{self.port}"
        self.postgres_outlived_pserve = None  # known once stopped

    def wait_ready(self, deadline=START_DEADLINE):
        """Seconds until /healthz answered 200; raises if it did not within ``deadline``."""
        while time.monotonic() - self.started < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pserve exited with {self.process.returncode}:\n{self.output()}")
            try:
                status, _ = fetch(self.base + "/healthz", timeout=2)
                if status == 200:
                    return time.monotonic() - self.started
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"pserve did not answer within {deadline} s:\n{self.output()}")

    def output(self):
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text()

    @property
    def pgdata(self):
        return self.workdir / "var" / "pgdata"

    def stop(self, sig=signal.SIGINT):
        """Ctrl-C, as a developer would (or another signal); returns pserve's exit code.

        Whatever happened, the embedded server of its directory is not running afterwards:
        ``postgres_outlived_pserve`` says whether it had to be stopped here because pserve left it.
        """
        self.stop_pserve(sig)
        # pserve's exit comes after its server's stop; a server some other process still used goes on.
        self.postgres_outlived_pserve = not wait_postmaster_stopped(self.pgdata, deadline=30)
        if self.postgres_outlived_pserve:
            stop_postmaster(self.pgdata)
        return self.process.returncode

    def stop_pserve(self, sig=signal.SIGINT):
        """Stop pserve alone: an embedded server another pserve in the directory uses goes on."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(STOP_DEADLINE)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def postmaster_pid(pgdata):
    """The pid in ``pgdata``/postmaster.pid when that process is running, else None."""
    try:
        pid = int((Path(pgdata) / "postmaster.pid").read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def postmaster_running(pgdata):
    return postmaster_pid(pgdata) is not None


def wait_postmaster_stopped(pgdata, deadline):
    """True once no server runs in ``pgdata``; False if one still does after ``deadline`` seconds."""
    give_up = time.monotonic() + deadline
    while postmaster_running(pgdata):
        if time.monotonic() > give_up:
            return False
        time.sleep(0.1)
    return True


def stop_postmaster(pgdata):
    """Stop the server running in ``pgdata``: a fast shutdown, or an immediate one if that takes too long."""
    for sig, deadline in ((signal.SIGINT, 60), (signal.SIGQUIT, 30)):
        pid = postmaster_pid(pgdata)
        if pid is None:
            return
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        if wait_postmaster_stopped(pgdata, deadline):
            return
    raise RuntimeError(f"the PostgreSQL server in {pgdata} does not stop")


def server_settings(pgdata, names):
    """{name: value} of settings of the running embedded server in ``pgdata``, as it reports them."""
    import psycopg2

    lines = (Path(pgdata) / "postmaster.pid").read_text().splitlines()
    conn = psycopg2.connect(host=lines[4], port=lines[3], user="postgres", dbname="postgres")
    settings = {}
    try:
        with conn.cursor() as cur:
            for name in names:
                cur.execute(f"SHOW {name}")
                settings[name] = cur.fetchone()[0]
    finally:
        conn.close()
    return settings


def check_fresh_start(pserve):
    """The whole newcomer path; returns a list of (what, seconds or detail) for the report."""
    workdir = tempfile.mkdtemp(prefix="amazen-serve-")
    served = Served(pserve, workdir)
    report = []
    try:
        report.append(("first /healthz 200 after start", f"{served.wait_ready():.1f} s"))
        status, home = fetch(served.base + "/")
        assert status == 200 and "Most reviewed" in home, (status, home[:500])
        status, listing = fetch(served.base + "/products/")
        assert status == 200, status
        product_paths = re.findall(r'href="http://127\.0\.0\.1:\d+(/products/B0[0-9A-Z]{8})"', listing)
        assert product_paths, listing[:1000]
        status, page = fetch(served.base + product_paths[0])
        assert status == 200 and "Ratings" in page and "Reviews" in page, (status, page[:500])
        status, css = fetch(served.base + "/static/amazen.css")
        assert status == 200 and ".grid" in css, status
        report.append(("home, listing, product page, static file", "200"))
        settings = server_settings(Path(workdir) / "var" / "pgdata", ["wal_level", "max_wal_size"])
        report.append(("embedded PostgreSQL's WAL settings", ", ".join(f"{k} {v}" for k, v in settings.items())))
    finally:
        code = served.stop()
    assert not served.postgres_outlived_pserve, (
        f"the embedded PostgreSQL was still running after pserve stopped:\n{served.output()[-3000:]}"
    )
    report.append(("pserve stopped (Ctrl-C), exit code", code))
    report.append(("embedded PostgreSQL stopped with it", "yes"))
    shutil.rmtree(workdir, ignore_errors=True)
    return report


if __name__ == "__main__":
    for what, value in check_fresh_start(sys.argv[1]):
        print(f"{what}: {value}")
