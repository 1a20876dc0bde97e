"""amazen-reindex: rebuild the whole search index (product terms, review evidence, statistics) from
the products and reviews, in one transaction: searches keep using the old index until it commits.

Imports and written reviews keep the index current by themselves; run this after changing the
analyzer or the index rules, or after restoring products and reviews from elsewhere.

Exit codes: 0 indexed; 1 a worker process that died or a database error; 130 and 143 stopped by SIGINT
(Ctrl-C) and SIGTERM, the index unchanged unless the line says otherwise.
"""

import argparse
import logging
import sys
import time

from .engine import engine_or_exit
from .stopping import cancel_statements_on_signals, database_error, stop_on_signals, stopped_by

PROG = "amazen-reindex"


def main(argv=None):
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default="development.ini", help="ini file (default: development.ini)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    engine = engine_or_exit(args.config, PROG)

    import psycopg2
    import sqlalchemy as sa

    from amazen.locks import IMPORT_LOCK_KEY
    from amazen.search.indexer import analyze_tables, index_products

    started = time.monotonic()
    stops = stop_on_signals()
    committed = False
    try:
        with engine.begin() as conn:
            cancel_statements_on_signals(conn.connection.dbapi_connection)
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})  # not during an import
            products = index_products(conn, progress=sys.stderr.isatty())
        committed = True
        analyze_tables(engine)
    except BaseException as err:
        done = "the index was rebuilt, the planner's statistics not refreshed" if committed else "the index is unchanged"
        if stops:  # whatever the signal interrupted, it is why the rebuild stopped
            line, code = stopped_by(stops, done)
        elif isinstance(err, RuntimeError):  # an indexing worker process stopped
            line, code = f"{err}; {done}", 1
        elif isinstance(err, (sa.exc.SQLAlchemyError, psycopg2.Error)):
            line, code = f"database error, {done}: {database_error(err)}", 1
        else:
            raise
        print(f"{PROG}: {line}", file=sys.stderr)
        sys.exit(code)
    finally:
        engine.dispose()
    print(f"Indexed {products:,} products in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
