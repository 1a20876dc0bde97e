"""amazen-import: load Amazon review dataset files (any supported format, plain or .gz) into Amazen.

Exit codes: 0 imported; 1 nothing imported because of a bad line (--strict), a worker process that
died or a database error; 2 a usage problem (missing, empty or unrecognised file, bad config); 130 and
143 stopped by SIGINT (Ctrl-C) and SIGTERM, nothing imported.
"""

import argparse
import json
import logging
import re
import sys

import psycopg2
from pyramid.paster import get_appsettings

from amazen.ingest import readers
from amazen.ingest.base import MAX_LINE
from amazen.ingest.importer import StrictAbort, UsageError, import_files
from amazen.metrics import record_import
from amazen.search.indexer import analyze_tables

from .engine import engine_or_exit
from .stopping import cancel_statements_on_signals, database_error, stop_on_signals, stopped_by

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


def failure(err, stops, committed):
    """The one line and exit code of an import that did not finish; re-raises what is not ours to report."""
    import sqlalchemy as sa

    done = "the import was committed, the planner's statistics not refreshed" if committed else "nothing was imported"
    if stops:  # whatever the signal interrupted, it is why the import stopped
        return stopped_by(stops, done)
    if isinstance(err, UsageError):
        return str(err), 2
    if isinstance(err, StrictAbort):
        return f"{err}; nothing was imported (--strict)", 1
    if isinstance(err, RuntimeError):  # a reader or indexing worker process stopped
        return f"{err}; nothing was imported", 1
    if isinstance(err, (sa.exc.SQLAlchemyError, psycopg2.Error)):  # a database error: one line, not a traceback
        return f"database error, {done}: {database_error(err)}", 1
    raise err


def run(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    engine = engine_or_exit(args.config, PROG, code=2)
    stops = stop_on_signals()
    committed = False
    try:
        with engine.begin() as conn:  # one transaction: all of the import or none of it
            cancel_statements_on_signals(conn.connection.dbapi_connection)
            report = import_files(
                conn,
                args.files,
                strict=args.strict,
                limit=args.limit,
                progress=sys.stderr.isatty() and not args.json,
                max_line=args.max_line,
            )
        committed = True
        record_import(report, get_appsettings(args.config))
        analyze_tables(engine, changed=report.indexed)
    except BaseException as err:
        return fail(*failure(err, stops, committed))
    finally:
        engine.dispose()
    print(json.dumps(report.as_dict(), indent=2) if args.json else report.render())
    return 0


def main():
    sys.exit(run())
