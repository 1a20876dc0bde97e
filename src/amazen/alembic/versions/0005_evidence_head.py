"""evidence head: the terms descriptor suggestions read of a product, without the rest of its evidence

Revision ID: 0005_evidence_head
Revises: 0004_evidence_without_facts

product_evidence gains head_length: its first head_length characters are all the lines of a product
of at most 128 terms; a bigger product's lines begin with the terms several of its reviews mention,
most mentioned first, and its head is the first 128 of those. The view head_evidence reads only the
head; descriptor suggestions use it. Rows written before have no head_length and head_evidence reads
all their lines, until the next full `amazen-reindex` writes them anew.
"""

from alembic import op

revision = "0005_evidence_head"
down_revision = "0004_evidence_without_facts"
branch_labels = None
depends_on = None

VIEW = """
SELECT term, product_id, mentions, positive, negative, neutral, neutral_negated,
       stars_1 + stars_2 + stars_3 + stars_4 + stars_5 AS rated,
       stars_1 + 2 * stars_2 + 3 * stars_3 + 4 * stars_4 + 5 * stars_5 AS stars_sum,
       stars_1, stars_2, stars_3, stars_4, stars_5, quote_1, quote_2
FROM (SELECT split_part(line, E'\\t', 1) AS term, p.product_id, split_part(line, E'\\t', 2)::int AS mentions,
             split_part(line, E'\\t', 3)::int AS positive, split_part(line, E'\\t', 4)::int AS negative,
             split_part(line, E'\\t', 5)::int AS neutral, split_part(line, E'\\t', 6)::int AS neutral_negated,
             split_part(line, E'\\t', 7)::int AS stars_1, split_part(line, E'\\t', 8)::int AS stars_2,
             split_part(line, E'\\t', 9)::int AS stars_3, split_part(line, E'\\t', 10)::int AS stars_4,
             split_part(line, E'\\t', 11)::int AS stars_5, NULLIF(split_part(line, E'\\t', 12), '')::bigint AS quote_1,
             NULLIF(split_part(line, E'\\t', 13), '')::bigint AS quote_2
      FROM product_evidence p,
           string_to_table(CASE WHEN p.head_length IS NULL THEN p.evidence ELSE left(p.evidence, p.head_length) END,
                           E'\\n') line) lines"""


def upgrade():
    op.execute("ALTER TABLE product_evidence ADD COLUMN head_length integer")
    op.execute(f"CREATE VIEW head_evidence AS {VIEW.strip()}")


def downgrade():
    op.execute("DROP VIEW head_evidence")
    op.execute("ALTER TABLE product_evidence DROP COLUMN head_length")
