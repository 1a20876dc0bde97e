"""The corpus totals ranking reads instead of counting on every search, kept exact as products are rebuilt:
search_stats (BM25's document count and average length, the review and rating totals behind the rating
prior), term_stats (each descriptor's products, mentions and positive mentions) and product_term_stats
(each term's products, BM25's document frequencies); and category_stats (each category's products, what
its page and the category lists show).

A partial rebuild notes its products' old rows before replacing them and the new ones after, and moves
the totals by the difference: exact without a recount of every product. A full rebuild counts them again
(``recount_terms``, ``refresh``).
"""

from . import packed

# Every product's search length, review and rating counts and stars, summed into search_stats' one row.
REFRESH_STATS = """
INSERT INTO search_stats (id, documents, average_length, mean_rating, reviews, rating_points, ratings)
SELECT 1, documents, average_length, COALESCE(rating_points::float8 / NULLIF(ratings, 0), 3.0), reviews, rating_points, ratings
FROM (SELECT count(*) AS documents, COALESCE(avg(search_length), 0) AS average_length,
             COALESCE(sum(review_count), 0) AS reviews, COALESCE(sum(rating_count), 0) AS ratings,
             COALESCE(sum(stars_1 + 2 * stars_2 + 3 * stars_3 + 4 * stars_4 + 5 * stars_5), 0) AS rating_points
      FROM product_stats) totals
ON CONFLICT (id) DO UPDATE SET documents = excluded.documents, average_length = excluded.average_length,
                               mean_rating = excluded.mean_rating, reviews = excluded.reviews,
                               rating_points = excluded.rating_points, ratings = excluded.ratings
"""
# Each category's products, counted again from every product's categories (a full rebuild, once
# product_stats is written).
RECOUNT_CATEGORIES = """
DELETE FROM category_stats;
INSERT INTO category_stats (category_id, products)
SELECT c, count(*) FROM product_stats, unnest(search_categories) c GROUP BY c ORDER BY c
"""
# The categories of the products whose categories a partial rebuild changes (analysed_products, before
# it is written to product_stats) moved: one fewer in each category a product leaves, one more in each it
# joins; in category order, the order every writer locks the rows in.
MOVE_CATEGORY_COUNTS = """
INSERT INTO category_stats (category_id, products)
SELECT moved.category_id, sum(moved.delta)
FROM analysed_products a LEFT JOIN product_stats s USING (product_id),
     LATERAL (SELECT unnest(a.search_categories), 1 UNION ALL SELECT unnest(s.search_categories), -1) moved (category_id, delta)
WHERE s.search_categories IS DISTINCT FROM a.search_categories
GROUP BY moved.category_id HAVING sum(moved.delta) <> 0 ORDER BY moved.category_id
ON CONFLICT (category_id) DO UPDATE SET products = category_stats.products + excluded.products
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
      FROM product_stats WHERE product_id = ANY(%s)) o
WHERE s.id = 1
"""

# term_stats is the sum of descriptor_evidence over products, product_term_stats the number of products
# whose text uses each term. A partial rebuild notes its products' old totals with a minus sign and their
# new ones, then moves the totals by the difference: only the terms whose totals changed are written (a
# written review's words, not every term of its product). Its products' terms before and after are in
# previous_terms and analysed_terms ({terms}), the deltas in term_deltas and product_term_deltas
# (amazen.search.scratch).
NOTE_TERMS = """
INSERT INTO term_deltas
SELECT term, {sign}count(*), {sign}sum(mentions), {sign}sum(positive) FROM descriptor_evidence WHERE product_id = ANY(%(ids)s)
GROUP BY term;
"""
NOTE_PRODUCT_TERMS = """
INSERT INTO product_term_deltas SELECT term, {sign}count(*) FROM {terms} WHERE product_id = ANY(%(ids)s) GROUP BY term;
"""
# In term order, the order every writer locks the rows in. A term no product uses any more is deleted.
APPLY_TERM_DELTAS = """
INSERT INTO term_stats (term, products, mentions, positive)
SELECT term, sum(products), sum(mentions), sum(positive) FROM term_deltas GROUP BY term
HAVING sum(products) <> 0 OR sum(mentions) <> 0 OR sum(positive) <> 0 ORDER BY term
ON CONFLICT (term) DO UPDATE SET products = term_stats.products + excluded.products,
    mentions = term_stats.mentions + excluded.mentions, positive = term_stats.positive + excluded.positive;
DELETE FROM term_stats t USING (SELECT DISTINCT term FROM term_deltas) d WHERE t.term = d.term AND t.products <= 0;
INSERT INTO product_term_stats (term, products)
SELECT term, sum(products) FROM product_term_deltas GROUP BY term HAVING sum(products) <> 0 ORDER BY term
ON CONFLICT (term) DO UPDATE SET products = product_term_stats.products + excluded.products;
DELETE FROM product_term_stats t USING (SELECT DISTINCT term FROM product_term_deltas) d
WHERE t.term = d.term AND t.products <= 0;
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
SELECT term, sum({postings_in_row}) AS products FROM packed_terms_new GROUP BY term;
DELETE FROM term_stats;
INSERT INTO term_stats (term, products, mentions, positive) SELECT term, products, mentions, positive FROM counted_terms;
DELETE FROM product_term_stats;
INSERT INTO product_term_stats (term, products) SELECT term, products FROM counted_product_terms;
DROP TABLE counted_terms, counted_product_terms;
"""


def subtract_terms(cursor, product_ids, postings=True):
    """Before these products' index rows are deleted: note their share of term_stats and, when their
    ``postings`` are rebuilt too (after amazen.search.packed.note_previous_terms), of product_term_stats,
    to be taken out by ``apply_term_deltas``."""
    cursor.execute(_note_terms("-", postings), {"ids": product_ids})


def add_terms(cursor, product_ids, postings=True):
    """Once these products' new index rows are loaded: note their share, to be put in."""
    cursor.execute(_note_terms("", postings), {"ids": product_ids})


def _note_terms(sign, postings):
    terms = packed.OLD_TERMS if sign == "-" else packed.NEW_TERMS
    return NOTE_TERMS.format(sign=sign) + (NOTE_PRODUCT_TERMS.format(sign=sign, terms=terms) if postings else "")


def apply_term_deltas(cursor):
    """Move term_stats and product_term_stats by what ``subtract_terms`` and ``add_terms`` noted."""
    cursor.execute(APPLY_TERM_DELTAS)


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


def recount_terms(cursor, postings_in_row):
    """term_stats and product_term_stats counted again from a full rebuild's block totals and new packed
    postings (``postings_in_row``: an SQL expression of how many postings a row's ``entries`` hold)."""
    cursor.execute(RECOUNT_TERM_STATS.format(postings_in_row=postings_in_row))


def move_categories(cursor):
    """Before a partial rebuild writes its products' figures: move the categories' counts by the
    categories they leave and join."""
    cursor.execute(MOVE_CATEGORY_COUNTS)


def recount_categories(cursor):
    """Once a full rebuild has written every product's figures: count the categories' products again."""
    cursor.execute(RECOUNT_CATEGORIES)


def refresh(cursor):
    """search_stats counted again from every product."""
    cursor.execute(REFRESH_STATS)
