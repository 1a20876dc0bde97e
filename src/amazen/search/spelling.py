"""Did-you-mean: correct a misspelt query word against the catalog's vocabulary.

A word of 4 to 7 letters may be one edit away from its correction, a word of 8 or more two edits; a
swap of two adjacent letters counts as one edit (optimal string alignment distance). Candidates one
edit away are generated and looked up exactly; two edits away, the trigram index proposes them.
"""

import string

import sqlalchemy as sa

from .analyzer import descriptor_term, stem

LETTERS = string.ascii_lowercase + string.digits + "'"
TRIGRAM_CANDIDATES = 50
TRIGRAM_THRESHOLD = 0.3
# The hundreds of candidates a word has go to the database as one string of lines, split there: as a
# list, the driver quotes each one and the server parses an array literal, which costs more than the
# lookup. No candidate or term holds a line break.
AS_ARRAY = "string_to_array(:{}, E'\\n')"
# A known but rare word is corrected only to a far more common one ("hedphones" in two titles).
RARE_PRODUCTS = 2
MORE_COMMON = 20


def max_edits(word):
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def edits1(word):
    """Every string one deletion, swap, substitution or insertion away from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    substitutions = {a + c + b[1:] for a, b in splits if b for c in LETTERS}
    insertions = {a + c + b for a, b in splits for c in LETTERS}
    return (deletes | swaps | substitutions | insertions) - {word}


def osa_distance(a, b):
    """Edit distance where insertions, deletions, substitutions and adjacent swaps cost one each."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def corrections(session, words):
    """{word: the vocabulary word it was most likely meant to be} for those of ``words`` that have one.

    ``words``: {word: how many products use it now (0 if none)}. The closest candidate wins, then the
    most used; it must be a different word (not the same stem) and, when the typed word is itself in
    use, far more common. Two statements at most, however many words: one looks up every word's
    candidates one edit away, one asks the trigram index for the long words'.
    """
    asked = {word: used for word, used in words.items() if max_edits(word) and used <= RARE_PRODUCTS}
    if not asked:
        return {}
    near = {word: edits1(word) for word in asked}
    exact = session.execute(
        sa.text(f"SELECT phrase, products FROM vocabulary WHERE words = 1 AND phrase = ANY({AS_ARRAY.format('candidates')})"),
        {"candidates": "\n".join(sorted(set().union(*near.values())))},
    ).all()
    found = {word: [(phrase, products) for phrase, products in exact if phrase in near[word]] for word in asked}
    long_words = sorted(word for word in asked if max_edits(word) > 1)
    if long_words:
        session.execute(sa.text("SELECT set_config('pg_trgm.similarity_threshold', :t, true)"), {"t": str(TRIGRAM_THRESHOLD)})
        for word, phrase, products in session.execute(
            sa.text(
                "SELECT w.word, v.phrase, v.products FROM unnest(CAST(:words AS text[])) AS w(word) "
                "CROSS JOIN LATERAL (SELECT phrase, products FROM vocabulary WHERE words = 1 AND phrase % w.word "
                "ORDER BY phrase <-> w.word LIMIT :limit) v"
            ),
            {"words": long_words, "limit": TRIGRAM_CANDIDATES},
        ):
            found[word].append((phrase, products))
    out = {}
    for word, rows in found.items():
        least, own_stem = max(1, MORE_COMMON * asked[word]), stem(word)
        ranked = sorted(
            (osa_distance(word, phrase), -products, phrase)
            for phrase, products in set(rows)
            if products >= least and stem(phrase) != own_stem
        )
        ranked = [r for r in ranked if r[0] <= max_edits(word)]
        if ranked:
            out[word] = ranked[0][2]
    return out


def descriptor_corrections(session, words):
    """{word: the word reviews far more often use} for those of ``words`` (typed one-word descriptors,
    {word: its index term}) that have one: a word one edit away whose term MORE_COMMON times as many
    reviews mention (term_stats.mentions), the most mentioned first. One statement, however many words:
    the typed terms and every candidate's term are looked up together. One edit only, even for long
    words: term_stats has no trigram index to propose words two edits away.
    """
    asked = {word: term for word, term in words.items() if max_edits(word)}
    if not asked:
        return {}
    near = {word: {candidate: stem(candidate) for candidate in edits1(word)} for word in asked}
    terms = set(asked.values()).union(*(set(candidates.values()) for candidates in near.values()))
    mentions = dict(
        session.execute(
            sa.text(f"SELECT term, mentions FROM term_stats WHERE term = ANY({AS_ARRAY.format('terms')})"),
            {"terms": "\n".join(sorted(terms))},
        ).all()
    )
    out = {}
    for word, term in asked.items():
        least = max(1, MORE_COMMON * mentions.get(term, 0))
        ranked = sorted(
            (-mentions[candidate_term], candidate)
            for candidate, candidate_term in near[word].items()
            if candidate_term != term and mentions.get(candidate_term, 0) >= least
        )
        # The first that is a descriptor of its term (not a stop word that stems alike).
        best = next((c for _, c in ranked if descriptor_term(c) == near[word][c]), None)
        if best:
            out[word] = best
    return out
