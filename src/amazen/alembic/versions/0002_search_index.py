"""search index: product term postings, review evidence, global statistics

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 13:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('products', sa.Column('search_length', sa.Float(), server_default=sa.text('0'), nullable=False))
    op.add_column('products', sa.Column('search_categories', postgresql.ARRAY(sa.Integer()), server_default=sa.text("'{}'"), nullable=False))
    op.create_table('product_terms',
    sa.Column('term', sa.Text(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('tf', sa.Float(), nullable=False),
    sa.Column('length', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_terms_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('term', 'product_id', name=op.f('pk_product_terms'), postgresql_include=['tf', 'length'])
    )
    op.create_index('ix_product_terms_product_id_term', 'product_terms', ['product_id', 'term'], unique=False)
    op.create_table('descriptor_evidence',
    sa.Column('term', sa.Text(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('mentions', sa.Integer(), nullable=False),
    sa.Column('positive', sa.Integer(), nullable=False),
    sa.Column('negative', sa.Integer(), nullable=False),
    sa.Column('stars', postgresql.ARRAY(sa.Integer()), nullable=False),
    sa.Column('quote_review_ids', postgresql.ARRAY(sa.BigInteger()), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_descriptor_evidence_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('product_id', 'term', name=op.f('pk_descriptor_evidence'))
    )
    op.create_index('ix_descriptor_evidence_term_product_id', 'descriptor_evidence', ['term', 'product_id'], unique=False, postgresql_include=['mentions', 'positive', 'negative', 'stars'])
    op.create_table('search_stats',
    sa.Column('id', sa.SmallInteger(), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.Column('average_length', sa.Float(), nullable=False),
    sa.Column('mean_rating', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_stats'))
    )
    # Catalogs imported before this migration: `amazen-reindex` builds their index.


def downgrade():
    op.drop_table('search_stats')
    op.drop_index('ix_descriptor_evidence_term_product_id', table_name='descriptor_evidence')
    op.drop_table('descriptor_evidence')
    op.drop_index('ix_product_terms_product_id_term', table_name='product_terms')
    op.drop_table('product_terms')
    op.drop_column('products', 'search_categories')
    op.drop_column('products', 'search_length')
