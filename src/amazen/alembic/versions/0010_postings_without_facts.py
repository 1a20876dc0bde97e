"""postings without facts: product_terms no longer carries its product's facts, which ranking read from
it before the packed index (0009) carried them. The rows are what the packed arrays are packed from (in
key order, from the key alone: it still includes tf and length) and what the reference ranking the tests
compare against reads. Smaller rows and keys make every import and reindex cheaper.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 18:30:00
"""
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

FACTS = ['brand', 'price', 'rating_average', 'rating_count', 'review_count', 'search_categories']


def upgrade():
    op.drop_constraint('pk_product_terms', 'product_terms', type_='primary')
    for fact in FACTS:
        op.drop_column('product_terms', fact)
    op.execute('ALTER TABLE product_terms ADD CONSTRAINT pk_product_terms PRIMARY KEY (term, product_id) INCLUDE (tf, length)')


def downgrade():
    # The facts come back filled from the products, as 0006 first filled them.
    op.drop_constraint('pk_product_terms', 'product_terms', type_='primary')
    op.execute('ALTER TABLE product_terms ADD COLUMN brand text, ADD COLUMN price numeric(12, 2), '
               'ADD COLUMN rating_average float8, ADD COLUMN rating_count int, ADD COLUMN review_count int, '
               'ADD COLUMN search_categories int[]')
    op.execute(f"UPDATE product_terms t SET {', '.join(f'{fact} = p.{fact}' for fact in FACTS)} "
               "FROM products p WHERE p.id = t.product_id")
    op.execute('ALTER TABLE product_terms ALTER rating_count SET NOT NULL, ALTER review_count SET NOT NULL, '
               'ALTER search_categories SET NOT NULL')
    op.execute(f'ALTER TABLE product_terms ADD CONSTRAINT pk_product_terms PRIMARY KEY (term, product_id) '
               f'INCLUDE (tf, length, {", ".join(FACTS)})')
