"""The catalog's vocabulary behind autocomplete and did-you-mean (the vocabulary table), kept up to date
as products are rebuilt: each product's phrases (``documents.product_phrases``, loaded into
product_vocabulary with its other index rows) are counted into phrase_counts, and the vocabulary is
made from those counts.
"""

# Title phrases used by at least this many products are offered; every brand and category name is.
MIN_TITLE_PHRASE_PRODUCTS = 2

# The vocabulary rows of phrase_counts ({phrases}: which phrases to count).
VOCABULARY_OF = """
INSERT INTO vocabulary (phrase, words, products)
SELECT phrase, array_length(regexp_split_to_array(phrase, ' +'), 1), products
FROM phrase_counts WHERE (named > 0 OR products >= %(min_products)s) {phrases}
"""
# The phrases of some products (%(ids)s), each with how many of them use it and how many name it.
COUNT_PHRASES = """
SELECT phrase, count(*) AS products, count(*) FILTER (WHERE named) AS named FROM product_phrases
WHERE product_id = ANY(%(ids)s) GROUP BY phrase
"""
# Before a full rebuild loads every product's phrases. TRUNCATE: only writers of the vocabulary read
# product_vocabulary and phrase_counts, and they wait for this one on the vocabulary's lock.
CLEAR_PRODUCT_PHRASES = """
LOCK TABLE vocabulary IN EXCLUSIVE MODE;
TRUNCATE product_vocabulary, phrase_counts;
"""
# Counted into a table without a key, the key built once: cheaper than a key kept up row by row. The
# vocabulary is emptied by DELETE, not TRUNCATE: completions keep reading its old rows until the commit.
RECOUNT_VOCABULARY = f"""
ALTER TABLE phrase_counts DROP CONSTRAINT pk_phrase_counts;
INSERT INTO phrase_counts (phrase, products, named)
SELECT phrase, count(*), count(*) FILTER (WHERE named) FROM product_phrases GROUP BY phrase;
ALTER TABLE phrase_counts ADD CONSTRAINT pk_phrase_counts PRIMARY KEY (phrase);
DELETE FROM vocabulary;
{VOCABULARY_OF.format(phrases="")}
"""
# Before some products' phrases are loaded: their old phrases are noted and taken out of the counts,
# and their rows deleted. After: their new phrases are counted in, and every noted phrase's vocabulary
# row made again.
TAKE_PRODUCT_PHRASES = f"""
LOCK TABLE vocabulary IN EXCLUSIVE MODE;
DROP TABLE IF EXISTS changed_phrases;
CREATE TEMP TABLE changed_phrases ON COMMIT DROP AS {COUNT_PHRASES};
UPDATE phrase_counts c SET products = c.products - o.products, named = c.named - o.named
FROM changed_phrases o WHERE c.phrase = o.phrase;
DELETE FROM product_vocabulary WHERE product_id = ANY(%(ids)s);
"""
UPDATE_VOCABULARY = f"""
CREATE TEMP TABLE added_phrases ON COMMIT DROP AS {COUNT_PHRASES};
INSERT INTO phrase_counts (phrase, products, named) SELECT phrase, products, named FROM added_phrases
ON CONFLICT (phrase) DO UPDATE SET products = phrase_counts.products + excluded.products,
                                   named = phrase_counts.named + excluded.named;
INSERT INTO changed_phrases (phrase) SELECT phrase FROM added_phrases;
DELETE FROM phrase_counts WHERE phrase IN (SELECT phrase FROM changed_phrases) AND products <= 0;
DELETE FROM vocabulary WHERE phrase IN (SELECT phrase COLLATE "default" FROM changed_phrases);
{VOCABULARY_OF.format(phrases="AND phrase IN (SELECT phrase FROM changed_phrases)")};
DROP TABLE changed_phrases, added_phrases;
"""


def clear_phrases(cursor):
    """Before a full rebuild loads every product's phrases."""
    cursor.execute(CLEAR_PRODUCT_PHRASES)


def take_phrases(cursor, product_ids):
    """Before a partial rebuild loads these products' phrases: take their old ones out of the counts."""
    cursor.execute(TAKE_PRODUCT_PHRASES, {"ids": product_ids})


def refresh_vocabulary(cursor, product_ids=None):
    """Count the vocabulary again once the phrases of ``product_ids`` (of every product when None)
    have been loaded: only the phrases they used or use, or everything."""
    params = {"min_products": MIN_TITLE_PHRASE_PRODUCTS, "ids": product_ids}
    cursor.execute(RECOUNT_VOCABULARY if product_ids is None else UPDATE_VOCABULARY, params)
