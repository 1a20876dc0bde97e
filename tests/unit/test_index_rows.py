"""The descriptor_evidence rows one product's reviews make (index.evidence_lines), counted by hand."""
from amazen.search.index import evidence_lines


def rows(lines):
    return {line.split("\t")[0]: line.rstrip("\n").split("\t")[1:] for line in lines}


def test_counts_stars_and_quotes_of_a_term_several_reviews_mention():
    reviews = [  # (id, rating, helpful votes, summary, text)
        (1, 5, 3, "Sturdy", "Very comfortable."),
        (2, 2, 0, None, "Not comfortable at all."),
        (3, 4, 1, None, "Comfortable enough, and sturdy."),
        (4, None, 0, None, "comfortable"),  # no stars (Hu & Liu): counted, not rated
    ]
    comfort = rows(evidence_lines(9, reviews))["comfort"]
    # product, mentions, positive, negative, stars 1-5, quotes (most helpful negative, then positive), rated, stars sum
    assert comfort == ["9", "4", "3", "1", "{0,1,0,1,1}", "{2,1}", "3", "11"]


def test_a_term_one_review_mentions_has_that_reviews_line():
    lines = rows(evidence_lines(9, [(7, 4, 0, None, "Sturdy and light."), (8, 1, 0, None, "It is not heavy.")]))
    assert lines["sturdi"] == ["9", "1", "1", "0", "{0,0,0,1,0}", "{7}", "1", "4"]
    assert lines["light"] == ["9", "1", "1", "0", "{0,0,0,1,0}", "{7}", "1", "4"]
    assert lines["heavi"] == ["9", "1", "0", "1", "{1,0,0,0,0}", "{8}", "1", "1"]
