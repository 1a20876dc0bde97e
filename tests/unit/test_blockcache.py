"""The packed index's per-process cache: versions, the bound, the setting."""

import pytest

from amazen.config import ConfigurationError
from amazen.search.blockcache import DEFAULT_MB, ROW_OVERHEAD, BlockCache, cache_from_settings


def test_a_row_is_found_only_at_its_version():
    cache = BlockCache(10_000)
    cache.put(("terms", "bass", 0), "16384 700 (0,1)", (b"entries", b"records", b"ids"))
    assert cache.get(("terms", "bass", 0), "16384 700 (0,1)") == (b"entries", b"records", b"ids")
    assert cache.get(("terms", "bass", 0), "16384 701 (0,2)") is None
    assert cache.get(("terms", "bass", 1), "16384 700 (0,1)") is None


def test_the_bound_evicts_the_least_recently_used():
    cache = BlockCache(3 * (ROW_OVERHEAD + 100))
    for block in range(3):
        cache.put(("terms", "bass", block), "v", (b"x" * 100, None, None))
    assert cache.get(("terms", "bass", 0), "v")  # now the most recently used
    cache.put(("terms", "bass", 3), "v", (b"x" * 100, None, None))
    assert cache.get(("terms", "bass", 1), "v") is None
    assert [cache.get(("terms", "bass", b), "v") is not None for b in (0, 2, 3)] == [True, True, True]
    assert cache.bytes == 3 * (ROW_OVERHEAD + 100)
    cache.put(("terms", "bass", 0), "w", (b"x" * 10, None, None))  # a new version replaces the old
    assert cache.bytes == 2 * (ROW_OVERHEAD + 100) + ROW_OVERHEAD + 10 and len(cache) == 3


def test_a_row_larger_than_the_bound_is_not_kept():
    cache = BlockCache(ROW_OVERHEAD + 10)
    cache.put(("facts", None, 0), "v", (b"x" * 11, b"", b""))
    assert len(cache) == 0 and cache.bytes == 0


def test_the_setting():
    assert cache_from_settings({}).max_bytes == DEFAULT_MB << 20
    assert cache_from_settings({"amazen.search_cache_mb": " 16 "}).max_bytes == 16 << 20
    assert cache_from_settings({"amazen.search_cache_mb": "0"}) is None
    with pytest.raises(ConfigurationError, match="amazen.search_cache_mb = '-1'"):
        cache_from_settings({"amazen.search_cache_mb": "-1"})
