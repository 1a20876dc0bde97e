"""Helping shoppers ask: descriptors worth adding, what customers say about a product, completions.

"Distinctive" is Dunning's log-likelihood ratio (G²) of a term's share of reviews in a set (the
products matching a search, or one product) against its share in the rest of the catalog, kept only
when the set mentions it clearly more often (lift). Raw counts would put "great" and "product" first
for every search; G² puts first what these reviews say more than others do.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import sqlalchemy as sa

from amazen.models import Review
from amazen.models.search import QUOTES_ARRAY, STARS_ARRAY

from . import heads
from .analyzer import STOP_WORDS, TOKEN, WORD, analyze_query_words, descriptor_term, fold, stem, word_stem
from .service import quotes

SUGGESTIONS = 10
SUGGEST_FROM = 200  # the top-ranked matching products whose reviews suggestions are drawn from
CUSTOMERS_SAY = 8
COMPLETIONS = 10
MAX_PREFIX = 100
MIN_LIFT = 1.5  # the set mentions a term at least this many times more often than the whole catalog
MIN_SET_SHARE = 0.02  # ... in at least this share of the set's products (and two of them)
REVIEW_ID_BITS = (1 << 43) - 1  # a review id, below the mentions it is ranked by (descriptors' quotes)
MAX_RANKED_MENTIONS = (1 << 20) - 1

# Review boilerplate, never an attribute, alone or in a phrase ("great", "sound great", "buy it", "people
# found this helpful"); a pronoun's contraction as the analyzer folds it ("i've" -> "ive") likewise.
BOILERPLATE = (
    frozenset(
        stem(w)
        for w in """
product products item items amazon buy buying bought purchase purchased order ordered review reviews
star stars recommend recommended thing things great good nice like liked love loved want wanted need
needed would say said think know anyone something anything everything try tried awesome excellent
best better bad worst happy glad definitely absolutely highly price almost enough brand found
ive youve youll weve theyve theyll whos thatll
""".split()
    )
    - STOP_WORDS
)
# Words too general to be a descriptor alone, fine inside a phrase ("easy to use", "battery life"); the
# numbers of stars, which Amazon writes as a review's summary when its reviewer gives none ("Five Stars").
GENERIC_ALONE = (
    frozenset(
        stem(w)
        for w in """
use used using work works worked working time times day days week weeks month months year years make
made look looks come comes go goes went back way new old first last little bit two three money set
fine ok okay far lot now today yesterday problem problems issue issues people person thought found find put take took
give gave keep kept seem seems actually long short easy easily right left sure yes mine
four five
""".split()
    )
    - STOP_WORDS
)
DIGIT = re.compile(r"[0-9]")


def plain(term):
    """No numbers, model codes ("q35") or scraps of words."""
    return len(term) >= 3 and not DIGIT.search(term)


def log_likelihood(a, size, b, rest):
    """G² of a term seen in ``a`` of ``size`` reviews of the set and ``b`` of ``rest`` other reviews."""
    total = size + rest
    seen = a + b
    g = 0.0
    for observed, expected in (
        (a, size * seen / total),
        (size - a, size * (total - seen) / total),
        (b, rest * seen / total),
        (rest - b, rest * (total - seen) / total),
    ):
        if observed > 0 and expected > 0:
            g += observed * math.log(observed / expected)
    return 2 * g


def eligible(term, in_play=frozenset(), query_words=frozenset()):
    """Whether a (plain) review term can be offered as a descriptor: not in play, no boilerplate word,
    none of ``query_words``."""
    if term in in_play:
        return False
    words = term.split(" ")
    if any(w in BOILERPLATE or w in query_words for w in words):
        return False
    if len(words) == 1:
        return term not in GENERIC_ALONE
    return words[0] != words[1]


def distinctive(rows, set_reviews, all_reviews):
    """Rows (with ``mentions`` in the set and ``corpus`` mentions in all) ranked by G², over-represented
    ones only."""
    rest = max(all_reviews - set_reviews, 1)
    scored = []
    for row in rows:
        a, b = row.mentions, max(row.corpus - row.mentions, 0)
        if a * rest < MIN_LIFT * b * set_reviews or a > set_reviews:
            continue
        scored.append((log_likelihood(a, set_reviews, b, rest), row))
    scored.sort(key=lambda s: (-s[0], s[1].term))
    return scored


def surface_form(term, texts):
    """How reviewers write ``term`` ("batteri life" -> "battery life", "easi use" -> "easy to use"):
    its most frequent written form in ``texts`` (the shorter on a tie), lower case; the term itself
    if no text has it."""
    wanted = term.split(" ")
    forms = Counter()
    for text in texts:
        if not text:
            continue
        tokens = [(m.start(), m.end(), word_stem(m.group())) for m in WORD.finditer(text)]
        for i, (start, end, token) in enumerate(tokens):
            if token != wanted[0]:
                continue
            if len(wanted) == 1:
                forms[fold(text[start:end])] += 1
                continue
            for j in (i + 1, i + 2):
                if j < len(tokens) and tokens[j][2] == wanted[1] and (j == i + 1 or tokens[i + 1][2] in STOP_WORDS):
                    forms[" ".join(fold(text[start : tokens[j][1]]).split())] += 1
    for form, _ in sorted(forms.items(), key=lambda f: (-f[1], len(f[0]), f[0])):
        if _means(form, term):
            return form
    return term


def _means(form, term):
    """Whether a written form analyses back to ``term``. Not when punctuation splits it ("bose, harman":
    the comma ends a clause, so the words are no phrase and descriptor_term refuses them)."""
    try:
        return descriptor_term(form) == term
    except ValueError:
        return False


class Totals(NamedTuple):
    """A term's mentions in a set of products, and in the whole catalog."""

    term: str
    products: int
    mentions: int
    positive: int
    negative: int
    corpus: int


@dataclass
class Suggestion:
    descriptor: str
    term: str
    products: int
    positive_share: float | None  # praise / (praise + complaints); None when no mention is either
    score: float


@dataclass
class Suggestions:
    suggestions: list
    matching: int  # products matching the search
    considered: int  # the top-ranked ones whose reviews were read


@dataclass
class CustomerSay:
    descriptor: str
    term: str
    mentions: int
    positive: int  # praise
    negative: int  # complaint
    neutral: int
    stars: list
    quote: str = None  # HTML: escaped, the words in <mark>
    review_id: int = None
    score: float = 0.0
    share: float = 0.0


class SuggestService:
    def __init__(self, session, search):
        self.session = session
        self.search = search

    def _all_reviews(self):
        return self.session.scalar(sa.text("SELECT reviews FROM search_stats WHERE id = 1")) or 0

    def _texts(self, review_ids):
        if not review_ids:
            return {}
        found = self.session.execute(sa.select(Review.id, Review.summary, Review.text).where(Review.id.in_(review_ids)))
        return {r.id: r for r in found}

    # Descriptor suggestions ---------------------------------------------------------------------

    def descriptors(self, request, dismissed=(), limit=SUGGESTIONS, found=None):
        """Up to ``limit`` descriptors that reviews of the products matching ``request`` mention
        distinctively, leaving out the query's words and every descriptor in play or ``dismissed``.
        ``found``: the request's SearchResults, searched with ``top=SUGGEST_FROM``, if at hand.

        What each product's reviews mention is read from its head (amazen.search.heads, through the cache):
        all its terms, or for a product of more than documents.HEAD_TERMS terms the most mentioned of those
        that several of its reviews mention."""
        asked = request.query.terms or request.descriptors or request.category or request.brand
        if not asked:
            return Suggestions([], 0, 0)
        if found is not None:
            matching, ids = found.total, found.top_ids
        else:
            matching, ids = self.search.ranked_ids(request, SUGGEST_FROM)
        if not ids:
            return Suggestions([], matching, 0)
        min_products = max(2, math.ceil(MIN_SET_SHARE * len(ids)))
        cursor = self.session.connection().connection.cursor()
        snapshot = self.search.snapshot()
        terms, read = heads.read_heads(cursor, [int(i) for i in ids], self.search.cache, snapshot)
        # The set's totals per term (its rows, by term number, each term's rows a run), over the terms at
        # least min_products products mention, and reviews that show how each is written: the quotes of a
        # product that mentions it most (the largest of mentions * 2^43 + review id; ids stay below 2^43).
        numbers = np.concatenate([head.numbers for head in read])
        if not len(numbers):
            return Suggestions([], matching, len(ids))
        order = np.argsort(numbers, kind="stable")
        numbers = numbers[order]
        counts = np.concatenate([head.counts for head in read])[order]
        quotes = np.concatenate([head.quotes for head in read])[order]
        starts = np.flatnonzero(np.concatenate(([True], numbers[1:] != numbers[:-1])))
        products = np.diff(np.append(starts, len(numbers)))
        kept = products >= min_products
        totals = np.add.reduceat(counts.astype(np.int64), starts, axis=0)[kept]
        ranked = np.where(quotes >= 0, (np.minimum(counts[:, :1].astype(np.int64), MAX_RANKED_MENTIONS) << 43) | quotes, -1)
        best_quotes = np.maximum.reduceat(ranked, starts, axis=0)[kept]
        unique, products = numbers[starts][kept], products[kept]
        in_play = set(request.query.terms) | {d.term for d in request.descriptors} | set(dismissed)
        query_words = {w for t in request.query.terms for w in t.split(" ")}
        # Only the terms that can be offered are weighed (and their catalog mentions read).
        names = [terms.names[number] for number in unique.tolist()]
        offered = [i for i, term in enumerate(names) if plain(term) and eligible(term, in_play, query_words)]
        corpus = terms.catalog_mentions(cursor, unique[offered], snapshot and snapshot.number)
        set_reviews, all_reviews = self.session.execute(
            sa.text("""SELECT (SELECT COALESCE(sum(review_count), 0) FROM product_stats WHERE product_id = ANY(:ids)),
                              (SELECT reviews FROM search_stats WHERE id = 1)"""),
            {"ids": ids},
        ).one()
        rows = []
        for i, catalog in zip(offered, corpus.tolist()):
            mentions, positive, negative = totals[i].tolist()
            rows.append(Totals(names[i], int(products[i]), mentions, positive, negative, catalog or mentions))
        ranked_quotes = {row.term: best_quotes[i].tolist() for i, row in zip(offered, rows)}
        chosen = distinctive(rows, set_reviews, all_reviews or 0)[:limit]
        quote_ids = {row.term: [q & REVIEW_ID_BITS for q in ranked_quotes[row.term] if q >= 0] for _, row in chosen}
        reviews = self._texts([i for ids_ in quote_ids.values() for i in ids_])
        suggestions = []
        for score, row in chosen:
            texts = [t for i in quote_ids[row.term] if i in reviews for t in (reviews[i].summary, reviews[i].text)]
            polar = row.positive + row.negative
            suggestions.append(
                Suggestion(
                    descriptor=surface_form(row.term, texts),
                    term=row.term,
                    products=row.products,
                    positive_share=round(row.positive / polar, 3) if polar else None,
                    score=round(score, 2),
                )
            )
        return Suggestions(suggestions, matching, len(ids))

    # Customers say ------------------------------------------------------------------------------

    def customers_say(self, product, limit=CUSTOMERS_SAY):
        """The attributes this product's reviews mention most distinctively, with their evidence and an
        example sentence."""
        least = 2  # one review saying something is an anecdote, not what customers say
        if product.review_count < least:
            return []
        own_words = frozenset(analyze_query_words(product.title or ""))  # "headphones" on headphones says nothing
        rows = self.session.execute(
            sa.text(f"""
            SELECT e.term, e.mentions, e.positive, e.negative, e.neutral, {STARS_ARRAY} AS stars, {QUOTES_ARRAY} AS quote_ids,
                   t.mentions AS corpus
            FROM descriptor_evidence e JOIN term_stats t ON t.term = e.term
            WHERE e.product_id = :id AND e.mentions >= :least
        """),
            {"id": product.id, "least": least},
        ).all()
        rows = [row for row in rows if plain(row.term)]
        chosen = []
        for score, row in distinctive(rows, product.review_count, self._all_reviews()):
            if eligible(row.term, query_words=own_words):
                chosen.append((score, row))
                if len(chosen) == limit:
                    break
        reviews = self._texts([i for _, row in chosen for i in row.quote_ids])
        out = []
        for score, row in chosen:
            say = CustomerSay(
                descriptor=row.term,
                term=row.term,
                mentions=row.mentions,
                positive=row.positive,
                negative=row.negative,
                neutral=row.neutral,
                stars=list(row.stars),
                score=round(score, 2),
                share=round(row.mentions / product.review_count, 4),
            )
            texts = []
            for review_id in row.quote_ids:
                review = reviews.get(review_id)
                if review is None:
                    continue
                texts += [review.summary, review.text]
                if say.quote is None:
                    say.quote = quotes.quote(review_id, review.summary, review.text, row.term)
                    say.review_id = review_id if say.quote else None
            say.descriptor = surface_form(row.term, texts)
            out.append(say)
        return out

    # Autocomplete -------------------------------------------------------------------------------

    def complete(self, prefix, limit=COMPLETIONS):
        """Completions of ``prefix`` from the catalog vocabulary, most used first: [(text, products)].

        When the whole prefix completes to too few phrases, its last word is completed on its own
        after the words before it ("sony wireless he" -> "sony wireless headphones").
        """
        text = " ".join(TOKEN.findall(fold(prefix)))
        if prefix[-1:].isspace() and text:
            text += " "
        if not text:
            return []
        found = self._completions(text, limit)
        if len(found) < limit and " " in text.strip():
            head, last = text.rsplit(" ", 1)
            if last:
                seen = {t for t, _ in found}
                for phrase, products in self._completions(last, limit):
                    candidate = f"{head} {phrase}"
                    if candidate not in seen and len(found) < limit:
                        found.append((candidate, products))
                        seen.add(candidate)
        return found

    def _completions(self, text, limit):
        width = 1 if len(text) == 1 else 2
        like = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return [
            tuple(r)
            for r in self.session.execute(
                sa.text(f"""
            SELECT phrase, products FROM vocabulary
            WHERE left(phrase, {width}) = :bucket AND phrase LIKE :like
            ORDER BY left(phrase, {width}), products DESC, phrase LIMIT :limit
        """),
                {"bucket": text[:width], "like": like, "limit": limit},
            )
        ]
