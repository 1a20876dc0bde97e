"""Cleaning rules shared by all readers: HTML to text, page junk dropped, prices parsed.

Real dataset files carry scraped page fragments where values belong: HTML tables in ``tech1``, CSS in
``price`` (".a-box-inner{background-color:#fff}"), entities in titles ("&amp;"). A value that is junk
is dropped (None), never stored.

Every pattern here runs in time linear in its input, whatever the input: no two quantifiers can match
the same characters, and a pattern's repeated part stops at the character that could start it again
(a tag at the next "<", a rule at the next brace). Values are also cut before cleaning, so the cost of a
value is bounded by its maximum length, not by what a file holds.
"""

import html
import re
from decimal import Decimal

# The longest values kept. The columns are unbounded text, but a scraped field can hold a whole page.
MAX_TEXT = 50_000  # review text, a description
MAX_LINE = 1_000  # titles, summaries, names
# A value is cut to this many times its maximum before cleaning: room for the markup that cleaning removes.
RAW_FACTOR = 4
MAX_RAW = MAX_TEXT * RAW_FACTOR  # the most of any value that cleaning reads: readers need keep no more

TAG = re.compile(r"<[^<>]{0,2000}>")
BREAK_TAGS = re.compile(r"<\s*(br|/p|p|/li|/div|/tr)\b[^<>]{0,200}>", re.I)
LAYOUT = re.compile(r"</?\s*(table|tr|td|th|script|style)\b|\{[^{}:]*:[^{}]*\}", re.I)
ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-f]+|[a-z]+);", re.I)
BLANK_LINES = re.compile(r"\n\s*\n+")
# What scraped markup and stylesheets look like when they land in a field: CSS rules, attribute
# fragments, leftover tags, JavaScript. Only whether it matches counts, so a rule is a word character,
# then its brace: the selector before it does not change the answer.
JUNK = re.compile(
    r"[\w-]\s*\{[^{}:;]{0,2000}[:;][^{}]{0,2000}\}"  # a CSS rule
    r"|\bclass\s*=\s*[\"']|\bstyle\s*=\s*[\"']|\brole\s*=\s*[\"']"
    r"|</?\s*(table|tr|td|th|div|span|script|style)\b"
    r"|\bfunction\s*\(|\bvar\s+\w+\s*=",
    re.I,
)
# Matched against the stripped value.
PRICE = re.compile(r"(?:US\s*)?(?:\$\s*)?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(\.[0-9]{1,2})?")
MAX_PRICE = Decimal("9999999999.99")  # what numeric(12, 2) holds
MAX_PRICE_TEXT = 40  # longer text is no price, and is not worth matching


# Every markup or junk pattern above needs one of these characters.
MARKUP_HINT = re.compile(r"[<&{=(]")


# Every JUNK alternative needs "{", "=", "<" or "function(". Testing for those first keeps the costly
# pattern off the many reviews whose only markup hint is an ampersand or a parenthesis; run on all of
# them, it would take about half the time of reading a real review file.
FUNCTION_CALL = re.compile(r"\bfunction\s*\(", re.I)


def looks_like_junk(value):
    if "{" in value or "=" in value or "<" in value or ("(" in value and FUNCTION_CALL.search(value)):
        return bool(JUNK.search(value))
    return False


def text(value, max_length=MAX_TEXT):
    """Markup to plain text: tags removed (line breaks kept), entities decoded, whitespace tidied, at most
    ``max_length`` characters.

    Returns None for empty values and for values that are page junk rather than text.
    """
    value = _clean(value, max_length)
    if value and len(value) > max_length:
        value = value[:max_length].rstrip()
    return value


def _clean(value, max_length):
    """``text`` without the final cut: the raw value is cut to RAW_FACTOR times ``max_length`` first."""
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    value = value[: max_length * RAW_FACTOR]
    # Most review text has no markup at all: skip the markup passes (the import's hot path).
    if MARKUP_HINT.search(value):
        if LAYOUT.search(value):
            return None  # layout tables, scripts or stylesheets: page furniture, not text
        value = BREAK_TAGS.sub("\n", value)
        value = TAG.sub(" ", value)
        value = html.unescape(value)
        if ENTITY.search(value):
            value = html.unescape(value)  # doubly escaped in the source ("&amp;amp;")
        if looks_like_junk(value):
            return None
    return tidy_whitespace(value) or None


def tidy_whitespace(value):
    if "\n" not in value and "\r" not in value:
        return " ".join(value.split())
    lines = (" ".join(line.split()) for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def one_line(value, max_length=MAX_LINE):
    """``text`` for single-line values (titles, names, brands): newlines become spaces."""
    value = _clean(value, max_length)
    if value is None:
        return None
    value = " ".join(value.split())
    return value[:max_length].rstrip() or None


def texts(values, max_items=50):
    """A list of strings (features, description paragraphs) cleaned, junk and empties dropped."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    cleaned = []
    for value in values:
        value = text(value) if isinstance(value, str) else None
        if value and value not in cleaned:
            cleaned.append(value)
        if len(cleaned) >= max_items:
            break
    return cleaned


def price(value):
    """A price as Decimal, from 12.99, "12.99", "$1,250.00"; None for ranges, junk and nonsense."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        amount = Decimal(str(value))
        if not amount.is_finite():  # NaN and infinities from pandas-written JSON
            return None
    else:
        value = str(value).strip()
        match = PRICE.fullmatch(value) if len(value) <= MAX_PRICE_TEXT else None
        if not match:
            return None
        amount = Decimal(match.group(1).replace(",", "") + (match.group(2) or ""))
    if amount < 0 or amount > MAX_PRICE:
        return None
    return amount.quantize(Decimal("0.01"))
