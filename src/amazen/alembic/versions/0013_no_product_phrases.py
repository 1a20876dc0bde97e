"""no stored product phrases: product_vocabulary and its view product_phrases are dropped

Revision ID: 0013_no_product_phrases
Revises: 0012_postings_only_packed

Each product's vocabulary phrases were stored as text so that a rebuild could take a product's old
phrases out of phrase_counts. An import now notes the text of the products it changes before it
changes them, and a rebuild makes their old phrases from that text; phrase_counts and the vocabulary
are unchanged. The downgrade makes the table and the view again, empty: the older code's
`amazen-reindex` fills them (until then its rebuilds would take no old phrases out).
"""

from alembic import op

revision = "0013_no_product_phrases"
down_revision = "0012_postings_only_packed"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DROP VIEW product_phrases")
    op.execute("DROP TABLE product_vocabulary")


def downgrade():
    op.execute(
        """
CREATE TABLE product_vocabulary (
    product_id integer NOT NULL,
    phrases text COLLATE "C" NOT NULL,
    CONSTRAINT pk_product_vocabulary PRIMARY KEY (product_id)
)"""
    )
    op.execute(
        """
CREATE VIEW product_phrases AS
SELECT split_part(line, E'\\t', 1) AS phrase, p.product_id, split_part(line, E'\\t', 2) = 't' AS named
FROM product_vocabulary p, string_to_table(p.phrases, E'\\n') line"""
    )
