"""Amazon Customer Reviews Dataset TSV (the AWS ``amazon-reviews-pds`` files, e.g. ``amazon_reviews_us_*.tsv``).

One review per line, 15 tab-separated columns, with a header line naming them. Every row carries its
product's title and category, so each review comes with a partial ProductRecord.

The files are not quoted: a double quote is an ordinary character and a field never spans lines. So a
row is split on tabs, which is what ``csv`` does with ``delimiter="\\t"`` and ``QUOTE_NONE``, minus the
errors csv raises on stray carriage returns. Bodies hold ``<br />`` and HTML entities; ``clean.text``
turns a ``<br />`` into a line break and decodes the entities.
"""

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

COLUMNS = (
    "marketplace",
    "customer_id",
    "review_id",
    "product_id",
    "product_parent",
    "product_title",
    "product_category",
    "star_rating",
    "helpful_votes",
    "total_votes",
    "vine",
    "verified_purchase",
    "review_headline",
    "review_body",
    "review_date",
)


def parse_day(value):
    """A "YYYY-MM-DD" date as UTC midnight; None when missing or invalid."""
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except (AttributeError, ValueError):
        return None


def split_row(line):
    return line.rstrip("\r\n").split("\t")


class AmazonReviewsTsv(Reader):
    name = "amazon-reviews-tsv"
    description = "Amazon Customer Reviews Dataset TSV (amazon_reviews_us_*.tsv, tab-separated, header line)"

    def sniff(self, sample, filename):
        first_line = sample.lstrip("\ufeff").split("\n", 1)[0]
        # The same test read() applies, so a file sniff claims is one read() can parse.
        return set(COLUMNS) <= set(split_row(first_line))

    def read(self, lines, source_name=None):
        lines = iter(lines)
        header_line = next(lines, None)
        if header_line is None:
            return
        header = split_row(header_line.lstrip("\ufeff"))
        missing = [column for column in COLUMNS if column not in header]
        if missing:
            # Without the header no row can be understood; one skip says why instead of one per line.
            yield 1, Skip(MALFORMED, "header lacks " + ", ".join(missing[:3]))
            return
        index = {column: header.index(column) for column in COLUMNS}
        products = AsinMemory()
        for line_number, line in enumerate(lines, start=2):
            if not line.strip():
                yield line_number, Skip(BLANK_LINE)
                continue
            fields = split_row(line)
            if len(fields) != len(header):
                yield line_number, Skip(MALFORMED, f"{len(fields)} fields, expected {len(header)}")
                continue
            row = {column: fields[i] for column, i in index.items()}
            yield from self._row(line_number, row, products)

    def _row(self, line_number, row, products):
        asin = row["product_id"].strip()
        if not asin:
            yield line_number, Skip(MISSING_ASIN)
            return
        rating = parse_stars(row["star_rating"])
        if rating is None:
            yield line_number, Skip(BAD_RATING, repr(row["star_rating"][:20]))
            return
        reviewer_id = row["customer_id"].strip()
        if not reviewer_id:
            yield line_number, Skip(MISSING_REVIEWER)
            return
        if products.first_time(asin):
            category = clean.one_line(row["product_category"])
            yield (
                line_number,
                ProductRecord(
                    asin=asin,
                    title=clean.one_line(row["product_title"]),
                    categories=((category,),) if category else (),
                    partial=True,
                ),
            )
        yield (
            line_number,
            ReviewRecord(
                asin=asin,
                reviewer_id=reviewer_id,
                rating=rating,
                summary=clean.one_line(row["review_headline"]),
                text=clean.text(row["review_body"]),
                helpful_votes=parse_int(row["helpful_votes"]),
                verified=row["verified_purchase"].strip() == "Y",
                reviewed_at=parse_day(row["review_date"]),
            ),
        )


READER = AmazonReviewsTsv()
