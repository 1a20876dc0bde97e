"""The analyzer and query parsing: what a review or a query turns into."""

import re

import pytest
from webob.multidict import MultiDict

from amazen.catalog.demo_vocabulary import CATEGORIES as DEMO_CATEGORIES
from amazen.params import InvalidParameter
from amazen.search.analyzer import (
    COMPLAINT,
    NEUTRAL,
    NEUTRAL_NEGATED,
    PRAISE,
    analyze,
    brand_words,
    descriptor_term,
    phrases,
    review_mentions,
    sentences,
    uses_term,
)
from amazen.search.query import parse_query, parse_search
from amazen.search.scoring import said
from amazen.search.service import QuoteMemo, quote
from tests.datasets import MDSD_ELECTRONICS


def negated(text):
    return {t.term: t.negated for t in analyze(text)}


@pytest.mark.parametrize(
    "text, term, is_negated",
    [
        ("These are comfortable.", "comfort", False),
        ("These are not comfortable at all.", "comfort", True),
        ("They isn't very comfortable.", "comfort", True),
        ("It doesn't hold a charge.", "charg", True),
        ("Never comfortable, always loud.", "loud", False),  # the comma ends the negation's clause
        ("Not only comfortable but light.", "comfort", False),  # "not only X" praises X
        ("Not cheap, but comfortable.", "comfort", False),
        ("I wouldn’t call them comfortable.", "comfort", True),  # a curly apostrophe
        ("no problems whatsoever with the bass", "bass", True),  # three words reach: problems, whatsoever, bass
        ("No complaints. Comfortable.", "comfort", False),
    ],
)
def test_negation_scope(text, term, is_negated):
    assert negated(text)[term] is is_negated


def test_stop_words_are_dropped_and_words_stemmed():
    assert [t.term for t in analyze("The Headphones are REALLY comfortable!")] == ["headphon", "comfort"]
    assert [t.term for t in analyze("Café crème")] == ["cafe", "creme"]  # accents folded before stemming


def test_phrases_join_neighbouring_words_of_one_clause_only():
    def joined(text):
        return [t.term for t in phrases(analyze(text))]

    assert joined("Great battery life") == ["great batteri", "batteri life"]
    assert joined("Easy to use") == ["easi use"]  # one stop word between
    assert joined("Great battery. Life is short") == ["great batteri", "life short"]  # not across a sentence
    assert joined("The battery, life and soul") == ["life soul"]  # nor across a comma
    assert joined("Solid battery - life saver") == ["solid batteri", "life saver"]  # nor across a dash
    assert "batteri life" not in review_mentions("Great battery", "Life is short")  # nor from headline to text


def says(text, term):
    return review_mentions("", text)[term]


def test_a_mention_is_praise_or_complaint_from_the_opinion_words_of_its_clause():
    assert says("The battery dies fast.", "batteri") == COMPLAINT
    assert says("Never had a problem with the battery.", "batteri") == PRAISE  # "never" flips "problem"
    assert says("Not too tight.", "tight") == PRAISE  # "too" complains, "not" flips it
    assert says("Loud and clear.", "loud") == PRAISE
    assert says("Sound quality is terrible.", "sound qualiti") == COMPLAINT
    assert says("Great camera but the battery dies within an hour.", "camera") == PRAISE  # "but" ends it
    assert says("Great camera but the battery dies within an hour.", "batteri") == COMPLAINT
    assert says("The battery lasts forever, but the sound is tinny.", "batteri") == PRAISE  # "but" ahead
    assert says("It took a while to learn the menu, but it is easy to use.", "menu") == COMPLAINT
    assert says("The battery lasts forever, but the sound is 3D.", "batteri") == NEUTRAL  # no opinion after
    assert says("Great screen, but the battery is removable.", "batteri") == COMPLAINT  # the reverse, as before
    assert says("The lid feels flimsy.", "flimsi") == COMPLAINT  # an opinion word: its own orientation
    assert says("Not comfortable after an hour.", "comfort") == COMPLAINT
    assert says("It never failed.", "fail") == PRAISE
    assert says("The case leaks.", "leak") == COMPLAINT  # "leaks" as the lexicon's "leak"
    assert says("Pros: long battery, light. Cons: short cable.", "batteri") == PRAISE  # a list's heading
    assert says("Pros: long battery, light. Cons: short cable.", "cabl") == COMPLAINT
    assert says("It supports every format and lets you make playlists.", "format") == PRAISE  # a capability
    assert says("Customer support never answered.", "custom") == NEUTRAL  # "support" the noun: no opinion
    assert says("It plays discs very well.", "disc") == PRAISE  # "well", a stop word with an opinion
    assert says("It has a remote as well.", "remot") == NEUTRAL  # ... but not "as well"
    assert says("Well, the remote is small.", "remot") == NEUTRAL  # nor opening a sentence
    assert not any(term.negated for term in analyze("It works well and the battery lasts."))
    assert says("The sound is ok.", "sound") == PRAISE
    assert says("You can't beat the price.", "price") == NEUTRAL_NEGATED  # an idiom, not a denial


def test_what_the_product_is_denied_is_a_complaint_and_a_state_negated_is_not():
    assert says("It won't play my discs.", "play") == COMPLAINT  # a verb it fails at
    assert says("It won't play my discs.", "disc") == COMPLAINT  # ... and what it fails at it with
    assert says("It does not show the picture.", "show") == COMPLAINT  # "not" after "does"
    assert says("There was no picture.", "pictur") == COMPLAINT  # a thing it lacks
    assert says("Sold without a remote.", "remot") == COMPLAINT
    assert says("It doesn't have bluetooth.", "bluetooth") == COMPLAINT
    assert says("No hiss at all.", "hiss") == NEUTRAL_NEGATED  # a nuisance it is praised for lacking
    assert says("It doesn't skip.", "skip") == NEUTRAL_NEGATED
    assert says("It doesn't make any noise.", "nois") == NEUTRAL_NEGATED  # giving off: no complaint
    assert says("It doesn't feel heavy.", "heavi") == NEUTRAL_NEGATED  # a link to a state
    assert says("It doesn't get loud.", "loud") == NEUTRAL_NEGATED  # only the word after the cue
    assert says("It is not loud.", "loud") == NEUTRAL_NEGATED  # a state negated: as before
    assert says("No, the picture is sharp.", "pictur") == PRAISE  # a denial ends at a comma


def test_an_opinion_wished_for_is_negated_and_a_comparison_is_no_opinion():
    assert says("The menu could be better.", "menu") == COMPLAINT
    assert says("A longer cable would have been nice.", "cabl") == COMPLAINT
    assert says("The menu would be great for kids.", "menu") == PRAISE  # a plain "would be" is no wish
    assert says("I couldn't be happier with the camera.", "camera") == PRAISE
    assert says("I couldn't be more disappointed with the camera.", "camera") == COMPLAINT
    assert says("There is no better camera.", "camera") == PRAISE
    assert says("I really like the screen.", "screen") == PRAISE
    assert says("I don't like the screen.", "screen") == COMPLAINT
    assert says("The screen looks like glass.", "screen") == NEUTRAL  # "like" a comparison
    assert says("I particularly like the zoom.", "zoom") == PRAISE
    assert says("Coolest phone ever.", "phone") == PRAISE  # "coolest" as the lexicon's "cool"
    assert says("Top-notch reception.", "recept") == PRAISE


def test_the_products_brand_is_a_name_not_an_opinion():
    creative = brand_words("Creative Labs")
    assert creative == {"creative", "labs"}
    assert review_mentions("", "Creative software stinks.")["softwar"] == NEUTRAL  # "creative" praises, "stinks" not
    assert review_mentions("", "Creative software stinks.", creative)["softwar"] == COMPLAINT
    assert review_mentions("", "The Sharp remote is small.", brand_words("SHARP"))["remot"] == NEUTRAL
    text = "Creative makes sharp, creative players."
    assert review_mentions("", text, creative).keys() == review_mentions("", text).keys()  # the same terms
    assert brand_words(None) == brand_words("") == frozenset()


def test_the_demo_catalogs_review_sentences_read_as_they_were_written():
    # Each demo attribute has sentences written as praise and as complaint ("The bass is not great."):
    # the analyzer must read most of them that way, and a complaint as praise or the reverse rarely.
    wrong_way = 0
    written = []
    for category in DEMO_CATEGORIES:
        for attribute in category.attributes:
            term = descriptor_term(attribute.name)
            for meant, lines in (
                (PRAISE, attribute.positive + attribute.praise),
                (COMPLAINT, attribute.negative + attribute.complaint),
            ):
                for line in lines:
                    said = review_mentions("", line.replace("{item}", category.item)).get(term)
                    if said is not None:
                        written.append(said == meant)
                        wrong_way += said == (COMPLAINT if meant == PRAISE else PRAISE)
    read = sum(written)
    assert len(written) > 150
    assert read >= 0.8 * len(written)
    assert wrong_way <= 0.05 * len(written)


def test_a_mention_without_an_opinion_in_reach_is_neutral_said_plainly_or_negated():
    assert says("Very loud.", "loud") == NEUTRAL
    assert says("It is not loud at all.", "loud") == NEUTRAL_NEGATED
    assert says("The battery is removable. Great screen.", "batteri") == NEUTRAL  # no opinion before it


def test_a_sentence_without_an_opinion_takes_the_reviews_last_one():
    # A list of pros or cons, or a remark after a verdict, says what the sentences before it said.
    assert says("Great screen. The battery is removable.", "batteri") == PRAISE
    assert says("The screen is terrible. The battery is removable.", "batteri") == COMPLAINT
    assert says("Great screen. Awful speaker. The battery is removable.", "batteri") == COMPLAINT  # the last one
    assert says("Awful speaker. Great screen. Then a remark. The battery is removable.", "batteri") == PRAISE
    assert review_mentions("Terrible phone", "The battery is removable.")["batteri"] == COMPLAINT  # the headline's
    assert says("Great screen. The remote is small, but the case is big.", "remot") == PRAISE  # no opinion either side
    # A sentence's own opinion still decides, and a negated state stays a neutral mention ("avoid: loud"
    # does not demote "great speaker. not loud at all").
    assert says("Great screen. The battery dies fast.", "batteri") == COMPLAINT
    assert says("Great speaker. It is not loud at all.", "loud") == NEUTRAL_NEGATED


def test_a_neutral_mention_counts_for_a_wanted_descriptor_and_against_an_avoided_one_as_said():
    # scoring.said: praise - complaint for a wanted descriptor, the reverse for an avoided one, plus the
    # neutral mentions said plainly, less the negated ones.
    assert said(1, 0, 1) == 1 and said(-1, 0, 1) == 1  # "very loud": wanted +1; avoided, demoted by 1
    assert said(-1, 0, -1) == -1  # "not loud at all": an avoided "loud" is not demoted
    assert said(-1, -1, 0) == 1  # "too loud", a complaint: an avoided "loud" is demoted
    assert said(1, -1, 0) == -1  # "not comfortable", a complaint: a wanted "comfortable" loses


def test_a_review_mention_takes_the_majority_of_its_occurrences_a_tie_a_complaint():
    assert review_mentions("", "Comfortable. Not comfortable after an hour.")["comfort"] == COMPLAINT
    assert review_mentions("Comfortable", "Very comfortable. Not comfortable in the heat.")["comfort"] == PRAISE
    assert review_mentions("", "Great battery life.")["batteri life"] == PRAISE
    assert review_mentions("", "The battery life is not great.")["great"] == COMPLAINT
    assert review_mentions("", "Loud. Not loud at all.")["loud"] == NEUTRAL_NEGATED  # neutral: the old tie rule
    assert review_mentions("", "Very loud. Loud and clear.")["loud"] == PRAISE  # an opinion outweighs no opinion


def mentions_the_long_way(summary, text):
    """The terms review_mentions must find, as the rest of the analyzer reads text (analyze + phrases)."""
    terms = analyze(f"{summary}\n{text}")
    return {term.term for term in terms + phrases(terms)}


def electronics_reviews():
    """(title, text) of every MDSD electronics review, read with a plain regex."""
    reviews = []
    for path in MDSD_ELECTRONICS:
        raw = path.read_text(encoding="latin-1")
        for block in re.findall(r"<review>(.*?)</review>", raw, re.S):
            title = re.search(r"<title>(.*?)</title>", block, re.S)
            text = re.search(r"<review_text>(.*?)</review_text>", block, re.S)
            reviews.append((title.group(1) if title else "", text.group(1) if text else ""))
    return reviews


@pytest.mark.usefixtures("amazon_data")
def test_review_mentions_agrees_with_analyze_and_phrases_on_real_reviews():
    # review_mentions is the importer's one-pass fast path; it must find exactly what the general
    # analyzer finds, on every real review.
    reviews = electronics_reviews()
    assert len(reviews) == 2000
    differing = [r for r in reviews if set(review_mentions(*r)) != mentions_the_long_way(*r)]
    assert differing == []
    said = [polarity for r in reviews for polarity in review_mentions(*r).values()]
    assert all(said.count(polarity) > 500 for polarity in (PRAISE, COMPLAINT, NEUTRAL, NEUTRAL_NEGATED))


@pytest.mark.usefixtures("amazon_data")
def test_uses_term_finds_exactly_the_terms_of_analyze_and_phrases():
    # uses_term is how a quote's sentence is found; on real sentences it must say yes to every word and
    # phrase analyze + phrases find there, and no to the other terms of the same review (phrases that
    # span two sentences, stop words' neighbours, terms of other sentences).
    checked = 0
    for title, text in electronics_reviews()[:300]:
        review = analyze(text)
        review_terms = {t.term for t in review + phrases(review)} | {
            f"{a} {b}" for a, b in zip([t.term for t in review], [t.term for t in review][1:])
        }
        for sentence in sentences(text):
            terms = analyze(sentence)
            found = {t.term for t in terms + phrases(terms)}
            assert all(uses_term(sentence, term) for term in found)
            assert not any(uses_term(sentence, term) for term in review_terms - found)
            checked += len(review_terms - found)
    assert checked > 10_000  # the "no" side is exercised


def test_sentences_end_at_a_full_stop_question_or_exclamation_mark_before_a_space_and_at_line_breaks():
    text = "  Great sound. Bass is deep!\n\nBattery life?  Short..ok 2.5 hours\r\nwell.\n"
    assert list(sentences(text)) == ["Great sound.", "Bass is deep!", "Battery life?", "Short..ok 2.5 hours", "well."]
    assert list(sentences("")) == [] and list(sentences(None)) == [] and list(sentences(" \n ")) == []


def test_a_remembered_quote_follows_the_review_as_read_now_and_the_memo_is_bounded():
    memo = QuoteMemo(size=2)
    assert memo.quote(1, None, "Cheap. The bass is deep.", "bass") == "The <mark>bass</mark> is deep."
    assert memo.quote(1, None, "Cheap. The bass is deep.", "bass") == "The <mark>bass</mark> is deep."
    assert memo.quote(1, None, "Cheap. Deep <bass>!", "bass") == "Deep &lt;<mark>bass</mark>&gt;!"  # edited
    assert memo.quote(1, "Bass", "Cheap. Deep <bass>!", "bass") == "<mark>Bass</mark>"
    assert memo.quote(1, "Bass", "Fine.", "treble") is None
    assert memo.quote(2, None, "Treble and bass.", "bass") == "Treble and <mark>bass</mark>."
    assert len(memo) == 2
    long = "Bass " * 200 + "."
    assert memo.quote(3, None, long, "bass") == quote(None, long, "bass") and len(memo) == 2  # too long to keep


def test_descriptors_are_a_word_or_a_two_word_phrase():
    assert descriptor_term("Comfortable") == "comfort"
    assert descriptor_term("battery life") == "batteri life"
    assert descriptor_term("easy to use") == "easi use"
    assert descriptor_term("the") is None
    with pytest.raises(ValueError):
        descriptor_term("long lasting battery life")


def test_queries_have_words_phrases_and_exclusions():
    parsed = parse_query('wireless "noise cancelling" headphones -sony -"sound quality"')
    assert parsed.terms == ["wireless", "nois cancel", "headphon"]
    assert [term for term, _ in parsed.excluded] == ["soni", "sound qualiti"]
    assert parse_query("the of and").terms == []


def test_search_parameters_are_checked():
    request = parse_search(
        MultiDict(
            [
                ("q", "headphones"),
                ("pos", "comfortable"),
                ("pos", "comfortable"),
                ("neg", "flimsy"),
                ("price_max", "99.5"),
                ("page", "3"),
                ("per_page", "500"),
            ]
        )
    )
    assert [(d.term, d.polarity) for d in request.descriptors] == [("comfort", "+"), ("flimsi", "-")]
    assert (request.page, request.per_page, float(request.price_max)) == (3, 100, 99.5)
    for bad in ({"price_max": "1e400"}, {"rating_min": "0"}, {"sort": "DROP TABLE"}, {"pos": "x" * 61}):
        with pytest.raises(InvalidParameter):
            parse_search(MultiDict(bad))


def test_quotes_escape_html_and_mark_the_matched_words():
    text = "Ok. The <b>ear cups</b> are so comfortable & soft! Comfort matters."
    assert quote(None, text, "comfort") == "The &lt;b&gt;ear cups&lt;/b&gt; are so <mark>comfortable</mark> &amp; soft!"
    assert quote("Great battery life", None, "batteri life") == "Great <mark>battery</mark> <mark>life</mark>"
    assert quote(None, "Nothing here.", "comfort") is None
