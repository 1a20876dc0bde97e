"""Accounts: signing up, signing in, changing the password, deleting an account, moderators.

Views call these; no SQL lives in views. Every method works in the caller's transaction.
"""

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from zope.sqlalchemy import mark_changed

from amazen.locks import share_import_lock
from amazen.models import Product, Review, ReviewVote, User
from amazen.models.accounts import UserSession
from amazen.search.indexer import index_products

from . import passwords

MAX_EMAIL_LENGTH = 254  # the longest address SMTP can deliver to
MAX_DISPLAY_NAME_LENGTH = 50
# An address: something, one @, a domain with a dot; no spaces. Whether it is real only mail could tell.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# A session token: 32 random bytes, URL-safe base64 (43 characters). Anything longer in a cookie is no token.
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 64
# Ended sessions of any account that each sign-in deletes, oldest first: more than the one it adds, so the
# table holds few ended sessions however many accounts never come back.
SESSION_SWEEP_BATCH = 20


class FieldErrors(Exception):
    """What is wrong with a form, one sentence per field."""

    def __init__(self, errors):
        super().__init__(", ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in account as a request sees it: plain values, safe to read after the request's
    transaction has ended (error pages render the header after a rollback)."""

    id: int
    email: str
    display_name: str
    is_moderator: bool

    @classmethod
    def of(cls, user):
        return cls(user.id, user.email, user.display_name, user.is_moderator)


def clean_email(value):
    return (value or "").strip()


def clean_display_name(value):
    # NFC, inner runs of white space as one space: names that look alike are stored alike.
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def has_control_characters(text):
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in text)


def token_hash(token):
    """What user_sessions keeps of a session token: its SHA-256. The token is 256 random bits, so a fast
    hash suffices: nobody can guess a token from its hash, and a stolen table opens no session."""
    return hashlib.sha256(token.encode("ascii")).digest()


class AccountService:
    def __init__(self, session):
        self.session = session

    def by_id(self, user_id):
        return self.session.get(User, user_id)

    def by_email(self, email):
        return self.session.scalars(sa.select(User).where(sa.func.lower(User.email) == clean_email(email).lower())).one_or_none()

    # Signing up and in ------------------------------------------------------------------------------

    def sign_up(self, email, display_name, password):
        """A new account; FieldErrors naming each field that is wrong (``email`` when the address has an
        account already)."""
        email, display_name = clean_email(email), clean_display_name(display_name)
        errors = {}
        if not email:
            errors["email"] = "Enter your email address."
        elif len(email) > MAX_EMAIL_LENGTH or not EMAIL.match(email) or has_control_characters(email):
            errors["email"] = "Enter an email address like name@example.com."
        if not display_name:
            errors["display_name"] = "Enter the name to show with your reviews."
        elif len(display_name) > MAX_DISPLAY_NAME_LENGTH:
            errors["display_name"] = f"Use at most {MAX_DISPLAY_NAME_LENGTH} characters."
        elif has_control_characters(display_name):
            errors["display_name"] = "Use letters, digits, spaces and punctuation only."
        problem = passwords.password_problem(password or "", email=email, display_name=display_name)
        if problem:
            errors["password"] = problem
        if not errors.get("email") and self.by_email(email) is not None:
            errors["email"] = "An account with this email address exists already: sign in instead."
        if errors:
            raise FieldErrors(errors)
        user = User(email=email, display_name=display_name, password_hash=passwords.hash_password(password))
        try:
            with self.session.begin_nested():  # two sign-ups with one address at once: the second is told so
                self.session.add(user)
                self.session.flush()
        except sa.exc.IntegrityError:
            raise FieldErrors({"email": "An account with this email address exists already: sign in instead."}) from None
        return user

    def authenticate(self, email, password):
        """The account these credentials open, or None. An unknown address costs the same time as a
        wrong password. A hash made with older parameters is replaced by one with today's."""
        user = self.by_email(email) if email and len(email) <= MAX_EMAIL_LENGTH else None
        password = (password or "")[: passwords.MAX_LENGTH + 1]
        if not passwords.verify_password(user.password_hash if user else None, password):
            return None
        if passwords.needs_rehash(user.password_hash):
            user.password_hash = passwords.hash_password(password)
            self.session.flush()
        return user

    def change_password(self, user_id, current, new):
        """Set a new password (FieldErrors when the current one is wrong or the new one may not be used)
        and end every session of the account. Returns the user."""
        user = self.session.get(User, user_id, with_for_update=True)
        if not passwords.verify_password(user.password_hash, current or ""):
            raise FieldErrors({"current_password": "That is not your current password."})
        problem = passwords.password_problem(new or "", email=user.email, display_name=user.display_name)
        if problem is None and new == current:
            problem = "Choose a password other than your current one."
        if problem:
            raise FieldErrors({"new_password": problem})
        user.password_hash = passwords.hash_password(new)
        self.end_sessions(user_id)
        self.session.flush()
        return user

    # Sessions ---------------------------------------------------------------------------------------
    # A signed-in browser holds a random token in its signed cookie; user_sessions holds the token's hash.
    # A session lasts while its row does and has been used within ``timeout`` seconds.

    def start_session(self, user_id, *, timeout):
        """A new session for the account: returns its token (for the cookie; the table keeps its hash).
        Deletes the account's ended sessions, and a few ended ones of other accounts, on the way."""
        ended = sa.func.now() - timedelta(seconds=timeout)
        self.session.execute(sa.delete(UserSession).where(UserSession.user_id == user_id, UserSession.last_seen_at < ended))
        oldest_ended = (
            sa.select(UserSession.token_hash)
            .where(UserSession.last_seen_at < ended)
            .order_by(UserSession.last_seen_at)
            .limit(SESSION_SWEEP_BATCH)
            .with_for_update(skip_locked=True)
        )
        self.session.execute(sa.delete(UserSession).where(UserSession.token_hash.in_(oldest_ended)))
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self.session.add(UserSession(token_hash=token_hash(token), user_id=user_id))
        self.session.flush()
        mark_changed(self.session)
        return token

    def user_for_session(self, token, *, timeout, touch_after):
        """The account a session token opens (one lookup by the primary key), or None when the session has
        ended. A session last seen more than ``touch_after`` seconds ago is marked seen now: a write at
        most that often per session, not one per request."""
        if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_LENGTH or not token.isascii():
            return None
        now = sa.func.now()
        found = self.session.execute(
            sa.select(User, UserSession.last_seen_at < now - timedelta(seconds=touch_after))
            .join(UserSession, UserSession.user_id == User.id)
            .where(UserSession.token_hash == token_hash(token), UserSession.last_seen_at >= now - timedelta(seconds=timeout))
        ).one_or_none()
        if found is None:
            return None
        user, stale = found
        if stale:
            self.session.execute(
                sa.update(UserSession).where(UserSession.token_hash == token_hash(token)).values(last_seen_at=now)
            )
            mark_changed(self.session)
        return user

    def end_session(self, token):
        """End one session (signing out); nothing when the token opens none."""
        if isinstance(token, str) and token.isascii():
            self.session.execute(sa.delete(UserSession).where(UserSession.token_hash == token_hash(token)))
            mark_changed(self.session)

    def end_sessions(self, user_id):
        """End every session of the account."""
        self.session.execute(sa.delete(UserSession).where(UserSession.user_id == user_id))
        mark_changed(self.session)

    # Deleting ---------------------------------------------------------------------------------------

    def delete_account(self, user_id, password):
        """Delete the account, its reviews and its votes (FieldErrors when ``password`` is not its
        password); the reviewed products' aggregates and index follow in the same transaction."""
        share_import_lock(self.session)  # amazen.locks: the import lock before any row
        user = self.session.get(User, user_id, with_for_update=True)
        if user is None or not passwords.verify_password(user.password_hash, password or ""):
            raise FieldErrors({"password": "That is not your password."})
        product_ids = self.session.scalars(
            sa.select(Review.product_id).where(Review.user_id == user_id).order_by(Review.product_id)
        ).all()
        # The products' rows first, in id order, as every review writer locks them (no deadlock).
        if product_ids:
            self.session.execute(
                sa.select(Product.id).where(Product.id.in_(product_ids)).order_by(Product.id).with_for_update()
            ).all()
        # Its votes leave the counts they were in.
        voted = sa.select(ReviewVote.review_id).where(ReviewVote.user_id == user_id)
        self.session.execute(
            sa.update(Review).where(Review.id.in_(voted)).values(helpful_votes=sa.func.greatest(Review.helpful_votes - 1, 0))
        )
        # Reviews and votes go with the account (ON DELETE CASCADE); a moderator's hiding stays, unsigned.
        self.session.execute(sa.delete(User).where(User.id == user_id))
        if product_ids:
            index_products(self.session.connection(), product_ids, reviews_only=True)
        mark_changed(self.session)
        self.session.expire_all()
        return len(product_ids)

    # Moderators -------------------------------------------------------------------------------------

    def grant_moderator(self, email):
        """Make the account with this address a moderator; False when there is none."""
        return self.set_moderator(email, True) is not None

    def set_moderator(self, email, moderator):
        """Make the account with this address a moderator or an ordinary account; its address as stored,
        or None when there is none."""
        user = self.by_email(email)
        if user is None:
            return None
        user.is_moderator = moderator
        self.session.flush()
        return user.email
