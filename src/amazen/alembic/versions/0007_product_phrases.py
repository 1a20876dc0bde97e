"""product phrases: each product's vocabulary phrases, so an import recounts only the phrases of the
products it touched instead of rebuilding the vocabulary from every title in the catalog; the
vocabulary's review totals go (nothing read them, and they went stale with every written review)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 16:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    from amazen.search.index import rebuild_vocabulary

    op.create_table(
        'product_phrases',
        sa.Column('phrase', sa.Text(collation='C'), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('named', sa.Boolean(), nullable=False),
    )
    op.execute('ALTER TABLE product_phrases ADD CONSTRAINT pk_product_phrases PRIMARY KEY (phrase, product_id) '
               'INCLUDE (named)')
    op.create_index('ix_product_phrases_product_id', 'product_phrases', ['product_id'])
    op.drop_column('vocabulary', 'reviews')
    # Every product's phrases, and the vocabulary counted from them: the app's own code, as a full
    # `amazen-reindex` runs it (the phrases are now made in Python, folded as the analyzer folds).
    rebuild_vocabulary(op.get_bind())


def downgrade():
    # The review totals come back as zeros until `amazen-reindex` (at 0006) counts them again.
    op.add_column('vocabulary', sa.Column('reviews', sa.BigInteger(), nullable=False, server_default='0'))
    op.drop_table('product_phrases')
