"""Queries behind the catalog pages. Views call these; no SQL lives in views or resources."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import aliased, contains_eager, selectinload
from zope.sqlalchemy import mark_changed

from amazen.locks import share_import_lock
from amazen.models import Category, CategoryStats, Product, ProductStats, Review, ReviewVote, product_categories
from amazen.params import Page
from amazen.search.analyzer import review_mentions
from amazen.search.indexer import index_products

PRODUCT_SORTS = {
    "reviews": (ProductStats.review_count.desc(), ProductStats.product_id),
    "rating": (ProductStats.rating_average.desc().nulls_last(), ProductStats.rating_count.desc(), ProductStats.product_id),
    "price_asc": (Product.price.asc().nulls_last(), Product.id),
    "price_desc": (Product.price.desc().nulls_last(), Product.id),
    "title": (Product.title.nulls_last(), Product.id),
}
# Pages, search and evidence show only the reviews no moderator has hidden.
VISIBLE = Review.hidden_at.is_(None)
REVIEW_SORTS = {
    "helpful": (Review.helpful_votes.desc(), Review.id),
    "recent": (Review.reviewed_at.desc().nulls_last(), Review.id),
    "rating_desc": (Review.rating.desc(), Review.helpful_votes.desc(), Review.id),
    "rating_asc": (Review.rating.asc(), Review.helpful_votes.desc(), Review.id),
}
# ?say=: the most candidate reviews one page reads with the analyzer, and the fewest it fetches at once.
MAX_MENTION_READ = 1_000
MENTION_BATCH = 20


def escape_like(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class CatalogService:
    def __init__(self, session):
        self.session = session

    def _page(self, stmt, page_request, total=None):
        """Run ``stmt`` for one page; a page past the end shows the last page instead. ``total``: how many
        rows ``stmt`` has, when known without counting them."""
        if total is None:
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
        # Joined, not outer joined: every indexed product has its stats, and the browse orders are their keys.
        stmt = sa.select(Product).join(Product.stats).options(contains_eager(Product.stats)).order_by(*PRODUCT_SORTS[sort])
        if category is not None:
            in_category = sa.select(product_categories.c.product_id).where(product_categories.c.category_id == category.id)
            stmt = stmt.where(Product.id.in_(in_category))
        if text:
            # A substring match of the title or brand; the pattern is escaped and bound.
            pattern = f"%{escape_like(text)}%"
            stmt = stmt.where(sa.or_(Product.title.ilike(pattern), Product.brand.ilike(pattern)))
        # Without a text filter, the count the index keeps (of every product, or of the category's) rather
        # than a count of the rows.
        total = None
        if not text:
            total = self.totals()[0] if category is None else self.category_products(category)
        return self._page(stmt, page_request, total=total)

    def products_by_asins(self, asins):
        """The products with these asins, in the order asked; an asin no product has is left out."""
        found = {p.asin: p for p in self.session.scalars(sa.select(Product).where(Product.asin.in_(list(asins))))}
        return [found[asin] for asin in asins if asin in found]

    def list_reviews(self, product, page_request, sort="helpful", mentioning=None, containing=()):
        """A page of the product's reviews; only those that mention the index term ``mentioning``
        (positively or negatively, as the search index counts them) when given, and only those whose
        summary or text contains every one of the words ``containing`` (case-insensitive substrings)."""
        stmt = sa.select(Review).where(Review.product_id == product.id, VISIBLE).order_by(*REVIEW_SORTS[sort])
        for word in containing:
            pattern = f"%{escape_like(word)}%"
            stmt = stmt.where(sa.or_(Review.summary.ilike(pattern), Review.text.ilike(pattern)))
        if mentioning is not None:
            return self._reviews_mentioning(product, stmt, page_request, mentioning, counted=not containing)
        # All of them: the product's review count (the visible ones, as the index counts them).
        return self._page(stmt, page_request, total=None if containing else product.review_count)

    def _reviews_mentioning(self, product, stmt, page_request, term, counted):
        """The page of ``stmt``'s reviews that mention ``term``, with a bounded read: the database narrows
        them down by the stems' letters (a stem less its last letter starts every word it comes from:
        "batteri" -> "battery") in the page's order, and the analyzer reads those candidates only until
        the page is full, never more than MAX_MENTION_READ of them. The total is the index's count of the
        product's mentions (``counted``: ``stmt`` has no other filter), else the matches the read found."""
        for word in term.split(" "):
            pattern = f"%{escape_like(word[: max(2, len(word) - 1)])}%"
            stmt = stmt.where(sa.or_(Review.summary.ilike(pattern), Review.text.ilike(pattern)))
        if counted:
            total = self.session.scalar(
                sa.text("SELECT mentions FROM descriptor_evidence WHERE product_id = :id AND term = :term"),
                {"id": product.id, "term": term},
            )
            total = total or 0
            number = min(page_request.number, max(1, -(-total // page_request.per_page)))
            wanted = number * page_request.per_page
        else:
            wanted = MAX_MENTION_READ  # the total is the read's: read all it may
        candidates = stmt.with_only_columns(Review.id, Review.summary, Review.text)
        found, read = [], 0
        while len(found) < wanted and read < MAX_MENTION_READ:
            batch = min(max(wanted - len(found), MENTION_BATCH), MAX_MENTION_READ - read)
            rows = self.session.execute(candidates.limit(batch).offset(read)).all()
            read += len(rows)
            found += [review_id for review_id, summary, text in rows if term in review_mentions(summary, text)]
            if len(rows) < batch:
                break
        if not counted:
            total = len(found)
            number = min(page_request.number, max(1, -(-total // page_request.per_page)))
        ids = found[(number - 1) * page_request.per_page : number * page_request.per_page]
        by_id = {review.id: review for review in self.session.scalars(sa.select(Review).where(Review.id.in_(ids)))}
        items = [by_id[review_id] for review_id in ids]
        return Page(items=items, number=number, per_page=page_request.per_page, total=total)

    def review_of(self, product, review_id):
        """One of the product's reviews, or None (a quoted review that is not this product's)."""
        return self.session.scalars(
            sa.select(Review).where(Review.id == review_id, Review.product_id == product.id, VISIBLE)
        ).one_or_none()

    # Writing reviews ---------------------------------------------------------------------------------
    # Every writer first takes the import lock's shared side, refused at once (CatalogBusy) while an import
    # or reindex runs, then its product's row lock (amazen.locks: the lock order): the next writer of the
    # product then sees this one's review, so the product's aggregates and the catalog's totals (moved by
    # difference) stay exact. Then the product's index is rebuilt in the same transaction, so the next
    # search on any app process sees the change.

    def _lock_product(self, product_id):
        share_import_lock(self.session)
        self.session.execute(sa.select(Product.id).where(Product.id == product_id).with_for_update())

    def _reindex(self, product_id):
        index_products(self.session.connection(), [product_id], reviews_only=True)
        mark_changed(self.session)  # raw SQL writes: tell the transaction there is something to commit
        self.session.expire_all()

    def write_review(self, product, author, rating, summary, text):
        """The ``author``'s review of ``product`` (an account: ``id`` and ``display_name``): written, or,
        when they have one already, edited (an edit clears its helpful votes). Returns (review, created)."""
        self._lock_product(product.id)
        existing = self.own_review(product, author.id)
        if existing is not None:
            return self.edit_review(existing, rating=rating, summary=summary, text=text, locked=True), False
        review = Review(
            product_id=product.id,
            user_id=author.id,
            reviewer_name=author.display_name,
            rating=rating,
            summary=summary,
            text=text,
            verified=False,  # the site knows nothing of purchases
            reviewed_at=sa.func.now(),
        )
        self.session.add(review)
        self.session.flush()
        review_id = review.id
        self._reindex(product.id)
        return self.session.get(Review, review_id), True

    def edit_review(self, review, *, locked=False, **changes):
        """Change a site review's ``rating``, ``summary`` and ``text`` (those given); its helpful votes
        start again from none, since they were for the old text. A hidden review stays hidden."""
        if review.user_id is None:
            raise ValueError("imported reviews are not edited on the site")
        if not locked:
            self._lock_product(review.product_id)
        review_id, product_id = review.id, review.product_id
        values = {name: changes[name] for name in ("rating", "summary", "text") if name in changes}
        self.session.execute(
            sa.update(Review).where(Review.id == review_id).values(**values, helpful_votes=0, reviewed_at=sa.func.now())
        )
        self.session.execute(sa.delete(ReviewVote).where(ReviewVote.review_id == review_id))
        self._reindex(product_id)
        return self.session.get(Review, review_id)

    def delete_review(self, review):
        if review.user_id is None:
            raise ValueError("imported reviews are not deleted on the site")
        review_id, product_id = review.id, review.product_id
        self._lock_product(product_id)
        self.session.execute(sa.delete(Review).where(Review.id == review_id))
        self._reindex(product_id)

    def hide_review(self, review, moderator):
        """Take a review out of pages, search and evidence (a moderator's decision); hiding a hidden
        review changes nothing."""
        if review.hidden_at is not None:
            return review
        review_id, product_id = review.id, review.product_id
        self._lock_product(product_id)
        self.session.execute(
            sa.update(Review)
            .where(Review.id == review_id, Review.hidden_at.is_(None))
            .values(hidden_at=sa.func.now(), hidden_by=moderator.id)
        )
        self._reindex(product_id)
        return self.session.get(Review, review_id)

    def vote_helpful(self, review, voter):
        """Count ``voter``'s "helpful" vote on ``review``: the new count, or None when they have voted on
        it already. (Who may vote is the review's ACL: not its author.)"""
        share_import_lock(self.session)  # an import may be rewriting the review's row
        voted = self.session.execute(
            insert(ReviewVote)
            .values(review_id=review.id, user_id=voter.id)
            .on_conflict_do_nothing()
            .returning(ReviewVote.review_id)
        ).first()
        if voted is None:
            return None
        count = self.session.execute(
            sa.update(Review)
            .where(Review.id == review.id)
            .values(helpful_votes=Review.helpful_votes + 1)
            .returning(Review.helpful_votes)
        ).scalar_one()
        self.session.expire(review)
        return count

    # Reviews by id and by account ---------------------------------------------------------------------

    def review_by_id(self, review_id):
        """A review, hidden or not (its ACL decides who may do what with it)."""
        return self.session.get(Review, review_id)

    def own_review(self, product, user_id):
        """The account's review of ``product`` (hidden or not), or None."""
        return self.session.scalars(
            sa.select(Review).where(Review.product_id == product.id, Review.user_id == user_id)
        ).one_or_none()

    def reviews_by_user(self, user_id):
        """The account's reviews with their products, newest first."""
        return self.session.scalars(
            sa.select(Review)
            .where(Review.user_id == user_id)
            .options(selectinload(Review.product))
            .order_by(Review.reviewed_at.desc(), Review.id.desc())
        ).all()

    def voted_on(self, user_id, review_ids):
        """Which of ``review_ids`` the account has voted helpful."""
        if not review_ids:
            return set()
        return set(
            self.session.scalars(
                sa.select(ReviewVote.review_id).where(ReviewVote.user_id == user_id, ReviewVote.review_id.in_(list(review_ids)))
            )
        )

    def totals(self):
        """(products, reviews no moderator has hidden): the totals the index keeps exact
        (amazen.search.totals), one row rather than a count of every product and review."""
        row = self.session.execute(sa.text("SELECT documents, reviews FROM search_stats WHERE id = 1")).first()
        return (row.documents, row.reviews) if row else (0, 0)

    # Categories -------------------------------------------------------------------------------------

    def category_by_path(self, path):
        return self.session.scalars(sa.select(Category).where(Category.path == path)).one_or_none()

    def category_products(self, category):
        """How many products are in ``category``, as the index counts them (amazen.search.totals)."""
        count = self.session.scalar(sa.select(CategoryStats.products).where(CategoryStats.category_id == category.id))
        return count or 0

    def categories_with_counts(self, parent=None, limit=None):
        """Child categories of ``parent`` (top level if None) with their product counts, largest first."""
        count = sa.func.coalesce(CategoryStats.products, 0)
        stmt = (
            sa.select(Category, count)
            .outerjoin(CategoryStats, CategoryStats.category_id == Category.id)
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
        stmt = (
            sa.select(Category, CategoryStats.products)
            .join(CategoryStats, CategoryStats.category_id == Category.id)
            .where(CategoryStats.products > 0, ~sa.exists().where(child.parent_id == Category.id))
            .order_by(CategoryStats.products.desc(), Category.name)
            .limit(limit)
        )
        return self.session.execute(stmt).all()
