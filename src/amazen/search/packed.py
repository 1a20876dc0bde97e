"""The packed index: each term's postings and each descriptor's evidence as arrays of fixed-width records,
one row per term and block of product ids, made from the analysis of the products' text and from
descriptor_evidence; and every product's facts the same way, one row per block (packed_facts). The
postings are kept nowhere else: the view product_terms shows them as rows.

Ranking reads the arrays a search needs and scores, filters, counts facets and sorts them with numpy
(``amazen.search.ranking``): row at a time in SQL, a common word's tens of thousands of candidates cost a
few microseconds each in every step; as arrays, tens of nanoseconds. The arrays are ordinary rows kept
in the same transaction as the tables they are packed from (``repack`` after a partial rebuild,
``PackedBlock`` in a full one), so every app process reads a written review on its next request and none
keeps an index of its own.

Neither postings nor evidence repeat their products' facts (price, rating, counts, brand number,
categories): a search takes its candidates' facts from packed_facts, one row per block, which every app
process keeps decoded in its cache (amazen.search.ranking.IndexReader.every_fact).
A block is BLOCK consecutive product ids (amazen.models.search): a written review repacks its product's
block of every descriptor it has, not the whole array; a changed text, of every term too.

Two ways to pack, one layout. A full rebuild's workers, which analyse one whole block of products at a
time, pack it as they go (``PackedBlock``). A partial rebuild splices its products' new entries into the
arrays in place of their old ones (``repack``), its products' old terms read from their blocks' arrays
(``note_previous_terms``). A test decodes the arrays after each and compares them with the analysis and
the rows.
"""

import io
import struct
from itertools import chain, repeat
from typing import NamedTuple

import numpy as np

from amazen.models.search import BLOCK

# Big-endian, as int4send/float8send write them. NaN stands for a NULL price or rating, -1 for no brand.
RECORD = np.dtype(
    [
        ("price", ">f8"),
        ("rating", ">f8"),
        ("rating_count", ">i4"),
        ("review_count", ">i4"),
        ("brand", ">i4"),
        ("category_count", ">i4"),
    ]
)
POSTING = np.dtype([("id", ">i4"), ("tf", ">f8"), ("length", ">f8")])
EVIDENCE = np.dtype([("id", ">i4"), ("net", ">i4"), ("neutral_net", ">i4"), ("stars_sum", ">i4"), ("rated", ">i4")])
# How a packed row stores its entries: a first byte saying which layout the rest has. NARROW: the
# product's offset in the block (the row's key has the block) and the values in fewer bytes, when every
# entry of the row fits; else WIDE (POSTING or EVIDENCE). Readers get the wide arrays either way
# (``wide_entries``).
# - Evidence: nine in ten entries are a product's one review mentioning the descriptor, so every value
#   fits a byte: 6 bytes an entry instead of 20.
# - Postings: tf and length are sums of field weights (documents.FIELD_WEIGHTS: whole numbers and
#   halves), stored doubled as whole numbers: 8 bytes instead of 20.
NARROW_ROW, WIDE_ROW = b"\x00", b"\x01"
NARROW_EVIDENCE = np.dtype([("offset", ">u2"), ("net", "i1"), ("neutral_net", "i1"), ("stars_sum", "u1"), ("rated", "u1")])
NARROW_POSTING = np.dtype([("offset", ">u2"), ("tf", ">u2"), ("length", ">u4")])


class Layout(NamedTuple):
    wide: np.dtype
    narrow: np.dtype
    values: tuple  # the fields besides the product
    scale: int  # a narrow value is the wide one times this


LAYOUTS = {
    POSTING: Layout(POSTING, NARROW_POSTING, ("tf", "length"), 2),
    EVIDENCE: Layout(EVIDENCE, NARROW_EVIDENCE, ("net", "neutral_net", "stars_sum", "rated"), 1),
}

_ID = struct.Struct(">i")
_ROW_START = struct.Struct(">hi")  # a COPY binary row's field count, then its first field's size
_NAN = float("nan")

# One record per product being packed ({products}: some products, as p), in RECORD's layout, with its
# category ids, in id order.
RECORDS = """
SELECT p.id,
       float8send(COALESCE(p.price::float8, 'NaN')) || float8send(COALESCE(p.rating_average, 'NaN'))
       || int4send(p.rating_count) || int4send(p.review_count) || int4send(COALESCE(b.id, -1))
       || int4send(COALESCE(cardinality(p.search_categories), 0)) AS record,
       COALESCE((SELECT string_agg(int4send(c), ''::bytea ORDER BY o)
                 FROM unnest(p.search_categories) WITH ORDINALITY u(c, o)), ''::bytea) AS category_ids
FROM {products} LEFT JOIN brands b ON b.name = p.brand
ORDER BY p.id
"""
# Brands are numbered once, in the order they first arrive: the numbers only need to be stable.
NUMBER_BRANDS = """
INSERT INTO brands (name) SELECT DISTINCT brand FROM products p WHERE brand IS NOT NULL AND {where}
ON CONFLICT (name) DO NOTHING
"""


def _pack_sql(layout, rows):
    """The statement that packs ``rows`` (a FROM item of (term, product_id, and layout's values), with
    a {where} to fill in) as rows (term, block, entries) in product order: in the NARROW layout where
    every entry of the row fits it, else WIDE. substr(int8send(v), 9 - n) is v's lowest n bytes."""
    fits, wide, narrow = [], ["int4send(product_id)"], [f"int2send(mod(product_id, {BLOCK})::int2)"]
    for name in layout.values:
        scaled, limits = name if layout.scale == 1 else f"{name} * {layout.scale}", np.iinfo(layout.narrow[name])
        fits.append(f"{scaled} BETWEEN {limits.min} AND {limits.max}")
        if layout.wide[name].kind == "f":
            fits.append(f"{scaled} = trunc({scaled})")
        wide.append(f"{'float8send' if layout.wide[name].kind == 'f' else 'int4send'}({name})")
        narrow.append(f"substr(int8send(({scaled})::bigint), {9 - layout.narrow[name].itemsize})")
    return f"""
SELECT term, block,
       CASE WHEN bool_and(narrow IS NOT NULL)
            THEN '\\x{NARROW_ROW.hex()}'::bytea || string_agg(narrow, ''::bytea ORDER BY product_id)
            ELSE '\\x{WIDE_ROW.hex()}'::bytea || string_agg(wide, ''::bytea ORDER BY product_id) END
FROM (SELECT term, product_id, product_id / {BLOCK} AS block, {" || ".join(wide)} AS wide,
             CASE WHEN {" AND ".join(fits)} THEN {" || ".join(narrow)} END AS narrow
      FROM {rows}) e
GROUP BY 1, 2
"""


# How many entries a packed_terms row has, in SQL.
POSTINGS_IN_ROW = (
    f"(length(entries) - 1) / CASE substr(entries, 1, 1) WHEN '\\x{NARROW_ROW.hex()}'::bytea"
    f" THEN {NARROW_POSTING.itemsize} ELSE {POSTING.itemsize} END"
)
# Postings and evidence ({where}: which), one row per term and block: the postings a partial rebuild's
# analysis found (analysed_terms, amazen.search.scratch), the evidence of product_evidence's rows.
PACK_TERMS = _pack_sql(LAYOUTS[POSTING], "(SELECT x.term, x.product_id, x.tf, x.length FROM analysed_terms x {where}) x")
# A product's packed evidence entry for a term, from descriptor_evidence x: what PACK_EVIDENCE packs, and
# what a partial rebuild compares before and after (EVIDENCE_VALUES).
EVIDENCE_ENTRY = "x.term, x.product_id, x.positive - x.negative, x.neutral - 2 * x.neutral_negated, x.stars_sum, x.rated"
PACK_EVIDENCE = _pack_sql(
    LAYOUTS[EVIDENCE],
    f"(SELECT {EVIDENCE_ENTRY} FROM descriptor_evidence x {{where}}) x (term, product_id, net, neutral_net, stars_sum, rated)",
)
# The two kinds of packed rows, packed_terms and packed_evidence: how each is packed, and the entries
# readers get. A partial rebuild finds its products' postings before and after in these tables (rows
# with a term and a product_id), their evidence in descriptor_evidence.
KINDS = ("terms", "evidence")
PACK = {"terms": PACK_TERMS, "evidence": PACK_EVIDENCE}
OLD_TERMS, NEW_TERMS = "previous_terms", "analysed_terms"
WIDE = {"terms": POSTING, "evidence": EVIDENCE}
COLUMNS = ("term", "block", "entries")
# The rows a partial repack packs again: its products' entries in the (term, block) pairs it splices.
REPACKED = f"WHERE x.product_id = ANY(%(ids)s) AND (x.term, x.product_id / {BLOCK}) IN (SELECT term, block FROM repack_{{kind}})"
# A partial repack's old rows (those of the (term, block) pairs in repack_{kind}, see remember), taken
# out of the live table to be spliced ({blocks}: of some blocks).
TAKE_OLD_ROWS = """
DELETE FROM packed_{kind} p USING (SELECT DISTINCT term, block FROM repack_{kind} WHERE block = ANY(%(blocks)s)) k
WHERE p.term = k.term AND p.block = k.block
RETURNING {returning}
"""
SPLICE_BLOCKS = 16  # blocks spliced at a time: their rows are held in memory, a few MB per block

# A partial repack's blocks' facts, taken out of the live table to be spliced.
TAKE_OLD_FACTS = "DELETE FROM packed_facts WHERE block = ANY(%s) RETURNING block, ids, records, category_ids"

# A full rebuild packs into new tables beside the live ones and swaps them in with the others
# (amazen.search.indexer): stored uncompressed (a compressed array would be decompressed on every read).
NEW_TABLES = """
DROP TABLE IF EXISTS packed_terms_new, packed_evidence_new, packed_facts_new;
CREATE TABLE packed_terms_new (LIKE packed_terms INCLUDING DEFAULTS INCLUDING STORAGE);
CREATE TABLE packed_evidence_new (LIKE packed_evidence INCLUDING DEFAULTS INCLUDING STORAGE);
CREATE TABLE packed_facts_new (LIKE packed_facts INCLUDING DEFAULTS INCLUDING STORAGE);
"""
NEW_KEYS = """
ALTER TABLE packed_terms_new ADD CONSTRAINT pk_packed_terms_new PRIMARY KEY (term, block);
CREATE INDEX ix_packed_terms_block_new ON packed_terms_new USING brin (block);
ALTER TABLE packed_evidence_new ADD CONSTRAINT pk_packed_evidence_new PRIMARY KEY (term, block);
ALTER TABLE packed_facts_new ADD CONSTRAINT pk_packed_facts_new PRIMARY KEY (block);
ANALYZE packed_terms_new, packed_evidence_new, packed_facts_new;
"""
SWAP_TABLES = """
DROP TABLE packed_terms, packed_evidence, packed_facts;
ALTER TABLE packed_terms_new RENAME TO packed_terms;
ALTER TABLE packed_terms RENAME CONSTRAINT pk_packed_terms_new TO pk_packed_terms;
ALTER INDEX ix_packed_terms_block_new RENAME TO ix_packed_terms_block;
ALTER TABLE packed_evidence_new RENAME TO packed_evidence;
ALTER TABLE packed_evidence RENAME CONSTRAINT pk_packed_evidence_new TO pk_packed_evidence;
ALTER TABLE packed_facts_new RENAME TO packed_facts;
ALTER TABLE packed_facts RENAME CONSTRAINT pk_packed_facts_new TO pk_packed_facts;
"""
# Serialises repacks of the same block (the key's first half names this lock): a repack reads the block's
# rows as they are when it starts, so a second writer must start after the first has committed.
BLOCK_LOCK = "SELECT pg_advisory_xact_lock(1885431394, b) FROM unnest(%s::int[]) b ORDER BY b"


BLOCK_TERMS = "SELECT term, block, entries FROM packed_terms WHERE block = ANY(%s)"


def note_previous_terms(cursor, product_ids):
    """Before a partial rebuild replaces these products' postings: the terms each of them has, into
    previous_terms (amazen.search.scratch), read from their blocks' arrays, some blocks at a time, and decoded
    with numpy. Where the partial rebuild's ``remember`` and the document frequencies
    (amazen.search.totals) find the terms they had."""
    ids = np.array(sorted(product_ids), dtype=np.int64)
    blocks = np.unique(ids // BLOCK).tolist()
    for start in range(0, len(blocks), SPLICE_BLOCKS):
        cursor.execute(BLOCK_TERMS, (blocks[start : start + SPLICE_BLOCKS],))
        rows = cursor.fetchall()
        if not rows:
            continue
        numbers, entry_ids = posting_ids(rows)
        found = np.flatnonzero(np.isin(entry_ids, ids))
        pairs = zip(numbers[found].tolist(), entry_ids[found].tolist())
        lines = "".join([f"{rows[number][0]}\t{product_id}\n" for number, product_id in pairs])
        cursor.copy_expert("COPY previous_terms (term, product_id) FROM STDIN", io.StringIO(lines))


def posting_ids(rows):
    """The product id of every entry of packed_terms rows (term, block, entries), and the number of the
    row it is in, whichever layout each row has: only the ids, all rows' at once, where ``wide_entries``
    would widen every value and give each row back."""
    layouts = {NARROW_ROW[0]: ([], [], []), WIDE_ROW[0]: ([], [], [])}  # the rows' numbers, blocks, entries
    for number, (_, block, data) in enumerate(rows):
        data = memoryview(data).cast("B")  # psycopg2's bytea views are of chars: read as bytes
        numbers, blocks, parts = layouts[data[0]]
        numbers.append(number)
        blocks.append(block)
        parts.append(data[1:])  # joined below without a copy of each
    found_numbers, found_ids = [np.empty(0, np.intp)], [np.empty(0, np.int64)]
    for first, dtype in ((NARROW_ROW[0], NARROW_POSTING), (WIDE_ROW[0], POSTING)):
        numbers, blocks, parts = layouts[first]
        if not numbers:
            continue
        counts = np.fromiter(map(len, parts), dtype=np.intp, count=len(parts)) // dtype.itemsize
        entries = np.frombuffer(b"".join(parts), dtype=dtype)
        if dtype is NARROW_POSTING:
            found_ids.append(np.repeat(np.array(blocks, dtype=np.int64) * BLOCK, counts) + entries["offset"])
        else:
            found_ids.append(entries["id"].astype(np.int64))
        found_numbers.append(np.repeat(np.array(numbers, dtype=np.intp), counts))
    return np.concatenate(found_numbers), np.concatenate(found_ids)


# The (term, block) pairs of some products' postings ({source}: analysed or previous).
TERM_PAIRS = f"INSERT INTO repack_terms SELECT DISTINCT term, product_id / {BLOCK} FROM {{source}} WHERE product_id = ANY(%s)"
# Some products' packed evidence entries, by term.
EVIDENCE_VALUES = f"SELECT {EVIDENCE_ENTRY} FROM descriptor_evidence x WHERE x.product_id = ANY(%s)"
# The (term, block) pairs whose entry of one of some products changed, was added or went: the only
# evidence arrays a partial rebuild rewrites. A written review changes the entries of the terms it
# mentions, not the rest of its product's.
CHANGED_EVIDENCE_PAIRS = f"""
INSERT INTO repack_evidence
SELECT DISTINCT term, product_id / {BLOCK}
FROM ({EVIDENCE_VALUES}) n (term, product_id, net, neutral_net, stars_sum, rated)
FULL JOIN previous_evidence o USING (term, product_id)
WHERE (n.net, n.neutral_net, n.stars_sum, n.rated) IS DISTINCT FROM (o.net, o.neutral_net, o.stars_sum, o.rated)
"""


def remember(cursor, product_ids, kinds=KINDS):
    """Before a partial rebuild replaces these products' rows (and, with "terms", after
    ``note_previous_terms``), for each of ``kinds``: the (term, block) pairs of packed_terms they are in,
    whose arrays ``repack`` splices with the pairs of their new rows (a term a product no longer has must
    leave its block's array too); their packed_evidence entries' values, which ``repack`` compares with
    the new ones."""
    if "terms" in kinds:
        cursor.execute(TERM_PAIRS.format(source=OLD_TERMS), (product_ids,))
    if "evidence" in kinds:
        cursor.execute(f"INSERT INTO previous_evidence {EVIDENCE_VALUES}", (product_ids,))


def repack(cursor, product_ids, kinds=KINDS):
    """After a partial rebuild of these products (``remember`` was called first, with the same ``kinds``):
    splice their new entries into the arrays of every term they had or have (with "terms") and of every
    descriptor whose entry changed (with "evidence"), in place of their old ones, and their facts into
    their blocks' facts. Those packed_facts rows are always written anew: their new versions are what
    tell every process's cache (amazen.search.blockcache) that the blocks changed.

    Spliced rather than packed again from the rows: the rows are keyed by product, and a term's rows in
    a block are found from the packed array that holds them. A written review rewrites the evidence
    arrays of the terms whose entry it changes, whole.
    """
    if "terms" in kinds:
        cursor.execute(TERM_PAIRS.format(source=NEW_TERMS), (product_ids,))
    if "evidence" in kinds:
        cursor.execute(CHANGED_EVIDENCE_PAIRS, (product_ids,))
    blocks = sorted({product_id // BLOCK for product_id in product_ids})
    cursor.execute(BLOCK_LOCK, (blocks,))
    cursor.execute(NUMBER_BRANDS.format(where="p.id = ANY(%(ids)s)"), {"ids": product_ids})
    # The records of these products only: the other products' facts do not change, and are spliced.
    products = "(SELECT * FROM products JOIN product_stats ON product_id = id WHERE id = ANY(%(ids)s)) p"
    for start in range(0, len(blocks), SPLICE_BLOCKS):
        some = blocks[start : start + SPLICE_BLOCKS]
        in_some = set(some)
        ids = [product_id for product_id in product_ids if product_id // BLOCK in in_some]
        for kind in kinds:
            dtype = WIDE[kind]
            returning = ", ".join(f"p.{column}" for column in COLUMNS)
            cursor.execute(TAKE_OLD_ROWS.format(kind=kind, returning=returning), {"blocks": some})
            old = cursor.fetchall()
            cursor.execute(PACK[kind].format(where=REPACKED.format(kind=kind)), {"ids": ids})
            data = spliced(old, cursor.fetchall(), ids, dtype)
            if data:
                columns = ", ".join(COLUMNS)
                cursor.copy_expert(f"COPY packed_{kind} ({columns}) FROM STDIN WITH (FORMAT binary)", io.BytesIO(data))
    cursor.execute(TAKE_OLD_FACTS, (blocks,))
    old = cursor.fetchall()
    cursor.execute(RECORDS.format(products=products), {"ids": product_ids})
    cursor.executemany(
        "INSERT INTO packed_facts (block, ids, records, category_ids) VALUES (%s, %s, %s, %s)",
        spliced_facts(old, cursor.fetchall(), product_ids),
    )


def wide_entries(blocks, entries, dtype):
    """Each packed row's ``entries`` (bytes, of the row of the same place in ``blocks``; of packed_terms
    for POSTING ``dtype``, of packed_evidence for EVIDENCE) as ``dtype`` bytes, whichever layout it was
    stored in. The NARROW rows are widened together with numpy: a search reads hundreds of rows."""
    layout = LAYOUTS[dtype]
    out, narrow, parts = [], [], []
    for i, data in enumerate(entries):
        if data[:1] == NARROW_ROW:
            narrow.append(i)
            parts.append(memoryview(data)[1:])  # joined below without a copy of each
            out.append(None)
        else:
            out.append(data[1:])
    if not narrow:
        return out
    counts = np.fromiter(map(len, parts), dtype=np.intp, count=len(parts)) // layout.narrow.itemsize
    values = np.frombuffer(b"".join(parts), dtype=layout.narrow)
    wide = np.empty(len(values), dtype=dtype)
    wide["id"] = np.repeat(np.array([blocks[i] for i in narrow], dtype=np.int64) * BLOCK, counts) + values["offset"]
    for name in layout.values:
        wide[name] = values[name] / layout.scale if layout.scale != 1 else values[name]
    data, size, start = wide.tobytes(), dtype.itemsize, 0
    for i, end in zip(narrow, np.cumsum(counts).tolist()):
        out[i] = data[start * size : end * size]
        start = end
    return out


def spliced(old, new, product_ids, dtype):
    """COPY (FORMAT binary) data of the packed rows ``old`` become when the entries of ``product_ids``
    are replaced by those in ``new`` (both: rows of (term, block, entries), of packed_terms for POSTING
    ``dtype``, of packed_evidence for EVIDENCE); a row left without entries is left out.

    All rows at once with numpy: their entries in one array, in row and then product order.
    """
    # Spliced as wide arrays, stored again in the layout that fits.
    old, new = (
        [(term, block, entries) for (term, block, _), entries in zip(rows, _wide_rows(rows, dtype))] for rows in (old, new)
    )
    keys, rows_of, fresh, parts = {}, [], [], []
    for is_new, rows in ((False, old), (True, new)):
        for term, block, entries in rows:
            rows_of.append(keys.setdefault((term, block), len(keys)))
            fresh.append(is_new)
            parts.append(entries)
    if not keys:
        return b""
    entries = np.frombuffer(b"".join(parts), dtype=dtype)
    counts = np.fromiter(map(len, parts), dtype=np.intp, count=len(parts)) // dtype.itemsize
    row = np.repeat(np.array(rows_of, dtype=np.intp), counts)
    keep = np.flatnonzero(np.repeat(np.array(fresh), counts) | ~np.isin(entries["id"], product_ids))
    if not keep.size:
        return b""
    order = keep[np.lexsort((entries["id"][keep], row[keep]))]
    ends = np.cumsum(np.bincount(row[order], minlength=len(keys)))
    return _copy_data([_rows(((term, _block_field(block)) for term, block in keys), ends, entries[order])])


def _wide_rows(rows, dtype):
    """The ``dtype`` bytes of packed rows (term, block, entries)."""
    return wide_entries([block for _, block, _ in rows], [bytes(entries) for _, _, entries in rows], dtype)


def spliced_facts(old, new, product_ids):
    """The packed_facts rows (block, ids, records, category ids) that the blocks' ``old`` rows become
    when the facts of ``product_ids`` are replaced by ``new`` ((id, record, category ids) of those that
    exist), in block order; a block left without products is left out."""
    ids, records, categories = [], [], []  # old rows, then new: a row of each per block or product
    for _, old_ids, old_records, old_categories in old:
        ids.append(bytes(old_ids))
        records.append(bytes(old_records))
        categories.append(bytes(old_categories))
    for product_id, record, category_ids in new:
        ids.append(_ID.pack(product_id))
        records.append(bytes(record))
        categories.append(bytes(category_ids))
    ids = np.frombuffer(b"".join(ids), ">i4")
    records = np.frombuffer(b"".join(records), RECORD)
    categories = np.frombuffer(b"".join(categories), np.uint8)
    old_count = sum(len(row[1]) for row in old) // _ID.size
    keep = np.concatenate((~np.isin(ids[:old_count], product_ids), np.ones(len(ids) - old_count, bool)))
    sizes = records["category_count"].astype(np.intp) * 4
    starts = np.cumsum(sizes) - sizes
    order = np.flatnonzero(keep)[np.argsort(ids[keep], kind="stable")]
    if not order.size:
        return []
    ids, records, starts, sizes = ids[order], records[order], starts[order], sizes[order]
    categories, ends = _gathered(categories, starts, sizes), np.cumsum(sizes)
    rows = []
    block_of = ids.astype(np.int64) // BLOCK
    bounds = np.flatnonzero(np.diff(block_of)) + 1
    for first, last in zip(np.concatenate(([0], bounds)), np.concatenate((bounds, [len(ids)]))):
        first_byte, last_byte = ends[first] - sizes[first], ends[last - 1]
        rows.append(
            (
                int(block_of[first]),
                ids[first:last].tobytes(),
                records[first:last].tobytes(),
                categories[first_byte:last_byte].tobytes(),
            )
        )
    return rows


def _gathered(buffer, starts, sizes):
    """The ``sizes[i]`` bytes from ``starts[i]`` of ``buffer`` (a uint8 array) for every i, one after the
    other: gathered as one array of byte offsets rather than range by range."""
    ends = np.cumsum(sizes)
    return buffer[np.arange(ends[-1] if len(ends) else 0) + np.repeat(starts - (ends - sizes), sizes)]


def _block_field(block):
    return _ID.pack(4) + _ID.pack(block)


def _rows(keys, ends, entries):
    """Packed rows as COPY (FORMAT binary) rows, without header or trailer: row i is the i-th of ``keys``
    ((term, its block as a COPY field)) with ``entries`` (a POSTING or EVIDENCE array) from ends[i - 1]
    to ends[i], in the NARROW layout when all their values fit it, else WIDE. A row without entries is
    left out."""
    layout = LAYOUTS[entries.dtype]
    fits = np.ones(len(entries), dtype=bool)
    narrow = np.zeros(len(entries), dtype=layout.narrow)
    narrow["offset"] = entries["id"] % BLOCK
    for name in layout.values:
        scaled, limits = entries[name] * layout.scale, np.iinfo(layout.narrow[name])
        fit = (scaled >= limits.min) & (scaled <= limits.max)
        if scaled.dtype.kind == "f":
            fit &= scaled == np.trunc(scaled)
        fits &= fit
        narrow[name] = np.where(fit, scaled, 0)  # a row with any entry that does not fit is WIDE
    starts = np.concatenate(([0], ends[:-1])).astype(np.intp)
    filled = ends > starts
    row_fits = np.zeros(len(ends), dtype=bool)
    row_fits[filled] = np.logical_and.reduceat(fits, starts[filled]) if len(fits) else []
    layouts = ((WIDE_ROW, entries.tobytes(), layout.wide.itemsize), (NARROW_ROW, narrow.tobytes(), layout.narrow.itemsize))
    # Every row's parts in one flat list, joined once rather than a join per row: real reviews' rare words
    # make about 25,000 rows a block.
    parts, start = [], 0
    for (term, block_field), end, is_narrow in zip(keys, ends.tolist(), row_fits.tolist()):
        if end == start:
            continue
        term = term.encode()
        first, data, size = layouts[is_narrow]
        parts += (
            _ROW_START.pack(3, len(term)),
            term,
            block_field,
            _ID.pack(1 + (end - start) * size),
            first,
            data[start * size : end * size],
        )
        start = end
    return b"".join(parts)


class PackedBlock:
    """One block's rows of packed_terms, packed_evidence and packed_facts, made in Python (a full
    rebuild's worker; see the module's docstring): the bytes RECORDS and _pack_sql make in SQL.

    Products must be added in id order. Each entry costs a few list appends; the arrays are made at
    the end with numpy, the block's entries sorted by term at once (stable: product order within each).
    """

    def __init__(self, block):
        self.block = block
        self.ids, self.lengths, self.records, self.category_ids = [], [], [], []  # per product
        self.terms = _Entries()  # values: tf
        self.evidence = _Entries()  # values: (net, neutral net, stars sum, rated, mentions, positive)

    def add_product(self, product_id, price, rating, rating_count, review_count, brand, category_ids, postings, evidence):
        """One product: its facts (``brand``: its number in brands), its postings (({term: tf}, length))
        and its evidence ([(term, (positive - negative, plain - negated neutral mentions, stars sum, rated,
        mentions, positive))])."""
        position = len(self.ids)
        tf, length = postings
        self.ids.append(product_id)
        self.lengths.append(length)
        self.records.append(
            (
                _NAN if price is None else price,
                _NAN if rating is None else rating,
                rating_count,
                review_count,
                -1 if brand is None else brand,
                len(category_ids),
            )
        )
        self.category_ids.append(struct.pack(f">{len(category_ids)}i", *category_ids))
        self.terms.add(position, tf.items())
        self.evidence.add(position, evidence)

    def copy_data(self):
        """(packed_terms, packed_evidence, packed_facts) rows as COPY (FORMAT binary) data, or b"" for none;
        and the block's totals per descriptor as COPY text for term_stats (``TERM_TOTALS``)."""
        if not self.ids:
            return b"", b"", b"", ""
        block = _ID.pack(self.block)
        block_field = _block_field(self.block)
        ids = np.array(self.ids, dtype=">i4")
        lengths = np.array(self.lengths, dtype=">f8")
        records = np.array(self.records, dtype=RECORD)
        tables, totals = [], ""
        for entries, dtype in ((self.terms, POSTING), (self.evidence, EVIDENCE)):
            count = len(entries.numbers)
            if not count:
                tables.append(b"")
                continue
            numbers = np.fromiter(entries.numbers, dtype=np.intp, count=count)
            order = np.argsort(numbers, kind="stable")
            positions = np.fromiter(entries.positions, dtype=np.intp, count=count)[order]
            array = np.empty(count, dtype=dtype)
            array["id"] = ids[positions]
            if dtype is POSTING:
                array["tf"] = np.fromiter(entries.values, dtype=np.float64, count=count)[order]
                array["length"] = lengths[positions]
            else:
                # Flattened first: numpy reads a flat iterator of ints faster than a list of tuples.
                values = np.fromiter(chain.from_iterable(entries.values), dtype=np.int64, count=6 * count).reshape(-1, 6)
                for column, name in enumerate(("net", "neutral_net", "stars_sum", "rated")):
                    array[name] = values[order, column]
                totals = _term_totals(entries, numbers, values[:, 4], values[:, 5])
            ends = np.cumsum(np.bincount(numbers, minlength=len(entries.index)))  # per term, in numbering order
            keys = zip(entries.index, repeat(block_field))
            tables.append(_copy_data([_rows(keys, ends, array)]))
        facts = _row(block, ids.tobytes(), records.tobytes(), b"".join(self.category_ids))
        return (*tables, _copy_data([facts]), totals)


# Each descriptor's products, mentions and positive mentions in one block, summed over the blocks into
# term_stats by a full rebuild (amazen.search.totals).
TERM_TOTALS = "block_term_totals (term, products, mentions, positive)"


def _term_totals(entries, numbers, mentions, positive):
    """COPY text of TERM_TOTALS: per term of ``entries``, its entries, and their mentions and positive mentions."""
    size = len(entries.index)
    counted = zip(
        entries.index,
        np.bincount(numbers, minlength=size).tolist(),
        np.bincount(numbers, weights=mentions, minlength=size).astype(np.int64).tolist(),
        np.bincount(numbers, weights=positive, minlength=size).astype(np.int64).tolist(),
    )
    return "".join([f"{term}\t{products}\t{m}\t{p}\n" for term, products, m, p in counted])


class _Entries:
    """A block's entries of one packed table as they arrive: each one's term number (terms numbered in
    the order they first come), product position in the block and values."""

    def __init__(self):
        self.index = {}  # term -> its number
        self.numbers, self.positions, self.values = [], [], []

    def add(self, position, found):
        index, numbers, values = self.index, self.numbers, self.values
        count = len(numbers)
        for term, value in found:
            number = index.get(term)
            if number is None:
                number = index[term] = len(index)
            numbers.append(number)
            values.append(value)
        self.positions.extend([position] * (len(numbers) - count))


def _row(*fields):
    """One row of COPY (FORMAT binary): the field count, then each field's size and bytes."""
    return struct.pack(">h", len(fields)) + b"".join(_ID.pack(len(value)) + value for value in fields)


def _copy_data(rows):
    if not rows:
        return b""
    # Signature, flags, header extension size; rows; the trailer.
    return b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0) + b"".join(rows) + struct.pack(">h", -1)
