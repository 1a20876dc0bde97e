"""posting facts: product_terms carries the product facts ranking, filters and facets read (brand, price,
rating, counts, categories), so a search reads its candidates from the postings alone; and
product_term_stats, how many products' text use each term (BM25's document frequencies)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 14:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

FACTS = ['brand', 'price', 'rating_average', 'rating_count', 'review_count', 'search_categories']


def upgrade():
    # A new table filled in key order, then swapped in: cheaper than rewriting every row in place.
    op.create_table(
        'product_terms_facts',
        sa.Column('term', sa.Text(collation='C'), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('tf', sa.Float(), nullable=False),
        sa.Column('length', sa.Float(), nullable=False),
        sa.Column('brand', sa.Text(), nullable=True),
        sa.Column('price', sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column('rating_average', sa.Float(), nullable=True),
        sa.Column('rating_count', sa.Integer(), nullable=False),
        sa.Column('review_count', sa.Integer(), nullable=False),
        sa.Column('search_categories', sa.ARRAY(sa.Integer()), nullable=False),
    )
    op.execute(f"""
        INSERT INTO product_terms_facts
        SELECT t.term, t.product_id, t.tf, t.length, {', '.join(f'p.{fact}' for fact in FACTS)}
        FROM product_terms t JOIN products p ON p.id = t.product_id
        ORDER BY t.term, t.product_id
    """)
    op.drop_table('product_terms')
    op.rename_table('product_terms_facts', 'product_terms')
    op.execute('ALTER TABLE product_terms ADD CONSTRAINT pk_product_terms PRIMARY KEY (term, product_id) '
               f'INCLUDE (tf, length, {", ".join(FACTS)})')
    op.create_index('ix_product_terms_product_id', 'product_terms', ['product_id'])

    op.create_table(
        'product_term_stats',
        sa.Column('term', sa.Text(collation='C'), nullable=False),
        sa.Column('products', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('term', name=op.f('pk_product_term_stats')),
    )
    op.execute('INSERT INTO product_term_stats (term, products) SELECT term, count(*) FROM product_terms GROUP BY term')


def downgrade():
    op.drop_table('product_term_stats')
    op.drop_constraint('pk_product_terms', 'product_terms', type_='primary')
    for fact in FACTS:
        op.drop_column('product_terms', fact)
    op.execute('ALTER TABLE product_terms ADD CONSTRAINT pk_product_terms PRIMARY KEY (term, product_id) INCLUDE (tf, length)')
