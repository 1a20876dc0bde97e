"""packed.spliced_facts: a partial repack's blocks' facts, with some products' records replaced, worked
out by hand."""

import struct

from amazen.search.packed import BLOCK, spliced_facts


def record(price, categories=()):
    """A packed record (price, rating, rating count, review count, brand, category count) and its
    category ids, as packed_facts stores them."""
    return (
        struct.pack(">ddiiii", price, 4.0, 1, 2, -1, len(categories)),
        b"".join(struct.pack(">i", c) for c in categories),
    )


def block_row(block, products):
    """An old packed_facts row of ``products`` ({id: (price, categories)})."""
    records = [record(*facts) for _, facts in sorted(products.items())]
    return (
        block,
        b"".join(struct.pack(">i", i) for i in sorted(products)),
        b"".join(r for r, _ in records),
        b"".join(c for _, c in records),
    )


def decode(rows):
    """{block: [(id, price, categories)]} of packed_facts rows."""
    out = {}
    for block, ids, records, categories in rows:
        ids = struct.unpack(f">{len(ids) // 4}i", ids)
        categories = struct.unpack(f">{len(categories) // 4}i", categories)
        at, products = 0, []
        for i, product_id in enumerate(ids):
            price, _, _, _, _, count = struct.unpack_from(">ddiiii", records, i * 32)
            products.append((product_id, price, categories[at : at + count]))
            at += count
        out[block] = products
    return out


def test_a_products_record_and_categories_are_replaced_and_the_others_kept_in_id_order():
    old = [block_row(0, {1: (1.0, (7,)), 5: (5.0, (8, 9)), 9: (9.0, ())})]
    new = [(5, *record(50.0, (10,)))]
    assert decode(spliced_facts(old, new, [5])) == {0: [(1, 1.0, (7,)), (5, 50.0, (10,)), (9, 9.0, ())]}


def test_a_new_product_joins_its_block_and_a_new_block_is_made():
    old = [block_row(0, {1: (1.0, (7,)), 9: (9.0, (3,))})]
    new = [(4, *record(4.0, (2, 6))), (BLOCK + 3, *record(3.0, (5,)))]
    assert decode(spliced_facts(old, new, [4, BLOCK + 3])) == {
        0: [(1, 1.0, (7,)), (4, 4.0, (2, 6)), (9, 9.0, (3,))],
        1: [(BLOCK + 3, 3.0, (5,))],
    }


def test_several_blocks_keep_their_order_and_a_product_without_a_new_record_leaves():
    old = [block_row(0, {2: (2.0, (1,))}), block_row(2, {2 * BLOCK: (0.5, (4, 4)), 2 * BLOCK + 1: (1.5, ())})]
    new = [(2, *record(20.0, ()))]
    assert decode(spliced_facts(old, new, [2, 2 * BLOCK + 1])) == {0: [(2, 20.0, ())], 2: [(2 * BLOCK, 0.5, (4, 4))]}
    assert spliced_facts([block_row(0, {2: (2.0, (1,))})], [], [2]) == []
