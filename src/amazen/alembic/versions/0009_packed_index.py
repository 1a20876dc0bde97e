"""packed index: each term's postings, each descriptor's evidence and every product's facts as arrays
of fixed-width records per block of product ids, which ranking reads and scores with numpy instead of
row by row in SQL

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 16:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    from amazen.search.packed import pack_all

    op.create_table(
        'brands',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_brands')),
        sa.UniqueConstraint('name', name=op.f('uq_brands_name')),
    )
    op.create_index('ix_brands_lower_name', 'brands', [sa.text('lower(name)')])
    for table in ('packed_terms', 'packed_evidence'):
        op.create_table(
            table,
            sa.Column('term', sa.Text(collation='C'), nullable=False),
            sa.Column('block', sa.Integer(), nullable=False),
            sa.Column('entries', sa.LargeBinary(), nullable=False),
            sa.Column('records', sa.LargeBinary(), nullable=False),
            sa.Column('category_ids', sa.LargeBinary(), nullable=False),
            sa.PrimaryKeyConstraint('term', 'block', name=op.f(f'pk_{table}')),
        )
        for column in ('entries', 'records', 'category_ids'):
            op.execute(f'ALTER TABLE {table} ALTER {column} SET STORAGE EXTERNAL')
    op.create_table(
        'packed_facts',
        sa.Column('block', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('ids', sa.LargeBinary(), nullable=False),
        sa.Column('records', sa.LargeBinary(), nullable=False),
        sa.Column('category_ids', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('block', name=op.f('pk_packed_facts')),
    )
    for column in ('ids', 'records', 'category_ids'):
        op.execute(f'ALTER TABLE packed_facts ALTER {column} SET STORAGE EXTERNAL')
    # Packed from the index tables as they are, as a full `amazen-reindex` packs them.
    pack_all(op.get_bind().connection.dbapi_connection.cursor())


def downgrade():
    op.drop_table('packed_facts')
    op.drop_table('packed_evidence')
    op.drop_table('packed_terms')
    op.drop_table('brands')
