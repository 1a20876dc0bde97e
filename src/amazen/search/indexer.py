"""Index maintenance: ``index_products`` brings the search index, the corpus totals, the vocabulary and the
products' derived figures (product_stats) up to date for some products, in the caller's transaction.

A product's index rows are always rebuilt whole from its current text and reviews: after an import
(the products it touched), after a review is written (that product), or for everything
(``amazen-reindex``). Rebuilding per product keeps the rules simple and the result independent of the
order in which things arrived.

A partial rebuild deletes its products' rows and loads new ones into the live tables. A full rebuild
loads new tables beside the live ones and swaps them in at the end, so searches keep reading the old
index meanwhile. Large rebuilds analyse chunks of products in worker processes (the analysis is pure
Python, ``amazen.search.documents``) while the main process reads the next chunk and COPYs the previous one.
"""

import io
import sys
from collections import deque

import psycopg2.errors
import sqlalchemy as sa

from amazen import workers
from amazen.models.search import create_view

from . import collocations, packed, scratch, totals
from .documents import analyse_chunk
from .vocabulary import CATEGORY_NAMES, PREVIOUS_TEXT, refresh_vocabulary, start_counting

CHUNK_PRODUCTS = 400
PARALLEL_ABOVE = 1_000  # products; smaller rebuilds (a written review) run inline
# From this share of a catalog (of more than PARALLEL_ABOVE products) on, a rebuild rebuilds all of it:
# loading new tables and keying them once costs less than inserting that many rows into the live keys.
FULL_REBUILD_SHARE = 0.25
SCOPE_PART = 10_000  # product ids per statement when a partial rebuild takes its products' old rows out

# A product's text and its category ids (product_stats' search_categories), then the facts the packed
# index carries besides its ratings, which analyse_chunk counts from the reviews (a full rebuild packs
# them; the brand's number, which brands has before a rebuild starts); then whether its phrases are
# counted, and its text before (title, brand, category names) whose phrases count less ({before}: one of
# the three below).
PRODUCTS_SQL = f"""
SELECT p.id, p.title, p.brand, p.features, p.description, {CATEGORY_NAMES} AS categories,
       ARRAY(SELECT pc.category_id FROM product_categories pc WHERE pc.product_id = p.id ORDER BY 1) AS category_ids,
       p.price::float8, (SELECT b.id FROM brands b WHERE b.name = p.brand), {{before}}
WHERE p.id = ANY(%(ids)s) ORDER BY p.id
"""
# Every product's phrases counted whole (a full rebuild); none (a written review's: its text is as it
# was); those of the products an import changed, less their text's before (vocabulary.PREVIOUS_TEXT).
COUNT_ALL = "TRUE, NULL::text, NULL::text, NULL::text[] FROM products p"
COUNT_NONE = "FALSE, NULL::text, NULL::text, NULL::text[] FROM products p"
COUNT_CHANGED = (
    "t.product_id IS NOT NULL, t.title, t.brand, t.categories FROM products p LEFT JOIN previous_text t ON t.product_id = p.id"
)
# A product's reviews, but those a moderator hid: they count nowhere.
REVIEWS_SQL = """
SELECT product_id, id, rating, helpful_votes, summary, text FROM reviews
WHERE product_id = ANY(%(ids)s) AND hidden_at IS NULL ORDER BY product_id, id
"""
# What the rebuild derives of each product (amazen.models.catalog.ProductStats).
_STATS = (
    "search_length",
    "search_categories",
    "review_count",
    "rating_count",
    "rating_average",
    "stars_1",
    "stars_2",
    "stars_3",
    "stars_4",
    "stars_5",
)
# What analyse_chunk's four texts are COPied into, column by column ({new}: "_new" in a full rebuild). The
# postings only in a partial rebuild, to be spliced into packed_terms (a full rebuild's workers pack them).
COPY_TABLES = (
    "analysed_terms (term, product_id, tf, length)",
    "product_evidence{new} (product_id, evidence, one_review, head_length)",
    f"analysed_products (product_id, {', '.join(_STATS)})",
    "phrase_deltas (phrase, products, named)",
)
# What a full rebuild's workers pack as they go (COPY FORMAT binary): amazen.search.packed.PackedBlock.
PACKED_TABLES = (
    "packed_terms_new (term, block, entries)",
    "packed_evidence_new (term, block, entries)",
    "packed_facts_new (block, ids, records, category_ids)",
)
# The products' derived figures, from the analysis, in one statement: each product's search length and
# categories, and its review and rating counts, average and 1-5 histogram (documents.rating_aggregates).
# Written in place, not swapped in like the index tables: a writer reads its product's figures before it
# waits for a full rebuild (its product_evidence lock), and a swap would then wait for that writer. A row
# is written only where a figure changed: a first import writes each once, a reindex few.
WRITE_STATS = f"""
INSERT INTO product_stats (product_id, {", ".join(_STATS)})
SELECT product_id, {", ".join(_STATS)} FROM analysed_products ORDER BY product_id
ON CONFLICT (product_id) DO UPDATE SET {", ".join(f"{column} = excluded.{column}" for column in _STATS)}
WHERE ({", ".join(f"product_stats.{column}" for column in _STATS)})
      IS DISTINCT FROM ({", ".join(f"excluded.{column}" for column in _STATS)})
"""
# Before a full rebuild writes them: the rows of products no longer in the catalog go (the index tables'
# go with their swap).
DELETE_OTHER_STATS = """
DELETE FROM product_stats s WHERE NOT EXISTS (SELECT FROM analysed_products a WHERE a.product_id = s.product_id)
"""

# A full rebuild loads a new copy of the evidence table beside the live one (and new packed tables,
# amazen.search.packed), builds its key (named as models/search.py names it, once the old table is gone)
# and swaps them in at the very end: searches keep reading the old index until the rebuild commits,
# instead of waiting behind a TRUNCATE. (The index tables have no foreign keys: dropping one would lock
# the products table against searches and deadlock with a writer.)
NEW_TABLES = """
LOCK TABLE product_evidence IN EXCLUSIVE MODE;  -- reads go on; writers wait (see _PartialRebuild)
DROP TABLE IF EXISTS product_evidence_new;
CREATE TABLE product_evidence_new (LIKE product_evidence INCLUDING DEFAULTS);
"""
NEW_KEYS = """
ALTER TABLE product_evidence_new ADD CONSTRAINT pk_product_evidence_new PRIMARY KEY (product_id);
ANALYZE product_evidence_new;
"""
# The views over the swapped tables are bound to the old ones: dropped with them and made again.
SWAP_TABLES = (
    """
DROP VIEW product_terms, descriptor_evidence, head_evidence;
DROP TABLE product_evidence;
ALTER TABLE product_evidence_new RENAME TO product_evidence;
ALTER TABLE product_evidence RENAME CONSTRAINT pk_product_evidence_new TO pk_product_evidence;
"""
    + packed.SWAP_TABLES
    + create_view("product_terms")
    + create_view("descriptor_evidence")
    + create_view("head_evidence")
)

# The swap needs ACCESS EXCLUSIVE locks on tables every search reads, and a search's transaction holds
# what it has read until it ends. Waiting for one of them while holding the others could close a cycle
# with a search that waits for one the swap holds, and PostgreSQL would cancel the rebuild. So the locks
# are taken together, each attempt waiting less than PostgreSQL waits before it looks for a deadlock
# (deadlock_timeout, 1 s by default), then given back and tried again: searches queue behind an attempt
# for that long at most, and the swap itself takes milliseconds.
SWAPPED = "product_terms, descriptor_evidence, head_evidence, product_evidence, packed_terms, packed_evidence, packed_facts"
SWAP_LOCK_WAIT_MS = 200

# After a rebuild commits: fresh planner statistics (sampled, so cheap). A full rebuild loads its tables
# frozen, so the covering keys answer searches from the index alone at once; after a partial one,
# autovacuum sets the visibility map that allows it. A full rebuild has already sampled the index tables
# it swapped in (NEW_KEYS, packed.NEW_KEYS): after one, only the others are sampled again.
ANALYZE_OTHERS = (
    "products",
    "product_stats",
    "category_stats",
    "product_term_stats",
    "term_stats",
    "phrase_counts",
    "vocabulary",
    "brands",
)
ANALYZE_REBUILT = ("product_evidence", "packed_terms", "packed_evidence", "packed_facts")


def index_products(connection, product_ids=None, *, reviews_only=False, progress=False):
    """Bring the search index and the products' derived figures up to date for ``product_ids`` (every
    product when None), on ``connection`` in the caller's transaction: their index rows, packed arrays,
    search lengths, categories and rating aggregates; the corpus totals; and the vocabulary.

    ``reviews_only``: only these products' reviews changed (a written review), not their text or
    categories: the vocabulary, the lengths and the number of products stay as they are. Otherwise the
    vocabulary follows the text of the products whose text before was noted in previous_text
    (amazen.search.vocabulary.PREVIOUS_TEXT, as an import notes it), or of every product. ``progress``:
    a progress bar on stderr. Returns the number of products indexed (all of them when the rebuild
    became a full one).
    """
    ids, everything = _scope(connection, product_ids)
    cursor = connection.connection.dbapi_connection.cursor()
    rebuild = (_FullRebuild if everything else _PartialRebuild)(cursor, ids, reviews_only)
    rebuild.run(progress)
    return len(ids)


def _scope(connection, product_ids):
    """(the products to rebuild in id order, whether they are every product)."""
    if product_ids is None:
        return list(connection.execute(sa.text("SELECT id FROM products ORDER BY 1")).scalars()), True
    ids = sorted(set(product_ids))
    # Counting every product costs a scan: the catalog is counted only as far as the decision needs,
    # whether these are all of it or a share for which a full rebuild is cheaper.
    limit = int(len(ids) / FULL_REBUILD_SHARE) + 1
    catalog = connection.execute(sa.text("SELECT count(*) FROM (SELECT FROM products LIMIT :n) p"), {"n": limit}).scalar()
    if len(ids) == catalog:
        return ids, True
    if catalog > PARALLEL_ABOVE and FULL_REBUILD_SHARE * catalog <= len(ids) < catalog:
        return _scope(connection, None)
    return ids, False


class _Rebuild:
    """The steps both kinds of rebuild take: ``begin``, ``load`` (analyse and COPY every chunk),
    ``finish``."""

    new = ""  # the suffix of the index tables the rows are loaded into

    def __init__(self, cursor, ids, reviews_only):
        self.cursor = cursor
        self.ids = ids
        self.reviews_only = reviews_only
        # FREEZE: rows loaded into a table created in this transaction (a full rebuild's new index table)
        # can be written frozen and all-visible, so index-only scans work at once instead of after the
        # next VACUUM. The scratch tables live as long as the database session.
        freeze = " WITH (FREEZE)" if self.new else ""
        self.copies = [  # None: a table not written
            f"COPY {table.format(new=self.new)} FROM STDIN{freeze if '{new}' in table else ''}" for table in COPY_TABLES
        ]
        if self.new or reviews_only:  # the postings: packed by the workers, or unchanged
            self.copies[0] = None
        if reviews_only:  # a written review counts no vocabulary phrases: its product's text is unchanged
            self.copies[-1] = None
        self.products_sql = PRODUCTS_SQL.format(before=COUNT_NONE if reviews_only else self.count_phrases)

    def run(self, progress):
        scratch.fresh(self.cursor)
        self.collocations = self.phrases()
        self.begin()
        self.load(progress)
        self.finish()

    def chunks(self):
        """(product ids, the block to pack or None) per chunk to analyse."""
        raise NotImplementedError

    def phrases(self):
        """The two-word phrases to index: the catalog's stored collocations."""
        return collocations.stored(self.cursor)

    def fetch(self, chunk):
        """A chunk's products and reviews, read with the driver's cursor: its rows are tuples already,
        which the workers take."""
        self.cursor.execute(self.products_sql, {"ids": chunk})
        products = self.cursor.fetchall()
        self.cursor.execute(REVIEWS_SQL, {"ids": chunk})
        return products, self.cursor.fetchall()

    def write(self, texts):
        """COPY one chunk's analysis (analyse_chunk's result) into the tables."""
        cursor = self.cursor
        for copy, text in zip(self.copies, texts):
            if copy and text:
                cursor.copy_expert(copy, io.StringIO(text))
        packed_data = texts[len(COPY_TABLES) :]
        for table, data in zip(PACKED_TABLES, packed_data):
            if data:
                cursor.copy_expert(f"COPY {table} FROM STDIN WITH (FORMAT binary, FREEZE)", io.BytesIO(data))
        if packed_data and packed_data[-1]:
            cursor.copy_expert(f"COPY {packed.TERM_TOTALS} FROM STDIN", io.StringIO(packed_data[-1]))

    def load(self, progress):
        """Analyse every chunk and COPY the result: inline for a few products, else in two worker
        processes while this one reads the next chunk and writes the previous one."""
        bar = _progress_bar(len(self.ids)) if progress else None
        if len(self.ids) <= PARALLEL_ABOVE:
            for chunk, block in self.chunks():
                self.write(analyse_chunk(*self.fetch(chunk), block, self.collocations))
                if bar is not None:
                    bar.update(len(chunk))
        else:
            self._load_in_workers(bar)
        if bar is not None:
            bar.close()

    def _load_in_workers(self, bar):
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        pending = deque()  # (the chunk's products, the workers' result), oldest first

        def write_pending(keep):
            while len(pending) > keep:
                size, result = pending.popleft()
                self.write(result.result())
                if bar is not None:
                    bar.update(size)

        # The workers (amazen.workers) only analyse text, and end with this process. A worker that dies
        # (killed, out of memory) fails the rebuild, where a multiprocessing Pool would wait for its result
        # for ever, holding the transaction and its locks.
        with (
            workers.Lifeline() as lifeline,
            ProcessPoolExecutor(
                2, mp_context=workers.context(), initializer=workers.start_worker, initargs=(lifeline.end,)
            ) as pool,
        ):
            try:
                for chunk, block in self.chunks():
                    rows = self.fetch(chunk)
                    with workers.stops_held():  # submit may start a worker: started whole, or not at all
                        result = pool.submit(analyse_chunk, *rows, block, self.collocations)
                    pending.append((len(chunk), result))
                    write_pending(keep=2)
                write_pending(keep=0)
            except BrokenProcessPool:
                raise RuntimeError("an indexing worker process stopped unexpectedly") from None
            except BaseException:
                lifeline.cut()  # stopped (Ctrl-C, a database error): the workers end now, not after their chunks
                raise


class _FullRebuild(_Rebuild):
    """Every product, into new tables loaded without keys, the keys built once: far cheaper than
    deleting and inserting row by row, and searches go on reading the old tables meanwhile."""

    new = "_new"
    count_phrases = COUNT_ALL

    def phrases(self):
        """Counted again from the reviews, unless only reviews were written (then the stored ones: a
        written review leaves the catalog's phrases as they are, as in a partial rebuild)."""
        return super().phrases() if self.reviews_only else collocations.recount(self.cursor)

    def begin(self):
        cursor = self.cursor
        cursor.execute(NEW_TABLES)
        cursor.execute(packed.NEW_TABLES)
        cursor.execute(packed.NUMBER_BRANDS.format(where="TRUE"))  # the workers pack the brands' numbers
        if not self.reviews_only:  # the workers count every product's phrases; the vocabulary is counted at the end
            start_counting(cursor)

    def chunks(self):
        """One chunk per block: its packed rows are made whole by the worker that analyses it."""
        blocks = {}
        for product_id in self.ids:
            blocks.setdefault(product_id // packed.BLOCK, []).append(product_id)
        return [(chunk, block) for block, chunk in blocks.items()]

    def finish(self):
        cursor = self.cursor
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(NEW_KEYS)
        totals.recount_terms(cursor, packed.POSTINGS_IN_ROW)
        cursor.execute(DELETE_OTHER_STATS)
        cursor.execute(WRITE_STATS)
        totals.recount_categories(cursor)
        cursor.execute(packed.NEW_KEYS)
        totals.refresh(cursor)
        if not self.reviews_only:
            refresh_vocabulary(cursor, everything=True)
        _lock_for_swap(cursor)
        cursor.execute(SWAP_TABLES)  # last: from here until the commit, searches wait


def _lock_for_swap(cursor):
    """Take every lock the swap needs, never waiting long enough to be part of a deadlock (SWAPPED)."""
    cursor.execute("SELECT current_setting('lock_timeout')")
    lock_timeout = cursor.fetchone()[0]
    while True:
        cursor.execute(f"SAVEPOINT swap_locks; SET LOCAL lock_timeout = {SWAP_LOCK_WAIT_MS}")
        try:
            cursor.execute(f"LOCK TABLE {SWAPPED} IN ACCESS EXCLUSIVE MODE")
        except psycopg2.errors.LockNotAvailable:
            cursor.execute("ROLLBACK TO SAVEPOINT swap_locks")  # gives the locks of this attempt back
            continue
        cursor.execute("RELEASE SAVEPOINT swap_locks; SELECT set_config('lock_timeout', %s, true)", (lock_timeout,))
        return


class _PartialRebuild(_Rebuild):
    """Some products: their old rows taken out of the live tables and the totals, their new rows loaded
    and added, their blocks of the packed arrays spliced. When only their reviews changed (a written
    review), their postings are left as they are: they come from the products' text alone."""

    count_phrases = COUNT_CHANGED

    def __init__(self, cursor, ids, reviews_only):
        super().__init__(cursor, ids, reviews_only)
        self.postings = not reviews_only  # whether the products' postings are rebuilt
        self.kinds = packed.KINDS if self.postings else ("evidence",)  # the packed tables spliced

    def begin(self):
        cursor = self.cursor
        # Before reading any index rows: wait for a full rebuild in progress (it holds EXCLUSIVE locks),
        # then work on the tables it swapped in, or its result would not include this change.
        cursor.execute("LOCK TABLE product_evidence IN ROW EXCLUSIVE MODE")
        if self.postings:
            packed.note_previous_terms(cursor, self.ids)
        for start in range(0, len(self.ids), SCOPE_PART):
            part = self.ids[start : start + SCOPE_PART]
            if self.reviews_only:
                totals.subtract_ratings(cursor, part)
            totals.subtract_terms(cursor, part, self.postings)
            packed.remember(cursor, part, self.kinds)
            cursor.execute("DELETE FROM product_evidence WHERE product_id = ANY(%s)", (part,))
        if not self.reviews_only:  # the changed products' phrases are counted by the analysis, and applied at the end
            cursor.execute(PREVIOUS_TEXT)
            start_counting(cursor)

    def chunks(self):
        return [(self.ids[i : i + CHUNK_PRODUCTS], None) for i in range(0, len(self.ids), CHUNK_PRODUCTS)]

    def finish(self):
        cursor = self.cursor
        for start in range(0, len(self.ids), SCOPE_PART):
            totals.add_terms(cursor, self.ids[start : start + SCOPE_PART], self.postings)
        totals.apply_term_deltas(cursor)
        if not self.reviews_only:  # a written review leaves its product's categories as they are
            totals.move_categories(cursor)
        cursor.execute(WRITE_STATS)
        counted = False
        if self.reviews_only:  # the lengths and the number of products are unchanged: only the rating totals move
            for start in range(0, len(self.ids), SCOPE_PART):
                counted = totals.add_ratings(cursor, self.ids[start : start + SCOPE_PART])
        # The packed arrays last: packed_facts carries the products' facts as just written.
        packed.repack(cursor, self.ids, self.kinds)
        if not counted:
            totals.refresh(cursor)
        if not self.reviews_only:
            refresh_vocabulary(cursor, everything=False)


def _progress_bar(total):
    from tqdm import tqdm

    return tqdm(total=total, unit="products", desc="indexing", file=sys.stderr, dynamic_ncols=True)


def analyze_tables(engine, changed=None):
    """Refresh the planner's statistics of the index tables, once a large rebuild has committed.

    ``changed``: how many products an import re-indexed (None: all of them, ``amazen-reindex``). Up to a
    tenth of the catalog the statistics are left to autovacuum, which samples a table again once a tenth
    of it has changed: the samples take seconds in a large catalog, longer than a small import itself.
    An import that re-indexed every product did so in a full rebuild (see index_products).
    """
    with engine.connect() as conn:
        tables = ANALYZE_OTHERS
        if changed is not None:
            products = conn.exec_driver_sql("SELECT count(*) FROM products").scalar()
            if changed * 10 <= products:
                return
            if changed < products:  # a partial rebuild: its index tables were not sampled
                tables += ANALYZE_REBUILT
        conn.exec_driver_sql(f"ANALYZE {', '.join(tables)}")
        conn.commit()
