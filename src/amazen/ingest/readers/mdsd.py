"""Multi-Domain Sentiment Dataset (Blitzer et al. 2007), the ``*.review`` files of ``sorted_data_acl``.

The files look like XML but are not: there is no root element, and bare ``&`` ("A & B") sits next to
real entities (``&lt;``, ``&quot;``). So they are read line by line as a small state machine::

    <review>            starts a block
    <asin>              a tag line opens a field,
    B00006HYUB          the value lines follow (review_text spans several lines and blank lines),
    </asin>             the matching closing tag line ends the field
    </review>           ends the block: one partial ProductRecord (first time per asin) and one ReviewRecord

Values go through ``clean.text`` / ``clean.one_line``, which decode the entities and leave a bare ``&``
alone. A block that is cut short, lacks its asin, or has a bad rating gives one Skip at its ``<review>``
line.

Decisions (the dataset has no metadata; the product is what the review says):

* Product title: ``product_name`` ends with the category, and for media also with the creator:
  "APC Back-UPS ES 500 ...: Electronics", "Pulp: Books: Charles Bukowski", "<title>: DVD: <cast>".
  The last ": <Category>" (the product_type, any case) and what follows it are cut off the title;
  what followed, Amazon's "by" line (author, cast, or a maker such as "Case Logic"), becomes the brand.
  A name without that suffix is kept whole.
* Category: one one-level path, the product_type spelt as in the product_name suffix ("electronics"
  → ("Electronics",), "computer &amp; video games" → ("Computer & Video Games",), "dvd" → ("DVD",)),
  or with each word capitalised when the name has no such suffix.
* Reviewer id: "mdsd:" + the reviewer part of ``unique_id`` (the text after its last ":", e.g.
  ``d._john_"looser"``); when that part is empty ("B0000632G0:koss:") the whole unique_id is used, so
  reviews stay distinct. The ids are kept verbatim (entities and all): they are keys, not text.
* helpful "3 of 3" → 3 helpful votes; empty or unreadable → 0. date "July 31, 2006" → UTC midnight;
  empty or unreadable → None. reviewer_location has no field to go to and is dropped.
"""

import re
import string
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
    parse_stars,
)

OPEN_TAG = re.compile(r"<([a-z_]+)>")
ONE_LINE_FIELD = re.compile(r"<([a-z_]+)>(.*)</\1>")  # "<asin>B00006HYUB</asin>", in case a file has them
HELPFUL = re.compile(r"(\d+)\s+of\s+(\d+)")
DATE = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2}),\s*(\d{4})")
# The fields a block keeps (others, such as reviewer_location, are read past), each up to clean.MAX_RAW
# characters: a block holds a bounded amount of text, whatever the file.
FIELDS = frozenset(
    {"asin", "date", "helpful", "product_name", "product_type", "rating", "review_text", "reviewer", "title", "unique_id"}
)
MONTHS = {
    name: number
    for number, name in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}


def helpful_votes(value):
    match = HELPFUL.fullmatch((value or "").strip())
    return int(match.group(1)) if match else 0


def review_date(value):
    match = DATE.fullmatch((value or "").strip())
    if not match:
        return None
    month = MONTHS.get(match.group(1)[:3].lower())
    try:
        return datetime(int(match.group(3)), month, int(match.group(2)), tzinfo=timezone.utc)
    except (TypeError, ValueError):  # unknown month name, or a day the month does not have
        return None


def reviewer_key(unique_id):
    """The reviewer part of "asin:title_slug:reviewer_slug"; the whole id when that part is empty."""
    return unique_id.rsplit(":", 1)[-1] or unique_id


def split_product_name(name, product_type):
    """(title, category as the name spells it, creator) from "<title>: <Category>[: <creator>]".

    The category is matched against ``product_type`` in any case ("DVD" for "dvd"). A name without
    that suffix comes back whole, with no category and no creator.
    """
    if not name or not product_type:
        return name, None, None
    # Greedy ".*" finds the last ": <category>", so colons inside the title itself stay.
    match = re.fullmatch(r"(.*): (" + re.escape(product_type) + r")(?:: (.*))?", name, re.I | re.S)
    if not match or not match.group(1).strip():
        return name, None, None
    return match.group(1).strip(), match.group(2), (match.group(3) or "").strip() or None


class _Block:
    """The fields of one <review> block while it is being read."""

    def __init__(self, start):
        self.start = start  # line number of its <review> line
        self.fields = {}
        self.problem = None  # why the block cannot be used, once something is wrong with it


class MultiDomainSentiment(Reader):
    name = "mdsd-blitzer2007"
    description = "Multi-Domain Sentiment Dataset .review files (Blitzer et al. 2007, pseudo-XML)"

    def sniff(self, sample, filename):
        lines = [line.strip() for line in sample.lstrip("\ufeff").splitlines() if line.strip()]
        # A block starts the file and its first fields follow within a few lines.
        return bool(lines) and lines[0] == "<review>" and "<asin>" in lines[1:8]

    def read(self, lines, source_name=None):
        products = AsinMemory()
        block = None  # the open <review> block, if any
        tag = None  # the open field inside it, if any
        value = []  # that field's lines so far
        value_size = 0
        for line_number, line in enumerate(lines, start=1):
            line = line.rstrip("\r\n")
            stripped = line.strip()
            if block is None:
                if stripped == "<review>":
                    block = _Block(line_number)
                elif not stripped:
                    yield line_number, Skip(BLANK_LINE)
                else:
                    yield line_number, Skip(MALFORMED, "text outside a <review> block")
                continue
            if tag is not None:
                # Inside a value every line is content, except the closing tag or a block boundary,
                # which means the field was cut short.
                if stripped == f"</{tag}>":
                    if tag in FIELDS:
                        block.fields[tag] = "\n".join(value).strip()
                    tag = None
                elif stripped in ("<review>", "</review>"):
                    yield block.start, Skip(MALFORMED, f"<{tag}> is not closed")
                    block = _Block(line_number) if stripped == "<review>" else None
                    tag = None
                elif value_size < clean.MAX_RAW:
                    value.append(line)
                    value_size += len(line) + 1
                continue
            # Inside a block, between fields.
            if not stripped:
                continue  # blank lines between fields belong to the block
            if stripped == "</review>":
                yield from self._review(block, products)
                block = None
            elif stripped == "<review>":
                yield block.start, Skip(MALFORMED, "<review> is not closed")
                block = _Block(line_number)
            elif OPEN_TAG.fullmatch(stripped):
                tag, value, value_size = stripped[1:-1], [], 0
            elif one_line_field := ONE_LINE_FIELD.fullmatch(stripped):
                if one_line_field.group(1) in FIELDS:
                    block.fields[one_line_field.group(1)] = one_line_field.group(2).strip()[: clean.MAX_RAW]
            elif block.problem is None:
                block.problem = f"unexpected line {line_number - block.start + 1} of the block"
        if block is not None:
            yield block.start, Skip(MALFORMED, "the file ends inside the <review> block")

    def _review(self, block, products):
        fields = block.fields
        if block.problem:
            yield block.start, Skip(MALFORMED, block.problem)
            return
        asin = fields.get("asin", "").strip()
        if not asin:
            yield block.start, Skip(MISSING_ASIN)
            return
        rating = parse_stars(fields.get("rating", ""))
        if rating is None:
            yield block.start, Skip(BAD_RATING, repr(fields.get("rating", "")[:20]))
            return
        unique_id = fields.get("unique_id", "").strip()
        if not unique_id:
            yield block.start, Skip(MISSING_REVIEWER)
            return
        if products.first_time(asin):
            yield block.start, self._product(asin, fields)
        yield (
            block.start,
            ReviewRecord(
                asin=asin,
                reviewer_id="mdsd:" + reviewer_key(unique_id),
                rating=rating,
                reviewer_name=clean.one_line(fields.get("reviewer")),
                summary=clean.one_line(fields.get("title")),
                text=clean.text(fields.get("review_text")),
                helpful_votes=helpful_votes(fields.get("helpful")),
                reviewed_at=review_date(fields.get("date")),
            ),
        )

    def _product(self, asin, fields):
        product_type = clean.one_line(fields.get("product_type"))
        title, category, creator = split_product_name(clean.one_line(fields.get("product_name")), product_type)
        if category is None and product_type:
            category = string.capwords(product_type)
        return ProductRecord(
            asin=asin,
            title=title,
            brand=creator,
            categories=((category,),) if category else (),
            partial=True,
        )


READER = MultiDomainSentiment()
