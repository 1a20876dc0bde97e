"""rating totals: search_stats keeps the sum of all stars given and the number of ratings, the exact
terms of the catalog's mean rating, so that a written review moves them instead of summing every
product again

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 19:15:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('search_stats', sa.Column('rating_points', sa.BigInteger(), nullable=False, server_default='0'))
    op.add_column('search_stats', sa.Column('ratings', sa.BigInteger(), nullable=False, server_default='0'))
    # Counted as a full reindex counts them (search.index.REFRESH_STATS), the mean rating with them.
    op.execute(
        "UPDATE search_stats SET rating_points = t.points, ratings = t.ratings,"
        " mean_rating = COALESCE(t.points::float8 / NULLIF(t.ratings, 0), 3.0)"
        " FROM (SELECT COALESCE(sum(stars_1 + 2 * stars_2 + 3 * stars_3 + 4 * stars_4 + 5 * stars_5), 0) AS points,"
        " COALESCE(sum(rating_count), 0) AS ratings FROM products) t WHERE search_stats.id = 1"
    )


def downgrade():
    op.drop_column('search_stats', 'ratings')
    op.drop_column('search_stats', 'rating_points')
