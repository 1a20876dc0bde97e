"""suggestions: corpus term totals, catalog vocabulary (autocomplete, did-you-mean), review total;
a covering index of the product facts ranking reads

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 18:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # pg_trgm (for the trigram index) is created by 0001.
    op.add_column('search_stats', sa.Column('reviews', sa.BigInteger(), server_default='0', nullable=False))
    op.create_table('term_stats',
    sa.Column('term', sa.Text(), nullable=False),
    sa.Column('products', sa.Integer(), nullable=False),
    sa.Column('mentions', sa.BigInteger(), nullable=False),
    sa.Column('positive', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('term', name=op.f('pk_term_stats'))
    )
    op.create_table('vocabulary',
    sa.Column('phrase', sa.Text(), nullable=False),
    sa.Column('words', sa.SmallInteger(), nullable=False),
    sa.Column('products', sa.Integer(), nullable=False),
    sa.Column('reviews', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('phrase', name=op.f('pk_vocabulary'))
    )
    op.create_index('ix_vocabulary_prefix1', 'vocabulary', [sa.text('left(phrase, 1)'), sa.text('products DESC'), 'phrase'], unique=False)
    op.create_index('ix_vocabulary_prefix2', 'vocabulary', [sa.text('left(phrase, 2)'), sa.text('products DESC'), 'phrase'], unique=False)
    op.create_index('ix_vocabulary_trigram', 'vocabulary', ['phrase'], unique=False, postgresql_using='gin', postgresql_ops={'phrase': 'gin_trgm_ops'}, postgresql_where=sa.text('words = 1'))
    op.create_index('ix_products_search_facts', 'products', ['id'], unique=False, postgresql_include=['brand', 'price', 'rating_average', 'rating_count', 'review_count', 'search_categories'])
    # Existing catalogs: `amazen-reindex` fills term_stats and the vocabulary.


def downgrade():
    op.drop_index('ix_products_search_facts', table_name='products', postgresql_include=['brand', 'price', 'rating_average', 'rating_count', 'review_count', 'search_categories'])
    op.drop_index('ix_vocabulary_trigram', table_name='vocabulary', postgresql_using='gin', postgresql_where=sa.text('words = 1'))
    op.drop_index('ix_vocabulary_prefix2', table_name='vocabulary')
    op.drop_index('ix_vocabulary_prefix1', table_name='vocabulary')
    op.drop_table('vocabulary')
    op.drop_table('term_stats')
    op.drop_column('search_stats', 'reviews')
