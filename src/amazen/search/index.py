"""Index maintenance: derive the search tables from products and reviews, in the caller's transaction.

A product's index rows are always rebuilt whole from its current text and reviews: after an import
(the products it touched), after a review is written (that product), or for everything
(``amazen-reindex``). Rebuilding per product keeps the rules simple and the result independent of the
order in which things arrived.

Large rebuilds analyse chunks of products in worker processes (the analyser is pure Python) while the
main process reads the next chunk and COPYs the previous one.
"""
import io
import re
import sys
from collections import deque

import sqlalchemy as sa

from amazen.models.search import create_view
from amazen.pgcopy import copy_value

from . import packed
from .analyzer import PHRASE_GAP, STOP_WORDS, fold, mention_balance, scan

# How much a word counts in each product field (BM25F-style: the weighted counts feed one BM25).
FIELD_WEIGHTS = {"title": 3.0, "brand": 2.0, "categories": 1.5, "features": 1.0, "description": 1.0}
CHUNK_PRODUCTS = 400
PARALLEL_ABOVE = 1_000  # products; smaller rebuilds (a written review) run inline
# An import that touched this share of a catalog (of more than PARALLEL_ABOVE products) rebuilds all of
# it instead: loading new tables and keying them once costs less than inserting that many rows into the
# live keys (at 1M generated reviews, new reviews on a third of the products took as long to index as
# all of them; on half, 110 s instead of 229 s).
FULL_REBUILD_SHARE = 0.25
QUOTES = 2  # per term and product: descriptor_evidence's quote_1 and quote_2

# A product's text and its category ids (the products' search_categories), then the facts the packed
# index carries besides its ratings, which analyse_chunk counts from the reviews (a full rebuild packs
# them; the brand's number, which brands has before a rebuild starts).
PRODUCTS_SQL = """
SELECT p.id, p.title, p.brand, p.features, p.description,
       ARRAY(SELECT c.name FROM product_categories pc JOIN categories c ON c.id = pc.category_id
             WHERE pc.product_id = p.id ORDER BY c.depth, c.name) AS categories,
       ARRAY(SELECT pc.category_id FROM product_categories pc WHERE pc.product_id = p.id ORDER BY 1) AS category_ids,
       p.price::float8, (SELECT b.id FROM brands b WHERE b.name = p.brand)
FROM products p WHERE p.id = ANY(%(ids)s) ORDER BY p.id
"""
REVIEWS_SQL = """
SELECT product_id, id, rating, helpful_votes, summary, text FROM reviews
WHERE product_id = ANY(%(ids)s) ORDER BY product_id, id
"""
# A full rebuild loads new copies of the two index tables beside the live ones, builds their keys (named
# as models/search.py and the migrations name them, once the old tables are gone) and swaps them in at
# the very end: searches keep reading the old index until the rebuild commits, instead of waiting
# behind a TRUNCATE for minutes. (The index tables have no foreign keys: dropping one would lock the
# products table against searches and deadlock with a writer.)
NEW_TABLES = """
LOCK TABLE product_postings, product_evidence IN EXCLUSIVE MODE;  -- reads go on; writers wait (see reindex)
DROP TABLE IF EXISTS product_postings_new, product_evidence_new;
CREATE TABLE product_postings_new (LIKE product_postings INCLUDING DEFAULTS);
CREATE TABLE product_evidence_new (LIKE product_evidence INCLUDING DEFAULTS);
"""
NEW_KEYS = """
ALTER TABLE product_postings_new ADD CONSTRAINT pk_product_postings_new PRIMARY KEY (product_id);
ALTER TABLE product_evidence_new ADD CONSTRAINT pk_product_evidence_new PRIMARY KEY (product_id);
ANALYZE product_postings_new, product_evidence_new;
"""
SWAP_TABLES = """
DROP VIEW product_terms, descriptor_evidence;
DROP TABLE product_postings, product_evidence;
ALTER TABLE product_postings_new RENAME TO product_postings;
ALTER TABLE product_postings RENAME CONSTRAINT pk_product_postings_new TO pk_product_postings;
ALTER TABLE product_evidence_new RENAME TO product_evidence;
ALTER TABLE product_evidence RENAME CONSTRAINT pk_product_evidence_new TO pk_product_evidence;
""" + create_view("product_terms") + create_view("descriptor_evidence")
# What analyse_chunk's four texts are COPied into, column by column ({new}: "_new" in a full rebuild).
COPY_TABLES = (
    "product_postings{new} (product_id, length, postings)",
    "product_evidence{new} (product_id, evidence)",
    "analysed_products (product_id, length, categories, review_count, rating_count, rating_average, stars_1, stars_2, stars_3,"
    " stars_4, stars_5)",
    "product_vocabulary (product_id, phrases)",
)
# What a full rebuild's workers pack as they go (COPY FORMAT binary): amazen.search.packed.PackedBlock.
PACKED_TABLES = (
    "packed_terms_new (term, block, entries, records, category_ids)",
    "packed_evidence_new (term, block, entries, records, category_ids)",
    "packed_facts_new (block, ids, records, category_ids)",
)
# What the analysis found of each product, written to it in one statement: its search length and
# categories, and its review and rating counts, average and 1-5 histogram (as refresh_ratings counts
# them, from the same reviews). One rewrite of each changed product row, not two: an import used to
# refresh the ratings first, and every products row has seven keys.
_ANALYSED = ("search_length", "search_categories", "review_count", "rating_count", "rating_average",
             "stars_1", "stars_2", "stars_3", "stars_4", "stars_5")
_FROM = ("length", "categories") + _ANALYSED[2:]
UPDATE_PRODUCTS = f"""
UPDATE products p SET {", ".join(f"{column} = a.{value}" for column, value in zip(_ANALYSED, _FROM))}
FROM analysed_products a
WHERE p.id = a.product_id
  AND ({", ".join(f"p.{column}" for column in _ANALYSED)}) IS DISTINCT FROM ({", ".join(f"a.{value}" for value in _FROM)})
"""
# After a rebuild commits: fresh planner statistics (sampled, so cheap). A full rebuild loads its tables
# frozen, so the covering keys answer searches from the index alone at once; after a partial one,
# autovacuum sets the visibility map that allows it. A full rebuild has already sampled the index tables
# it swapped in (NEW_KEYS, packed.NEW_KEYS): after one, only the others are sampled again.
ANALYZE_OTHERS = ("products", "product_term_stats", "term_stats", "product_vocabulary", "phrase_counts", "vocabulary", "brands")
ANALYZE_REBUILT = ("product_postings", "product_evidence", "packed_terms", "packed_evidence", "packed_facts")

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
# After reviews alone changed (no product text, so no lengths or product count): the mean rating from
# the totals refresh_ratings keeps, instead of summing every product again (120 ms at 435,000 products).
# No row yet (a catalog never indexed) updates nothing, and REFRESH_STATS counts instead.
REFRESH_MEAN_RATING = """
UPDATE search_stats SET mean_rating = COALESCE(rating_points::float8 / NULLIF(ratings, 0), 3.0) WHERE id = 1
"""

# term_stats is the sum of descriptor_evidence over products: subtract a set of products' rows before
# they are replaced, add them back after, so the totals stay exact without a full recount.
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
# DELETE rather than TRUNCATE here and in the vocabulary: readers keep the old rows until the commit.
# The EXCLUSIVE lock still lets them read, and makes a second rebuild wait and then see this one's rows.
# Counted into temporary tables first: PostgreSQL scans a table in parallel for CREATE TABLE AS, but not
# for INSERT ... SELECT (at 1M generated reviews the statement took 1.3 s instead of 2.0). A term's
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

# The vocabulary behind autocomplete and did-you-mean, from phrase_counts ({phrases}: which phrases to
# count; product_phrases() below makes each product's): title phrases used by at least two products,
# every brand and category name.
MIN_TITLE_PHRASE_PRODUCTS = 2
MAX_PHRASE_LENGTH = 80
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
# Counted into a table without a key, the key built once: cheaper than a key kept up row by row.
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
# A vocabulary word: a run of letters, digits and apostrophes of folded text.
VOCABULARY_SPLIT = re.compile(r"[^\w']+|_+")

def product_postings(title, brand, categories, features, description):
    """({term: field-weighted frequency}, weighted length) of one product's text: the words and
    two-word phrases ``analyze`` + ``phrases`` find, in one pass (this runs for every product of an
    import; a test holds it equal to them)."""
    tf = {}
    get = tf.get
    length = 0.0
    fields = (
        ("title", [title]), ("brand", [brand]), ("categories", categories or []),
        ("features", features or []), ("description", [description]),
    )
    for field, texts in fields:
        weight = FIELD_WEIGHTS[field]
        for text in texts:
            if not text:
                continue
            words = 0
            last, last_position = "", -PHRASE_GAP - 1
            for term, _, position in scan(text):
                words += 1
                tf[term] = get(term, 0.0) + weight
                if position - last_position <= PHRASE_GAP:
                    phrase = f"{last} {term}"
                    tf[phrase] = get(phrase, 0.0) + weight
                last, last_position = term, position
            length += weight * words
    return tf, length


def product_phrases(title, brand, categories):
    """{phrase: named} of one product for the vocabulary, folded like the analyzer folds: the title's
    words and 2-3 word phrases that start with a letter and neither start nor end with a stop word or
    a single character (named False); its brand and category names, whole and as words (named True),
    their runs of white space made one space (a phrase holds no tab or line break: see phrase_row)."""
    found = {}
    if title:
        words = [word for word in VOCABULARY_SPLIT.split(fold(title)) if word.strip("'")]
        ends = [len(word) > 1 and word not in STOP_WORDS for word in words]
        last = len(words) - 1
        for i, word in enumerate(words):
            if ends[i] and word[0].isalpha():
                found[word] = False
                if i < last and ends[i + 1]:
                    found[f"{word} {words[i + 1]}"] = False
                if i < last - 1 and ends[i + 2]:
                    found[f"{word} {words[i + 1]} {words[i + 2]}"] = False
    for name in ([brand] if brand else []) + list(categories or ()):
        name = " ".join(fold(name).split())
        if not name:
            continue
        found[name] = True
        for word in VOCABULARY_SPLIT.split(name):
            if len(word) > 1 and word[0].isalpha() and word not in STOP_WORDS:
                found[word] = True
    return {phrase: named for phrase, named in found.items() if len(phrase) <= MAX_PHRASE_LENGTH}


def phrase_row(product_id, title, brand, categories):
    """The product_vocabulary COPY line of one product, "" for none: a "phrase<TAB>t" line per phrase a
    name gives, "phrase<TAB>f" per title phrase. (Title phrases are letters, digits, apostrophes and
    spaces: only a name can hold what COPY escapes.)"""
    found = product_phrases(title, brand, categories)
    if not found:
        return ""
    return f"{product_id}\t" + "\\n".join([copy_value(phrase) + "\\tt" if named else phrase + "\\tf"
                                             for phrase, named in found.items()]) + "\n"


def evidence_row(product_id, reviews):
    """The product_evidence COPY line of one product: a line per term with its mentions, positive,
    negative, the 1-5 star counts and quote ids ("" for none), tab-separated (see models/search.py).

    ``reviews``: (id, rating, helpful_votes, summary, text). Quotes: the most helpful positive and
    the most helpful negative mention (ties: the older review), topped up to two from either side.

    Which reviews mention a term is one integer of bits: with the reviews numbered 0..n-1, most helpful
    first, bit i says review i mentions it positively, bit n + i negatively. Terms with the same bits
    (every term only one review mentions, and many phrases with their words) share one line's tail,
    so it is worked out once per distinct set of mentions, not once per term.
    """
    return _evidence_row(product_id, _evidence(reviews))


def _evidence_row(product_id, found):
    """The product_evidence COPY line of ``_evidence``'s terms (evidence_row's, and analyse_chunk's, which
    packs them too), or "" for none."""
    if not found:
        return ""
    return f"{product_id}\t" + "\\n".join([term + tail for term, tail, _ in found]) + "\n"


def _evidence(reviews):
    """(term, the rest of its line, (its packed values, mentions, positive mentions)) per term of ``reviews``."""
    # Most helpful first (then oldest): the lowest bits are the reviews to quote.
    ordered = sorted(reviews, key=lambda r: (-(r[2] or 0), r[0]))
    n = len(ordered)
    marks = {}  # term -> its mentions' bits
    get = marks.get
    for i, (_, _, _, summary, text) in enumerate(ordered):
        plus, minus = 1 << i, 1 << (n + i)
        for term, balance in mention_balance(summary, text).items():
            marks[term] = get(term, 0) | (plus if balance > 0 else minus)  # a positive mention (review_mentions' rule)
    ids = [r[0] for r in ordered]
    by_stars = [sum(1 << i for i, r in enumerate(ordered) if r[1] == stars) for stars in range(1, 6)]
    tails = {}  # bits -> the rest of the line, and the values
    # A term one review mentions (nine in ten of real reviews' terms, a third of generated ones' lines):
    # its line is that review's, made here once per review rather than worked out bit by bit.
    for i, (review_id, rating, *_) in enumerate(ordered):
        stars, stars_sum, rated = ONE_RATING[rating]
        tails[1 << i] = (f"\\t1\\t1\\t0{stars}\\t{review_id}\\t", (1, stars_sum, rated, 1, 1))
        tails[1 << (n + i)] = (f"\\t1\\t0\\t1{stars}\\t{review_id}\\t", (-1, stars_sum, rated, 1, 0))
    found = []
    for term, mark in marks.items():
        tail = tails.get(mark)
        if tail is None:
            tail = tails[mark] = _evidence_tail(mark, n, ids, by_stars)
        found.append((term, *tail))
    return found


# A single review's rating (None: no stars) as its line's 1-5 star counts, its stars and whether it rated.
ONE_RATING = {rating: ("".join(f"\\t{int(stars == rating)}" for stars in range(1, 6)), rating or 0, int(rating is not None))
              for rating in (None, 1, 2, 3, 4, 5)}


def _evidence_tail(mark, n, ids, by_stars):
    positive, negative = mark & ((1 << n) - 1), mark >> n
    either = positive | negative
    stars = [(either & reviews).bit_count() for reviews in by_stars]
    first_negative, first_positive = _lowest_bits(negative, QUOTES), _lowest_bits(positive, QUOTES)
    # The negative one first, in the order quotes have always been stored and shown.
    quotes = first_negative[:1] + first_positive[:1]
    quotes += (first_negative[1:] + first_positive[1:])[: QUOTES - len(quotes)]
    quote_ids = [str(ids[i]) for i in quotes] + [""] * (QUOTES - len(quotes))  # quote_1, quote_2
    positives, negatives, rated = positive.bit_count(), negative.bit_count(), sum(stars)
    stars_sum = stars[0] + 2 * stars[1] + 3 * stars[2] + 4 * stars[3] + 5 * stars[4]
    return (  # the line's fields, separated by a tab as COPY escapes it
        f"\\t{positives + negatives}\\t{positives}\\t{negatives}\\t{stars[0]}\\t{stars[1]}\\t{stars[2]}\\t{stars[3]}"
        f"\\t{stars[4]}\\t{quote_ids[0]}\\t{quote_ids[1]}",
        (positives - negatives, stars_sum, rated, positives + negatives, positives),
    )


def _lowest_bits(bits, count):
    """The positions of the lowest ``count`` set bits of ``bits``, lowest first."""
    found = []
    while bits and len(found) < count:
        lowest = bits & -bits
        found.append(lowest.bit_length() - 1)
        bits ^= lowest
    return found


def rating_aggregates(reviews):
    """(review count, rating count, average rating or None, [1-star count, ..., 5-star count]) of one
    product's ``reviews`` ((id, rating, ...); rating None: no stars). The average is the stars' sum
    over their count as one float division, as ingest.bulk.refresh_ratings computes it in SQL."""
    stars = [0, 0, 0, 0, 0]
    for review in reviews:
        if review[1] is not None:
            stars[review[1] - 1] += 1
    ratings = sum(stars)
    points = stars[0] + 2 * stars[1] + 3 * stars[2] + 4 * stars[3] + 5 * stars[4]
    return len(reviews), ratings, points / ratings if ratings else None, stars


def analyse_chunk(products, reviews, block=None):
    """COPY text for product_postings, product_evidence, analysed_products (each product's length,
    categories and rating aggregates) and the products' vocabulary phrases (worker-safe); with ``block``
    (a full rebuild, whose chunks are whole blocks), also the block's packed rows (``PACKED_TABLES``,
    COPY binary data) and its descriptors' totals (``packed.TERM_TOTALS``, COPY text).

    Terms need no COPY escaping: the analyzer only makes [a-z0-9] words joined by one space.
    """
    by_product = {}
    for product_id, review_id, rating, helpful, summary, text in reviews:
        by_product.setdefault(product_id, []).append((review_id, rating, helpful, summary, text))
    packer = None if block is None else packed.PackedBlock(block)
    terms, evidence, analysed, vocabulary = [], [], [], []
    for product_id, title, brand, features, description, categories, category_ids, price, brand_number in products:
        postings = tf, length = product_postings(title, brand, categories, features, description)
        own = by_product.get(product_id, ())
        reviews_count, ratings, average, stars = rating_aggregates(own)
        average_text = r"\N" if average is None else repr(average)
        analysed.append(f"{product_id}\t{length}\t{{{','.join(map(str, category_ids))}}}\t{reviews_count}\t{ratings}\t{average_text}"
                       f"\t{stars[0]}\t{stars[1]}\t{stars[2]}\t{stars[3]}\t{stars[4]}\n")
        # "term<TAB>tf" lines, escaped for COPY; !r: a float's str, without format()'s detour.
        if tf:
            terms.append(f"{product_id}\t{length!r}\t" + "\\n".join(f"{term}\\t{weight!r}" for term, weight in tf.items()) + "\n")
        found = _evidence(own)
        evidence.append(_evidence_row(product_id, found))
        vocabulary.append(phrase_row(product_id, title, brand, categories))
        if packer is not None:
            packer.add_product(product_id, price, average, ratings, reviews_count, brand_number, category_ids, postings,
                               [(term, values) for term, _, values in found])
    texts = ("".join(terms), "".join(evidence), "".join(analysed), "".join(vocabulary))
    return texts if packer is None else texts + packer.copy_data()


def _scope(conn, product_ids, touched):
    if touched:
        sql = "SELECT product_id FROM touched ORDER BY 1"
    elif product_ids is not None:
        return sorted(set(product_ids))
    else:
        sql = "SELECT id FROM products ORDER BY 1"
    return list(conn.execute(sa.text(sql)).scalars())


def reindex(conn, product_ids=None, touched=False, progress=False, text_changed=True):
    """Rebuild the index rows of some products (``product_ids``; the ``touched`` temp table of a bulk
    load; all products when neither) on ``conn``, in the caller's transaction, with the corpus totals;
    and the vocabulary. ``text_changed=False`` says only reviews changed (a written review): then neither
    the vocabulary nor the lengths or the product count change, and only the mean rating is refreshed.
    Returns the number of products indexed."""
    ids = _scope(conn, product_ids, touched)
    cursor = conn.connection.dbapi_connection.cursor()
    cursor.execute(
        "DROP TABLE IF EXISTS analysed_products; "
        "CREATE TEMP TABLE analysed_products (product_id int, length float, categories int[], review_count int, rating_count int,"
        " rating_average float, stars_1 int, stars_2 int, stars_3 int, stars_4 int, stars_5 int) ON COMMIT DROP"
    )
    # Counting every product costs a scan (60 ms at 435,000 products): a few products' reindex counts only
    # far enough to tell whether they are all of them; an import needs the catalog's size (below).
    catalog = conn.execute(sa.text(
        "SELECT count(*) FROM products" if touched else "SELECT count(*) FROM (SELECT FROM products LIMIT :n) p"
    ), {"n": len(ids) + 1}).scalar()
    everything = len(ids) == catalog
    if touched and catalog > PARALLEL_ABOVE and FULL_REBUILD_SHARE * catalog <= len(ids) < catalog:
        ids, everything = _scope(conn, None, False), True
    if everything:
        # Load new tables without keys, then build the keys once: far cheaper than deleting and
        # inserting row by row, and searches go on reading the old tables meanwhile (NEW_TABLES).
        cursor.execute(NEW_TABLES)
        cursor.execute(packed.NEW_TABLES)
        cursor.execute(packed.NUMBER_BRANDS.format(where="TRUE"))  # the workers pack the brands' numbers
        cursor.execute("CREATE TEMP TABLE block_term_totals (term text COLLATE \"C\", products int, mentions bigint, positive bigint)"
                       " ON COMMIT DROP")
    else:
        # Before reading any index rows: wait for a full rebuild in progress (it holds EXCLUSIVE locks),
        # then work on the tables it swapped in, or its result would not include this change.
        cursor.execute("LOCK TABLE product_postings, product_evidence IN ROW EXCLUSIVE MODE")
        for start in range(0, len(ids), 10_000):
            part = ids[start:start + 10_000]
            cursor.execute(SUBTRACT_TERM_STATS, (part,))
            cursor.execute(SUBTRACT_PRODUCT_TERM_STATS, (part,))
            packed.remember(cursor, part)
            cursor.execute("DELETE FROM product_postings WHERE product_id = ANY(%s)", (part,))
            cursor.execute("DELETE FROM product_evidence WHERE product_id = ANY(%s)", (part,))
    if text_changed:  # the products' phrases are loaded with their postings, and counted at the end
        if everything:
            cursor.execute(CLEAR_PRODUCT_PHRASES)
        else:
            cursor.execute(TAKE_PRODUCT_PHRASES, {"ids": ids})

    # FREEZE: rows loaded into a table created (or emptied) in this transaction can be written frozen and
    # all-visible, so index-only scans work at once instead of after the next VACUUM.
    copy = "COPY {} FROM STDIN WITH (FREEZE)" if everything else "COPY {} FROM STDIN"
    tables = [table.format(new="_new" if everything else "") for table in COPY_TABLES[:None if text_changed else -1]]

    def write(texts):
        for table, text in zip(tables, texts):
            if text:
                cursor.copy_expert(copy.format(table), io.StringIO(text))
        packed_data = texts[len(COPY_TABLES):]
        for table, data in zip(PACKED_TABLES, packed_data):
            if data:
                cursor.copy_expert(f"COPY {table} FROM STDIN WITH (FORMAT binary, FREEZE)", io.BytesIO(data))
        if packed_data and packed_data[-1]:
            cursor.copy_expert(f"COPY {packed.TERM_TOTALS} FROM STDIN", io.StringIO(packed_data[-1]))

    def fetch(chunk):  # with the driver's cursor: its rows are tuples already, which the workers take
        cursor.execute(PRODUCTS_SQL, {"ids": chunk})
        products = cursor.fetchall()
        cursor.execute(REVIEWS_SQL, {"ids": chunk})
        return products, cursor.fetchall()

    if everything:  # one chunk per block: its packed rows are made whole by the worker that analyses it
        blocks = {}
        for product_id in ids:
            blocks.setdefault(product_id // packed.BLOCK, []).append(product_id)
        chunks = list(blocks.values())
    else:
        chunks = [ids[i:i + CHUNK_PRODUCTS] for i in range(0, len(ids), CHUNK_PRODUCTS)]

    def arguments(chunk):  # analyse_chunk's: the chunk's rows, and its block when it is one to pack
        return (*fetch(chunk), chunk[0] // packed.BLOCK if everything else None)

    bar = _progress_bar(len(ids)) if progress else None
    pending = deque()  # (products, the workers' result), oldest first

    def write_pending(keep):
        while len(pending) > keep:
            size, result = pending.popleft()
            write(result.result())
            if bar is not None:
                bar.update(size)

    if len(ids) <= PARALLEL_ABOVE:
        for chunk in chunks:
            write(analyse_chunk(*arguments(chunk)))
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        # Fork: the workers only analyse text; they never touch the database connection. A worker that
        # dies (killed, out of memory) fails the rebuild, where a multiprocessing Pool would wait for
        # its result for ever, holding the transaction and its locks.
        with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
            try:
                for chunk in chunks:
                    pending.append((len(chunk), pool.submit(analyse_chunk, *arguments(chunk))))
                    write_pending(keep=2)
                write_pending(keep=0)
            except BrokenProcessPool:
                raise RuntimeError("an indexing worker process stopped unexpectedly") from None
    if bar is not None:
        bar.close()
    if everything:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(NEW_KEYS)
        cursor.execute(RECOUNT_TERM_STATS.format(posting_size=packed.POSTING.itemsize))
    else:
        for start in range(0, len(ids), 10_000):
            cursor.execute(ADD_TERM_STATS, (ids[start:start + 10_000],))
            cursor.execute(ADD_PRODUCT_TERM_STATS, (ids[start:start + 10_000],))
        cursor.execute("DELETE FROM term_stats WHERE products <= 0")
        cursor.execute("DELETE FROM product_term_stats WHERE products <= 0")
    cursor.execute(UPDATE_PRODUCTS)
    cursor.execute("DROP TABLE analysed_products")
    if everything:
        cursor.execute(packed.NEW_KEYS)
    else:  # the packed arrays last: their entries carry the products' facts as just refreshed
        packed.repack(cursor, ids)
    if text_changed or not conn.execute(sa.text(REFRESH_MEAN_RATING)).rowcount:
        conn.execute(sa.text(REFRESH_STATS))
    if text_changed:
        refresh_vocabulary(conn, None if everything else ids)
    if everything:
        cursor.execute(SWAP_TABLES + packed.SWAP_TABLES)  # last: from here until the commit, searches wait
    return len(ids)


def refresh_vocabulary(conn, product_ids=None):
    """Count the vocabulary again once the phrases of ``product_ids`` (of every product when None)
    have been loaded: only the phrases they used or use, or everything."""
    cursor = conn.connection.dbapi_connection.cursor()
    params = {"min_products": MIN_TITLE_PHRASE_PRODUCTS, "ids": product_ids}
    cursor.execute(RECOUNT_VOCABULARY if product_ids is None else UPDATE_VOCABULARY, params)


def _progress_bar(total):
    from tqdm import tqdm

    return tqdm(total=total, unit="products", desc="indexing", file=sys.stderr, dynamic_ncols=True)


def analyze_tables(engine, changed=None):
    """Refresh the planner's statistics of the index tables, once a large rebuild has committed.

    ``changed``: how many products an import re-indexed (None: all of them, ``amazen-reindex``). Up to a
    tenth of the catalog the statistics are left to autovacuum, which samples a table again once a tenth
    of it has changed: the samples take seconds in a large catalog, longer than a small import itself.
    An import that re-indexed every product did so in a full rebuild (see reindex).
    """
    with engine.connect() as conn:
        tables = ANALYZE_OTHERS
        if changed is not None:
            products = conn.exec_driver_sql("SELECT count(*) FROM products").scalar()
            if changed * 10 <= products:
                return
            if changed < products:  # a partial rebuild: its index tables were not sampled
                tables += ANALYZE_REBUILT
        conn.exec_driver_sql(f"ANALYZE {', '.join(tables)}")
        conn.commit()
