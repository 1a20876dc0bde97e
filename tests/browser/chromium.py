"""Launching Debian's chromium (its executable, not a browser Playwright downloads) the same way for the
browser tests and for docs/screenshots/take.py."""

import os

CHROMIUM = os.environ.get("AMAZEN_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
INSTALL_HINT = "apt-get install chromium"


class ChromiumMissing(RuntimeError):
    pass


def launch(playwright):
    """A headless chromium from CHROMIUM; ChromiumMissing with the fix when it is not there."""
    if not os.access(CHROMIUM, os.X_OK):
        raise ChromiumMissing(f"needs Debian's chromium: {INSTALL_HINT} (none at {CHROMIUM}; AMAZEN_CHROMIUM names another)")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
