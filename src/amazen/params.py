"""Parsing of query-string parameters shared by the pages and the API.

Malformed values raise InvalidParameter, which the error views turn into a 400 page or JSON error;
values that are well formed but out of range are clamped, so an old bookmark still shows something.
"""

import re
from dataclasses import dataclass

MAX_PAGE = 1_000_000
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,12}")  # ASCII digits only: str.isdigit() also accepts "²"


class InvalidParameter(ValueError):
    def __init__(self, field, message):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def integer(params, field, default):
    raw = params.get(field)
    if raw is None or raw.strip() == "":
        return default
    raw = raw.strip()
    if not WHOLE_NUMBER.fullmatch(raw):
        raise InvalidParameter(field, f"must be a whole number, not {raw[:40]!r}")
    return int(raw)


def choice(params, field, allowed, default):
    raw = params.get(field)
    if raw is None or raw == "":
        return default
    if raw not in allowed:
        raise InvalidParameter(field, f"must be one of {', '.join(allowed)}")
    return raw


@dataclass(frozen=True)
class PageRequest:
    number: int
    per_page: int

    @property
    def offset(self):
        return (self.number - 1) * self.per_page


def page_request(params, default_per_page, max_per_page=100):
    number = min(max(integer(params, "page", 1), 1), MAX_PAGE)
    per_page = min(max(integer(params, "per_page", default_per_page), 1), max_per_page)
    return PageRequest(number, per_page)


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    per_page: int
    total: int

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))

    @property
    def first_item(self):
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_item(self):
        return (self.number - 1) * self.per_page + len(self.items)
