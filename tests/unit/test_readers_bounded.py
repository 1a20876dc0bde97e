"""Readers that gather a record from many lines hold a bounded amount of it, whatever the file."""

import tracemalloc

from amazen.catalog.records import ReviewRecord
from amazen.ingest.base import LINE_TOO_LONG, MALFORMED, Lines, Skip, open_text
from amazen.ingest.clean import MAX_TEXT
from amazen.ingest.readers import datafiniti, huliu, json_formats, mdsd

MB = 1024 * 1024
LINE = "word " * 200 + "\n"  # a thousand characters
MANY_LINES = LINE * (64 * MB // len(LINE))  # 64 MB of them


def read_holding(path, reader, source_name=None):
    """The items ``reader`` gives for the file at ``path``, and the most memory held at once."""
    tracemalloc.start()
    try:
        with open_text(path) as handle:
            items = list(Lines(handle).read_with(reader, source_name=source_name))
        return items, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def reviews(items):
    return [item for _, item in items if isinstance(item, ReviewRecord)]


def test_an_mdsd_field_of_64_mb_keeps_what_cleaning_reads(tmp_path):
    path = tmp_path / "positive.review"
    path.write_text(
        "<review>\n<asin>\nB000000001\n</asin>\n<rating>\n5.0\n</rating>\n<unique_id>\nB000000001:x:ann\n</unique_id>\n"
        f"<review_text>\n{MANY_LINES}</review_text>\n<reviewer_location>\n{MANY_LINES}</reviewer_location>\n</review>\n"
    )
    items, peak = read_holding(path, mdsd.READER)
    [review] = reviews(items)
    assert MAX_TEXT - 1 <= len(review.text) <= MAX_TEXT  # less a space cut at the end
    assert peak < 16 * MB, f"{peak:,} bytes held at once"


def test_a_hu_liu_review_of_64_mb_of_sentences_keeps_what_cleaning_reads(tmp_path):
    path = tmp_path / "Camera.txt"
    path.write_text("[t]long\n" + MANY_LINES.replace("word", "##word"))
    items, peak = read_holding(path, huliu.READER, source_name="Camera")
    [review] = reviews(items)
    assert MAX_TEXT - 1 <= len(review.text) <= MAX_TEXT  # less a space cut at the end
    assert peak < 16 * MB, f"{peak:,} bytes held at once"


def test_a_csv_record_of_quoted_cells_across_64_mb_is_cut_off(tmp_path):
    """csv caps each cell, not a record: cells with line breaks could make one record of a whole file."""
    header = ",".join(datafiniti.REQUIRED) + "\n"
    good = 'B000000001,5,"Fine, really.",ann\n'
    cells = '"' + '\n","'.join(LINE.strip() for _ in range(64 * MB // len(LINE))) + '\n"\n'  # "…\n","…\n",…
    path = tmp_path / "reviews.csv"
    path.write_text(header + good + cells + good)
    items, peak = read_holding(path, datafiniti.READER)
    assert peak < 32 * MB, f"{peak:,} bytes held at once"
    assert [review.reviewer_id for review in reviews(items)] == ["datafiniti:ann"]
    assert items[2] == (3, Skip(MALFORMED, f"a record of more than {datafiniti.MAX_RECORD:,} characters"))


def test_a_long_python_dict_literal_is_skipped_not_parsed(tmp_path):
    """ast.literal_eval would take some 250 MB for half a megabyte of "1,1,1,...", and seconds."""
    path = tmp_path / "meta_Toys.json"
    first = "{'asin': 'B000000001', 'title': 'Kite', 'categories': [['Toys']]}\n"
    path.write_text(first + "{'asin': 'B000000002', 'related': [" + "1," * (json_formats.MAX_DICT_LITERAL // 2) + "]}\n" + first)
    with open_text(path) as handle:
        items = list(Lines(handle).read_with(json_formats.McAuley2014Meta()))
    assert [(number, type(item).__name__) for number, item in items] == [(1, "ProductRecord"), (2, "Skip"), (3, "ProductRecord")]
    assert items[1][1].reason == LINE_TOO_LONG


def test_a_json_array_element_longer_than_a_line_may_be_is_skipped(tmp_path):
    """Pulled in pieces that double while the element stays open: decoded a few times, not once a piece."""
    path = tmp_path / "meta_Kites.json"
    strings = ('"' + LINE.strip() + '",\n') * (40 * MB // len(LINE))
    path.write_text(
        '[{"asin": "B000000001", "title": "Kite"},\n'
        '{"asin": "B000000002", "description": [\n' + strings + '"end"]},\n'
        '{"asin": "B000000003", "title": "Kite"}]\n'
    )
    items, peak = read_holding(path, json_formats.McAuley2014Meta())
    assert peak < 64 * MB, f"{peak:,} bytes held at once"
    skip = Skip(MALFORMED, f"an element of more than {json_formats.MAX_ARRAY_ELEMENT:,} characters")
    assert [item if isinstance(item, Skip) else item.asin for _, item in items] == ["B000000001", skip, "B000000003"]
