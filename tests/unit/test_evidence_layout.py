"""packed_evidence's two layouts: a row whose values all fit a byte stores 6 bytes an entry (the product's
offset in the block, net, neutral net, stars sum, rated), any other row 20 (EVIDENCE), each behind a
byte naming its layout. Encoded and decoded here by hand with struct, not with the code's numpy."""

import struct

import numpy as np

from amazen.search.packed import BLOCK, EVIDENCE, PackedBlock, spliced, wide_entries
from amazen.search.ranking import binary_rows


def copy_rows(data):
    """The rows (term, block, entries) of COPY (FORMAT binary) data of packed_evidence."""
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
        (wide,) = wide_entries([block], [entries])
        assert [tuple(entry) for entry in np.frombuffer(wide, EVIDENCE).tolist()] == [
            (product, *values) for product, values in sorted(expected.items())
        ]


def test_rows_of_both_layouts_are_widened_together_in_order():
    narrow = b"\x00" + struct.pack(">HbbBB", 5, -3, 2, 15, 3) + struct.pack(">HbbBB", 1023, 0, -1, 4, 1)
    wide = b"\x01" + struct.pack(">iiiii", 7 * BLOCK + 9, 400, 0, 2000, 400)
    other = b"\x00" + struct.pack(">HbbBB", 0, 1, 0, 5, 1)
    got = [np.frombuffer(data, EVIDENCE).tolist() for data in wide_entries([3, 7, 9], [narrow, wide, other])]
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
