"""The pure parts of benchmarks/polarity_eval.py: reading Hu & Liu's labels, finding mentions, scoring."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "polarity_eval.py"


@pytest.fixture(scope="module")
def polarity_eval():
    spec = importlib.util.spec_from_file_location("polarity_eval", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_labels_are_read_with_their_sign(polarity_eval):
    line = "picture quality[+2], use[-1][u]##the picture quality is great ."
    assert polarity_eval.labelled_sentence(line) == (
        "the picture quality is great .",
        [("picture quality", True), ("use", False)],
    )


def test_odd_lines_of_the_files(polarity_eval):
    read = polarity_eval.labelled_sentence
    assert read("[t]great camera") is None  # a title
    assert read("***[t]great phone , but no warranty !") is None
    assert read("just prose") is None
    assert read("##i bought it for my trip .") == ("i bought it for my trip .", [])  # no labels
    assert read("run[+3], Media[-2]#apex runs well") == ("apex runs well", [("run", True), ("media", False)])
    assert read("size[2]##it is small .") == ("it is small .", [])  # no sign: not a label


def test_a_mention_is_a_labelled_feature_the_analyzer_finds(polarity_eval):
    Mention, PRAISE = polarity_eval.Mention, polarity_eval.PRAISE
    found = polarity_eval.mentions(
        "the battery life is great but no problems with the screen so far",
        [("battery life", True), ("screen", True), ("zoom", False), ("customer service rep", False)],
    )
    # "great" praises the battery life; "no" flips "problems" into praise of the screen; "zoom" is not in
    # the sentence and a three-word feature is not read.
    assert found == [Mention(PRAISE, True), Mention(PRAISE, True)]
    neutral = polarity_eval.mentions("the screen is 2 inches .", [("screen", False)])
    assert neutral == [Mention(polarity_eval.NEUTRAL, False)]


def test_a_sentence_is_read_after_its_reviews_title_and_the_sentences_before_it(polarity_eval):
    Mention, mentions = polarity_eval.Mention, polarity_eval.mentions
    sentence, labels = "the battery is removable .", [("battery", True)]
    assert mentions(sentence, labels) == [Mention(polarity_eval.NEUTRAL, True)]  # no opinion in reach
    assert mentions(sentence, labels, before=["great camera ."]) == [Mention(polarity_eval.PRAISE, True)]
    assert mentions(sentence, labels, title="awful") == [Mention(polarity_eval.COMPLAINT, True)]
    # Only the sentence's own occurrences count: the battery's praise two sentences before is not its.
    before = ["the battery is great .", "the screen is lousy ."]
    assert mentions(sentence, labels, before=before) == [Mention(polarity_eval.COMPLAINT, True)]


def test_scores_of_hand_made_mentions(polarity_eval):
    Mention = polarity_eval.Mention
    PRAISE, COMPLAINT, NEUTRAL = polarity_eval.PRAISE, polarity_eval.COMPLAINT, polarity_eval.NEUTRAL
    found = [
        Mention(PRAISE, True),  # praise stored as praise: agrees
        Mention(PRAISE, True),  # agrees
        Mention(COMPLAINT, True),  # praise stored as a complaint: disagrees
        Mention(PRAISE, False),  # complaint stored as praise: disagrees
        Mention(COMPLAINT, False),  # complaint stored as a complaint: agrees
        Mention(NEUTRAL, False),  # stored neutral: never agrees
        Mention(polarity_eval.NEUTRAL_NEGATED, True),  # neither
    ]
    assert polarity_eval.score(found) == {
        "mentions": 7,
        "agreement": 3 / 7,
        "complaint_recall": 1 / 3,
        "praise_recall": 2 / 4,
        "neutral": 2 / 7,
        "signed_agreement": 3 / 5,
        "always_positive": 4 / 7,
    }


def test_nothing_to_score(polarity_eval):
    assert polarity_eval.score([]) == {
        "mentions": 0,
        "agreement": 0.0,
        "complaint_recall": 0.0,
        "praise_recall": 0.0,
        "neutral": 0.0,
        "signed_agreement": 0.0,
        "always_positive": 0.0,
    }


def test_per_review_a_term_has_one_mention_labelled_by_its_majority(polarity_eval, tmp_path):
    Mention, PRAISE, COMPLAINT = polarity_eval.Mention, polarity_eval.PRAISE, polarity_eval.COMPLAINT
    product = tmp_path / "Some player.txt"
    product.write_text(
        "##sentences before the first title make a review too .\n"
        "screen[+2]##the screen is great .\n"
        "[t]two reviews##of one product .\n"
        "battery[-2]##the battery died .\n"
        "battery[+1]##the battery is great .\n"
        "[t]third\n"
        "remote[-1]##it came without a remote .\n"
        "remote[+1]##the remote is sturdy .\n"
    )
    assert [(title, len(labelled)) for title, labelled in polarity_eval._reviews(product)] == [
        (None, 2),
        ("two reviews", 3),  # "[t]title##sentence" holds its first sentence
        ("third", 2),
    ]
    # One mention a review and term: the screen praised; the battery's labels tie, so it is labelled a
    # complaint, and the import stores a complaint (one "died" against one "great": a tie is a
    # complaint); the remote's tie likewise, stored a complaint ("without" denies it) against praise.
    assert polarity_eval.file_review_mentions(product) == [
        Mention(PRAISE, True),
        Mention(COMPLAINT, False),
        Mention(COMPLAINT, False),
    ]
