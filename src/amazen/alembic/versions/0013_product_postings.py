"""product postings: one row per product (product_postings: its terms and their frequencies as
"term<TAB>tf" lines) instead of one row per term and product (product_terms, now a view of the same
rows). Searches read postings from the packed arrays; the rows only say which terms a product has
when it is rebuilt, and writing, keying and counting 10M of them cost a fifth of a 1M-review import.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 03:30:00
"""
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# As amazen.search.index.PRODUCT_TERMS makes it (kept here as it was at this revision).
VIEW = """
CREATE VIEW product_terms AS
SELECT split_part(line, E'\\t', 1) AS term, p.product_id, split_part(line, E'\\t', 2)::float8 AS tf, p.length
FROM product_postings p, string_to_table(p.postings, E'\\n') line
"""


def upgrade():
    op.execute('CREATE TABLE product_postings (product_id int NOT NULL, length float8 NOT NULL, '
               'postings text COLLATE "C" NOT NULL, CONSTRAINT pk_product_postings PRIMARY KEY (product_id))')
    # float8's text is exact (the shortest that reads back the same), as Python's repr that imports write.
    op.execute("INSERT INTO product_postings SELECT product_id, min(length), string_agg(term || E'\\t' || tf::text, E'\\n') "
               "FROM product_terms GROUP BY product_id")
    op.execute('DROP TABLE product_terms')
    op.execute(VIEW)


def downgrade():
    op.execute('CREATE TABLE product_terms_rows (term text COLLATE "C" NOT NULL, product_id int NOT NULL, '
               'tf float8 NOT NULL, length float8 NOT NULL)')
    op.execute('INSERT INTO product_terms_rows SELECT term, product_id, tf, length FROM product_terms')
    op.execute('DROP VIEW product_terms')
    op.execute('DROP TABLE product_postings')
    op.execute('ALTER TABLE product_terms_rows RENAME TO product_terms')
    op.execute('ALTER TABLE product_terms ADD CONSTRAINT pk_product_terms PRIMARY KEY (product_id, term)')
