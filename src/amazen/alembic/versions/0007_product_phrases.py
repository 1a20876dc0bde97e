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


# The vocabulary counted from product_phrases, as amazen.search.index counted it at this revision.
VOCABULARY = """
INSERT INTO vocabulary (phrase, words, products)
SELECT phrase, array_length(regexp_split_to_array(phrase, ' +'), 1), count(*)
FROM product_phrases GROUP BY phrase HAVING bool_or(named) OR count(*) >= 2
"""


def upgrade():
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
    # Every product's phrases, made by the app's own code (in Python, folded as the analyzer folds), and
    # the vocabulary counted from them.
    _load_phrases(op.get_bind())
    op.execute('DELETE FROM vocabulary')
    op.execute(VOCABULARY)


def _load_phrases(conn):
    import io

    from amazen.pgcopy import copy_value
    from amazen.search.index import product_phrases

    cursor = conn.connection.dbapi_connection.cursor()
    names = conn.execute(sa.text(
        "SELECT p.id, p.title, p.brand, ARRAY(SELECT c.name FROM product_categories pc JOIN categories c "
        "ON c.id = pc.category_id WHERE pc.product_id = p.id) FROM products p ORDER BY p.id"
    )).yield_per(10_000)
    for rows in names.partitions():
        lines = "".join(f"{copy_value(phrase)}\t{product_id}\t{'t' if named else 'f'}\n"
                        for product_id, title, brand, categories in rows
                        for phrase, named in product_phrases(title, brand, categories).items())
        cursor.copy_expert("COPY product_phrases (phrase, product_id, named) FROM STDIN", io.StringIO(lines))


def downgrade():
    # The review totals come back as zeros until `amazen-reindex` (at 0006) counts them again.
    op.add_column('vocabulary', sa.Column('reviews', sa.BigInteger(), nullable=False, server_default='0'))
    op.drop_table('product_phrases')
