"""one review's lines by review: the terms one review mentions share a line per review and way of mentioning

Revision ID: 0010_one_review_lines_by_review
Revises: 0009_narrow_postings

product_evidence.one_review held a line per term, "term<TAB>KS<TAB>review id". Its lines become one per
review and way of mentioning, "KS<TAB>review id<TAB>term<TAB>term...": a term then takes its own
characters and a tab. The views descriptor_evidence and head_evidence read the new lines as the same
rows as before.
"""

from alembic import context, op

revision = "0010_one_review_lines_by_review"
down_revision = "0009_narrow_postings"
branch_labels = None
depends_on = None


def _lines(head):
    """The views' statement: each product's lines of both columns (of its head only, with ``head``)."""
    field = "split_part(line, E'\\t', {})".format
    kind, stars = f"left({field(1)}, 1)", f"substr({field(1)}, 2, 1)"
    several = "p.evidence"
    # unnest: the planner takes it for 10 rows (string_to_table for 1,000, and one inside another for
    # 2,000 rows a product, which turned joins with the view into scans of it).
    one_review = "FROM unnest(string_to_array(p.one_review, E'\\n')) line, unnest((string_to_array(line, E'\\t'))[3:]) one(term)"
    if head:
        several = "CASE WHEN p.head_length IS NULL THEN p.evidence ELSE left(p.evidence, p.head_length) END"
        one_review += " WHERE p.head_length IS NULL"
    names = ("mentions", "positive", "negative", "neutral", "neutral_negated") + tuple(f"stars_{k}" for k in range(1, 6))
    counts = ", ".join(f"{field(n)}::int AS {name}" for n, name in enumerate(names, 2))
    star_counts = ", ".join(f"({stars} = '{k}')::int" for k in range(1, 6))
    return f"""
SELECT term, product_id, mentions, positive, negative, neutral, neutral_negated,
       stars_1 + stars_2 + stars_3 + stars_4 + stars_5 AS rated,
       stars_1 + 2 * stars_2 + 3 * stars_3 + 4 * stars_4 + 5 * stars_5 AS stars_sum,
       stars_1, stars_2, stars_3, stars_4, stars_5, quote_1, quote_2
FROM product_evidence p, LATERAL (
    SELECT {field(1)} AS term, {counts},
           NULLIF({field(12)}, '')::bigint AS quote_1, NULLIF({field(13)}, '')::bigint AS quote_2
    FROM string_to_table({several}, E'\\n') line
    UNION ALL
    SELECT one.term, 1, ({kind} = 'p')::int, ({kind} = 'c')::int, ({kind} IN ('n', 'x'))::int, ({kind} = 'x')::int,
           {star_counts}, {field(2)}::bigint, NULL
    {one_review}) lines"""


def upgrade():
    """Each row's lines grouped by review and way of mentioning, in the order their first terms came."""
    op.execute(
        """
UPDATE product_evidence p SET one_review = (
    SELECT string_agg(mention || E'\\t' || terms, E'\\n' ORDER BY first)
    FROM (SELECT split_part(line, E'\\t', 2) || E'\\t' || split_part(line, E'\\t', 3) AS mention,
                 string_agg(split_part(line, E'\\t', 1), E'\\t' ORDER BY n) AS terms, min(n) AS first
          FROM string_to_table(p.one_review, E'\\n') WITH ORDINALITY l(line, n)
          GROUP BY 1) grouped)
WHERE one_review <> ''
"""
    )
    op.execute(f"CREATE OR REPLACE VIEW descriptor_evidence AS {_lines(head=False).strip()}")
    op.execute(f"CREATE OR REPLACE VIEW head_evidence AS {_lines(head=True).strip()}")


def downgrade():
    """A line per term again, line by line and term by term, and the views as 0007 left them."""
    op.execute(
        """
UPDATE product_evidence p SET one_review = (
    SELECT string_agg(one.term || E'\\t' || split_part(l.line, E'\\t', 1) || E'\\t' || split_part(l.line, E'\\t', 2),
                      E'\\n' ORDER BY l.n, one.n)
    FROM string_to_table(p.one_review, E'\\n') WITH ORDINALITY l(line, n),
         string_to_table(l.line, E'\\t') WITH ORDINALITY one(term, n)
    WHERE one.n > 2)
WHERE one_review <> ''
"""
    )
    lines = context.script.get_revision("0007_one_review_lines").module._lines
    op.execute(f"CREATE OR REPLACE VIEW descriptor_evidence AS {lines(head=False).strip()}")
    op.execute(f"CREATE OR REPLACE VIEW head_evidence AS {lines(head=True).strip()}")
