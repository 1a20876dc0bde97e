"""The abuse limits' hits: one row per counted hit, shared by every app process (``amazen.limits``)."""

from sqlalchemy import Column, DateTime, Index, PrimaryKeyConstraint, Table, Text

from .meta import Base

# A hit of ``key`` (an email, a client address, "user:42") under the limit ``name`` ("signin-email",
# "review-write" ...) at the database's clock. A key's hits in a window are one range of the primary key,
# so counting them reads those rows only, however large the table grows; refused hits are not stored, so
# a window never holds more than the limit's ``most`` of them. ``at`` alone is the sweep's index: every
# hit deletes a few rows older than the longest window, so keys that are never seen again do not stay.
rate_limit_hits = Table(
    "rate_limit_hits",
    Base.metadata,
    Column("name", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("name", "key", "at"),
    Index("ix_rate_limit_hits_at", "at"),
)
