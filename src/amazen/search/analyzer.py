"""One analyzer for documents and queries: fold, tokenise, drop stop words, stem, mark negation.

The same function must see the same text the same way when indexing reviews and when reading a
shopper's descriptor, or counts stop matching. Negation is scoped the way people write it: a cue
("not", "no", "never", "isn't", "doesn't", "hardly", …) negates the next few content words of the same
clause, so "not comfortable at all", "isn't very comfortable" and "doesn't hold a charge" negate
"comfortable" and "hold"/"charge", while "not only comfortable but light" stops at "but".
"""

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

import Stemmer

# Words, with an inner apostrophe kept so "isn't" is one token; numbers and model codes ("q35") too.
TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Where a negation's scope ends: sentence and clause punctuation, and contrastive conjunctions.
CLAUSE_BREAK = r"[.!?;:,()\[\]\n]+|\s[-–—]+\s"
# A token (group 1), or a clause break (no group: an empty token).
TOKEN_OR_BREAK = re.compile(f"({TOKEN.pattern})|{CLAUSE_BREAK}")
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


_CONTRAST, _NEGATION, _STOP = 0, 1, 2
_kinds = {}  # token -> _CONTRAST, _NEGATION, _STOP or its stem: one lookup per token in the hot loop


def _kind(token):
    kind = _kinds.get(token)
    if kind is None:
        word = token if token.endswith("n't") else token.replace("'", "")
        if word in CONTRAST:
            kind = _CONTRAST
        elif _is_negation(word):
            kind = _NEGATION
        elif word in STOP_WORDS:
            kind = _STOP
        else:
            kind = stem(word)
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


def review_mentions(summary, text):
    """{term: polarity} for one review (headline and text; words and two-word phrases).

    A review mentions a term negatively when most of its occurrences are negated (a tie counts as
    negative: a stated "not" is the stronger signal), positively otherwise.
    """
    return {term: ("+" if balance > 0 else "-") for term, balance in mention_balance(summary, text).items()}


def mention_balance(summary, text):
    """{term: plain occurrences minus negated ones} for one review: positive means a positive mention.

    The same terms as ``analyze`` + ``phrases`` (a test holds them equal), in one pass without
    intermediate objects: this runs once per review of every import, the importer's hot loop.
    """
    balance = {}
    last, last_position, last_negated = "", -PHRASE_GAP - 1, False
    for term, negated, position in scan(f"{summary or ''}\n{text or ''}"):
        balance[term] = balance.get(term, 0) + (-1 if negated else 1)
        if position - last_position <= PHRASE_GAP:
            phrase = f"{last} {term}"
            balance[phrase] = balance.get(phrase, 0) + (-1 if negated or last_negated else 1)
        last, last_position, last_negated = term, position, negated
    return balance


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
