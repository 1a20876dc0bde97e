"""blocks of 4,096 products: the packed rows of four blocks of 1,024 become one row

Revision ID: 0011_blocks_of_4096
Revises: 0010_one_review_lines_by_review

A packed row holds a term's entries in one block of product ids. With blocks of 4,096 products a common
term has a quarter of the rows, and each row's overhead (its header and its key) is paid a quarter as
often. The upgrade joins each term's rows of four old blocks into one, in product order: a narrow
entry's offset in the block grows by 1,024 for each old block before it in the new one; a term whose
old rows were not all narrow gets a wide row (narrow entries written out as 20-byte ones). Every
block's facts are joined the same way. The downgrade splits them again.
"""

from alembic import op

revision = "0011_blocks_of_4096"
down_revision = "0010_one_review_lines_by_review"
branch_labels = None
depends_on = None

OLD, NEW = 1024, 4096
PARTS = NEW // OLD
# A narrow entry's offset is two big-endian bytes: each old block before it in the new one adds this
# much to its first byte (1,024 / 256), and an offset's first byte over this is its old block's part.
HIGH = OLD // 256
NARROW, WIDE = 0, 1
WIDE_SIZE = 20
# Each kind: its narrow entries' size, and SQL for the narrow entry ``i`` of ``entries`` of old block
# ``block`` written out wide (byte(k): the entry's k-th byte, from 1; old: the old blocks' size).
KINDS = {
    "terms": (
        8,
        "int4send(({block} * {old} + {b1} * 256 + {b2})::int)"
        " || float8send(({b3} * 256 + {b4}) / 2.0::float8)"
        " || float8send(({b5} * 16777216 + {b6} * 65536 + {b7} * 256 + {b8}) / 2.0::float8)",
    ),
    "evidence": (
        6,
        "int4send(({block} * {old} + {b1} * 256 + {b2})::int)"
        " || int4send({b3} - 256 * ({b3} >= 128)::int) || int4send({b4} - 256 * ({b4} >= 128)::int)"
        " || int4send({b5}) || int4send({b6})",
    ),
}


def _entries(size):
    """A FROM item of each entry of a row: its number i (from 0) and its bytes."""
    return (
        f"generate_series(0, (length(entries) - 1) / {size} - 1) i,"
        f" LATERAL (SELECT substr(entries, 2 + i * {size}, {size}) AS e) x"
    )


def _byte(size, k):
    return f"get_byte(entries, {k} + i * {size})"


def _join(kind):
    size, wide = KINDS[kind]
    as_wide = wide.format(block="block", old=OLD, **{f"b{k}": _byte(size, k) for k in range(1, size + 1)})
    shifted = f"set_byte(e, 0, get_byte(e, 0) + {HIGH} * (block % {PARTS}))"
    return f"""
CREATE TEMP TABLE joined ON COMMIT DROP AS
SELECT term, block / {PARTS} AS block,
       CASE WHEN bool_and(layout = {NARROW})
            THEN '\\x00'::bytea || string_agg(narrow, ''::bytea ORDER BY block)
            ELSE '\\x01'::bytea || string_agg(wide, ''::bytea ORDER BY block) END AS entries
FROM (SELECT term, block, get_byte(entries, 0) AS layout,
             CASE WHEN get_byte(entries, 0) = {NARROW} AND block % {PARTS} = 0 THEN substr(entries, 2)
                  WHEN get_byte(entries, 0) = {NARROW}
                  THEN (SELECT string_agg({shifted}, ''::bytea ORDER BY i) FROM {_entries(size)}) END AS narrow,
             CASE WHEN get_byte(entries, 0) = {WIDE} THEN substr(entries, 2)
                  WHEN EXISTS (SELECT 1 FROM packed_{kind} w
                               WHERE w.term = p.term AND get_byte(w.entries, 0) = {WIDE}
                                 AND w.block BETWEEN p.block / {PARTS} * {PARTS} AND p.block / {PARTS} * {PARTS} + {PARTS - 1})
                  THEN (SELECT string_agg({as_wide}, ''::bytea ORDER BY i) FROM {_entries(size)}) END AS wide
      FROM packed_{kind} p) rows
GROUP BY term, block / {PARTS};
TRUNCATE packed_{kind};
INSERT INTO packed_{kind} (term, block, entries) SELECT term, block, entries FROM joined;
DROP TABLE joined;
"""


def _split(kind):
    size, _ = KINDS[kind]
    # The old block of each entry: a narrow one's offset's high byte over 4, a wide one's id over 1,024.
    return f"""
CREATE TEMP TABLE split ON COMMIT DROP AS
SELECT term, part AS block, layout || string_agg(e, ''::bytea ORDER BY i) AS entries
FROM (SELECT term, '\\x00'::bytea AS layout, i, block * {PARTS} + get_byte(x.e, 0) / {HIGH} AS part,
             set_byte(x.e, 0, get_byte(x.e, 0) % {HIGH}) AS e
      FROM packed_{kind}, {_entries(size)} WHERE get_byte(entries, 0) = {NARROW}
      UNION ALL
      SELECT term, '\\x01'::bytea, i, (get_byte(x.e, 0)::bigint * 16777216 + get_byte(x.e, 1) * 65536
                                       + get_byte(x.e, 2) * 256 + get_byte(x.e, 3)) / {OLD}, x.e
      FROM packed_{kind}, {_entries(WIDE_SIZE)} WHERE get_byte(entries, 0) = {WIDE}) entries
GROUP BY term, part, layout;
TRUNCATE packed_{kind};
INSERT INTO packed_{kind} (term, block, entries) SELECT term, block, entries FROM split;
DROP TABLE split;
"""


RECORD_SIZE = 32  # a product's facts (price, rating, rating count, review count, brand, category count)
JOIN_FACTS = f"""
CREATE TEMP TABLE joined ON COMMIT DROP AS
SELECT block / {PARTS} AS block, string_agg(ids, ''::bytea ORDER BY block) AS ids,
       string_agg(records, ''::bytea ORDER BY block) AS records,
       string_agg(category_ids, ''::bytea ORDER BY block) AS category_ids
FROM packed_facts GROUP BY 1;
TRUNCATE packed_facts;
INSERT INTO packed_facts SELECT * FROM joined;
DROP TABLE joined;
"""
# Each product's id, record and category ids (as many as its record's last field says, after those of
# the products before it in the row), grouped by old block.
SPLIT_FACTS = f"""
CREATE TEMP TABLE products ON COMMIT DROP AS
SELECT id, record, category_ids, count, sum(count) OVER (PARTITION BY block ORDER BY i) - count AS start
FROM (SELECT f.block, i, f.category_ids, substr(f.records, 1 + i * {RECORD_SIZE}, {RECORD_SIZE}) AS record,
             (get_byte(f.ids, 4 * i)::bigint * 16777216 + get_byte(f.ids, 4 * i + 1) * 65536
              + get_byte(f.ids, 4 * i + 2) * 256 + get_byte(f.ids, 4 * i + 3))::int AS id,
             get_byte(f.records, i * {RECORD_SIZE} + 28)::bigint * 16777216 + get_byte(f.records, i * {RECORD_SIZE} + 29) * 65536
             + get_byte(f.records, i * {RECORD_SIZE} + 30) * 256 + get_byte(f.records, i * {RECORD_SIZE} + 31) AS count
      FROM packed_facts f, generate_series(0, length(f.ids) / 4 - 1) i) p;
CREATE TEMP TABLE split ON COMMIT DROP AS
SELECT id / {OLD} AS block, string_agg(int4send(id), ''::bytea ORDER BY id) AS ids,
       string_agg(record, ''::bytea ORDER BY id) AS records,
       string_agg(substr(category_ids, 1 + 4 * start::int, 4 * count::int), ''::bytea ORDER BY id) AS category_ids
FROM products GROUP BY 1;
TRUNCATE packed_facts;
INSERT INTO packed_facts SELECT * FROM split;
DROP TABLE products, split;
"""


def upgrade():
    for kind in KINDS:
        op.execute(_join(kind))
    op.execute(JOIN_FACTS)


def downgrade():
    for kind in KINDS:
        op.execute(_split(kind))
    op.execute(SPLIT_FACTS)
