"""The ranking's array helpers, on hand-made arrays."""

import numpy as np

from amazen.search.ranking import union_of_sorted


def test_the_union_of_sorted_ids_is_sorted_without_repeats():
    found = union_of_sorted([np.array([2, 5, 9, 1030], ">i4"), np.array([1, 5, 9, 10], ">i4"), np.array([], ">i4")])
    assert found.tolist() == [1, 2, 5, 9, 10, 1030] and found.dtype == np.int32
    assert union_of_sorted([np.array([7], "i4")]).tolist() == [7]
    assert union_of_sorted([np.zeros(0, "i4")]).tolist() == []
