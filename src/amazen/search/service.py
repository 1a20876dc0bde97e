"""Ranking, evidence and facets: the SQL behind /api/search and /search.

The score of a product (see docs/ranking.md for the reasoning):

    score = W_QUERY      * bm25 / (bm25 + RELEVANCE_HALF)                     (0 without a query)
          + W_DESCRIPTOR * sum over wanted descriptors   (positive - negative) / (reviews + EVIDENCE_PRIOR) * stars_factor
          - W_DESCRIPTOR * sum over avoided descriptors  (positive - negative) / (reviews + EVIDENCE_PRIOR) * stars_factor
          + W_RATING     * (bayesian average rating - 1) / 4
          + W_POPULARITY * min(1, ln(1 + reviews) / ln(1 + 1000))

bm25 is Okapi BM25 (k1 = 1.2, b = 0.75) over the field-weighted product text with global statistics
(document frequencies from the postings, product count and average length from search_stats).
Ties break on the product id, so pages are stable.
"""
import html
import math
import re
from dataclasses import dataclass, field

import sqlalchemy as sa

from amazen.models import Category, Review
from amazen.params import InvalidParameter

from .analyzer import fold, sentences, stem

K1 = 1.2
B = 0.75
RELEVANCE_HALF = 5.0  # the bm25 at which query relevance reaches half of its weight
EVIDENCE_PRIOR = 5  # pseudo-reviews that mention nothing: 1 of 1 reviews must not beat 80 of 100
STARS_PRIOR = 2  # pseudo-ratings of 3 stars behind the stars of the mentioning reviews
RATING_PRIOR = 5  # pseudo-ratings at the catalog's mean behind a product's average
W_QUERY = 1.0
W_DESCRIPTOR = 1.0
W_RATING = 0.2
W_POPULARITY = 0.1
FACET_VALUES = 20
PRICE_BUCKETS = ((0, 25), (25, 50), (50, 100), (100, 200), (200, None))
RATING_BUCKETS = (4, 3, 2, 1)

SORT_ORDERS = {
    "relevance": "score DESC, id",
    "price_asc": "price ASC NULLS LAST, score DESC, id",
    "price_desc": "price DESC NULLS LAST, score DESC, id",
    "rating": "rating_average DESC NULLS LAST, rating_count DESC, score DESC, id",
    "reviews": "review_count DESC, score DESC, id",
}

# A descriptor's weight for one product; :pos_terms decides its sign and how stars count.
DESCRIPTOR_SCORE = f"""
SELECT e.product_id,
       sum(CASE WHEN e.term = ANY(:pos_terms) THEN {W_DESCRIPTOR} ELSE -{W_DESCRIPTOR} END
           * (e.positive - e.negative)::float / (f.review_count + {EVIDENCE_PRIOR})
           * CASE WHEN e.term = ANY(:pos_terms) THEN 0.5 + (stars_mean - 1) / 4 ELSE 0.5 + (5 - stars_mean) / 4 END
       ) AS descriptors
FROM descriptor_evidence e
JOIN filtered f ON f.id = e.product_id
CROSS JOIN LATERAL (
    SELECT (e.stars[1] + 2 * e.stars[2] + 3 * e.stars[3] + 4 * e.stars[4] + 5 * e.stars[5] + 3.0 * {STARS_PRIOR})
           / (e.stars[1] + e.stars[2] + e.stars[3] + e.stars[4] + e.stars[5] + {STARS_PRIOR}) AS stars_mean
) s
WHERE e.term = ANY(:descriptor_terms)
GROUP BY e.product_id
"""

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


@dataclass
class Evidence:
    descriptor: str
    polarity: str
    mentions: int = 0
    share: float = 0.0
    positive: int = 0
    negative: int = 0
    stars: list = field(default_factory=lambda: [0, 0, 0, 0, 0])
    avg_stars: float = None
    quotes: list = field(default_factory=list)  # [{"text" (HTML), "review_id"}]


@dataclass
class Result:
    product_id: int
    asin: str
    title: str
    brand: str
    price: object
    rating: float
    review_count: int
    image_url: str
    score: float
    components: dict
    evidence: list


@dataclass
class SearchResults:
    request: object
    total: int
    page: int
    per_page: int
    results: list
    facets: dict
    unknown_terms: list
    message: str = None

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))


class SearchService:
    def __init__(self, session):
        self.session = session

    def _all(self, sql, params):
        return self.session.execute(sa.text(sql), params).all()

    def search(self, request):
        stats = self.session.execute(
            sa.text("SELECT documents, average_length, mean_rating FROM search_stats WHERE id = 1")
        ).first()
        documents, average_length, mean_rating = stats if stats else (0, 0.0, 3.0)

        # Query terms the catalog never uses are reported, and left out of the match.
        frequencies = dict(self._all(
            "SELECT term, count(*) FROM product_terms WHERE term = ANY(:terms) GROUP BY term",
            {"terms": request.query.terms},
        )) if request.query.terms else {}
        unknown = [surface for term, surface in request.query.required if term not in frequencies]
        known_terms = [term for term in request.query.terms if term in frequencies]
        descriptor_terms = [d.term for d in request.descriptors]
        described = set(self.session.execute(
            sa.text("SELECT t FROM unnest(CAST(:terms AS text[])) t WHERE EXISTS (SELECT 1 FROM descriptor_evidence WHERE term = t)"),
            {"terms": descriptor_terms},
        ).scalars()) if descriptor_terms else set()
        unknown += [d.text for d in request.descriptors if d.term not in described]
        unknown = list(dict.fromkeys(unknown))

        params = {
            "terms": known_terms,
            "idfs": [math.log(1 + (documents - frequencies[t] + 0.5) / (frequencies[t] + 0.5)) for t in known_terms],
            "n_terms": len(known_terms),
            "excluded": [term for term, _ in request.query.excluded],
            "pos_terms": [d.term for d in request.positive],
            "descriptor_terms": descriptor_terms,
            "average_length": max(average_length, 1.0),
            "mean_rating": mean_rating,
        }
        filters, filter_params = self._filters(request)
        params.update(filter_params)
        nothing_to_match = bool(request.query.terms) and not known_terms

        if nothing_to_match:
            total, rows = 0, []
        else:
            sql = self._ranked_sql(request, filters, params) + (
                f" ORDER BY {SORT_ORDERS[request.sort]} LIMIT :limit OFFSET :offset"
            )
            params["limit"] = request.per_page
            params["offset"] = (request.page - 1) * request.per_page
            rows = self._all(sql, params)
            total = rows[0].total if rows else self._count(filters, params, request)
        results = [self._result(row) for row in rows]
        self._attach_evidence(request, results)
        facets = self._facets(request, params, nothing_to_match)
        return SearchResults(
            request=request, total=total, page=request.page, per_page=request.per_page, results=results,
            facets=facets, unknown_terms=unknown, message=self._message(request, total, unknown, known_terms),
        )

    # SQL ----------------------------------------------------------------------------------------

    def _filters(self, request, without=None):
        """SQL conditions on ``p`` (products) for the request's filters, leaving out ``without``."""
        conditions, params = [], {}
        if request.category and without != "category":
            category_id = self.session.scalar(sa.select(Category.id).where(Category.path == request.category))
            if category_id is None:
                raise InvalidParameter("category", f"no category {request.category!r}")
            conditions.append(
                "EXISTS (SELECT 1 FROM product_categories pc WHERE pc.product_id = p.id AND pc.category_id = :category_id)"
            )
            params["category_id"] = category_id
        if request.brand and without != "brand":
            conditions.append("lower(p.brand) = lower(:brand)")
            params["brand"] = request.brand
        if without != "price":
            if request.price_min is not None:
                conditions.append("p.price >= :price_min")
                params["price_min"] = request.price_min
            if request.price_max is not None:
                conditions.append("p.price <= :price_max")
                params["price_max"] = request.price_max
        if request.rating_min is not None and without != "rating":
            conditions.append("p.rating_average >= :rating_min")
            params["rating_min"] = request.rating_min
        return conditions, params

    def _candidates_sql(self, request, params):
        """Products that match: every known query term (with BM25), else any wanted descriptor, else all."""
        if params["n_terms"]:
            sql = f"""
                SELECT pt.product_id AS id,
                       sum(q.idf * pt.tf * {K1 + 1} / (pt.tf + {K1} * (1 - {B} + {B} * p.search_length / :average_length))) AS bm25
                FROM unnest(CAST(:terms AS text[]), CAST(:idfs AS float[])) AS q(term, idf)
                JOIN product_terms pt ON pt.term = q.term
                JOIN products p ON p.id = pt.product_id
                GROUP BY pt.product_id HAVING count(*) = :n_terms
            """
        elif params["pos_terms"]:
            sql = "SELECT DISTINCT product_id AS id, 0.0::float8 AS bm25 FROM descriptor_evidence WHERE term = ANY(:pos_terms)"
        else:
            sql = "SELECT id, 0.0::float8 AS bm25 FROM products"
        return sql

    def _filtered_sql(self, request, params, filters):
        conditions = list(filters)
        if params["excluded"]:
            conditions.append(
                "NOT EXISTS (SELECT 1 FROM product_terms x WHERE x.product_id = p.id AND x.term = ANY(:excluded))"
            )
        where = " AND ".join(conditions) or "TRUE"
        return f"""
            SELECT p.id, c.bm25, p.asin, p.title, p.brand, p.price, p.rating_average, p.rating_count,
                   p.review_count, p.image_url
            FROM ({self._candidates_sql(request, params)}) c JOIN products p ON p.id = c.id
            WHERE {where}
        """

    def _ranked_sql(self, request, filters, params):
        descriptors = DESCRIPTOR_SCORE if params["descriptor_terms"] else "SELECT NULL::int AS product_id, 0.0::float8 AS descriptors WHERE FALSE"
        return f"""
            WITH filtered AS MATERIALIZED ({self._filtered_sql(request, params, filters)}),
            described AS ({descriptors}),
            scored AS (
                SELECT f.*,
                       ({W_QUERY} * f.bm25 / (f.bm25 + {RELEVANCE_HALF}))::float8 AS relevance,
                       COALESCE(d.descriptors, 0.0)::float8 AS descriptors,
                       ({W_RATING} * (({RATING_PRIOR} * :mean_rating + COALESCE(f.rating_average, 0) * f.rating_count)
                                      / ({RATING_PRIOR} + f.rating_count) - 1) / 4)::float8 AS rating_prior,
                       ({W_POPULARITY} * LEAST(1.0, ln(1 + f.review_count) / ln(1001)))::float8 AS popularity
                FROM filtered f LEFT JOIN described d ON d.product_id = f.id
            )
            SELECT *, relevance + descriptors + rating_prior + popularity AS score, count(*) OVER () AS total
            FROM scored
        """

    def _count(self, filters, params, request):
        return self.session.execute(
            sa.text(f"SELECT count(*) FROM ({self._filtered_sql(request, params, filters)}) f"), params
        ).scalar()

    # Results and evidence ----------------------------------------------------------------------

    def _result(self, row):
        score = row.relevance + row.descriptors + row.rating_prior + row.popularity
        return Result(
            product_id=row.id, asin=row.asin, title=row.title or f"Product {row.asin}", brand=row.brand,
            price=row.price, rating=row.rating_average, review_count=row.review_count, image_url=row.image_url,
            score=round(score, 6),
            components={
                "bm25": round(float(row.bm25), 6), "relevance": round(row.relevance, 6),
                "descriptors": round(row.descriptors, 6), "rating_prior": round(row.rating_prior, 6),
                "popularity": round(row.popularity, 6),
            },
            evidence=[],
        )

    def _attach_evidence(self, request, results):
        if not results or not request.descriptors:
            return
        rows = self._all(
            "SELECT product_id, term, mentions, positive, negative, stars, quote_review_ids FROM descriptor_evidence "
            "WHERE product_id = ANY(:ids) AND term = ANY(:terms)",
            {"ids": [r.product_id for r in results], "terms": [d.term for d in request.descriptors]},
        )
        found = {(row.product_id, row.term): row for row in rows}
        quote_ids = {i for row in rows for i in row.quote_review_ids}
        reviews = {
            review.id: review
            for review in self.session.scalars(sa.select(Review).where(Review.id.in_(quote_ids)))
        } if quote_ids else {}
        for result in results:
            for descriptor in request.descriptors:
                evidence = Evidence(descriptor=descriptor.text, polarity=descriptor.polarity)
                row = found.get((result.product_id, descriptor.term))
                if row is not None:
                    rated = sum(row.stars)
                    evidence.mentions, evidence.positive, evidence.negative = row.mentions, row.positive, row.negative
                    evidence.share = round(row.mentions / result.review_count, 4) if result.review_count else 0.0
                    evidence.stars = list(row.stars)
                    evidence.avg_stars = (
                        round(sum((i + 1) * n for i, n in enumerate(row.stars)) / rated, 2) if rated else None
                    )
                    for review_id in row.quote_review_ids:
                        review = reviews.get(review_id)
                        text = review and quote(review.summary, review.text, descriptor.term)
                        if text:
                            evidence.quotes.append({"text": text, "review_id": review_id})
                result.evidence.append(evidence)

    # Facets -----------------------------------------------------------------------------------

    def _facets(self, request, params, nothing_to_match):
        """Exact counts for the current query; each facet applies every filter but its own."""
        if nothing_to_match:
            return {"category": [], "brand": [], "price": [], "rating": []}

        def over(without):
            filters, extra = self._filters(request, without=without)
            return self._filtered_sql(request, params, filters), {**params, **extra}

        sql, values = over(None)
        parent = self.session.scalar(sa.select(Category.id).where(Category.path == request.category)) if request.category else None
        categories = self._all(
            f"""SELECT c.path, c.name, count(*) AS n FROM ({sql}) f
                JOIN product_categories pc ON pc.product_id = f.id JOIN categories c ON c.id = pc.category_id
                WHERE c.parent_id IS NOT DISTINCT FROM :parent GROUP BY c.path, c.name ORDER BY n DESC, c.name LIMIT {FACET_VALUES}""",
            {**values, "parent": parent},
        )
        sql, values = over("brand")
        brands = self._all(
            f"""SELECT f.brand, count(*) AS n FROM ({sql}) f WHERE f.brand IS NOT NULL
                GROUP BY f.brand ORDER BY n DESC, f.brand LIMIT {FACET_VALUES}""",
            values,
        )
        sql, values = over("price")
        buckets = ", ".join(
            f"count(*) FILTER (WHERE f.price >= {low}" + (f" AND f.price < {high})" if high else ")")
            for low, high in PRICE_BUCKETS
        )
        price_counts = self.session.execute(sa.text(f"SELECT {buckets} FROM ({sql}) f"), values).one()
        sql, values = over("rating")
        stars = ", ".join(f"count(*) FILTER (WHERE f.rating_average >= {low})" for low in RATING_BUCKETS)
        rating_counts = self.session.execute(sa.text(f"SELECT {stars} FROM ({sql}) f"), values).one()
        return {
            "category": [{"value": path, "name": name, "count": n} for path, name, n in categories],
            "brand": [{"value": brand, "count": n} for brand, n in brands],
            "price": [
                {"min": low, "max": high, "count": n} for (low, high), n in zip(PRICE_BUCKETS, price_counts)
            ],
            "rating": [{"min": low, "count": n} for low, n in zip(RATING_BUCKETS, rating_counts)],
        }

    def _message(self, request, total, unknown, known_terms):
        if unknown and request.query.terms and not known_terms:
            return f"No product mentions {', '.join(repr(u) for u in unknown)}. Check the spelling or try other words."
        if unknown:
            return f"No product or review mentions {', '.join(repr(u) for u in unknown)}; it was left out."
        if total == 0:
            return "No products match all of that. Try fewer words, remove a filter or a descriptor."
        return None


def quote(summary, text, term):
    """The first sentence of a review that contains ``term``, HTML-escaped, its words in <mark>.

    None if no sentence has it (the review changed since it was indexed).
    """
    from .analyzer import analyze, phrases

    words = set(term.split(" "))
    for sentence in ([summary] if summary else []) + sentences(text):
        analysed = analyze(sentence)
        if term not in {t.term for t in analysed} | {t.term for t in phrases(analysed)}:
            continue
        out, last = [], 0
        for match in WORD.finditer(sentence):
            if stem(fold(match.group()).replace("'", "")) in words:
                out.append(html.escape(sentence[last:match.start()]))
                out.append(f"<mark>{html.escape(match.group())}</mark>")
                last = match.end()
        out.append(html.escape(sentence[last:]))
        return "".join(out)
    return None
