"""The collocation rule (amazen.search.collocations) on texts small enough to count by hand."""

import math

from amazen.search.collocations import MIN_G2, collocations, count_pairs


def test_a_pair_counts_once_per_distinct_clause_and_never_across_a_contrast_word():
    pairs = count_pairs(
        [
            "Great battery life. Great battery life!",  # the same clause twice: one use
            "Battery life is short",  # "is" is a stop word: "life short" is a pair
            "Loud but battery life",  # "loud" and "battery" are in different clauses
            None,
        ]
    )
    assert pairs == {("great", "batteri"): 1, ("batteri", "life"): 3, ("life", "short"): 1}


def g2(table):
    """G² of a 2x2 table [[a, b], [c, d]], from its observed and expected cells."""
    total = sum(sum(row) for row in table)
    rows = [sum(row) for row in table]
    columns = [table[0][j] + table[1][j] for j in range(2)]
    return 2 * sum(
        table[i][j] * math.log(table[i][j] * total / (rows[i] * columns[j])) for i in range(2) for j in range(2) if table[i][j]
    )


def test_a_collocation_is_used_twice_more_often_than_chance_with_a_high_g2():
    pairs = {("batteri", "life"): 6, ("great", "batteri"): 1, ("great", "sound"): 5, ("sound", "life"): 1}
    pairs.update({(f"w{i}", f"v{i}"): 1 for i in range(40)})  # a background of unrelated pairs
    total = sum(pairs.values())
    # "batteri life": 6 of the 6 pairs that start with "batteri"; 1 other pair ends with "life".
    expected = g2([[6, 0], [1, total - 7]])
    assert expected >= MIN_G2
    found = collocations(pairs)
    assert set(found) == {"batteri life", "great sound"}
    assert found["batteri life"][0] == 6 and math.isclose(found["batteri life"][1], expected)


def test_a_pair_used_once_or_no_more_often_than_chance_is_no_collocation():
    # "good product" is as common as its words make it: the words pair with everything alike.
    pairs = {(first, second): 2 for first in ("good", "nice") for second in ("product", "price")}
    pairs[("rare", "pair")] = 1
    assert collocations(pairs) == {}
