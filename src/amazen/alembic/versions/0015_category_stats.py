"""category_stats: how many products each category has, kept by the index rebuild

Revision ID: 0015_category_stats
Revises: 0014_product_stats

A category's page counted its products on every request, and the category lists counted every
category's: work that grew with the catalog. The rebuild now keeps the counts, from product_stats'
search_categories, as it keeps the catalog's other totals; they start counted from product_stats here.
"""

from alembic import op

revision = "0015_category_stats"
down_revision = "0014_product_stats"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "CREATE TABLE category_stats (\n    category_id integer NOT NULL,\n    products integer NOT NULL DEFAULT 0,\n"
        "    CONSTRAINT pk_category_stats PRIMARY KEY (category_id)\n)"
    )
    op.execute(
        "INSERT INTO category_stats (category_id, products)"
        " SELECT c, count(*) FROM product_stats, unnest(search_categories) c GROUP BY c ORDER BY c"
    )


def downgrade():
    op.execute("DROP TABLE category_stats")
