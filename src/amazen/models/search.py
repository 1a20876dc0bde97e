"""The search index: ordinary tables next to the records they are derived from.

They change in the same transaction as the products and reviews (``amazen.search.index``), so every
app process sees a new review on its next request and no process keeps an index of its own.
"""
from sqlalchemy import ARRAY, BigInteger, Column, Float, ForeignKey, Index, Integer, PrimaryKeyConstraint, SmallInteger, Table, Text

from .meta import Base

# Product text postings: a term (stemmed word, or two adjacent words "batteri life" for phrases) and its
# field-weighted frequency in one product (title counts most; see amazen.search.index.FIELD_WEIGHTS).
product_terms = Table(
    "product_terms",
    Base.metadata,
    Column("term", Text, nullable=False),
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
    Column("tf", Float, nullable=False),
    # The product's search_length, copied here so BM25 needs no join with products.
    Column("length", Float, nullable=False),
    # A term's postings, for BM25, read from the index alone (index-only scans).
    PrimaryKeyConstraint("term", "product_id", postgresql_include=["tf", "length"]),
    Index("ix_product_terms_product_id_term", "product_id", "term"),  # a product's terms (exclusions, rebuilds)
)

# Review evidence: for one term and one product, how many of the product's reviews mention it, how many of
# those positively or negatively ("not comfortable" counts against "comfortable"), the 1-5 star histogram
# of the mentioning reviews, and the reviews to quote (most helpful positive, then negative).
descriptor_evidence = Table(
    "descriptor_evidence",
    Base.metadata,
    Column("term", Text, nullable=False),
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
    Column("mentions", Integer, nullable=False),
    Column("positive", Integer, nullable=False),
    Column("negative", Integer, nullable=False),
    Column("stars", ARRAY(Integer), nullable=False),  # [1-star, 2-star, ..., 5-star] counts
    Column("quote_review_ids", ARRAY(BigInteger), nullable=False),
    PrimaryKeyConstraint("product_id", "term"),  # a product's evidence (result pages, rebuilds)
    # Ranking reads all the evidence for a descriptor as one index range, from the index alone.
    Index("ix_descriptor_evidence_term_product_id", "term", "product_id",
          postgresql_include=["mentions", "positive", "negative", "stars"]),
)

# Global statistics BM25 and the rating prior need, kept in one row so a search does not count products.
search_stats = Table(
    "search_stats",
    Base.metadata,
    Column("id", SmallInteger, primary_key=True),
    Column("documents", Integer, nullable=False),
    Column("average_length", Float, nullable=False),
    Column("mean_rating", Float, nullable=False),
)
