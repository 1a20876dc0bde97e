"""The readers of self-contained review files: Amazon TSV, MDSD .review, Datafiniti CSV, Hu & Liu.

Expected numbers are computed here from the raw files of the public Amazon datasets (AMAZEN_DATA_DIR,
see tests/conftest.py) with plain parsing (split, regular expressions, csv.DictReader), independently of
the readers under test; the tests on them skip without the datasets. No database.
"""

import csv
import gzip
import re
from collections import Counter
from datetime import datetime, timezone
from decimal import Decimal

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
from amazen.ingest.readers import datafiniti, huliu, mdsd, tsv
from tests.datasets import DATAFINITI, HULIU, HULIU_README, JSON_FILES, MDSD_BOOKS, MDSD_ELECTRONICS, TSV

# The files by name, so that collection never depends on them being there.
READERS = [tsv.READER, mdsd.READER, datafiniti.READER, huliu.READER]
FILES_BY_READER = {
    tsv.READER.name: [TSV],
    mdsd.READER.name: MDSD_ELECTRONICS + MDSD_BOOKS,
    datafiniti.READER.name: [DATAFINITI],
    huliu.READER.name: HULIU,
}
ALL_FILES = [(name, path) for name, paths in FILES_BY_READER.items() for path in paths]


def read_file(reader, path):
    """Every (line_number, item) the reader yields for ``path``, read the way the importer reads it."""
    with open_text(path) as handle:
        return list(reader.read(handle, source_name=path.stem))


def read_text(reader, text, **kwargs):
    return list(reader.read(text.splitlines(keepends=True), **kwargs))


def products_of(items):
    return [item for _, item in items if isinstance(item, ProductRecord)]


def reviews_of(items):
    return [item for _, item in items if isinstance(item, ReviewRecord)]


def skips_of(items):
    return [(line, item) for line, item in items if isinstance(item, Skip)]


def assert_products_come_first(items):
    """Each review's partial product was yielded before it (or on the same line, just before it)."""
    announced = set()
    for _, item in items:
        if isinstance(item, ProductRecord):
            assert item.partial
            announced.add(item.asin)
        elif isinstance(item, ReviewRecord):
            assert item.asin in announced


# --- recognising files ------------------------------------------------------------------------------


@pytest.mark.usefixtures("amazon_data")
@pytest.mark.parametrize("name, path", ALL_FILES, ids=[path.name for _, path in ALL_FILES])
def test_each_real_file_is_recognised_by_its_reader_only(name, path):
    sample = read_sample(path)
    claimed = [reader.name for reader in READERS if reader.sniff(sample, path.name)]
    assert claimed == [name]


@pytest.mark.usefixtures("amazon_data")
@pytest.mark.parametrize("path", [HULIU_README, *JSON_FILES], ids=lambda p: p.name)
def test_other_files_are_rejected(path):
    sample = read_sample(path)
    assert [reader.name for reader in READERS if reader.sniff(sample, path.name)] == []


@pytest.mark.usefixtures("amazon_data")
def test_sniff_decides_from_content_not_the_file_name():
    sample = read_sample(TSV)
    assert tsv.READER.sniff(sample, "reviews.dat")
    assert not tsv.READER.sniff("marketplace,customer_id\n", TSV.name)
    assert not huliu.READER.sniff(read_sample(HULIU_README), "Canon G3.txt")


@pytest.mark.usefixtures("amazon_data")
@pytest.mark.parametrize(
    "name, path",
    [
        (tsv.READER.name, TSV),
        (datafiniti.READER.name, DATAFINITI),
        (mdsd.READER.name, MDSD_ELECTRONICS[0]),
        (huliu.READER.name, HULIU[1]),
    ],
    ids=lambda value: getattr(value, "name", value),
)
def test_a_gzip_copy_gives_the_same_records(tmp_path, name, path):
    copy = tmp_path / (path.name + ".gz")
    copy.write_bytes(gzip.compress(path.read_bytes()))
    reader = next(reader for reader in READERS if reader.name == name)
    assert reader.sniff(read_sample(copy), copy.name)
    # The importer passes the stem: "Canon G3.txt" for "Canon G3.txt.gz"; the asin must not change.
    assert read_file(reader, copy) == read_file(reader, path)


# --- Amazon Customer Reviews TSV -------------------------------------------------------------------


def tsv_raw():
    """(header, rows, physical lines) with a plain split on tabs."""
    lines = TSV.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"))) for line in lines[1:] if line.strip()]
    return header, rows, lines


@pytest.mark.usefixtures("amazon_data")
def test_tsv_counts_match_the_raw_file():
    header, rows, lines = tsv_raw()
    items = read_file(tsv.READER, TSV)
    reviews = reviews_of(items)

    assert len(rows) == 1452  # PROVENANCE.md
    assert len(reviews) == len(rows)
    assert len({p.asin for p in products_of(items)}) == len({r["product_id"] for r in rows}) == 294
    assert Counter(r.rating for r in reviews) == Counter(int(r["star_rating"]) for r in rows)
    assert sum(r.helpful_votes for r in reviews) == sum(int(r["helpful_votes"]) for r in rows)
    assert sum(r.verified for r in reviews) == sum(r["verified_purchase"] == "Y" for r in rows)
    assert [(r.asin, r.reviewer_id) for r in reviews] == [(r["product_id"], r["customer_id"]) for r in rows]
    # The file ends with two blank lines; the header is line 1 and yields nothing.
    blank = [n for n, line in enumerate(lines, start=1) if not line.strip()]
    assert len(blank) == 2
    assert skips_of(items) == [(n, Skip(BLANK_LINE)) for n in blank]
    assert min(n for n, _ in items) == 2
    assert_products_come_first(items)


@pytest.mark.usefixtures("amazon_data")
def test_tsv_fields_are_cleaned():
    _, rows, _ = tsv_raw()
    items = read_file(tsv.READER, TSV)
    reviews = reviews_of(items)
    assert sum("<br" in r["review_body"] for r in rows) == 35  # PROVENANCE.md
    assert not any("<br" in (r.text or "") for r in reviews)
    assert not any(re.search(r"&(#\d+|[a-z]+);", r.text or "") for r in reviews)
    first_product, first_review = items[0][1], items[1][1]
    assert first_product == ProductRecord(
        asin="B004LLIL5A", title="Amazon eGift Card - Celebrate", categories=(("Gift Card",),), partial=True
    )
    assert first_review == ReviewRecord(
        asin="B004LLIL5A",
        reviewer_id="24371595",
        rating=5,
        summary="Five Stars",
        text="Great birthday gift for a young adult.",
        helpful_votes=0,
        verified=True,
        reviewed_at=datetime(2015, 8, 31, tzinfo=timezone.utc),
    )
    # A <br /> becomes a line break.
    with_break = next(r for r in rows if "<br />" in r["review_body"])
    review = next(r for r in reviews if r.reviewer_id == with_break["customer_id"] and r.asin == with_break["product_id"])
    assert "\n" in review.text


@pytest.mark.usefixtures("amazon_data")
def test_tsv_bad_rows_are_skipped_not_raised():
    header = TSV.read_text(encoding="utf-8").splitlines()[0]
    good = "US\t1\tR1\tB000000001\t9\tA title\tGift Card\t5\t2\t3\tN\tN\tHead\tBody\t2015-08-31"
    lines = [
        header,
        good,
        "US\t2\tR2\tB000000002\t9\ttoo few fields",
        good.replace("\t5\t2\t", "\t9\t2\t"),  # 9 stars
        good.replace("\tB000000001\t", "\t\t"),  # no asin
        good.replace("US\t1\t", "US\t\t"),  # no reviewer
        "",
    ]
    items = read_text(tsv.READER, "\n".join(lines) + "\n")
    assert [(n, item.reason) for n, item in skips_of(items)] == [
        (3, MALFORMED),
        (4, BAD_RATING),
        (5, MISSING_ASIN),
        (6, MISSING_REVIEWER),
        (7, BLANK_LINE),
    ]
    assert [(n, type(item).__name__) for n, item in items if not isinstance(item, Skip)] == [
        (2, "ProductRecord"),
        (2, "ReviewRecord"),
    ]


# --- Multi-Domain Sentiment Dataset ----------------------------------------------------------------


def mdsd_raw(path):
    """One dict of stripped field values per <review> block, by regular expressions on the raw text."""
    text = path.read_text(encoding="utf-8", errors="replace")
    blocks = re.findall(r"^<review>$(.*?)^</review>$", text, re.S | re.M)
    return [dict((tag, value.strip()) for tag, value in re.findall(r"<(\w+)>\n(.*?)</\1>", b, re.S)) for b in blocks]


@pytest.mark.usefixtures("amazon_data")
@pytest.mark.parametrize("files, products", [(MDSD_ELECTRONICS, 1299), (MDSD_BOOKS, 1944)], ids=["electronics", "books"])
def test_mdsd_counts_match_the_raw_files(files, products):
    asins = set()
    for path in files:
        raw = mdsd_raw(path)
        items = read_file(mdsd.READER, path)
        reviews = reviews_of(items)
        assert len(raw) == len(reviews) == 1000
        assert skips_of(items) == []
        assert [r.asin for r in reviews] == [block["asin"] for block in raw]
        assert [r.rating for r in reviews] == [int(float(block["rating"])) for block in raw]
        helpful = [int(block["helpful"].split(" of ")[0]) if block["helpful"] else 0 for block in raw]
        assert [r.helpful_votes for r in reviews] == helpful
        reviewers = []
        for block in raw:
            after_last_colon = block["unique_id"].split(":")[-1]
            reviewers.append("mdsd:" + (after_last_colon or block["unique_id"]))
        assert [r.reviewer_id for r in reviews] == reviewers
        assert sum(r.reviewed_at is None for r in reviews) == sum(not block["date"] for block in raw)
        assert len({p.asin for p in products_of(items)}) == len({block["asin"] for block in raw})
        assert_products_come_first(items)
        asins |= {p.asin for p in products_of(items)}
    assert len(asins) == products  # PROVENANCE.md


@pytest.mark.usefixtures("amazon_data")
def test_mdsd_first_review_and_its_product():
    items = read_file(mdsd.READER, MDSD_ELECTRONICS[1])  # positive.review
    assert MDSD_ELECTRONICS[1].name == "positive.review"
    (line, product), (review_line, review) = items[0], items[1]
    assert line == review_line == 1
    assert product == ProductRecord(
        asin="B00006HYUB",
        title="APC Back-UPS ES 500 Backup Battery and Surge Protector",
        categories=(("Electronics",),),
        partial=True,
    )
    assert review.reviewer_id == 'mdsd:d._john_"looser"'
    assert review.reviewer_name == 'D. John "Looser"'
    assert (review.rating, review.helpful_votes, review.summary) == (5, 3, "Everyone should own one")
    assert review.reviewed_at == datetime(2006, 7, 31, tzinfo=timezone.utc)
    # Entities decoded, paragraphs kept.
    assert review.text.endswith("As always, Amazon had it to me in <2 business days")
    assert "\n\nI feel that" in review.text


@pytest.mark.usefixtures("amazon_data")
def test_mdsd_entities_are_decoded_and_bare_ampersands_kept():
    items = [item for path in MDSD_ELECTRONICS + MDSD_BOOKS for item in read_file(mdsd.READER, path)]
    texts = [r.text or "" for r in reviews_of(items)]
    titles = [p.title for p in products_of(items)]
    assert any("<2 business days" in text for text in texts)
    assert not any("&lt;" in text or "&quot;" in text or "&amp;" in text for text in texts)
    assert any(" & " in text for text in texts)
    assert "AT&T 992 Two-Line Corded Speakerphone with Caller ID" in titles


@pytest.mark.usefixtures("amazon_data")
def test_mdsd_product_names_lose_their_category_suffix():
    items = [item for path in MDSD_ELECTRONICS + MDSD_BOOKS for item in read_file(mdsd.READER, path)]
    products = {p.asin: p for p in products_of(items)}
    assert not any(p.title.endswith((": Electronics", ": Books")) for p in products.values())
    assert not any(": Books: " in p.title for p in products.values())
    # What follows the category (author, maker) becomes the brand.
    assert products["0785758968"] == ProductRecord(
        asin="0785758968", title="Sphere", brand="Michael Crichton", categories=(("Books",),), partial=True
    )
    case_logic = next(p for p in products.values() if p.title == "Case Logic Nylon 280-Disc CD/DVD Wallet")
    assert case_logic.brand == "Case Logic"
    # The one game in the electronics files keeps its own category, decoded and capitalised.
    game = next(p for p in products.values() if p.title.startswith("Nintendo e-Reader"))
    assert game.categories == (("Computer & Video Games",),)
    assert game.title == "Nintendo e-Reader - Game console trading card reader"


def test_mdsd_split_product_name():
    split = mdsd.split_product_name
    assert split("Pulp: Books: Charles Bukowski", "books") == ("Pulp", "Books", "Charles Bukowski")
    assert split("Bones: Buried Deep: Books", "books") == ("Bones: Buried Deep", "Books", None)
    assert split("Casablanca: DVD: Humphrey Bogart,Ingrid Bergman", "dvd") == (
        "Casablanca",
        "DVD",
        "Humphrey Bogart,Ingrid Bergman",
    )
    assert split("A name without suffix", "electronics") == ("A name without suffix", None, None)
    assert split(": Electronics", "electronics") == (": Electronics", None, None)
    assert split("Something: Electronics", None) == ("Something: Electronics", None, None)


MDSD_BLOCK = """<review>
<unique_id>
B000TEST01:great:a_reviewer
</unique_id>
<asin>
B000TEST01
</asin>
<product_name>
Widget A & B: Electronics
</product_name>
<product_type>
electronics
</product_type>
<helpful>

</helpful>
<rating>
4.0
</rating>
<title>
Fine &quot;thing&quot;
</title>
<date>

</date>
<reviewer>
A Reviewer
</reviewer>
<reviewer_location>
</reviewer_location>
<review_text>
Works &amp; lasts. Cost &lt;$5.
</review_text>
</review>
"""


def test_mdsd_synthetic_block():
    items = read_text(mdsd.READER, MDSD_BLOCK)
    assert items == [
        (1, ProductRecord(asin="B000TEST01", title="Widget A & B", categories=(("Electronics",),), partial=True)),
        (
            1,
            ReviewRecord(
                asin="B000TEST01",
                reviewer_id="mdsd:a_reviewer",
                rating=4,
                reviewer_name="A Reviewer",
                summary='Fine "thing"',
                text="Works & lasts. Cost <$5.",
                helpful_votes=0,
                reviewed_at=None,
            ),
        ),
    ]


def test_mdsd_bad_blocks_give_one_skip_at_their_review_line():
    truncated = "\n".join(MDSD_BLOCK.splitlines()[:20]) + "\n"  # ends with an open <title>
    pieces = [
        MDSD_BLOCK,
        MDSD_BLOCK.replace("<asin>\nB000TEST01\n</asin>\n", ""),  # no asin
        "\n",
        MDSD_BLOCK.replace("4.0", "7.0"),  # 7 stars
        truncated,  # the next <review> arrives inside <title>
        MDSD_BLOCK,
        "stray text\n",
        MDSD_BLOCK.replace("great:a_reviewer", "great:"),  # empty reviewer part
        truncated,  # the file ends inside the block
    ]
    starts, line = [], 1
    for piece in pieces:
        starts.append(line)
        line += len(piece.splitlines())
    items = read_text(mdsd.READER, "".join(pieces))
    assert [(n, item.reason) for n, item in skips_of(items)] == [
        (starts[1], MISSING_ASIN),
        (starts[2], BLANK_LINE),
        (starts[3], BAD_RATING),
        (starts[4], MALFORMED),
        (starts[6], MALFORMED),
        (starts[8], MALFORMED),
    ]
    assert [n for n, item in items if isinstance(item, ReviewRecord)] == [starts[0], starts[5], starts[7]]
    # An empty reviewer part falls back to the whole unique_id.
    assert reviews_of(items)[-1].reviewer_id == "mdsd:B000TEST01:great:"


@pytest.mark.usefixtures("amazon_data")
def test_mdsd_real_block_without_asin():
    lines = MDSD_ELECTRONICS[1].read_text(encoding="utf-8").splitlines(keepends=True)
    end = lines.index("</review>\n") + 1
    block = [line for line in lines[:end] if line.strip() not in ("<asin>", "</asin>", "B00006HYUB")]
    assert len(block) == end - 3
    assert list(mdsd.READER.read(block)) == [(1, Skip(MISSING_ASIN))]
    assert reviews_of(mdsd.READER.read(lines[:end]))[0].asin == "B00006HYUB"


# --- Datafiniti CSV --------------------------------------------------------------------------------


def datafiniti_raw():
    with open(DATAFINITI, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.usefixtures("amazon_data")
def test_datafiniti_counts_match_the_raw_file():
    rows = datafiniti_raw()
    items = read_file(datafiniti.READER, DATAFINITI)
    reviews = reviews_of(items)
    rated = [r for r in rows if r["reviews.rating"].strip()]

    assert len(rows) == 100
    # Rows without a rating (61 of 100 here) are kept with no stars: their text is real evidence.
    assert len(reviews) == len(rows) == 100 and len(rated) == 39
    assert skips_of(items) == []
    assert Counter(r.rating for r in reviews) == Counter(
        int(float(r["reviews.rating"])) if r["reviews.rating"].strip() else None for r in rows
    )
    assert [(r.asin, r.reviewer_id) for r in reviews] == [
        (r["asins"].split(",")[0], "datafiniti:" + r["reviews.username"]) for r in rows
    ]
    assert sum(r.helpful_votes for r in reviews) == sum(int(r["reviews.numHelpful"] or 0) for r in rows)
    products = products_of(items)
    assert len(products) == len({p.asin for p in products}) == len({r["asins"] for r in rows}) == 4
    assert_products_come_first(items)
    # One record per physical line in this sample: record n starts on line n + 1.
    assert sorted({n for n, _ in items}) == list(range(2, 102))


@pytest.mark.usefixtures("amazon_data")
def test_datafiniti_product_and_review_fields():
    items = read_file(datafiniti.READER, DATAFINITI)
    (line, product), (_, review) = items[0], items[1]
    assert line == 2
    assert product == ProductRecord(
        asin="B00QJDU3KY",
        title="Kindle Paperwhite",
        brand="Amazon",
        price=Decimal("139.99"),
        categories=(("Amazon Devices",), ("mazon.co.uk",)),
        partial=True,
    )
    assert review.reviewer_name == "Cristina M"
    assert (review.rating, review.helpful_votes, review.summary) == (5, 139, "Paperwhite voyage, no regrets!")
    assert review.reviewed_at == datetime(2015, 8, 8, tzinfo=timezone.utc)
    fire_tv = next(p for p in products_of(items) if p.asin == "B00DU15MU4")
    assert fire_tv.categories == (("Categories",), ("Amazon Devices",), ("Streaming Media Players",))


DATAFINITI_HEADER = (
    "id,asins,brand,categories,name,prices,reviews.date,reviews.numHelpful,reviews.rating,reviews.text,"
    "reviews.title,reviews.username"
)


def test_datafiniti_records_spanning_lines_and_bad_rows():
    text = (
        "\n".join(
            [
                DATAFINITI_HEADER,
                'X1,"B000TEST01,B000TEST02",Acme,"A,B",Widget,"[{""amountMin"":9.5,""currency"":""USD""}]",'
                '2017-01-02T03:04:05Z,2,5.0,"first line',  # the text cell goes on for two more lines
                "",
                'second &amp; last",Great,Ann',
                "X2,B000TEST01,Acme,,Widget,,,,abc,text,title,Bob",  # rating "abc"
                "X3,B000TEST01,Acme,,Widget,,,,4,text,title,",  # no username
                "X4,,Acme,,Widget,,,,4,text,title,Cy",  # no asin
                "X5,B000TEST01,too,few",
                "",
                "X6,B000TEST03,Acme,,Gadget,not json,bad date,-3,1,text,,Dee",
            ]
        )
        + "\n"
    )
    items = read_text(datafiniti.READER, text)
    assert [(n, item.reason) for n, item in skips_of(items)] == [
        (5, BAD_RATING),
        (6, MISSING_REVIEWER),
        (7, MISSING_ASIN),
        (8, MALFORMED),
        (9, BLANK_LINE),
    ]
    assert items[0] == (
        2,
        ProductRecord(
            asin="B000TEST01",
            title="Widget",
            brand="Acme",
            price=Decimal("9.50"),
            categories=(("A",), ("B",)),
            partial=True,
        ),
    )
    assert items[1] == (
        2,
        ReviewRecord(
            asin="B000TEST01",
            reviewer_id="datafiniti:Ann",
            rating=5,
            reviewer_name="Ann",
            summary="Great",
            text="first line\n\nsecond & last",
            helpful_votes=2,
            reviewed_at=datetime(2017, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        ),
    )
    assert items[-2:] == [
        (10, ProductRecord(asin="B000TEST03", title="Gadget", brand="Acme", partial=True)),
        (10, ReviewRecord(asin="B000TEST03", reviewer_id="datafiniti:Dee", rating=1, reviewer_name="Dee", text="text")),
    ]


def test_datafiniti_without_its_columns_is_one_skip():
    items = read_text(datafiniti.READER, "id,name\n1,x\n2,y\n")
    assert items == [(1, Skip(MALFORMED, "header lacks asins, reviews.rating, reviews.text, reviews.username"))]


# --- Hu & Liu 2004 ---------------------------------------------------------------------------------


def huliu_raw(path):
    """(number of "[t]" markers, whether sentences come before the first one, the stripped titles)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    first_title = next(i for i, line in enumerate(lines) if "[t]" in line)
    before = any("#" in line for line in lines[:first_title])
    titles = [line.split("[t]", 1)[1].split("##")[0].strip() for line in lines if "[t]" in line]
    return sum(line.count("[t]") for line in lines), before, titles


@pytest.mark.usefixtures("amazon_data")
def test_huliu_reviews_match_the_title_markers():
    markers = [huliu_raw(path)[0] for path in HULIU]
    # PROVENANCE.md says 40 for Nokia 6610; it has 41 markers, one written "***[t]".
    assert markers == [98, 44, 95, 34, 41]
    for path in HULIU:
        count, before, titles = huliu_raw(path)
        items = read_file(huliu.READER, path)
        reviews = reviews_of(items)
        # Sentences before the first [t] form review 0 (Apex, Canon G3).
        assert len(reviews) == count + before
        assert [r.reviewer_id for r in reviews] == [f"huliu:{n}" for n in range(0 if before else 1, count + 1)]
        assert [r.summary for r in reviews] == ([None] if before else []) + [t or None for t in titles]
        assert all(r.rating is None and r.asin == reviews[0].asin for r in reviews)
        assert all(r.text for r in reviews)
        assert not any("[+" in r.text or "[-" in r.text or "##" in r.text for r in reviews)
        assert not any(re.search(r"\[(u|p|s|cc|cs)\]", r.text) for r in reviews)
        assert products_of(items) == [ProductRecord(asin=reviews[0].asin, title=path.stem, categories=(), partial=True)]
        assert_products_come_first(items)
        # Blank lines before the first review are skips; later ones belong to the review they are in.
        first_review = min(n for n, item in items if isinstance(item, ReviewRecord))
        blank = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if not line.strip()]
        assert skips_of(items) == [(n, Skip(BLANK_LINE)) for n in blank if n < first_review]
    assert sum(huliu_raw(path)[0] + huliu_raw(path)[1] for path in HULIU) == 314


@pytest.mark.usefixtures("amazon_data")
def test_huliu_asin_and_sentences():
    items = read_file(huliu.READER, HULIU[1])
    assert HULIU[1].stem == "Canon G3"
    assert items[0] == (1, ProductRecord(asin="HULIU-CANON-G3", title="Canon G3", categories=(), partial=True))
    review_0, review_1 = reviews_of(items)[:2]
    assert review_0.text.startswith("i recently purchased the canon powershot g3 and am extremely satisfied")
    assert review_0.text.endswith("great job canon !")
    assert review_1.summary == "cool toy"
    assert review_1.text.startswith("yep . this is my first digital camera , and what a ' toy ' it is !")
    assert [n for n, item in items if isinstance(item, ReviewRecord)][:2] == [1, 12]
    apex = read_file(huliu.READER, HULIU[0])
    assert apex[1][1].asin == "HULIU-APEX-AD2600-PROGRESSIVE-SCAN-DVD-PLAYER"
    # The one sentence typed with a single "#" keeps its text and drops its annotations.
    assert any("apex ad-2600 runs all the dvd media" in r.text for r in reviews_of(apex))
    assert not any("dvd media[+2]" in r.text for r in reviews_of(apex))


def test_huliu_header_block_and_odd_lines():
    text = (
        "\r\n".join(
            [
                "*" * 20,
                "* Annotated by: someone",
                "*" * 20,
                "",
                "[t]first##so good .",
                "screen[+2][u], battery life[-1]##the screen , the battery .",
                "",
                "not a sentence at all",
                "***[t]second",
                "[t]",
                "[s]##buy it .",
            ]
        )
        + "\r\n"
    )
    items = read_text(huliu.READER, text, source_name="Some Player 2.0")
    product = ProductRecord(asin="HULIU-SOME-PLAYER-2-0", title="Some Player 2.0", categories=(), partial=True)
    assert items == [
        (4, Skip(BLANK_LINE)),
        (8, Skip(MALFORMED, "neither a [t] title nor an annotated ## sentence")),
        (5, product),
        (
            5,
            ReviewRecord(
                asin=product.asin,
                reviewer_id="huliu:1",
                rating=None,
                summary="first",
                text="so good . the screen , the battery .",
            ),
        ),
        (9, ReviewRecord(asin=product.asin, reviewer_id="huliu:2", rating=None, summary="second")),
        (10, ReviewRecord(asin=product.asin, reviewer_id="huliu:3", rating=None, text="buy it .")),
    ]


def test_huliu_without_a_product_name_skips_its_reviews():
    items = read_text(huliu.READER, "[t]a\n##b .\n[t]c\n##d .\n")
    assert [(n, item.reason) for n, item in items] == [(1, MISSING_ASIN), (3, MISSING_ASIN)]
    named = huliu.HuLiuAnnotated(product_name="Nokia 6610")
    assert reviews_of(read_text(named, "[t]a\n##b .\n"))[0].asin == "HULIU-NOKIA-6610"
