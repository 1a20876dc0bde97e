"""amazen-reindex: rebuild the whole search index (product terms, review evidence, statistics) from
the products and reviews, in one transaction: searches keep using the old index until it commits.

Imports and written reviews keep the index current by themselves; run this after changing the
analyzer or the index rules, or after restoring products and reviews from elsewhere.
"""

import argparse
import logging
import sys
import time

from .engine import engine_or_exit

PROG = "amazen-reindex"


def main(argv=None):
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default="development.ini", help="ini file (default: development.ini)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    engine = engine_or_exit(args.config, PROG)

    import sqlalchemy as sa

    from amazen.locks import IMPORT_LOCK_KEY
    from amazen.search.indexer import analyze_tables, index_products

    started = time.monotonic()
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})  # not during an import
            products = index_products(conn, progress=sys.stderr.isatty())
        analyze_tables(engine)
    except KeyboardInterrupt:
        sys.exit(f"{PROG}: interrupted; the index is unchanged")
    except RuntimeError as err:  # an indexing worker process stopped
        sys.exit(f"{PROG}: {err}; the index is unchanged")
    except sa.exc.SQLAlchemyError as err:
        sys.exit(f"{PROG}: database error, the index is unchanged: {str(err).splitlines()[0]}")
    finally:
        engine.dispose()
    print(f"Indexed {products:,} products in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
