"""The temporary tables a rebuild of the index works in (amazen.search.indexer): what its analysis found,
the (term, block) pairs it splices, the totals it moves.

Made once per database session and emptied by every commit (ON COMMIT DELETE ROWS), not made and dropped
by every transaction: a written review's rebuild uses several of them, and making a table writes the
system catalogs (half a millisecond each on a written review's path, and dead catalog rows for
autovacuum).
"""

# name: its columns. Filled and read by amazen.search.indexer (analysed_products), packed (analysed_terms,
# previous_terms, repack_*, previous_evidence), totals (term_deltas, product_term_deltas,
# block_term_totals) and vocabulary (phrase_deltas).
TABLES = {
    "analysed_products": "(LIKE product_stats)",
    "analysed_terms": '(term text COLLATE "C", product_id int, tf float8, length float8)',
    "previous_terms": '(term text COLLATE "C", product_id int)',
    "repack_terms": '(term text COLLATE "C", block int)',
    "repack_evidence": '(term text COLLATE "C", block int)',
    "previous_evidence": '(term text COLLATE "C", product_id int, net int, neutral_net int, stars_sum int, rated int)',
    "term_deltas": '(term text COLLATE "C", products int, mentions bigint, positive bigint)',
    "product_term_deltas": '(term text COLLATE "C", products int)',
    "block_term_totals": '(term text COLLATE "C", products int, mentions bigint, positive bigint)',
    "phrase_deltas": '(phrase text COLLATE "C", products int, named int)',
}

# Each table made if the session has none, then emptied: a commit empties it, but an earlier rebuild in
# the same transaction may have filled it (DELETE: cheap on an empty table, where TRUNCATE would make a
# new file).
FRESH = "; ".join(
    f"CREATE TEMP TABLE IF NOT EXISTS {name} {columns} ON COMMIT DELETE ROWS; DELETE FROM {name}"
    for name, columns in TABLES.items()
)


def fresh(cursor):
    """Before a rebuild: every scratch table there and empty."""
    cursor.execute(FRESH)
