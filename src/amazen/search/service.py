"""The search service behind /api/search and /search: a search's plan (its terms' statistics, the
category filter), the ranking (amazen.search.ranking), evidence and quotes for the page, did-you-mean, and
what to drop when nothing matches.
"""

import html
import math
import threading
from dataclasses import dataclass, field, replace
from itertools import chain
from types import MappingProxyType

import sqlalchemy as sa

from amazen.models.search import QUOTES_ARRAY, STARS_ARRAY
from amazen.params import InvalidParameter

from . import ranking
from .analyzer import WORD, analyze_query_words, descriptor_term, fold, sentences, uses_term, word_stem
from .query import parse_query, query_parts, respell, spelled_words, split_descriptors, split_phrases, without_part
from .spelling import corrections, descriptor_corrections

MAX_RELAXATIONS = 5  # what-to-drop hints on a search that finds nothing
MAX_RELAXATION_PASSES = 3  # what-to-drop hints that need a ranking of their own
MAX_AMBIGUOUS_PATHS = 10  # category paths an ambiguous category name's error lists


@dataclass
class Evidence:
    descriptor: str
    polarity: str
    mentions: int = 0
    share: float = 0.0
    positive: int = 0  # praise
    negative: int = 0  # complaint
    neutral: int = 0  # neither
    neutral_negated: int = 0  # of the neutral ones, those negated ("not loud at all")
    stars: list = field(default_factory=lambda: [0, 0, 0, 0, 0])
    avg_stars: float = None
    quotes: list = field(default_factory=list)  # [{"text" (HTML), "review_id"}]


@dataclass
class Result:
    product_id: int
    asin: str
    title: str
    brand: str
    price: object
    rating: float
    review_count: int
    image_url: str
    score: float
    components: dict
    evidence: list


@dataclass
class SearchResults:
    request: object
    total: int
    page: int
    per_page: int
    results: list
    facets: dict
    unknown_terms: list
    message: str = None
    did_you_mean: dict = None  # {"query", "pos", "neg", "total"}
    top_ids: list = field(default_factory=list)  # the first ``top`` matches' ids, when asked for

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))


class SearchService:
    def __init__(self, session, cache=None):
        self.session = session
        self.cache = cache  # the process's BlockCache (amazen.search.blockcache), if any
        self._snapshot_of = None  # (the transaction, the blocks' versions it read first)

    def snapshot(self):
        """With a cache: every block's version, read once a transaction (a request's searches share it),
        against which the index rows and the small values a search reads (``_kept``) are checked."""
        if self.cache is None:
            return None
        connection = self.session.connection()  # begins the transaction, if need be
        transaction = self.session.get_transaction()
        if self._snapshot_of is None or self._snapshot_of[0] is not transaction:
            self._snapshot_of = (transaction, ranking.IndexReader(connection.connection.cursor(), self.cache).snapshot())
        return self._snapshot_of[1]

    def _kept(self, key, read):
        """``read()``, or with a cache its value kept at this transaction's snapshot: the corpus totals and
        spelling corrections change in the transactions that change the blocks."""
        snapshot = self.snapshot()
        return read() if snapshot is None else self.cache.value_at(key, snapshot.number, read)

    def _all(self, sql, params):
        return self.session.execute(sa.text(sql), params).all()

    def category(self, text):
        """(id, path) of the category ``text`` names: its path or its display name, in any case.
        InvalidParameter when none does, or when the name is several categories' (their paths listed)."""
        found = self.session.execute(sa.text("SELECT id, path FROM categories WHERE path = :text"), {"text": text}).first()
        if found is not None:
            return found.id, found.path
        rows = self._all(
            "SELECT id, path, lower(path) = lower(:text) AS is_path FROM categories "
            "WHERE lower(path) = lower(:text) OR lower(name) = lower(:text) ORDER BY path",
            {"text": text},
        )
        matches = [row for row in rows if row.is_path] or rows  # a path before another category's name
        if not matches:
            raise InvalidParameter("category", f"no category {text!r} (give a category's path or name)")
        if len(matches) > 1:
            paths = ", ".join(row.path for row in matches[:MAX_AMBIGUOUS_PATHS]) + (
                ", …" if len(matches) > MAX_AMBIGUOUS_PATHS else ""
            )
            raise InvalidParameter("category", f"{text!r} names {len(matches)} categories; give one's path: {paths}")
        return matches[0].id, matches[0].path

    def _counts(self, request):
        """((documents, average length, mean rating), {query term: products}, {descriptor term: products})
        in one statement: the corpus totals, how many products' text use each query term
        (product_term_stats) and how many products' reviews each descriptor (term_stats has a row for
        every term some review uses). Read-only mappings: they may be kept and shared."""
        terms, described = tuple(request.query.terms), tuple(d.term for d in request.descriptors)
        return self._kept(("counts", terms, described), lambda: self._read_counts(terms, described))

    def _read_counts(self, terms, described):
        stats = self.session.execute(
            sa.text("""
            SELECT s.documents, s.average_length, s.mean_rating,
                   (SELECT json_object_agg(term, products) FROM product_term_stats WHERE term = ANY(:terms)) AS used,
                   (SELECT json_object_agg(term, products) FROM term_stats WHERE term = ANY(:described)) AS described
            FROM (VALUES (1)) one (id) LEFT JOIN search_stats s ON s.id = one.id
            """),
            {"terms": list(terms), "described": list(described)},
        ).one()
        totals = tuple(stats[:3]) if stats.documents is not None else (0, 0.0, 3.0)
        return totals, MappingProxyType(stats.used or {}), MappingProxyType(stats.described or {})

    def _plan(self, request):
        """(The request with its category as a path, the ranking's parameters, the words nothing uses, how
        many products use each query term). The parameters are None when nothing can match (only unknown
        query words)."""
        (documents, average_length, mean_rating), frequencies, described = self._counts(request)
        # A phrase the index does not carry (not a collocation) is looked for as its two words.
        split_query = any(" " in term and term not in frequencies for term in request.query.terms)
        split_described = any(" " in d.term and d.term not in described for d in request.descriptors)
        if split_query:
            request = replace(request, query=split_phrases(request.query, frequencies))
        if split_described:
            request = replace(request, descriptors=split_descriptors(request.descriptors, described))
        if split_query or split_described:
            _, frequencies, described = self._counts(request)
        descriptor_terms = [d.term for d in request.descriptors]

        # Query terms the catalog never uses are reported, and left out of the match.
        unknown = [surface for term, surface in request.query.required if term not in frequencies]
        # The rarest term first: its postings are the candidates the others are looked up in.
        known_terms = sorted(
            (term for term in request.query.terms if term in frequencies), key=lambda term: (frequencies[term], term)
        )
        unknown += [d.text for d in request.descriptors if d.term not in described]
        unknown = list(dict.fromkeys(unknown))

        category_id = None
        if request.category:
            category_id, path = self.category(request.category)
            request = replace(request, category=path)
        params = {
            "n_terms": len(known_terms),
            "excluded": [term for term, _ in request.query.excluded],
            "descriptor_signs": [1 if d.polarity == "+" else -1 for d in request.descriptors],
            "average_length": max(average_length, 1.0),
            "mean_rating": mean_rating,
            "category_id": category_id,
            "brand": request.brand,
            "price_min": request.price_min,
            "price_max": request.price_max,
            "rating_min": request.rating_min,
        }
        for i, term in enumerate(known_terms):
            params[f"term{i}"] = term
            params[f"idf{i}"] = math.log(1 + (documents - frequencies[term] + 0.5) / (frequencies[term] + 0.5))
        for i, term in enumerate(descriptor_terms):
            params[f"descriptor{i}"] = term
        if bool(request.query.terms) and not known_terms:  # only unknown words: nothing can match
            params = None
        return request, params, unknown, frequencies

    def search(self, request, top=0):
        """A page of results; with ``top``, also the ids of the first ``top`` matches (for suggestions,
        from the same ranking rather than ranking again). The results' request names its category by path."""
        request, params, unknown, frequencies = self._plan(request)
        top_ids = []
        if params is None:
            total, rows, facets = 0, [], {"category": [], "brand": [], "price": [], "rating": []}
        else:
            offset, limit = (request.page - 1) * request.per_page, request.per_page
            found = self._rank(request, params, max(offset + limit, top), page=(offset, limit))
            total, facets, top_ids = found.total, found.facets, found.ids[:top]
            rows = [found.rows[i] for i in found.ids[offset : offset + limit]]
        results = [self._result(row) for row in rows]
        self._attach_evidence(request, results)
        return SearchResults(
            request=request,
            total=total,
            page=request.page,
            per_page=request.per_page,
            results=results,
            facets=facets,
            unknown_terms=unknown,
            message=self._message(request, total, unknown, bool(params)),
            did_you_mean=self._did_you_mean(request, frequencies, total),
            top_ids=top_ids,
        )

    def ranked_ids(self, request, limit):
        """(how many products match, the ids of the first ``limit`` in the request's order)."""
        request, params, _, _ = self._plan(request)
        if params is None:
            return 0, []
        found = self._rank(request, params, limit, facets=False)
        return found.total, found.ids

    def _rank(self, request, params, wanted, page=None, facets=True):
        """The ranking (amazen.search.ranking) of a planned search; tests put their SQL reference here."""
        return ranking.rank(
            self.session, request, params, wanted, page=page, facets=facets, cache=self.cache, snapshot=self.snapshot()
        )

    def _did_you_mean(self, request, frequencies, total):
        """{"query", "pos", "neg", "total"}: the search with misspelt query words and descriptors
        corrected, when that finds products (and more, for a correction of the query alone)."""
        term_of = {}
        for word in spelled_words(request.query.text):
            terms = analyze_query_words(word)
            if len(terms) == 1:  # not a stop word
                term_of[word] = terms[0]
        used = {word: frequencies.get(term, 0) for word, term in term_of.items()}
        better = self._kept(("corrections", frozenset(used.items())), lambda: corrections(self.session, used))
        words = self._descriptor_words(request)
        respelt = self._kept(
            ("descriptor corrections", frozenset(words.items())), lambda: descriptor_corrections(self.session, words)
        )
        # Not to a term the search already has: that would ask for it twice, or both want and avoid it.
        taken = {d.term for d in request.descriptors}
        respelt = {word: new for word, new in respelt.items() if descriptor_term(new) not in taken}
        if not better and not respelt:
            return None
        replaces_unknown = any(term_of[word] not in frequencies for word in better)
        text = respell(request.query.text, better) if better else request.query.text
        descriptors = [
            replace(d, text=respelt[word], term=descriptor_term(respelt[word])) if word in respelt else d
            for d, word in ((d, fold(d.text.strip())) for d in request.descriptors)
        ]
        corrected = replace(request, query=parse_query(text), descriptors=descriptors, page=1)
        corrected_total, _ = self.ranked_ids(corrected, 0)
        # An unknown word was left out of this search, so its correction is offered whenever it finds
        # something; a rare word's only when it finds more. A descriptor's correction is offered whenever
        # it finds something: the misspelling ranks by a few reviews even when as many products match.
        if corrected_total and (respelt or replaces_unknown or corrected_total > total):
            return {
                "query": text,
                "pos": [d.text for d in corrected.positive],
                "neg": [d.text for d in corrected.negative],
                "total": corrected_total,
            }
        return None

    @staticmethod
    def _descriptor_words(request):
        """{typed word: its index term} for the request's one-word descriptors."""
        words = {}
        for d in request.descriptors:
            word = fold(d.text.strip())
            if " " not in d.term and WORD.fullmatch(word) and descriptor_term(word) == d.term:
                words[word] = d.term
        return words

    # Results and evidence ----------------------------------------------------------------------

    def _result(self, row):
        """A Result from one row of the page (ranking.Ranked.rows)."""
        return Result(
            product_id=row["id"],
            asin=row["asin"],
            title=row["title"] or f"Product {row['asin']}",
            brand=row["brand"],
            price=row["price"],
            rating=row["rating_average"],
            review_count=row["review_count"],
            image_url=row["image_url"],
            score=round(row["score"], 6),
            components={name: round(row[name], 6) for name in ("bm25", "relevance", "descriptors", "rating_prior", "popularity")},
            evidence=[],
        )

    def _attach_evidence(self, request, results):
        found = self.evidence([(r.product_id, r.review_count) for r in results], request.descriptors)
        for result in results:
            result.evidence = found.get(result.product_id, [])

    def evidence(self, products, descriptors):
        """{product id: [Evidence, one per descriptor, in order]} for ``products``, a list of
        (product id, review count); a descriptor no review of a product mentions has zero evidence."""
        if not products or not descriptors:
            return {}
        rows = self._all(
            "SELECT e.product_id, e.term, e.mentions, e.positive, e.negative, e.neutral, e.neutral_negated, "
            f"{STARS_ARRAY} AS stars, {QUOTES_ARRAY} AS quote_review_ids "
            "FROM descriptor_evidence e WHERE e.product_id = ANY(:ids) AND e.term = ANY(:terms)",
            {"ids": [product_id for product_id, _ in products], "terms": [d.term for d in descriptors]},
        )
        found = {(row.product_id, row.term): row for row in rows}
        quote_ids = {i for row in rows for i in row.quote_review_ids}
        reviews = (
            {
                review.id: review
                for review in self._all("SELECT id, summary, text FROM reviews WHERE id = ANY(:ids)", {"ids": list(quote_ids)})
            }
            if quote_ids
            else {}
        )
        out = {}
        for product_id, review_count in products:
            out[product_id] = []
            for descriptor in descriptors:
                evidence = Evidence(descriptor=descriptor.text, polarity=descriptor.polarity)
                row = found.get((product_id, descriptor.term))
                if row is not None:
                    rated = sum(row.stars)
                    evidence.mentions, evidence.positive, evidence.negative = row.mentions, row.positive, row.negative
                    evidence.neutral, evidence.neutral_negated = row.neutral, row.neutral_negated
                    evidence.share = round(row.mentions / review_count, 4) if review_count else 0.0
                    evidence.stars = list(row.stars)
                    evidence.avg_stars = round(sum((i + 1) * n for i, n in enumerate(row.stars)) / rated, 2) if rated else None
                    for review_id in row.quote_review_ids:
                        review = reviews.get(review_id)
                        text = review and quotes.quote(review_id, review.summary, review.text, descriptor.term)
                        if text:
                            evidence.quotes.append({"text": text, "review_id": review_id})
                out[product_id].append(evidence)
        return out

    def relaxations(self, request, limit=MAX_RELAXATIONS):
        """What to drop when nothing matches: [(kind, value, total)] for each part of the search (a query
        word or phrase, a wanted descriptor, a filter) whose removal alone finds products, most found
        first. ``kind`` is "q" (``value`` is the part's index in query_parts), "pos", "category",
        "brand", "price" or "rating_min". Avoided descriptors never narrow a search, so they are not tried.

        Bounded work: one read of the index counts every part whose removal keeps the search's candidates
        (a filter, an exclusion, any query term but the rarest; ranking.totals_without). The others (the
        rarest term's part, a wanted descriptor without a query) each need a ranking of their own: at
        most MAX_RELAXATION_PASSES of them, the cheapest first (the fewest products in the rarest term
        left)."""
        parts = query_parts(request.query.text)
        tries = []  # (kind, value, the search without it, the filter's flag in ranking)
        if len(parts) > 1 or request.descriptors or self._has_filters(request):
            tries += [
                ("q", i, replace(request, query=parse_query(without_part(request.query.text, i))), None)
                for i in range(len(parts))
            ]
        tries += [
            ("pos", d.text, replace(request, descriptors=[x for x in request.descriptors if x is not d]), None)
            for d in request.positive
        ]
        for kind, flag, relaxed in (
            ("category", "in_category", replace(request, category=None)),
            ("brand", "in_brand", replace(request, brand=None)),
            ("price", "in_price", replace(request, price_min=None, price_max=None)),
            ("rating_min", "in_rating", replace(request, rating_min=None)),
        ):
            if relaxed != request:
                tries.append((kind, None if kind == "price" else getattr(request, kind), relaxed, flag))
        # Dropping the last thing asked would "find" the whole catalog.
        tries = [
            (kind, value, relaxed, flag)
            for kind, value, relaxed, flag in tries
            if relaxed.query.terms or relaxed.query.excluded or relaxed.descriptors or self._has_filters(relaxed)
        ]
        _, params, _, frequencies = self._plan(request)
        lead = params["term0"] if params and params["n_terms"] else None
        shared, alone = [], []  # (at, kind, value, drop) counted together; (cost, at, kind, value, relaxed) alone
        for at, (kind, value, relaxed, flag) in enumerate(tries):
            if params is None and relaxed.query.terms:
                continue  # only words no product uses are left: it finds nothing either
            if kind == "pos" and params is not None and (lead or relaxed.positive):
                continue  # the query, or the wanted descriptors left, pick candidates among these: it finds none
            terms = {term for term in request.query.terms if term in frequencies} - set(relaxed.query.terms)
            excluded = {term for term, _ in request.query.excluded} - {term for term, _ in relaxed.query.excluded}
            if params is not None and lead not in terms and kind != "pos":
                shared.append((at, kind, value, (terms, excluded, flag)))
            else:
                left = [frequencies[term] for term in relaxed.query.terms if term in frequencies]
                alone.append((min(left, default=math.inf), at, kind, value, relaxed))
        found = []  # (at, kind, value, total)
        if shared:
            totals = ranking.totals_without(
                self.session, params, [drop for *_, drop in shared], cache=self.cache, snapshot=self.snapshot()
            )
            found += [(at, kind, value, total) for (at, kind, value, _), total in zip(shared, totals)]
        for _, at, kind, value, relaxed in sorted(alone, key=lambda a: a[:2])[:MAX_RELAXATION_PASSES]:
            found.append((at, kind, value, self.ranked_ids(replace(relaxed, page=1), 0)[0]))
        found.sort(key=lambda f: (-f[3], f[0]))
        return [(kind, value, total) for _, kind, value, total in found if total][:limit]

    @staticmethod
    def _has_filters(request):
        return bool(
            request.category
            or request.brand
            or request.price_min is not None
            or request.price_max is not None
            or request.rating_min is not None
        )

    def _message(self, request, total, unknown, can_match):
        if unknown and not can_match:
            return f"No product mentions {', '.join(repr(u) for u in unknown)}. Check the spelling or try other words."
        if unknown:
            return f"No product or review mentions {', '.join(repr(u) for u in unknown)}; it was left out."
        if total == 0:
            return "No products match all of that. Try fewer words, remove a filter or a descriptor."
        return None


QUOTES_KEPT = 20_000  # quotes each process remembers, each at most QUOTE_KEPT_CHARS: a few MB, 12 at most
QUOTE_KEPT_CHARS = 600


class QuoteMemo:
    """The quotes a process has made, by review and term, each with a fingerprint of the review's text it
    was made from (its summary and text as read by the request, so a review that changes is quoted
    afresh): a shown page's quotes then cost a lookup each rather than the analyzer over their reviews.
    The QUOTES_KEPT latest of up to QUOTE_KEPT_CHARS are kept."""

    def __init__(self, size=QUOTES_KEPT):
        self.size = size
        self._quotes = {}  # (review id, term) -> (fingerprint, quote), oldest first
        self._lock = threading.Lock()

    def __len__(self):
        return len(self._quotes)

    def quote(self, review_id, summary, text, term):
        key, fingerprint = (review_id, term), hash((summary, text))
        found = self._quotes.get(key)
        if found is not None and found[0] == fingerprint:
            return found[1]
        made = quote(summary, text, term)
        if made is not None and len(made) > QUOTE_KEPT_CHARS:
            return made
        with self._lock:
            self._quotes.pop(key, None)
            self._quotes[key] = (fingerprint, made)
            if len(self._quotes) > self.size:
                del self._quotes[next(iter(self._quotes))]
        return made


quotes = QuoteMemo()


def quote(summary, text, term):
    """The first sentence of a review that contains ``term``, HTML-escaped, its words in <mark>.

    None if no sentence has it (the review changed since it was indexed).
    """
    words = set(term.split(" "))
    for sentence in chain([summary] if summary else [], sentences(text)):
        if not uses_term(sentence, term):
            continue
        out, last = [], 0
        for match in WORD.finditer(sentence):
            if word_stem(match.group()) in words:
                out.append(html.escape(sentence[last : match.start()]))
                out.append(f"<mark>{html.escape(match.group())}</mark>")
                last = match.end()
        out.append(html.escape(sentence[last:]))
        return "".join(out)
    return None
