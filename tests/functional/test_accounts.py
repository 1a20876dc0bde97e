"""Accounts: signing up and in, sessions, CSRF, passwords kept safe, moderators."""

import hashlib
import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from pyramid.authentication import SessionAuthenticationHelper
from pyramid.request import Request

from amazen.accounts.security import SESSION_REISSUE, SESSION_TIMEOUT
from amazen.accounts.services import AccountService
from amazen.limits import stored_key
from amazen.models import Product, User
from amazen.models.accounts import UserSession
from tests.shoppers import (
    PASSWORD,
    api_headers,
    form_token,
    new_browser,
    sign_in,
    sign_up,
    signed_in_user,
    unique_email,
)


@pytest.fixture
def browser(app, testapp):
    return lambda: new_browser(app, testapp.extra_environ)


def test_sign_up_signs_in_and_goes_back_to_the_page_it_came_from(browser):
    shopper = browser()
    account = sign_up(shopper, display_name="Ann Example", next="/products/?sort=title")
    assert account["response"].location == "http://example.com/products/?sort=title"
    assert signed_in_user(shopper)["display_name"] == "Ann Example"
    page = shopper.get("/")
    assert "Ann Example" in page.text and 'name="csrf-token"' in page.text and "Sign out" in page.text
    assert "Sign in" not in page.html.find(class_="account-nav").text


def test_anonymous_pages_carry_sign_in_links_and_set_no_cookie(browser):
    shopper = browser()
    page = shopper.get("/products/")
    nav = page.html.find(class_="account-nav")
    assert [a.text for a in nav.find_all("a")] == ["Sign in", "Create account"]
    assert nav.find("a")["href"] == "http://example.com/account/login?next=%2Fproducts%2F"
    assert "Set-Cookie" not in page.headers and 'name="csrf-token"' not in page.text


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"password": "short1!"}, "password", "at least 10 characters"),
        ({"password": "qwertyuiop"}, "password", "most common"),
        ({"password": "Password123"}, "password", "most common"),
        ({"email": "not-an-address"}, "email", "like name@example.com"),
        ({"display_name": "  "}, "display_name", "Enter the name"),
        ({"display_name": "x" * 51}, "display_name", "at most 50"),
    ],
)
def test_sign_up_shows_each_error_beside_its_field_and_never_echoes_the_password(browser, fields, field, message):
    shopper = browser()
    page = shopper.get("/account/signup")
    sent = {"email": unique_email(), "display_name": "Ann", "password": PASSWORD, "csrf_token": form_token(page)} | fields
    answer = shopper.post("/account/signup", sent, status=200)
    error = answer.html.find(id=f"f-{field}-error")
    assert error is not None and message in error.text
    assert answer.html.find(id=f"f-{field}")["aria-describedby"].split()[0] == f"f-{field}-error"
    assert sent["password"] not in answer.text
    assert signed_in_user(shopper) is None


def test_an_address_has_one_account_whatever_its_case(browser, dbsession):
    email = unique_email("Case")
    sign_up(browser(), email=email)
    shopper = browser()
    page = shopper.get("/account/signup")
    answer = shopper.post(
        "/account/signup",
        {"email": email.upper(), "display_name": "Other", "password": PASSWORD, "csrf_token": form_token(page)},
        status=200,
    )
    assert "exists already" in answer.html.find(id="f-email-error").text
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(User).where(sa.func.lower(User.email) == email.lower())) == 1
    # Signing in ignores the case too.
    sign_in(browser(), email.upper())


def test_a_wrong_password_is_refused_beside_the_field_and_the_right_one_goes_to_next(browser):
    account = sign_up(browser())
    shopper = browser()
    answer = sign_in(shopper, account["email"], "not the password at all", status=200)
    assert "do not match" in answer.html.find(id="f-password-error").text
    assert answer.html.find(id="f-email")["value"] == account["email"]
    assert "not the password at all" not in answer.text
    assert signed_in_user(shopper) is None
    assert sign_in(shopper, account["email"], next="/categories/").location == "http://example.com/categories/"
    assert signed_in_user(shopper)["display_name"] == account["display_name"]


@pytest.mark.parametrize("next", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_next_never_leaves_the_site(browser, next):
    account = sign_up(browser())
    assert sign_in(browser(), account["email"], next=next).location == "http://example.com/"


def test_the_session_rotates_on_sign_in(browser):
    account = sign_up(browser())
    shopper = browser()
    before_token = form_token(shopper.get("/account/login"))
    before_cookie = shopper.cookies["amazen_session"]
    sign_in(shopper, account["email"])
    assert shopper.cookies["amazen_session"] != before_cookie
    assert api_headers(shopper)["X-CSRF-Token"] != before_token
    # The cookie from before signing in is still nobody's session.
    replay = browser()
    replay.set_cookie("amazen_session", before_cookie)
    assert signed_in_user(replay) is None


def test_the_session_cookie_is_httponly_samesite_lax_and_secure_on_https(browser):
    shopper = browser()
    plain = shopper.get("/account/login").headers["Set-Cookie"]
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "secure" not in plain.lower()
    secure = browser().get("/account/login", extra_environ={"wsgi.url_scheme": "https"}).headers["Set-Cookie"]
    assert "HttpOnly" in secure and "SameSite=Lax" in secure and "; secure" in secure.lower()


def test_sign_out_ends_the_session(browser):
    shopper = browser()
    sign_up(shopper)
    page = shopper.get("/")
    answer = shopper.post("/account/logout", {"csrf_token": form_token(page)}, status=303)
    assert answer.location == "http://example.com/"
    assert signed_in_user(shopper) is None
    assert shopper.get("/account/", status=303).location.startswith("http://example.com/account/login")


def session_token(app, cookie):
    """The session token a session cookie carries (the app's own session factory reads it)."""
    request = Request.blank("/", cookies={"amazen_session": cookie})
    request.registry = app.registry
    return SessionAuthenticationHelper().authenticated_userid(request)


def sessions_of(dbsession, email):
    return dbsession.scalar(
        sa.select(sa.func.count()).select_from(UserSession).join(User).where(sa.func.lower(User.email) == email.lower())
    )


def some_asin(dbsession):
    return dbsession.scalars(sa.select(Product.asin).order_by(Product.asin).limit(1)).one()


def test_a_cookie_copied_before_sign_out_is_anonymous_after_it(browser, dbsession):
    shopper = browser()
    account = sign_up(shopper)
    copy = browser()
    copy.set_cookie("amazen_session", shopper.cookies["amazen_session"])
    headers = api_headers(copy)  # the copy has the session's CSRF token too
    assert signed_in_user(copy)["display_name"] == account["display_name"]
    shopper.post("/account/logout", {"csrf_token": form_token(shopper.get("/"))}, status=303)
    assert sessions_of(dbsession, account["email"]) == 0
    assert signed_in_user(copy) is None
    body = {"rating": 5, "summary": "Copied", "text": "Written with a copied cookie."}
    answer = copy.post_json(f"/api/products/{some_asin(dbsession)}/reviews", body, headers=headers, status=401)
    assert answer.json["error"]["code"]
    assert copy.get("/account/", status=303).location.startswith("http://example.com/account/login")


def test_a_session_unused_longer_than_the_timeout_has_ended(browser, dbsession):
    shopper = browser()
    account = sign_up(shopper)
    seen = sa.update(UserSession).where(UserSession.user_id == User.id, sa.func.lower(User.email) == account["email"].lower())
    dbsession.execute(seen.values(last_seen_at=sa.func.now() - timedelta(seconds=SESSION_TIMEOUT - 60)))
    assert signed_in_user(shopper) is not None
    dbsession.execute(seen.values(last_seen_at=sa.func.now() - timedelta(seconds=SESSION_TIMEOUT + 60)))
    assert signed_in_user(shopper) is None


def test_a_session_is_marked_seen_at_most_once_per_reissue_time(browser, dbsession):
    shopper = browser()
    account = sign_up(shopper)
    row = sa.select(UserSession.last_seen_at).join(User).where(sa.func.lower(User.email) == account["email"].lower())
    seen = sa.update(UserSession).where(UserSession.user_id == User.id, sa.func.lower(User.email) == account["email"].lower())
    recently = dbsession.scalar(sa.select(sa.func.now() - timedelta(seconds=SESSION_REISSUE - 60)))
    dbsession.execute(seen.values(last_seen_at=recently))
    signed_in_user(shopper)
    assert dbsession.scalar(row) == recently  # not written on every request
    long_ago = recently - timedelta(seconds=120)  # older than the reissue time
    dbsession.execute(seen.values(last_seen_at=long_ago))
    signed_in_user(shopper)
    assert dbsession.scalar(row) == dbsession.scalar(sa.select(sa.func.now()))


def test_signing_in_deletes_ended_sessions_its_own_and_a_few_of_others(browser, dbsession):
    account, other = sign_up(browser()), sign_up(browser())
    for email in (account["email"], other["email"]):
        seen = sa.update(UserSession).where(UserSession.user_id == User.id, sa.func.lower(User.email) == email.lower())
        dbsession.execute(seen.values(last_seen_at=sa.func.now() - timedelta(seconds=SESSION_TIMEOUT + 60)))
    sign_in(browser(), account["email"])
    assert sessions_of(dbsession, account["email"]) == 1  # the new one
    assert sessions_of(dbsession, other["email"]) == 0  # swept: ended, of another account


def test_the_session_token_is_kept_in_the_database_only_as_its_hash(app, browser, dbsession):
    shopper = browser()
    account = sign_up(shopper)
    token = session_token(app, shopper.cookies["amazen_session"])
    assert isinstance(token, str) and len(token) >= 40
    stored = dbsession.scalars(
        sa.select(UserSession.token_hash).join(User).where(sa.func.lower(User.email) == account["email"].lower())
    ).all()
    assert stored == [hashlib.sha256(token.encode()).digest()]
    assert [(table, column) for table, column, value in every_text_value(dbsession) if token in value] == []


def test_deleting_the_account_ends_its_sessions_everywhere(browser, dbsession):
    shopper, phone = browser(), browser()
    account = sign_up(shopper)
    sign_in(phone, account["email"])
    assert sessions_of(dbsession, account["email"]) == 2
    user_id = signed_in_user(shopper)["id"]
    page = shopper.get("/account/")
    shopper.post("/account/delete", {"delete_password": PASSWORD, "csrf_token": form_token(page)}, status=303)
    assert signed_in_user(phone) is None
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(UserSession).where(UserSession.user_id == user_id)) == 0


def test_the_account_page_sends_anonymous_shoppers_to_sign_in_and_back(browser):
    shopper = browser()
    answer = shopper.get("/account/", status=303)
    assert answer.location == "http://example.com/account/login?next=%2Faccount%2F"


def test_changing_the_password_ends_every_other_session(browser, dbsession):
    account = sign_up(browser())
    laptop, phone = browser(), browser()
    sign_in(laptop, account["email"])
    sign_in(phone, account["email"])
    laptop_before = laptop.cookies["amazen_session"]
    page = laptop.get("/account/")
    new_password = "another long pass phrase"
    answer = laptop.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": new_password, "csrf_token": form_token(page)},
        status=303,
    )
    assert answer.location == "http://example.com/account/"
    # This browser goes on with a new session; every other one, and a copy of this one's old cookie, ends.
    assert signed_in_user(laptop) is not None
    assert signed_in_user(phone) is None
    old_laptop = browser()
    old_laptop.set_cookie("amazen_session", laptop_before)
    assert signed_in_user(old_laptop) is None
    assert sessions_of(dbsession, account["email"]) == 1
    sign_in(browser(), account["email"], PASSWORD, status=200)
    sign_in(browser(), account["email"], new_password)


def test_a_wrong_current_password_changes_nothing(browser, dbsession):
    shopper = browser()
    account = sign_up(shopper)
    before = dbsession.scalars(sa.select(User.password_hash).where(User.email == account["email"])).one()
    page = shopper.get("/account/")
    answer = shopper.post(
        "/account/password",
        {"current_password": "wrong wrong wrong", "new_password": "another long pass phrase", "csrf_token": form_token(page)},
        status=200,
    )
    assert "not your current password" in answer.html.find(id="f-current_password-error").text
    assert dbsession.scalars(sa.select(User.password_hash).where(User.email == account["email"])).one() == before


@pytest.mark.parametrize("token", [None, "wrong-token"])
@pytest.mark.parametrize(
    "path, fields",
    [
        ("/account/signup", {"email": "csrf@example.com", "display_name": "C", "password": PASSWORD}),
        ("/account/login", {"email": "csrf@example.com", "password": PASSWORD}),
        ("/account/logout", {}),
    ],
)
def test_forms_without_the_sessions_csrf_token_are_refused_with_a_page(browser, path, fields, token, dbsession):
    shopper = browser()
    account = sign_up(shopper)
    if token:
        fields = dict(fields, csrf_token=token)
    answer = shopper.post(path, fields, status=403)
    assert "expired or came from another site" in answer.text and answer.content_type == "text/html"
    assert signed_in_user(shopper)["display_name"] == account["display_name"]
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(User).where(User.email == "csrf@example.com")) == 0


def test_deleting_the_account_needs_its_password(browser, dbsession):
    shopper = browser()
    account = sign_up(shopper)
    page = shopper.get("/account/")
    answer = shopper.post("/account/delete", {"delete_password": "wrong wrong wrong", "csrf_token": form_token(page)}, status=200)
    assert "not your password" in answer.html.find(id="f-delete_password-error").text
    answer = shopper.post("/account/delete", {"delete_password": PASSWORD, "csrf_token": form_token(page)}, status=303)
    assert signed_in_user(shopper) is None
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(User).where(User.email == account["email"])) == 0


def every_text_value(dbsession):
    """Every value of every text-like column of every table, as text."""
    columns = dbsession.execute(
        sa.text(
            "SELECT table_name, column_name FROM information_schema.columns c JOIN information_schema.tables t "
            "USING (table_schema, table_name) WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' "
            "AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea', 'ARRAY')"
        )
    ).all()
    assert ("users", "password_hash") in columns
    for table, column in columns:
        query = f'SELECT "{column}"::text FROM "{table}" WHERE "{column}" IS NOT NULL'
        yield from ((table, column, value) for (value,) in dbsession.execute(sa.text(query)))


def test_no_password_is_kept_in_clear_in_the_database_or_the_logs(browser, dbsession, caplog):
    first, second = "first secret pass phrase", "second secret pass phrase"
    caplog.set_level(logging.DEBUG)
    shopper = browser()
    account = sign_up(shopper, password=first)
    sign_in(browser(), account["email"], "a wrong secret pass phrase", status=200)
    sign_in(browser(), account["email"], first)
    page = shopper.get("/account/")
    shopper.post(
        "/account/password", {"current_password": first, "new_password": second, "csrf_token": form_token(page)}, status=303
    )
    dbsession.flush()
    stored = dbsession.scalars(sa.select(User.password_hash).where(User.email == account["email"])).one()
    assert stored.startswith("$argon2id$") and PasswordHasher().verify(stored, second)
    for password in (first, second, "a wrong secret pass phrase"):
        found = [(table, column) for table, column, value in every_text_value(dbsession) if password in value]
        assert found == []
        assert [r.name for r in caplog.records if password in r.getMessage()] == []


def test_a_hash_with_old_parameters_is_replaced_at_sign_in(browser, dbsession):
    email = unique_email()
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    dbsession.add(User(email=email, display_name="Old", password_hash=weak))
    dbsession.flush()
    sign_in(browser(), email)
    dbsession.expire_all()
    renewed = dbsession.scalars(sa.select(User.password_hash).where(User.email == email)).one()
    assert renewed != weak and not PasswordHasher().check_needs_rehash(renewed)


def test_display_names_are_escaped(browser):
    shopper = browser()
    sign_up(shopper, display_name="<script>alert(1)</script>")
    page = shopper.get("/")
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_the_api_session_says_who_is_signed_in(browser):
    shopper = browser()
    assert signed_in_user(shopper) is None
    sign_up(shopper, display_name="Bea")
    assert signed_in_user(shopper) == {"id": signed_in_user(shopper)["id"], "display_name": "Bea", "moderator": False}


def test_grant_moderator(dbsession):
    accounts = AccountService(dbsession)
    user = accounts.sign_up(unique_email(), "Mo", PASSWORD)
    assert accounts.grant_moderator(user.email.upper()) is True
    assert dbsession.get(User, user.id).is_moderator
    assert accounts.grant_moderator("nobody-" + unique_email()) is False


def test_sign_up_sign_in_and_account_pages_render(browser):
    shopper = browser()
    for path in ("/account/signup", "/account/login", "/account/logout"):
        assert re.search(r"<h1>[^<]+</h1>", shopper.get(path).text)
    sign_up(shopper)
    page = shopper.get("/account/")
    assert "Your reviews" in page.text and "Change your password" in page.text and "Delete your account" in page.text


def test_amazen_user_grants_and_revokes_moderator_and_names_a_missing_account(scratch_url, monkeypatch, capsys):
    from amazen.scripts.users import main as amazen_user
    from tests.conftest import REPO

    monkeypatch.setenv("AMAZEN_DATABASE_URL", scratch_url)
    engine = sa.create_engine(scratch_url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO users (email, display_name, password_hash) VALUES ('Mod@Example.com', 'M', 'x')"))
    config = ["--config", str(REPO / "production.ini")]
    amazen_user([*config, "grant-moderator", "mod@example.COM"])
    assert capsys.readouterr().out == "Mod@Example.com is now a moderator\n"
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT is_moderator FROM users")).scalar() is True
    amazen_user([*config, "revoke-moderator", "Mod@Example.com"])
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT is_moderator FROM users")).scalar() is False
    with pytest.raises(SystemExit) as exit_info:
        amazen_user([*config, "grant-moderator", "nobody@example.com"])
    assert exit_info.value.code == "amazen-user: no account has the email address 'nobody@example.com'"
    engine.dispose()


def test_the_eleventh_sign_in_for_an_email_is_429_even_with_the_right_password(browser):
    account = sign_up(browser())
    for _ in range(10):
        sign_in(browser(), account["email"], "a wrong pass phrase here", status=200)
    answer = sign_in(browser(), account["email"], status=429)
    assert int(answer.headers["Retry-After"]) > 0
    assert signed_in_user(browser()) is None


def test_the_eleventh_sign_in_from_an_address_with_ten_failures_is_429_even_with_the_right_password(browser):
    account = sign_up(browser())
    shopper = browser()
    for _ in range(10):
        sign_in(shopper, unique_email(), status=200)  # no such account: a failure
    answer = sign_in(shopper, account["email"], status=429)
    assert 0 < int(answer.headers["Retry-After"]) <= 900
    sign_in(shopper, unique_email(), status=429)
    assert signed_in_user(shopper) is None


def test_a_right_password_does_not_clear_the_addresss_failures(browser):
    account = sign_up(browser())
    shopper = browser()
    for _ in range(9):
        sign_in(shopper, unique_email(), status=200)
    sign_in(shopper, account["email"])  # an account of the guesser's own
    sign_in(shopper, unique_email(), status=200)  # the tenth failure from this address
    sign_in(shopper, account["email"], status=429)


def test_successful_sign_ins_are_not_counted(browser):
    account = sign_up(browser())
    office = browser()  # many shoppers behind one address
    for _ in range(12):
        sign_in(office, account["email"])
    sign_in(office, account["email"], "a wrong pass phrase here", status=200)
    sign_in(office, account["email"])


def test_a_refused_sign_in_is_not_counted(browser, dbengine):
    account = sign_up(browser())
    for _ in range(10):
        sign_in(browser(), account["email"], "a wrong pass phrase here", status=200)
    for _ in range(3):
        sign_in(browser(), account["email"], "a wrong pass phrase here", status=429)
    with dbengine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT count(*) FROM rate_limit_hits WHERE name = 'signin-email' AND key = :key"),
            {"key": stored_key(account["email"].lower())},
        ).scalar()
    assert stored == 10


def test_failures_for_one_email_do_not_block_another_email_from_another_address(browser):
    locked, other = sign_up(browser()), sign_up(browser())
    attacker = browser()
    for _ in range(10):
        sign_in(attacker, locked["email"], "a wrong pass phrase here", status=200)
    sign_in(attacker, locked["email"], status=429)
    sign_in(browser(), other["email"])


def test_a_right_password_clears_the_emails_failures(browser):
    account = sign_up(browser())
    for _ in range(9):
        sign_in(browser(), account["email"], "a wrong pass phrase here", status=200)
    sign_in(browser(), account["email"])
    for _ in range(9):
        sign_in(browser(), account["email"], "a wrong pass phrase here", status=200)
    sign_in(browser(), account["email"])


def test_sign_ups_from_one_address_are_limited(browser):
    shopper = browser()
    for _ in range(10):
        page = shopper.get("/account/signup")
        fields = {"email": "bad", "display_name": "X", "password": PASSWORD, "csrf_token": form_token(page)}
        shopper.post("/account/signup", fields, status=200)
    page = shopper.get("/account/signup")
    fields = {"email": unique_email(), "display_name": "X", "password": PASSWORD, "csrf_token": form_token(page)}
    shopper.post("/account/signup", fields, status=429)
