"""catalog: products, reviews, categories

Revision ID: 0001
Revises:
Create Date: 2026-11-28 04:41:51.769486
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # Search (trigram typo tolerance, accent folding) builds on these contrib extensions; the embedded
    # server and the official PostgreSQL image both ship them.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('slug', sa.Text(), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('depth', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['categories.id'], name=op.f('fk_categories_parent_id_categories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('path', name=op.f('uq_categories_path'))
    )
    op.create_index(op.f('ix_categories_parent_id'), 'categories', ['parent_id'], unique=False)
    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asin', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('brand', sa.Text(), nullable=True),
    sa.Column('price', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('features', sa.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('image_url', sa.Text(), nullable=True),
    sa.Column('review_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('rating_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('rating_average', sa.Float(), nullable=True),
    sa.Column('stars_1', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('stars_2', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('stars_3', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('stars_4', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('stars_5', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('price IS NULL OR price >= 0', name=op.f('ck_products_price_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products')),
    sa.UniqueConstraint('asin', name=op.f('uq_products_asin'))
    )
    op.create_index('ix_products_price_id', 'products', ['price', 'id'], unique=False)
    op.create_index('ix_products_rating_average_id', 'products', [sa.literal_column('rating_average DESC NULLS LAST'), 'id'], unique=False)
    op.create_index('ix_products_review_count_id', 'products', [sa.literal_column('review_count DESC'), 'id'], unique=False)
    op.create_index('ix_products_title_id', 'products', ['title', 'id'], unique=False)
    op.create_table('product_categories',
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_product_categories_category_id_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_categories_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('product_id', 'category_id', name=op.f('pk_product_categories'))
    )
    op.create_index('ix_product_categories_category_id_product_id', 'product_categories', ['category_id', 'product_id'], unique=False)
    op.create_table('reviews',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Text(), nullable=False),
    sa.Column('reviewer_name', sa.Text(), nullable=True),
    sa.Column('rating', sa.SmallInteger(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('helpful_votes', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('verified', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('helpful_votes >= 0', name=op.f('ck_reviews_helpful_votes_not_negative')),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_reviews_rating_stars')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_reviews_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('product_id', 'reviewer_id', name='uq_reviews_product_id_reviewer_id')
    )


def downgrade():
    op.drop_table('reviews')
    op.drop_index('ix_product_categories_category_id_product_id', table_name='product_categories')
    op.drop_table('product_categories')
    op.drop_index('ix_products_title_id', table_name='products')
    op.drop_index('ix_products_review_count_id', table_name='products')
    op.drop_index('ix_products_rating_average_id', table_name='products')
    op.drop_index('ix_products_price_id', table_name='products')
    op.drop_table('products')
    op.drop_index(op.f('ix_categories_parent_id'), table_name='categories')
    op.drop_table('categories')
