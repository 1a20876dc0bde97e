"""The corpus totals ranking reads instead of counting on every search, kept exact as products are rebuilt:
search_stats (BM25's document count and average length, the review and rating totals behind the rating
prior), term_stats (each descriptor's products, mentions and positive mentions) and product_term_stats
(each term's products, BM25's document frequencies).

A partial rebuild subtracts its products' old rows from the totals before replacing them and adds the
new ones after: exact without a recount of every product. A full rebuild counts them again
(``recount_terms``, ``refresh``).
"""

# Every product's search length, review and rating counts and stars, summed into search_stats' one row.
REFRESH_STATS = """
INSERT INTO search_stats (id, documents, average_length, mean_rating, reviews, rating_points, ratings)
SELECT 1, documents, average_length, COALESCE(rating_points::float8 / NULLIF(ratings, 0), 3.0), reviews, rating_points, ratings
FROM (SELECT count(*) AS documents, COALESCE(avg(search_length), 0) AS average_length,
             COALESCE(sum(review_count), 0) AS reviews, COALESCE(sum(rating_count), 0) AS ratings,
             COALESCE(sum(stars_1 + 2 * stars_2 + 3 * stars_3 + 4 * stars_4 + 5 * stars_5), 0) AS rating_points
      FROM products) totals
ON CONFLICT (id) DO UPDATE SET documents = excluded.documents, average_length = excluded.average_length,
                               mean_rating = excluded.mean_rating, reviews = excluded.reviews,
                               rating_points = excluded.rating_points, ratings = excluded.ratings
"""
# Some products' review and rating counts and stars as they are stored, moved out of ({sign}: -) or into
# (+) search_stats' totals, the mean rating with them: when only reviews changed, the products' lengths
# and number are as they were, and this costs a read of those products rather than of every one.
MOVE_RATING_TOTALS = """
UPDATE search_stats s
SET reviews = s.reviews {sign} o.reviews, ratings = s.ratings {sign} o.ratings, rating_points = s.rating_points {sign} o.points,
    mean_rating = COALESCE((s.rating_points {sign} o.points)::float8 / NULLIF(s.ratings {sign} o.ratings, 0), 3.0)
FROM (SELECT COALESCE(sum(review_count), 0) AS reviews, COALESCE(sum(rating_count), 0) AS ratings,
             COALESCE(sum(stars_1 + 2 * stars_2 + 3 * stars_3 + 4 * stars_4 + 5 * stars_5), 0) AS points
      FROM products WHERE id = ANY(%s)) o
WHERE s.id = 1
"""

# term_stats is the sum of descriptor_evidence over products.
TERM_STATS_OF = """
SELECT term, count(*) AS products, sum(mentions) AS mentions, sum(positive) AS positive
FROM descriptor_evidence WHERE product_id = ANY(%s) GROUP BY term ORDER BY term
"""
SUBTRACT_TERM_STATS = f"""
UPDATE term_stats t SET products = t.products - o.products, mentions = t.mentions - o.mentions,
                        positive = t.positive - o.positive
FROM ({TERM_STATS_OF}) o WHERE t.term = o.term
"""
ADD_TERM_STATS = f"""
INSERT INTO term_stats (term, products, mentions, positive) {TERM_STATS_OF}
ON CONFLICT (term) DO UPDATE SET products = term_stats.products + excluded.products,
    mentions = term_stats.mentions + excluded.mentions, positive = term_stats.positive + excluded.positive
"""
# product_term_stats likewise counts product_terms (product_postings' rows): how many products' text use each term.
PRODUCT_TERM_STATS_OF = """
SELECT term, count(*) AS products FROM product_terms WHERE product_id = ANY(%s) GROUP BY term ORDER BY term
"""
SUBTRACT_PRODUCT_TERM_STATS = f"""
UPDATE product_term_stats t SET products = t.products - o.products
FROM ({PRODUCT_TERM_STATS_OF}) o WHERE t.term = o.term
"""
ADD_PRODUCT_TERM_STATS = f"""
INSERT INTO product_term_stats (term, products) {PRODUCT_TERM_STATS_OF}
ON CONFLICT (term) DO UPDATE SET products = product_term_stats.products + excluded.products
"""
DROP_UNUSED_TERMS = """
DELETE FROM term_stats WHERE products <= 0;
DELETE FROM product_term_stats WHERE products <= 0;
"""
# A full rebuild's workers sum each block's descriptors (packed.TERM_TOTALS) into this table.
BLOCK_TERM_TOTALS = """
CREATE TEMP TABLE block_term_totals (term text COLLATE "C", products int, mentions bigint, positive bigint) ON COMMIT DROP
"""
# DELETE rather than TRUNCATE: readers keep the old rows until the commit. The EXCLUSIVE lock still lets
# them read, and makes a second rebuild wait and then see this one's rows. Counted into temporary tables
# first: PostgreSQL scans a table in parallel for CREATE TABLE AS, not for INSERT ... SELECT. A term's
# products are its entries in the packed postings, counted from their size: one row per term and block,
# not one per posting.
RECOUNT_TERM_STATS = """
LOCK TABLE term_stats, product_term_stats IN EXCLUSIVE MODE;
CREATE TEMP TABLE counted_terms ON COMMIT DROP AS
SELECT term, sum(products) AS products, sum(mentions) AS mentions, sum(positive) AS positive FROM block_term_totals GROUP BY term;
CREATE TEMP TABLE counted_product_terms ON COMMIT DROP AS
SELECT term, sum(length(entries) / {posting_size}) AS products FROM packed_terms_new GROUP BY term;
DELETE FROM term_stats;
INSERT INTO term_stats (term, products, mentions, positive) SELECT term, products, mentions, positive FROM counted_terms;
DELETE FROM product_term_stats;
INSERT INTO product_term_stats (term, products) SELECT term, products FROM counted_product_terms;
DROP TABLE counted_terms, counted_product_terms, block_term_totals;
"""


def subtract_terms(cursor, product_ids):
    """Before these products' index rows are deleted: take them out of term_stats and product_term_stats."""
    cursor.execute(SUBTRACT_TERM_STATS, (product_ids,))
    cursor.execute(SUBTRACT_PRODUCT_TERM_STATS, (product_ids,))


def add_terms(cursor, product_ids):
    """Once these products' new index rows are loaded: add them to term_stats and product_term_stats."""
    cursor.execute(ADD_TERM_STATS, (product_ids,))
    cursor.execute(ADD_PRODUCT_TERM_STATS, (product_ids,))


def subtract_ratings(cursor, product_ids):
    """Before these products' rating aggregates are written again: take the stored ones out of
    search_stats' totals."""
    cursor.execute(MOVE_RATING_TOTALS.format(sign="-"), (product_ids,))


def add_ratings(cursor, product_ids):
    """Once these products' rating aggregates are written: add them to search_stats' totals and
    refresh its mean rating. False when search_stats has no row yet (a catalog never indexed): then
    ``refresh`` counts it."""
    cursor.execute(MOVE_RATING_TOTALS.format(sign="+"), (product_ids,))
    return cursor.rowcount > 0


def drop_unused_terms(cursor):
    cursor.execute(DROP_UNUSED_TERMS)


def start_recount(cursor):
    """Before a full rebuild's workers deliver their blocks' descriptor totals."""
    cursor.execute(BLOCK_TERM_TOTALS)


def recount_terms(cursor, posting_size):
    """term_stats and product_term_stats counted again from a full rebuild's block totals and new packed
    postings (``posting_size``: the bytes of one packed posting)."""
    cursor.execute(RECOUNT_TERM_STATS.format(posting_size=posting_size))


def refresh(cursor):
    """search_stats counted again from every product."""
    cursor.execute(REFRESH_STATS)
