"""Which two-word phrases earn a place in the index: the catalog's collocations.

Two words form a phrase term ("batteri life", "easi use") only when the catalog's reviews say they
belong together: counted from a sample of the reviews at every full rebuild, a pair is a collocation
when it is used in at least ``MIN_CLAUSES`` distinct clauses and its log-likelihood ratio (G², Dunning
1993) says the second word follows the first far more often than chance would have it. So the index and
the suggestions carry "battery life" and "lasts forever", not "head perfectly" or "cancelling works".

A pair is counted once per distinct clause it is in: a sentence repeated word for word (a review copied
to every variant of a product, a generated catalog's template) is one use, so a pair must be used in
several different sentences to count as one the catalog's reviewers reach for.

The set is stored in the collocations table, and every rebuild (full, a partial import, a written
review) keeps a product's phrases to it, so one catalog has one phrase vocabulary. A partial rebuild
reuses the stored set; only a full rebuild counts it again.
"""

import io
import re

from .analyzer import CLAUSE_BREAK, CONTRAST, PHRASE_GAP, fold, scan
from .suggest import log_likelihood

# Reviews counted: every review up to this many, else an even sample of them (every k-th review id).
SAMPLE_REVIEWS = 200_000
# A collocation is used in at least this many distinct clauses of the sample, and its G² is at least
# this (the 0.1% critical value of chi-squared with one degree of freedom).
MIN_CLAUSES = 2
MIN_G2 = 10.83

# Where a counted clause ends: the analyzer's clause breaks, and its contrast words ("but"), across which
# two words are never a collocation ("good but cheap").
_CLAUSE = re.compile(CLAUSE_BREAK)
_CONTRAST = re.compile(f"\\b(?:{'|'.join(sorted(CONTRAST))})\\b")

# The sample of reviews to count (%(step)s: every step-th review id), hidden ones left out as everywhere.
SAMPLE_SQL = """
SELECT summary, text FROM reviews WHERE hidden_at IS NULL AND id %% %(step)s = 0
"""
# TRUNCATE: it gives the table a new file node, the version ``stored`` checks. Only rebuilds read the
# table, and a partial one waits for a full one (the import lock) anyway.
STORE = "TRUNCATE collocations"


def count_pairs(texts):
    """{(first, second): distinct clauses using the pair} of ``texts``: the pairs ``analyzer.phrases``
    would join, each distinct clause counted once."""
    pairs = {}
    get = pairs.get
    # Each text and each clause is split once; each part between contrast words is counted once.
    texts_seen, clauses_seen, parts_seen = set(), set(), set()
    for text in texts:
        if not text or text in texts_seen:
            continue
        texts_seen.add(text)
        for clause in _CLAUSE.split(fold(text)):
            if clause in clauses_seen:
                continue
            clauses_seen.add(clause)
            for part in _CONTRAST.split(clause):
                part = part.strip()
                if not part or part in parts_seen:
                    continue
                parts_seen.add(part)
                last, last_position = "", -PHRASE_GAP - 1
                for term, _, position in scan(part):
                    if position - last_position <= PHRASE_GAP:
                        pair = (last, term)
                        pairs[pair] = get(pair, 0) + 1
                    last, last_position = term, position
    return pairs


def collocations(pairs):
    """{"first second": (clauses, G²)} of the ``pairs`` (count_pairs') that are collocations: used in
    MIN_CLAUSES clauses or more, more often than chance (the words' shares of all pairs) would have it,
    and with a G² of MIN_G2 or more."""
    firsts, seconds = {}, {}
    total = 0
    for (first, second), n in pairs.items():
        firsts[first] = firsts.get(first, 0) + n
        seconds[second] = seconds.get(second, 0) + n
        total += n
    found = {}
    for (first, second), n in pairs.items():
        if n < MIN_CLAUSES:
            continue
        as_first, as_second = firsts[first], seconds[second]
        if n * total <= as_first * as_second:  # no more often than chance
            continue
        # The 2x2 table: pairs starting with ``first`` that end with ``second`` (n of as_first), and the
        # other pairs that end with it (as_second - n of total - as_first).
        g2 = log_likelihood(n, as_first, as_second - n, total - as_first)
        if g2 >= MIN_G2:
            found[f"{first} {second}"] = (n, g2)
    return found


def recount(cursor):
    """Count the catalog's collocations again from a sample of its reviews and store them (a full
    rebuild's first step). Returns them as a frozenset of phrase terms."""
    cursor.execute("SELECT count(*) FROM reviews WHERE hidden_at IS NULL")
    step = max(1, -(-cursor.fetchone()[0] // SAMPLE_REVIEWS))
    cursor.execute(SAMPLE_SQL, {"step": step})
    texts = []
    for summary, text in cursor:
        texts.append(summary)
        texts.append(text)
    found = collocations(count_pairs(texts))
    cursor.execute(STORE)
    lines = "".join(f"{phrase}\t{n}\t{g2!r}\n" for phrase, (n, g2) in found.items())
    cursor.copy_expert("COPY collocations (phrase, clauses, g2) FROM STDIN", io.StringIO(lines))
    return frozenset(found)


# Each process's copy of the stored set, keyed by the table's version (see stored).
_stored = (None, frozenset())


def stored(cursor):
    """The catalog's collocations as stored (a frozenset of phrase terms). Kept in the process between
    calls and checked on each against the table's version: its file node, which every recount's
    TRUNCATE renews."""
    global _stored
    cursor.execute("SELECT pg_relation_filenode('collocations')")
    version = cursor.fetchone()[0]
    if _stored[0] != version:
        cursor.execute("SELECT phrase FROM collocations")
        _stored = (version, frozenset(row[0] for row in cursor))
    return _stored[1]
