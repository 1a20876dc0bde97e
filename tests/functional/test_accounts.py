"""Accounts: signing up and in, sessions, CSRF, passwords kept safe, moderators."""

import logging
import re

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from amazen.accounts.services import AccountService
from amazen.models import User
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


def test_the_account_page_sends_anonymous_shoppers_to_sign_in_and_back(browser):
    shopper = browser()
    answer = shopper.get("/account/", status=303)
    assert answer.location == "http://example.com/account/login?next=%2Faccount%2F"


def test_changing_the_password_ends_every_other_session(browser):
    account = sign_up(browser())
    laptop, phone = browser(), browser()
    sign_in(laptop, account["email"])
    sign_in(phone, account["email"])
    page = laptop.get("/account/")
    new_password = "another long pass phrase"
    answer = laptop.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": new_password, "csrf_token": form_token(page)},
        status=303,
    )
    assert answer.location == "http://example.com/account/"
    assert signed_in_user(laptop) is not None
    assert signed_in_user(phone) is None
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


def test_the_eleventh_failed_sign_in_from_one_address_is_429(browser):
    shopper = browser()
    for _ in range(10):
        sign_in(shopper, unique_email(), status=200)
    sign_in(shopper, unique_email(), status=429)


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
