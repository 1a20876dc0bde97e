"""The index rows one product makes, worked out by hand: its evidence from its reviews
(documents.evidence_row), its postings (documents.product_postings), its vocabulary phrases
(documents.product_phrases), its rating aggregates (documents.rating_aggregates)."""

import random

import pytest

from amazen.search.analyzer import COMPLAINT, NEUTRAL, NEUTRAL_NEGATED, PRAISE, analyze, phrases, review_mentions
from amazen.search.documents import (
    FIELD_WEIGHTS,
    HEAD_TERMS,
    evidence_row,
    phrase_deltas,
    product_phrases,
    product_postings,
    rating_aggregates,
    review_evidence,
)

from .test_analyzer import electronics_reviews


def written_out(fields):
    """A one_review line (kind and stars, the review, its terms: "p5" praise, 5 stars; c complaint, n
    neutral, x negated neutral; 0 no stars) as a long line of 13 fields per term."""
    (kind, stars), review, *terms = fields
    counts = [kind == "p", kind == "c", kind in "nx", kind == "x"] + [stars == str(k) for k in range(1, 6)]
    return [[term, "1", *(str(int(count)) for count in counts), review, ""] for term in terms]


def rows(row, product_id=9):
    """{term: the rest of its line's fields} of a product_evidence COPY line (separators escaped as COPY
    escapes them: a backslash and t or n): the long lines of terms several reviews mention, then the
    one_review lines written out long, a line per term; its head_length checked on the way."""
    product, several, one_review, head_length = row.rstrip("\n").split("\t")
    assert product == str(product_id) and "\n" not in several + one_review
    several = [line.split("\\t") for line in several.split("\\n")] if several else []
    one_review = [line.split("\\t") for line in one_review.split("\\n")] if one_review else []
    assert all(len(fields) == 13 and int(fields[1]) > 1 for fields in several)
    assert all(len(fields) >= 3 for fields in one_review)
    # A line per review and way of mentioning: no two alike.
    assert len({tuple(fields[:2]) for fields in one_review}) == len(one_review)
    lines = several + [line for fields in one_review for line in written_out(fields)]
    found = {fields[0]: fields[1:] for fields in lines}
    assert len(found) == len(lines)  # one line per term
    # The head: every line (NULL), or past HEAD_TERMS terms the HEAD_TERMS most mentioned of several
    # mentions (on a tie, in term order), which come first; its length as PostgreSQL stores it (a tab or
    # newline is one character).
    if len(lines) <= HEAD_TERMS:
        assert head_length == "\\N"
    else:
        head = sorted(several, key=lambda fields: (-int(fields[1]), fields[0]))[:HEAD_TERMS]
        assert several[: len(head)] == head
        assert int(head_length) == len("\n".join("\t".join(fields) for fields in head))
    return found


def test_counts_stars_and_quotes_of_a_term_several_reviews_mention():
    reviews = [  # (id, rating, helpful votes, summary, text)
        (1, 5, 3, "Sturdy", "Very comfortable."),
        (2, 2, 0, None, "Not comfortable at all."),
        (3, 4, 1, None, "Comfortable enough, and sturdy."),
        (4, None, 0, None, "comfortable"),  # no stars (Hu & Liu): counted, not rated
    ]
    comfort = rows(evidence_row(9, reviews))["comfort"]
    # mentions, praise, complaint, neutral, negated neutral, stars 1-5, quotes (most helpful complaint,
    # then praise)
    assert comfort == ["4", "3", "1", "0", "0", "0", "1", "0", "1", "1", "2", "1"]


def test_rating_aggregates_count_reviews_and_stars_apart_and_average_the_stars_given():
    reviews = [(1, 5, 0, None, "a"), (2, 4, 0, None, "b"), (3, None, 0, None, "c"), (4, 4, 0, None, "d")]
    assert rating_aggregates(reviews) == (4, 3, 13 / 3, [0, 0, 0, 2, 1])
    assert rating_aggregates([(1, None, 0, None, "no stars")]) == (1, 0, None, [0, 0, 0, 0, 0])
    assert rating_aggregates([]) == (0, 0, None, [0, 0, 0, 0, 0])


def test_a_term_one_review_mentions_has_that_reviews_line():
    lines = rows(evidence_row(9, [(7, 4, 0, None, "Sturdy and light."), (8, 1, 0, None, "It is not heavy.")]))
    # mentions, praise, complaint, neutral, negated neutral, stars 1-5, quotes (one: the second is empty).
    assert lines["sturdi"] == ["1", "1", "0", "0", "0", "0", "0", "0", "1", "0", "7", ""]  # an opinion word
    assert lines["light"] == ["1", "1", "0", "0", "0", "0", "0", "0", "1", "0", "7", ""]  # "sturdy" beside it
    assert lines["heavi"] == ["1", "0", "0", "1", "1", "1", "0", "0", "0", "0", "8", ""]  # no opinion, negated
    assert evidence_row(9, []) == "" and evidence_row(9, [(7, 4, 0, None, None)]) == ""


def test_a_products_brand_gives_its_reviews_no_opinion():
    reviews = [(7, 4, 0, None, "Sharp remote.")]
    assert rows(evidence_row(9, reviews))["remot"][1:4] == ["1", "0", "0"]  # "sharp" praises it
    assert rows(evidence_row(9, reviews, brand="Sharp"))["remot"][1:4] == ["0", "0", "1"]  # the name: neutral


def test_the_packed_values_of_a_term_count_only_the_stars_of_reviews_that_gave_some():
    """(praise - complaint, plain - negated neutral, stars_sum, rated, mentions, praise) per term, as the
    packed evidence and the totals take them: an unrated review mentions, but adds no stars and no rating."""
    reviews = [(7, None, 0, None, "Cheap. Sturdy."), (8, 5, 0, None, "Sturdy and light."), (9, 2, 0, None, "Not light.")]
    values = {term: found for term, _, found in review_evidence(reviews)}
    assert values["cheap"] == (0, 1, 0, 0, 1, 0)  # review 7 alone, neutral (before any opinion): no stars
    assert values["sturdi"] == (2, 0, 5, 1, 2, 2)  # reviews 7 and 8 praise it: only 8's five stars
    assert values["light"] == (1, -1, 7, 2, 2, 1)  # 8 praises (beside "sturdy"), 9 denies it without an opinion


def test_title_phrases_start_with_a_letter_and_neither_start_nor_end_with_a_stop_word_or_one_letter():
    found = product_phrases("The Café-Crème 2 in 1 Mug for Men’s Desks", None, [])
    assert found == {
        # The Café-Crème 2 in 1 Mug for Men's Desks: folded, and split at anything but letters, digits, apostrophes.
        "cafe": False,
        "cafe creme": False,
        "creme": False,
        "mug": False,
        "men's": False,
        "men's desks": False,
        "desks": False,
        "mug for men's": False,
    }


def test_brand_and_category_names_are_offered_whole_and_as_words():
    found = product_phrases("Sony Headphones", "Sony", ["Electronics", "Headphones & Earbuds"])
    assert found == {
        "sony": True,
        "sony headphones": False,
        "headphones": True,  # a title word a name also uses: named
        "electronics": True,
        "headphones & earbuds": True,
        "earbuds": True,
    }
    assert product_phrases(None, "", []) == {}
    assert max(map(len, product_phrases("a " + "b" * 90, "x" * 81, ["y" * 80]))) == 80  # at most 80 characters


def test_phrase_deltas_count_each_texts_phrases_by_its_sign_and_escape_what_copy_would_read():
    # A name's tab is white space like any other; a backslash is escaped for COPY.
    assert product_phrases(None, "Back\\slash\tTab\n", []) == {"back\\slash tab": True, "back": True, "slash": True, "tab": True}
    assert phrase_deltas([(1, ("Tin Box", "Back\\slash\tTab", []))]) == (
        "tin\t1\t0\ntin box\t1\t0\nbox\t1\t0\nback\\\\slash tab\t1\t1\nback\t1\t1\nslash\t1\t1\ntab\t1\t1\n"
    )
    assert phrase_deltas([(1, (None, None, None))]) == ""
    # A product renamed from Blue Mug to Red Mug and a new Blue Mug: "red", "red mug" and "mug" one
    # product more ("mug" left one and came to two), "blue" and "blue mug" as they were, and the brand and
    # category (named before and now) not at all.
    renamed = [(1, ("Red Mug", "Acme", ["Kitchen"])), (-1, ("Blue Mug", "Acme", ["Kitchen"])), (1, ("Blue Mug", None, []))]
    moved = dict(line.split("\t", 1) for line in phrase_deltas(renamed).splitlines())
    assert moved == {"red": "1\t0", "red mug": "1\t0", "mug": "1\t0"}


def evidence_the_long_way(product_id, reviews):
    """What evidence_row must make, worked out per term from review_mentions, list by list."""
    ordered = sorted(reviews, key=lambda r: (-(r[2] or 0), r[0]))  # most helpful, then oldest, first
    mentions = {}
    for review_id, rating, _, summary, text in ordered:
        for term, polarity in review_mentions(summary, text).items():
            mentions.setdefault(term, []).append((review_id, rating, polarity))
    expected = {}
    for term, found in mentions.items():
        positive = [review_id for review_id, _, polarity in found if polarity == PRAISE]
        negative = [review_id for review_id, _, polarity in found if polarity == COMPLAINT]
        neutral = [review_id for review_id, _, polarity in found if polarity in (NEUTRAL, NEUTRAL_NEGATED)]
        negated = [review_id for review_id, _, polarity in found if polarity == NEUTRAL_NEGATED]
        stars = [sum(rating == k for _, rating, _ in found) for k in range(1, 6)]
        quotes = negative[:1] + positive[:1]
        quotes += (negative[1:2] + positive[1:2])[: 2 - len(quotes)]
        quotes += neutral[: 2 - len(quotes)]
        expected[term] = [
            str(len(found)),
            str(len(positive)),
            str(len(negative)),
            str(len(neutral)),
            str(len(negated)),
            *map(str, stars),
            *map(str, quotes),
            *[""] * (2 - len(quotes)),
        ]
    return expected


@pytest.mark.usefixtures("amazon_data")
def test_evidence_rows_agree_with_each_terms_mentions_on_real_reviews():
    # The 2,000 MDSD electronics reviews as products of 1 to 700 reviews (past 64 reviews the bits of
    # evidence_row are big integers), with seeded stars (some missing) and helpful votes (many ties).
    texts = electronics_reviews()
    rng = random.Random(7)
    start, product_id, checked = 0, 0, 0
    for size in (1, 2, 3, 10, 64, 65, 200, 700, 1000):
        reviews = [
            (start + i + 1, rng.choice([None, 1, 2, 3, 4, 5, 5]), rng.choice([None, 0, 0, 1, 2, 30]), *texts[start + i])
            for i in range(min(size, len(texts) - start))
        ]
        rng.shuffle(reviews)
        product_id += 1
        found = rows(evidence_row(product_id, reviews), product_id)
        assert found == evidence_the_long_way(product_id, reviews)
        if len(found) > HEAD_TERMS:  # the head first: the terms of several mentions, the most mentioned first
            mentions = [int(fields[0]) for fields in found.values()]
            assert mentions == sorted(mentions, reverse=True)
        start += size
        checked += len(found)
    assert start >= len(texts) and checked > 50_000 and len(found) > HEAD_TERMS


@pytest.mark.usefixtures("amazon_data")
def test_product_postings_count_the_words_and_phrases_analyze_finds():
    texts = electronics_reviews()[:400]
    for i in range(0, len(texts), 4):
        (title, text), (brand, _), (category, feature), (_, description) = texts[i : i + 4]
        fields = (
            ("title", [title]),
            ("brand", [brand]),
            ("categories", [category, "Electronics"]),
            ("features", [feature, ""]),
            ("description", [description]),
        )
        expected, length = {}, 0.0
        for field, values in fields:
            for value in values:
                words = analyze(value)
                length += FIELD_WEIGHTS[field] * len(words)
                for term in words + phrases(words):
                    expected[term.term] = expected.get(term.term, 0.0) + FIELD_WEIGHTS[field]
        assert product_postings(title, brand, [category, "Electronics"], [feature, ""], description) == (expected, length)
