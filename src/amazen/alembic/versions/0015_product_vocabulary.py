"""product vocabulary: each product's vocabulary phrases in one row (product_vocabulary: a
"phrase<TAB>t|f" line per phrase) instead of one row per phrase and product (product_phrases, now a
view of the same rows), and how many products use each phrase kept in phrase_counts. At 1M generated
reviews the 2.9M rows' two keys took three seconds of every import; the vocabulary is counted from
phrase_counts, which a rebuild moves by the products' old and new phrases.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 07:00:00
"""
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

VIEW = """
CREATE VIEW product_phrases AS
SELECT split_part(line, E'\\t', 1) AS phrase, p.product_id, split_part(line, E'\\t', 2) = 't' AS named
FROM product_vocabulary p, string_to_table(p.phrases, E'\\n') line
"""


def upgrade():
    op.execute('CREATE TABLE product_vocabulary (product_id int NOT NULL, phrases text COLLATE "C" NOT NULL, '
               'CONSTRAINT pk_product_vocabulary PRIMARY KEY (product_id))')
    # A line holds no tab or line break but its own: a name's runs of white space become one space, as
    # amazen.search.index.product_phrases now makes them (the vocabulary keeps its rows until the next
    # import or reindex counts them again).
    op.execute("INSERT INTO product_vocabulary SELECT product_id, "
               "string_agg(DISTINCT regexp_replace(phrase, '\\s+', ' ', 'g') || E'\\t' || CASE WHEN named THEN 't' ELSE 'f' END, E'\\n') "
               "FROM product_phrases GROUP BY product_id")
    op.execute('CREATE TABLE phrase_counts (phrase text COLLATE "C" NOT NULL, products int NOT NULL, named int NOT NULL, '
               'CONSTRAINT pk_phrase_counts PRIMARY KEY (phrase))')
    op.execute('DROP TABLE product_phrases')
    op.execute(VIEW)
    op.execute("INSERT INTO phrase_counts SELECT phrase, count(*), count(*) FILTER (WHERE named) FROM product_phrases "
               "GROUP BY phrase")


def downgrade():
    op.execute('CREATE TABLE product_phrases_rows AS SELECT phrase, product_id, named FROM product_phrases')
    op.execute('DROP VIEW product_phrases')
    op.execute('DROP TABLE product_vocabulary, phrase_counts')
    op.execute('ALTER TABLE product_phrases_rows RENAME TO product_phrases')
    for column in ("phrase", "product_id", "named"):
        op.execute(f'ALTER TABLE product_phrases ALTER COLUMN {column} SET NOT NULL')
    op.execute('ALTER TABLE product_phrases ADD CONSTRAINT pk_product_phrases PRIMARY KEY (phrase, product_id) INCLUDE (named)')
    op.execute('CREATE INDEX ix_product_phrases_product_id ON product_phrases (product_id)')
