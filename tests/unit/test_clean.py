"""Cleaning rules: which values are page junk (dropped) and which are text with markup in it (kept)."""

import subprocess
import sys
from decimal import Decimal

import pytest

from amazen.ingest.clean import MAX_TEXT, looks_like_junk, one_line, price, text


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


@pytest.mark.parametrize(
    "value, cleaned",
    [
        ("A <b>bold</b> move", "A bold move"),
        ("Line one<br/>line two<p class='x'>three", "Line one\nline two\nthree"),
        ("1 < 2 and 3 > 2", "1 2"),  # what a tag looks like is removed, as in a browser's view
        ("I <3 it", "I <3 it"),
        ("Tom &amp;amp; Jerry", "Tom & Jerry"),
    ],
)
def test_markup_in_text_becomes_text(value, cleaned):
    assert text(value) == cleaned


@pytest.mark.parametrize(
    "value", ["a{color:red}", "<TD>cell", "<style>p{}</style>", "x { margin: 0 }", "@media print{.a{color:red}}"]
)
def test_layout_and_rules_are_dropped(value):
    assert text(value) is None


@pytest.mark.parametrize(
    "value, amount",
    [
        ("$1,250.00", "1250.00"),
        ("US $ 12.5", "12.50"),
        ("US$12", "12.00"),
        (" 12.99\n", "12.99"),
        ("$12.99 - $15.99", None),
        ("12.999", None),
        ("1,25", None),
    ],
)
def test_prices(value, amount):
    assert price(value) == (None if amount is None else Decimal(amount))


def test_values_are_cut_to_their_maximum():
    assert len(text("word " * 100_000)) <= MAX_TEXT
    assert len(one_line("word " * 100_000)) <= 1000
    assert one_line("<b>Title</b>  with   space", max_length=10) == "Title with"


# Inputs that made a pattern backtrack: each costs time linear in its length, a megabyte a fraction of a
# second; a pattern that backtracks takes hours on it.
PATHOLOGICAL = {
    "layout rule without its brace": "{" + "a:" * 500_000,
    "css rules without their braces": "a{:" * 350_000,
    "a tag that never closes": "<" * 1_000_000,
    "spaces before no price": " " * 1_000_000 + "x",
}


@pytest.mark.parametrize("value", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_cleaning_a_megabyte_of_junk_finishes(value):
    """Run in a process of its own: a regular expression holds the interpreter until it ends, so only a
    process can be stopped when it does not. The cap bounds the wait; it does not measure speed."""
    code = (
        "import sys; from amazen.ingest.clean import one_line, price, text; "
        "value = sys.stdin.read(); text(value); one_line(value); price(value); print('done')"
    )
    result = subprocess.run([sys.executable, "-c", code], input=value, capture_output=True, text=True, timeout=10)
    assert result.stdout == "done\n", result.stderr
