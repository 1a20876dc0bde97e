"""The packed index's per-process cache: block versions, the bound, the setting."""

import hashlib
import threading

import pytest

from amazen.config import ConfigurationError
from amazen.search.blockcache import (
    DEFAULT_MB,
    KEPT_VALUES,
    ROW_OVERHEAD,
    SNAPSHOTS_KEPT,
    BlockCache,
    Entry,
    cache_from_settings,
)


def test_a_snapshot_names_the_blocks_whose_version_changed_or_that_are_gone():
    cache = BlockCache(10_000)
    first = cache.snapshot([(0, "16384 700 (0,1)"), (1, "16384 700 (0,2)"), (2, "16384 700 (0,3)")])
    assert cache.snapshot([(0, "16384 700 (0,1)"), (1, "16384 700 (0,2)"), (2, "16384 700 (0,3)")]) is first
    assert first.changed_since(first) == frozenset() and first.blocks == [0, 1, 2]
    second = cache.snapshot([(0, "16384 700 (0,1)"), (1, "16384 812 (0,7)"), (3, "16384 812 (0,8)")])
    assert second is not first
    assert second.changed_since(first) == {1, 2, 3}
    assert cache.snapshot_numbered(first.number) is first


def test_the_latest_snapshot_is_found_by_the_digest_of_its_versions():
    cache = BlockCache(10_000)
    pairs = [(0, "16384 700 (0,1)"), (12, "16384 812 (0,7)")]
    # The digest as the database writes it: md5 of "block version" pairs, joined by commas.
    written = hashlib.md5(b"0 16384 700 (0,1),12 16384 812 (0,7)").hexdigest()
    assert cache.latest_with(written) is None
    first = cache.snapshot(pairs)
    assert cache.latest_with(written) is first
    cache.snapshot([(0, "16384 700 (0,1)")])
    assert cache.latest_with(written) is None  # no longer the latest: read the versions again
    assert cache.latest_with(hashlib.md5(b"").hexdigest()) is None


def test_only_the_latest_snapshots_are_kept():
    cache = BlockCache(10_000)
    first = cache.snapshot([(0, "v0")])
    for i in range(1, SNAPSHOTS_KEPT):
        cache.snapshot([(0, f"v{i}")])
    assert cache.snapshot_numbered(first.number) is first
    latest = cache.snapshot([(0, "new")])
    assert cache.snapshot_numbered(first.number) is None and cache.snapshot_numbered(latest.number) is latest


def entry(cache, sizes):
    """An Entry at the cache's current snapshot with one row per size (bytes of entries)."""
    rows = {block: (b"x" * size, None, None) for block, size in enumerate(sizes)}
    return Entry(cache.snapshot([]).number, frozenset(rows), rows)


def test_the_bound_evicts_the_least_recently_used():
    cache = BlockCache(3 * (ROW_OVERHEAD + 100))
    for term in ("bass", "treble", "volume"):
        cache.put(("terms", term), entry(cache, [100]))
    assert cache.get(("terms", "bass"))  # now the most recently used
    cache.put(("terms", "cable"), entry(cache, [100]))
    assert cache.get(("terms", "treble")) is None
    assert [cache.get(("terms", t)) is not None for t in ("bass", "volume", "cable")] == [True, True, True]
    assert cache.bytes == 3 * (ROW_OVERHEAD + 100)
    cache.put(("terms", "bass"), entry(cache, [10]))  # a new entry replaces the old
    assert cache.bytes == 2 * (ROW_OVERHEAD + 100) + ROW_OVERHEAD + 10 and len(cache) == 3


def test_an_entry_larger_than_the_bound_is_not_kept_and_drops_the_one_it_replaces():
    cache = BlockCache(2 * ROW_OVERHEAD + 10)
    cache.put(("facts", None), entry(cache, [5]))
    cache.put(("facts", None), entry(cache, [6, 5]))
    assert len(cache) == 0 and cache.bytes == 0


def test_the_setting():
    assert cache_from_settings({}).max_bytes == DEFAULT_MB << 20
    assert cache_from_settings({"amazen.search_cache_mb": " 16 "}).max_bytes == 16 << 20
    assert cache_from_settings({"amazen.search_cache_mb": "0"}) is None
    with pytest.raises(ConfigurationError, match="amazen.search_cache_mb = '-1'"):
        cache_from_settings({"amazen.search_cache_mb": "-1"})


class Made(tuple):
    """An entry for made_at: (snapshot number, a label); its size is nominal."""

    snapshot = property(lambda self: self[0])
    size = 100


def test_made_at_makes_an_entry_once_per_snapshot():
    cache, made = BlockCache(10_000), []

    def make(number):
        made.append(number)
        return Made((number, len(made)))

    first = cache.made_at("facts", 1, lambda: make(1))
    assert cache.made_at("facts", 1, lambda: make(1)) is first and made == [1]
    assert cache.made_at("facts", 2, lambda: make(2)) == (2, 2) and made == [1, 2]


class CountingLock:
    """A lock that counts the threads that came to take it, and lets a test wait for a count."""

    def __init__(self):
        self._lock, self.arrived = threading.Lock(), threading.Condition()
        self.count = 0

    def __enter__(self):
        with self.arrived:
            self.count += 1
            self.arrived.notify_all()
        self._lock.acquire()

    def __exit__(self, *exc):
        self._lock.release()


def test_a_thread_wanting_the_entry_another_is_making_waits_for_it_rather_than_making_its_own():
    cache, made = BlockCache(10_000), []
    cache._making = lock = CountingLock()
    making, release = threading.Event(), threading.Event()

    def slow_make():
        made.append("first")
        making.set()
        release.wait(timeout=60)
        return Made((1, "first"))

    got = {}
    first = threading.Thread(target=lambda: got.setdefault("first", cache.made_at("facts", 1, slow_make)))
    first.start()
    assert making.wait(timeout=60)
    second = threading.Thread(target=lambda: got.setdefault("second", cache.made_at("facts", 1, lambda: made.append("second"))))
    second.start()
    with lock.arrived:  # the second thread has come to the lock the first one holds
        assert lock.arrived.wait_for(lambda: lock.count == 2, timeout=60)
    release.set()
    first.join(timeout=60)
    second.join(timeout=60)
    assert made == ["first"] and got["first"] is got["second"]


def test_small_values_are_not_pushed_out_by_rows():
    cache = BlockCache(ROW_OVERHEAD + 100)
    number = cache.snapshot([(0, "v0")]).number
    reads = []
    assert cache.value_at(("counts", "bass"), number, lambda: reads.append(1) or 7) == 7
    for term in ("treble", "volume", "cable"):  # each row fills the bound
        cache.put(("terms", term), entry(cache, [100]))
    assert cache.value_at(("counts", "bass"), number, lambda: reads.append(1) or 8) == 7 and len(reads) == 1
    assert cache.value_at(("counts", "bass"), number + 1, lambda: 9) == 9  # another snapshot: read again


def test_only_the_latest_small_values_are_kept():
    cache = BlockCache(10_000)
    for i in range(KEPT_VALUES + 1):
        cache.value_at(("counts", i), 0, lambda i=i: i)
    assert cache.value_at(("counts", 0), 0, lambda: "read again") == "read again"
    assert cache.value_at(("counts", KEPT_VALUES), 0, lambda: "read again") == KEPT_VALUES
