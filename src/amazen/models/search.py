"""The search index: ordinary tables next to the records they are derived from.

They change in the same transaction as the products and reviews (``amazen.search.indexer``), so every
app process sees a new review on its next request and no process keeps an index of its own.
"""

import sqlalchemy as sa
from sqlalchemy import BigInteger, Column, Float, Index, Integer, LargeBinary, PrimaryKeyConstraint, SmallInteger, Table, Text

from .meta import Base

# Product text postings: a term (stemmed word, or two adjacent words "batteri life" for phrases) and its
# field-weighted frequency in one product (title counts most; see amazen.search.documents.FIELD_WEIGHTS).
# Terms are stored in the C collation: byte order is the same on every server, and keys sort by memcmp,
# which makes building the index keys after a full reindex much cheaper than locale-aware collation.
TERM = Text(collation="C")

# How many products' text use each term: BM25's document frequencies, without counting postings on
# every search (a common word has tens of thousands). Kept exact like term_stats below.
product_term_stats = Table(
    "product_term_stats",
    Base.metadata,
    Column("term", TERM, primary_key=True),
    Column("products", Integer, nullable=False),
)

# Review evidence: for each term any review of a product uses, how many of the product's reviews mention
# it, how many of those praise the product in respect of it (positive), complain (negative: "not
# comfortable", "the battery dies") or say neither (neutral, and of those how many negated: "not loud at
# all"), the 1-5 star histogram of the mentioning reviews, and the reviews to quote (the most helpful
# complaint and praise). One row per product with reviews. ``evidence``: a line per term several reviews
# mention, "term<TAB>mentions<TAB>positive<TAB>negative<TAB>neutral<TAB>neutral_negated<TAB>stars_1 ...
# stars_5<TAB>quote_1<TAB>quote_2" (quotes are review ids, "" for none). ``one_review``: the terms one
# review mentions (nine in ten of real reviews' terms), a line per review and way of mentioning,
# "KS<TAB>review id<TAB>term<TAB>term...", K how the review mentions them (ONE_REVIEW_KINDS: p praise, c
# complaint, n neutral, x negated neutral), S its stars (0 for none): a term then takes its own
# characters and a tab, and each column is read without testing which form a line has. The view
# descriptor_evidence (VIEWS below) shows both as rows (term, product_id, mentions, positive, negative,
# neutral, neutral_negated, rated, stars_sum, stars_1 ... stars_5, quote_1, quote_2). One row per
# product, not per term: real reviews make 45 terms each, and searches read a descriptor's evidence from
# packed_evidence.
ONE_REVIEW_KINDS = "pcnx"  # by analyzer.PRAISE, COMPLAINT, NEUTRAL, NEUTRAL_NEGATED
product_evidence = Table(
    "product_evidence",
    Base.metadata,
    Column("product_id", Integer, primary_key=True, autoincrement=False),
    Column("evidence", TERM, nullable=False),
    Column("one_review", TERM, nullable=False, server_default=""),
    # What descriptor suggestions read (amazen.search.heads; the view head_evidence shows it as rows): NULL,
    # every line of both columns (a product of at most 128 terms, documents.HEAD_TERMS); else the first
    # head_length characters of ``evidence``, whose lines begin with the most mentioned terms: the first
    # 128 of them.
    Column("head_length", Integer),
)
# A row's histogram as [1-star, ..., 5-star] counts and its quotes as a list of review ids, for readers
# that alias descriptor_evidence ``e``.
STARS_ARRAY = "ARRAY[e.stars_1, e.stars_2, e.stars_3, e.stars_4, e.stars_5]"
QUOTES_ARRAY = "array_remove(ARRAY[e.quote_1, e.quote_2], NULL)"

# Global statistics BM25 and the rating prior need, kept in one row so a search does not count products.
search_stats = Table(
    "search_stats",
    Base.metadata,
    Column("id", SmallInteger, primary_key=True),
    Column("documents", Integer, nullable=False),
    Column("average_length", Float, nullable=False),
    Column("mean_rating", Float, nullable=False),
    Column("reviews", BigInteger, nullable=False, server_default="0"),  # all reviews: the background for "distinctive"
    # mean_rating's exact terms (the sum of all stars given, and how many ratings gave them), so that a
    # written review adjusts them instead of summing every product again (amazen.search.totals).
    Column("rating_points", BigInteger, nullable=False, server_default="0"),
    Column("ratings", BigInteger, nullable=False, server_default="0"),
)

# Corpus totals per review term (the sum of descriptor_evidence over all products), the background that
# makes a descriptor *distinctive* for a set of products rather than merely frequent. Kept exact: a
# product's old evidence is subtracted and its new evidence added whenever its index rows are rebuilt.
term_stats = Table(
    "term_stats",
    Base.metadata,
    Column("term", TERM, primary_key=True),
    Column("products", Integer, nullable=False),  # products whose reviews mention it
    Column("mentions", BigInteger, nullable=False),  # reviews that mention it
    Column("positive", BigInteger, nullable=False),
)

# How many products use each vocabulary phrase (amazen.search.documents.product_phrases: words and 2-3
# word phrases of titles, brand and category names), and how many of those name it (a brand or category
# name, or one of its words): what the vocabulary is counted from, kept exact like term_stats
# (amazen.search.vocabulary).
phrase_counts = Table(
    "phrase_counts",
    Base.metadata,
    Column("phrase", TERM, primary_key=True),  # the C collation, like the terms: its key builds faster
    Column("products", Integer, nullable=False),
    Column("named", Integer, nullable=False),
)

# The two-word phrases the index carries as terms (amazen.search.collocations): the catalog's collocations,
# counted from its reviews at every full rebuild, with the distinct clauses that use each and its G².
collocations = Table(
    "collocations",
    Base.metadata,
    Column("phrase", TERM, primary_key=True),
    Column("clauses", Integer, nullable=False),
    Column("g2", Float, nullable=False),
)

# The catalog's vocabulary, for autocomplete and did-you-mean: words and 2-3 word phrases of product
# titles, brands and category names, folded to lower case, with how many products use each. Counted
# from phrase_counts at the end of every import and reindex; a written review changes no phrase.
vocabulary = Table(
    "vocabulary",
    Base.metadata,
    Column("phrase", Text, primary_key=True),
    Column("words", SmallInteger, nullable=False),
    Column("products", Integer, nullable=False),
    # Completions of a prefix, most popular first, read in index order (one index per prefix length
    # that the bucket is keyed on; longer prefixes filter inside the 2-letter bucket).
    Index("ix_vocabulary_prefix1", sa.text("left(phrase, 1)"), sa.text("products DESC"), "phrase"),
    Index("ix_vocabulary_prefix2", sa.text("left(phrase, 2)"), sa.text("products DESC"), "phrase"),
    # Spelling candidates by trigram similarity (pg_trgm), words only.
    Index(
        "ix_vocabulary_trigram",
        "phrase",
        postgresql_using="gin",
        postgresql_ops={"phrase": "gin_trgm_ops"},
        postgresql_where=sa.text("words = 1"),
    ),
)

# The packed index (amazen.search.packed): per term, and per descriptor, and per block of product ids,
# the entries of its products' postings or of product_evidence as one array of fixed-width records; and
# per block, its products' facts (packed_facts). What ranking reads. The arrays are stored uncompressed
# (STORAGE EXTERNAL, which the migration sets): decompressing them on every read would cost more than the
# disk they save.
#
# A block is BLOCK consecutive product ids (product id // BLOCK): a written review repacks its product's
# block of every descriptor it has, not the whole array.
BLOCK = 4096
# The postings are kept only here: a product's text is analysed again whenever it changes, and the view
# product_terms (VIEWS below) shows the arrays as rows. Written by blocks (a full rebuild writes them in
# block order), so a BRIN index finds a block's rows, which a partial rebuild reads to learn the terms its
# products had, for a few kilobytes where a B-tree would take megabytes.
packed_terms = Table(
    "packed_terms",
    Base.metadata,
    Column("term", TERM, nullable=False),
    Column("block", Integer, nullable=False),
    # product id, tf, length (packed.POSTING; behind a byte naming the layout, packed.NARROW_POSTING)
    Column("entries", LargeBinary, nullable=False),
    PrimaryKeyConstraint("term", "block"),
    Index("ix_packed_terms_block", "block", postgresql_using="brin"),
)
packed_evidence = Table(
    "packed_evidence",
    Base.metadata,
    Column("term", TERM, nullable=False),
    Column("block", Integer, nullable=False),
    # product id, praise - complaints, plain - negated neutral mentions, stars sum, rated (packed.EVIDENCE;
    # behind a byte naming the layout, packed.NARROW_EVIDENCE)
    Column("entries", LargeBinary, nullable=False),
    PrimaryKeyConstraint("term", "block"),
)
# Every product's facts, per block of product ids: the product ids, their records (packed.RECORD) and
# their category ids, each product's in order (as many as its record's category_count).
packed_facts = Table(
    "packed_facts",
    Base.metadata,
    Column("block", Integer, primary_key=True, autoincrement=False),
    Column("ids", LargeBinary, nullable=False),
    Column("records", LargeBinary, nullable=False),
    Column("category_ids", LargeBinary, nullable=False),
)
# Brand numbers for the packed facts (a brand filter and the brand facet compare numbers, not names).
brands = Table(
    "brands",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Index("ix_brands_lower_name", sa.text("lower(name)")),  # the brand filter ignores case
)


def _evidence_lines(head=False):
    """The rows of product_evidence's lines (with ``head``, of its head only), as (term, product_id,
    mentions, positive, negative, neutral, neutral_negated, rated, stars_sum, stars_1 ... stars_5, quote_1,
    quote_2): a branch per column, each product's lines read beside its row (a lateral subquery, so that
    a statement asking for some products reads only theirs)."""
    field = "split_part(line, E'\\t', {})".format
    kind, stars = f"left({field(1)}, 1)", f"substr({field(1)}, 2, 1)"
    praise, complaint, neutral, negated = ONE_REVIEW_KINDS
    several = "p.evidence"
    # unnest, not string_to_table: the planner takes an array's unnest for 10 rows, a string_to_table for
    # 1,000, and with one inside the other would plan a join with this view for 2,000 rows a product.
    one_review = (
        "FROM unnest(string_to_array(p.one_review, E'\\n')) line,"
        " unnest((string_to_array(line, E'\\t'))[3:]) one(term)"  # the terms after the kind and stars, and the review
    )
    if head:
        several = "CASE WHEN p.head_length IS NULL THEN p.evidence ELSE left(p.evidence, p.head_length) END"
        one_review += " WHERE p.head_length IS NULL"
    return f"""
SELECT term, product_id, mentions, positive, negative, neutral, neutral_negated,
       stars_1 + stars_2 + stars_3 + stars_4 + stars_5 AS rated,
       stars_1 + 2 * stars_2 + 3 * stars_3 + 4 * stars_4 + 5 * stars_5 AS stars_sum,
       stars_1, stars_2, stars_3, stars_4, stars_5, quote_1, quote_2
FROM product_evidence p, LATERAL (
    SELECT {field(1)} AS term, {field(2)}::int AS mentions, {field(3)}::int AS positive,
           {field(4)}::int AS negative, {field(5)}::int AS neutral, {field(6)}::int AS neutral_negated,
           {field(7)}::int AS stars_1, {field(8)}::int AS stars_2, {field(9)}::int AS stars_3,
           {field(10)}::int AS stars_4, {field(11)}::int AS stars_5,
           NULLIF({field(12)}, '')::bigint AS quote_1, NULLIF({field(13)}, '')::bigint AS quote_2
    FROM string_to_table({several}, E'\\n') line
    UNION ALL
    SELECT one.term, 1, ({kind} = '{praise}')::int, ({kind} = '{complaint}')::int,
           ({kind} IN ('{neutral}', '{negated}'))::int, ({kind} = '{negated}')::int,
           ({stars} = '1')::int, ({stars} = '2')::int, ({stars} = '3')::int, ({stars} = '4')::int, ({stars} = '5')::int,
           {field(2)}::bigint, NULL
    {one_review}) lines"""


def _postings():
    """The entries of packed_terms as rows (term, block, product_id, tf, length), decoded in SQL: a
    byte naming the row's layout, then 8-byte narrow entries (the product's offset in the block, and
    twice the tf and the length, big-endian unsigned) or 20-byte wide ones (the product id, then tf and
    length as float8). A statement that names its blocks reads only their rows."""

    def field(at, size):  # the entry's bytes from ``at``, as bits
        return f"('x' || encode(substr(p.entries, i + {at + 1}, {size}), 'hex'))::bit({8 * size})"

    def float8(at):  # IEEE 754 from its bits: sign, exponent, mantissa (every value stored is normal or 0)
        return f"""(SELECT CASE WHEN b & 9223372036854775807 = 0 THEN 0.0::float8
                     ELSE sign(b::float8 + 0.5) * ((b & 4503599627370495) + 4503599627370496)::float8
                          * power(2::float8, ((b >> 52) & 2047) - 1075) END
                FROM (SELECT {field(at, 8)}::bigint AS b) f)"""

    return f"""
SELECT p.term, p.block,
       CASE WHEN narrow THEN p.block * {BLOCK} + {field(0, 2)}::int
            ELSE {field(0, 4)}::int END AS product_id,
       CASE WHEN narrow THEN {field(2, 2)}::int / 2.0::float8
            ELSE {float8(4)} END AS tf,
       CASE WHEN narrow THEN {field(4, 4)}::bigint / 2.0::float8
            ELSE {float8(12)} END AS length
FROM packed_terms p, LATERAL (SELECT get_byte(p.entries, 0) = 0 AS narrow) l,
     generate_series(1, length(p.entries) - 1, CASE WHEN narrow THEN 8 ELSE 20 END) i"""


# Views over the one-row-per-product tables, as rows a statement can join: the rebuilds and the
# evidence readers use them. A view is bound to its table, not to its name, so a full rebuild that swaps
# in new tables makes them again (amazen.search.indexer). Kept here, with the tables they read.
VIEWS = {
    # packed_terms as (term, block, product_id, tf, length).
    "product_terms": _postings(),
    # product_evidence as (term, product_id, mentions, positive, negative, neutral, neutral_negated, rated,
    # stars_sum, stars_1 ... stars_5, quote_1, quote_2).
    "descriptor_evidence": _evidence_lines(),
    # descriptor_evidence of each product's head (product_evidence.head_length): what descriptor
    # suggestions read (amazen.search.heads reads the same lines in Python, kept in each process's cache).
    "head_evidence": _evidence_lines(head=True),
}


def create_view(name):
    """The statement that makes view ``name`` of VIEWS."""
    return f"CREATE VIEW {name} AS {VIEWS[name].strip()};\n"
