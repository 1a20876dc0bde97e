"""The word-level rules behind suggestions: how a stemmed term is written back, what may be offered."""

from amazen.search.analyzer import descriptor_term
from amazen.search.suggest import eligible, plain, surface_form


def test_a_term_is_written_the_way_reviewers_write_it_most():
    texts = ["The batteries died. Battery life is short.", "Great battery life!", "battery life: 2 days"]
    assert surface_form("batteri life", texts) == "battery life"
    assert surface_form("batteri", ["Batteries included", "the batteries", "one battery"]) == "batteries"


def test_a_phrase_with_a_stop_word_inside_keeps_it_and_still_means_the_same_term():
    form = surface_form("easi use", ["It is very easy to use and light."])
    assert form == "easy to use" and descriptor_term(form) == "easi use"


def test_words_split_by_punctuation_are_not_a_form_of_the_phrase():
    # A comma ends a clause, so "Bose, Harman" is not the phrase "bose harman" (a real review in the
    # Multi-Domain Sentiment electronics made suggestions fail with a ValueError here).
    texts = ["Bose, Harman and Sony", "I compared Bose, Harman, Sony", "a bose harman combo"]
    assert surface_form("bose harman", texts) == "bose harman"
    assert surface_form("bose harman", texts[:2]) == "bose harman"  # no written form: the term itself


def test_the_term_itself_when_no_text_has_it():
    assert surface_form("comfort", ["nothing relevant here", None]) == "comfort"


def test_boilerplate_numbers_and_words_in_play_are_never_offered():
    assert eligible("comfort") and eligible("sound qualiti") and eligible("batteri life")
    assert not eligible("great") and not eligible("product") and not eligible("sound great")
    assert not eligible("use") and eligible("easi use")  # too general alone, fine in a phrase
    assert not eligible("comfort", in_play={"comfort"})
    assert not eligible("headphon cord", query_words={"headphon"})
    assert not plain("q35") and not plain("2") and not plain("ok") and plain("bass")


def test_pronouns_contracted_and_the_helpful_votes_line_are_never_offered():
    # Real suggestions at 1M reviews read "i've", "they'll", "they've both gotten", "found this helpful".
    for written in ("i've", "they'll", "they've both gotten", "found this helpful", "people found", "yes"):
        assert not eligible(descriptor_term(written)), written
    assert not eligible(descriptor_term("i've owned"))  # in a phrase too
    assert eligible(descriptor_term("noise cancelling")) and eligible(descriptor_term("fits in easily"))


def test_the_number_of_stars_is_never_offered_alone():
    # "Five Stars" is the summary Amazon writes for a review without one: real suggestions offered "five".
    for written in ("five", "four", "five stars"):
        assert not eligible(descriptor_term(written)), written
    assert eligible(descriptor_term("five minutes"))
