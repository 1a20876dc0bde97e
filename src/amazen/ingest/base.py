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
# The longest line read, in characters, its line ending included: a longer one is skipped (amazen-import
# --max-line). The longest lines of the real files are metadata of some 50,000 characters.
MAX_LINE = 16 * 1024 * 1024
DROP_PIECE = 1024 * 1024  # how much of a line that is too long is read at a time, to be dropped


# Skip reasons readers share, so the report groups the same problem under one name across formats.
BLANK_LINE = "blank line"
MALFORMED = "malformed line"
MISSING_ASIN = "missing asin"
BAD_RATING = "rating missing or out of range"
MISSING_REVIEWER = "missing reviewer id"
LINE_TOO_LONG = "line too long"
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


class Lines:
    """The lines of a text file opened with ``open_text``, at most ``limit`` of them, none longer than
    ``max_line`` characters.

    A longer line is read in pieces and dropped, so memory holds about ``max_line`` characters whatever
    the file holds, compressed or not (a gzip bomb without newlines included). In its place comes an
    empty line, which keeps the line numbers of what follows right, and ``too_long`` gets the line's
    number: the importer reports it as a LINE_TOO_LONG skip instead of whatever the reader makes of the
    empty line. ``count`` is the number of lines read so far.
    """

    def __init__(self, handle, max_line=MAX_LINE, limit=None):
        self.handle = handle
        self.max_line = max_line
        self.limit = limit
        self.count = 0
        self.too_long = []  # numbers of the lines dropped, until the importer takes them

    def __iter__(self):
        readline = self.handle.readline
        size = self.max_line + 1  # a piece this long is a line too long
        following = None  # a line read while looking for the end of the one before
        while self.limit is None or self.count < self.limit:
            line = readline(size) if following is None else following
            if not line:
                return
            self.count += 1
            if len(line) < size:
                following = None
                yield line
                continue
            following = self._drop_rest(line, size)
            self.too_long.append(self.count)
            yield "\n"

    def read_with(self, reader, source_name=None):
        """``reader.read`` over these lines, with a LINE_TOO_LONG skip for each line dropped in place of
        the BLANK_LINE skip the reader gives the empty line that stands for it."""
        dropped = None
        for line_number, item in reader.read(self, source_name=source_name):
            if self.too_long:
                for dropped in self.too_long:
                    yield dropped, Skip(LINE_TOO_LONG, f"more than {self.max_line:,} characters")
                self.too_long.clear()
            if line_number != dropped or not isinstance(item, Skip) or item.reason != BLANK_LINE:
                yield line_number, item
        for dropped in self.too_long:  # at the end of the file, where the reader yields nothing
            yield dropped, Skip(LINE_TOO_LONG, f"more than {self.max_line:,} characters")

    def _drop_rest(self, piece, size):
        """Read past the end of the line that starts with ``piece``, read with ``readline(size)``.

        Returns the next line when it had to be read to find that end, else None. A piece cut between
        "\r" and "\n" ends in "\r" like a line with a lone "\r" ending: the next read tells them apart.
        """
        line_size = size
        while not piece.endswith("\n"):
            if piece.endswith("\r"):
                following = self.handle.readline(line_size)
                return None if following == "\n" else following
            if len(piece) < size:
                return None  # the end of the file
            size = DROP_PIECE
            piece = self.handle.readline(size)
        return None


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
