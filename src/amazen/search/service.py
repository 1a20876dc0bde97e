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
from dataclasses import dataclass, field, replace

import sqlalchemy as sa

from amazen.models import Review
from amazen.models.catalog import SEARCH_FACTS
from amazen.models.search import QUOTES_ARRAY, STARS_ARRAY
from amazen.params import InvalidParameter

from . import ranking
from .analyzer import WORD, analyze_query_words, sentences, uses_term, word_stem
from .query import parse_query, query_parts, respell, spelled_words, without_part
from .spelling import correction

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
WORK_MEM = "64MB"  # per sort or hash of one ranking statement
MAX_RELAXATIONS = 5  # what-to-drop hints on a search that finds nothing
MAX_RELAXATION_TRIES = 10  # parts tried (one counting statement each)
SKIP_THROUGH_RATIO = 4  # a query term this many times as common as the rarest is read at its products only
SKIP_THROUGH_CATEGORY = 2  # descriptors alone: their ranges are read at the category's products only when
                           # they hold this many times as many rows as the category has products

# The products of the category filter (and its subcategories) as one sorted array, for ``id = ANY(...)``.
IN_CATEGORY = "ANY(ARRAY(SELECT product_id FROM product_categories WHERE category_id = :category_id ORDER BY product_id))"

SORT_ORDERS = {
    "relevance": "score DESC, id",
    "price_asc": "price ASC NULLS LAST, score DESC, id",
    "price_desc": "price DESC NULLS LAST, score DESC, id",
    "rating": "rating_average DESC NULLS LAST, rating_count DESC, score DESC, id",
    "reviews": "review_count DESC, score DESC, id",
}



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
    did_you_mean: dict = None  # {"query", "total"}
    top_ids: list = field(default_factory=list)  # the first ``top`` matches' ids, when asked for

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))


class SearchService:
    def __init__(self, session, packed=True):
        # ``packed``: rank over the packed index (ranking.py), as the app does. False: with the SQL statement
        # below, the reference that the packed ranking is tested and benchmarked against. It reads a term's
        # rows by term, and the rows are keyed by product: on a large catalog it needs keys by term
        # (benchmarks/packed_ranking.py adds them while it runs).
        self.session = session
        self.packed = packed

    def _all(self, sql, params):
        return self.session.execute(sa.text(sql), params).all()

    def _plan(self, request):
        """The ranking statement's parameters, the words nothing uses, and how many products use each
        query term. ``params`` is None when nothing can match (only unknown query words)."""
        stats = self.session.execute(
            sa.text("SELECT documents, average_length, mean_rating FROM search_stats WHERE id = 1")
        ).first()
        documents, average_length, mean_rating = stats if stats else (0, 0.0, 3.0)

        # Query terms the catalog never uses are reported, and left out of the match.
        frequencies = dict(self._all(
            "SELECT term, products FROM product_term_stats WHERE term = ANY(:terms)", {"terms": request.query.terms},
        )) if request.query.terms else {}
        unknown = [surface for term, surface in request.query.required if term not in frequencies]
        # The rarest term first: its postings are the candidates the others are looked up for (_sql).
        known_terms = sorted((term for term in request.query.terms if term in frequencies),
                             key=lambda term: (frequencies[term], term))
        descriptor_terms = [d.term for d in request.descriptors]
        # How many products' reviews use each descriptor (term_stats has a row for every term with evidence).
        described = dict(self._all(
            "SELECT term, products FROM term_stats WHERE term = ANY(:terms)", {"terms": descriptor_terms},
        )) if descriptor_terms else {}
        unknown += [d.text for d in request.descriptors if d.term not in described]
        unknown = list(dict.fromkeys(unknown))

        category_id = category_products = None
        if request.category:
            category_id = self.session.scalar(sa.text("SELECT id FROM categories WHERE path = :path"),
                                              {"path": request.category})
            if category_id is None:
                raise InvalidParameter("category", f"no category {request.category!r}")
            if request.positive and not known_terms:  # descriptors alone: see _sql
                category_products = self.session.scalar(sa.text(
                    "SELECT count(*) FROM product_categories WHERE category_id = :id"), {"id": category_id})
        params = {
            "n_terms": len(known_terms),
            "excluded": [term for term, _ in request.query.excluded],
            "pos_terms": [d.term for d in request.positive],
            "descriptor_signs": [1 if d.polarity == "+" else -1 for d in request.descriptors],
            "average_length": max(average_length, 1.0),
            "mean_rating": mean_rating,
            "category_id": category_id,
            "category_products": category_products,
            "descriptor_products": sum(described.get(term, 0) for term in descriptor_terms),
            "brand": request.brand,
            "price_min": request.price_min,
            "price_max": request.price_max,
            "rating_min": request.rating_min,
            "limit": request.per_page,
            "offset": (request.page - 1) * request.per_page,
        }
        # One parameter per term and descriptor: the planner then sees how many rows each one has.
        for i, term in enumerate(known_terms):
            params[f"term{i}"] = term
            params[f"products{i}"] = frequencies[term]
            params[f"idf{i}"] = math.log(1 + (documents - frequencies[term] + 0.5) / (frequencies[term] + 0.5))
        for i, term in enumerate(descriptor_terms):
            params[f"descriptor{i}"] = term
        if bool(request.query.terms) and not known_terms:  # only unknown words: nothing can match
            params = None
        return params, unknown, frequencies

    def search(self, request, top=0):
        """A page of results; with ``top``, also the ids of the first ``top`` matches (for suggestions,
        from the same statement rather than ranking again)."""
        params, unknown, frequencies = self._plan(request)
        top_ids = []
        if params is None:
            total, rows, facets = 0, [], {"category": [], "brand": [], "price": [], "rating": []}
        elif self.packed:
            offset, limit = params["offset"], params["limit"]
            found = ranking.rank(self.session, request, params, max(offset + limit, top), page=(offset, limit))
            total, facets, top_ids = found.total, found.facets, found.ids[:top]
            rows = [found.rows[i] for i in found.ids[offset:offset + limit]]
        else:
            params["top"] = top
            found = self._rank(self._sql(request, params), params).one()
            total, rows, top_ids = found.total, found.results or [], list(found.top_ids or [])
            facets = self._facet_values(found)
        results = [self._result(row) for row in rows]
        self._attach_evidence(request, results)
        return SearchResults(
            request=request, total=total, page=request.page, per_page=request.per_page, results=results,
            facets=facets, unknown_terms=unknown, message=self._message(request, total, unknown, bool(params)),
            did_you_mean=self._did_you_mean(request, frequencies, total), top_ids=top_ids,
        )

    def ranked_ids(self, request, limit):
        """(how many products match, the ids of the first ``limit`` in the request's order)."""
        params, _, _ = self._plan(request)
        if params is None:
            return 0, []
        if self.packed:
            found = ranking.rank(self.session, request, params, limit, facets=False)
            return found.total, found.ids
        params = dict(params, limit=limit, offset=0)
        found = self._rank(self._sql(request, params, ids_only=True), params).one()
        return found.total, list(found.ids)

    def _rank(self, sql, params):
        """Run a ranking statement with nested-loop joins off: the planner cannot know how many products
        hold every query term or have a descriptor, and a nested loop over thousands of them (its choice
        when it guesses a few) costs seconds, where a hash join costs milliseconds. With enough memory
        for its sorts and hashes (the default 4 MB spills tens of thousands of candidates to disk), and
        in this process alone (parallel workers cost more to start than they save here, and take the
        other core from a concurrent request). And with bitmap scans off: every range it reads is covered by
        an index, but for a large range (a common query word: a quarter of the products) the planner
        preferred a bitmap scan, which reads the table's pages too; the index alone was 3-4 times faster."""
        self.session.execute(sa.text(
            f"SET LOCAL enable_nestloop = off; SET LOCAL enable_bitmapscan = off; SET LOCAL work_mem = '{WORK_MEM}'; "
            "SET LOCAL max_parallel_workers_per_gather = 0"
        ))
        found = self.session.execute(sa.text(sql), params)
        # (A failed statement needs no reset: its transaction is rolled back, and SET LOCAL with it.)
        self.session.execute(sa.text(
            "RESET enable_nestloop; RESET enable_bitmapscan; RESET work_mem; RESET max_parallel_workers_per_gather"
        ))
        return found

    def _did_you_mean(self, request, frequencies, total):
        """{"query", "total"}: the query with misspelt words corrected, when that finds more products."""
        corrections, replaces_unknown = {}, False
        for word in spelled_words(request.query.text):
            terms = analyze_query_words(word)
            if len(terms) != 1:  # a stop word
                continue
            better = correction(self.session, word, frequencies.get(terms[0], 0))
            if better:
                corrections[word] = better
                replaces_unknown |= terms[0] not in frequencies
        if not corrections:
            return None
        text = respell(request.query.text, corrections)
        corrected_total, _ = self.ranked_ids(replace(request, query=parse_query(text), page=1), 0)
        # An unknown word was left out of this search, so its correction is offered whenever it finds
        # something; a rare word's only when it finds more.
        if corrected_total and (replaces_unknown or corrected_total > total):
            return {"query": text, "total": corrected_total}
        return None

    # SQL ----------------------------------------------------------------------------------------

    def _sql(self, request, params, ids_only=False):
        """One statement: candidates, filters, scores, the page, the total and every facet
        (or, ``ids_only``, the total and the first ``:limit`` product ids in order).

        ``base`` holds the candidates, each with its score parts and one flag per filter, so each facet
        can count over all filters but its own without matching the query again; the total and the
        price and rating facets are counted in one pass over it.
        """
        query = bool(params["n_terms"])
        if query:
            # Products holding every query term: one postings range per term, joined on the product (each
            # range is in product order, and with each term a parameter of its own the planner knows how
            # many products use it). BM25 from the postings (each carries its product's length), the
            # facts from the products, joined on the rarest term's (t0). A
            # term far more common than the rarest is read only at the rarest term's products: its range
            # is skipped through in order rather than read whole ("history book": book is in 1 of 4).
            bm25 = " + ".join(
                f"CAST(:idf{i} AS float8) * t{i}.tf * {K1 + 1} / (t{i}.tf + {K1} * (1 - {B} + {B} * t{i}.length / :average_length))"
                for i in range(params["n_terms"])
            )
            joins = "".join(
                f" JOIN product_terms t{i} ON t{i}.product_id = t0.product_id AND t{i}.term = :term{i}"
                + (f" AND t{i}.product_id = ANY(ARRAY(SELECT product_id FROM product_terms WHERE term = :term0))"
                   if params[f"products{i}"] > SKIP_THROUGH_RATIO * params["products0"] else "")
                for i in range(1, params["n_terms"])
            )
            facts = "".join(f"f.{fact}, " for fact in SEARCH_FACTS)
            candidates = (f"SELECT t0.product_id AS id, {facts}{bm25} AS bm25 FROM product_terms t0{joins} "
                          "JOIN products f ON f.id = t0.product_id WHERE t0.term = :term0")
        else:  # every product (when descriptors are wanted, the products that have them instead: below)
            candidates = f"SELECT id, {', '.join(SEARCH_FACTS)}, 0.0::float8 AS bm25 FROM products"
            if request.category:  # every product in the category: its list, not the whole catalog, is read
                candidates += f" WHERE id = {IN_CATEGORY}"
        conditions = [
            "NOT EXISTS (SELECT 1 FROM product_terms x WHERE x.product_id = p.id AND x.term = ANY(:excluded))"
        ] if params["excluded"] else []
        # One flag per filter that is set (an unset filter passes everything and costs nothing).
        flags = {
            "in_category": "CAST(:category_id AS int) = ANY(p.search_categories)" if request.category else None,
            "in_brand": "lower(p.brand) = lower(:brand)" if request.brand else None,
            "in_price": " AND ".join(
                ["p.price >= :price_min"] * (request.price_min is not None) + ["p.price <= :price_max"] * (request.price_max is not None)
            ) or None,
            "in_rating": "p.rating_average >= :rating_min" if request.rating_min is not None else None,
        }
        flags = {name: sql for name, sql in flags.items() if sql}

        def where(without=None):
            return " AND ".join(flag for flag in flags if flag != without) or "TRUE"

        # Each descriptor's evidence for a product: one range of the covering primary key per descriptor, joined
        # on the product; divided by the product's review count (+ the smoothing prior) when scored. A
        # wanted descriptor counts +1 and its stars as they are; an avoided one -1, its stars mirrored
        # (low stars make "flimsy" count more).
        signs = params["descriptor_signs"]

        def evidence(e, sign):
            stars_mean = f"({e}.stars_sum + {3.0 * STARS_PRIOR}::float8) / ({e}.rated + {STARS_PRIOR})"
            return f"{W_DESCRIPTOR * sign} * ({e}.positive - {e}.negative) * (0.5 + ({sign} * ({stars_mean} - 3) + 2) / 4)"

        if query or not params["pos_terms"]:
            # The candidates are known, with their facts: each descriptor's range is joined to them.
            ctes = f"candidates AS MATERIALIZED ({candidates})"
            described = "".join(
                f" LEFT JOIN descriptor_evidence e{i} ON e{i}.product_id = p.id AND e{i}.term = :descriptor{i}"
                for i in range(len(signs))
            )
            source = f"FROM candidates p{described}"
            total_evidence = " + ".join(f"COALESCE({evidence(f'e{i}', sign)}, 0.0)" for i, sign in enumerate(signs)) or "0.0"
            bm25 = "p.bm25"
        else:
            # Descriptors alone: the candidates are the products some review says a wanted one of (often
            # half the catalog), found by summing every descriptor's range per product.
            # With a category that has far fewer products than the ranges ("the most comfortable office
            # chairs"), each range is read only at the category's products, skipped through in order.
            in_category = bool(request.category) and (
                params["descriptor_products"] >= SKIP_THROUGH_CATEGORY * params["category_products"]
            )
            per_descriptor = " UNION ALL ".join(
                f"SELECT e.product_id, {evidence('e', sign)} AS evidence, {'TRUE' if sign > 0 else 'FALSE'} AS wanted "
                f"FROM descriptor_evidence e WHERE e.term = :descriptor{i}"
                + (f" AND e.product_id = {IN_CATEGORY}" if in_category else "")
                for i, sign in enumerate(signs)
            )
            ctes = (f"described AS MATERIALIZED (SELECT product_id, sum(evidence) AS evidence, bool_or(wanted) AS wanted "
                    f"FROM ({per_descriptor}) d GROUP BY product_id)")
            source = "FROM described d JOIN products p ON p.id = d.product_id"
            conditions += [
                "d.wanted",
                # The products index walked once, in order, with the candidates as one sorted array,
                # instead of descended once per candidate or the whole table scanned.
                "p.id = ANY(ARRAY(SELECT product_id FROM described WHERE wanted ORDER BY product_id))",
            ]
            total_evidence = "d.evidence"
            bm25 = "0.0::float8"
        price_buckets = ", ".join(
            f"count(*) FILTER (WHERE {where('in_price')} AND price >= {low}" + (f" AND price < {high})" if high else ")")
            for low, high in PRICE_BUCKETS
        )
        rating_buckets = ", ".join(
            f"count(*) FILTER (WHERE {where('in_rating')} AND rating_average >= {low})" for low in RATING_BUCKETS
        )
        category_parent = "c.parent_id = :category_id" if request.category else "c.parent_id IS NULL"
        shared = f"""
            WITH {ctes},
            base AS MATERIALIZED (
                SELECT *, relevance + descriptors + rating_prior + popularity AS score
                FROM (
                    SELECT p.id, p.brand, p.price, p.rating_average, p.rating_count, p.review_count, p.search_categories,
                           {"".join(f"{sql} AS {name}, " for name, sql in flags.items())}
                           {bm25} AS bm25,
                           {W_QUERY} * {bm25} / ({bm25} + {RELEVANCE_HALF}) AS relevance,
                           ({total_evidence}) / (p.review_count + {EVIDENCE_PRIOR})::float8 AS descriptors,
                           {W_RATING} * (({RATING_PRIOR} * :mean_rating + COALESCE(p.rating_average, 0) * p.rating_count)
                                         / ({RATING_PRIOR} + p.rating_count) - 1) / 4 AS rating_prior,
                           {W_POPULARITY} * LEAST(1.0, ln(1 + p.review_count) / ln(1001))::float8 AS popularity
                    {source} {"WHERE " + " AND ".join(conditions) if conditions else ""}
                ) b
            )"""
        if ids_only:
            return f"""{shared}
            SELECT (SELECT count(*) FROM base WHERE {where()}) AS total,
                   ARRAY(SELECT id FROM base WHERE {where()} ORDER BY {SORT_ORDERS[request.sort]} LIMIT :limit) AS ids"""
        return f"""{shared},
            page_ids AS (SELECT * FROM base WHERE {where()} ORDER BY {SORT_ORDERS[request.sort]} LIMIT :limit OFFSET :offset),
            page AS (
                SELECT r.id, r.price, r.rating_average, r.rating_count, r.review_count, r.bm25, r.relevance,
                       r.descriptors, r.rating_prior, r.popularity, r.score, p.asin, p.title, p.brand, p.image_url
                FROM page_ids r JOIN products p ON p.id = r.id AND p.id = ANY(ARRAY(SELECT id FROM page_ids))
            ),
            counts AS (
                SELECT count(*) FILTER (WHERE {where()}) AS total, json_build_array({price_buckets}) AS prices,
                       json_build_array({rating_buckets}) AS ratings
                FROM base
            )
            SELECT
                counts.total, counts.prices, counts.ratings,
                (SELECT json_agg(page ORDER BY {SORT_ORDERS[request.sort]}) FROM page) AS results,
                {f"ARRAY(SELECT id FROM base WHERE {where()} ORDER BY {SORT_ORDERS[request.sort]} LIMIT :top)" if params.get("top") else "NULL"} AS top_ids,
                (SELECT json_agg(x) FROM (
                    SELECT c.path AS value, c.name, n.count
                    -- Counted per category path first: far fewer paths than candidates to unnest.
                    FROM (SELECT fc.id, sum(fc.count) AS count
                          FROM (SELECT unnest(search_categories) AS id, count FROM (
                                SELECT search_categories, count(*) AS count FROM base WHERE {where()} GROUP BY search_categories
                          ) paths) fc
                          GROUP BY fc.id) n
                    JOIN categories c ON c.id = n.id AND {category_parent}
                    ORDER BY n.count DESC, c.name LIMIT {FACET_VALUES}) x) AS categories,
                (SELECT json_agg(x) FROM (
                    SELECT brand AS value, count(*) AS count FROM base WHERE {where("in_brand")} AND brand IS NOT NULL
                    GROUP BY brand ORDER BY count DESC, brand LIMIT {FACET_VALUES}) x) AS brands
            FROM counts
        """

    def _facet_values(self, found):
        return {
            "category": found.categories or [],
            "brand": found.brands or [],
            "price": [{"min": low, "max": high, "count": n} for (low, high), n in zip(PRICE_BUCKETS, found.prices)],
            "rating": [{"min": low, "count": n} for low, n in zip(RATING_BUCKETS, found.ratings)],
        }

    # Results and evidence ----------------------------------------------------------------------

    def _result(self, row):
        """A Result from one row of the page (a JSON object)."""
        return Result(
            product_id=row["id"], asin=row["asin"], title=row["title"] or f"Product {row['asin']}", brand=row["brand"],
            price=row["price"], rating=row["rating_average"], review_count=row["review_count"],
            image_url=row["image_url"], score=round(row["score"], 6),
            components={name: round(row[name], 6) for name in ("bm25", "relevance", "descriptors", "rating_prior", "popularity")},
            evidence=[],
        )

    def _attach_evidence(self, request, results):
        found = self.evidence([(r.product_id, r.review_count) for r in results], request.descriptors)
        for result in results:
            result.evidence = found.get(result.product_id, [])

    def evidence(self, products, descriptors):
        """{product id: [Evidence, one per descriptor, in order]} for ``products``, a list of
        (product id, review count); a descriptor no review of a product mentions has zero evidence."""
        if not products or not descriptors:
            return {}
        rows = self._all(
            f"SELECT e.product_id, e.term, e.mentions, e.positive, e.negative, {STARS_ARRAY} AS stars, {QUOTES_ARRAY} AS quote_review_ids "
            "FROM descriptor_evidence e WHERE e.product_id = ANY(:ids) AND e.term = ANY(:terms)",
            {"ids": [product_id for product_id, _ in products], "terms": [d.term for d in descriptors]},
        )
        found = {(row.product_id, row.term): row for row in rows}
        quote_ids = {i for row in rows for i in row.quote_review_ids}
        reviews = {
            review.id: review
            for review in self.session.execute(
                sa.select(Review.id, Review.summary, Review.text).where(Review.id.in_(quote_ids)))
        } if quote_ids else {}
        out = {}
        for product_id, review_count in products:
            out[product_id] = []
            for descriptor in descriptors:
                evidence = Evidence(descriptor=descriptor.text, polarity=descriptor.polarity)
                row = found.get((product_id, descriptor.term))
                if row is not None:
                    rated = sum(row.stars)
                    evidence.mentions, evidence.positive, evidence.negative = row.mentions, row.positive, row.negative
                    evidence.share = round(row.mentions / review_count, 4) if review_count else 0.0
                    evidence.stars = list(row.stars)
                    evidence.avg_stars = (
                        round(sum((i + 1) * n for i, n in enumerate(row.stars)) / rated, 2) if rated else None
                    )
                    for review_id in row.quote_review_ids:
                        review = reviews.get(review_id)
                        text = review and quote(review.summary, review.text, descriptor.term)
                        if text:
                            evidence.quotes.append({"text": text, "review_id": review_id})
                out[product_id].append(evidence)
        return out

    def relaxations(self, request, limit=MAX_RELAXATIONS):
        """What to drop when nothing matches: [(kind, value, total)] for each part of the search (a query
        word or phrase, a wanted descriptor, a filter) whose removal alone finds products, most found
        first. ``kind`` is "q" (``value`` is the part's index in query_parts), "pos", "category",
        "brand", "price" or "rating_min". Avoided descriptors never narrow a search, so they are not tried."""
        parts = query_parts(request.query.text)
        tries = []
        if len(parts) > 1 or request.descriptors or self._has_filters(request):
            tries += [("q", i, replace(request, query=parse_query(without_part(request.query.text, i))))
                      for i in range(len(parts))]
        tries += [("pos", d.text, replace(request, descriptors=[x for x in request.descriptors if x is not d]))
                  for d in request.positive]
        if request.category:
            tries.append(("category", request.category, replace(request, category=None)))
        if request.brand:
            tries.append(("brand", request.brand, replace(request, brand=None)))
        if request.price_min is not None or request.price_max is not None:
            tries.append(("price", None, replace(request, price_min=None, price_max=None)))
        if request.rating_min is not None:
            tries.append(("rating_min", request.rating_min, replace(request, rating_min=None)))
        found = []
        for kind, value, relaxed in tries[:MAX_RELAXATION_TRIES]:
            if not (relaxed.query.terms or relaxed.query.excluded or relaxed.descriptors or self._has_filters(relaxed)):
                continue  # dropping the last thing asked would "find" the whole catalog
            total, _ = self.ranked_ids(replace(relaxed, page=1), 0)
            if total:
                found.append((kind, value, total))
        found.sort(key=lambda f: -f[2])
        return found[:limit]

    @staticmethod
    def _has_filters(request):
        return bool(request.category or request.brand or request.price_min is not None
                    or request.price_max is not None or request.rating_min is not None)

    def _message(self, request, total, unknown, can_match):
        if unknown and not can_match:
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
    words = set(term.split(" "))
    for sentence in ([summary] if summary else []) + sentences(text):
        if not uses_term(sentence, term):
            continue
        out, last = [], 0
        for match in WORD.finditer(sentence):
            if word_stem(match.group()) in words:
                out.append(html.escape(sentence[last:match.start()]))
                out.append(f"<mark>{html.escape(match.group())}</mark>")
                last = match.end()
        out.append(html.escape(sentence[last:]))
        return "".join(out)
    return None
