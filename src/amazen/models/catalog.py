"""The catalog: products, their reviews, and the category tree they sit in."""

from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .meta import Base

# A product belongs to every category on each of its paths (Electronics and Electronics/Headphones), so
# listing a category, subcategories included, is one indexed join.
product_categories = Table(
    "product_categories",
    Base.metadata,
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_product_categories_category_id_product_id", "category_id", "product_id"),
)


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"), index=True)
    # URL segment, unique among siblings; ``path`` joins the slugs from the root ("electronics/headphones").
    slug: Mapped[str] = mapped_column(Text)
    path: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    depth: Mapped[int] = mapped_column(SmallInteger, server_default=sql_text("0"))

    parent: Mapped[Optional["Category"]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Category"]] = relationship(back_populates="parent", order_by="Category.name")


class CategoryStats(Base):
    """What the index rebuild derives of a category (amazen.search.totals): how many products are in it,
    as their product_stats' search_categories say, so that a category's page and the category lists read
    a count rather than count its products on every request. No foreign key, as for product_stats: its
    rows are written with them. A category no indexed product is in has no row, or a row of 0."""

    __tablename__ = "category_stats"

    category_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    products: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price IS NULL OR price >= 0", name="price_not_negative"),
        Index("ix_products_price_id", "price", "id"),
        Index("ix_products_title_id", "title", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asin: Mapped[str] = mapped_column(Text, unique=True)
    # None when no source gave a usable title (a review file without metadata); pages show the asin.
    title: Mapped[Optional[str]] = mapped_column(Text)
    brand: Mapped[Optional[str]] = mapped_column(Text)
    price: Mapped[Optional[Decimal]] = mapped_column(Numeric(12, 2))
    description: Mapped[Optional[str]] = mapped_column(Text)
    features: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=sql_text("'{}'"))
    image_url: Mapped[Optional[str]] = mapped_column(Text)

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    categories: Mapped[list[Category]] = relationship(secondary=product_categories, order_by=Category.depth)
    # Loaded with the product. None only before its first index rebuild, in the transaction that adds it;
    # the properties below then read as a product without reviews.
    stats: Mapped[Optional["ProductStats"]] = relationship(
        primaryjoin="foreign(ProductStats.product_id) == Product.id", lazy="joined", viewonly=True
    )

    @property
    def display_title(self):
        return self.title or f"Product {self.asin}"

    @property
    def review_count(self):
        return self.stats.review_count if self.stats else 0

    @property
    def rating_count(self):
        return self.stats.rating_count if self.stats else 0

    @property
    def rating_average(self):
        return self.stats.rating_average if self.stats else None

    @property
    def histogram(self):
        """Review counts by star, 5 stars first, as pages show them."""
        stats = self.stats
        if stats is None:
            return dict.fromkeys((5, 4, 3, 2, 1), 0)
        return {5: stats.stars_5, 4: stats.stars_4, 3: stats.stars_3, 2: stats.stars_2, 1: stats.stars_1}


class ProductStats(Base):
    """What the index rebuild derives of a product (amazen.search.indexer), never edited by hand: its
    review and rating counts, average and 1-5 histogram as amazen.search.documents.rating_aggregates
    counts them, and its search length and categories. Apart from products, so that an import writes each
    product row once, and the rebuild writes a row here only where a figure changed. No foreign key, as
    for the index tables: its rows are written with them (amazen.search.indexer)."""

    __tablename__ = "product_stats"
    __table_args__ = (
        # The catalog's browse orders (catalog.services.PRODUCT_SORTS), whole: a page is read off the key.
        Index("ix_product_stats_by_reviews", sql_text("review_count DESC"), "product_id"),
        Index(
            "ix_product_stats_by_rating", sql_text("rating_average DESC NULLS LAST"), sql_text("rating_count DESC"), "product_id"
        ),
    )

    product_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # Field-weighted number of words in the product's text, for BM25's length normalisation.
    search_length: Mapped[float] = mapped_column(Float, server_default=sql_text("0"))
    # The ids of every category the product is in (as product_categories says), which the packed index
    # carries with each product's facts so search can filter and count categories.
    search_categories: Mapped[list[int]] = mapped_column(ARRAY(Integer), server_default=sql_text("'{}'"))
    # review_count counts all visible reviews, rating_count those with stars (Hu & Liu's reviews have none).
    review_count: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    rating_count: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    rating_average: Mapped[Optional[float]] = mapped_column(Float)
    stars_1: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    stars_2: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    stars_3: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    stars_4: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    stars_5: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_stars"),
        CheckConstraint("helpful_votes >= 0", name="helpful_votes_not_negative"),
        # One review per reviewer and product: datasets repeat lines, and a re-import must not double count.
        # Its index also finds a product's reviews; pages sort those in memory (a product has thousands at
        # most), which keeps bulk imports fast: every extra index on reviews costs import throughput.
        UniqueConstraint("product_id", "reviewer_id", name="uq_reviews_product_id_reviewer_id"),
        # A review is either imported (a dataset's reviewer id, no account) or written on the site (an
        # account, no reviewer id): imports never match a site review, and the site never edits an imported one.
        CheckConstraint("(reviewer_id IS NULL) <> (user_id IS NULL)", name="imported_or_written"),
        # One review per account and product. Partial: imported reviews (no account) stay out of it, so
        # imports pay nothing for it; it also finds an account's reviews.
        Index(
            "uq_reviews_user_id_product_id",
            "user_id",
            "product_id",
            unique=True,
            postgresql_where=sql_text("user_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    reviewer_id: Mapped[Optional[str]] = mapped_column(Text)  # the dataset's reviewer; None for site reviews
    # The account that wrote it on the site (None for imported reviews); its reviews go with the account.
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reviewer_name: Mapped[Optional[str]] = mapped_column(Text)
    rating: Mapped[Optional[int]] = mapped_column(SmallInteger)  # None: the dataset has no stars
    summary: Mapped[Optional[str]] = mapped_column(Text)
    text: Mapped[Optional[str]] = mapped_column(Text)
    helpful_votes: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    verified: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("false"))
    reviewed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    # Hidden by a moderator: out of pages, search and evidence, kept for its author to see and delete.
    hidden_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    hidden_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    product: Mapped[Product] = relationship()

    @property
    def imported(self):
        return self.user_id is None

    @property
    def hidden(self):
        return self.hidden_at is not None
