"""The JSON readers (McAuley 2014, Ni 2018, McAuley 2023) on the real files of the public Amazon datasets.

Expected numbers are computed here from the raw files with ``json.loads`` and regular expressions, not with
the readers' own code paths, and checked against the counts in PROVENANCE.md; the tests on them skip
without the datasets (AMAZEN_DATA_DIR, see tests/conftest.py). No database is needed.
"""

import gzip
import html
import json
import re
from collections import Counter
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from amazen.catalog.records import ProductRecord, ReviewRecord
from amazen.ingest.base import (
    BAD_RATING,
    BLANK_LINE,
    MALFORMED,
    MISSING_ASIN,
    MISSING_REVIEWER,
    Skip,
    open_text,
    read_sample,
)
from amazen.ingest.readers.json_formats import (
    READERS,
    McAuley2014Meta,
    McAuley2014Reviews,
    McAuley2023Meta,
    McAuley2023Reviews,
    Ni2018Meta,
    Ni2018Reviews,
)
from tests.datasets import (
    APPLIANCES_META,
    DATAFINITI,
    GIFT_META,
    GIFT_REVIEWS,
    HULIU,
    HULIU_README,
    MDSD,
    MUSIC_REVIEWS,
    TOY_META,
    TSV,
)

# Files of the other readers' formats: none of the JSON readers may claim them.
OTHER_FILES = [TSV, DATAFINITI, *MDSD, *HULIU, HULIU_README]

MARKUP = re.compile(r"<\s*/?[a-zA-Z][^>]*>")
RAW_DOLLAR_PRICE = re.compile(r"\$\d{1,3}(?:,\d{3})*(?:\.\d\d)?|\$\d+(?:\.\d\d)?")


def raw_json_lines(path):
    """(line number, parsed object) for each non-blank line, by plain json.loads."""
    with open(path, encoding="utf-8") as handle:
        return [(n, json.loads(line)) for n, line in enumerate(handle, start=1) if line.strip()]


def read_file(reader, path):
    with open_text(path) as handle:
        return list(reader.read(handle))


def records_of(items, kind):
    return [item for _, item in items if isinstance(item, kind)]


def skips_of(items):
    return [(number, item.reason) for number, item in items if isinstance(item, Skip)]


def sniffed(path):
    """Names of every JSON reader that claims the file (tried in READERS order)."""
    sample = read_sample(path)
    return [reader.name for reader in READERS if reader.sniff(sample, Path(path).name)]


def write_lines(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


# --- the real files --------------------------------------------------------------------------------------


@pytest.mark.usefixtures("amazon_data")
def test_gift_card_reviews_match_the_raw_file():
    raw = raw_json_lines(GIFT_REVIEWS)
    items = read_file(Ni2018Reviews(), GIFT_REVIEWS)
    reviews = records_of(items, ReviewRecord)

    # The raw file, counted by json.loads, agrees with PROVENANCE.md ...
    assert len(raw) == 2972
    assert len({r["asin"] for _, r in raw}) == 148
    raw_stars = Counter(int(r["overall"]) for _, r in raw)
    assert raw_stars == {5: 2752, 4: 154, 3: 33, 2: 11, 1: 22}
    raw_without_text = sum(1 for _, r in raw if not (r.get("reviewText") or "").strip())
    assert raw_without_text == 6

    # ... and the reader gives exactly the same: one review per line, nothing skipped.
    assert len(items) == len(reviews) == 2972
    assert [number for number, _ in items] == [number for number, _ in raw]
    assert len({r.asin for r in reviews}) == 148
    assert Counter(r.rating for r in reviews) == raw_stars
    assert sum(r.text is None for r in reviews) == raw_without_text
    assert sum(r.verified for r in reviews) == sum(r["verified"] is True for _, r in raw)
    raw_votes = [int(r["vote"].replace(",", "")) if "vote" in r else 0 for _, r in raw]
    assert [r.helpful_votes for r in reviews] == raw_votes
    assert [r.reviewed_at for r in reviews] == [datetime.fromtimestamp(r["unixReviewTime"], tz=timezone.utc) for _, r in raw]
    assert all(r.reviewed_at.tzinfo is not None for r in reviews)


@pytest.mark.usefixtures("amazon_data")
def test_gift_card_meta_match_the_raw_file():
    raw = raw_json_lines(GIFT_META)
    products = records_of(read_file(Ni2018Meta(), GIFT_META), ProductRecord)

    assert len(raw) == len({r["asin"] for _, r in raw}) == 1547
    assert len(products) == 1547
    assert [p.asin for p in products] == [r["asin"] for _, r in raw]
    assert not any(p.partial for p in products)

    raw_prices = [r["price"] for _, r in raw if RAW_DOLLAR_PRICE.fullmatch(r["price"])]
    assert sorted(p.price for p in products if p.price is not None) == sorted(
        Decimal(price[1:].replace(",", "")) for price in raw_prices
    )
    raw_with_image = sum(1 for _, r in raw if any(url.startswith("http") for url in r["imageURLHighRes"] + r["imageURL"]))
    assert sum(p.image_url is not None for p in products) == raw_with_image
    assert all(p.image_url.startswith("https://") for p in products if p.image_url)

    # Titles decoded ("Maggiano&#39;s" -> "Maggiano's"), brands empty on 1,020 products.
    assert not any("&#39;" in p.title or "&gt;" in p.title for p in products)
    assert sum(p.brand is None for p in products) == sum(1 for _, r in raw if not r["brand"].strip()) == 1020

    # Categories: ["Gift Cards", "Gift Cards", "No expiration, no fees.", ...] is one path, "Gift Cards".
    paths = Counter(p.categories for p in products)
    raw_accessories = sum(1 for _, r in raw if r["category"][1:2] == ["Gift Card Accessories"])
    assert paths[(("Gift Cards", "Gift Card Accessories"),)] == raw_accessories
    assert paths[(("Gift Cards",),)] == 1547 - raw_accessories
    for product in products:
        assert not any(MARKUP.search(t) for t in [product.description or "", *product.features])


@pytest.mark.usefixtures("amazon_data")
def test_musical_instruments_2014_reviews():
    raw = raw_json_lines(MUSIC_REVIEWS)
    items = read_file(McAuley2014Reviews(), MUSIC_REVIEWS)
    reviews = records_of(items, ReviewRecord)

    assert len(raw) == len(reviews) == 50
    assert len({r["asin"] for _, r in raw}) == len({r.asin for r in reviews}) == 7
    by_line = dict(items)
    for number, line in raw:
        review = by_line[number]
        assert review.asin == line["asin"] and review.reviewer_id == line["reviewerID"]
        assert review.helpful_votes == line["helpful"][0]
        assert review.rating == int(line["overall"])
        assert review.verified is False
        assert review.reviewed_at == datetime.fromtimestamp(line["unixReviewTime"], tz=timezone.utc)
    assert reviews[0].reviewer_name == "cassandra tu \"Yeah, well, that's just like, u..."


@pytest.mark.usefixtures("amazon_data")
def test_toy_meta_is_one_json_array_on_one_line():
    raw = json.loads(TOY_META.read_text(encoding="utf-8"))
    items = read_file(McAuley2014Meta(), TOY_META)
    products = records_of(items, ProductRecord)

    assert len(raw) == len({r["asin"] for r in raw}) == 499
    assert len(products) == len(items) == 499
    assert {number for number, _ in items} == {1}  # every element starts on the file's only line
    assert [p.asin for p in products] == [r["asin"] for r in raw]

    # Several category paths per product survive as separate paths.
    for product, line in zip(products, raw):
        expected = tuple(tuple(html.unescape(name) for name in path) for path in line.get("categories", []))
        assert product.categories == expected
    assert sum(len(p.categories) > 1 for p in products) == sum(len(r.get("categories", [])) > 1 for r in raw) > 0

    # PROVENANCE.md says 24: that is the titles with any "&"; 21 of them carry the entity "&amp;".
    assert sum("&amp;" in r["title"] for r in raw) == 21
    assert not any("&amp;" in (p.title or "") for p in products)
    assert sum(p.price is not None for p in products) == sum(isinstance(r.get("price"), float) for r in raw)
    # "no-img" icons are http URLs too, but placeholders: no image.
    real_images = [r for r in raw if "imUrl" in r and "no-img" not in r["imUrl"]]
    assert sum(p.image_url is not None for p in products) == len(real_images) == 464
    assert not any("no-img" in (p.image_url or "") for p in products)


@pytest.mark.usefixtures("amazon_data")
def test_appliances_meta_drops_markup_and_css():
    raw = raw_json_lines(APPLIANCES_META)
    products = records_of(read_file(Ni2018Meta(), APPLIANCES_META), ProductRecord)

    assert len(raw) == len(products) == 100
    assert all(p.price is None or isinstance(p.price, Decimal) for p in products)
    raw_dollar_prices = [r["price"] for _, r in raw if RAW_DOLLAR_PRICE.fullmatch(r["price"])]
    assert sum(1 for _, r in raw if r["price"].startswith(".a-box-inner{")) > 0  # the CSS is really there
    assert sum(p.price is not None for p in products) == len(raw_dollar_prices) > 0
    for product in products:
        for value in [product.title, product.description, *product.features]:
            if value:
                assert not MARKUP.search(value) and "{" not in value, value[:200]
                assert "&amp;" not in value and "&quot;" not in value
        for path in product.categories:
            assert not any("&amp;" in name for name in path)
    # This category file has only "image" (thumbnails) instead of imageURL/imageURLHighRes.
    assert sum(p.image_url is not None for p in products) == sum(bool(r["image"]) for _, r in raw)


# --- sniffing --------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("amazon_data")
@pytest.mark.parametrize(
    "path, expected",
    [
        (GIFT_REVIEWS, "ni2018-reviews"),
        (GIFT_META, "ni2018-meta"),
        (MUSIC_REVIEWS, "mcauley2014-reviews"),
        (TOY_META, "mcauley2014-meta"),
        (APPLIANCES_META, "ni2018-meta"),
    ],
)
def test_each_real_file_is_recognised_by_exactly_one_reader(path, expected, tmp_path):
    assert sniffed(path) == [expected]
    # The same bytes gzipped, under a name that gives nothing away.
    copy = tmp_path / "upload.bin"
    copy.write_bytes(gzip.compress(path.read_bytes()))
    assert sniffed(copy) == [expected]


@pytest.mark.usefixtures("amazon_data")
def test_gzipped_file_reads_like_the_plain_one(tmp_path):
    copy = tmp_path / "Gift_Cards_5.json.gz"
    copy.write_bytes(gzip.compress(GIFT_REVIEWS.read_bytes()))
    assert read_file(Ni2018Reviews(), copy) == read_file(Ni2018Reviews(), GIFT_REVIEWS)


@pytest.mark.usefixtures("amazon_data")
@pytest.mark.parametrize("path", OTHER_FILES, ids=lambda p: p.name)
def test_other_formats_are_not_claimed(path):
    assert sniffed(path) == []


@pytest.mark.usefixtures("amazon_data")
def test_sniff_looks_at_the_first_complete_line_only():
    line = GIFT_REVIEWS.read_text(encoding="utf-8").splitlines()[0]
    # A sample cut off in the second line still shows its format in the first.
    assert Ni2018Reviews().sniff(line + "\n" + line[:40], "x") is True
    assert Ni2018Reviews().sniff("\n\n  " + line + "\n", "x") is True  # leading blank lines
    assert not any(reader.sniff(line[:40], "x") for reader in READERS)  # an incomplete line: unknown
    assert not any(reader.sniff("", "x") for reader in READERS)
    assert not any(reader.sniff("[1, 2, 3]\n", "x") for reader in READERS)


# --- the 2014 metadata layouts ---------------------------------------------------------------------------


DICT_LITERAL_LINES = [
    "{'asin': '0078764343', 'title': 'Eyewitness: Medieval Life', 'price': 12.5, "
    "'imUrl': 'http://ecx.images-amazon.com/images/I/51Ok.jpg', "
    "'related': {'also_bought': ['B00ABC']}, 'salesRank': {'Books': 1234}, "
    "'categories': [['Books', 'History'], ['Books', 'Children\\'s Books']]}",
    "",
    "{'asin': '0000031852', 'title': 'Girls Ballet Tutu Zebra Hot Pink', 'brand': 'Coxlures', "
    "'imUrl': 'http://g-ecx.images-amazon.com/images/G/01/x-site/icons/no-img-sm._CB192198896_.gif', "
    "'description': 'Tulle &amp; satin<br>Ages 2-8', 'categories': [['Sports & Outdoors', 'Other Sports', 'Dance']]}",
    "{'asin': __import__('os').system('touch PWNED'), 'title': 'evil'}",
    '{"asin": "B000JSON01", "title": "A JSON line among dict literals", "categories": [["Toys &amp; Games"]]}',
    "{'title': 'no asin here', 'imUrl': 'no-img'}",
    "{'asin': 'B000BROKEN', 'title': 'unterminated",
]


def test_dict_literal_meta_lines_are_parsed_without_eval(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write_lines(tmp_path / "metadata.json", DICT_LITERAL_LINES)
    assert sniffed(path) == ["mcauley2014-meta"]

    items = read_file(McAuley2014Meta(), path)
    assert skips_of(items) == [(2, BLANK_LINE), (4, MALFORMED), (6, MISSING_ASIN), (7, MALFORMED)]
    assert not (tmp_path / "PWNED").exists()
    assert [number for number, _ in items] == list(range(1, 8))

    products = dict((n, item) for n, item in items if isinstance(item, ProductRecord))
    first = products[1]
    assert first.asin == "0078764343" and first.price == Decimal("12.50")
    assert first.categories == (("Books", "History"), ("Books", "Children's Books"))
    assert first.image_url == "http://ecx.images-amazon.com/images/I/51Ok.jpg"
    second = products[3]
    assert second.image_url is None  # the no-img placeholder
    assert second.brand == "Coxlures" and second.description == "Tulle & satin\nAges 2-8"
    assert products[5].categories == (("Toys & Games",),)


def test_dict_literal_file_starting_with_the_evil_line_is_not_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write_lines(tmp_path / "evil.json", [DICT_LITERAL_LINES[3], DICT_LITERAL_LINES[0]])
    assert sniffed(path) == []  # the first line is no record, so the format is unknown ...
    assert not (tmp_path / "PWNED").exists()  # ... and nothing ran
    items = read_file(McAuley2014Meta(), path)
    assert skips_of(items) == [(1, MALFORMED)]


def test_pretty_printed_array_reports_each_element_at_its_first_line(tmp_path):
    elements = [
        {"asin": "A1", "title": "First", "categories": [["Books"]]},
        {"asin": "A2", "title": "Second", "price": 3.5, "related": {"also_bought": ["A1"]}},
        {"title": "No asin", "imUrl": "http://example.com/x.jpg"},
    ]
    text = json.dumps(elements, indent=2)
    path = tmp_path / "array.json"
    path.write_text("\n" + text + "\n", encoding="utf-8")
    assert sniffed(path) == ["mcauley2014-meta"]

    starts = [n for n, line in enumerate(path.read_text().split("\n"), start=1) if line == "  {"]
    items = read_file(McAuley2014Meta(), path)
    assert [number for number, _ in items] == [1] + starts  # line 1 is blank
    assert items[0][1] == Skip(BLANK_LINE)
    assert [item.asin for _, item in items[1:3]] == ["A1", "A2"]
    assert items[2][1].price == Decimal("3.50")
    assert items[3][1].reason == MISSING_ASIN


def test_array_with_a_broken_element_recovers_at_the_next_line(tmp_path):
    lines = [
        "[",
        '{"asin": "A1", "title": "ok", "salesRank": {"Books": 1}},',
        '{"asin": "A2", "title": broken},',
        '{"asin": "A3", "title": "ok again"}',
        "]",
    ]
    items = read_file(McAuley2014Meta(), write_lines(tmp_path / "a.json", lines))
    assert [(n, getattr(item, "asin", None) or item.reason) for n, item in items] == [
        (2, "A1"),
        (3, MALFORMED),
        (4, "A3"),
    ]


def test_truncated_array_is_reported_not_raised(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text('[{"asin": "A1", "categories": [["Books"]]}, {"asin": "A2", "tit', encoding="utf-8")
    items = read_file(McAuley2014Meta(), path)
    assert items[0][1].asin == "A1"
    assert [(n, item.reason) for n, item in items[1:]] == [(1, MALFORMED)]


def test_array_is_read_incrementally():
    """The first product comes out before the line iterator is anywhere near its end."""
    consumed = 0

    def lines():
        nonlocal consumed
        yield "[\n"
        for index in range(30_000):
            consumed += 1
            title = f"Girls Ballet Tutu Neon Pink, size {index} (a realistic title of about a hundred chars)"
            yield json.dumps({"asin": f"A{index}", "title": title, "categories": [["Books"]]}) + ",\n"
        yield '{"asin": "LAST", "categories": [["Books"]]}\n]\n'

    items = McAuley2014Meta().read(lines())
    number, first = next(items)
    assert (number, first.asin) == (2, "A0")
    assert consumed < 10_000  # about one chunk (1 MiB) of 150-character lines, not all 30,000
    rest = list(items)
    assert len(rest) == 30_000 and rest[-1][0] == 30_002 and rest[-1][1].asin == "LAST"


# --- broken lines in review files ------------------------------------------------------------------------


def test_broken_lines_become_skips_with_their_line_numbers(tmp_path):
    good = {
        "overall": 4.0,
        "verified": True,
        "reviewerID": "R1",
        "asin": "B1",
        "reviewText": "Fine.",
        "summary": "ok",
        "unixReviewTime": 1529193600,
        "reviewTime": "06 17, 2018",
    }
    lines = [
        json.dumps(good),
        '{"overall": 5.0, "reviewerID": "R2", "asin": "B1", "reviewText": "cut off',
        "   ",
        json.dumps({**good, "asin": ""}),
        json.dumps({**good, "overall": 7.0}),
        json.dumps({**good, "reviewerID": None}),
        json.dumps({**good, "reviewerID": "R3", "vote": "1,234", "overall": "3"}),
        "[1, 2]",
        json.dumps({**good, "reviewerID": "R4", "overall": "five"}),
        json.dumps({k: v for k, v in {**good, "reviewerID": "R5"}.items() if k != "unixReviewTime"}),
        json.dumps({**good, "reviewerID": "R6", "unixReviewTime": "soon", "reviewTime": "never"}),
        json.dumps({**good, "reviewerID": "R7", "overall": 4.5}),
        json.dumps({k: v for k, v in {**good, "reviewerID": "R8"}.items() if k != "reviewText"}),
    ]
    items = read_file(Ni2018Reviews(), write_lines(tmp_path / "reviews.json", lines))

    assert [number for number, _ in items] == list(range(1, 14))  # every line accounted for
    assert skips_of(items) == [
        (2, MALFORMED),
        (3, BLANK_LINE),
        (4, MISSING_ASIN),
        (5, BAD_RATING),
        (6, MISSING_REVIEWER),
        (8, MALFORMED),
        (9, BAD_RATING),
        (12, BAD_RATING),
    ]
    assert all(len(item.detail) <= 100 for _, item in items if isinstance(item, Skip))
    reviews = dict((n, r) for n, r in items if isinstance(r, ReviewRecord))
    assert reviews[1].rating == 4 and reviews[1].verified is True
    assert reviews[7].helpful_votes == 1234 and reviews[7].rating == 3
    assert reviews[10].reviewed_at == datetime(2018, 6, 17, tzinfo=timezone.utc)  # from reviewTime
    assert reviews[11].reviewed_at is None  # bad dates are dropped, not skipped
    assert reviews[13].text is None


def test_absurdly_long_fields_are_truncated(tmp_path):
    line = {
        "overall": 5.0,
        "reviewerID": "R1",
        "asin": "B1",
        "helpful": [1, 1],
        "summary": "s" * 5000,
        "reviewText": "word " * 20_000,
        "reviewerName": "n" * 1000,
    }
    items = read_file(McAuley2014Reviews(), write_lines(tmp_path / "long.json", [json.dumps(line)]))
    review = items[0][1]
    assert len(review.summary) == 1000 and len(review.reviewer_name) == 255
    assert 49_000 < len(review.text) <= 50_000


# --- 2023 (no real files in shared/: small realistic fixtures) -------------------------------------------


REVIEWS_2023 = [
    {
        "rating": 5.0,
        "title": "Such a lovely scent but not overpowering.",
        "text": "This spray is really nice. It smells really good, goes on really fine.<br />Love it!",
        "images": [],
        "asin": "B00YQ6X8EO",
        "parent_asin": "B00YQ6X8EO",
        "user_id": "AGKHLEW2SOWHNMFQIJGBECAF7INQ",
        "timestamp": 1588687728923,
        "helpful_vote": 0,
        "verified_purchase": True,
    },
    {
        "rating": 4.0,
        "title": "Works great but smells a little weird.",
        "text": "This product does what I need it to do, I just wish it was odorless.",
        "images": [{"small_image_url": "https://m.media-amazon.com/images/I/71x.jpg"}],
        "asin": "B081TJ8YS3",
        "parent_asin": "B08BZ63GMJ",
        "user_id": "AGKHLEW2SOWHNMFQIJGBECAF7INQ",
        "timestamp": 1588615855070,
        "helpful_vote": 3,
        "verified_purchase": False,
    },
    {
        "rating": 1.0,
        "title": "Smells awful",
        "text": "",
        "images": [],
        "asin": "B07PNNCSP9",
        "user_id": "AE74DYR3QUGVPZJ3P7RFWBGIX7XQ",
        "timestamp": 1589665266052,
        "helpful_vote": 2,
        "verified_purchase": True,
    },
    {
        "rating": 0,
        "title": "x",
        "text": "y",
        "asin": "B1",
        "parent_asin": "B1",
        "user_id": "U1",
        "timestamp": 1,
        "helpful_vote": 0,
        "verified_purchase": True,
    },
    {
        "rating": 3.0,
        "title": "x",
        "text": "y",
        "asin": "B1",
        "parent_asin": "B1",
        "user_id": "",
        "timestamp": 1,
        "helpful_vote": 0,
        "verified_purchase": True,
    },
]

META_2023 = [
    {
        "main_category": "All Beauty",
        "title": "Howard LC0008 Leather Conditioner, 8-Ounce (4-Pack)",
        "average_rating": 4.8,
        "rating_number": 10,
        "features": [],
        "description": [],
        "price": None,
        "images": [
            {
                "thumb": "https://m.media-amazon.com/images/I/41qfjSfqNyL._SS40_.jpg",
                "large": "https://m.media-amazon.com/images/I/41qfjSfqNyL.jpg",
                "variant": "MAIN",
                "hi_res": None,
            },
            {
                "thumb": "https://m.media-amazon.com/images/I/41w2yznfuZL._SS40_.jpg",
                "large": "https://m.media-amazon.com/images/I/41w2yznfuZL.jpg",
                "variant": "PT01",
                "hi_res": "https://m.media-amazon.com/images/I/71i77AuI9xL._SL1500_.jpg",
            },
        ],
        "videos": [],
        "store": "Howard Products",
        "categories": [],
        "details": {"Package Dimensions": "7.1 x 5.5 x 3 inches; 2.38 Pounds", "UPC": "617390882781"},
        "parent_asin": "B01CUPMQZE",
        "bought_together": None,
    },
    {
        "main_category": "Cell Phones & Accessories",
        "title": "Case for iPhone 11 &amp; 11 Pro",
        "average_rating": 4.1,
        "rating_number": 1043,
        "features": ["Shockproof <b>TPU</b> bumper", "Raised edges protect the screen"],
        "description": ["Fits iPhone 11.", "Wireless charging compatible."],
        "price": "$12.99",
        "images": [
            {
                "thumb": "https://m.media-amazon.com/images/I/1._SS40_.jpg",
                "large": "https://m.media-amazon.com/images/I/1.jpg",
                "hi_res": "https://m.media-amazon.com/images/I/1._SL1500_.jpg",
                "variant": "MAIN",
            }
        ],
        "store": "",
        "categories": ["Cell Phones & Accessories", "Cases, Holsters & Sleeves", "Basic Cases"],
        "details": {},
        "parent_asin": "B08BZ63GMJ",
    },
    {
        "main_category": "Books",
        "title": "",
        "rating_number": 1,
        "price": "from 3.99",
        "images": [],
        "store": "Jane Author (Author)",
        "categories": [],
        "parent_asin": "B0BOOK0001",
    },
    {"main_category": "Books", "title": "No parent asin", "rating_number": 1, "categories": []},
]


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_2023_reviews_join_on_parent_asin(tmp_path, suffix):
    text = "".join(json.dumps(line) + "\n" for line in REVIEWS_2023)
    path = tmp_path / f"All_Beauty{suffix}"
    path.write_bytes(gzip.compress(text.encode()) if suffix.endswith(".gz") else text.encode())
    assert sniffed(path) == ["mcauley2023-reviews"]

    items = read_file(McAuley2023Reviews(), path)
    assert skips_of(items) == [(4, BAD_RATING), (5, MISSING_REVIEWER)]
    first, second, third = records_of(items, ReviewRecord)
    assert second.asin == "B08BZ63GMJ"  # the parent, not the variant "B081TJ8YS3"
    assert third.asin == "B07PNNCSP9"  # no parent_asin: the asin
    assert first.reviewed_at == datetime.fromtimestamp(1588687728.923, tz=timezone.utc)
    assert first.text == "This spray is really nice. It smells really good, goes on really fine.\nLove it!"
    assert first.summary == "Such a lovely scent but not overpowering."
    assert (first.verified, second.verified) == (True, False)
    assert second.helpful_votes == 3 and second.rating == 4
    assert third.text is None and first.reviewer_name is None


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_2023_meta(tmp_path, suffix):
    text = "".join(json.dumps(line) + "\n" for line in META_2023)
    path = tmp_path / f"meta_All_Beauty{suffix}"
    path.write_bytes(gzip.compress(text.encode()) if suffix.endswith(".gz") else text.encode())
    assert sniffed(path) == ["mcauley2023-meta"]

    items = read_file(McAuley2023Meta(), path)
    assert skips_of(items) == [(4, MISSING_ASIN)]
    howard, case, book = records_of(items, ProductRecord)
    assert howard.asin == "B01CUPMQZE" and howard.brand == "Howard Products" and howard.price is None
    assert howard.categories == (("All Beauty",),)  # empty categories: the main category
    # The main image at its best resolution ("large"; it has no hi_res), not the next image's hi_res.
    assert howard.image_url == "https://m.media-amazon.com/images/I/41qfjSfqNyL.jpg"
    assert case.title == "Case for iPhone 11 & 11 Pro" and case.price == Decimal("12.99")
    assert case.categories == (("Cell Phones & Accessories", "Cases, Holsters & Sleeves", "Basic Cases"),)
    assert case.features == ("Shockproof TPU bumper", "Raised edges protect the screen")
    assert case.description == "Fits iPhone 11.\n\nWireless charging compatible."
    assert case.image_url.endswith("._SL1500_.jpg") and case.brand is None
    assert book.title is None and book.price is None and book.image_url is None
    assert not any(p.partial for p in (howard, case, book))


def test_byte_order_mark_and_windows_line_endings(tmp_path):
    review = {"overall": 5.0, "reviewerID": "R1", "asin": "B1", "unixReviewTime": 1529193600}
    path = tmp_path / "bom.json"
    path.write_bytes(("\ufeff" + json.dumps(review) + "\r\n\r\n" + json.dumps(review) + "\r\n").encode())
    assert sniffed(path) == ["ni2018-reviews"]
    items = read_file(Ni2018Reviews(), path)
    assert [(n, type(item).__name__) for n, item in items] == [(1, "ReviewRecord"), (2, "Skip"), (3, "ReviewRecord")]

    array = tmp_path / "bom-array.json"
    text = json.dumps([{"asin": "A1", "categories": [["Books"]]}, {"asin": "A2"}], indent=1)
    array.write_bytes(("\ufeff" + text.replace("\n", "\r\n")).encode())
    assert sniffed(array) == ["mcauley2014-meta"]
    assert [(n, item.asin) for n, item in read_file(McAuley2014Meta(), array)] == [(2, "A1"), (10, "A2")]
