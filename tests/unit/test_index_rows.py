"""The index rows one product makes, worked out by hand: descriptor_evidence from its reviews
(index.evidence_lines), its vocabulary phrases (index.product_phrases)."""
from amazen.search.index import evidence_lines, phrase_lines, product_phrases


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


def test_title_phrases_start_with_a_letter_and_neither_start_nor_end_with_a_stop_word_or_one_letter():
    found = product_phrases("The Café-Crème 2 in 1 Mug for Men’s Desks", None, [])
    assert found == {
        # The Café-Crème 2 in 1 Mug for Men's Desks: folded, and split at anything but letters, digits, apostrophes.
        "cafe": False, "cafe creme": False, "creme": False, "mug": False, "men's": False, "men's desks": False,
        "desks": False, "mug for men's": False,
    }


def test_brand_and_category_names_are_offered_whole_and_as_words():
    found = product_phrases("Sony Headphones", "Sony", ["Electronics", "Headphones & Earbuds"])
    assert found == {
        "sony": True, "sony headphones": False, "headphones": True,  # a title word a name also uses: named
        "electronics": True, "headphones & earbuds": True, "earbuds": True,
    }
    assert product_phrases(None, "", []) == {}
    assert max(map(len, product_phrases("a " + "b" * 90, "x" * 81, ["y" * 80]))) == 80  # at most 80 characters


def test_phrase_lines_escape_what_copy_would_read_as_control_characters():
    assert phrase_lines(7, None, "Back\\slash\tTab", []) == ["back\\\\slash\\ttab\t7\tt\n", "back\t7\tt\n", "slash\t7\tt\n", "tab\t7\tt\n"]
