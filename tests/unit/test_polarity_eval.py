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
    Mention = polarity_eval.Mention
    found = polarity_eval.mentions(
        "the battery life is great but no problems with the screen so far",
        [("battery life", True), ("screen", True), ("zoom", False), ("customer service rep", False)],
    )
    # "screen" is within the reach of "no": stored negative although it is praise; "zoom" is not in the
    # sentence and a three-word feature is not read.
    assert found == [Mention(True, True), Mention(False, True)]
    # As many negated occurrences as plain ones: stored negative, as the import's evidence stores it.
    tie = polarity_eval.mentions("the screen is bright , no screen glare", [("screen", True)])
    assert tie == [Mention(False, True)]


def test_scores_of_hand_made_mentions(polarity_eval):
    Mention = polarity_eval.Mention
    found = [
        Mention(True, True),  # praise stored positive: agrees
        Mention(True, True),  # agrees
        Mention(False, True),  # praise stored negative: disagrees
        Mention(True, False),  # complaint stored positive: disagrees
        Mention(False, False),  # complaint stored negative: agrees
        Mention(False, False),  # agrees
    ]
    assert polarity_eval.score(found) == {
        "mentions": 6,
        "agreement": 4 / 6,
        "complaint_recall": 2 / 3,
        "praise_recall": 2 / 3,
        "always_positive": 3 / 6,
    }
    complaints_missed = [Mention(True, False)] * 3 + [Mention(True, True)]
    assert polarity_eval.score(complaints_missed) == {
        "mentions": 4,
        "agreement": 1 / 4,
        "complaint_recall": 0.0,
        "praise_recall": 1.0,
        "always_positive": 1 / 4,
    }


def test_nothing_to_score(polarity_eval):
    assert polarity_eval.score([]) == {
        "mentions": 0,
        "agreement": 0.0,
        "complaint_recall": 0.0,
        "praise_recall": 0.0,
        "always_positive": 0.0,
    }
