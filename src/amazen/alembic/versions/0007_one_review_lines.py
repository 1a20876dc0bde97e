"""one review's lines: the terms one review mentions take short lines in a column of their own

Revision ID: 0007_one_review_lines
Revises: 0006_narrow_evidence

Nine in ten product_evidence lines are a term that one review mentions. Such lines move to the new
column one_review as "term<TAB>KS<TAB>review id": K how the review mentions it (p praise, c complaint, n
neutral, x negated neutral), S its stars (0 for none), instead of thirteen fields of counts. The views
descriptor_evidence and head_evidence read both columns. A head_length of NULL now says every line of
both columns is the head. Rows written before keep all their lines in evidence and stay valid; the next
full `amazen-reindex` writes them anew.
"""

from alembic import context, op

revision = "0007_one_review_lines"
down_revision = "0006_narrow_evidence"
branch_labels = None
depends_on = None


def _lines(head):
    """The views' statement: each product's lines of both columns (of its head only, with ``head``)."""
    field = "split_part(line, E'\\t', {})".format
    kind, stars = f"left({field(2)}, 1)", f"substr({field(2)}, 2, 1)"
    several, one_review = "p.evidence", "FROM string_to_table(p.one_review, E'\\n') line"
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
    SELECT {field(1)}, 1, ({kind} = 'p')::int, ({kind} = 'c')::int, ({kind} IN ('n', 'x'))::int, ({kind} = 'x')::int,
           {star_counts}, {field(3)}::bigint, NULL
    {one_review}) lines"""


# A short line written out long: its kind as the counts, its stars as the five star counts.
KINDS = {"p": "1\\t1\\t0\\t0\\t0", "c": "1\\t0\\t1\\t0\\t0", "n": "1\\t0\\t0\\t1\\t0", "x": "1\\t0\\t0\\t1\\t1"}
STARS = {s: "\\t".join("1" if k == s else "0" for k in range(1, 6)) for s in range(6)}


def upgrade():
    op.execute("""ALTER TABLE product_evidence ADD COLUMN one_review text COLLATE "C" NOT NULL DEFAULT ''""")
    op.execute(f"CREATE OR REPLACE VIEW descriptor_evidence AS {_lines(head=False).strip()}")
    op.execute(f"CREATE OR REPLACE VIEW head_evidence AS {_lines(head=True).strip()}")


def downgrade():
    """Every short line written out long at the end of evidence, and the views as 0005 left them. A
    head_length then counts from the start of every line: NULL (all of them) for the rows changed."""
    for view, revision_before in (("descriptor_evidence", "0002_praise_complaint"), ("head_evidence", "0005_evidence_head")):
        statement = context.script.get_revision(revision_before).module.VIEW
        op.execute(f"CREATE OR REPLACE VIEW {view} AS {statement.strip()}")
    long = "one_review"
    for kind, counts in KINDS.items():
        line = f"E'^([^\\t\\n]*)\\t{kind}([0-5])\\t([^\\t\\n]*)$'"
        long = f"regexp_replace({long}, {line}, E'\\\\1\\t{counts}\\t#\\\\2\\t\\\\3\\t', 'gn')"
    for stars, counts in STARS.items():
        long = f"replace({long}, E'\\t#{stars}\\t', E'\\t{counts}\\t')"
    op.execute(
        f"UPDATE product_evidence SET evidence = concat_ws(E'\\n', NULLIF(evidence, ''), {long}), head_length = NULL "
        "WHERE one_review <> ''"
    )
    op.execute("ALTER TABLE product_evidence DROP COLUMN one_review")
