"""product_stats: what the index rebuild derives of a product moves out of products into its own table

Revision ID: 0014_product_stats
Revises: 0013_no_product_phrases

A product's review and rating counts, average, 1-5 histogram, search length and categories were columns
of products, written by the index rebuild after the import had written the product: every imported
product was written twice, and since two of those columns are keyed, never in place. product_stats holds
them: a full rebuild loads a new copy and swaps it in, a partial one replaces its products' rows. The
browse keys on review count and rating move with them, the rating's with its tie-break (the rating
count) so that a page of the whole catalog by rating is read off the key.

Dropping the columns does not rewrite products: the space their values take in existing rows comes back
when the table is rewritten (VACUUM FULL products, at a quiet time: it blocks reads while it runs).
"""

from alembic import op

revision = "0014_product_stats"
down_revision = "0013_no_product_phrases"
branch_labels = None
depends_on = None

COLUMNS = (
    "search_length, search_categories, review_count, rating_count, rating_average, stars_1, stars_2, stars_3, stars_4, stars_5"
)


def upgrade():
    op.execute(
        """
CREATE TABLE product_stats (
    product_id integer NOT NULL,
    search_length double precision NOT NULL DEFAULT 0,
    search_categories integer[] NOT NULL DEFAULT '{}',
    review_count integer NOT NULL DEFAULT 0,
    rating_count integer NOT NULL DEFAULT 0,
    rating_average double precision,
    stars_1 integer NOT NULL DEFAULT 0,
    stars_2 integer NOT NULL DEFAULT 0,
    stars_3 integer NOT NULL DEFAULT 0,
    stars_4 integer NOT NULL DEFAULT 0,
    stars_5 integer NOT NULL DEFAULT 0,
    CONSTRAINT pk_product_stats PRIMARY KEY (product_id)
)"""
    )
    op.execute(f"INSERT INTO product_stats (product_id, {COLUMNS}) SELECT id, {COLUMNS} FROM products ORDER BY id")
    op.execute("CREATE INDEX ix_product_stats_by_reviews ON product_stats (review_count DESC, product_id)")
    op.execute(
        "CREATE INDEX ix_product_stats_by_rating ON product_stats (rating_average DESC NULLS LAST, rating_count DESC, product_id)"
    )
    # Their keys (ix_products_review_count_id, ix_products_rating_average_id) go with the columns.
    op.execute("ALTER TABLE products " + ", ".join(f"DROP COLUMN {column}" for column in COLUMNS.split(", ")))


def downgrade():
    op.execute(
        """
ALTER TABLE products
    ADD COLUMN review_count integer NOT NULL DEFAULT 0,
    ADD COLUMN rating_count integer NOT NULL DEFAULT 0,
    ADD COLUMN rating_average double precision,
    ADD COLUMN stars_1 integer NOT NULL DEFAULT 0,
    ADD COLUMN stars_2 integer NOT NULL DEFAULT 0,
    ADD COLUMN stars_3 integer NOT NULL DEFAULT 0,
    ADD COLUMN stars_4 integer NOT NULL DEFAULT 0,
    ADD COLUMN stars_5 integer NOT NULL DEFAULT 0,
    ADD COLUMN search_length double precision NOT NULL DEFAULT 0,
    ADD COLUMN search_categories integer[] NOT NULL DEFAULT '{}'"""
    )
    op.execute(
        f"UPDATE products p SET ({COLUMNS}) = ROW({', '.join(f's.{column}' for column in COLUMNS.split(', '))})"
        " FROM product_stats s WHERE s.product_id = p.id"
    )
    op.execute("CREATE INDEX ix_products_rating_average_id ON products (rating_average DESC NULLS LAST, id)")
    op.execute("CREATE INDEX ix_products_review_count_id ON products (review_count DESC, id)")
    op.execute("DROP TABLE product_stats")
