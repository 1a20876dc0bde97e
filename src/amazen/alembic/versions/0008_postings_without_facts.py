"""postings without facts: packed_terms keeps its entries only

Revision ID: 0008_postings_without_facts
Revises: 0007_one_review_lines

A packed_terms row no longer repeats its products' facts (records, category ids): a search reads its
candidates' facts from packed_facts, which every app process keeps decoded in its cache. The entries
are unchanged, so the index stays valid; PostgreSQL frees the dropped columns' space when the table is
written anew, at the next full `amazen-reindex`.
"""

from alembic import op

revision = "0008_postings_without_facts"
down_revision = "0007_one_review_lines"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE packed_terms DROP COLUMN records, DROP COLUMN category_ids")


def downgrade():
    """The columns back, with the packed postings emptied: ``amazen-reindex`` with the old code refills them."""
    op.execute("TRUNCATE packed_terms")
    op.execute(
        "ALTER TABLE packed_terms ADD COLUMN records bytea NOT NULL, ADD COLUMN category_ids bytea NOT NULL, "
        "ALTER records SET STORAGE EXTERNAL, ALTER category_ids SET STORAGE EXTERNAL"
    )
