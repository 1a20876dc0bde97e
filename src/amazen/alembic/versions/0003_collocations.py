"""collocations: the two-word phrases the index carries as terms

Revision ID: 0003_collocations
Revises: 0002_praise_complaint

The catalog's collocations (amazen.search.collocations): each phrase term, the distinct clauses of the
counted reviews that use it and its log-likelihood ratio. A full rebuild counts them again; until then
(a database indexed before this revision) the table is empty and a partial rebuild indexes no phrase,
so run `amazen-reindex` once after upgrading.
"""

from alembic import op

revision = "0003_collocations"
down_revision = "0002_praise_complaint"
branch_labels = None
depends_on = None

COLLOCATIONS = """
CREATE TABLE collocations (
    phrase text COLLATE "C" NOT NULL,
    clauses integer NOT NULL,
    g2 double precision NOT NULL,
    CONSTRAINT pk_collocations PRIMARY KEY (phrase)
)
"""


def upgrade():
    op.execute(COLLOCATIONS)


def downgrade():
    op.execute("DROP TABLE collocations")
