"""Readers for the JSON review and metadata files of the Amazon datasets by McAuley and colleagues.

Six formats, recognised from their keys:

* ``mcauley2014-reviews`` / ``mcauley2014-meta``: McAuley et al., SIGIR 2015 (the "2014" crawl). Reviews are
  JSON lines. Metadata was published as one Python dict literal per line (single quotes, read with
  ``ast.literal_eval``, never ``eval``); copies also circulate as JSON lines or as one big JSON array.
* ``ni2018-reviews`` / ``ni2018-meta``: Ni, Li & McAuley, EMNLP 2019 (the "2018" crawl), JSON lines.
* ``mcauley2023-reviews`` / ``mcauley2023-meta``: Hou et al. 2024 ("Amazon Reviews 2023"), JSON lines.
  Reviews join metadata on ``parent_asin``, so that is the asin both record kinds use.

Every text value goes through ``amazen.ingest.clean``: the files hold scraped HTML, entities and CSS.

``read`` accepts the importer's ``source_name`` and ignores it: these files carry their own asins.

Line numbers are physical lines. In the JSON array layout an element is reported at the line where it starts;
the brackets and commas between elements yield nothing.
"""

import ast
import itertools
import json
import math
import re
from datetime import datetime, timezone

from amazen.catalog.records import ProductRecord, ReviewRecord
from amazen.ingest import clean
from amazen.ingest.base import (
    BAD_RATING,
    BLANK_LINE,
    LINE_TOO_LONG,
    MALFORMED,
    MAX_LINE,
    MISSING_ASIN,
    MISSING_REVIEWER,
    MalformedLine,
    Reader,
    Skip,
)

# Length limits. The columns are unbounded Text, but a scraped field can hold a whole page.
MAX_REVIEW_TEXT = 50_000
MAX_DESCRIPTION = 50_000
MAX_FEATURE = 2_000
MAX_NAME = 255  # reviewer names and brands
MAX_CATEGORY_NAME = 80  # longer entries in a category path are scraped sentences, not category names
MAX_URL = 2_000
DETAIL_LENGTH = 100
# ast.literal_eval takes some 500 bytes and 6 microseconds per character of a dense literal ("[1,1,1,...]"):
# a longer Python dict literal is skipped. The longest real metadata lines are about 50,000 characters.
MAX_DICT_LITERAL = 512 * 1024
MAX_VOTES = 2**31 - 1  # what the integer column holds

# How the array reader pulls text: in pieces of about this size, more for an element that has not closed
# (twice what it has of it, so a long element is decoded a few times, not once a piece), and it gives up
# on an element longer than a line may be (a broken file must not be read into memory whole).
ARRAY_CHUNK = 1024 * 1024
MAX_ARRAY_ELEMENT = MAX_LINE

BOM = "\ufeff"
DECODER = json.JSONDecoder()
NON_SPACE = re.compile(r"\S")
HTTP_URL = re.compile(r"https?://\S+\Z", re.I)
# Amazon's "no image" icons and spacer pixels are http URLs too, but show nothing of the product.
PLACEHOLDER_IMAGE = re.compile(r"no[-_]?im(a?ge?)?\b|/x-site/icons/|grey-pixel|transparent-pixel", re.I)


# --- parsing one line ----------------------------------------------------------------------------------


def detail_of(error):
    return str(error)[:DETAIL_LENGTH]


def parse_json_line(line):
    """One JSON object, or MalformedLine."""
    try:
        data = json.loads(line)
    except (ValueError, RecursionError) as error:
        raise MalformedLine(MALFORMED, detail_of(error)) from None
    if not isinstance(data, dict):
        raise MalformedLine(MALFORMED, "not a JSON object")
    return data


def parse_json_or_dict_literal(line):
    """A JSON object or a Python dict literal (the 2014 metadata style), or MalformedLine.

    ``ast.literal_eval`` only accepts literals, so a line like ``__import__('os')...`` is rejected, not run.
    """
    try:
        return parse_json_line(line)
    except MalformedLine:
        pass
    if len(line) > MAX_DICT_LITERAL:
        raise MalformedLine(LINE_TOO_LONG, f"a dict literal of more than {MAX_DICT_LITERAL:,} characters")
    try:
        data = ast.literal_eval(line.strip())
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as error:
        raise MalformedLine(MALFORMED, detail_of(error) or type(error).__name__) from None
    if not isinstance(data, dict):
        raise MalformedLine(MALFORMED, "not a dict")
    return data


def convert_or_skip(convert, data):
    """``convert(data)``, or the Skip saying why it could not be used."""
    if not isinstance(data, dict):
        return Skip(MALFORMED, "not an object")
    try:
        return convert(data)
    except MalformedLine as problem:
        return Skip(problem.reason, problem.detail)
    except (TypeError, ValueError, AttributeError, ArithmeticError) as error:
        # A field of an unexpected type that the converters did not foresee: skip the line, never crash.
        return Skip(MALFORMED, detail_of(f"unexpected value: {error}"))


def read_json_lines(lines, parse, convert, first_number=1):
    """Yield ``(line_number, item)`` for a file with one record per line."""
    for number, line in enumerate(lines, start=first_number):
        if number == 1:
            line = line.lstrip(BOM)
        if not line.strip():
            yield number, Skip(BLANK_LINE)
            continue
        try:
            data = parse(line)
        except MalformedLine as problem:
            yield number, Skip(problem.reason, problem.detail)
            continue
        yield number, convert_or_skip(convert, data)


# --- one JSON array over many lines ----------------------------------------------------------------------


class JsonArrayReader:
    """Reads the elements of one JSON array from a stream of lines without holding the whole array.

    The buffer keeps only the unread text: each element is decoded with ``raw_decode`` as soon as it is
    complete. Pieces are whole lines, and JSON cannot break a token across a line, so an element that fails
    to decode with nothing but whitespace after the failure point is just incomplete: pull more and retry.
    """

    def __init__(self, lines, first_line_number):
        self.lines = iter(lines)
        self.buffer = ""
        self.pos = 0  # start of the unread text in buffer
        self.line_number = first_line_number  # physical line of buffer[pos]

    def pull(self, at_least=ARRAY_CHUNK):
        """Append ``at_least`` more characters, or what is left; False when the input is used up."""
        pieces = []
        size = 0
        for line in self.lines:
            pieces.append(line)
            size += len(line)
            if size >= at_least:
                break
        if not pieces:
            return False
        self.buffer = self.buffer[self.pos :] + "".join(pieces)
        self.pos = 0
        return True

    def advance(self, to):
        # Counting "\n" covers both "\n" and "\r\n" files, the only endings JSON dumps use.
        self.line_number += self.buffer.count("\n", self.pos, to)
        self.pos = to

    def peek(self):
        """The next non-space character (not consumed), or "" at the end of the input."""
        while True:
            match = NON_SPACE.search(self.buffer, self.pos)
            if match:
                self.advance(match.start())
                return match.group()
            self.advance(len(self.buffer))
            if not self.pull():
                return ""

    def decode(self):
        """The JSON value at the read position; ValueError if it is broken."""
        while True:
            try:
                value, end = DECODER.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as error:
                incomplete = NON_SPACE.search(self.buffer, error.pos) is None
                read = len(self.buffer) - self.pos
                if incomplete and read > MAX_ARRAY_ELEMENT:
                    raise ValueError(f"an element of more than {MAX_ARRAY_ELEMENT:,} characters") from None
                if incomplete and self.pull(max(ARRAY_CHUNK, read)):
                    continue
                # error.msg, not str(error): the position in str() is relative to the buffer, not the file.
                raise ValueError(error.msg if not incomplete else "element not closed") from None
            except RecursionError:
                raise ValueError("nested too deeply") from None
            self.advance(end)
            return value

    def resync(self):
        """After a broken element, move to the next line that starts an element ("{") or ends the array.

        That recovers one-element-per-line layouts; in a one-line array the rest of the line is lost.
        """
        while True:
            newline = self.buffer.find("\n", self.pos)
            if newline == -1:
                self.advance(len(self.buffer))
                if not self.pull():
                    return False
                continue
            self.advance(newline + 1)
            match = NON_SPACE.search(self.buffer, self.pos)
            if match and match.group() in "{]":
                self.advance(match.start())
                return True

    def items(self, convert):
        """Yield ``(line_number, item)`` for each element: ``convert(element)`` or a Skip."""
        if self.peek() != "[":
            yield self.line_number, Skip(MALFORMED, "expected a JSON array")
            return
        self.advance(self.pos + 1)
        while True:
            char = self.peek()
            if char == "]":
                self.advance(self.pos + 1)
                break
            if char == "":
                yield self.line_number, Skip(MALFORMED, "the array is not closed")
                return
            start = self.line_number
            try:
                element = self.decode()
            except ValueError as error:
                yield start, Skip(MALFORMED, detail_of(error))
                if not self.resync():
                    return
                continue
            yield start, convert_or_skip(convert, element)
            char = self.peek()
            if char == ",":
                self.advance(self.pos + 1)
            elif char == "]":
                self.advance(self.pos + 1)
                break
            elif char == "":
                yield self.line_number, Skip(MALFORMED, "the array is not closed")
                return
            else:
                yield self.line_number, Skip(MALFORMED, "expected ',' or ']' after an array element")
                if not self.resync():
                    return
        if self.peek():
            yield self.line_number, Skip(MALFORMED, "text after the end of the array")


# --- field conversions -------------------------------------------------------------------------------


def identifier(value):
    """An asin or reviewer id: a non-empty string (numbers are accepted as written), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return None
    return value.strip() or None


def require_asin(*values):
    for value in values:
        asin = identifier(value)
        if asin:
            return asin
    raise MalformedLine(MISSING_ASIN)


def require_reviewer(value):
    reviewer = identifier(value)
    if not reviewer:
        raise MalformedLine(MISSING_REVIEWER)
    return reviewer


def stars(value):
    """A 1..5 star rating from 5.0, 5 or "5.0"; MalformedLine(BAD_RATING) otherwise (4.5 included)."""
    number = value
    if isinstance(number, str):
        try:
            number = float(number.strip())
        except ValueError:
            number = None
    if (
        isinstance(number, bool)
        or not isinstance(number, (int, float))
        or not math.isfinite(number)
        or number != int(number)
        or not 1 <= number <= 5
    ):
        raise MalformedLine(BAD_RATING, detail_of(f"rating {value!r}"))
    return int(number)


def vote_count(value):
    """A helpful-vote count from 12, 12.0, "12" or "1,234"; 0 for anything else."""
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, str):
        value = value.strip().replace(",", "")
        if not (value.isascii() and value.isdigit()):  # isdigit alone accepts "²"
            return 0
        value = int(value)
    if isinstance(value, float):
        value = int(value) if math.isfinite(value) else 0
    if not isinstance(value, int):
        return 0
    return min(max(value, 0), MAX_VOTES)


def from_unix_seconds(value):
    """A UTC datetime from unix seconds (int, float or digit string); None for missing or absurd values."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        return None
    try:
        return datetime.fromtimestamp(value, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def from_unix_milliseconds(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return from_unix_seconds(value / 1000)


def from_review_time(value):
    """The 2014/2018 "reviewTime" field, "06 17, 2018" (month day, year), as a UTC datetime; else None."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value.strip(), "%m %d, %Y").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def scalar(value):
    """A text field's value as a string: numbers as written; lists, dicts and booleans are no text."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def one_line(value, max_length=1000):
    return clean.one_line(scalar(value), max_length=max_length)


def review_text(value):
    return clean.text(scalar(value), max_length=MAX_REVIEW_TEXT)


def parse_price(value):
    """``clean.price``, with NaN (which JSON files written by pandas contain) as no price."""
    try:
        return clean.price(value)
    except ArithmeticError:
        return None


def description(value):
    """One description from a string or a list of paragraphs (joined by blank lines)."""
    if isinstance(value, str):
        return clean.text(value, max_length=MAX_DESCRIPTION)
    paragraphs = clean.texts(value if isinstance(value, list) else None)
    if not paragraphs:
        return None
    return "\n\n".join(paragraphs)[:MAX_DESCRIPTION].rstrip()


def features(value):
    if not isinstance(value, (list, str)):
        return ()
    return tuple(feature[:MAX_FEATURE].rstrip() for feature in clean.texts(value))


def category_path(names):
    """One category path, broadest first, as a tuple of cleaned names.

    Scraped paths repeat a name ("Gift Cards", "Gift Cards"): immediate repeats collapse into one. They also
    run on into feature sentences ("No expiration, no fees.") or stray markup ("</span>"): the path ends at
    the first entry that does not look like a category name.
    """
    if not isinstance(names, (list, tuple)):
        return ()
    path = []
    for name in names:
        name = clean.one_line(name) if isinstance(name, str) else None
        if name is None or len(name) > MAX_CATEGORY_NAME:
            break
        if name.endswith((".", "!")) and " " in name:
            break  # a sentence
        if path and path[-1].casefold() == name.casefold():
            continue
        path.append(name)
    return tuple(path)


def category_paths(paths):
    """Several paths (the 2014 ``categories``: a list of lists), without empty or repeated paths."""
    if not isinstance(paths, list):
        return ()
    if paths and all(isinstance(name, str) for name in paths):
        paths = [paths]  # a single flat path
    cleaned = []
    for names in paths:
        path = category_path(names)
        if path and path not in cleaned:
            cleaned.append(path)
    return tuple(cleaned)


def single_path_or_main(names, main_category):
    """A one-path ``category`` list; when it is empty, the top-level category alone (if it is usable)."""
    path = category_path(names)
    if not path:
        path = category_path([main_category])
    return (path,) if path else ()


def image_url(value):
    """An http(s) URL that shows the product, else None (placeholder icons and non-URLs included)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if len(value) > MAX_URL or not HTTP_URL.match(value) or PLACEHOLDER_IMAGE.search(value):
        return None
    return value


def first_image_url(*candidates):
    """The first usable URL among the candidates, each a URL or a list of URLs, in order of preference."""
    for candidate in candidates:
        values = candidate if isinstance(candidate, list) else [candidate]
        for value in values:
            url = image_url(value)
            if url:
                return url
    return None


def first_image_url_2023(images):
    """The main (first) image of a 2023 ``images`` list of {"hi_res", "large", "thumb"} dicts.

    Each image is taken at the best resolution it has, before moving on to the next image, so the main
    image wins over a sharper secondary one. A dict of lists (the Hugging Face column layout) works too.
    """
    if isinstance(images, dict):
        return first_image_url(images.get("hi_res"), images.get("large"), images.get("thumb"))
    if not isinstance(images, list):
        return None
    for image in images:
        if isinstance(image, dict):
            url = first_image_url(image.get("hi_res"), image.get("large"), image.get("thumb"))
            if url:
                return url
    return None


# --- sniffing -------------------------------------------------------------------------------------------


def first_record(sample):
    """How the sample starts: ``(layout, dict)`` with layout "json", "python" or "array"; (None, None).

    Only the first non-blank line (or the first element of an array) is looked at. A first line cut off
    by the end of the sample does not parse, and then the format is not recognised.
    """
    text = sample.lstrip(BOM + " \t\r\n")
    if text.startswith("["):
        start = NON_SPACE.search(text, 1)
        if not start:
            return None, None
        try:
            element, _ = DECODER.raw_decode(text, start.start())
        except (ValueError, RecursionError):
            return None, None
        return ("array", element) if isinstance(element, dict) else (None, None)
    line = text.split("\n", 1)[0].strip()
    if not line.startswith("{"):
        return None, None
    try:
        return "json", parse_json_line(line)
    except MalformedLine:
        pass
    try:
        return "python", parse_json_or_dict_literal(line)
    except MalformedLine:
        return None, None


def first_keys(sample, layouts):
    """The first record's keys if it is written in one of ``layouts``, else an empty set."""
    layout, data = first_record(sample)
    if layout not in layouts:
        return set()
    return set(data)


KEYS_2014_META = {"imUrl", "salesRank", "related", "categories"}
KEYS_2018_META = {"main_cat", "also_buy", "also_view", "imageURL", "feature", "category"}


# --- the readers ----------------------------------------------------------------------------------------


class McAuley2014Reviews(Reader):
    name = "mcauley2014-reviews"
    description = "McAuley 2014 reviews (JSON lines with reviewerID, helpful [up, total], overall)"

    def sniff(self, sample, filename):
        keys = first_keys(sample, {"json"})
        return {"reviewerID", "helpful", "overall"} <= keys

    def read(self, lines, source_name=None):
        return read_json_lines(lines, parse_json_line, self.record)

    def record(self, data):
        asin = require_asin(data.get("asin"))
        reviewer = require_reviewer(data.get("reviewerID"))
        rating = stars(data.get("overall"))
        helpful = data.get("helpful")
        return ReviewRecord(
            asin=asin,
            reviewer_id=reviewer,
            rating=rating,
            reviewer_name=one_line(data.get("reviewerName"), max_length=MAX_NAME),
            summary=one_line(data.get("summary")),
            text=review_text(data.get("reviewText")),
            helpful_votes=vote_count(helpful[0]) if isinstance(helpful, list) and helpful else 0,
            verified=False,  # the 2014 crawl does not say
            reviewed_at=from_unix_seconds(data.get("unixReviewTime")) or from_review_time(data.get("reviewTime")),
        )


class Ni2018Reviews(Reader):
    name = "ni2018-reviews"
    description = "Ni/Li/McAuley 2018 reviews (JSON lines with reviewerID, overall, verified, vote)"

    def sniff(self, sample, filename):
        keys = first_keys(sample, {"json"})
        return {"reviewerID", "overall"} <= keys and "helpful" not in keys

    def read(self, lines, source_name=None):
        return read_json_lines(lines, parse_json_line, self.record)

    def record(self, data):
        asin = require_asin(data.get("asin"))
        reviewer = require_reviewer(data.get("reviewerID"))
        rating = stars(data.get("overall"))
        return ReviewRecord(
            asin=asin,
            reviewer_id=reviewer,
            rating=rating,
            reviewer_name=one_line(data.get("reviewerName"), max_length=MAX_NAME),
            summary=one_line(data.get("summary")),
            text=review_text(data.get("reviewText")),
            helpful_votes=vote_count(data.get("vote")),
            verified=data.get("verified") is True,
            reviewed_at=from_unix_seconds(data.get("unixReviewTime")) or from_review_time(data.get("reviewTime")),
        )


class McAuley2023Reviews(Reader):
    name = "mcauley2023-reviews"
    description = "Amazon Reviews 2023 reviews (JSON lines with user_id, rating, parent_asin, helpful_vote)"

    def sniff(self, sample, filename):
        keys = first_keys(sample, {"json"})
        return {"user_id", "rating", "helpful_vote"} <= keys and bool(keys & {"parent_asin", "asin"})

    def read(self, lines, source_name=None):
        return read_json_lines(lines, parse_json_line, self.record)

    def record(self, data):
        # Metadata is keyed by parent_asin (one product, many variants), so reviews must be too.
        asin = require_asin(data.get("parent_asin"), data.get("asin"))
        reviewer = require_reviewer(data.get("user_id"))
        rating = stars(data.get("rating"))
        return ReviewRecord(
            asin=asin,
            reviewer_id=reviewer,
            rating=rating,
            reviewer_name=None,  # the 2023 release has none
            summary=one_line(data.get("title")),
            text=review_text(data.get("text")),
            helpful_votes=vote_count(data.get("helpful_vote")),
            verified=data.get("verified_purchase") is True,
            reviewed_at=from_unix_milliseconds(data.get("timestamp")),
        )


class McAuley2014Meta(Reader):
    name = "mcauley2014-meta"
    description = "McAuley 2014 metadata (Python dict literals or JSON per line, or one JSON array)"

    def sniff(self, sample, filename):
        keys = first_keys(sample, {"json", "python", "array"})
        return "asin" in keys and bool(keys & KEYS_2014_META) and not keys & KEYS_2018_META and "reviewerID" not in keys

    def read(self, lines, source_name=None):
        # The layout shows in the first non-blank line: an array starts with "[", records with "{".
        lines = iter(lines)
        for number, line in enumerate(lines, start=1):
            if number == 1:
                line = line.lstrip(BOM)
            if not line.strip():
                yield number, Skip(BLANK_LINE)
                continue
            if line.lstrip().startswith("["):
                yield from JsonArrayReader(itertools.chain([line], lines), number).items(self.record)
            else:
                yield from read_json_lines(
                    itertools.chain([line], lines), parse_json_or_dict_literal, self.record, first_number=number
                )
            return

    def record(self, data):
        return ProductRecord(
            asin=require_asin(data.get("asin")),
            title=one_line(data.get("title")),
            brand=one_line(data.get("brand"), max_length=MAX_NAME),
            price=parse_price(data.get("price")),
            categories=category_paths(data.get("categories")),
            description=description(data.get("description")),
            image_url=first_image_url(data.get("imUrl")),
            partial=False,
        )


class Ni2018Meta(Reader):
    name = "ni2018-meta"
    description = "Ni/Li/McAuley 2018 metadata (JSON lines with main_cat, category, feature, imageURL)"

    def sniff(self, sample, filename):
        keys = first_keys(sample, {"json"})
        return "asin" in keys and bool(keys & KEYS_2018_META) and "reviewerID" not in keys

    def read(self, lines, source_name=None):
        return read_json_lines(lines, parse_json_line, self.record)

    def record(self, data):
        # tech1/tech2 are ignored: raw HTML tables of specifications, not text.
        return ProductRecord(
            asin=require_asin(data.get("asin")),
            title=one_line(data.get("title")),
            brand=one_line(data.get("brand"), max_length=MAX_NAME),
            price=parse_price(data.get("price")),
            categories=single_path_or_main(data.get("category"), data.get("main_cat")),
            description=description(data.get("description")),
            features=features(data.get("feature")),
            # High-res first; some category files (Appliances) only have "image", small thumbnails.
            image_url=first_image_url(data.get("imageURLHighRes"), data.get("imageURL"), data.get("image")),
            partial=False,
        )


class McAuley2023Meta(Reader):
    name = "mcauley2023-meta"
    description = "Amazon Reviews 2023 metadata (JSON lines with parent_asin, main_category, rating_number)"

    def sniff(self, sample, filename):
        keys = first_keys(sample, {"json"})
        return "parent_asin" in keys and bool(keys & {"main_category", "rating_number"}) and "user_id" not in keys

    def read(self, lines, source_name=None):
        return read_json_lines(lines, parse_json_line, self.record)

    def record(self, data):
        return ProductRecord(
            asin=require_asin(data.get("parent_asin"), data.get("asin")),
            title=one_line(data.get("title")),
            brand=one_line(data.get("store"), max_length=MAX_NAME),
            price=parse_price(data.get("price")),
            categories=single_path_or_main(data.get("categories"), data.get("main_category")),
            description=description(data.get("description")),
            features=features(data.get("features")),
            image_url=first_image_url_2023(data.get("images")),
            partial=False,
        )


# Tried in this order; the key signatures do not overlap, so the order only matters for odd files that
# carry keys of several formats: reviews (the more specific signatures) before metadata.
READERS = [
    McAuley2023Reviews(),
    McAuley2014Reviews(),
    Ni2018Reviews(),
    McAuley2023Meta(),
    Ni2018Meta(),
    McAuley2014Meta(),
]
