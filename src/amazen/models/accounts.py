"""Shopper accounts and the "helpful" votes they cast."""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, Text, func
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
    # Kept in each session at sign-in; a session whose number is not the account's is signed out. Changing
    # the password moves it on, which ends every session of the account at once.
    session_version: Mapped[int] = mapped_column(Integer, server_default=sql_text("1"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ReviewVote(Base):
    """One "helpful" vote of an account on a review; reviews.helpful_votes counts them (and, for imported
    reviews, the votes their dataset had)."""

    __tablename__ = "review_votes"

    review_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
