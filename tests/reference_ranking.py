"""The SQL reference ranking: the score, filters, facets and orders of amazen.search.ranking, written again
as one PostgreSQL statement over the rows the packed index is packed from (product_terms,
descriptor_evidence, products). tests/functional/test_ranking.py and benchmarks/packed_ranking.py hold
the packed ranking to it.

``ReferenceSearch`` is the app's SearchService with this ranking in place of the packed one, so a search
is planned, given evidence and quotes the same way by both. The orders below are written out here rather
than read from amazen.search.scoring.SORTS, so that an oracle does not share what it checks.
"""

import sqlalchemy as sa

from amazen.search import scoring
from amazen.search.ranking import Ranked
from amazen.search.service import SearchService

# What ranking, filters and facets read of a product.
FACTS = ("brand", "price", "rating_average", "rating_count", "review_count", "search_categories")
# Each product with its derived figures.
PRODUCTS = "(SELECT * FROM products JOIN product_stats ON product_id = id)"
ORDERS = {
    "relevance": "score DESC, id",
    "price_asc": "price ASC NULLS LAST, score DESC, id",
    "price_desc": "price DESC NULLS LAST, score DESC, id",
    "rating": "rating_average DESC NULLS LAST, rating_count DESC, score DESC, id",
    "reviews": "review_count DESC, score DESC, id",
}
WORK_MEM = "64MB"  # per sort or hash: the default 4 MB spills tens of thousands of candidates to disk
SKIP_THROUGH_RATIO = 4  # a query term this many times as common as the rarest is read at its products only
SKIP_THROUGH_CATEGORY = 2  # descriptors alone: their rows are read at the category's products only when
# they hold this many times as many rows as the category has products
# The products of the category filter (and its subcategories) as one sorted array, for ``id = ANY(...)``.
IN_CATEGORY = "ANY(ARRAY(SELECT product_id FROM product_categories WHERE category_id = :category_id ORDER BY product_id))"


class ReferenceSearch(SearchService):
    def _rank(self, request, params, wanted, page=None, facets=True):
        return rank(self.session, request, params, wanted, page=page, facets=facets)


def rank(session, request, params, wanted, page=None, facets=True):
    """What amazen.search.ranking.rank returns for the same arguments, from one SQL statement."""
    sql_params = dict(params, wanted=wanted, limit=page[1] if page else 0, offset=page[0] if page else 0)
    terms = [params[f"term{i}"] for i in range(params["n_terms"])]
    frequencies = dict(
        session.execute(sa.text("SELECT term, products FROM product_term_stats WHERE term = ANY(:terms)"), {"terms": terms}).all()
    )
    for i, term in enumerate(terms):
        sql_params[f"products{i}"] = frequencies[term]
    sql_params["descriptor_products"] = session.scalar(
        sa.text("SELECT COALESCE(sum(products), 0) FROM term_stats WHERE term = ANY(:terms)"),
        {"terms": [d.term for d in request.descriptors]},
    )
    sql_params["category_products"] = session.scalar(
        sa.text("SELECT count(*) FROM product_categories WHERE category_id = :id"), {"id": params["category_id"]}
    )
    # The planner cannot know how many products hold every query term or have a descriptor; when it
    # guesses a few where there are thousands, a nested loop costs seconds where a hash join costs
    # milliseconds. Every range read is covered by an index, and a bitmap scan of a large one reads the
    # table's pages too. Parallel workers cost more to start than they save here.
    session.execute(
        sa.text(
            f"SET LOCAL enable_nestloop = off; SET LOCAL enable_bitmapscan = off; SET LOCAL work_mem = '{WORK_MEM}'; "
            "SET LOCAL max_parallel_workers_per_gather = 0"
        )
    )
    found = session.execute(sa.text(statement(request, sql_params, page, facets)), sql_params).one()
    session.execute(
        sa.text("RESET enable_nestloop; RESET enable_bitmapscan; RESET work_mem; RESET max_parallel_workers_per_gather")
    )
    ranked = Ranked(total=found.total, ids=list(found.ids or []))
    if page:
        ranked.rows = {row["id"]: row for row in found.results or []}
    if facets:
        ranked.facets = {
            "category": found.categories or [],
            "brand": found.brands or [],
            "price": [{"min": low, "max": high, "count": n} for (low, high), n in zip(scoring.PRICE_BUCKETS, found.prices)],
            "rating": [{"min": low, "count": n} for low, n in zip(scoring.RATING_BUCKETS, found.ratings)],
        }
    return ranked


def statement(request, params, page, facets):
    """Candidates, filters, scores, the total, the first ``:wanted`` ids in order and, if asked, the page
    (``:limit`` rows from ``:offset``) and every facet.

    ``base`` holds the candidates, each with its score parts and one flag per filter, so each facet
    counts over all filters but its own without matching the query again.
    """
    order = ORDERS[request.sort]
    query = bool(params["n_terms"])
    if query:
        # Products holding every query term: one range of rows per term, joined on the product, the
        # rarest term (t0) first. A term far more common than the rarest is read only at the rarest
        # term's products.
        bm25 = " + ".join(
            f"CAST(:idf{i} AS float8) * t{i}.tf * {scoring.K1 + 1}"
            f" / (t{i}.tf + {scoring.K1} * (1 - {scoring.B} + {scoring.B} * t{i}.length / :average_length))"
            for i in range(params["n_terms"])
        )
        joins = "".join(
            f" JOIN product_terms t{i} ON t{i}.product_id = t0.product_id AND t{i}.term = :term{i}"
            + (
                f" AND t{i}.product_id = ANY(ARRAY(SELECT product_id FROM product_terms WHERE term = :term0))"
                if params[f"products{i}"] > SKIP_THROUGH_RATIO * params["products0"]
                else ""
            )
            for i in range(1, params["n_terms"])
        )
        facts = "".join(f"f.{fact}, " for fact in FACTS)
        candidates = (
            f"SELECT t0.product_id AS id, {facts}{bm25} AS bm25 FROM product_terms t0{joins} "
            f"JOIN {PRODUCTS} f ON f.id = t0.product_id WHERE t0.term = :term0"
        )
    else:  # every product (when descriptors are wanted, the products that have them instead: below)
        candidates = f"SELECT id, {', '.join(FACTS)}, 0.0::float8 AS bm25 FROM {PRODUCTS} p"
        if request.category:
            candidates += f" WHERE id = {IN_CATEGORY}"
    conditions = (
        ["NOT EXISTS (SELECT 1 FROM product_terms x WHERE x.product_id = p.id AND x.term = ANY(:excluded))"]
        if params["excluded"]
        else []
    )
    # One flag per filter that is set.
    flags = {
        "in_category": "CAST(:category_id AS int) = ANY(p.search_categories)" if request.category else None,
        "in_brand": "lower(p.brand) = lower(:brand)" if request.brand else None,
        "in_price": " AND ".join(
            ["p.price >= :price_min"] * (request.price_min is not None)
            + ["p.price <= :price_max"] * (request.price_max is not None)
        )
        or None,
        "in_rating": "p.rating_average >= :rating_min" if request.rating_min is not None else None,
    }
    flags = {name: sql for name, sql in flags.items() if sql}

    def where(without=None):
        return " AND ".join(flag for flag in flags if flag != without) or "TRUE"

    # A wanted descriptor counts +1 and its stars as they are; an avoided one -1, its stars mirrored. What
    # the reviews say of it: a wanted one's praise, an avoided one's complaints, less the reverse, plus the
    # neutral mentions said plainly, less the negated ones.
    signs = params["descriptor_signs"]

    def evidence(e, sign):
        stars_mean = f"({e}.stars_sum + {3.0 * scoring.STARS_PRIOR}::float8) / ({e}.rated + {scoring.STARS_PRIOR})"
        said = f"({sign} * ({e}.positive - {e}.negative) + {e}.neutral - 2 * {e}.neutral_negated)"
        return f"{scoring.W_DESCRIPTOR * sign} * {said} * (0.5 + ({sign} * ({stars_mean} - 3) + 2) / 4)"

    if query or not request.positive:
        ctes = f"candidates AS MATERIALIZED ({candidates})"
        described = "".join(
            f" LEFT JOIN descriptor_evidence e{i} ON e{i}.product_id = p.id AND e{i}.term = :descriptor{i}"
            for i in range(len(signs))
        )
        source = f"FROM candidates p{described}"
        total_evidence = " + ".join(f"COALESCE({evidence(f'e{i}', sign)}, 0.0)" for i, sign in enumerate(signs)) or "0.0"
        bm25 = "p.bm25"
    else:
        # Descriptors alone: the candidates are the products some review says a wanted one of, found by
        # summing every descriptor's rows per product (read at the category's products only, when the
        # category has far fewer products than the descriptors have rows).
        in_category = bool(request.category) and (
            params["descriptor_products"] >= SKIP_THROUGH_CATEGORY * params["category_products"]
        )
        per_descriptor = " UNION ALL ".join(
            f"SELECT e.product_id, {evidence('e', sign)} AS evidence, {'TRUE' if sign > 0 else 'FALSE'} AS wanted "
            f"FROM descriptor_evidence e WHERE e.term = :descriptor{i}"
            + (f" AND e.product_id = {IN_CATEGORY}" if in_category else "")
            for i, sign in enumerate(signs)
        )
        ctes = (
            f"described AS MATERIALIZED (SELECT product_id, sum(evidence) AS evidence, bool_or(wanted) AS wanted "
            f"FROM ({per_descriptor}) d GROUP BY product_id)"
        )
        source = f"FROM described d JOIN {PRODUCTS} p ON p.id = d.product_id"
        conditions += [
            "d.wanted",
            "p.id = ANY(ARRAY(SELECT product_id FROM described WHERE wanted ORDER BY product_id))",
        ]
        total_evidence = "d.evidence"
        bm25 = "0.0::float8"
    shared = f"""
        WITH {ctes},
        base AS MATERIALIZED (
            SELECT *, relevance + descriptors + rating_prior + popularity AS score
            FROM (
                SELECT p.id, p.brand, p.price, p.rating_average, p.rating_count, p.review_count, p.search_categories,
                       {"".join(f"{sql} AS {name}, " for name, sql in flags.items())}
                       {bm25} AS bm25,
                       {scoring.W_QUERY} * {bm25} / ({bm25} + {scoring.RELEVANCE_HALF}) AS relevance,
                       ({total_evidence}) / (p.review_count + {scoring.EVIDENCE_PRIOR})::float8 AS descriptors,
                       {scoring.W_RATING} * (({scoring.RATING_PRIOR} * :mean_rating
                                                  + COALESCE(p.rating_average, 0) * p.rating_count)
                                             / ({scoring.RATING_PRIOR} + p.rating_count) - 1) / 4 AS rating_prior,
                       {scoring.W_POPULARITY} * LEAST(1.0, ln(1 + p.review_count) / ln({1 + scoring.POPULARITY_REVIEWS}))::float8
                           AS popularity
                {source} {"WHERE " + " AND ".join(conditions) if conditions else ""}
            ) b
        )"""
    ctes, columns = (
        [],
        [
            f"(SELECT count(*) FROM base WHERE {where()}) AS total",
            f"ARRAY(SELECT id FROM base WHERE {where()} ORDER BY {order} LIMIT :wanted) AS ids",
        ],
    )
    if page:
        ctes += [
            f"page_ids AS (SELECT * FROM base WHERE {where()} ORDER BY {order} LIMIT :limit OFFSET :offset)",
            """page AS (
                SELECT r.id, r.price, r.rating_average, r.rating_count, r.review_count, r.bm25, r.relevance,
                       r.descriptors, r.rating_prior, r.popularity, r.score, p.asin, p.title, p.brand, p.image_url
                FROM page_ids r JOIN products p ON p.id = r.id AND p.id = ANY(ARRAY(SELECT id FROM page_ids))
            )""",
        ]
        columns.append(f"(SELECT json_agg(page ORDER BY {order}) FROM page) AS results")
    if facets:
        price_buckets = ", ".join(
            f"count(*) FILTER (WHERE {where('in_price')} AND price >= {low}" + (f" AND price < {high})" if high else ")")
            for low, high in scoring.PRICE_BUCKETS
        )
        rating_buckets = ", ".join(
            f"count(*) FILTER (WHERE {where('in_rating')} AND rating_average >= {low})" for low in scoring.RATING_BUCKETS
        )
        category_parent = "c.parent_id = :category_id" if request.category else "c.parent_id IS NULL"
        columns += [
            f"(SELECT json_build_array({price_buckets}) FROM base) AS prices",
            f"(SELECT json_build_array({rating_buckets}) FROM base) AS ratings",
            f"""(SELECT json_agg(x) FROM (
                SELECT c.path AS value, c.name, n.count
                FROM (SELECT fc.id, sum(fc.count) AS count
                      FROM (SELECT unnest(search_categories) AS id, count FROM (
                            SELECT search_categories, count(*) AS count FROM base WHERE {where()} GROUP BY search_categories
                      ) paths) fc
                      GROUP BY fc.id) n
                JOIN categories c ON c.id = n.id AND {category_parent}
                ORDER BY n.count DESC, c.name LIMIT {scoring.FACET_VALUES}) x) AS categories""",
            f"""(SELECT json_agg(x) FROM (
                SELECT brand AS value, count(*) AS count FROM base WHERE {where("in_brand")} AND brand IS NOT NULL
                GROUP BY brand ORDER BY count DESC, brand LIMIT {scoring.FACET_VALUES}) x) AS brands""",
        ]
    return f"{shared}{''.join(f', {cte}' for cte in ctes)}\n        SELECT {', '.join(columns)}"
