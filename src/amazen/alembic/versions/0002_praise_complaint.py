"""evidence says praise, complaint or neutral: descriptor_evidence gains neutral and neutral_negated

Revision ID: 0002_praise_complaint
Revises: 0001_baseline

A product_evidence line was "term, mentions, positive (not negated), negative (negated), stars_1 ...
stars_5, quote_1, quote_2"; it becomes "term, mentions, positive (praise), negative (complaint), neutral,
neutral_negated, stars ..., quotes", and a packed_evidence entry gains the neutral mentions' net (plain -
negated) after the praise - complaint net. Existing rows are rewritten so that every old mention reads as
a neutral one, negated as it was: ranking orders exactly as before, and the pages show no praise or
complaint until ``amazen-reindex`` reads the reviews again with the opinion rules.
"""

from alembic import op

revision = "0002_praise_complaint"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None

VIEW = """
SELECT term, product_id, mentions, positive, negative, neutral, neutral_negated,
       stars_1 + stars_2 + stars_3 + stars_4 + stars_5 AS rated,
       stars_1 + 2 * stars_2 + 3 * stars_3 + 4 * stars_4 + 5 * stars_5 AS stars_sum,
       stars_1, stars_2, stars_3, stars_4, stars_5, quote_1, quote_2
FROM (SELECT split_part(line, E'\\t', 1) AS term, p.product_id, split_part(line, E'\\t', 2)::int AS mentions,
             split_part(line, E'\\t', 3)::int AS positive, split_part(line, E'\\t', 4)::int AS negative,
             split_part(line, E'\\t', 5)::int AS neutral, split_part(line, E'\\t', 6)::int AS neutral_negated,
             split_part(line, E'\\t', 7)::int AS stars_1, split_part(line, E'\\t', 8)::int AS stars_2,
             split_part(line, E'\\t', 9)::int AS stars_3, split_part(line, E'\\t', 10)::int AS stars_4,
             split_part(line, E'\\t', 11)::int AS stars_5, NULLIF(split_part(line, E'\\t', 12), '')::bigint AS quote_1,
             NULLIF(split_part(line, E'\\t', 13), '')::bigint AS quote_2
      FROM product_evidence p, string_to_table(p.evidence, E'\\n') line) lines"""

OLD_VIEW = """
SELECT term, product_id, mentions, positive, negative, stars_1 + stars_2 + stars_3 + stars_4 + stars_5 AS rated,
       stars_1 + 2 * stars_2 + 3 * stars_3 + 4 * stars_4 + 5 * stars_5 AS stars_sum,
       stars_1, stars_2, stars_3, stars_4, stars_5, quote_1, quote_2
FROM (SELECT split_part(line, E'\\t', 1) AS term, p.product_id, split_part(line, E'\\t', 2)::int AS mentions,
             split_part(line, E'\\t', 3)::int AS positive, split_part(line, E'\\t', 4)::int AS negative,
             split_part(line, E'\\t', 5)::int AS stars_1, split_part(line, E'\\t', 6)::int AS stars_2,
             split_part(line, E'\\t', 7)::int AS stars_3, split_part(line, E'\\t', 8)::int AS stars_4,
             split_part(line, E'\\t', 9)::int AS stars_5, NULLIF(split_part(line, E'\\t', 10), '')::bigint AS quote_1,
             NULLIF(split_part(line, E'\\t', 11), '')::bigint AS quote_2
      FROM product_evidence p, string_to_table(p.evidence, E'\\n') line) lines"""

# Old lines: every mention neutral ("0 praise, 0 complaints"), its negated ones neutral_negated.
LINES_TO_NEUTRAL = r"""
UPDATE product_evidence SET evidence = regexp_replace(
    evidence, E'^([^\t\n]*)\t([^\t\n]*)\t[^\t\n]*\t([^\t\n]*)\t', E'\\1\t\\2\t0\t0\t\\2\t\\3\t', 'gn')
"""
# A packed evidence entry: (id, net, stars_sum, rated) as 16 bytes -> (id, 0, net, stars_sum, rated) as 20.
ENTRIES_TO_NEUTRAL = """
UPDATE packed_evidence SET entries = coalesce((
    SELECT string_agg(substring(entries FROM 16 * i + 1 FOR 4) || '\\x00000000'::bytea
                      || substring(entries FROM 16 * i + 5 FOR 12), ''::bytea ORDER BY i)
    FROM generate_series(0, length(entries) / 16 - 1) i), ''::bytea)
"""


def upgrade():
    op.execute("DROP VIEW descriptor_evidence")
    op.execute(LINES_TO_NEUTRAL)
    op.execute(ENTRIES_TO_NEUTRAL)
    op.execute(f"CREATE VIEW descriptor_evidence AS {VIEW.strip()}")


def downgrade():
    """Back to the old view, with the evidence emptied: ``amazen-reindex`` with the old code remakes it."""
    op.execute("DROP VIEW descriptor_evidence")
    op.execute("TRUNCATE product_evidence, packed_evidence")
    op.execute(f"CREATE VIEW descriptor_evidence AS {OLD_VIEW.strip()}")
