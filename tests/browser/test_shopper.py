"""A shopper's whole path in a real browser, at desktop width and on a 375 px phone: autocomplete, + and −
descriptors, a facet, pages, back, a product, its reviews filtered by what customers say, compare.

Results and URLs must change in place (the JavaScript swaps the results; a marker set on the window
survives), the back button must restore the previous results, and nothing may go wrong in the console.
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from .chromium import DESKTOP, PHONE

SIZES = {"desktop": DESKTOP, "phone": PHONE}


def query(page):
    return parse_qs(urlsplit(page.url).query)


def titles(page):
    return page.locator(".result-title a").all_inner_texts()


def mark_document(page):
    """A marker that only survives if the page is never reloaded."""
    page.evaluate("window.amazenMarker = 42")


def same_document(page):
    return page.evaluate("window.amazenMarker") == 42


def fits_the_width(page):
    """No sideways scrolling of the whole page (tables scroll inside their own region)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def settled(page):
    expect(page.locator("[data-live]")).not_to_have_attribute("aria-busy", "true")


def pick_completion(page, box, typed, wanted, keyboard):
    box.press_sequentially(typed, delay=40)
    listbox_id = f"{box.get_attribute('id')}-listbox"
    listbox = page.locator(f"#{listbox_id}")
    expect(listbox).to_be_visible()
    # The answer for the whole text (typing may pause long enough on a busy machine to ask for less first).
    page.wait_for_function(
        "([id, typed]) => Array.from(document.querySelectorAll(`#${id} [role=option]`))"
        ".every(o => o.dataset.value.startsWith(typed))",
        arg=[listbox_id, typed],
    )
    expect(box).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    values = [options.nth(i).get_attribute("data-value") for i in range(options.count())]
    assert wanted in values, values
    if keyboard:
        for _ in range(values.index(wanted) + 1):
            box.press("ArrowDown")
        active = options.nth(values.index(wanted))
        expect(active).to_have_attribute("aria-selected", "true")
        expect(box).to_have_attribute("aria-activedescendant", active.get_attribute("id"))
        box.press("Enter")
    else:
        options.nth(values.index(wanted)).click()


@pytest.mark.parametrize("size", list(SIZES))
def test_a_shopper_searches_narrows_pages_goes_back_reads_reviews_and_compares(open_page, size):
    watched = open_page(SIZES[size])
    page = watched.page
    phone = size == "phone"

    # Home: type a query and pick a completion (keys on the desktop, a tap on the phone).
    response = page.goto("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert fits_the_width(page)
    pick_completion(page, page.locator("#home-search"), "headph", "headphones", keyboard=not phone)
    page.wait_for_url(re.compile(r"/search/?\?q=headphones"))
    expect(page.locator("#results-title")).to_contain_text("for “headphones”")
    assert page.locator(".result").count() == 20 and page.locator(".evidence").count() == 0
    assert fits_the_width(page)
    mark_document(page)

    # A wanted descriptor, typed: results and URL change in place.
    page.locator("#add-pos").fill("comfortable")
    page.locator("#add-pos").press("Enter")
    page.wait_for_url(lambda url: query_of(url).get("pos") == ["comfortable"])
    settled(page)
    expect(page.locator(".descriptor.want")).to_contain_text("comfortable")
    expect(page.locator(".result .evidence.want").first).to_contain_text("comfortable")
    assert same_document(page)

    # A descriptor to avoid, with the Add button.
    page.locator("#add-neg").fill("tight")
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_url(lambda url: query_of(url).get("neg") == ["tight"] and query_of(url).get("pos") == ["comfortable"])
    settled(page)
    expect(page.locator(".descriptor.avoid")).to_contain_text("tight")
    expect(page.locator(".result .evidence.avoid").first).to_contain_text("tight")
    expect(page.locator(".result .evidence.avoid .complaint").first).to_have_text(re.compile(r"^[\d,]+ complaints?$"))
    assert page.locator(".result .evidence").count() == 2 * page.locator(".result").count()
    assert page.locator(".result .star-chart").count() > 0
    assert same_document(page)

    # A facet with more than a page of products (the filters fold away on a phone).
    facets = page.locator("details.facets")
    if phone:
        expect(facets).not_to_have_attribute("open", "")
        facets.locator("summary").click()
    links = facets.locator("section", has=page.get_by_role("heading", name="Rating")).get_by_role("link")
    counts = [int(links.nth(i).locator("xpath=following-sibling::span[1]").inner_text()) for i in range(links.count())]
    choice = next(i for i, n in enumerate(counts) if n > 20)
    links.nth(choice).click()
    page.wait_for_url(lambda url: "rating_min" in query_of(url))
    settled(page)
    expect(page.locator("#results-title")).to_contain_text(f"{counts[choice]} products")
    expect(page.locator(".facets [aria-current=true]", has_text="& up")).to_have_count(1)
    first_page = titles(page)
    results_url = page.url

    # The next page, then back.
    page.locator("a[rel=next]").first.click()
    page.wait_for_url(lambda url: query_of(url).get("page") == ["2"])
    settled(page)
    expect(page.locator("ol.result-list")).to_have_attribute("start", "21")
    second_page = titles(page)
    assert second_page and not set(second_page) & set(first_page)
    page.go_back()
    page.wait_for_url(results_url)
    settled(page)
    expect(page.locator(".result-title a").first).to_have_text(first_page[0])
    assert titles(page) == first_page and same_document(page)
    page.go_forward()
    page.wait_for_url(lambda url: query_of(url).get("page") == ["2"])
    expect(page.locator(".result-title a").first).to_have_text(second_page[0])
    page.go_back()
    page.wait_for_url(results_url)
    expect(page.locator(".result-title a").first).to_have_text(first_page[0])
    settled(page)
    assert fits_the_width(page)

    # A product; its reviews filtered by a "customers say" chip.
    page.locator(".result-title a").first.click()
    page.wait_for_url(re.compile(r"/products/\w+"))
    expect(page.locator("h1")).to_have_text(first_page[0])
    assert fits_the_width(page)
    mark_document(page)
    chip = page.locator(".say .chip").first
    said, mentions = chip.inner_text(), int(chip.locator("xpath=following-sibling::span[1]").inner_text().split()[0])
    chip.click()
    page.wait_for_url(lambda url: query_of(url).get("say") == [said])
    settled(page)
    expect(page.locator(".filter-note")).to_contain_text(f"“{said}”: {mentions}")
    expect(page.locator(".say.active .chip")).to_have_attribute("aria-current", "true")
    reviews = page.locator(".review-list .review")
    assert reviews.count() == min(mentions, 10)
    stem = said.split()[0][:4].lower()
    assert all(stem in text.lower() for text in reviews.all_inner_texts())
    assert same_document(page)

    # Search within those reviews: the words are marked.
    word = stem
    page.locator("#rq").fill(word)
    page.locator("#rq").press("Enter")
    page.wait_for_url(lambda url: query_of(url).get("rq") == [word])
    settled(page)
    expect(page.locator(".review-list mark").first).to_be_visible()
    expect(page.locator(".filter-note")).to_contain_text(f"containing “{word}”")

    # Compare two of the results.
    page.goto(results_url)
    boxes = page.locator(".result input[name=asin]")
    button = page.get_by_role("button", name="Compare selected")
    expect(button).to_be_disabled()
    boxes.nth(0).check()
    expect(page.locator(".compare-status")).to_contain_text("1 product ticked")
    boxes.nth(1).check()
    expect(page.locator(".compare-status")).to_contain_text("2 products ticked")
    expect(button).to_be_enabled()
    asins = [boxes.nth(i).get_attribute("value") for i in (0, 1)]
    button.click()
    page.wait_for_url(re.compile(r"/compare"))
    assert query(page)["asin"] == asins and query(page)["pos"] == ["comfortable"] and query(page)["neg"] == ["tight"]
    table = page.locator("table.compare")
    expect(table.locator("thead th")).to_have_count(2)
    expect(table.locator("thead th").first).to_contain_text(first_page[0])
    for polarity, descriptor in (("Want", "comfortable"), ("Avoid", "tight")):
        expect(table.get_by_role("rowheader", name=f"{polarity} {descriptor}", exact=True)).to_be_visible()
    assert table.locator(".top-badge").count() >= 2  # each product's own "customers say" rows
    assert fits_the_width(page)
    page.get_by_role("link", name="← Back to the results").click()
    page.wait_for_url(re.compile(r"/search/?\?"))
    assert query(page)["q"] == ["headphones"] and query(page)["rating_min"]
    watched.assert_clean()


def query_of(url):
    return parse_qs(urlsplit(url).query)


def test_autocomplete_keys_wrap_around_and_escape_closes_the_list(open_page):
    watched = open_page(DESKTOP)
    page = watched.page
    page.goto("/products/")
    box = page.locator("#site-search")
    box.press_sequentially("head", delay=40)
    listbox = page.locator("#site-search-listbox")
    expect(listbox).to_be_visible()
    options = listbox.get_by_role("option")
    last = options.count() - 1
    box.press("ArrowUp")  # from the box, up goes to the last entry
    expect(options.nth(last)).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")  # and down from the last to the first
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("head")  # Escape closes the list and keeps the text
    box.press("Enter")  # with the list closed, Enter searches for the text as typed
    page.wait_for_url(re.compile(r"/search/?\?q=head$"))
    watched.assert_clean()


def test_without_javascript_forms_and_links_do_everything(open_page):
    watched = open_page(PHONE, javascript=False)
    page = watched.page
    page.goto("/")
    page.locator("#home-search").fill("headphones")
    page.get_by_label("+ Reviews should say").fill("comfortable")
    page.locator("#home-form").get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/search/?\?q=headphones&pos=comfortable"))
    expect(page.locator(".descriptor.want")).to_contain_text("comfortable")
    page.get_by_role("link", name="Avoid comfortable instead").click()
    page.wait_for_url(lambda url: query_of(url).get("neg") == ["comfortable"] and "pos" not in query_of(url))
    expect(page.locator("details.facets")).to_have_attribute("open", "")  # folded only by the JavaScript
    page.locator(".facets").get_by_role("link").first.click()
    page.wait_for_url(lambda url: "category" in query_of(url) or "brand" in query_of(url))
    boxes = page.locator(".result input[name=asin]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="Compare selected").click()
    page.wait_for_url(re.compile(r"/compare"))
    expect(page.locator("table.compare thead th")).to_have_count(2)
    page.locator("table.compare thead th a").first.click()
    page.wait_for_url(re.compile(r"/products/"))
    page.locator(".say .chip").first.click()
    page.wait_for_url(lambda url: "say" in query_of(url))
    expect(page.locator(".filter-note")).to_be_visible()
    watched.assert_clean()


def test_a_failed_load_shows_an_error_with_a_retry_link_and_no_endless_spinner(open_page):
    watched = open_page(DESKTOP, allow=[r"Failed to load resource"])
    page = watched.page
    page.goto("/search?q=headphones")
    page.route(re.compile(r"[?&]page=2"), lambda route: route.abort())
    page.locator("a[rel=next]").first.click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Could not load the page")
    settled(page)  # not busy any more
    assert "page=2" not in page.url  # the URL only changes with the results
    page.unroute(re.compile(r"[?&]page=2"))
    alert.get_by_role("link", name="try again").click()
    page.wait_for_url(lambda url: query_of(url).get("page") == ["2"])
    expect(page.locator("ol.result-list")).to_have_attribute("start", "21")
    expect(page.get_by_role("alert")).to_have_count(0)
    watched.assert_clean()


# Static URLs may carry a cache-busting version (?v=<hash of the static files>).
PLACEHOLDER = re.compile(r"/static/placeholder\.svg(\?v=\w+)?$")


def test_missing_and_broken_images_show_the_placeholder(open_page):
    broken = "https://m.media-amazon.com/images/I/broken.jpg"  # a host the CSP allows; routed, never fetched
    watched = open_page(DESKTOP, allow=[r"Failed to load resource", re.escape(broken)])
    page = watched.page
    # The demo catalog has no images: give the first result a broken one on its way to the browser.
    page.route(broken, lambda route: route.fulfill(status=404, body="gone"))

    def with_broken_image(route):
        html = route.fetch().text()
        route.fulfill(
            body=re.sub(r'src="[^"]*placeholder\.svg(\?v=\w+)?"', f'src="{broken}"', html, count=1), content_type="text/html"
        )

    page.route(re.compile(r"/search/?\?"), with_broken_image)
    page.goto("/search?q=headphones")
    first, second = page.locator(".result img").nth(0), page.locator(".result img").nth(1)
    expect(first).to_have_attribute("src", PLACEHOLDER)  # fell back
    expect(first).to_have_class(re.compile("placeholder"))
    expect(second).to_have_attribute("src", PLACEHOLDER)  # none: the server's placeholder
    assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0 || i.loading === 'lazy')")
    watched.assert_clean()


UNLABELLED = """Array.from(document.querySelectorAll("input:not([type=hidden]), button, select"))
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !e.textContent.trim())
  .map(e => e.outerHTML)"""


def test_keyboard_only_chips_work_focus_follows_and_every_control_is_labelled(open_page):
    watched = open_page(DESKTOP)
    page = watched.page
    page.goto("/search?q=headphones&pos=comfortable&neg=tight")
    assert page.evaluate(UNLABELLED) == []
    page.get_by_role("link", name="Remove comfortable").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "pos" not in query_of(url) and query_of(url).get("neg") == ["tight"])
    settled(page)
    assert page.evaluate("document.activeElement.id") == "results-title"  # focus moves to the new results
    expect(page.locator("#live-status")).to_contain_text("36 products for “headphones”")
    page.get_by_role("link", name="Want tight instead").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: query_of(url).get("pos") == ["tight"] and "neg" not in query_of(url))
    asin = page.locator(".result input[name=asin]").first.get_attribute("value")
    for url in (
        "/",
        f"/products/{asin}",
        f"/compare?asin={asin}&asin={page.locator('.result input[name=asin]').nth(1).get_attribute('value')}",
    ):
        page.goto(url)
        assert page.evaluate(UNLABELLED) == [], url
    watched.assert_clean()
