"""Shoppers for functional tests: a browser (a WebTest app with its own cookies) per shopper, signing up
and in through the real forms, and the CSRF token the API wants."""

import itertools
import re
import uuid

import webtest

PASSWORD = "a long and unusual pass phrase"
_addresses = itertools.count(1)


def new_browser(app, extra_environ):
    """A browser of its own (its own cookie jar) on the test's transaction, from an address of its own
    (so abuse limits counted per address do not add up across tests)."""
    n = next(_addresses)
    environ = dict(extra_environ, REMOTE_ADDR=f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}")
    return webtest.TestApp(app, extra_environ=environ)


def unique_email(name="shopper"):
    return f"{name}-{uuid.uuid4().hex[:10]}@example.com"


def form_token(page):
    """The csrf_token of the first form on ``page``."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def api_token(browser):
    return browser.get("/api/session").json["csrf_token"]


def api_headers(browser):
    return {"X-CSRF-Token": api_token(browser)}


def sign_up(browser, email=None, display_name="Test Shopper", password=PASSWORD, next=None):
    email = email or unique_email()
    page = browser.get("/account/signup")
    fields = {"email": email, "display_name": display_name, "password": password, "csrf_token": form_token(page)}
    if next:
        fields["next"] = next
    response = browser.post("/account/signup", fields, status=303)
    return {"email": email, "display_name": display_name, "password": password, "response": response}


def sign_in(browser, email, password=PASSWORD, status=303, next=None):
    page = browser.get("/account/login")
    fields = {"email": email, "password": password, "csrf_token": form_token(page)}
    if next:
        fields["next"] = next
    return browser.post("/account/login", fields, status=status)


def signed_in_user(browser):
    return browser.get("/api/session").json["user"]


def signed_in_browser(app, extra_environ, display_name="Test Shopper"):
    """A new browser, signed up and in as a new account."""
    browser = new_browser(app, extra_environ)
    sign_up(browser, display_name=display_name)
    return browser


def post_review(browser, asin, body, status=201, **kwargs):
    """POST a review as ``browser``'s account through the JSON API, with the session's CSRF token."""
    return browser.post_json(f"/api/products/{asin}/reviews", body, headers=api_headers(browser), status=status, **kwargs)


def make_account(session, display_name="Test Shopper"):
    """A new account made through the service (no HTTP), for tests that write reviews with it."""
    from amazen.accounts.services import AccountService

    return AccountService(session).sign_up(unique_email(), display_name, PASSWORD)
