"""What a shopper asked for: the search parameters, checked and parsed into index terms.

Shared by the JSON API and the results page, so both accept and refuse the same things. Malformed
input raises InvalidParameter (a 400 naming the field).
"""

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from amazen.params import InvalidParameter, choice, page_request

from .analyzer import TOKEN, WORD, analyze, descriptor_term, fold, phrases, word_stem
from .scoring import SORT_NAMES

MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 12
MAX_DESCRIPTORS = 5  # each of pos and neg
MAX_DISMISSED = 50
MAX_DESCRIPTOR_LENGTH = 60
MAX_FILTER_LENGTH = 200
MAX_PRICE = Decimal("1000000")
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_REVIEW_QUERY_LENGTH = 100
MAX_REVIEW_QUERY_WORDS = 8
MAX_ASIN_LENGTH = 40
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")  # not whitespace, which splits words

# A quoted phrase, or a word; either may carry a leading "-" to exclude it.
QUERY_PART = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')


@dataclass(frozen=True)
class Descriptor:
    text: str  # as the shopper wrote it
    term: str  # the index term: "comfort", "batteri life"
    polarity: str  # "+" wanted, "-" to avoid


@dataclass
class ParsedQuery:
    text: str = ""
    # Every required index term with the words the shopper typed for it (to report unknown ones).
    required: list = field(default_factory=list)  # [(term, surface text)]
    excluded: list = field(default_factory=list)  # [(term, surface text)]

    @property
    def terms(self):
        return [term for term, _ in self.required]


@dataclass
class SearchRequest:
    query: ParsedQuery
    descriptors: list  # [Descriptor]
    category: str = None
    brand: str = None
    price_min: Decimal = None
    price_max: Decimal = None
    rating_min: float = None
    sort: str = "relevance"  # a scoring.SORTS name
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    explain: bool = False

    @property
    def positive(self):
        return [d for d in self.descriptors if d.polarity == "+"]

    @property
    def negative(self):
        return [d for d in self.descriptors if d.polarity == "-"]

    def as_dict(self):
        """The request as the API echoes it back."""
        return {
            "q": self.query.text,
            "pos": [d.text for d in self.positive],
            "neg": [d.text for d in self.negative],
            "category": self.category,
            "brand": self.brand,
            "price_min": float(self.price_min) if self.price_min is not None else None,
            "price_max": float(self.price_max) if self.price_max is not None else None,
            "rating_min": self.rating_min,
            "sort": self.sort,
        }


def _plain_word(match):
    """The folded word of a QUERY_PART match that is a plain word (not quoted, not excluded), or None."""
    if match.group(4) is None or match.group(3):
        return None
    tokens = TOKEN.findall(fold(match.group(4)))
    return tokens[0] if len(tokens) == 1 else None


def spelled_words(text):
    """The plain words of a query (not quoted, not excluded) that spelling may correct, folded."""
    return [word for word in map(_plain_word, QUERY_PART.finditer(text)) if word]


def respell(text, corrections):
    """``text`` with its plain words replaced by their ``corrections`` ({folded word: correction})."""
    return " ".join(corrections.get(_plain_word(match), match.group()) for match in QUERY_PART.finditer(text))


def parse_query(text):
    """Split a query into required and excluded terms: words are stemmed, quoted phrases become
    two-word phrase terms ("noise cancelling" -> "nois cancel"), "-word" and -"a phrase" exclude."""
    parsed = ParsedQuery(text=text)
    for match in QUERY_PART.finditer(text):
        if match.group(2) is not None:
            minus, surface, quoted = match.group(1), match.group(2), True
        else:
            minus, surface, quoted = match.group(3), match.group(4), False
        words = analyze(surface)
        if not words:
            continue
        target = parsed.excluded if minus else parsed.required
        if quoted and len(words) > 1:
            for phrase in phrases(words):
                target.append((phrase.term, surface))
        else:
            for word in words:
                target.append((word.term, surface if len(words) == 1 else word.term))
    # The same term twice counts once.
    parsed.required = list(dict((term, surface) for term, surface in parsed.required).items())
    parsed.excluded = list(dict((term, surface) for term, surface in parsed.excluded).items())
    return parsed


def split_phrases(query, known):
    """``query`` with each required phrase term that is not in ``known`` replaced by its two words: the
    index carries only the catalog's collocations as phrases (``amazen.search.collocations``), so
    "head perfectly" finds the products whose text has both words."""
    required = []
    for term, surface in query.required:
        required += [(word, surface) for word in term.split(" ")] if term not in known else [(term, surface)]
    return replace(query, required=list(dict(required).items()))


def split_descriptors(descriptors, known):
    """``descriptors`` with each two-word one whose term is not in ``known`` replaced by one descriptor
    per word, as the shopper typed it, wanted or avoided alike (split_phrases' rule); a word the
    descriptors already have is not added again."""
    taken = {d.term for d in descriptors}
    split = []
    for d in descriptors:
        if " " not in d.term or d.term in known:
            split.append(d)
            continue
        typed = {word_stem(word): word for word in WORD.findall(d.text)}
        for term in d.term.split(" "):
            if term not in taken:
                taken.add(term)
                split.append(Descriptor(text=fold(typed.get(term, term)), term=term, polarity=d.polarity))
    return split


def _text(params, name, limit):
    value = (params.get(name) or "").strip()
    if len(value) > limit:
        raise InvalidParameter(name, f"must be at most {limit} characters")
    return value or None


def _number(params, name, low, high, kind=Decimal):
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidParameter(name, f"must be a number, not {raw[:40]!r}") from None
    if not value.is_finite() or not (low <= value <= high):
        raise InvalidParameter(name, f"must be between {low} and {high}")
    return kind(value)


def _values(params, name):
    """The non-blank values of a repeatable parameter."""
    return [v.strip() for v in params.getall(name) if v.strip()] if hasattr(params, "getall") else []


def _descriptors(params, name, polarity, limit=MAX_DESCRIPTORS):
    values = _values(params, name)
    if len(values) > limit:
        raise InvalidParameter(name, f"at most {limit} descriptors")
    out = []
    for value in values:
        if len(value) > MAX_DESCRIPTOR_LENGTH:
            raise InvalidParameter(name, f"a descriptor must be at most {MAX_DESCRIPTOR_LENGTH} characters")
        try:
            term = descriptor_term(value)
        except ValueError as err:
            raise InvalidParameter(name, f"{value!r}: {err}") from None
        if term is None:
            raise InvalidParameter(name, f"{value!r} has no searchable word (only stop words or punctuation)")
        out.append(Descriptor(value, term, polarity))
    return out


def parse_dismissed(params):
    """The index terms of the descriptors a shopper dismissed (``dismissed``, repeatable)."""
    return [d.term for d in _descriptors(params, "dismissed", "-", limit=MAX_DISMISSED)]


def parse_say(params):
    """The descriptor a product's reviews are filtered by (``say``), or None."""
    found = _descriptors(params, "say", "+", limit=1)
    return found[0] if found else None


def parse_prefix(params):
    """The text to complete (``prefix``); may be empty."""
    prefix = params.get("prefix") or ""
    if len(prefix) > MAX_QUERY_LENGTH:
        raise InvalidParameter("prefix", f"must be at most {MAX_QUERY_LENGTH} characters")
    return prefix.lstrip()


def parse_descriptors(params):
    """The wanted (``pos``) and avoided (``neg``) descriptors, in that order; the same one twice counts
    once, and one both wanted and avoided is refused."""
    descriptors = _descriptors(params, "pos", "+") + _descriptors(params, "neg", "-")
    seen = {}
    for d in descriptors:
        if d.term in seen and seen[d.term] != d.polarity:
            raise InvalidParameter("neg", f"{d.text!r} is both wanted and to avoid")
        seen[d.term] = d.polarity
    return list({(d.term, d.polarity): d for d in reversed(descriptors)}.values())[::-1]


def query_parts(text):
    """The parts of a query as typed: words, quoted phrases, exclusions (each with its quotes and "-")."""
    return [match.group() for match in QUERY_PART.finditer(text)]


def without_part(text, index):
    """``text`` without its ``index``-th part (see query_parts)."""
    return " ".join(part for i, part in enumerate(query_parts(text)) if i != index)


def parse_review_words(params, name="rq"):
    """The words a product's reviews are searched for (``rq``): each must appear in a review."""
    raw = params.get(name) or ""
    if len(raw) > MAX_REVIEW_QUERY_LENGTH:
        raise InvalidParameter(name, f"must be at most {MAX_REVIEW_QUERY_LENGTH} characters")
    if CONTROL.search(raw):
        raise InvalidParameter(name, "must not contain control characters")
    words = list(dict.fromkeys(raw.split()))
    if len(words) > MAX_REVIEW_QUERY_WORDS:
        raise InvalidParameter(name, f"must have at most {MAX_REVIEW_QUERY_WORDS} words")
    return words


def parse_asins(params, name="asin", least=2, most=4):
    """The products to compare (``asin``, repeatable): ``least`` to ``most`` distinct ones."""
    asins = list(dict.fromkeys(_values(params, name)))
    if not least <= len(asins) <= most:
        raise InvalidParameter(name, f"choose {least} to {most} different products to compare, not {len(asins)}")
    for asin in asins:
        if len(asin) > MAX_ASIN_LENGTH or CONTROL.search(asin):
            raise InvalidParameter(name, f"{asin[:40]!r} is not a product id")
    return asins


def parse_search(params):
    """A SearchRequest from a query string (a WebOb MultiDict); InvalidParameter if malformed."""
    text = (params.get("q") or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidParameter("q", f"must be at most {MAX_QUERY_LENGTH} characters")
    query = parse_query(text)
    if len(query.required) + len(query.excluded) > MAX_QUERY_WORDS:
        raise InvalidParameter("q", f"must have at most {MAX_QUERY_WORDS} words")
    descriptors = parse_descriptors(params)
    price_min = _number(params, "price_min", 0, MAX_PRICE)
    price_max = _number(params, "price_max", 0, MAX_PRICE)
    if price_min is not None and price_max is not None and price_min > price_max:
        raise InvalidParameter("price_max", "must not be below price_min")
    page = page_request(params, DEFAULT_PER_PAGE, max_per_page=MAX_PER_PAGE)
    explain = choice(params, "explain", ("0", "1", "true", "false"), "0") in ("1", "true")
    return SearchRequest(
        query=query,
        descriptors=descriptors,
        category=_text(params, "category", MAX_FILTER_LENGTH),
        brand=_text(params, "brand", MAX_FILTER_LENGTH),
        price_min=price_min,
        price_max=price_max,
        rating_min=_number(params, "rating_min", 1, 5, kind=float),
        sort=choice(params, "sort", SORT_NAMES, SORT_NAMES[0]),
        page=page.number,
        per_page=page.per_page,
        explain=explain,
    )
