"""evidence stars totals: how many mentioning reviews have stars and the sum of their stars, so ranking
reads two integers from the covering index instead of the 1-5 histogram array

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 04:30:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('descriptor_evidence', sa.Column('rated', sa.Integer(), server_default='0', nullable=False))
    op.add_column('descriptor_evidence', sa.Column('stars_sum', sa.Integer(), server_default='0', nullable=False))
    op.execute(
        "UPDATE descriptor_evidence SET rated = stars[1] + stars[2] + stars[3] + stars[4] + stars[5], "
        "stars_sum = stars[1] + 2 * stars[2] + 3 * stars[3] + 4 * stars[4] + 5 * stars[5]"
    )
    op.drop_index('ix_descriptor_evidence_term_product_id', table_name='descriptor_evidence')
    op.create_index('ix_descriptor_evidence_term_product_id', 'descriptor_evidence', ['term', 'product_id'], unique=False, postgresql_include=['mentions', 'positive', 'negative', 'rated', 'stars_sum'])


def downgrade():
    op.drop_index('ix_descriptor_evidence_term_product_id', table_name='descriptor_evidence')
    op.create_index('ix_descriptor_evidence_term_product_id', 'descriptor_evidence', ['term', 'product_id'], unique=False, postgresql_include=['mentions', 'positive', 'negative', 'stars'])
    op.drop_column('descriptor_evidence', 'stars_sum')
    op.drop_column('descriptor_evidence', 'rated')
