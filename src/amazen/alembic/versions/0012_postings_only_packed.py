"""postings only in the packed index: product_postings is dropped, the view product_terms decodes packed_terms

Revision ID: 0012_postings_only_packed
Revises: 0011_blocks_of_4096

A product's postings were stored twice: as text in product_postings, and as entries of packed_terms,
which searches read. The text was only read when a product was rebuilt, to learn the terms it had; a
rebuild now reads them from its block's packed rows (a BRIN index on the block finds them). The view
product_terms shows packed_terms as rows (term, block, product_id, tf, length), decoded in SQL. The
downgrade writes product_postings again from the view, a line per term in term order.
"""

from alembic import op

revision = "0012_postings_only_packed"
down_revision = "0011_blocks_of_4096"
branch_labels = None
depends_on = None

# The view as amazen.models.search makes it (a migration keeps its own copy: the models may change).
DECODED = """
SELECT p.term, p.block,
       CASE WHEN narrow THEN p.block * 4096 + ('x' || encode(substr(p.entries, i + 1, 2), 'hex'))::bit(16)::int
            ELSE ('x' || encode(substr(p.entries, i + 1, 4), 'hex'))::bit(32)::int END AS product_id,
       CASE WHEN narrow THEN ('x' || encode(substr(p.entries, i + 3, 2), 'hex'))::bit(16)::int / 2.0::float8
            ELSE (SELECT CASE WHEN b & 9223372036854775807 = 0 THEN 0.0::float8
                     ELSE sign(b::float8 + 0.5) * ((b & 4503599627370495) + 4503599627370496)::float8
                          * power(2::float8, ((b >> 52) & 2047) - 1075) END
                FROM (SELECT ('x' || encode(substr(p.entries, i + 5, 8), 'hex'))::bit(64)::bigint AS b) f) END AS tf,
       CASE WHEN narrow THEN ('x' || encode(substr(p.entries, i + 5, 4), 'hex'))::bit(32)::bigint / 2.0::float8
            ELSE (SELECT CASE WHEN b & 9223372036854775807 = 0 THEN 0.0::float8
                     ELSE sign(b::float8 + 0.5) * ((b & 4503599627370495) + 4503599627370496)::float8
                          * power(2::float8, ((b >> 52) & 2047) - 1075) END
                FROM (SELECT ('x' || encode(substr(p.entries, i + 13, 8), 'hex'))::bit(64)::bigint AS b) f) END AS length
FROM packed_terms p, LATERAL (SELECT get_byte(p.entries, 0) = 0 AS narrow) l,
     generate_series(1, length(p.entries) - 1, CASE WHEN narrow THEN 8 ELSE 20 END) i
"""
AS_ROWS = """
SELECT split_part(line, E'\\t', 1) AS term, p.product_id, split_part(line, E'\\t', 2)::float8 AS tf, p.length
FROM product_postings p, string_to_table(p.postings, E'\\n') line"""


def upgrade():
    op.execute("DROP VIEW product_terms")
    op.execute("DROP TABLE product_postings")
    op.execute(f"CREATE VIEW product_terms AS {DECODED.strip()}")
    op.execute("CREATE INDEX ix_packed_terms_block ON packed_terms USING brin (block)")


def downgrade():
    op.execute("DROP INDEX ix_packed_terms_block")
    op.execute(
        """
CREATE TABLE product_postings (
    product_id integer NOT NULL,
    length double precision NOT NULL,
    postings text COLLATE "C" NOT NULL,
    CONSTRAINT pk_product_postings PRIMARY KEY (product_id)
)"""
    )
    op.execute(
        "INSERT INTO product_postings (product_id, length, postings) "
        "SELECT product_id, min(length), string_agg(term || E'\\t' || tf::text, E'\\n' ORDER BY term) "
        "FROM product_terms GROUP BY product_id"
    )
    op.execute("DROP VIEW product_terms")
    op.execute(f"CREATE VIEW product_terms AS {AS_ROWS.strip()}")
