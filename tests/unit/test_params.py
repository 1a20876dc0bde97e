import pytest

from amazen.params import InvalidParameter, Page, choice, page_request


@pytest.mark.parametrize("raw", ["abc", "1.5", "1e3", "0x10", "9" * 13, "--1", "²", "１"])
def test_malformed_page_numbers_are_rejected_naming_the_field(raw):
    with pytest.raises(InvalidParameter) as info:
        page_request({"page": raw}, 10)
    assert info.value.field == "page"


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, (1, 10)),
        ({"page": ""}, (1, 10)),
        ({"page": "-1"}, (1, 10)),
        ({"page": "0"}, (1, 10)),
        ({"page": " 3 "}, (3, 10)),
        ({"page": "99999999"}, (1_000_000, 10)),
        ({"per_page": "100000"}, (1, 100)),
        ({"per_page": "0"}, (1, 1)),
    ],
)
def test_out_of_range_pages_are_clamped(params, expected):
    request = page_request(params, 10)
    assert (request.number, request.per_page) == expected


def test_choice_accepts_only_known_values():
    assert choice({}, "sort", ["a", "b"], "a") == "a"
    assert choice({"sort": "b"}, "sort", ["a", "b"], "a") == "b"
    with pytest.raises(InvalidParameter, match="must be one of a, b"):
        choice({"sort": "c"}, "sort", ["a", "b"], "a")


def test_page_arithmetic():
    page = Page(items=[1, 2, 3], number=2, per_page=5, total=8)
    assert (page.pages, page.first_item, page.last_item) == (2, 6, 8)
    assert Page(items=[], number=1, per_page=5, total=0).pages == 1
