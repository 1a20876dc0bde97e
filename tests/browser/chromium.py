"""Launching Debian's chromium (its executable, not a browser Playwright downloads) the same way for the
browser tests and for docs/screenshots/take.py."""
import os

CHROMIUM = os.environ.get("AMAZEN_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync", "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
INSTALL_HINT = "apt-get install -y --no-install-recommends chromium"


class ChromiumMissing(RuntimeError):
    pass


def launch(playwright):
    """A headless chromium from CHROMIUM; ChromiumMissing with the fix when it is not there."""
    if not os.access(CHROMIUM, os.X_OK):
        raise ChromiumMissing(
            f"no chromium at {CHROMIUM}: the browser tests drive Debian's chromium package "
            f"(install it with `{INSTALL_HINT}`, as .ci/run does, or point AMAZEN_CHROMIUM at one)"
        )
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
