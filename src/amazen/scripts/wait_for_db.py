"""Wait until the database in AMAZEN_DATABASE_URL (or DATABASE_URL) accepts connections.

docker/entrypoint.sh runs it before `alembic upgrade head`: the app container may start before
PostgreSQL answers (or while it restarts). Exits 0 when it answers, 1 after the timeout, 2 without a URL.
Usage: ``python -m amazen.scripts.wait_for_db [SECONDS]`` (default 60).
"""

import sys

import sqlalchemy as sa

from amazen.config import ConfigurationError, resolve_database_url
from amazen.dbsetup import wait_for_database

PROG = "wait_for_db"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    timeout = float(argv[0]) if argv else 60.0
    try:
        url = resolve_database_url({"amazen.embedded_database": "false"}, owner=True)
    except ConfigurationError as err:
        print(f"{PROG}: {err}", file=sys.stderr)
        return 2
    try:
        wait_for_database(url, timeout=timeout)
    except sa.exc.OperationalError as err:
        reason = str(err.orig).strip().splitlines()[0] if err.orig else str(err)
        print(f"{PROG}: the database did not answer within {timeout:g} s: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
