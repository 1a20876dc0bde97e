"""Cleaning rules: which values are page junk (dropped) and which are text with markup in it (kept)."""

import pytest

from amazen.ingest.clean import looks_like_junk, text


@pytest.mark.parametrize(
    "value",
    [
        ".a-box-inner{background-color:#fff}",  # the Appliances metadata's CSS prices
        "#nav { display: none; }",
        'Great <div class="x">deal</div>',
        "<span style='color:red'>new</span>",
        '<a role="button">buy</a>',
        "<table><tr><td>Weight</td></tr></table>",
        "Function (e) return 1",
        "if (x) { var total = 3; }",
    ],
)
def test_markup_stylesheets_and_scripts_are_junk(value):
    assert looks_like_junk(value)


@pytest.mark.parametrize(
    "value",
    [
        "Works great (after a firmware update) & the bass is fine.",
        "Sound: 5/5, comfort: 4/5. Would buy again!",
        "2 + 2 = 4 and the function of this button is unclear",  # "=" alone, no assignment or rule
        "The functions (EQ, presets) are easy to reach",
    ],
)
def test_prose_with_parentheses_ampersands_and_colons_is_not(value):
    assert not looks_like_junk(value)
    assert text(value) == value


def test_junk_is_dropped_and_markup_in_text_becomes_text():
    assert text(".a-box-inner{background-color:#fff}") is None
    assert text("Nice &amp; sturdy<br>5 stars") == "Nice & sturdy\n5 stars"
