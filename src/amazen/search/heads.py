"""What descriptor suggestions read of the products a search ranks first: each product's head
(product_evidence.head_length) as arrays, kept in the process's cache (amazen.search.blockcache).

Splitting 200 products' heads into rows in SQL on every request was most of a suggestion's time; a
head read once is kept as numbers (a term's number, its mentions, praise, complaints and quotes), and
a set's totals are then numpy sums. A kept head is valid while its product's block keeps its version:
whatever changes a product's evidence repacks its block in the same transaction, and a full rebuild
swaps in new tables (a new version for every block).
"""

import threading
from typing import NamedTuple

import numpy as np

from amazen.models.search import ONE_REVIEW_KINDS

from .blockcache import ROW_OVERHEAD
from .packed import BLOCK

HEADS_SQL = """
SELECT product_id,
       CASE WHEN head_length IS NULL THEN evidence ELSE left(evidence, head_length) END,
       CASE WHEN head_length IS NULL THEN one_review ELSE '' END
FROM product_evidence WHERE product_id = ANY(%(ids)s)"""
CATALOG_MENTIONS_SQL = "SELECT term, mentions FROM term_stats WHERE term = ANY(%(terms)s)"
# A line of ``evidence``: term, mentions, positive, negative, neutral, neutral_negated, stars_1 ...
# stars_5, quote_1, quote_2; of ``one_review``: kind and stars, review id, then its terms (models/search.py).
EVIDENCE_FIELDS = 13
PRAISE, COMPLAINT = ONE_REVIEW_KINDS[0].encode(), ONE_REVIEW_KINDS[1].encode()
# The terms' numbers start again (and every kept head is read again) past this many terms: a bound on
# their memory (about 150 bytes a term). Heads hold indexed terms only: at 1M real reviews, 24,614
# distinct terms in all heads, of term_stats' 29,950.
MAX_TERMS = 1 << 18
CACHE_KEY = ("head terms", None)


class Terms:
    """Numbers for the terms of heads, shared by the heads a process keeps, and each term's mentions in
    the whole catalog (term_stats) kept at the latest snapshot they were read at."""

    def __init__(self):
        self.names = []  # number -> term
        self._numbers = {}  # term -> number
        self._lock = threading.Lock()
        self._mentions = np.zeros(0, np.int64)  # number -> catalog mentions, -1 not read at _mentions_at
        self._mentions_at = None

    def __len__(self):
        return len(self.names)

    def numbers(self, terms):
        """The numbers of ``terms``, new terms numbered as they come."""
        found = list(map(self._numbers.get, terms))
        if None in found:
            with self._lock:
                new = [term for term in dict.fromkeys(terms) if term not in self._numbers]
                self._numbers.update(zip(new, range(len(self.names), len(self.names) + len(new))))
                self.names.extend(new)
                found = list(map(self._numbers.__getitem__, terms))
        return np.array(found, np.int32)

    def catalog_mentions(self, cursor, numbers, snapshot=None):
        """How many reviews of the whole catalog mention each term of ``numbers`` (0 for a term term_stats
        does not have); read from term_stats, or with a snapshot number kept at it: the totals change in
        the transactions that change the blocks."""
        with self._lock:
            if snapshot is not None and snapshot != self._mentions_at:
                if self._mentions_at is not None and snapshot < self._mentions_at:
                    snapshot = None  # an older request's: read for it alone
                else:
                    self._mentions, self._mentions_at = np.full(len(self.names), -1, np.int64), snapshot
            if snapshot is not None and len(self._mentions) < len(self.names):
                self._mentions = np.concatenate((self._mentions, np.full(len(self.names) - len(self._mentions), -1, np.int64)))
            known = self._mentions[numbers] if snapshot is not None else np.full(len(numbers), -1, np.int64)
        unread = numbers[known < 0]
        if len(unread):
            values = read_catalog_mentions(cursor, [self.names[n] for n in unread.tolist()])
            known[known < 0] = values
            if snapshot is not None:
                with self._lock:
                    if self._mentions_at == snapshot:
                        self._mentions[unread] = values
        return known


def read_catalog_mentions(cursor, terms):
    """term_stats' mentions of each of ``terms``, 0 for a term it does not have."""
    cursor.execute(CATALOG_MENTIONS_SQL, {"terms": terms})
    read = dict(cursor.fetchall())
    return np.array([read.get(term, 0) for term in terms], np.int64)


class Head(NamedTuple):
    """A product's head as numbers (without a cache, a set's heads together), read at the snapshot
    numbered ``snapshot``; ``terms`` is the Terms its term numbers are of."""

    snapshot: int
    terms: Terms
    numbers: np.ndarray  # int32, a term's number
    counts: np.ndarray  # (n, 3): mentions, praise, complaints; uint16 when they fit, else int32
    quotes: np.ndarray  # (n, 2): the reviews to quote, -1 for none; int32 when they fit, else int64

    @property
    def size(self):
        return ROW_OVERHEAD + self.numbers.nbytes + self.counts.nbytes + self.quotes.nbytes


def parse_head(evidence, one_review):
    """(terms, counts, quotes) of a head's lines: ``evidence``'s lines and ``one_review``'s, in that
    order, as Head has them."""
    several = evidence.replace("\n", "\t").split("\t") if evidence else []
    one = [line.split("\t") for line in one_review.split("\n")] if one_review else []
    if len(several) % EVIDENCE_FIELDS or any(len(fields) < 3 or len(fields[0]) != 2 for fields in one):
        raise ValueError("a head line with the wrong number of fields")
    n = len(several) // EVIDENCE_FIELDS
    terms = several[::EVIDENCE_FIELDS] + [term for fields in one for term in fields[2:]]
    counts = np.zeros((len(terms), 3), np.int32)
    quotes = np.full((len(terms), 2), -1, np.int64)
    if n:
        for column, field in enumerate((1, 2, 3)):  # mentions, positive, negative
            counts[:n, column] = _integers(several[field::EVIDENCE_FIELDS], np.int32)
        for column, field in enumerate((11, 12)):  # quote_1, quote_2: "" for none
            quotes[:n, column] = _integers([q or "-1" for q in several[field::EVIDENCE_FIELDS]], np.int64)
    if len(one):
        lines_terms = [len(fields) - 2 for fields in one]
        kinds = np.frombuffer("".join(fields[0] for fields in one).encode(), "S1")[::2]  # kind, then one digit of stars
        kinds = np.repeat(kinds, lines_terms)
        counts[n:, 0] = 1
        counts[n:, 1] = kinds == PRAISE
        counts[n:, 2] = kinds == COMPLAINT
        quotes[n:, 0] = np.repeat(_integers([fields[1] for fields in one], np.int64), lines_terms)
    return terms, _narrowest(counts, np.uint16), _narrowest(quotes, np.int32)


def _narrowest(values, narrow):
    """``values`` as ``narrow`` when they all fit (nearly always: a head is kept for the process's life,
    and heads of different widths join as the wider)."""
    limits = np.iinfo(narrow)
    fits = not len(values) or (limits.min <= values.min() and values.max() <= limits.max)
    return values.astype(narrow) if fits else values


def _integers(fields, dtype):
    try:
        values = np.fromstring("\t".join(fields), dtype=dtype, sep="\t")  # in C: ten times faster than int()
    except ValueError:
        values = ()
    if len(values) != len(fields):
        raise ValueError("a head line with a field that is not a number")
    return values


def _lines(rows):
    """parse_head of the lines of HEADS_SQL's ``rows`` together: in one go, as a call per product would
    cost more than the lines."""
    return parse_head("\n".join(e for _, e, _ in rows if e), "\n".join(o for _, _, o in rows if o))


def _parsed(rows, terms, number):
    """[(product, Head)] of HEADS_SQL's ``rows``: their lines parsed together, then each product's cut out."""
    several = [evidence.count("\n") + 1 if evidence else 0 for _, evidence, _ in rows]
    # A one_review line's terms are its fields but two: its tabs but one.
    one = [one_review.count("\t") - one_review.count("\n") - 1 if one_review else 0 for _, _, one_review in rows]
    names, counts, quotes = _lines(rows)
    numbers = terms.numbers(names)
    out, start, one_start = [], 0, sum(several)
    for (product, _, _), n, m in zip(rows, several, one):
        several_lines, one_lines = slice(start, start + n), slice(one_start, one_start + m)
        arrays = (np.concatenate((values[several_lines], values[one_lines])) for values in (numbers, counts, quotes))
        out.append((product, Head(number, terms, *arrays)))
        start, one_start = start + n, one_start + m
    return out


def read_heads(cursor, ids, cache=None, snapshot=None):
    """(Terms, heads) of products ``ids``: through ``cache`` (a BlockCache, with the ``snapshot`` the
    request read) a Head per product, in their order, from the cache where it holds one at its block's
    version, the others read in one statement and kept (a product without reviews has an empty head);
    without a cache, one Head of all their lines, read and parsed together."""
    terms = _terms(cache)
    if cache is None:
        cursor.execute(HEADS_SQL, {"ids": list(ids)})
        names, counts, quotes = _lines(cursor.fetchall())
        return terms, [Head(0, terms, terms.numbers(names), counts, quotes)]
    heads, missing = {}, []
    changed = {}  # an entry's snapshot number -> the blocks changed since, or None when too old to tell
    for product in ids:
        entry = cache.get(("head", product))
        if entry is not None and entry.terms is terms:
            if entry.snapshot != snapshot.number and entry.snapshot not in changed:
                older = cache.snapshot_numbered(entry.snapshot)
                changed[entry.snapshot] = snapshot.changed_since(older) if older else None
            blocks = changed.get(entry.snapshot, ())
            if blocks is not None and product // BLOCK not in blocks:
                if entry.snapshot != snapshot.number:  # still valid: checked against this snapshot from now on
                    entry = entry._replace(snapshot=snapshot.number)
                    cache.put(("head", product), entry)
                heads[product] = entry
                continue
        missing.append(product)
    if missing:
        cursor.execute(HEADS_SQL, {"ids": missing})
        rows = cursor.fetchall()
        read = {row[0] for row in rows}
        rows += [(product, "", "") for product in missing if product not in read]  # no reviews: an empty head
        for product, head in _parsed(rows, terms, snapshot.number):
            heads[product] = head
            cache.put(("head", product), head)
    return terms, [heads[product] for product in ids]


def _terms(cache):
    """The process's Terms (kept in ``cache``), or a request's own without a cache."""
    if cache is None:
        return Terms()
    terms = cache.lasting(CACHE_KEY, Terms)
    if len(terms) > MAX_TERMS:
        terms = cache.lasting(CACHE_KEY, Terms, replace=terms)
    return terms
