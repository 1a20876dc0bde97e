"""Screenshots of the home, results, product and compare pages, the sign-in page and a product page's
review form (signed in, scrolled to it) at desktop (1280 px) and phone (375 px) width, taken with Debian's
chromium against a fresh `pserve development.ini` and its demo catalog.

    python docs/screenshots/take.py          # starts its own server on a free port, in a temporary directory
    python docs/screenshots/take.py URL      # or uses one that is running

Writes docs/screenshots/{home,results,product,compare,signin,review-form}-{desktop,phone}.png (the README
shows them), made smaller by Debian's pngquant when it is installed. The review form's account is made for
the screenshots on the server they are taken from.
"""

import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from tests.browser.chromium import DESKTOP, PHONE, launch  # noqa: E402
from tests.serve import Served  # noqa: E402

SEARCH = "/search?q=headphones&pos=comfortable&neg=tight"
MAX_HEIGHT = 1800  # pixels of each page shown, from the top
PASSWORD = "a long and unusual pass phrase"  # of an account made for the screenshots, on a throwaway server


def shoot(page, name, viewport_only=False):
    """The page from the top (at most MAX_HEIGHT), or ``viewport_only``: what the window shows now."""
    width = page.viewport_size["width"]
    path = HERE / f"{name}.png"
    if viewport_only:
        height = page.viewport_size["height"]
        page.screenshot(path=path)
    else:
        height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
        page.screenshot(path=path, full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})
    if shutil.which("pngquant"):
        subprocess.run(["pngquant", "--force", "--skip-if-larger", "--output", str(path), "--", str(path)], check=False)
    print(f"{path.relative_to(REPO)}: {width}×{height}")


def take(base):
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                page = browser.new_page(viewport=viewport, device_scale_factor=1)
                page.goto(base + "/")
                shoot(page, f"home-{size}")
                page.goto(base + SEARCH)
                shoot(page, f"results-{size}")
                for box in page.locator(".result input[name=asin]").all()[:2]:
                    box.check()
                page.get_by_role("button", name="Compare selected").click()
                page.wait_for_url("**/compare**")
                shoot(page, f"compare-{size}")
                page.goto(base + SEARCH)
                page.locator(".result-title a").first.click()
                page.wait_for_url("**/products/**")
                shoot(page, f"product-{size}")
                product_url = page.url
                email = sign_up(page, base)
                page.goto(f"{base}/account/login?{urlencode({'next': urlsplit(product_url).path})}")
                shoot(page, f"signin-{size}")
                sign_in(page, email, product_url)
                fill_review_form(page)
                shoot(page, f"review-form-{size}", viewport_only=True)
                page.close()
        finally:
            browser.close()


def sign_up(page, base):
    """A new account for the screenshots, then signed out; returns its email address."""
    email = f"screenshots-{uuid.uuid4().hex[:10]}@example.com"
    page.goto(base + "/account/signup")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Name shown with your reviews").fill("Sam Shopper")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(base + "/")
    page.get_by_role("navigation", name="Account").get_by_role("button", name="Sign out").click()
    page.wait_for_url(base + "/")
    return email


def sign_in(page, email, product_url):
    """Signs in on the sign-in page that is open, which sends the browser on to ``product_url``."""
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(product_url)


def fill_review_form(page):
    """The product page's review form filled in (not sent), scrolled to the top of the window."""
    form = page.locator("#write-review")
    form.get_by_label("4 stars").check()
    form.get_by_label("Headline").fill("Comfortable for a whole flight")
    form.get_by_label("Your review").fill(
        "Light and comfortable: I wore them for a ten-hour flight. The bass is full without drowning voices, "
        "and the battery lasted the trip with some left."
    )
    form.evaluate("section => section.scrollIntoView({block: 'start'})")


def main(argv):
    if len(argv) > 1:
        take(argv[1].rstrip("/"))
        return
    pserve = shutil.which("pserve") or str(Path(sys.executable).with_name("pserve"))
    workdir = tempfile.mkdtemp(prefix="amazen-screenshots-")
    served = Served(pserve, workdir)
    try:
        served.wait_ready()
        take(served.base)
    finally:
        served.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv)
