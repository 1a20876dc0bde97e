"""evidence without facts: packed_evidence keeps its entries only

Revision ID: 0004_evidence_without_facts
Revises: 0003_collocations

A packed_evidence row no longer repeats its products' facts (records, category ids): a search of
descriptors alone reads them from packed_facts, and a search with a query from its postings. The
entries are unchanged, so the index stays valid; PostgreSQL frees the dropped columns' space when the
table is written anew, at the next full `amazen-reindex`.
"""

from alembic import op

revision = "0004_evidence_without_facts"
down_revision = "0003_collocations"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE packed_evidence DROP COLUMN records, DROP COLUMN category_ids")


def downgrade():
    """The columns back, with the packed evidence emptied: ``amazen-reindex`` with the old code refills it."""
    op.execute("TRUNCATE packed_evidence")
    op.execute(
        "ALTER TABLE packed_evidence ADD COLUMN records bytea NOT NULL, ADD COLUMN category_ids bytea NOT NULL, "
        "ALTER records SET STORAGE EXTERNAL, ALTER category_ids SET STORAGE EXTERNAL"
    )
