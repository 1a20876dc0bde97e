"""The packed rows' two layouts, each behind a byte naming it. packed_evidence: a row whose values all fit
a byte stores 6 bytes an entry (the product's offset in the block, net, neutral net, stars sum, rated),
any other row 20 (EVIDENCE). packed_terms: a row whose tf and lengths are halves that fit stores 8 bytes
an entry (the offset, twice the tf in two bytes, twice the length in four), any other row 20 (POSTING).
Encoded and decoded here by hand with struct, not with the code's numpy."""

import struct

import numpy as np

from amazen.search.packed import BLOCK, EVIDENCE, POSTING, PackedBlock, posting_ids, spliced, wide_entries
from amazen.search.ranking import binary_rows


def copy_rows(data):
    """The rows (term, block, entries) of COPY (FORMAT binary) data of packed_terms or packed_evidence."""
    return [(term.decode(), struct.unpack(">i", block)[0], entries) for term, block, entries in binary_rows(data)]


def by_hand(block, entries):
    """{product id: (net, neutral net, stars sum, rated)} of one row's entries, read with struct."""
    layout, size = {0: (">HbbBB", 6), 1: (">iiiii", 20)}[entries[0]]
    body = entries[1:]
    assert len(body) % size == 0
    out = {}
    for at in range(0, len(body), size):
        product, *values = struct.unpack_from(layout, body, at)
        out[product + block * BLOCK if size == 6 else product] = tuple(values)
    return out


def block_of(block, evidence):
    """A PackedBlock of products with only ``evidence`` ({product id: [(term, values)]})."""
    packed = PackedBlock(block)
    for product_id, found in sorted(evidence.items()):
        values = [(term, (net, neutral, stars, rated, rated, max(net, 0))) for term, (net, neutral, stars, rated) in found]
        packed.add_product(product_id, None, None, 0, 1, None, [], ({}, 0.0), values)
    return packed


EVIDENCE_OF = {
    # "comfort": every value fits a byte, negative ones included.
    # "loud": one product's 60 five-star reviews say it (stars sum 300): the row keeps 20-byte entries.
    # "flimsi": a net of -200.
    2 * BLOCK + 3: [("comfort", (1, 0, 5, 1)), ("loud", (0, -2, 3, 1))],
    2 * BLOCK + 700: [("comfort", (-1, -128, 255, 255)), ("loud", (60, 0, 300, 60)), ("flimsi", (-200, 0, 200, 200))],
    2 * BLOCK + 1023: [("comfort", (127, 1, 0, 0))],
}


def test_a_row_whose_values_fit_a_byte_takes_6_bytes_an_entry_and_any_other_20():
    rows = {term: (block, entries) for term, block, entries in copy_rows(block_of(2, EVIDENCE_OF).copy_data()[1])}
    assert set(rows) == {"comfort", "loud", "flimsi"}
    assert rows["comfort"][1][:1] == b"\x00" and len(rows["comfort"][1]) == 1 + 3 * 6
    assert rows["loud"][1][:1] == b"\x01" and len(rows["loud"][1]) == 1 + 2 * 20
    assert rows["flimsi"][1][:1] == b"\x01" and len(rows["flimsi"][1]) == 1 + 20
    for term, (block, entries) in rows.items():
        expected = {product: dict(found)[term] for product, found in EVIDENCE_OF.items() if term in dict(found)}
        assert by_hand(block, entries) == expected
        # What searches read: EVIDENCE entries whatever the layout.
        (wide,) = wide_entries([block], [entries], EVIDENCE)
        assert [tuple(entry) for entry in np.frombuffer(wide, EVIDENCE).tolist()] == [
            (product, *values) for product, values in sorted(expected.items())
        ]


def test_rows_of_both_layouts_are_widened_together_in_order():
    narrow = b"\x00" + struct.pack(">HbbBB", 5, -3, 2, 15, 3) + struct.pack(">HbbBB", 1023, 0, -1, 4, 1)
    wide = b"\x01" + struct.pack(">iiiii", 7 * BLOCK + 9, 400, 0, 2000, 400)
    other = b"\x00" + struct.pack(">HbbBB", 0, 1, 0, 5, 1)
    got = [np.frombuffer(data, EVIDENCE).tolist() for data in wide_entries([3, 7, 9], [narrow, wide, other], EVIDENCE)]
    assert got == [
        [(3 * BLOCK + 5, -3, 2, 15, 3), (3 * BLOCK + 1023, 0, -1, 4, 1)],
        [(7 * BLOCK + 9, 400, 0, 2000, 400)],
        [(9 * BLOCK, 1, 0, 5, 1)],
    ]


def test_a_splice_stores_each_row_in_the_layout_its_new_values_fit():
    """A written review's repack: product 2*BLOCK+700's entries are replaced. "loud" no longer needs 20
    bytes an entry; "comfort" now does; "flimsi" loses its only product."""
    old = copy_rows(block_of(2, EVIDENCE_OF).copy_data()[1])
    new = copy_rows(block_of(2, {2 * BLOCK + 700: [("comfort", (-1, 0, 1000, 200)), ("loud", (1, 0, 5, 1))]}).copy_data()[1])
    data = spliced(old, new, [2 * BLOCK + 700], EVIDENCE)
    rows = {term: (block, entries) for term, block, entries in copy_rows(data)}
    assert set(rows) == {"comfort", "loud"}
    assert rows["loud"][1][:1] == b"\x00" and rows["comfort"][1][:1] == b"\x01"
    assert by_hand(*rows["loud"]) == {2 * BLOCK + 3: (0, -2, 3, 1), 2 * BLOCK + 700: (1, 0, 5, 1)}
    assert by_hand(*rows["comfort"]) == {
        2 * BLOCK + 3: (1, 0, 5, 1),
        2 * BLOCK + 700: (-1, 0, 1000, 200),
        2 * BLOCK + 1023: (127, 1, 0, 0),
    }


def postings_by_hand(block, entries):
    """{product id: (tf, length)} of one packed_terms row's entries, read with struct."""
    layout, size = {0: (">HHI", 8), 1: (">idd", 20)}[entries[0]]
    body = entries[1:]
    assert len(body) % size == 0
    out = {}
    for at in range(0, len(body), size):
        product, *values = struct.unpack_from(layout, body, at)
        out[product + block * BLOCK if size == 8 else product] = (
            tuple(value / 2 for value in values) if size == 8 else tuple(values)
        )
    return out


def postings_block(block, postings):
    """A PackedBlock of products with only ``postings`` ({product id: ({term: tf}, length)})."""
    packed = PackedBlock(block)
    for product_id, found in sorted(postings.items()):
        packed.add_product(product_id, None, None, 0, 0, None, [], found, [])
    return packed


POSTINGS_OF = {
    # "comfort": halves that fit, the largest included. "loud": a tf above 32,767.5 (a word repeated that
    # often in a description). "flimsi": a length that is no half (not made by the field weights).
    5 * BLOCK + 1: ({"comfort": 3.5, "loud": 1.0}, 20.5),
    5 * BLOCK + 600: ({"comfort": 32767.5, "loud": 40000.0}, 2147483647.5),
    5 * BLOCK + 1023: ({"comfort": 1.0}, 7.0),
    5 * BLOCK + 1022: ({"flimsi": 1.0}, 10.25),
}


def test_a_posting_row_of_halves_that_fit_takes_8_bytes_an_entry_and_any_other_20():
    rows = {term: (block, entries) for term, block, entries in copy_rows(postings_block(5, POSTINGS_OF).copy_data()[0])}
    assert set(rows) == {"comfort", "loud", "flimsi"}
    assert rows["comfort"][1][:1] == b"\x00" and len(rows["comfort"][1]) == 1 + 3 * 8
    assert rows["loud"][1][:1] == b"\x01" and len(rows["loud"][1]) == 1 + 2 * 20
    assert rows["flimsi"][1][:1] == b"\x01" and len(rows["flimsi"][1]) == 1 + 20
    for term, (block, entries) in rows.items():
        expected = {product: (tf[term], length) for product, (tf, length) in POSTINGS_OF.items() if term in tf}
        assert postings_by_hand(block, entries) == expected
        (wide,) = wide_entries([block], [entries], POSTING)  # what searches read
        assert np.frombuffer(wide, POSTING).tolist() == [(product, *values) for product, values in sorted(expected.items())]


def test_a_posting_splice_stores_each_row_in_the_layout_its_new_values_fit():
    """A product's text changed: 5*BLOCK+600's postings are replaced, and "loud" fits 8 bytes again."""
    old = copy_rows(postings_block(5, POSTINGS_OF).copy_data()[0])
    new = copy_rows(postings_block(5, {5 * BLOCK + 600: ({"loud": 2.0, "comfort": 1.5}, 12.0)}).copy_data()[0])
    rows = {term: (block, entries) for term, block, entries in copy_rows(spliced(old, new, [5 * BLOCK + 600], POSTING))}
    assert rows["loud"][1][:1] == b"\x00" and rows["comfort"][1][:1] == b"\x00"
    assert postings_by_hand(*rows["loud"]) == {5 * BLOCK + 1: (1.0, 20.5), 5 * BLOCK + 600: (2.0, 12.0)}
    assert postings_by_hand(*rows["comfort"]) == {
        5 * BLOCK + 1: (3.5, 20.5),
        5 * BLOCK + 600: (1.5, 12.0),
        5 * BLOCK + 1023: (1.0, 7.0),
    }
    assert postings_by_hand(*rows["flimsi"]) == {5 * BLOCK + 1022: (1.0, 10.25)}


def test_the_ids_of_postings_in_both_layouts_come_with_the_number_of_their_row():
    """What a partial rebuild reads its products' old terms with: each entry's product id (a narrow
    row's from its block and offset, a wide row's as stored) and the row it is in, in row order."""
    rows = [
        ("comfort", 2, memoryview(b"\x00" + struct.pack(">HHI", 5, 7, 41) + struct.pack(">HHI", 4095, 2, 6))),
        ("loud", 3, memoryview(b"\x01" + struct.pack(">idd", 3 * BLOCK + 9, 0.25, 3.0)).cast("c")),  # as psycopg2 gives
        ("soft", 0, b"\x00" + struct.pack(">HHI", 0, 2, 2)),
    ]
    numbers, ids = posting_ids(rows)
    assert sorted(zip(numbers.tolist(), ids.tolist())) == [(0, 2 * BLOCK + 5), (0, 2 * BLOCK + 4095), (1, 3 * BLOCK + 9), (2, 0)]
