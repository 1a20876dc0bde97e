"""Values in COPY's text format, for bulk loads (imports and index rebuilds)."""

# Backslash, tab, newline and carriage return are escaped; \N is NULL.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_value(value):
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    return str(value).translate(COPY_ESCAPES)


def copy_line(values):
    return "\t".join(map(copy_value, values)) + "\n"
