"""narrow postings: a packed_terms row's entries begin with a byte saying their layout

Revision ID: 0009_narrow_postings
Revises: 0008_postings_without_facts

A row whose tf and lengths are whole numbers or halves that fit (all of them, with the field weights as
they are) stores its entries in 8 bytes each (the product's offset in the block, twice the tf in two
bytes, twice the length in four) instead of 20 (amazen.search.packed.NARROW_POSTING). Rows written
before are marked as 20-byte rows here, so the index stays valid; the next full `amazen-reindex` stores
them narrow.
"""

from alembic import op

revision = "0009_narrow_postings"
down_revision = "0008_postings_without_facts"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE packed_terms SET entries = '\\x01'::bytea || entries")


def downgrade():
    """Every row's entries back as 20-byte entries without the layout byte."""
    byte = "get_byte(entries, {} + 8 * i)::bigint".format
    op.execute(
        f"""
UPDATE packed_terms SET entries = CASE WHEN get_byte(entries, 0) = 1 THEN substr(entries, 2) ELSE (
    SELECT string_agg(int4send((block * 1024 + {byte(1)} * 256 + {byte(2)})::int)
                      || float8send(({byte(3)} * 256 + {byte(4)}) / 2.0::float8)
                      || float8send(({byte(5)} * 16777216 + {byte(6)} * 65536 + {byte(7)} * 256 + {byte(8)}) / 2.0::float8),
                      ''::bytea ORDER BY i)
    FROM generate_series(0, (length(entries) - 1) / 8 - 1) i) END
"""
    )
