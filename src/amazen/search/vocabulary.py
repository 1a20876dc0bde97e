"""The catalog's vocabulary behind autocomplete and did-you-mean (the vocabulary table), kept up to date
as products are rebuilt: phrase_counts holds how many products use each phrase of
``documents.product_phrases`` (of their title, brand and category names), and the vocabulary is made
from those counts.

No product's phrases are stored. A rebuild's analysis counts them per chunk of products
(``documents.phrase_deltas``) into phrase_deltas: every product's in a full rebuild, which counts the
vocabulary again; in a partial one, for each product whose text an import changed, its new phrases
less those of its text before (``PREVIOUS_TEXT``), which move the counts.
"""

# Title phrases used by at least this many products are offered; every brand and category name is.
MIN_TITLE_PHRASE_PRODUCTS = 2

# The text of the products an import changes, as it was when they were last indexed: noted by the import
# before it changes them (``NOTE_PREVIOUS_TEXT``), a row of NULLs for a product it inserts (which had no
# phrases). A product of a partial rebuild without a row here kept its text, and its phrases.
PREVIOUS_TEXT = """
CREATE TEMP TABLE IF NOT EXISTS previous_text (product_id int PRIMARY KEY, title text, brand text, categories text[])
ON COMMIT DROP
"""
# A product's (``p``) category names, in the order its phrases are made from them: what a rebuild
# analyses (amazen.search.indexer.PRODUCTS_SQL) and what its text before is noted with.
CATEGORY_NAMES = """ARRAY(SELECT c.name FROM product_categories pc JOIN categories c ON c.id = pc.category_id
             WHERE pc.product_id = p.id ORDER BY c.depth, c.name)"""
# The products of some asins ({asins}: a query of them) as they are, unless noted already: the first
# note of a product in a transaction is its text when it was last indexed.
NOTE_PREVIOUS_TEXT = f"""
INSERT INTO previous_text (product_id, title, brand, categories)
SELECT p.id, p.title, p.brand, {CATEGORY_NAMES}
FROM products p WHERE p.asin IN ({{asins}})
ON CONFLICT (product_id) DO NOTHING
"""

# The vocabulary rows of phrase_counts ({phrases}: which phrases to count).
VOCABULARY_OF = """
INSERT INTO vocabulary (phrase, words, products)
SELECT phrase, array_length(regexp_split_to_array(phrase, ' +'), 1), products
FROM phrase_counts WHERE (named > 0 OR products >= %(min_products)s) {phrases}
"""
# Only writers of the vocabulary read phrase_counts, and they take the vocabulary's lock first.
LOCK_VOCABULARY = "LOCK TABLE vocabulary IN EXCLUSIVE MODE"
# Counted into a table without a key, the key built once: cheaper than a key kept up row by row.
# phrase_counts is emptied by TRUNCATE (only the vocabulary's writers read it), the vocabulary by DELETE:
# completions keep reading its old rows until the commit.
RECOUNT_VOCABULARY = f"""
TRUNCATE phrase_counts;
ALTER TABLE phrase_counts DROP CONSTRAINT pk_phrase_counts;
INSERT INTO phrase_counts (phrase, products, named) SELECT phrase, sum(products), sum(named) FROM phrase_deltas GROUP BY phrase;
ALTER TABLE phrase_counts ADD CONSTRAINT pk_phrase_counts PRIMARY KEY (phrase);
DELETE FROM vocabulary;
{VOCABULARY_OF.format(phrases="")};
"""
# The counts moved by the deltas, in phrase order (the order every writer locks the rows in); a phrase no
# product uses any more is deleted, and every moved phrase's vocabulary row made again.
UPDATE_VOCABULARY = f"""
CREATE TEMP TABLE changed_phrases ON COMMIT DROP AS
SELECT phrase, sum(products) AS products, sum(named) AS named FROM phrase_deltas GROUP BY phrase
HAVING sum(products) <> 0 OR sum(named) <> 0;
INSERT INTO phrase_counts (phrase, products, named) SELECT phrase, products, named FROM changed_phrases ORDER BY phrase
ON CONFLICT (phrase) DO UPDATE SET products = phrase_counts.products + excluded.products,
                                   named = phrase_counts.named + excluded.named;
DELETE FROM phrase_counts WHERE phrase IN (SELECT phrase FROM changed_phrases) AND products <= 0;
DELETE FROM vocabulary WHERE phrase IN (SELECT phrase COLLATE "default" FROM changed_phrases);
{VOCABULARY_OF.format(phrases="AND phrase IN (SELECT phrase FROM changed_phrases)")};
DROP TABLE changed_phrases;
"""


def start_counting(cursor):
    """Before a rebuild's analysis delivers its phrase counts (into phrase_deltas, amazen.search.scratch;
    several rows of a phrase add up): wait for any other writer of the vocabulary."""
    cursor.execute(LOCK_VOCABULARY)


def refresh_vocabulary(cursor, everything):
    """Once the analysis has delivered its counts: count the vocabulary again from them (``everything``:
    a full rebuild's, of every product), or move it by them (a partial rebuild's differences)."""
    cursor.execute(RECOUNT_VOCABULARY if everything else UPDATE_VOCABULARY, {"min_products": MIN_TITLE_PHRASE_PRODUCTS})
