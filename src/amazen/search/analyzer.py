"""One analyzer for documents and queries: fold, tokenise, drop stop words, stem, mark negation, and
read whether a review's mention of a term is praise, complaint or neutral (``review_mentions``).

The same function must see the same text the same way when indexing reviews and when reading a
shopper's descriptor, or counts stop matching. Negation is scoped the way people write it: a cue
("not", "no", "never", "isn't", "doesn't", "hardly", …) negates the next few content words of the same
clause, so "not comfortable at all", "isn't very comfortable" and "doesn't hold a charge" negate
"comfortable" and "hold"/"charge", while "not only comfortable but light" stops at "but".
"""

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import Stemmer

# Words, with an inner apostrophe kept so "isn't" is one token; numbers and model codes ("q35") too.
TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Where a negation's scope ends: sentence and clause punctuation, and contrastive conjunctions.
CLAUSE_BREAK = r"[.!?;:,()\[\]\n]+|\s[-–—]+\s"
# A token (group 1), or a clause break (no group: an empty token).
TOKEN_OR_BREAK = re.compile(f"({TOKEN.pattern})|{CLAUSE_BREAK}")
# The same, with a break inside a sentence (a comma, a dash, ...) as a token of its own that starts with
# a non-letter: opinions reach across it, a negation does not. An empty token ends a sentence.
TOKEN_OR_PAUSE_OR_END = re.compile(rf"({TOKEN.pattern}|[,;:()\[\]]+|\s[-–—]+\s)|[.!?\n][.!?;:,()\[\]\n]*")
CONTRAST = frozenset({"but", "however", "although", "though", "yet", "except", "whereas", "while"})
NEGATION_CUES = frozenset(
    {
        "not",
        "no",
        "never",
        "none",
        "nothing",
        "neither",
        "nor",
        "without",
        "hardly",
        "barely",
        "scarcely",
        "cannot",
        "cant",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "wasnt",
        "arent",
        "werent",
        "wont",
        "wouldnt",
        "shouldnt",
        "couldnt",
        "hasnt",
        "havent",
        "hadnt",
        "aint",
        "lack",
        "lacks",
        "lacking",
    }
)
# A negation reaches this many content words ("not very comfortable": "very" is a stop word, so it is
# skipped; "doesn't hold a charge": "hold" and "charge").
NEGATION_REACH = 3
# Two terms form a phrase ("battery life", "easy to use" -> "batteri use") when at most one stop word
# stands between them in the same clause.
PHRASE_GAP = 2
CLAUSE_GAP = 10

# English stop words (a short, IR-style list). Negation cues are handled before stop words are dropped.
STOP_WORDS = frozenset(
    """
a about above after again against all am an and any are as at be because been before being below
between both by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just me more most my myself
of off on once only or other our ours ourselves out over own same she should so some such than that the
their theirs them themselves then there these they this those through to too under until up very was we
were what when where which while who whom why will with would you your yours yourself yourselves also
really quite pretty much many lot lots get got gets one ever even still well s t d ll m re ve y
""".split()
)

_stemmer = Stemmer.Stemmer("english")

# Opinion words: the lexicon vaderSentiment ships (VADER's, rated by people, -4..4), less the entries
# that are not opinions in a review ("like" a comparison, "kind" of, "pretty" an intensifier, "noise
# cancelling" and "charged" features, ...), plus words product reviews use that it lacks. A word's
# orientation is its rating's sign.
NOT_OPINIONS = frozenset(
    """
like likes liked kind pretty please want wants yes no free play plays played top matter
fan fans help helps support lol well true sure care certainly definitely truly clearly surely
seriously strongly serious cancel cancels cancelled cancelling canceling block blocks blocked blocking
charged charges fit fits agree agreed yeah
""".split()
)
REVIEW_OPINIONS = {
    word: -1.0
    for word in """
flimsy leaks leaky junk junky cheaply defect defects died dies dying dead fails failing failure
broke breaks breaking cracked crack cracks returned return returning refund unusable useless
worthless faulty malfunction malfunctioned glitch glitches glitchy buggy flaw flaws flawed
mediocre overpriced disappointing disappointment lousy shoddy crap crappy garbage sucks sucked
blurry grainy fuzzy noisy tinny muffled distorted static laggy sluggish slow clunky bulky awkward
uncomfortable unreliable unstable weak dim issue issues complaint complaints beef drawback drawbacks
criticism reservations poorly nonexistent freeze freezes froze freezing frozen fragile cumbersome
complicated sticky illogical inoperable unresponsive inaccurate finicky hassle gripe gripes lockup
lockups superfluous disapointed dissapointed disapointing dissapointing aweful plasticky overheats overheating
overheated rattles rattling squeaks squeaky wobbly wobbles flaky disconnect peel fray shrank shrunk faded
fades rusted rusty stained torn cons downsides negatives delicate unavailable joke wary obstruct
obstructs obscured obscures occludes unproven oddities concerned goofy snag snags snagged nightmare
dropping
""".split()
} | {
    word: 1.0
    for word in """
sturdy solid durable reliable crisp sharp vivid bright clear responsive intuitive smooth
compact lightweight handy convenient work works worked working recommended pleased impressed impressive
flawless sleek affordable affordably inexpensive readable quick simple accurate reasonable reasonably
decent protective comfy exceptional incredible spectacular topnotch steady rocks exceeded exceeds fast
plus pros upside favourite lets allows enables supports ok finest notch seamless seamlessly lasting
punchy adjustable breathable
""".split()
}
# "like" is praise said by someone ("i like it", "we really liked"), else a comparison ("looks like").
LIKE = frozenset({"like", "likes", "liked"})
LIKERS = frozenset(
    "i we really also definitely truly particularly especially absolutely totally do did not n't dont don't didnt didn't".split()
)
# Stop words that carry an opinion: "too loud" is a complaint, "not too tight" praise, "plays well" praise
# (but not "as well", mention_scores).
STOP_WORD_OPINIONS = {"too": -1.0, "well": 1.0}
AS_WELL = frozenset({"as", ""})  # before "well": no opinion ("" opens a sentence or clause)


def _opinion_lexicon():
    orientation = {}
    lexicon = resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    for line in lexicon.splitlines():
        word, rating = line.split("\t")[:2]
        if word.isalpha() and len(word) > 2 and word not in NOT_OPINIONS:  # no emoticons ("xd")
            orientation[word] = 1.0 if float(rating) > 0 else -1.0
    return orientation | REVIEW_OPINIONS


OPINIONS = _opinion_lexicon()


# Endings of inflections the lexicon may lack, taken off to find its word ("dies" as "die", "coolest" as "cool").
INFLECTIONS = ("ing", "est", "ed", "es", "s", "d")


def opinion_orientation(word):
    """1.0 for a word of praise ("comfortable"), -1.0 for one of complaint ("flimsy", "leaks"), 0.0 for a
    word that is neither; an inflection the lexicon lacks takes its word's ("dies" as "die")."""
    orientation = OPINIONS.get(word)
    for suffix in INFLECTIONS:
        if orientation is not None:
            break
        if word.endswith(suffix):
            orientation = OPINIONS.get(word[: -len(suffix)])
    return orientation or 0.0


def fold(text):
    """Lower case, accents removed, curly apostrophes straightened."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=200_000)
def stem(word):
    return _stemmer.stemWord(word)


def _is_negation(token):
    return token in NEGATION_CUES or token.endswith("n't")


class Term(NamedTuple):
    term: str  # the stemmed form, as stored in the index
    negated: bool  # inside a negation's scope
    position: int  # word position in the text (stop words count), for phrases


# Kinds of token that are no word; not -1..1, which compare equal to an opinion cue's orientation.
_CONTRAST, _NEGATION, _STOP, _PAUSE, _BE = 10, 11, 12, 13, 14
# token -> _CONTRAST, _NEGATION, _STOP, _BE, its stem, (its stem, its orientation) for an opinion word
# (0.0: "like", read by mention_scores), or an orientation (a float) for an opinion cue among the stop
# words ("too", "well"): one lookup per token in the hot loop.
_kinds = {}


def _kind(token):
    kind = _kinds.get(token)
    if kind is None:
        word = token if token.endswith("n't") else token.replace("'", "")
        if not word[0].isalnum():  # a break inside a sentence (TOKEN_OR_PAUSE_OR_END's)
            kind = _PAUSE
        elif word in CONTRAST:
            kind = _CONTRAST
        elif _is_negation(word):
            kind = _NEGATION
        elif word in WISHING:
            kind = _BE
        elif word in STOP_WORDS:
            kind = STOP_WORD_OPINIONS.get(word, _STOP)
        else:
            kind = stem(word)
            orientation = opinion_orientation(word)
            if orientation:
                kind = (kind, orientation)
            elif word in LIKE:
                kind = (kind, 0.0)  # an opinion only after a liker (mention_scores)
        if len(_kinds) < 500_000:  # bounded: a worker reading a huge catalog must not grow forever
            _kinds[token] = kind
    return kind


def scan(text):
    """(stem, negated, position) of each term of ``text``: the one tokenising loop behind analyze and
    review_mentions. Stop words and negation cues are dropped but keep their positions; each clause
    starts CLAUSE_GAP positions after the last, so no phrase spans two clauses."""
    position = 0
    reach = 0
    previous = ""
    # One pass over tokens and clause breaks alike (a break is an empty token): one regex call per
    # text rather than one per clause.
    for token in TOKEN_OR_BREAK.findall(fold(text)):
        if not token:
            position += CLAUSE_GAP
            reach = 0
            previous = ""
            continue
        position += 1
        kind = _kinds.get(token)
        if kind is None:
            kind = _kind(token)
        if kind.__class__ is tuple:  # an opinion word: its stem
            kind = kind[0]
        if kind.__class__ is str:
            yield kind, reach > 0, position
            if reach:
                reach -= 1
        elif kind == _NEGATION:
            reach = NEGATION_REACH
        elif kind == _CONTRAST or (token == "only" and previous == "not"):  # "not only X but Y" praises X
            reach = 0
        previous = token


def analyze(text):
    """Terms of ``text`` in order. Stop words and negation cues are dropped but keep their positions."""
    if not text:
        return []
    return list(map(Term._make, scan(text)))


def phrases(terms):
    """Two-word phrase terms ("batteri life") of adjacent ``terms``; negated if either word is."""
    out = []
    for first, second in zip(terms, terms[1:]):
        if second.position - first.position <= PHRASE_GAP:
            out.append(Term(f"{first.term} {second.term}", first.negated or second.negated, first.position))
    return out


def uses_term(text, term):
    """Whether ``text`` uses ``term`` (a word or a two-word phrase), as ``analyze`` + ``phrases`` would
    find it; stops at the first use (evidence quotes ask this of sentence after sentence)."""
    first, _, second = term.partition(" ")
    last, last_position = "", -PHRASE_GAP - 1
    for stemmed, _, position in scan(text):
        if second:
            if stemmed == second and last == first and position - last_position <= PHRASE_GAP:
                return True
            last, last_position = stemmed, position
        elif stemmed == term:
            return True
    return False


def analyze_query_words(text):
    """Stemmed terms of a query or descriptor, in order; negation is not applied to queries."""
    return [t.term for t in analyze(text)]


def descriptor_term(text):
    """The index term of a descriptor: one word ("comfort") or a two-word phrase ("batteri life").

    Returns None when the descriptor has no searchable word; raises ValueError for more than two.
    """
    words = analyze(text)
    if not words:
        return None
    if len(words) == 1:
        return words[0].term
    joined = phrases(words)
    if len(words) > 2 or len(joined) != 1:
        raise ValueError("a descriptor is one word or a two-word phrase (stop words aside)")
    return joined[0].term


# A negation that denies the product something: a verb it fails at ("won't play", "does not read",
# "can't connect") or a thing it lacks ("no remote", "without a manual"). The word right after the cue
# is a complaint about the product, and an opinion its sentence's other terms take ("won't play my
# discs"). "isn't loud" only negates a state, and stays a negated neutral mention. Read from the cue
# ("doesn't", "no", or "not" after "does").
VERB_NEGATIONS = frozenset(
    "dont don't doesnt doesn't didnt didn't wont won't wouldnt wouldn't couldnt couldn't cant can't cannot "
    "shouldnt shouldn't".split()
)
AUXILIARIES = frozenset("do does did will would could can should wo ca".split())
ABSENCES = frozenset("no without neither nor lack lacks lacking".split())
ARTICLES = frozenset("a an the any".split())
# Words whose denial says nothing against the product: links to a state ("doesn't feel cheap"), the
# reviewer's mind ("don't think", "didn't want"), giving off ("doesn't make any noise"), idioms ("no
# matter", "in no time", "a no brainer"), and nuisances a product is praised for being without ("no
# hiss", "doesn't skip", "no lag", "no extra cost", "no loss in quality").
NOT_DENIED = frozenset(
    stem(word)
    for word in """
feel look sound seem appear become think know say mind need expect believe understand notice see hear
realize remember make cause produce give emit use matter time brainer frills wonder want let try beat put
noise hiss hum buzz static crackle distortion interference echo feedback glare smell odor lag delay
latency drift skip stutter flicker vibration heat sweat pain pressure fog scratch rust dust slip fade
streak residue leak drop loss limit difference end guess wait effort fee cost tax taste aftertaste
""".split()
)
CONDITIONALS = frozenset("could would should might".split())
# Stop words after which an opinion is wished for: "could be", "would have been" (mention_scores).
WISHING = frozenset({"be", "been", "have"})
# Cues after which a negated comparative says "the most": "couldn't be happier", "no better camera".
SUPERLATIVE_CUES = frozenset("couldnt couldn't cant can't cannot no nothing".split())

NO_BRAND = frozenset()


def brand_words(brand):
    """The tokens of a product's brand as review_mentions reads them ("Sharp" -> {"sharp"}): a review
    that names the brand does not praise or complain by it."""
    return frozenset(TOKEN.findall(fold(brand))) if brand else NO_BRAND


# What one review says of a term (review_mentions): praise or complaint about the product in respect
# of it, or a neutral mention, said plainly or negated.
PRAISE, COMPLAINT, NEUTRAL, NEUTRAL_NEGATED = 0, 1, 2, 3
# A term's occurrences in a review add up to one number in the hot loop: PRAISED per praise, COMPLAINED
# per complaint (a little more, so that a tie is a complaint: a stated fault is the stronger signal),
# +1 per neutral occurrence said plainly and -1 per negated one. A sum of NEUTRAL_RANGE / 2 or more either
# way holds an opinion; review_mentions' last line reads it back.
NEUTRAL_RANGE = 1 << 12
PRAISED, COMPLAINED = 1024 * NEUTRAL_RANGE, -1025 * NEUTRAL_RANGE


def review_mentions(summary, text, brand_tokens=NO_BRAND):
    """{term: PRAISE, COMPLAINT, NEUTRAL or NEUTRAL_NEGATED} for one review (headline and text; words and
    two-word phrases, the terms ``analyze`` + ``phrases`` find: a test holds them equal) of a product of
    ``brand_tokens`` (``brand_words``: a name there, no opinion: "Sharp", "Creative").

    An occurrence is praise or complaint from the opinion words around it (``opinion_orientation``; a
    negation flips the words in its scope): a term that is itself an opinion word ("flimsy",
    "comfortable"), or a phrase with one, by its own orientation; any other ("battery") by the opinions
    of its sentence up to a contrast word ("but"), by their sign when they agree, else each weighted by
    1 / its distance in words. A word the product is denied ("won't play", "no remote") is a complaint
    and an opinion for its sentence; an opinion wished for ("could be better", "would have been nice")
    is negated; "like" is an opinion only when someone likes ("i like"). A sentence with no opinion says
    what the review last said (the sign of the last part with opinions, the headline's included), but a
    negated occurrence in it stays neutral. An occurrence with no opinion in reach is neutral, negated or
    not. Over the review, praise and complaint occurrences outvote each other (a tie is a complaint: a
    stated fault is the stronger signal); with neither, the neutral ones do (a tie counts as negated).
    """
    return {term: polarity(score) for term, score in mention_scores(summary, text, brand_tokens).items()}


def polarity(score):
    """PRAISE, COMPLAINT, NEUTRAL or NEUTRAL_NEGATED of a term's ``mention_scores`` score."""
    if score >= NEUTRAL_RANGE // 2:
        return PRAISE
    if score <= -NEUTRAL_RANGE // 2:
        return COMPLAINT
    return NEUTRAL if score > 0 else NEUTRAL_NEGATED


def mention_scores(summary, text, brand_tokens=NO_BRAND):
    """{term: its occurrences' sum (PRAISED, COMPLAINED, +1 or -1 each)} for one review: what
    ``review_mentions`` reads, in one pass over the tokens without intermediate objects: this runs once
    per review of every import, the importer's hot loop. It follows ``scan``'s tokens, negation scopes and
    positions (a pause inside a sentence counts as a clause break there)."""
    found = {}
    get = found.get
    # The sentence's occurrences that wait for its opinions (terms that are no opinion word), their
    # positions, those of them negated; its opinions as (position, orientation), and how many each way.
    waiting, waiting_at, negated_waiting, opinions = [], [], [], []
    wait, wait_at, wait_negated, opine = waiting.append, waiting_at.append, negated_waiting.append, opinions.append
    praises = complaints = contrasted = 0
    carried = 1  # what a sentence with no opinion adds: the review's last part's (PRAISED, COMPLAINED), or neutral
    position = reach = 0
    previous = ""
    conceded, conceded_negated = [], []  # the waiting occurrences of a part with no opinion before "but"
    wished_at = 0  # where "have" after "would", "could", ... was read: "been" right after it wishes
    superlative = False  # the last negation cue is one of SUPERLATIVE_CUES
    denied = False  # the last negation cue denies a verb or a thing ("doesn't", "will not", "no"), not a state
    last, last_position, last_negated, last_own = "", -PHRASE_GAP - 1, False, 0.0
    tokens = TOKEN_OR_PAUSE_OR_END.findall(fold(f"{summary or ''}\n{text or ''}"))
    tokens.append("")  # the last sentence ends
    for token in tokens:
        if token:
            position += 1
            kind = _kinds.get(token)
            if kind is None:
                kind = _kind(token)
            kind_class = kind.__class__
            if kind_class is tuple:
                if token in brand_tokens:  # the product's brand's word: a name
                    kind, kind_class = kind[0], str
                elif not kind[1]:  # "like": praise after "i", else a comparison
                    if previous in LIKERS:
                        kind = (kind[0], 1.0)
                    else:
                        kind, kind_class = kind[0], str
            if kind_class is str:  # a word, no opinion: it waits for its sentence's
                own = 0.0
                negated = reach > 0
                if denied and kind not in NOT_DENIED:  # "won't play", "does not show": a complaint
                    found[kind] = get(kind, 0) + COMPLAINED
                    reach -= 1
                    opine((position, -1.0))
                    complaints += 1
                else:
                    wait(kind)
                    wait_at(position)
                    if negated:
                        reach -= 1
                        wait_negated(kind)
            elif kind == _STOP:
                if token == "only" and previous == "not":  # "not only X but Y" praises X
                    reach = 0
                previous = token
                if denied and token not in ARTICLES:  # "without a remote" denies the remote
                    denied = False
                continue
            elif kind_class is tuple:  # an opinion word: its own orientation, negation applied
                kind, own = kind
                negated = reach > 0
                if negated:
                    reach -= 1
                    if not (superlative and (previous == "more" or token.endswith("er") or token == "worse")):
                        own = -own  # but "couldn't be happier" praises, "couldn't be more upset" complains
                opine((position, own))
                if own > 0:
                    praises += 1
                    found[kind] = get(kind, 0) + PRAISED
                else:
                    complaints += 1
                    found[kind] = get(kind, 0) + COMPLAINED
            if kind_class is str or kind_class is tuple:  # the phrase it ends, with an opinion word's own
                if position - last_position <= PHRASE_GAP:
                    phrase = f"{last} {kind}"
                    both = own + last_own
                    if both:
                        found[phrase] = get(phrase, 0) + (PRAISED if both > 0 else COMPLAINED)
                    else:
                        wait(phrase)
                        wait_at(position)
                        if negated or last_negated:
                            wait_negated(phrase)
                last, last_position, last_negated, last_own = kind, position, negated, own
                previous = token
                denied = False
                continue
            if kind == _PAUSE:
                position += CLAUSE_GAP - 1
                reach = 0
                previous = ""
                denied = False
                continue
            if kind_class is float:  # an opinion cue among the stop words ("too", "well")
                if token != "well" or previous not in AS_WELL:  # not "as well", nor "Well, ..." opening a sentence
                    own = -kind if reach else kind
                    opine((position, own))
                    if own > 0:
                        praises += 1
                    else:
                        complaints += 1
            elif kind == _NEGATION:
                reach = NEGATION_REACH
                denied = token in VERB_NEGATIONS or previous in AUXILIARIES or token in ABSENCES
                superlative = token in SUPERLATIVE_CUES or previous in ("could", "can", "ca")
            elif kind == _BE:  # a stop word: "could be better", "would have been nice" wish, not have
                if token == "have":
                    wished_at = position if previous in CONDITIONALS else 0
                elif not reach and (previous == "could" or (previous == "have" and wished_at == position - 1)):
                    reach = NEGATION_REACH
                    superlative = False
                if token != "have":  # "doesn't have bluetooth" denies it bluetooth
                    denied = False
            previous = token
            if kind != _CONTRAST:
                continue
        else:
            position += CLAUSE_GAP
            previous = ""
            denied = False
        # The sentence, or its part before a contrast word, ends: the waiting occurrences take its opinions;
        # a part with none after a contrast word, the reverse of the part before ("great, but the battery");
        # a part with none before one, the reverse of the part after ("the battery lasts forever, but the
        # sound is tinny"); a sentence with none at all, the review's last opinion ("Great camera. Removable
        # battery."), a negated occurrence in it excepted.
        reach = 0
        if conceded:  # the part before "but", which had no opinion: the reverse of this one's
            part = praises - complaints
            if part:
                said = COMPLAINED if part > 0 else PRAISED
                for term in conceded:
                    found[term] = get(term, 0) + said
            else:  # none after "but" either: as a sentence with none
                for term in conceded:
                    found[term] = get(term, 0) + carried
                for term in conceded_negated:
                    found[term] -= carried + 1
            conceded, conceded_negated = [], []
        if waiting and token and not (praises or complaints or contrasted):  # no opinion before "but"
            conceded, conceded_negated = waiting[:], negated_waiting[:]
            waiting.clear()
            waiting_at.clear()
            negated_waiting.clear()
        if waiting:
            if praises and complaints:  # opinions both ways: each weighed by 1 / its distance in words
                negated = set(negated_waiting)
                for term, at in zip(waiting, waiting_at):
                    weighed = sum([orientation / (abs(at - where) or 1) for where, orientation in opinions])
                    said = (PRAISED if weighed > 0 else COMPLAINED) if weighed else -1 if term in negated else 1
                    found[term] = get(term, 0) + said
            elif praises or complaints or contrasted:
                said = PRAISED if praises or (not complaints and contrasted < 0) else COMPLAINED
                for term in waiting:
                    found[term] = get(term, 0) + said
            else:  # the review's last opinion; with none yet, neutral
                for term in waiting:
                    found[term] = get(term, 0) + carried
                for term in negated_waiting:
                    found[term] -= carried + 1
            waiting.clear()
            waiting_at.clear()
            negated_waiting.clear()
        if praises != complaints:
            carried = PRAISED if praises > complaints else COMPLAINED
        contrasted = 0
        if token:  # a contrast word: the part before said ...
            contrasted = 1 if praises and not complaints else -1 if complaints and not praises else 0
        if opinions:
            opinions.clear()
            praises = complaints = 0
    return found


# A word as written in running text (any script), for finding the words behind a term in a sentence.
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


@lru_cache(maxsize=100_000)
def word_stem(word):
    """The index term of one written word ("Batteries" -> "batteri")."""
    return stem(fold(word).replace("'", ""))


SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def sentences(text):
    """Review text's sentences, one at a time, for evidence quotes: a quote needs the first sentence
    that uses a term, usually near the start, so the rest of the text is not split."""
    text, start = text or "", 0
    for end in SENTENCE_END.finditer(text):
        sentence = text[start : end.start()].strip()
        if sentence:
            yield sentence
        start = end.end()
    sentence = text[start:].strip()
    if sentence:
        yield sentence
