"""index keys: no foreign keys on the derived index tables (a full reindex swaps them in without locking
products); index terms in the C collation (byte order: the same everywhere, and sorted by memcmp
with abbreviated keys, so a full reindex builds its keys faster); descriptor evidence keyed by
(term, product_id) with the ranking columns included, replacing the separate covering index; a plain
product_id index on both index tables for a product's rows

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 09:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

EVIDENCE_INCLUDE = ['mentions', 'positive', 'negative', 'rated', 'stars_sum']


def upgrade():
    op.drop_constraint('fk_product_terms_product_id_products', 'product_terms', type_='foreignkey')
    op.drop_constraint('fk_descriptor_evidence_product_id_products', 'descriptor_evidence', type_='foreignkey')
    op.drop_index('ix_product_terms_product_id_term', table_name='product_terms')
    op.drop_index('ix_descriptor_evidence_term_product_id', table_name='descriptor_evidence')
    op.drop_constraint('pk_descriptor_evidence', 'descriptor_evidence', type_='primary')
    for table in ('product_terms', 'descriptor_evidence', 'term_stats'):
        op.alter_column(table, 'term', type_=sa.Text(collation='C'), existing_nullable=False)
    # Alembic's create_primary_key has no INCLUDE.
    op.execute('ALTER TABLE descriptor_evidence ADD CONSTRAINT pk_descriptor_evidence PRIMARY KEY (term, product_id) '
               f'INCLUDE ({", ".join(EVIDENCE_INCLUDE)})')
    op.create_index('ix_product_terms_product_id', 'product_terms', ['product_id'])
    op.create_index('ix_descriptor_evidence_product_id', 'descriptor_evidence', ['product_id'])


def downgrade():
    op.drop_index('ix_descriptor_evidence_product_id', table_name='descriptor_evidence')
    op.drop_index('ix_product_terms_product_id', table_name='product_terms')
    op.drop_constraint('pk_descriptor_evidence', 'descriptor_evidence', type_='primary')
    for table in ('product_terms', 'descriptor_evidence', 'term_stats'):
        op.alter_column(table, 'term', type_=sa.Text(), existing_nullable=False)
    op.create_primary_key('pk_descriptor_evidence', 'descriptor_evidence', ['product_id', 'term'])
    op.create_index('ix_descriptor_evidence_term_product_id', 'descriptor_evidence', ['term', 'product_id'],
                    postgresql_include=EVIDENCE_INCLUDE)
    op.create_index('ix_product_terms_product_id_term', 'product_terms', ['product_id', 'term'])
    for table in ('product_terms', 'descriptor_evidence'):
        op.create_foreign_key(f'fk_{table}_product_id_products', table, 'products', ['product_id'], ['id'],
                              ondelete='CASCADE')
