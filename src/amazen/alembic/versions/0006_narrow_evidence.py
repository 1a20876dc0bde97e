"""narrow evidence: a packed_evidence row's entries begin with a byte saying their layout

Revision ID: 0006_narrow_evidence
Revises: 0005_evidence_head

A row whose values all fit a byte stores its entries in 6 bytes each (the product's offset in the block,
then the four values) instead of 20 (amazen.search.packed.NARROW): nine in ten entries are a product's
one review mentioning the descriptor. The other rows keep the 20-byte entries. Rows written before are
marked as 20-byte rows here, so the index stays valid; the next full `amazen-reindex` stores them narrow.
"""

from alembic import op

revision = "0006_narrow_evidence"
down_revision = "0005_evidence_head"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE packed_evidence SET entries = '\\x01'::bytea || entries")


def downgrade():
    """Every row's entries back as 20-byte entries without the layout byte; a narrow entry's signed
    values are its bytes read as two's complement (b # 128 - 128)."""
    op.execute(
        """
UPDATE packed_evidence SET entries = CASE WHEN get_byte(entries, 0) = 1 THEN substr(entries, 2) ELSE (
    SELECT string_agg(int4send(block * 1024 + get_byte(entries, 1 + 6 * i) * 256 + get_byte(entries, 2 + 6 * i))
                      || int4send((get_byte(entries, 3 + 6 * i) # 128) - 128)
                      || int4send((get_byte(entries, 4 + 6 * i) # 128) - 128)
                      || int4send(get_byte(entries, 5 + 6 * i)) || int4send(get_byte(entries, 6 + 6 * i)),
                      ''::bytea ORDER BY i)
    FROM generate_series(0, (length(entries) - 1) / 6 - 1) i) END
"""
    )
