"""amazen-import: load Amazon review dataset files (any supported format, plain or .gz) into Amazen.

Exit codes: 0 imported; 1 nothing imported because of a bad line (--strict), an interruption or a
database error; 2 a usage problem (missing, empty or unrecognised file, bad config).
"""

import argparse
import json
import logging
import re
import sys

from pyramid.paster import get_appsettings

from amazen.ingest import readers
from amazen.ingest.base import MAX_LINE
from amazen.ingest.importer import StrictAbort, UsageError, import_files
from amazen.metrics import record_import
from amazen.search.indexer import analyze_tables

from .engine import engine_or_exit

PROG = "amazen-import"
SIZE = re.compile(r"([0-9]{1,12})([KMG]?)", re.I)
UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def size(value):
    """A number of characters: 1048576, or with a binary suffix: 1024K, 16M, 1G."""
    match = SIZE.fullmatch(value.strip())
    if not match or int(match.group(1)) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a size such as 1048576, 1024K or 16M")
    return int(match.group(1)) * UNITS[match.group(2).upper()]


def parse_args(argv):
    formats = ", ".join(reader.name for reader in readers.ALL)
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Import Amazon product and review dataset files. Formats are recognised from content: " + formats,
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="dataset files, plain or gzip-compressed")
    parser.add_argument("--config", default="development.ini", help="ini file (default: development.ini)")
    parser.add_argument("--strict", action="store_true", help="abort (importing nothing) at the first bad line")
    parser.add_argument("--limit", type=int, metavar="N", help="read at most N lines of each file")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--max-line",
        type=size,
        default=MAX_LINE,
        metavar="SIZE",
        help="skip lines longer than SIZE characters, e.g. 1024K or 64M (default: 16M)",
    )
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be a positive number")
    return args


def fail(message, code):
    print(f"{PROG}: {message}", file=sys.stderr)
    return code


def run(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    engine = engine_or_exit(args.config, PROG, code=2)
    try:
        with engine.begin() as conn:  # one transaction: all of the import or none of it
            report = import_files(
                conn,
                args.files,
                strict=args.strict,
                limit=args.limit,
                progress=sys.stderr.isatty() and not args.json,
                max_line=args.max_line,
            )
        record_import(report, get_appsettings(args.config))
        analyze_tables(engine, changed=report.indexed)
    except UsageError as err:
        return fail(str(err), 2)
    except StrictAbort as err:
        return fail(f"{err}; nothing was imported (--strict)", 1)
    except KeyboardInterrupt:
        return fail("interrupted; nothing was imported", 1)
    except RuntimeError as err:  # a reader or indexing worker process stopped
        return fail(f"{err}; nothing was imported", 1)
    except Exception as err:  # a database error: one line, not a traceback
        import sqlalchemy as sa

        if isinstance(err, sa.exc.SQLAlchemyError):
            return fail(f"database error, nothing was imported: {str(err).splitlines()[0]}", 1)
        raise
    finally:
        engine.dispose()
    print(json.dumps(report.as_dict(), indent=2) if args.json else report.render())
    return 0


def main():
    sys.exit(run())
