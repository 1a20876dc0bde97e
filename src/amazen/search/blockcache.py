"""A per-process cache of the packed index's rows (amazen.search.packed), so a search does not read and
PostgreSQL does not detoast the same arrays on every request.

Validated on every request by one cheap read: the digest of every block's version, the version of its
packed_facts row (its table's oid, ``xmin`` and ``ctid``); the versions themselves are read only when the
digest is new. Whatever changes a block's rows of packed_terms or
packed_evidence writes its packed_facts row again in the same transaction (``packed.repack``), and a full
rebuild swaps in new tables, so a block whose version is unchanged holds the rows the cache read. A
search then reads only its terms' rows in the blocks whose version changed, or that it has not read
before (amazen.search.ranking). So a change is seen on the next request by every process, as without
the cache.

One entry per table and term (the facts' rows: term None): its rows by block, and which blocks it knows
(a term has no row in most blocks); one per product whose head descriptor suggestions read
(amazen.search.heads); every product's facts decoded, at the snapshot they were read at
(amazen.search.ranking.DecodedFacts); and small values read at a snapshot (Kept): the totals and
spelling corrections a search reads beside the index change in the same transactions as its blocks.
Rows bounded by bytes, small values by number, least recently used first out. Entries are immutable; a
lock guards the structure, so waitress's threads share one cache.
"""

import hashlib
import threading
from collections import OrderedDict
from typing import NamedTuple

from amazen.config import ConfigurationError

SETTING = "amazen.search_cache_mb"
# The search mix of the benchmarks at 1M real reviews reads about 64 MB of rows and decoded facts, and
# the heads its suggestions read (amazen.search.heads) about 18 MB more: this holds both with room. Once a
# mix's rows outgrow the bound, least-recently-used eviction reads most of them again on every pass (at
# 1.4M reviews and 64 MB, four times the reads and 15% more CPU a search).
DEFAULT_MB = 128
ROW_OVERHEAD = 200  # bytes a cached row costs besides its arrays: its key, version and tuples


SNAPSHOTS_KEPT = 16  # the latest snapshots, which entries made at them are checked against


class Snapshot:
    """Every block's version, as a request read them: ``pairs`` ((block, version), ...) in block order;
    ``number`` counts the snapshots a cache has seen."""

    def __init__(self, pairs, number=0):
        self.pairs = pairs
        self.number = number
        self.versions = dict(pairs)
        self.blocks = [block for block, _ in pairs]
        self.digest = digest(pairs)

    def changed_since(self, older):
        """The blocks whose version is not what it was in ``older`` (a block that is gone included)."""
        if older is self:
            return frozenset()
        old = older.versions
        return {block for block, version in self.pairs if old.get(block) != version} | (old.keys() - self.versions.keys())


def digest(pairs):
    """The md5 (hex) of ``pairs`` written "block version,block version,…", as ranking.BLOCKS_DIGEST
    computes it in the database: a request reads this one value while nothing has changed."""
    return hashlib.md5(",".join(f"{block} {version}" for block, version in pairs).encode()).hexdigest()


class Entry(NamedTuple):
    """A term's rows of one packed table, valid at the snapshot numbered ``snapshot`` (a number, not the
    snapshot, so that entries left unused while writes go on do not keep old snapshots alive)."""

    snapshot: int
    known: frozenset  # the blocks where the term's row, or that it has none, is known
    rows: dict  # block -> (entries, records or None, category ids or None), of the known blocks with a row

    @property
    def size(self):
        return sum(ROW_OVERHEAD + sum(len(part) for part in row if part is not None) for row in self.rows.values())


class Kept(NamedTuple):
    """A small value read from the database at the snapshot numbered ``snapshot`` (a search's plan
    counts, a word's spelling correction): valid while no block has changed since."""

    snapshot: int
    value: object


# Small values kept (Kept), least recently used first out. They are bounded by number, apart from the
# rows' bytes: a search mix whose rows fill the bound would otherwise push every one of them out before
# it is asked for again, and each costs a statement.
KEPT_VALUES = 4096


class BlockCache:
    """{(table, term): Entry}, at most ``max_bytes`` of rows."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries = OrderedDict()  # key -> (Entry, its size)
        self._values = OrderedDict()  # key -> Kept, the KEPT_VALUES most recently used
        self._lasting = {}  # key -> an object kept for the cache's life (lasting)
        self._snapshots = OrderedDict({0: Snapshot((), 0)})  # number -> Snapshot, the SNAPSHOTS_KEPT latest
        self._lock = threading.Lock()
        self._making = threading.Lock()  # held by the one thread making an entry (made_at)

    def __len__(self):
        return len(self._entries)

    def snapshot(self, pairs):
        """The Snapshot of ``pairs``: the latest one when nothing changed since, so entries made at it
        need no check."""
        pairs = tuple(pairs)
        with self._lock:
            number, latest = next(reversed(self._snapshots.items()))
            if latest.pairs != pairs:
                latest = self._snapshots[number + 1] = Snapshot(pairs, number + 1)
                if len(self._snapshots) > SNAPSHOTS_KEPT:
                    self._snapshots.popitem(last=False)
            return latest

    def latest_with(self, digest):
        """The latest Snapshot if ``digest`` is its digest (nothing has changed since), else None."""
        with self._lock:
            latest = next(reversed(self._snapshots.values()))
            return latest if latest.digest == digest else None

    def snapshot_numbered(self, number):
        """The Snapshot numbered ``number``, or None when it is no longer kept."""
        with self._lock:
            return self._snapshots.get(number)

    def get(self, key):
        """The Entry cached for ``key``, or None."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def made_at(self, key, number, make):
        """The entry for ``key`` made at snapshot ``number``: the cached one, or ``make()``'s, kept. One
        thread makes it while the others that want it wait for it (a few tens of milliseconds), rather
        than each making a copy of its own at once after a write."""
        entry = self.get(key)
        if entry is not None and entry.snapshot == number:
            return entry
        with self._making:
            entry = self.get(key)
            if entry is None or entry.snapshot != number:
                entry = make()
                self.put(key, entry)
            return entry

    def value_at(self, key, number, make):
        """``make()``'s value for ``key`` at snapshot ``number``: the one kept at that snapshot, or made now
        and kept. Unlike made_at, threads that miss at once each make it: these are cheap reads."""
        with self._lock:
            kept = self._values.get(key)
            if kept is not None and kept.snapshot == number:
                self._values.move_to_end(key)
                return kept.value
        value = make()
        with self._lock:
            self._values[key] = Kept(number, value)
            self._values.move_to_end(key)
            if len(self._values) > KEPT_VALUES:
                self._values.popitem(last=False)
        return value

    def lasting(self, key, make, replace=None):
        """The object kept for ``key`` for the cache's life: ``make()``'s on first use, or in place of
        ``replace`` when that is the one kept. For state entries share (amazen.search.heads' term
        numbers), outside the bound on rows."""
        with self._lock:
            kept = self._lasting.get(key)
            if kept is None or kept is replace:
                kept = self._lasting[key] = make()
            return kept

    def put(self, key, entry):
        """Keep ``entry`` for ``key`` in place of any other, then evict the least recently used entries
        beyond the bound."""
        size = entry.size
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            if size > self.max_bytes:
                return
            self._entries[key] = (entry, size)
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, (_, evicted) = self._entries.popitem(last=False)
                self.bytes -= evicted


def cache_from_settings(settings):
    """The process's BlockCache from ``amazen.search_cache_mb`` (DEFAULT_MB when unset), or None for 0;
    ConfigurationError names a malformed value."""
    value = settings.get(SETTING)
    value = str(DEFAULT_MB if value is None or not str(value).strip() else value).strip()
    if not value.isascii() or not value.isdigit():
        raise ConfigurationError(f"{SETTING} = {value!r}: expected whole megabytes (0 turns the cache off)")
    megabytes = int(value)
    return BlockCache(megabytes * 1024 * 1024) if megabytes else None
