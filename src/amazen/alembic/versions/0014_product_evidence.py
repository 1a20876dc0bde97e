"""product evidence: one row per product (product_evidence: a tab-separated line per term with its
mentions, positive and negative ones, 1-5 star counts and two quotes) instead of one row per term and
product (descriptor_evidence, now a view of the same rows). Searches read evidence from the packed
arrays; the rows are read a product at a time. Real reviews made 45 of them each, nine in ten for a
term only one review of the product mentions.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 04:00:00
"""
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

# As amazen.search.index.DESCRIPTOR_EVIDENCE makes it (kept here as it was at this revision).
VIEW = """
CREATE VIEW descriptor_evidence AS
SELECT term, product_id, mentions, positive, negative, stars_1 + stars_2 + stars_3 + stars_4 + stars_5 AS rated,
       stars_1 + 2 * stars_2 + 3 * stars_3 + 4 * stars_4 + 5 * stars_5 AS stars_sum,
       stars_1, stars_2, stars_3, stars_4, stars_5, quote_1, quote_2
FROM (SELECT split_part(line, E'\\t', 1) AS term, p.product_id, split_part(line, E'\\t', 2)::int AS mentions,
             split_part(line, E'\\t', 3)::int AS positive, split_part(line, E'\\t', 4)::int AS negative,
             split_part(line, E'\\t', 5)::int AS stars_1, split_part(line, E'\\t', 6)::int AS stars_2,
             split_part(line, E'\\t', 7)::int AS stars_3, split_part(line, E'\\t', 8)::int AS stars_4,
             split_part(line, E'\\t', 9)::int AS stars_5, NULLIF(split_part(line, E'\\t', 10), '')::bigint AS quote_1,
             NULLIF(split_part(line, E'\\t', 11), '')::bigint AS quote_2
      FROM product_evidence p, string_to_table(p.evidence, E'\\n') line) lines
"""
FIELDS = ("mentions", "positive", "negative", "stars_1", "stars_2", "stars_3", "stars_4", "stars_5")


def upgrade():
    op.execute('CREATE TABLE product_evidence (product_id int NOT NULL, evidence text COLLATE "C" NOT NULL, '
               'CONSTRAINT pk_product_evidence PRIMARY KEY (product_id))')
    line = " || E'\\t' || ".join(["term"] + [f"{field}::text" for field in FIELDS]
                                 + ["COALESCE(quote_1::text, '')", "COALESCE(quote_2::text, '')"])
    op.execute(f"INSERT INTO product_evidence SELECT product_id, string_agg({line}, E'\\n') "
               "FROM descriptor_evidence GROUP BY product_id")
    op.execute('DROP TABLE descriptor_evidence')
    op.execute(VIEW)


def downgrade():
    op.execute('CREATE TABLE descriptor_evidence_rows AS SELECT term, product_id, mentions, positive, negative, rated, '
               'stars_sum, stars_1, stars_2, stars_3, stars_4, stars_5, quote_1, quote_2 FROM descriptor_evidence')
    op.execute('DROP VIEW descriptor_evidence')
    op.execute('DROP TABLE product_evidence')
    op.execute('ALTER TABLE descriptor_evidence_rows RENAME TO descriptor_evidence')
    for column in ("term", "product_id", "mentions", "positive", "negative", "rated", "stars_sum", *FIELDS[3:]):
        op.execute(f'ALTER TABLE descriptor_evidence ALTER COLUMN {column} SET NOT NULL')
    op.execute('ALTER TABLE descriptor_evidence ALTER COLUMN rated SET DEFAULT 0, ALTER COLUMN stars_sum SET DEFAULT 0')
    op.execute('ALTER TABLE descriptor_evidence ADD CONSTRAINT pk_descriptor_evidence PRIMARY KEY (product_id, term)')
