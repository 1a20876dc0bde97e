"""product_stats: what the index rebuild derives of a product moves out of products into its own table

Revision ID: 0014_product_stats
Revises: 0013_no_product_phrases

A product's review and rating counts, average, 1-5 histogram, search length and categories were columns
of products, written by the index rebuild after the import had written the product: every imported
product was written twice, and since two of those columns are keyed, never in place. product_stats holds
them, and the rebuild writes a row there only where a figure changed. The browse keys on review count
and rating move with them, the rating's with its tie-break (the rating count) so that a page of the
whole catalog by rating is read off the key.

Dropping the columns does not rewrite products: the space their values take in existing rows comes back
when the table is rewritten (VACUUM FULL products, at a quiet time: it blocks reads while it runs).
"""

from alembic import op

revision = "0014_product_stats"
down_revision = "0013_no_product_phrases"
branch_labels = None
depends_on = None

# The columns that move, as both tables define them.
DEFINITIONS = (
    ("search_length", "double precision NOT NULL DEFAULT 0"),
    ("search_categories", "integer[] NOT NULL DEFAULT '{}'"),
    ("review_count", "integer NOT NULL DEFAULT 0"),
    ("rating_count", "integer NOT NULL DEFAULT 0"),
    ("rating_average", "double precision"),
    ("stars_1", "integer NOT NULL DEFAULT 0"),
    ("stars_2", "integer NOT NULL DEFAULT 0"),
    ("stars_3", "integer NOT NULL DEFAULT 0"),
    ("stars_4", "integer NOT NULL DEFAULT 0"),
    ("stars_5", "integer NOT NULL DEFAULT 0"),
)
NAMES = [name for name, _ in DEFINITIONS]
COLUMNS = ", ".join(NAMES)


def upgrade():
    definitions = "".join(f"    {name} {definition},\n" for name, definition in DEFINITIONS)
    op.execute(
        f"CREATE TABLE product_stats (\n    product_id integer NOT NULL,\n{definitions}"
        "    CONSTRAINT pk_product_stats PRIMARY KEY (product_id)\n)"
    )
    op.execute(f"INSERT INTO product_stats (product_id, {COLUMNS}) SELECT id, {COLUMNS} FROM products ORDER BY id")
    op.execute("CREATE INDEX ix_product_stats_by_reviews ON product_stats (review_count DESC, product_id)")
    op.execute(
        "CREATE INDEX ix_product_stats_by_rating ON product_stats (rating_average DESC NULLS LAST, rating_count DESC, product_id)"
    )
    # Their keys (ix_products_review_count_id, ix_products_rating_average_id) go with the columns.
    op.execute("ALTER TABLE products " + ", ".join(f"DROP COLUMN {name}" for name in NAMES))


def downgrade():
    op.execute("ALTER TABLE products " + ", ".join(f"ADD COLUMN {name} {definition}" for name, definition in DEFINITIONS))
    op.execute(
        f"UPDATE products p SET ({COLUMNS}) = ROW({', '.join(f's.{name}' for name in NAMES)})"
        " FROM product_stats s WHERE s.product_id = p.id"
    )
    op.execute("CREATE INDEX ix_products_rating_average_id ON products (rating_average DESC NULLS LAST, id)")
    op.execute("CREATE INDEX ix_products_review_count_id ON products (review_count DESC, id)")
    op.execute("DROP TABLE product_stats")
