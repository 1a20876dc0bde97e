"""rows keyed by product: product_terms and descriptor_evidence get the primary key (product_id, term)
instead of (term, product_id) with a second index on product_id. Every reader of these rows wants one
product's (results' evidence, suggestions, rebuilds, which now splice the packed arrays); searches read
a term's entries from the packed arrays. The term key was the most expensive part of a full reindex.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 03:00:00
"""
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

OLD_INCLUDES = {'product_terms': 'tf, length', 'descriptor_evidence': 'mentions, positive, negative, rated, stars_sum'}


def upgrade():
    for table in OLD_INCLUDES:
        op.execute(f'ALTER TABLE {table} DROP CONSTRAINT pk_{table}')
        op.execute(f'DROP INDEX ix_{table}_product_id')
        op.execute(f'ALTER TABLE {table} ADD CONSTRAINT pk_{table} PRIMARY KEY (product_id, term)')


def downgrade():
    for table, include in OLD_INCLUDES.items():
        op.execute(f'ALTER TABLE {table} DROP CONSTRAINT pk_{table}')
        op.execute(f'ALTER TABLE {table} ADD CONSTRAINT pk_{table} PRIMARY KEY (term, product_id) INCLUDE ({include})')
        op.execute(f'CREATE INDEX ix_{table}_product_id ON {table} (product_id)')
