"""Queries behind the catalog pages. Views call these; no SQL lives in views or resources."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import aliased, selectinload
from zope.sqlalchemy import mark_changed

from amazen.models import Category, Product, Review, product_categories
from amazen.params import Page
from amazen.search.analyzer import review_mentions
from amazen.search.indexer import index_products

PRODUCT_SORTS = {
    "reviews": (Product.review_count.desc(), Product.id),
    "rating": (Product.rating_average.desc().nulls_last(), Product.rating_count.desc(), Product.id),
    "price_asc": (Product.price.asc().nulls_last(), Product.id),
    "price_desc": (Product.price.desc().nulls_last(), Product.id),
    "title": (Product.title.nulls_last(), Product.id),
}
REVIEW_SORTS = {
    "helpful": (Review.helpful_votes.desc(), Review.id),
    "recent": (Review.reviewed_at.desc().nulls_last(), Review.id),
    "rating_desc": (Review.rating.desc(), Review.helpful_votes.desc(), Review.id),
    "rating_asc": (Review.rating.asc(), Review.helpful_votes.desc(), Review.id),
}


def escape_like(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class CatalogService:
    def __init__(self, session):
        self.session = session

    def _page(self, stmt, page_request):
        """Run ``stmt`` for one page; a page past the end shows the last page instead."""
        total = self.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
        pages = max(1, -(-total // page_request.per_page))
        number = min(page_request.number, pages)
        items = self.session.scalars(stmt.limit(page_request.per_page).offset((number - 1) * page_request.per_page)).all()
        return Page(items=list(items), number=number, per_page=page_request.per_page, total=total)

    # Products ---------------------------------------------------------------------------------------

    def product_by_asin(self, asin):
        return self.session.scalars(
            sa.select(Product).where(Product.asin == asin).options(selectinload(Product.categories))
        ).one_or_none()

    def list_products(self, page_request, sort="reviews", category=None, text=None):
        stmt = sa.select(Product).order_by(*PRODUCT_SORTS[sort])
        if category is not None:
            in_category = sa.select(product_categories.c.product_id).where(product_categories.c.category_id == category.id)
            stmt = stmt.where(Product.id.in_(in_category))
        if text:
            # A substring match of the title or brand; the pattern is escaped and bound.
            pattern = f"%{escape_like(text)}%"
            stmt = stmt.where(sa.or_(Product.title.ilike(pattern), Product.brand.ilike(pattern)))
        return self._page(stmt, page_request)

    def products_by_asins(self, asins):
        """The products with these asins, in the order asked; an asin no product has is left out."""
        found = {p.asin: p for p in self.session.scalars(sa.select(Product).where(Product.asin.in_(list(asins))))}
        return [found[asin] for asin in asins if asin in found]

    def list_reviews(self, product, page_request, sort="helpful", mentioning=None, containing=()):
        """A page of the product's reviews; only those that mention the index term ``mentioning``
        (positively or negatively, as the search index counts them) when given, and only those whose
        summary or text contains every one of the words ``containing`` (case-insensitive substrings)."""
        stmt = sa.select(Review).where(Review.product_id == product.id).order_by(*REVIEW_SORTS[sort])
        if mentioning is not None:
            stmt = stmt.where(Review.id.in_(self._reviews_mentioning(product, mentioning)))
        for word in containing:
            pattern = f"%{escape_like(word)}%"
            stmt = stmt.where(sa.or_(Review.summary.ilike(pattern), Review.text.ilike(pattern)))
        return self._page(stmt, page_request)

    def _reviews_mentioning(self, product, term):
        """Ids of the product's reviews that mention ``term``: the database narrows them down by the
        stems' letters (a stem less its last letter starts every word it comes from: "batteri" ->
        "battery"), the analyzer decides."""
        stmt = sa.select(Review.id, Review.summary, Review.text).where(Review.product_id == product.id)
        for word in term.split(" "):
            pattern = f"%{escape_like(word[: max(2, len(word) - 1)])}%"
            stmt = stmt.where(sa.or_(Review.summary.ilike(pattern), Review.text.ilike(pattern)))
        return [review_id for review_id, summary, text in self.session.execute(stmt) if term in review_mentions(summary, text)]

    def review_of(self, product, review_id):
        """One of the product's reviews, or None (a quoted review that is not this product's)."""
        return self.session.scalars(
            sa.select(Review).where(Review.id == review_id, Review.product_id == product.id)
        ).one_or_none()

    def add_review(self, product, reviewer_id, rating=None, reviewer_name=None, summary=None, text=None):
        """Write a review (a reviewer's second review of a product replaces the first), then bring the
        product's rating aggregates and search index up to date in the same transaction, so the next
        search on any app process finds it."""
        # One writer per product at a time: the next one's statements then see this one's review, so the
        # product's aggregates and the catalog's totals (moved by difference) stay exact.
        self.session.execute(sa.select(Product.id).where(Product.id == product.id).with_for_update())
        values = {
            "reviewer_name": reviewer_name,
            "rating": rating,
            "summary": summary,
            "text": text,
            "reviewed_at": sa.func.now(),
        }
        stmt = insert(Review).values(product_id=product.id, reviewer_id=reviewer_id, **values)
        stmt = stmt.on_conflict_do_update(constraint="uq_reviews_product_id_reviewer_id", set_=values)
        review_id = self.session.execute(stmt.returning(Review.id)).scalar_one()
        index_products(self.session.connection(), [product.id], reviews_only=True)
        mark_changed(self.session)  # raw SQL writes: tell the transaction there is something to commit
        self.session.expire(product)
        return self.session.get(Review, review_id, populate_existing=True)

    def totals(self):
        products = self.session.scalar(sa.select(sa.func.count()).select_from(Product))
        reviews = self.session.scalar(sa.select(sa.func.count()).select_from(Review))
        return products, reviews

    # Categories -------------------------------------------------------------------------------------

    def category_by_path(self, path):
        return self.session.scalars(sa.select(Category).where(Category.path == path)).one_or_none()

    def categories_with_counts(self, parent=None, limit=None):
        """Child categories of ``parent`` (top level if None) with their product counts, largest first."""
        count = sa.func.count(product_categories.c.product_id)
        stmt = (
            sa.select(Category, count)
            .outerjoin(product_categories, product_categories.c.category_id == Category.id)
            .group_by(Category.id)
            .order_by(count.desc(), Category.name)
        )
        if parent is None:
            stmt = stmt.where(Category.parent_id.is_(None))
        else:
            stmt = stmt.where(Category.parent_id == parent.id)
        if limit:
            stmt = stmt.limit(limit)
        return self.session.execute(stmt).all()

    def featured_categories(self, limit=8):
        """The most populated leaf categories (those without children), for the home page."""
        child = aliased(Category)
        count = sa.func.count(product_categories.c.product_id)
        stmt = (
            sa.select(Category, count)
            .join(product_categories, product_categories.c.category_id == Category.id)
            .where(~sa.exists().where(child.parent_id == Category.id))
            .group_by(Category.id)
            .order_by(count.desc(), Category.name)
            .limit(limit)
        )
        return self.session.execute(stmt).all()
