"""Write normalised records (``catalog.records``) into the catalog tables.

This is the one place that turns records into rows. It batches inserts, upserts products by asin,
stores a reviewer's review of a product once, and recomputes the rating aggregates of every product it
touched, so the derived counts are right after every load.
"""
import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from amazen.models import Category, Product, Review, product_categories

from .records import ProductRecord, ReviewRecord

PRODUCT_BATCH = 1000
REVIEW_BATCH = 5000


@dataclass
class LoadCounts:
    products: int = 0
    reviews: int = 0
    skipped_reviews: int = 0


def slugify(name):
    """A URL segment for a category name: ASCII, lower case, words joined by hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "category"


class CatalogLoader:
    def __init__(self, conn):
        self.conn = conn
        self.counts = LoadCounts()
        self._category_ids = {}  # path tuple -> id; category trees are small
        self._product_ids = {}  # asin -> id for the products of recent batches
        self._touched = set()
        self._products = []
        self._reviews = []

    def add(self, record):
        if isinstance(record, ProductRecord):
            self._products.append(record)
            if len(self._products) >= PRODUCT_BATCH:
                self._flush_products()
        elif isinstance(record, ReviewRecord):
            self._reviews.append(record)
            if len(self._reviews) >= REVIEW_BATCH:
                self._flush_products()
                self._flush_reviews()
        else:
            raise TypeError(f"not a catalog record: {record!r}")

    def finish(self):
        self._flush_products()
        self._flush_reviews()
        refresh_ratings(self.conn, sorted(self._touched))
        self._touched.clear()
        return self.counts

    def _category_id(self, path):
        if path in self._category_ids:
            return self._category_ids[path]
        parent_id = self._category_id(path[:-1]) if len(path) > 1 else None
        slug_path = "/".join(slugify(name) for name in path)
        stmt = insert(Category).values(
            parent_id=parent_id, slug=slugify(path[-1]), path=slug_path, name=path[-1], depth=len(path) - 1
        )
        # "DO UPDATE" (a no-op) rather than "DO NOTHING" so RETURNING gives the existing row's id too.
        stmt = stmt.on_conflict_do_update(index_elements=["path"], set_={"name": stmt.excluded.name})
        category_id = self.conn.execute(stmt.returning(Category.id)).scalar_one()
        self._category_ids[path] = category_id
        return category_id

    def _flush_products(self):
        if not self._products:
            return
        # The last record for an asin wins, as a later line in a file is the newer one.
        by_asin = {record.asin: record for record in self._products}
        self._products.clear()
        rows = [
            {
                "asin": r.asin,
                "title": r.title,
                "brand": r.brand,
                "price": r.price,
                "description": r.description,
                "features": list(r.features),
                "image_url": r.image_url,
            }
            for r in by_asin.values()
        ]
        stmt = insert(Product)
        stmt = stmt.on_conflict_do_update(
            index_elements=["asin"],
            set_={col: stmt.excluded[col] for col in rows[0] if col != "asin"},
        ).returning(Product.id, Product.asin)
        ids = {asin: pid for pid, asin in self.conn.execute(stmt, rows)}
        if len(self._product_ids) > 100_000:
            self._product_ids.clear()  # keep memory bounded on big imports
        self._product_ids.update(ids)
        self.counts.products += len(ids)

        links = [
            {"product_id": ids[r.asin], "category_id": self._category_id(path[:depth])}
            for r in by_asin.values()
            for path in r.categories
            for depth in range(1, len(path) + 1)
        ]
        if links:
            unique_links = [dict(t) for t in {tuple(link.items()) for link in links}]
            self.conn.execute(insert(product_categories).on_conflict_do_nothing(), unique_links)

    def _lookup_product_ids(self, asins):
        missing = [asin for asin in asins if asin not in self._product_ids]
        if missing:
            found = self.conn.execute(sa.select(Product.asin, Product.id).where(Product.asin.in_(missing)))
            self._product_ids.update(dict(found.all()))

    def _flush_reviews(self):
        if not self._reviews:
            return
        self._lookup_product_ids({r.asin for r in self._reviews})
        rows = {}
        for r in self._reviews:
            product_id = self._product_ids.get(r.asin)
            if product_id is None:
                self.counts.skipped_reviews += 1
                continue
            rows[(product_id, r.reviewer_id)] = {
                "product_id": product_id,
                "reviewer_id": r.reviewer_id,
                "reviewer_name": r.reviewer_name,
                "rating": r.rating,
                "summary": r.summary,
                "text": r.text,
                "helpful_votes": r.helpful_votes,
                "verified": r.verified,
                "reviewed_at": r.reviewed_at,
            }
        self._reviews.clear()
        if not rows:
            return
        stmt = insert(Review)
        stmt = stmt.on_conflict_do_update(
            constraint="uq_reviews_product_id_reviewer_id",
            set_={col: stmt.excluded[col] for col in next(iter(rows.values())) if col not in ("product_id", "reviewer_id")},
        )
        self.conn.execute(stmt, list(rows.values()))
        self.counts.reviews += len(rows)
        self._touched.update(product_id for product_id, _ in rows)


def load_records(conn, records):
    """Load an iterable of records on ``conn`` (inside the caller's transaction); return the counts."""
    loader = CatalogLoader(conn)
    for record in records:
        loader.add(record)
    return loader.finish()


def refresh_ratings(conn, product_ids=None):
    """Recompute rating count, average and 1–5 histogram from the reviews (all products if None)."""
    stars = {f"stars_{n}": sa.func.count().filter(Review.rating == n) for n in range(1, 6)}
    per_product = sa.select(
        Review.product_id,
        sa.func.count().label("rating_count"),
        sa.func.avg(Review.rating).label("rating_average"),
        *(value.label(name) for name, value in stars.items()),
    ).group_by(Review.product_id)
    if product_ids is not None:
        if not product_ids:
            return
        per_product = per_product.where(Review.product_id.in_(product_ids))
    agg = per_product.subquery()
    columns = ["rating_count", "rating_average", *stars]
    conn.execute(
        sa.update(Product)
        .where(Product.id == agg.c.product_id)
        .values({name: agg.c[name] for name in columns})
    )
    # Products whose last review went away fall back to "no ratings".
    no_reviews = sa.update(Product).where(~sa.exists().where(Review.product_id == Product.id))
    if product_ids is not None:
        no_reviews = no_reviews.where(Product.id.in_(product_ids))
    conn.execute(
        no_reviews.where(Product.rating_count != 0).values(
            rating_count=0, rating_average=None, **{name: 0 for name in stars}
        )
    )
