"""Values in COPY's text format, for bulk loads (imports and index rebuilds)."""

import re

# A surrogate: a JSON or Python escape can leave one in a string ("\\ud83d"), which UTF-8 cannot encode.
SURROGATE = re.compile("[\\ud800-\\udfff]")


def copy_value(value):
    """Backslash, tab, newline and carriage return escaped; None is \\N (NULL).

    What no PostgreSQL text can hold is cleaned rather than failing the whole load: a NUL character
    is dropped; a surrogate pair left as two escapes becomes its character, and half of one becomes
    U+FFFD, as bytes that are not UTF-8 do when a dataset file is read (ingest.base.open_text).
    """
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    value = str(value)
    if "\x00" in value:
        value = value.replace("\x00", "")
    if not value.isascii() and SURROGATE.search(value):
        value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    # Most values have nothing to escape, and four scans for a character cost far less than translating
    # every character of a long review text.
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def copy_line(values):
    return "\t".join(map(copy_value, values)) + "\n"
