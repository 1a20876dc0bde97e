"""Reading a file's lines with a cap on their length: plain and gzip files, line numbers, bounded memory."""

import gzip
import tracemalloc

import pytest

from amazen.ingest.base import BLANK_LINE, LINE_TOO_LONG, Lines, Reader, Skip, open_text


def write(path, text):
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8", newline="") as out:
            out.write(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def read(path, max_line, limit=None):
    """The lines read, the numbers of the lines dropped, the count."""
    with open_text(path) as handle:
        lines = Lines(handle, max_line, limit)
        read = list(lines)
        return read, lines.too_long, lines.count


@pytest.fixture(params=["plain", "gzip"])
def path(request, tmp_path):
    return tmp_path / ("lines.txt" if request.param == "plain" else "lines.txt.gz")


def test_a_line_over_the_cap_is_dropped_and_the_lines_after_it_keep_their_numbers(path):
    write(path, "short\n" + "x" * 100 + "\nafter\r\n" + "y" * 11 + "\rlast")
    lines, too_long, count = read(path, max_line=10)
    assert lines == ["short\n", "\n", "after\r\n", "\n", "last"]
    assert too_long == [2, 4] and count == 5


@pytest.mark.parametrize(
    "text, lines",
    [
        ("a" * 9 + "\n", ["a" * 9 + "\n"]),  # ten characters with the line ending: the cap
        ("a" * 10 + "\nb", ["\n", "b"]),
        ("a" * 8 + "\r\nb", ["a" * 8 + "\r\n", "b"]),
        ("a" * 9 + "\r\nb", ["\n", "b"]),
        ("a" * 10 + "\r\nb", ["\n", "b"]),  # the first piece is cut between "\r" and "\n"
        ("a" * 10 + "\rb\n", ["\n", "b\n"]),  # ... or ends at a lone "\r"
        ("a" * 10 + "\r\rb", ["\n", "\r", "b"]),
        ("a" * 10, ["a" * 10]),  # the last line, without an ending
        ("a" * 11, ["\n"]),
    ],
)
def test_line_endings_at_the_cap(tmp_path, text, lines):
    assert read(write(tmp_path / "lines.txt", text), max_line=10)[0] == lines


def test_a_line_that_ends_a_megabyte_piece_with_a_carriage_return(tmp_path):
    """Past the first piece a dropped line is read a megabyte at a time: the same care at each cut."""
    for ending, after in (("\r\n", ["next\n"]), ("\r", ["next\n"]), ("\r\r\n", ["\r\n", "next\n"])):
        # The first piece is 11 characters, the next two a megabyte: the second ends with the "\r".
        path = write(tmp_path / "lines.txt", "x" * (11 + 2 * 1024 * 1024 - 1) + ending + "next\n")
        lines, too_long, _ = read(path, max_line=10)
        assert lines == ["\n"] + after and too_long == [1]


def test_the_limit_counts_dropped_lines(path):
    write(path, "a\n" + "x" * 100 + "\nb\nc\n")
    assert read(path, max_line=10, limit=3) == (["a\n", "\n", "b\n"], [2], 3)


class Echo(Reader):
    """A reader that yields each line, or a blank-line skip as the line-based readers do."""

    def read(self, lines, source_name=None):
        for number, line in enumerate(lines, start=1):
            yield number, Skip(BLANK_LINE) if not line.strip() else line


def test_the_reader_sees_an_empty_line_and_the_importer_a_line_too_long(path):
    write(path, "a\n\n" + "x" * 100 + "\nb\n" + "y" * 100)
    with open_text(path) as handle:
        items = list(Lines(handle, max_line=10).read_with(Echo()))
    assert [(n, item.reason if isinstance(item, Skip) else item) for n, item in items] == [
        (1, "a\n"),
        (2, BLANK_LINE),
        (3, LINE_TOO_LONG),
        (4, "b\n"),
        (5, LINE_TOO_LONG),
    ]


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
def test_memory_stays_near_the_cap_whatever_the_line(tmp_path, compressed):
    """A line of 64 MB, with no newline (a gzip bomb's shape when compressed), is never held whole."""
    path = tmp_path / ("bomb.json.gz" if compressed else "bomb.json")
    opener = gzip.open(path, "wb", compresslevel=1) if compressed else open(path, "wb")
    with opener as out:
        out.write(b"first\n")
        for _ in range(64):
            out.write(b"a" * (1024 * 1024))
        out.write(b"\nlast\n")
    tracemalloc.start()
    try:
        lines, too_long, count = read(path, max_line=1024 * 1024)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert lines == ["first\n", "\n", "last\n"] and too_long == [2] and count == 3
    assert peak < 8 * 1024 * 1024, f"{peak:,} bytes held at once"
