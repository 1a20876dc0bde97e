"""Import dataset files: detect each file's format, stream its records into the bulk loader, report.

An import runs in one database transaction (the caller's): stopped at any point (Ctrl-C, SIGKILL, a bad line under
``--strict``) it leaves the database as it was; run again, it completes. Imports take an advisory lock
so two of them never interleave.
"""

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from amazen import workers
from amazen.catalog.records import ReviewRecord
from amazen.locks import IMPORT_LOCK_KEY

from . import readers
from .base import HARMLESS, MAX_LINE, Lines, Skip, compressed_size_read, open_text, read_sample
from .bulk import BATCH_ROWS, BulkLoader, StagingRows

FIRST_LINES_SHOWN = 5
DUPLICATE_REVIEW = "duplicate review (same reviewer and product): the last line is kept"
DUPLICATE_PRODUCT = "duplicate product metadata (same asin): the last line is kept"


class UsageError(Exception):
    """A problem with what was asked (missing file, unknown format): exit code 2."""


class StrictAbort(Exception):
    """--strict met a bad line: nothing was imported. Exit code 1."""


@dataclass
class SkipTally:
    count: int = 0
    first: list = field(default_factory=list)  # "file:line" of the first few

    def add(self, where):
        self.count += 1
        if len(self.first) < FIRST_LINES_SHOWN:
            self.first.append(where)


@dataclass
class FileReport:
    path: str
    format: str
    lines: int = 0
    products: int = 0  # product records read (metadata or what review lines carry)
    reviews: int = 0  # review records read


@dataclass
class ImportReport:
    files: list = field(default_factory=list)
    products_inserted: int = 0
    products_updated: int = 0
    reviews_inserted: int = 0
    reviews_updated: int = 0
    skipped: dict = field(default_factory=dict)  # reason -> SkipTally
    seconds: float = 0.0
    indexed: int = 0  # products whose search index was rebuilt (not reported: the planner's statistics go by it)

    @property
    def lines_read(self):
        return sum(f.lines for f in self.files)

    @property
    def reviews_read(self):
        return sum(f.reviews for f in self.files)

    def skip(self, reason, where):
        self.skipped.setdefault(reason, SkipTally()).add(where)

    def as_dict(self):
        return {
            "files": [vars(f) for f in self.files],
            "lines_read": self.lines_read,
            "products": {"inserted": self.products_inserted, "updated": self.products_updated},
            "reviews": {"inserted": self.reviews_inserted, "updated": self.reviews_updated},
            "skipped": {reason: {"count": t.count, "first": t.first} for reason, t in self.skipped.items()},
            "seconds": round(self.seconds, 3),
            "reviews_per_second": round(self.reviews_read / self.seconds) if self.seconds else None,
        }

    def render(self):
        out = []
        rate = f", {self.reviews_read / self.seconds:,.0f} reviews/s" if self.seconds and self.reviews_read else ""
        out.append(f"Imported {len(self.files)} file(s): {self.lines_read:,} lines in {self.seconds:.1f} s{rate}")
        width = max(len(f.path) for f in self.files)
        for f in self.files:
            out.append(f"  {f.path:<{width}}  {f.format:<22} {f.lines:>10,} lines")
        out.append(f"Products: {self.products_inserted:,} inserted, {self.products_updated:,} updated")
        out.append(f"Reviews:  {self.reviews_inserted:,} inserted, {self.reviews_updated:,} updated")
        skipped = sum(t.count for t in self.skipped.values())
        out.append(f"Skipped:  {skipped:,}" + (":" if skipped else ""))
        for reason, tally in sorted(self.skipped.items(), key=lambda item: -item[1].count):
            more = ", …" if tally.count > len(tally.first) else ""
            out.append(f"  {tally.count:>8,}  {reason}  (first: {', '.join(tally.first)}{more})")
        return "\n".join(out)


def detect_format(path):
    """The reader for ``path``, recognised from its content; UsageError with one clear line otherwise."""
    path = Path(path)
    if not path.exists():
        raise UsageError(f"{path}: no such file")
    if not path.is_file():
        raise UsageError(f"{path}: not a file")
    if path.stat().st_size == 0:
        raise UsageError(f"{path}: the file is empty")
    try:
        sample = read_sample(path)
    except (OSError, EOFError) as err:
        raise UsageError(f"{path}: cannot read it ({err})") from None
    if not sample.strip():
        raise UsageError(f"{path}: the file is empty")
    for reader in readers.ALL:
        if reader.sniff(sample, path.name):
            return reader
    known = ", ".join(reader.name for reader in readers.ALL)
    raise UsageError(f"{path}: unknown format; known formats: {known}")


def _progress_bar(path, show):
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(
        total=Path(path).stat().st_size,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=Path(path).name[:40],
        file=sys.stderr,
        leave=True,
        dynamic_ncols=True,
    )


def import_files(conn, paths, strict=False, limit=None, progress=False, max_line=MAX_LINE):
    """Import ``paths`` on ``conn`` inside the caller's transaction (commit it to keep the import).

    ``limit`` lines of each file at most; lines longer than ``max_line`` characters are skipped.

    Returns an ImportReport; raises UsageError before writing anything, StrictAbort mid-way.
    """
    started = time.monotonic()
    plan = [(str(path), detect_format(path)) for path in paths]  # every file checked before any write
    report = ImportReport()
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})
    loader = BulkLoader(conn, progress=progress, phase=lambda name: _phase(conn, name))
    for source, (path, reader) in enumerate(plan):
        report.files.append(_load_file(loader, source, path, reader, report, strict, limit, max_line, progress))
    counts = loader.finish()
    name_of = {source: Path(path).name for source, (path, _) in enumerate(plan)}
    for reason, duplicates in ((DUPLICATE_PRODUCT, counts.duplicate_products), (DUPLICATE_REVIEW, counts.duplicate_reviews)):
        if duplicates.count:
            first = [f"{name_of[source]}:{line}" for source, line in duplicates.first]
            report.skipped[reason] = SkipTally(duplicates.count, first)
    report.products_inserted = counts.products_inserted
    report.products_updated = counts.products_updated
    report.reviews_inserted = counts.reviews_inserted
    report.reviews_updated = counts.reviews_updated
    report.indexed = counts.indexed
    report.seconds = time.monotonic() - started
    return report


def _phase(conn, name):
    """Name the import's session by what it does now ("amazen-import: reading", "… loading", "… indexing"),
    for operators (and tests) watching pg_stat_activity; the name reverts at the end of the transaction."""
    conn.execute(sa.text("SELECT set_config('application_name', :name, true)"), {"name": f"amazen-import: {name}"})


def _parse_file(path, reader_index, source, limit, max_line, send, lifeline):
    """Worker process: read and clean one file, send COPY text in batches (the import's CPU-heavy half).

    Messages: ("batch", copy texts, skips, bytes read) ... then ("done", copy texts, skips, lines,
    products, reviews), or ("error", message).
    """
    workers.start_worker(lifeline)  # Ctrl-C is the main process's to handle; we end with it
    reader = readers.ALL[reader_index]
    rows = StagingRows(source)
    skips = []
    products = reviews = 0
    try:
        with open_text(path) as handle:
            lines = Lines(handle, max_line, limit)
            for line_no, item in lines.read_with(reader, source_name=Path(path).stem):
                if isinstance(item, Skip):
                    skips.append((line_no, item.reason, item.detail))
                else:
                    rows.add(item, line_no)
                    if isinstance(item, ReviewRecord):
                        reviews += 1
                    else:
                        products += 1
                if len(rows) >= BATCH_ROWS or len(skips) >= 1000:
                    send.send(("batch", rows.take(), skips, compressed_size_read(handle)))
                    skips = []
            send.send(("done", rows.take(), skips, lines.count, products, reviews))
    except (BrokenPipeError, EOFError):
        pass  # the main process is gone (killed): nothing left to do
    except Exception as err:  # reported by the main process as one line
        send.send(("error", f"{Path(path).name}: {type(err).__name__}: {err}"))


def _load_file(loader, source, path, reader, report, strict, limit, max_line, progress):
    """Parse ``path`` in a worker process and COPY what it sends; returns the file's FileReport."""
    file_report = FileReport(path=path, format=reader.name)
    name = Path(path).name
    context = workers.context()
    receive, send = context.Pipe(duplex=False)
    lifeline = workers.Lifeline()
    worker = context.Process(
        target=_parse_file, args=(path, readers.ALL.index(reader), source, limit, max_line, send, lifeline.end), daemon=True
    )
    bar = _progress_bar(path, progress)
    worker.start()
    send.close()
    try:
        while True:
            loader.phase("reading")
            try:
                message = receive.recv()
            except EOFError:
                raise RuntimeError(f"{name}: the reader process stopped unexpectedly") from None
            if message[0] == "error":
                raise RuntimeError(message[1])
            kind, texts, skips, *rest = message
            for line_no, reason, detail in skips:
                if strict and reason not in HARMLESS:
                    raise StrictAbort(f"{name}:{line_no}: {reason}" + (f" ({detail})" if detail else ""))
                report.skip(reason, f"{name}:{line_no}")
            loader.phase("loading")
            loader.load_batch(*texts)
            if kind == "batch":
                if bar is not None:
                    bar.update(max(0, rest[0] - bar.n))
                continue
            file_report.lines, file_report.products, file_report.reviews = rest
            if bar is not None:
                bar.update(bar.total - bar.n)
            return file_report
    finally:
        receive.close()
        lifeline.cut()
        if worker.is_alive():
            worker.terminate()
        worker.join()
        if bar is not None:
            bar.close()
