"""Screenshots of the home, results, product and compare pages at desktop (1280 px) and phone (375 px)
width, taken with Debian's chromium against a fresh `pserve development.ini` and its demo catalog.

    python docs/screenshots/take.py          # starts its own server on a free port, in a temporary directory
    python docs/screenshots/take.py URL      # or uses one that is running

Writes docs/screenshots/{home,results,product,compare}-{desktop,phone}.png (the README shows them),
made smaller by Debian's pngquant when it is installed.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from tests.browser.chromium import DESKTOP, PHONE, launch  # noqa: E402
from tests.serve import Served  # noqa: E402

SEARCH = "/search?q=headphones&pos=comfortable&neg=tight"
MAX_HEIGHT = 1800  # pixels of each page shown, from the top


def shoot(page, name):
    width = page.viewport_size["width"]
    height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
    path = HERE / f"{name}.png"
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
                page.close()
        finally:
            browser.close()


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
