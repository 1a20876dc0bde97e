"""A shopper with an account, in a real browser: signs up from a product page, writes a review, finds the
product through search by a word only that review uses and sees the review quoted, edits it, marks
another shopper's review helpful, signs out and back in, and signs out again.

Once with JavaScript at desktop width and once without it on a 375 px phone: every step is a link or a
form, so both must work the same. Nothing may go wrong in the console (CSP violations included).
"""

import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from .chromium import DESKTOP, PHONE

# Words no review in the demo catalog uses (its vocabulary has neither; the test checks the search finds
# nothing for its word first), so a product found by one is found through that run's review. One word per
# run: both runs share a server, and the first run's review stays.
DESCRIPTORS = {True: "iridescent", False: "opalescent"}
PASSWORD = "a long and unusual pass phrase"


def query_of(url):
    return parse_qs(urlsplit(url).query)


def helpful_count(review):
    """The "N people found this helpful" number of a review's item (0 when it shows none)."""
    text = review.locator(".helpful-count").inner_text().strip()
    return int(text.split()[0].replace(",", "")) if text else 0


def fits_the_width(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("javascript", [True, False], ids=["desktop-javascript", "phone-no-javascript"])
def test_a_shopper_signs_up_reviews_finds_the_review_through_search_edits_it_votes_and_signs_out(open_page, javascript):
    watched = open_page(DESKTOP if javascript else PHONE, javascript=javascript)
    descriptor = DESCRIPTORS[javascript]
    page = watched.page
    account = page.get_by_role("navigation", name="Account")
    name = f"Reviewer {uuid.uuid4().hex[:6]}"
    email = f"reviewer-{uuid.uuid4().hex[:10]}@example.com"

    # Nothing says the descriptor yet.
    page.goto(f"/search?pos={descriptor}")
    expect(page.locator(".result")).to_have_count(0)

    # A product with other shoppers' reviews; anonymous, its review form asks to sign in.
    page.goto("/search?q=headphones")
    page.locator(".result-title a").first.click()
    page.wait_for_url(re.compile(r"/products/\w+$"))
    product_url, title = page.url, page.locator("h1").inner_text()
    form_section = page.locator("#write-review")
    expect(form_section.get_by_role("heading")).to_have_text("Review this product")

    # Sign up from there, and come back to the form.
    form_section.get_by_role("link", name="create an account").click()
    page.wait_for_url(re.compile(r"/account/signup\?"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Name shown with your reviews").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(product_url + "#write-review")
    expect(page.locator(".flash")).to_contain_text(f"Welcome, {name}")
    expect(account.get_by_role("link", name=name)).to_be_visible()
    expect(account.get_by_role("link", name="Sign in")).to_have_count(0)

    # Write the review: stars, headline, text.
    expect(form_section.get_by_role("heading")).to_have_text("Write a review")
    form_section.get_by_label("4 stars").check()
    form_section.get_by_label("Headline").fill("Shimmers in the light")
    form_section.get_by_label("Your review").fill(f"The case is {descriptor} and the sound is clear.")
    form_section.get_by_role("button", name="Publish review").click()
    page.wait_for_url(re.compile(r"/products/\w+#review-\d+$"))
    review_id = page.url.rsplit("#review-", 1)[1]
    expect(page.locator(".flash")).to_contain_text("your review is published")
    own = page.locator(f"#review-{review_id}")
    expect(own).to_have_class(re.compile(r"\bown\b"))
    expect(own).to_contain_text(f"The case is {descriptor}")
    expect(own).to_contain_text(name)
    expect(own).not_to_contain_text("Verified purchase")
    expect(own.get_by_role("button", name=re.compile("^Helpful"))).to_have_count(0)  # not on your own
    assert fits_the_width(page)

    # Find the product through search with the descriptor as wanted: the review is the evidence.
    page.goto("/")
    page.get_by_label("+ Reviews should say").fill(descriptor)
    page.locator("#home-form").get_by_role("button", name="Search").click()
    page.wait_for_url(lambda url: query_of(url).get("pos") == [descriptor])
    expect(page.locator(".result")).to_have_count(1)
    result = page.locator(".result").first
    expect(result.locator(".result-title a")).to_have_text(title)
    evidence = result.locator(".evidence.want")
    expect(evidence).to_contain_text(descriptor)
    expect(evidence.locator("blockquote mark")).to_have_text(re.compile(descriptor, re.I))
    expect(evidence.locator("blockquote")).to_contain_text(f"The case is {descriptor}")
    evidence.get_by_role("link", name="read the review").first.click()
    page.wait_for_url(lambda url: query_of(url).get("review") == [review_id])
    quoted = page.locator(f"#review-{review_id}")
    expect(quoted).to_have_class(re.compile(r"\bquoted\b"))
    expect(quoted).to_contain_text("Quoted in search results")

    # Edit it: the form holds the review; the new text is shown. "Edit" moves to the form on this page
    # and loads nothing (a reload would replace the form while it is being filled in): the form marked
    # before the click is still the one there once the network is quiet.
    form_section.evaluate("form => { form.dataset.before = 'edit'; }")
    quoted.get_by_role("link", name="Edit").click()
    page.wait_for_url(re.compile(r"#write-review$"))
    page.wait_for_load_state("networkidle")
    expect(form_section).to_have_attribute("data-before", "edit")
    expect(form_section.get_by_role("heading")).to_have_text("Edit your review")
    expect(form_section.get_by_label("Your review")).to_have_value(f"The case is {descriptor} and the sound is clear.")
    expect(form_section.get_by_label("4 stars")).to_be_checked()
    form_section.get_by_label("5 stars").check()
    form_section.get_by_label("Your review").fill(f"Still {descriptor}, and after a month the sound is even better.")
    form_section.get_by_role("button", name="Save changes").click()
    page.wait_for_url(re.compile(rf"/products/\w+#review-{review_id}$"))
    expect(page.locator(".flash")).to_contain_text("Your review is updated")
    own = page.locator(f"#review-{review_id}")
    expect(own).to_contain_text("after a month the sound is even better")
    expect(own).not_to_contain_text("The case is")
    expect(own.locator(".stars").first).to_have_attribute("aria-label", re.compile("^5"))

    # Mark another shopper's review helpful: the count goes up by one and the button goes.
    other = (
        page.locator(".review-list .review:not(.own)").filter(has=page.get_by_role("button", name=re.compile("^Helpful"))).first
    )
    other_id = other.get_attribute("id")
    before = helpful_count(other)
    other.get_by_role("button", name=re.compile("^Helpful")).click()
    page.wait_for_url(re.compile(rf"#{other_id}$"))
    other = page.locator(f"#{other_id}")
    expect(other.locator(".helpful-count")).to_have_text(re.compile(rf"^{before + 1:,} (person|people) found this helpful$"))
    expect(other.get_by_role("button", name=re.compile("^Helpful"))).to_have_count(0)
    expect(other).to_contain_text("You found this helpful")

    # Sign out: the header offers signing in again, and the product page's form asks for it.
    account.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(account.get_by_role("link", name="Sign in")).to_be_visible()
    expect(account.get_by_role("link", name=name)).to_have_count(0)
    page.goto(product_url)
    expect(form_section.get_by_role("heading")).to_have_text("Review this product")

    # Sign in again from the header: back on the product page, the review is yours to edit.
    account.get_by_role("link", name="Sign in").click()
    page.wait_for_url(re.compile(r"/account/login\?"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(product_url)
    expect(account.get_by_role("link", name=name)).to_be_visible()
    expect(form_section.get_by_role("heading")).to_have_text("Edit your review")
    account.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(account.get_by_role("link", name="Sign in")).to_be_visible()
    watched.assert_clean()
