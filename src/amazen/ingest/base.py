"""What every dataset reader has in common.

A reader turns the lines of one file into a stream of ``(line_number, item)`` pairs, where ``item`` is a
``ProductRecord``, a ``ReviewRecord`` or a ``Skip`` saying why a line was not used. Readers never touch
the database; ``amazen.ingest.importer`` does that. Each reader also says whether a sample of a file's
start looks like its format (``sniff``), so formats are recognised from content, not from file names.
"""

import gzip
import io
from dataclasses import dataclass
from pathlib import Path

SNIFF_BYTES = 256 * 1024  # enough to see a whole first line even with the Appliances meta's 46 kB lines


# Skip reasons readers share, so the report groups the same problem under one name across formats.
BLANK_LINE = "blank line"
MALFORMED = "malformed line"
MISSING_ASIN = "missing asin"
BAD_RATING = "rating missing or out of range"
MISSING_REVIEWER = "missing reviewer id"
# Skips that are not errors: --strict does not abort on them.
HARMLESS = frozenset({BLANK_LINE})


@dataclass(frozen=True)
class Skip:
    """A line that was not imported. ``reason`` is a short stable phrase the report groups by."""

    reason: str
    detail: str = ""


class MalformedLine(Exception):
    """Raised inside a reader for a line it cannot parse; ``read_lines`` turns it into a Skip."""

    def __init__(self, reason, detail=""):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


class Reader:
    """Base class: subclasses set ``name`` and ``description`` and implement ``sniff`` and ``read``."""

    name = ""
    description = ""

    def sniff(self, sample, filename):
        """True if ``sample`` (the decoded start of the file) looks like this format."""
        raise NotImplementedError

    def read(self, lines):
        """Yield ``(line_number, ProductRecord | ReviewRecord | Skip)`` for ``lines`` (an iterable of str)."""
        raise NotImplementedError


def is_gzip(path):
    with open(path, "rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def open_text(path):
    """Open a plain or gzip-compressed file as UTF-8 text (bad bytes become U+FFFD, never an error)."""
    path = Path(path)
    raw = gzip.open(path, "rb") if is_gzip(path) else open(path, "rb")
    return io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")


def read_sample(path):
    with open_text(path) as handle:
        return handle.read(SNIFF_BYTES)


def compressed_size_read(handle):
    """Bytes of the underlying file consumed so far, for progress bars on .gz files too."""
    raw = handle.buffer.raw if hasattr(handle.buffer, "raw") else handle.buffer
    fileobj = getattr(raw, "fileobj", None)  # gzip.GzipFile wraps the real file
    try:
        return (fileobj or raw).tell()
    except (OSError, ValueError):
        return 0


# Helpers the line-based readers (TSV, CSV, pseudo-XML) share.


class AsinMemory:
    """Which asins already had their partial ProductRecord yielded in this file.

    Bounded so a file with millions of products cannot exhaust memory: when full it is cleared, and a
    product may then be yielded again, which is harmless because the importer merges duplicates.
    Shared by the readers of review files that carry product fields (TSV, MDSD, Datafiniti).
    """

    def __init__(self, limit=100_000):
        self.limit = limit
        self.seen = set()

    def first_time(self, asin):
        if asin in self.seen:
            return False
        if len(self.seen) >= self.limit:
            self.seen.clear()
        self.seen.add(asin)
        return True


def parse_int(value, default=0):
    """A non-negative count from a cell, ``default`` when it is empty or not a whole number."""
    try:
        number = int(value.strip())
    except (AttributeError, ValueError):
        return default
    return number if number >= 0 else default


def parse_stars(value):
    """1..5 from "5" (or "5.0"); None for anything else."""
    try:
        number = float(value.strip())
    except (AttributeError, ValueError):
        return None
    if not number.is_integer() or not 1 <= number <= 5:
        return None
    return int(number)
