"""evidence columns: descriptor_evidence keeps its 1-5 star histogram and its two quotes' review ids in
plain columns (stars_1 ... stars_5, quote_1, quote_2) instead of two arrays. An import COPYs millions of
these rows, and parsing the arrays was about half of PostgreSQL's work in that COPY; the rows are a
third smaller too.

The rows move to a new table written once (an UPDATE would leave a dead copy of every row, and dropped
columns keep their data in the rows until the next rewrite); the keys are built after the load.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 23:00:00
"""
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

COMMON = 'term, product_id, mentions, positive, negative, rated, stars_sum'
COMMON_DDL = ('term text COLLATE "C" NOT NULL, product_id int NOT NULL, mentions int NOT NULL, positive int NOT NULL, '
              'negative int NOT NULL, rated int NOT NULL DEFAULT 0, stars_sum int NOT NULL DEFAULT 0')
STARS = ', '.join(f'stars_{n}' for n in range(1, 6))
KEYS = """
ALTER TABLE descriptor_evidence ADD CONSTRAINT pk_descriptor_evidence PRIMARY KEY (term, product_id)
    INCLUDE (mentions, positive, negative, rated, stars_sum);
CREATE INDEX ix_descriptor_evidence_product_id ON descriptor_evidence (product_id);
"""


def _replace(ddl, select):
    """descriptor_evidence again with the columns ``ddl`` and the rows ``select`` makes of the old ones."""
    op.execute('ALTER TABLE descriptor_evidence DROP CONSTRAINT pk_descriptor_evidence')
    op.execute('DROP INDEX ix_descriptor_evidence_product_id')
    op.execute('ALTER TABLE descriptor_evidence RENAME TO descriptor_evidence_old')
    op.execute(f'CREATE TABLE descriptor_evidence ({COMMON_DDL}, {ddl})')
    op.execute(f'INSERT INTO descriptor_evidence SELECT {COMMON}, {select} FROM descriptor_evidence_old')
    op.execute('DROP TABLE descriptor_evidence_old')
    op.execute(KEYS)


def upgrade():
    _replace(', '.join(f'stars_{n} int NOT NULL' for n in range(1, 6)) + ', quote_1 bigint, quote_2 bigint',
             ', '.join(f'stars[{n}]' for n in range(1, 6)) + ', quote_review_ids[1], quote_review_ids[2]')


def downgrade():
    _replace('stars int[] NOT NULL, quote_review_ids bigint[] NOT NULL',
             f'ARRAY[{STARS}], array_remove(ARRAY[quote_1, quote_2], NULL)')
