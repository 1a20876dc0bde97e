"""Browser tests: Playwright for Python driving Debian's chromium (its executable; nothing downloaded)
against a real `pserve development.ini` started on a fresh directory with the demo catalog (tests/serve.py).

Every page a test opens is watched: a console error (CSP violations are console errors too, and a
listener reports each one), an uncaught exception, a request to anywhere but the app (no CDNs) or an
answer of 400 or more fails the test, unless the test allows that message.
"""

import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import unavailable
from tests.serve import Served

from .chromium import ChromiumMissing, launch

CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline code"));
});
"""


def pserve_executable():
    beside = Path(sys.executable).with_name("pserve")
    return str(beside) if beside.exists() else shutil.which("pserve")


@pytest.fixture(scope="session")
def served():
    workdir = tempfile.mkdtemp(prefix="amazen-browser-")
    server = Served(pserve_executable(), workdir)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        pytest.fail('Playwright is missing: pip install -e ".[testing]"', pytrace=False)
    expect.set_options(timeout=15_000)  # two busy cores: generous, but every wait is a deadline
    with sync_playwright() as playwright:
        try:
            chromium = launch(playwright)
        except ChromiumMissing as err:
            unavailable(str(err))
        yield chromium
        chromium.close()


class Watched:
    """A page and what went wrong on it."""

    def __init__(self, context, base, allow):
        self.context = context
        self.base = base
        self.allow = [re.compile(a) for a in allow]
        self.problems = []
        self.page = context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.on("console", lambda m: m.type == "error" and self._problem(f"console error: {m.text}"))
        self.page.on("pageerror", lambda err: self._problem(f"uncaught exception: {err}"))
        self.page.on("request", self._request)
        self.page.on("response", lambda r: r.status >= 400 and self._problem(f"HTTP {r.status} for {r.url}"))

    def _problem(self, text):
        if not any(a.search(text) for a in self.allow):
            self.problems.append(text)

    def _request(self, request):
        if not request.url.startswith((self.base + "/", "data:")):
            self._problem(f"request outside the app: {request.url}")

    def assert_clean(self):
        assert self.problems == [], "\n".join(self.problems)


@pytest.fixture
def open_page(browser, served):
    """open_page(viewport, javascript=True, allow=()) -> Watched; each is checked clean at teardown too."""
    made = []

    def make(viewport, javascript=True, allow=()):
        context = browser.new_context(
            viewport=viewport,
            java_script_enabled=javascript,
            base_url=served.base,
            device_scale_factor=1,
        )
        context.add_init_script(CSP_LISTENER)
        watched = Watched(context, served.base, allow)
        made.append(watched)
        return watched

    yield make
    try:
        for watched in made:
            watched.assert_clean()
    finally:
        for watched in made:
            watched.context.close()
