"""Ranking over the packed index (amazen.search.packed) with numpy: the score (amazen.search.scoring holds
the formula and its constants), the filters, the facets and the order of a search.

A search reads, in its own transaction, the arrays of its query terms (the rarest term's whole, the
others' only in the blocks where the rarest has products), of its descriptors and of its candidates'
facts (packed_facts), with COPY ... (FORMAT binary): psycopg2 returns ordinary results as text, where
bytea arrives hex-encoded and costs 4-5 times as much to read. A process may keep the rows it read
(amazen.search.blockcache): a search then asks only for every block's version and reads its terms' rows
in the blocks whose version changed.
"""

import io
import math
import struct
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from . import packed, scoring
from .blockcache import Entry

# A search's reads of the packed index, straight from the database: each row's term, block, entries and,
# for packed_facts, its records and category ids.
TERMS_SQL = """
SELECT term, block, entries, NULL, NULL FROM packed_terms WHERE term = %(lead)s
UNION ALL
SELECT term, block, entries, NULL, NULL FROM packed_terms
WHERE term = ANY(%(others)s) AND block = ANY(ARRAY(SELECT block FROM packed_terms WHERE term = %(lead)s))
ORDER BY 1, 2
"""
EXCLUDED_SQL = "SELECT term, block, entries, NULL, NULL FROM packed_terms WHERE term = ANY(%(others)s) ORDER BY 1, 2"
# With a query, only in the blocks where its rarest term has products.
EVIDENCE_SQL = """
SELECT term, block, entries, NULL, NULL FROM packed_evidence WHERE term = ANY(%(terms)s) {in_blocks} ORDER BY 1, 2
"""
IN_LEAD_BLOCKS = "AND block = ANY(ARRAY(SELECT block FROM packed_terms WHERE term = %(lead)s))"
# The facts of a search without a query: of every block, or of some ({in_blocks}).
FACTS_SQL = "SELECT NULL, block, ids, records, category_ids FROM packed_facts {in_blocks} ORDER BY block"
IN_BLOCKS = "WHERE block = ANY(%(blocks)s)"

# Through a process's cache (amazen.search.blockcache): the digest of every block's version first (one
# row, however many blocks), every block's version only when it is not the latest snapshot's; then only
# the rows the cache does not hold at their blocks' versions, by (term, block) key.
_VERSION = "tableoid::text || ' ' || xmin::text || ' ' || ctid::text"
BLOCKS_DIGEST = f"SELECT md5(coalesce(string_agg(block::text || ' ' || {_VERSION}, ',' ORDER BY block), '')) FROM packed_facts"
BLOCK_VERSIONS = f"SELECT block, {_VERSION} FROM packed_facts ORDER BY block"
FETCH_SQL = {
    "terms": """
SELECT p.term, p.block, p.entries, NULL, NULL
FROM unnest(%(terms)s::text[], %(blocks)s::int[]) k(term, block)
JOIN packed_terms p ON p.term = k.term AND p.block = k.block
""",
    "evidence": """
SELECT p.term, p.block, p.entries, NULL, NULL
FROM unnest(%(terms)s::text[], %(blocks)s::int[]) k(term, block)
JOIN packed_evidence p ON p.term = k.term AND p.block = k.block
""",
}
FETCH_SQL["facts"] = "SELECT NULL, block, ids, records, category_ids FROM packed_facts WHERE block = ANY(%(blocks)s)"
_BLOCK = struct.Struct(">i")
SHORTLIST_ABOVE = 4  # candidates per wanted result above which only the best scores are sorted


@dataclass
class Ranked:
    total: int
    ids: list  # the first ``wanted`` matches' ids, in order
    rows: dict = field(default_factory=dict)  # id -> the page's row: its facts, score parts, name and picture
    facets: dict = None


def copy_rows(cursor, sql, params):
    """The rows of ``sql`` as tuples of bytes (None for NULL), read with COPY (FORMAT binary)."""
    buffer = io.BytesIO()
    cursor.copy_expert(f"COPY ({cursor.mogrify(sql, params).decode()}) TO STDOUT (FORMAT binary)", buffer)
    return binary_rows(buffer.getbuffer())


def binary_rows(data):
    """The rows of COPY (FORMAT binary) ``data`` as lists of bytes (None for NULL)."""
    at = 11 + 4  # signature, flags
    at += 4 + struct.unpack_from(">i", data, at)[0]  # header extension
    rows = []
    while True:
        (fields,) = struct.unpack_from(">h", data, at)
        at += 2
        if fields == -1:
            return rows
        row = []
        for _ in range(fields):
            (size,) = struct.unpack_from(">i", data, at)
            at += 4
            row.append(None if size < 0 else bytes(data[at : at + size]))
            at += max(size, 0)
        rows.append(row)


def _decoded(rows, table):
    """copy_rows' rows of the reads above of packed_{``table``} as [term, block, entries, records or None,
    category ids or None], the entries of postings and evidence as POSTING or EVIDENCE bytes whatever
    their layout."""
    rows = [[term and term.decode(), _BLOCK.unpack(block)[0], *arrays] for term, block, *arrays in rows]
    if table in packed.WIDE:  # packed_facts has no entries
        for row, entries in zip(
            rows, packed.wide_entries([row[1] for row in rows], [row[2] for row in rows], packed.WIDE[table])
        ):
            row[2] = entries
    return rows


class IndexReader:
    """A search's reads of the packed index: straight from the database, or, with a ``cache`` (a
    BlockCache), through it. Each read returns rows [term, block, entries, records or None, category ids
    or None] in term and block order, records and category ids only for packed_facts (whose term is None
    and entries the ids); through the cache, one row a term, its blocks' arrays joined, and in place of
    the block the list of its blocks."""

    def __init__(self, cursor, cache=None, snapshot=None):
        self.cursor = cursor
        self.cache = cache
        self._snapshot = snapshot  # the search's, when it has read the blocks' versions already
        self._lead_blocks = None

    def postings(self, lead, others):
        """``lead``'s postings, and ``others``' postings where ``lead`` has products (every block when
        there is no ``lead``)."""
        if self.cache is None:
            sql = TERMS_SQL if lead else EXCLUDED_SQL
            return _decoded(copy_rows(self.cursor, sql, {"lead": lead, "others": others}), "terms")
        rows = self._cached("terms", [(lead, self.snapshot().blocks)]) if lead else []
        self._lead_blocks = (rows[0][1] if rows else []) if lead else self.snapshot().blocks
        return rows + self._cached("terms", [(term, self._lead_blocks) for term in others])

    def evidence(self, terms, lead):
        """The evidence of descriptor ``terms`` where ``lead`` has products (everywhere without one)."""
        if self.cache is None:
            sql = EVIDENCE_SQL.replace("{in_blocks}", IN_LEAD_BLOCKS if lead else "")
            return _decoded(copy_rows(self.cursor, sql, {"terms": terms, "lead": lead}), "evidence")
        blocks = self._lead_blocks if lead else self.snapshot().blocks  # postings() read the lead's first
        return self._cached("evidence", [(term, blocks) for term in terms])

    def facts(self, blocks=None):
        """The facts of every product of ``blocks`` (in order; every block when None), one row per block."""
        if self.cache is None:
            sql = FACTS_SQL.replace("{in_blocks}", "" if blocks is None else IN_BLOCKS)
            return _decoded(copy_rows(self.cursor, sql, {"blocks": blocks}), "facts")
        return self._cached("facts", [(None, self.snapshot().blocks if blocks is None else blocks)])

    def every_fact(self):
        """(Every product's id, their Facts), in id order. With a cache, kept decoded at the latest
        snapshot of the blocks: a search then decodes no facts. After a write, the facts kept at an
        earlier snapshot are patched with the blocks changed since, not decoded again whole."""
        if self.cache is None:
            return _decoded_facts(self.facts())
        kept = self.decoded_facts()
        return kept.ids, kept.facts

    def decoded_facts(self):
        """The cache's DecodedFacts at this reader's snapshot (every_fact's)."""
        snapshot = self.snapshot()

        def decode():
            earlier = self.cache.get(DECODED_FACTS)
            older = earlier and self.cache.snapshot_numbered(earlier.snapshot)
            if older is None:  # none kept, or too old to tell which blocks changed since
                (ids, facts), positions = _decoded_facts(self.facts()), None
            else:
                changed = snapshot.changed_since(older)
                rows = self.facts(sorted(changed & snapshot.versions.keys()))
                ids, facts, positions = _patched(earlier, changed, *_decoded_facts(rows))
            kept = DecodedFacts.of(snapshot.number, ids, facts, positions)
            for values in (kept.ids, kept.positions, kept.facts.category_ids, *kept.facts.values()):
                values.flags.writeable = False  # shared by every search of the process's threads
            return kept

        return self.cache.made_at(DECODED_FACTS, snapshot.number, decode)

    def keeps_every_fact(self):
        """Whether every product's facts are kept decoded: with a cache that holds them twice over. A
        smaller one could not keep them, and every search would decode every block's facts again."""
        if self.cache is None:
            return False
        return 2 * len(self.snapshot().blocks) * packed.BLOCK * DECODED_FACT_BYTES <= self.cache.max_bytes

    def snapshot(self):
        """Every block's version, read once per reader: the cache's latest snapshot when the digest of
        the versions is its digest."""
        if self._snapshot is None:
            self.cursor.execute(BLOCKS_DIGEST)
            self._snapshot = self.cache.latest_with(self.cursor.fetchone()[0])
            if self._snapshot is None:
                self.cursor.execute(BLOCK_VERSIONS)
                self._snapshot = self.cache.snapshot(self.cursor.fetchall())
        return self._snapshot

    def _cached(self, table, wants):
        """The rows of ``wants`` ([(term, blocks in order)], a term once) of packed_{``table``}, from the
        cache where it holds them at the blocks' versions; the others read in one statement, and kept."""
        snapshot, cache = self.snapshot(), self.cache
        full = table == "facts"  # the one table whose rows have records and category ids
        plans, missing = [], []  # missing: (term, block) to read
        for term, blocks in dict(wants).items():
            entry = cache.get((table, term))
            known, rows = (entry.known, entry.rows) if entry else (frozenset(), {})
            if entry and entry.snapshot != snapshot.number:
                older = cache.snapshot_numbered(entry.snapshot)
                changed = snapshot.changed_since(older) if older else known  # too old to tell: read again
                if changed:
                    known = known - changed
                    rows = {block: row for block, row in rows.items() if block in known}
            stale = [b for b in blocks if b not in known]
            missing += [(term, block) for block in stale]
            plans.append((term, blocks, entry, known, rows, stale))
        fetched = {}
        if missing:
            terms, blocks = (list(column) for column in zip(*missing))
            sql, keys = FETCH_SQL[table], {"terms": terms, "blocks": blocks}
            for term, block, *row in _decoded(copy_rows(self.cursor, sql, keys), table):
                fetched[term, block] = tuple(row)
        out = []
        for term, blocks, entry, known, rows, stale in plans:
            if stale or entry is None or entry.snapshot != snapshot.number:
                rows = dict(rows)
                for block in stale:
                    row = fetched.get((term, block))
                    if row is None:
                        rows.pop(block, None)
                    else:
                        rows[block] = row
                cache.put((table, term), Entry(snapshot.number, frozenset(known | set(stale)), rows))
            present = [block for block in blocks if block in rows]
            if present:  # one row of the term's blocks joined, as by_term would join them (it keeps it whole)
                parts = [b"".join(rows[block][i] for block in present) if full or i == 0 else None for i in range(3)]
                out.append([term, present, *parts])
        return out


def by_term(rows):
    """{term: (entries, records or None, category ids or None)}, each the concatenation of the term's
    blocks (which come in block order, so the product ids stay sorted)."""
    parts = {}
    for term, _, entries, records, category_ids in rows:
        parts.setdefault(term, []).append((entries, records, category_ids))
    return {
        term: tuple(None if blocks[0][i] is None else b"".join(block[i] for block in blocks) for i in range(3))
        for term, blocks in parts.items()
    }


class Facts(dict):
    """The candidates' facts, one array per fact in candidate order, and ``category_ids``, which each
    candidate's ``category_start`` and ``category_count`` slice."""

    category_ids = np.zeros(0, "i4")

    @classmethod
    def unpack(cls, records, category_ids):
        records = np.frombuffer(records or b"", packed.RECORD)
        facts = cls({name: records[name].astype(kind.newbyteorder("=")) for name, (kind, _) in packed.RECORD.fields.items()})
        facts["category_start"] = np.concatenate(([0], np.cumsum(facts["category_count"])[:-1])).astype(np.int64)
        facts.category_ids = np.frombuffer(category_ids or b"", ">i4").astype(np.int32)
        return facts

    def take(self, keep):
        out = Facts({name: values[keep] for name, values in self.items()})
        out.category_ids = self.category_ids
        return out

    def categories(self, rows):
        """(category ids, the row each belongs to) of the candidates at ``rows``."""
        starts, counts = self["category_start"][rows], self["category_count"][rows]
        offsets = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
        gather = np.repeat(starts - offsets, counts) + np.arange(int(counts.sum()))
        return self.category_ids[gather], np.repeat(rows, counts)


def lookup(ids, candidates):
    """Where each candidate is in the sorted ``ids``, and whether it is there."""
    if not len(ids):
        return np.zeros(len(candidates), np.int64), np.zeros(len(candidates), bool)
    at = np.minimum(np.searchsorted(ids, candidates), len(ids) - 1)
    return at, ids[at] == candidates


class DecodedFacts(NamedTuple):
    """Every product's facts as IndexReader.every_fact keeps them in the cache, at a snapshot's number,
    with each id's row (``positions``, -1 for an id without one): a search looks up tens of thousands of
    candidates, which a binary search of every id costs milliseconds for."""

    snapshot: int
    ids: np.ndarray
    facts: Facts
    positions: np.ndarray

    @classmethod
    def of(cls, snapshot, ids, facts, positions=None):
        """``positions`` None: computed from ``ids``."""
        if positions is None:
            positions = np.full(int(ids[-1]) + 1 if len(ids) else 0, -1, np.int32)
            positions[ids] = np.arange(len(ids), dtype=np.int32)
        return cls(snapshot, ids, facts, positions)

    def rows(self, candidates):
        """Each candidate's row, -1 for one without."""
        at = np.full(len(candidates), -1, np.int32)
        inside = candidates < len(self.positions)
        at[inside] = self.positions[candidates[inside]]
        return at

    @property
    def size(self):
        arrays = (self.ids, self.positions, self.facts.category_ids, *self.facts.values())
        return sum(values.nbytes for values in arrays)


DECODED_FACTS = ("decoded facts", None)  # the cache's key of every product's DecodedFacts
DECODED_FACT_BYTES = 50  # what DecodedFacts take a product, about (21 MB for 435,157 products of real reviews)


def _decoded_facts(rows):
    """(ids, Facts) of packed_facts ``rows`` (IndexReader.facts')."""
    ids = np.frombuffer(b"".join(row[2] for row in rows), ">i4").astype(np.int32)
    return ids, Facts.unpack(b"".join(row[3] for row in rows), b"".join(row[4] for row in rows))


def _patched(earlier, changed, new_ids, new_facts):
    """(ids, Facts, positions) of every product: ``earlier``'s (a DecodedFacts) but those of the
    ``changed`` blocks, whose products are now ``new_ids`` with ``new_facts``. Each array is earlier's
    with the changed blocks' slices put in place (a block's products, and their category ids, are one
    slice in id order); where the changed blocks' values are what they were, earlier's own array, shared.
    A written review changes its product's review count, rating count and rating: its id, price and
    categories stay, and a patch then copies those three arrays instead of every one."""
    facts, ids = earlier.facts, earlier.ids
    edges = (np.array(sorted(changed), np.int64)[:, None] * packed.BLOCK + [0, packed.BLOCK]).ravel()
    edges = edges.astype(ids.dtype)  # as ids: searchsorted would otherwise copy them to a wider type
    old, new = np.searchsorted(ids, edges).reshape(-1, 2), np.searchsorted(new_ids, edges).reshape(-1, 2)
    patched_ids = _spliced(ids, new_ids, old, new)
    out = Facts({name: _spliced(facts[name], new_facts[name], old, new) for name in facts if name != "category_start"})
    if out["category_count"] is facts["category_count"]:
        out["category_start"] = facts["category_start"]
    else:
        counts = out["category_count"].astype(np.int64)
        out["category_start"] = np.cumsum(counts) - counts
    out.category_ids = _spliced(
        facts.category_ids, new_facts.category_ids, _category_edges(facts, old), _category_edges(new_facts, new)
    )
    return patched_ids, out, earlier.positions if patched_ids is ids else None


def _category_edges(facts, rows):
    """Where the category ids of the products from row ``rows[i, 0]`` to ``rows[i, 1]`` begin and end."""
    starts = facts["category_start"]
    edges = np.full(rows.shape, len(facts.category_ids), np.int64)
    inside = rows < len(starts)
    edges[inside] = starts[rows[inside]]
    return edges


def _spliced(before, after, old, new):
    """``before`` with each slice ``old[i]`` (start, stop) replaced by ``after``'s slice ``new[i]``;
    ``before`` itself when every replacement holds the same bytes (NaN included)."""
    if all(before[a:b].tobytes() == after[c:d].tobytes() for (a, b), (c, d) in zip(old, new)):
        return before
    pieces, at = [], 0
    for (a, b), (c, d) in zip(old, new):
        pieces += [before[at:a], after[c:d]]
        at = b
    pieces.append(before[at:])
    return np.concatenate(pieces)


def facts_of(index, candidates):
    """(The candidates packed_facts has, their Facts): ``candidates`` (sorted ids) with their facts, from
    every product's facts kept in the cache, or else read from the candidates' blocks (only the
    candidates' records decoded). Each has one: evidence and facts are written in the same transaction."""
    if index.keeps_every_fact():
        kept = index.decoded_facts()
        at = kept.rows(candidates)
        hit = at >= 0
        return candidates[hit], kept.facts.take(at[hit])
    rows = index.facts(np.unique(candidates // packed.BLOCK).tolist()) if len(candidates) else []
    ids = np.frombuffer(b"".join(row[2] for row in rows), ">i4").astype(np.int32)
    at, hit = lookup(ids, candidates)
    at = at[hit]
    records = np.frombuffer(b"".join(row[3] for row in rows), packed.RECORD)
    facts = Facts.unpack(records[at].tobytes(), b"")
    # As Facts.take leaves them: the blocks' category ids whole, each candidate's start among them.
    category_counts = records["category_count"].astype(np.int64)
    facts["category_start"] = (np.cumsum(category_counts) - category_counts)[at]
    facts.category_ids = np.frombuffer(b"".join(row[4] for row in rows), ">i4").astype(np.int32)
    return candidates[hit], facts


def rank(session, request, params, wanted, page=None, facets=True, cache=None, snapshot=None):
    """Rank ``request`` (with SearchService._plan's ``params``): the total, the ids of the first ``wanted``
    matches in order, the rows of those on ``page`` ((offset, limit), if given) and, if asked, the facets.
    ``cache``: the process's BlockCache, if any; ``snapshot``: the blocks' versions the search read."""
    cursor = session.connection().connection.cursor()
    index = IndexReader(cursor, cache, snapshot)
    terms, excluded, descriptors, wanted_terms, postings, evidence = _read(index, params)
    candidates, bm25, facts = _candidates(index, params, terms, postings, wanted_terms, evidence)
    for term in excluded:
        keep = ~np.isin(candidates, _entries(postings, term, packed.POSTING)["id"])
        candidates, bm25, facts = candidates[keep], bm25[keep], facts.take(keep)

    # The score (amazen.search.scoring).
    described = np.zeros(len(candidates))
    for term, sign in descriptors:
        found = _entries(evidence, term, packed.EVIDENCE)
        if not len(found):  # no review of any candidate mentions it
            continue
        at, hit = lookup(found["id"], candidates)
        found = found[at]
        stars_mean = (found["stars_sum"].astype(float) + 3.0 * scoring.STARS_PRIOR) / (found["rated"] + scoring.STARS_PRIOR)
        said = scoring.said(sign, found["net"].astype(float), found["neutral_net"])
        said = scoring.W_DESCRIPTOR * sign * said * (0.5 + (sign * (stars_mean - 3) + 2) / 4)
        described = described + np.where(hit, said, 0.0)
    review_count, rating_count = facts["review_count"], facts["rating_count"]
    rating, price, brand = facts["rating"], facts["price"], facts["brand"]
    relevance = scoring.W_QUERY * bm25 / (bm25 + scoring.RELEVANCE_HALF)
    descriptor_score = described / (review_count + scoring.EVIDENCE_PRIOR).astype(float)
    rating_prior = (
        scoring.W_RATING
        * (
            (scoring.RATING_PRIOR * params["mean_rating"] + np.nan_to_num(rating) * rating_count)
            / (scoring.RATING_PRIOR + rating_count)
            - 1
        )
        / 4
    )
    popularity = scoring.W_POPULARITY * np.minimum(1.0, np.log(1 + review_count) / math.log(1 + scoring.POPULARITY_REVIEWS))
    score = relevance + descriptor_score + rating_prior + popularity

    flags = _flags(cursor, params, facts)

    def where(without=None):
        return _passed(len(candidates), flags, without)

    matching = np.flatnonzero(where())
    order = _order(scoring.SORT_BY_NAME[request.sort], matching, wanted, candidates, score, facts)
    ranked = Ranked(total=len(matching), ids=[int(i) for i in candidates[order]])
    if page:
        offset, limit = page
        ranked.rows = _page_rows(
            cursor,
            order[offset : offset + limit],
            candidates,
            facts,
            bm25,
            relevance,
            descriptor_score,
            rating_prior,
            popularity,
            score,
        )
    if facets:
        ranked.facets = _facets(cursor, params, facts, where, price, rating, brand)
    return ranked


def _read(index, params, evidence=True):
    """(query terms, excluded terms, [(descriptor term, sign)], wanted descriptor terms, the terms' postings,
    the descriptors' evidence): what a search reads of the index (an IndexReader; by_term's results).
    Without ``evidence`` a query's descriptors are not read: they score its candidates but never choose
    them."""
    terms = [params[f"term{i}"] for i in range(params["n_terms"])]
    excluded = params["excluded"]
    descriptors = [(params[f"descriptor{i}"], sign) for i, sign in enumerate(params["descriptor_signs"])]
    lead = terms[0] if terms else None
    postings = by_term(index.postings(lead, terms[1:] + excluded)) if lead or excluded else {}
    wanted_terms = list(dict.fromkeys(term for term, sign in descriptors if sign > 0))
    found = by_term(index.evidence([term for term, _ in descriptors], lead)) if descriptors and (evidence or not lead) else {}
    return terms, excluded, descriptors, wanted_terms, postings, found


def _flags(cursor, params, facts):
    """{name: a boolean per candidate}, one per filter that is set ("in_category", "in_brand", "in_price",
    "in_rating"). NaN (no price, no rating) compares false, as NULL does in SQL."""
    size = len(facts["price"])
    rating, price, brand = facts["rating"], facts["price"], facts["brand"]
    flags = {}
    with np.errstate(invalid="ignore"):
        if params["category_id"] is not None:
            ids, owners = facts.categories(np.arange(size))
            flags["in_category"] = np.zeros(size, bool)
            flags["in_category"][owners[ids == params["category_id"]]] = True
        if params["brand"]:
            numbers = _all(cursor, "SELECT id FROM brands WHERE lower(name) = lower(%s)", (params["brand"],))
            flags["in_brand"] = np.isin(brand, [number for (number,) in numbers])
        if params["price_min"] is not None or params["price_max"] is not None:
            in_price = np.ones(size, bool)
            if params["price_min"] is not None:
                in_price &= price >= float(params["price_min"])
            if params["price_max"] is not None:
                in_price &= price <= float(params["price_max"])
            flags["in_price"] = in_price
        if params["rating_min"] is not None:
            flags["in_rating"] = rating >= float(params["rating_min"])
    return flags


def _passed(size, flags, without=None):
    """Which candidates pass every filter of ``flags`` but ``without``."""
    passed = np.ones(size, bool)
    for name, flag in flags.items():
        if name != without:
            passed &= flag
    return passed


def totals_without(session, params, drops, cache=None, snapshot=None):
    """How many products a search (with SearchService._plan's ``params``) finds without each of ``drops``,
    all counted in one read of the index: a drop is (query terms, excluded terms, filter flag or None) to
    leave out. Without a query the candidates stay those of the search, so a drop leaves out excluded
    terms and filters only; with one, it may leave out any query term but the rarest (which picks the
    candidates). Descriptors never change which products match a query, so they need not be read."""
    cursor = session.connection().connection.cursor()
    index = IndexReader(cursor, cache, snapshot)
    terms, excluded, _, wanted_terms, postings, evidence = _read(index, params, evidence=False)
    if terms:
        candidates, facts = facts_of(index, _entries(postings, terms[0], packed.POSTING)["id"].astype(np.int32))
    else:
        candidates, _, facts = _candidates(index, params, terms, postings, wanted_terms, evidence)
    has = {term: lookup(_entries(postings, term, packed.POSTING)["id"], candidates)[1] for term in terms[1:]}
    has_excluded = {term: np.isin(candidates, _entries(postings, term, packed.POSTING)["id"]) for term in excluded}
    flags = _flags(cursor, params, facts)
    totals = []
    for left_terms, left_excluded, flag in drops:
        if terms and terms[0] in left_terms:
            raise ValueError("the rarest query term picks the candidates: it cannot be left out here")
        passed = _passed(len(candidates), flags, flag)
        for term, found in has.items():
            if term not in left_terms:
                passed &= found
        for term, found in has_excluded.items():
            if term not in left_excluded:
                passed &= ~found
        totals.append(int(passed.sum()))
    return totals


def _entries(found, term, dtype):
    """A term's entries (``found``: by_term's result) as an array of ``dtype`` records."""
    return np.frombuffer(found[term][0], dtype) if term in found else np.zeros(0, dtype)


def _candidates(index, params, terms, postings, wanted_terms, evidence):
    """(Candidate ids, their BM25, their Facts): the products with every query term; without a query, those
    some review says a wanted descriptor of; with neither, every product."""
    if terms:
        lead_postings = _entries(postings, terms[0], packed.POSTING)
        candidates = lead_postings["id"].astype(np.int32)
        bm25 = _bm25(params, 0, lead_postings)
        for i, term in enumerate(terms[1:], start=1):
            others = _entries(postings, term, packed.POSTING)
            at, hit = lookup(others["id"], candidates)
            candidates, bm25 = candidates[hit], bm25[hit] + _bm25(params, i, others[at[hit]])
        found, facts = facts_of(index, candidates)  # every candidate has them: written in the same transaction
        return found, bm25[lookup(candidates, found)[0]], facts
    if wanted_terms:
        found = [_entries(evidence, term, packed.EVIDENCE)["id"] for term in wanted_terms]
        candidates, facts = facts_of(index, union_of_sorted(found))
        return candidates, np.zeros(len(candidates)), facts
    candidates, facts = index.every_fact()
    return candidates, np.zeros(len(candidates)), facts


def union_of_sorted(arrays):
    """The sorted ids in any of ``arrays`` (each sorted, without repeats), as int32. A stable sort finds
    the arrays' sorted runs and merges them, in linear time for a few; np.unique hashes or sorts anew."""
    merged = np.sort(np.concatenate(arrays), kind="stable").astype(np.int32)
    return merged[np.concatenate(([True], merged[1:] != merged[:-1]))] if len(merged) else merged


def _bm25(params, i, postings):
    tf, length = postings["tf"].astype(float), postings["length"].astype(float)
    k1, b = scoring.K1, scoring.B
    return params[f"idf{i}"] * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / params["average_length"]))


def _order(sort, matching, wanted, candidates, score, facts):
    """The positions of the first ``wanted`` matches in ``sort``'s order (a scoring.Sort)."""
    shortlist = matching
    if not sort.keys and 0 < wanted and len(matching) > SHORTLIST_ABOVE * wanted:
        # Only products scoring at least the wanted-th best can be among the first (ties kept).
        cutoff = np.partition(-score[matching], wanted - 1)[wanted - 1]
        shortlist = matching[-score[matching] <= cutoff]
    keys = [candidates[shortlist], -score[shortlist]]  # np.lexsort: the last key sorts first
    for fact, descending in reversed(sort.keys):
        values = facts[fact][shortlist].astype(float)
        values = -values if descending else values
        keys.append(np.where(np.isnan(values), np.inf, values))  # a missing value last
    return shortlist[np.lexsort(tuple(keys))][:wanted]


def _all(cursor, sql, params):
    cursor.execute(sql, params)
    return cursor.fetchall()


def _page_rows(cursor, page, candidates, facts, bm25, relevance, descriptor_score, rating_prior, popularity, score):
    """{id: row} for the candidates at ``page``: the facts and score parts ranked with, and the
    product's name and picture."""
    ids = [int(i) for i in candidates[page]]
    products = {
        row[0]: row for row in _all(cursor, "SELECT id, asin, title, brand, image_url FROM products WHERE id = ANY(%s)", (ids,))
    }
    out = {}
    for at, product_id in zip(page, ids):
        _, asin, title, brand, image_url = products[product_id]
        price, rating = float(facts["price"][at]), float(facts["rating"][at])
        out[product_id] = {
            "id": product_id,
            "asin": asin,
            "title": title,
            "brand": brand,
            "image_url": image_url,
            "price": None if math.isnan(price) else price,
            "rating_average": None if math.isnan(rating) else rating,
            "rating_count": int(facts["rating_count"][at]),
            "review_count": int(facts["review_count"][at]),
            "bm25": float(bm25[at]),
            "relevance": float(relevance[at]),
            "descriptors": float(descriptor_score[at]),
            "rating_prior": float(rating_prior[at]),
            "popularity": float(popularity[at]),
            "score": float(score[at]),
        }
    return out


def _facets(cursor, params, facts, where, price, rating, brand):
    """Each facet counted over every filter but its own."""
    with np.errstate(invalid="ignore"):
        but_price, but_rating = where("in_price"), where("in_rating")
        prices = [
            int((but_price & (price >= low) & ((price < high) if high else True)).sum()) for low, high in scoring.PRICE_BUCKETS
        ]
        ratings = [int((but_rating & (rating >= low)).sum()) for low in scoring.RATING_BUCKETS]

    # Categories: every category of every match, counted; the children of the filter's category (or
    # the top level), most products first, then by name.
    category_ids, _ = facts.categories(np.flatnonzero(where()))
    counts = np.bincount(category_ids) if len(category_ids) else np.zeros(0, np.int64)
    parent = "parent_id = %(parent)s" if params["category_id"] is not None else "parent_id IS NULL"
    found = _all(
        cursor,
        f"SELECT id, path, name FROM categories WHERE id = ANY(%(ids)s) AND {parent} ORDER BY name",
        {"ids": [int(i) for i in np.flatnonzero(counts)], "parent": params["category_id"]},
    )
    categories = sorted(
        ({"value": path, "name": name, "count": int(counts[i])} for i, path, name in found), key=lambda c: -c["count"]
    )[: scoring.FACET_VALUES]  # stable: ties stay in name order

    # Brands: counted by number; the names of those that can be among the first, ordered by the database.
    counts = np.bincount(brand[where("in_brand") & (brand >= 0)])
    numbers = np.flatnonzero(counts)
    counts = counts[numbers]
    brands = []
    if len(numbers):
        least = np.sort(counts)[::-1][: scoring.FACET_VALUES][-1]
        count_of = dict(zip(numbers[counts >= least].tolist(), counts[counts >= least].tolist()))
        names = _all(cursor, "SELECT id, name FROM brands WHERE id = ANY(%s) ORDER BY name", (list(count_of),))
        brands = sorted(({"value": name, "count": count_of[number]} for number, name in names), key=lambda b: -b["count"])[
            : scoring.FACET_VALUES
        ]
    return {
        "category": categories,
        "brand": brands,
        "price": [{"min": low, "max": high, "count": n} for (low, high), n in zip(scoring.PRICE_BUCKETS, prices)],
        "rating": [{"min": low, "count": n} for low, n in zip(scoring.RATING_BUCKETS, ratings)],
    }
