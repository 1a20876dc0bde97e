"""Datafiniti "Consumer Reviews of Amazon Products" CSV (Kaggle, e.g. ``7817_1.csv``).

One review per CSV record, with the product's fields repeated on each (``id, asins, brand, categories,
..., name, prices, reviews.date, ..., reviews.rating, reviews.text, reviews.title, reviews.username``).
Columns are found by name from the header, so the other Datafiniti exports with the same column names
in another order read too.

A quoted cell may hold newlines, so a record can span several physical lines. ``csv.reader`` runs over
the line iterator, and a record starts on the line after the one the previous record ended on
(``reader.line_num`` counts the lines consumed).

Decisions:

* asin: the first of the comma-separated ``asins``.
* Categories: ``categories`` is a flat list of labels ("Kindle Store,Amazon Devices,Electronics"), not a
  path, so each label becomes a one-level path. Broken labels the export contains ("Categories",
  "mazon.co.uk") are kept: telling them apart from real ones would need a list of known labels.
* Price: ``prices`` is a JSON array of offers; the ``amountMin`` of the first USD offer, when readable.
* Rating: ``reviews.rating`` ("5", "5.0") must be a whole 1..5; an empty rating is a BAD_RATING skip like
  in every format that has ratings. (In the real sample 61 of 100 rows have no rating; most of them
  repeat a rated row of the same reviewer, captured from another page.)
* Reviewer: id "datafiniti:" + ``reviews.username``, name the username; no username → MISSING_REVIEWER.
* reviews.date: ISO 8601 ("2015-08-08T00:00:00.000Z") → UTC; reviews.numHelpful → helpful votes.
  reviews.doRecommend, the user's city and province have no field to go to and are dropped.
"""

import csv
import json
from datetime import datetime, timezone

from amazen.catalog.records import ProductRecord, ReviewRecord
from amazen.ingest import clean
from amazen.ingest.base import (
    BAD_RATING,
    BLANK_LINE,
    MALFORMED,
    MISSING_ASIN,
    MISSING_REVIEWER,
    AsinMemory,
    Reader,
    Skip,
    parse_int,
    parse_stars,
)

# The columns read() needs; sniff claims a CSV whose header names them all.
REQUIRED = ("asins", "reviews.rating", "reviews.text", "reviews.username")
OPTIONAL = ("brand", "categories", "name", "prices", "reviews.date", "reviews.numHelpful", "reviews.title")
# The most text one record may span. csv caps a cell (131,072 characters), not a record: quoted cells
# with line breaks in them could make one record of the rest of the file.
MAX_RECORD = 4 * 1024 * 1024


class _RecordLines:
    """The lines csv reads, refused (csv.Error, no line consumed) once the record has MAX_RECORD."""

    def __init__(self, lines):
        self.lines = iter(lines)
        self.size = 0  # characters of the record being read

    def __iter__(self):
        return self

    def __next__(self):
        if self.size > MAX_RECORD:
            self.size = 0
            raise csv.Error(f"a record of more than {MAX_RECORD:,} characters")
        line = next(self.lines)
        self.size += len(line)
        return line


def parse_timestamp(value):
    """An ISO 8601 timestamp as an aware UTC datetime (naive ones taken as UTC); None if unreadable."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except (AttributeError, ValueError):
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def usd_price(value):
    """``amountMin`` of the first USD offer in the ``prices`` JSON array, or None."""
    try:
        offers = json.loads(value)
    except (TypeError, ValueError):
        return None
    if not isinstance(offers, list):
        return None
    for offer in offers:
        if isinstance(offer, dict) and offer.get("currency") == "USD":
            return clean.price(offer.get("amountMin"))
    return None


def category_labels(value):
    """Each distinct label of a "A,B,C" cell as a one-level path: (("A",), ("B",), ("C",))."""
    paths = []
    for label in (value or "").split(","):
        label = clean.one_line(label)
        if label and (label,) not in paths:
            paths.append((label,))
    return tuple(paths)


class DatafinitiCsv(Reader):
    name = "datafiniti-csv"
    description = 'Datafiniti "Consumer Reviews of Amazon Products" CSV (dotted reviews.* columns)'

    def sniff(self, sample, filename):
        first_line = sample.lstrip("\ufeff").split("\n", 1)[0]
        try:
            header = next(csv.reader([first_line]))
        except (csv.Error, StopIteration):
            return False
        return set(REQUIRED) <= {column.strip() for column in header}

    def read(self, lines, source_name=None):
        source = _RecordLines(lines)
        reader = csv.reader(source)
        header = self._next_record(reader)
        if header is None:
            return
        if isinstance(header, csv.Error):
            yield 1, Skip(MALFORMED, "unreadable header: " + str(header)[:80])
            return
        header = [column.lstrip("\ufeff").strip() for column in header]
        missing = [column for column in REQUIRED if column not in header]
        if missing:
            # Without these columns no row can be understood; one skip says why instead of one per row.
            yield 1, Skip(MALFORMED, "header lacks " + ", ".join(missing))
            return
        index = {column: header.index(column) for column in REQUIRED + OPTIONAL if column in header}
        products = AsinMemory()
        last_line = reader.line_num
        while True:
            source.size = 0
            record = self._next_record(reader)
            if record is None:
                return
            start, last_line = last_line + 1, reader.line_num
            if isinstance(record, csv.Error):
                yield start, Skip(MALFORMED, str(record)[:100])
                if reader.line_num < start:
                    return  # the error consumed no line: asking again would fail the same way forever
            elif not any(cell.strip() for cell in record):
                # A blank line (csv gives []); a blank line inside a quoted cell never gets here.
                yield start, Skip(BLANK_LINE)
            elif len(record) != len(header):
                yield start, Skip(MALFORMED, f"{len(record)} fields, expected {len(header)}")
            else:
                row = {column: record[i] for column, i in index.items()}
                yield from self._row(start, row, products)

    @staticmethod
    def _next_record(reader):
        """The next record, None at the end, or the csv.Error raised on a line that cannot be parsed.

        csv resets its state on each call, so reading goes on with the line after a bad one.
        """
        try:
            return next(reader)
        except StopIteration:
            return None
        except csv.Error as error:
            return error

    def _row(self, line_number, row, products):
        asin = next((part.strip() for part in row["asins"].split(",") if part.strip()), None)
        if not asin:
            yield line_number, Skip(MISSING_ASIN)
            return
        # Many rows repeat a review without its stars: keep the text, with no rating (the merge prefers
        # a rated copy of the same review). Stars that are present but not 1-5 make the row suspect.
        rating = None
        if row["reviews.rating"].strip():
            rating = parse_stars(row["reviews.rating"])
            if rating is None:
                yield line_number, Skip(BAD_RATING, repr(row["reviews.rating"][:20]))
                return
        username = row["reviews.username"].strip()
        if not username:
            yield line_number, Skip(MISSING_REVIEWER)
            return
        if products.first_time(asin):
            yield (
                line_number,
                ProductRecord(
                    asin=asin,
                    title=clean.one_line(row.get("name")),
                    brand=clean.one_line(row.get("brand")),
                    price=usd_price(row.get("prices")),
                    categories=category_labels(row.get("categories")),
                    partial=True,
                ),
            )
        yield (
            line_number,
            ReviewRecord(
                asin=asin,
                reviewer_id="datafiniti:" + username,
                rating=rating,
                reviewer_name=clean.one_line(username),
                summary=clean.one_line(row.get("reviews.title")),
                text=clean.text(row.get("reviews.text")),
                helpful_votes=parse_int(row.get("reviews.numHelpful", "")),
                reviewed_at=parse_timestamp(row.get("reviews.date", "")),
            ),
        )


READER = DatafinitiCsv()
