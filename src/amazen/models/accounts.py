"""Shopper accounts and the "helpful" votes they cast."""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, Text, func
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from .meta import Base


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        # One account per address, whatever its case: "Ann@Example.com" and "ann@example.com" are one.
        Index("ix_users_lower_email", sql_text("lower(email)"), unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(Text)  # as the shopper typed it; looked up by lower(email)
    display_name: Mapped[str] = mapped_column(Text)
    # argon2id, in the PHC string format argon2-cffi writes (parameters and salt included); never the password.
    password_hash: Mapped[str] = mapped_column(Text)
    is_moderator: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("false"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ReviewVote(Base):
    """One "helpful" vote of an account on a review; reviews.helpful_votes counts them (and, for imported
    reviews, the votes their dataset had)."""

    __tablename__ = "review_votes"

    review_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class UserSession(Base):
    """A signed-in session: the browser's cookie holds a random token, this row its SHA-256 (a copy of the
    table opens no session). Deleting the row ends the session whatever the cookie says: signing out
    deletes one, changing the password all of the account's, deleting the account all by cascade."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    # Indexed: every session of an account is found (and deleted) without reading anyone else's.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Moved on at most once per SESSION_REISSUE; a session unused for SESSION_TIMEOUT has ended. Indexed:
    # signing in deletes a few ended sessions of any account, oldest first.
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
