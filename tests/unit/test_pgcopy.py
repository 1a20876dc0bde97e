"""COPY text format: what PostgreSQL's COPY FROM reads back as the same value."""

from amazen.pgcopy import copy_line, copy_value


def test_special_characters_are_escaped_one_by_one():
    # Written out by hand from PostgreSQL's COPY documentation (text format, "Backslash characters").
    assert copy_value("a\\b\tc\nd\re") == r"a\\b\tc\nd\re"
    assert copy_value("\\N") == r"\\N"  # a text that reads "\N" is not NULL
    assert copy_value("\n\n") == r"\n\n"


def test_plain_values_pass_through():
    assert copy_value("Comfortable, light — and cheap!") == "Comfortable, light — and cheap!"
    assert copy_value("") == ""
    assert copy_value(12) == "12"
    assert copy_value(2.5) == "2.5"


def test_null_and_booleans():
    assert copy_value(None) == r"\N"
    assert copy_value(True) == "t"
    assert copy_value(False) == "f"


def test_a_line_is_tab_separated_and_ends_with_a_newline():
    assert copy_line(("B00X", None, "two\tparts", 5)) == "B00X\t\\N\ttwo\\tparts\t5\n"


def test_what_no_postgresql_text_holds_is_cleaned():
    # A NUL is dropped; half of a surrogate pair (a lone JSON or Python escape) becomes U+FFFD; a pair
    # left as two escapes (ast.literal_eval does not join them) becomes its one character.
    assert copy_value("good\x00 bass") == "good bass"
    assert copy_value("half \udcd6 pair") == "half \ufffd pair"
    assert copy_value("\ud83d\ude00 and \ude00\ud83d") == "\U0001f600 and \ufffd\ufffd"
    assert copy_value("tab\t\x00é") == "tab\\té"
