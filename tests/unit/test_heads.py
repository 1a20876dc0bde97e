"""Reading a product's head (amazen.search.heads): its product_evidence lines as numbers."""

import numpy as np
import pytest

from amazen.search.heads import Terms, parse_head

# Two lines of several reviews (term, mentions, praise, complaints, neutral, negated neutral, 1-5 star
# counts, quotes) and three of one review (kind and stars, review id, its terms).
EVIDENCE = "comfort\t3\t2\t1\t0\t0\t0\t0\t1\t1\t1\t17\t\nbass\t2\t0\t0\t2\t1\t0\t0\t0\t2\t0\t5\t9"
ONE_REVIEW = "p5\t40801\tloud\tbatteri life\nc1\t9\tflimsi\nx0\t12\tcord"


def test_a_heads_lines_become_its_terms_counts_and_quotes():
    terms, counts, quotes = parse_head(EVIDENCE, ONE_REVIEW)
    assert terms == ["comfort", "bass", "loud", "batteri life", "flimsi", "cord"]
    assert counts.tolist() == [[3, 2, 1], [2, 0, 0], [1, 1, 0], [1, 1, 0], [1, 0, 1], [1, 0, 0]]
    assert quotes.tolist() == [[17, -1], [5, 9], [40801, -1], [40801, -1], [9, -1], [12, -1]]


def test_counts_and_quotes_are_kept_narrow_unless_a_value_needs_more():
    _, counts, quotes = parse_head(EVIDENCE, ONE_REVIEW)
    assert (counts.dtype, quotes.dtype) == (np.uint16, np.int32)
    big = "comfort\t70000\t2\t1\t0\t0\t0\t0\t1\t1\t1\t3000000000\t"
    _, counts, quotes = parse_head(big, "")
    assert counts.tolist() == [[70000, 2, 1]] and quotes.tolist() == [[3000000000, -1]]


def test_an_empty_head_has_no_lines():
    terms, counts, quotes = parse_head("", "")
    assert terms == [] and counts.shape == (0, 3) and quotes.shape == (0, 2)


@pytest.mark.parametrize(
    "evidence, one_review",
    [
        ("comfort\t3\t2\t1", ""),
        ("", "p5\t40801"),  # no terms
        ("", "p\t40801\tloud"),  # no stars
        ("comfort\tthree" + "\t0" * 11, ""),
        ("", "p5\tforty\tloud"),
    ],
)
def test_a_malformed_line_is_refused(evidence, one_review):
    with pytest.raises(ValueError, match="head line"):
        parse_head(evidence, one_review)


def test_terms_keep_their_numbers_and_new_ones_come_next():
    terms = Terms()
    assert terms.numbers(["bass", "comfort", "bass"]).tolist() == [0, 1, 0]
    assert terms.numbers(["loud", "comfort"]).tolist() == [2, 1]
    assert terms.names == ["bass", "comfort", "loud"]
