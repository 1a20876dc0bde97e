"""A per-process cache of the packed index's rows (amazen.search.packed), so a search does not read and
PostgreSQL does not detoast the same arrays on every request.

Every search still asks the database which rows it needs and each one's version (its table's oid, its
``xmin`` and ``ctid``: what a write or a full rebuild's table swap changes), without reading the arrays;
only the rows whose version the cache does not hold are read (amazen.search.ranking). So a change is
seen on the next request by every process, as without the cache.

Bounded by bytes, least recently used first out. Values are immutable tuples of bytes; a lock guards the
structure, so waitress's threads share one cache.
"""

import threading
from collections import OrderedDict

from amazen.config import ConfigurationError

SETTING = "amazen.search_cache_mb"
DEFAULT_MB = 64  # the benchmarks' search mix at 1M reviews, with room, inside an app process's RSS target
ROW_OVERHEAD = 200  # bytes a cached row costs besides its arrays: its key, version and tuples


class BlockCache:
    """{(table, term, block): (version, value)}, at most ``max_bytes`` of values."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._rows = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self):
        return len(self._rows)

    def get(self, key, version):
        """The value cached for ``key`` at ``version``, or None."""
        return self.get_many([(key, version)])[0]

    def get_many(self, wanted):
        """[the value cached for key at version, or None] for each (key, version) of ``wanted``."""
        out = []
        with self._lock:
            rows = self._rows
            for key, version in wanted:
                found = rows.get(key)
                if found is None or found[0] != version:
                    out.append(None)
                else:
                    rows.move_to_end(key)
                    out.append(found[1])
        return out

    def put(self, key, version, value):
        """Keep ``value`` (a tuple of bytes or None) for ``key`` at ``version``, then evict the least
        recently used rows beyond the bound."""
        size = ROW_OVERHEAD + sum(len(part) for part in value if part is not None)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._rows.pop(key, None)
            if old is not None:
                self.bytes -= old[2]
            self._rows[key] = (version, value, size)
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, (_, _, evicted) = self._rows.popitem(last=False)
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
