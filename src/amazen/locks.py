"""The import lock, which keeps catalog jobs and web writes apart, and the one order locks are taken in.

Lock order. Every transaction that changes the catalog or its search index takes its locks in this
order, so none of them ever waits for a lock that a transaction waiting for it holds, and PostgreSQL
never has to cancel one (an import, a reindex or a request) to break a deadlock:

1. the import lock: a job (``amazen-import``, ``amazen-reindex``) takes it whole and waits for it; a web
   write takes its shared side without waiting (``share_import_lock``), before any other lock, and is
   refused at once (503, ``CatalogBusy``) while a job holds it;
2. then rows: a product's row (``FOR UPDATE``; several in id order), then its reviews and votes;
3. then the index tables and their totals, in the order ``amazen.search.indexer`` takes them.

Reads take no lock beyond ACCESS SHARE. A full rebuild's final swap, the one step that conflicts with
reads, never waits holding a table that a reader may need (``amazen.search.indexer``).
"""

import sqlalchemy as sa

IMPORT_LOCK_KEY = 0x616D617A656E + 1
# Seconds a refused write is asked to wait: an import or reindex runs for a minute or more.
BUSY_RETRY_AFTER = 60

TRY_SHARED = sa.text("SELECT pg_try_advisory_xact_lock_shared(:key)")


class CatalogBusy(Exception):
    """An import or reindex holds the import lock: the write is refused before it changed anything."""

    retry_after = BUSY_RETRY_AFTER


def share_import_lock(session):
    """Take the import lock's shared side for the rest of the transaction on ``session`` (a Session or a
    Connection), without waiting; CatalogBusy when a job holds it (or waits for it)."""
    if not session.execute(TRY_SHARED, {"key": IMPORT_LOCK_KEY}).scalar():
        raise CatalogBusy()
