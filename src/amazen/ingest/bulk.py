"""Bulk loading of normalised records: COPY a batch into temporary tables, merge it with set-based SQL.

Both the demo catalog and every dataset import go through here, so there is one set of rules:

* Products are keyed by asin. A metadata record (``partial=False``) overwrites the fields it has and
  keeps the ones it lacks; a partial record (what a review line carries, e.g. a TSV row's title) only
  fills fields that are still empty. A review whose product appears nowhere creates a bare product
  (asin only), which later metadata completes. So metadata before or after reviews gives the same rows.
* A reviewer's review of a product is stored once. The last line wins, except that a line without
  stars keeps the stars of the line it replaces (datasets repeat reviews without their rating), and
  the helpful votes shoppers gave here are added to the line's count. Rows are rewritten only where a
  value differs, so importing the same file twice changes nothing.
* Category paths are created on first use; a product is linked to every category on its paths.
* Every product whose text, categories or reviews changed is indexed again at the end, in the same
  transaction (``amazen.search.indexer.index_products``): its search index rows, and its rating
  aggregates (counts, average, 1–5 histogram) with them.

Everything runs on the caller's connection inside the caller's transaction: a load is all or nothing.
Each batch is merged as soon as it arrives, so PostgreSQL works while the next batch is being parsed.
Memory stays bounded: Python holds one batch and the category cache; the keys seen so far (to report
duplicate lines at the end) live in a temporary table in PostgreSQL.
"""

import io
import json
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from amazen.catalog.records import ProductRecord, ReviewRecord
from amazen.catalog.slugs import slugify
from amazen.models import Category
from amazen.pgcopy import copy_line
from amazen.search.indexer import index_products
from amazen.search.vocabulary import NOTE_PREVIOUS_TEXT, PREVIOUS_TEXT

BATCH_ROWS = 20_000
LOAD_WORK_MEM = "32MB"
FIRST_DUPLICATES = 5

BATCH_TABLES = "batch_products, batch_links, batch_reviews, batch_product_ids"
TEMP_TABLES = f"{BATCH_TABLES}, seen_products, seen_reviews, path_categories, touched, previous_text"
TEMP_DDL = f"""
DROP TABLE IF EXISTS {TEMP_TABLES};
CREATE TEMP TABLE batch_products (
    seq bigint, source int, line int, asin text, title text, brand text, price numeric(12, 2),
    description text, features jsonb, image_url text, partial boolean
) ON COMMIT DROP;
CREATE TEMP TABLE batch_links (asin text, path jsonb) ON COMMIT DROP;
CREATE TEMP TABLE batch_reviews (
    seq bigint, source int, line int, asin text, reviewer_id text, reviewer_name text, rating smallint,
    summary text, text text, helpful_votes int, verified boolean, reviewed_at timestamptz
) ON COMMIT DROP;
CREATE TEMP TABLE batch_product_ids (asin text, product_id int) ON COMMIT DROP;
CREATE TEMP TABLE seen_products (asin text, source int, seq bigint, line int) ON COMMIT DROP;
CREATE TEMP TABLE seen_reviews (asin text, reviewer_id text, source int, seq bigint, line int) ON COMMIT DROP;
CREATE TEMP TABLE path_categories (path jsonb, category_id int, PRIMARY KEY (path, category_id)) ON COMMIT DROP;
CREATE TEMP TABLE touched (product_id int PRIMARY KEY) ON COMMIT DROP;
{PREVIOUS_TEXT};
"""

PRODUCT_FIELDS = ("title", "brand", "price", "description", "features", "image_url")
REVIEW_FIELDS = ("reviewer_name", "rating", "summary", "text", "helpful_votes", "verified", "reviewed_at")

# A batch's keys are grouped in byte order (COLLATE "C"): grouping asks only which keys are equal, which
# byte order answers as every deterministic collation does, and comparing bytes costs less than the
# database's locale.
#
# Metadata: the incoming value where it has one, else what is stored. Partial: the stored value where
# there is one, else the incoming one. Unchanged rows are not rewritten.
# Products whose text changed are marked touched, so their search index is rebuilt at the end; those it
# inserts are noted as having had no text (see NOTE_TEXT).
MERGE_PRODUCTS = """
WITH merged AS (
    INSERT INTO products (asin, title, brand, price, description, features, image_url)
    SELECT asin, title, brand, price, description, ARRAY(SELECT jsonb_array_elements_text(features)), image_url
    FROM (
        SELECT DISTINCT ON (asin COLLATE "C") * FROM batch_products WHERE partial = :partial
        ORDER BY asin COLLATE "C", source {order}, seq {order}
    ) latest
    ON CONFLICT (asin) DO UPDATE SET {assignments}
    WHERE ({stored}) IS DISTINCT FROM ({merged})
    RETURNING id, (xmax = 0) AS inserted
), marked AS (
    INSERT INTO touched (product_id) SELECT id FROM merged ON CONFLICT DO NOTHING
), noted AS (
    INSERT INTO previous_text (product_id) SELECT id FROM merged WHERE inserted ON CONFLICT DO NOTHING
)
SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) AS merged FROM merged
"""

BARE_PRODUCTS = """
WITH inserted AS (
    INSERT INTO products (asin)
    SELECT DISTINCT asin FROM batch_reviews
    ON CONFLICT (asin) DO NOTHING
    RETURNING id
), noted AS (
    INSERT INTO previous_text (product_id) SELECT id FROM inserted ON CONFLICT DO NOTHING
)
SELECT count(*) FROM inserted
"""

# Before a batch changes products' text or categories: their text as it was, for the vocabulary to take
# their old phrases out (amazen.search.vocabulary), one key lookup per asin.
NOTE_TEXT = NOTE_PREVIOUS_TEXT.format(
    asins="SELECT DISTINCT asin FROM (SELECT asin FROM batch_products UNION ALL SELECT asin FROM batch_links) b"
)

LINK_CATEGORIES = """
WITH ids AS MATERIALIZED (  -- one key lookup per asin, as MAP_PRODUCT_IDS below (not the whole table per batch)
    SELECT p.asin, p.id FROM (SELECT DISTINCT asin FROM batch_links) b JOIN products p ON p.asin = b.asin
), linked AS (
    INSERT INTO product_categories (product_id, category_id)
    SELECT DISTINCT p.id, pc.category_id
    FROM batch_links s
    JOIN path_categories pc ON pc.path = s.path
    JOIN ids p ON p.asin = s.asin
    ON CONFLICT DO NOTHING
    RETURNING product_id
)
INSERT INTO touched (product_id) SELECT DISTINCT product_id FROM linked ON CONFLICT DO NOTHING
"""

# The product id of each asin a batch's reviews name, looked up once per asin (one key lookup each):
# joined to the batch's reviews line by line, the planner reads the whole products table (wide rows)
# for every batch.
MAP_PRODUCT_IDS = """
INSERT INTO batch_product_ids (asin, product_id)
SELECT p.asin, p.id FROM (SELECT DISTINCT asin FROM batch_reviews) b JOIN products p ON p.asin = b.asin
"""

# The latest line per (product, reviewer) in the batch, with the latest stars any of its copies had.
MERGE_REVIEWS = """
WITH merged AS (
    INSERT INTO reviews (product_id, reviewer_id, {fields})
    SELECT DISTINCT ON (p.product_id, s.reviewer_id COLLATE "C") p.product_id, s.reviewer_id, {staged}
    FROM (
        SELECT *, first_value(rating) OVER (
            PARTITION BY asin COLLATE "C", reviewer_id COLLATE "C" ORDER BY rating IS NULL, source DESC, seq DESC
        ) AS latest_rating
        FROM batch_reviews
    ) s JOIN batch_product_ids p ON p.asin = s.asin
    ORDER BY p.product_id, s.reviewer_id COLLATE "C", s.source DESC, s.seq DESC
    ON CONFLICT (product_id, reviewer_id) DO UPDATE SET {assignments}
    WHERE ({stored}) IS DISTINCT FROM ({incoming})
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) AS merged FROM merged
"""

TOUCH = "INSERT INTO touched (product_id) SELECT product_id FROM batch_product_ids ON CONFLICT DO NOTHING"

# Every key loaded, appended per batch (cheap: no index), to find duplicate lines once at the end.
REMEMBER = "INSERT INTO {seen} SELECT {key}, source, seq, line FROM {table} {where}"

# Lines that lost to a later line with the same key.
DUPLICATES = """
SELECT count(*) OVER () AS total, source, line FROM (
    SELECT source, line, row_number() OVER (PARTITION BY {partition} ORDER BY source DESC, seq DESC) AS newer
    FROM {seen}
) ranked WHERE newer > 1 ORDER BY source, line LIMIT {first}
"""

DUPLICATE_KEYS = {
    "products": {"key": "asin", "table": "batch_products", "where": "WHERE NOT partial", "seen": "seen_products"},
    "reviews": {"key": "asin, reviewer_id", "table": "batch_reviews", "where": "", "seen": "seen_reviews"},
}


@dataclass
class Duplicates:
    """How many lines lost to a later line with the same key, and the first few as (source, line)."""

    count: int = 0
    first: list = field(default_factory=list)

    @classmethod
    def from_rows(cls, rows):
        return cls(rows[0].total if rows else 0, [(r.source, r.line) for r in rows])


@dataclass
class MergeCounts:
    products_inserted: int = 0
    products_updated: int = 0
    reviews_inserted: int = 0
    reviews_updated: int = 0
    duplicate_products: Duplicates = field(default_factory=Duplicates)
    duplicate_reviews: Duplicates = field(default_factory=Duplicates)
    indexed: int = 0  # products whose search index was rebuilt

    @property
    def products(self):
        return self.products_inserted + self.products_updated

    @property
    def reviews(self):
        return self.reviews_inserted + self.reviews_updated


PRODUCT_COLUMNS = ("seq", "source", "line", "asin", *PRODUCT_FIELDS, "partial")
REVIEW_COLUMNS = ("seq", "source", "line", "asin", "reviewer_id", *REVIEW_FIELDS)
LINK_COLUMNS = ("asin", "path")


class StagingRows:
    """Records turned into COPY lines for the batch tables. Pure Python, no database, so a worker
    process can do this (the expensive part of an import) while the main process loads."""

    def __init__(self, source=0):
        self.source = source
        self.seq = 0  # order within the source: with ``source`` it says which line is newer
        self.products = []
        self.links = []
        self.reviews = []

    def __len__(self):
        return len(self.products) + len(self.links) + len(self.reviews)

    def add(self, record, line=0):
        self.seq += 1
        if isinstance(record, ReviewRecord):
            self.reviews.append(
                copy_line(
                    (
                        self.seq,
                        self.source,
                        line,
                        record.asin,
                        record.reviewer_id,
                        record.reviewer_name,
                        record.rating,
                        record.summary,
                        record.text,
                        record.helpful_votes,
                        record.verified,
                        record.reviewed_at.isoformat() if record.reviewed_at else None,
                    )
                )
            )
        elif isinstance(record, ProductRecord):
            self.products.append(
                copy_line(
                    (
                        self.seq,
                        self.source,
                        line,
                        record.asin,
                        record.title,
                        record.brand,
                        record.price,
                        record.description,
                        json.dumps(list(record.features)),
                        record.image_url,
                        record.partial,
                    )
                )
            )
            for path in record.categories:
                if path:
                    self.links.append(copy_line((record.asin, json.dumps(list(path)))))
        else:
            raise TypeError(f"not a catalog record: {record!r}")

    def take(self):
        """The COPY text collected so far, per table, and an empty buffer."""
        texts = ("".join(self.products), "".join(self.links), "".join(self.reviews))
        self.products, self.links, self.reviews = [], [], []
        return texts


class BulkLoader:
    """Load records (``add``) or ready COPY text (``load_batch``); ``finish`` completes the load.

    Use one loader per transaction.
    """

    def __init__(self, conn, progress=False, phase=None):
        self.conn = conn
        self.progress = progress  # a progress bar for the index rebuild (on a terminal)
        self.phase = phase  # told "indexing" when the index rebuild starts (an import names its session so)
        self.counts = MergeCounts()
        self._cursor = conn.connection.dbapi_connection.cursor()
        self._cursor.execute(TEMP_DDL)
        # A batch's merge sorts its rows twice (about 4 MB each at 20,000 reviews): 32 MB keeps both in
        # memory. Only while loading: with more, the planner reads each chunk of the index rebuild's
        # reviews by a scan of the whole table (indexer.REVIEWS_SQL, before the table has statistics).
        self._cursor.execute(f"SET LOCAL work_mem = '{LOAD_WORK_MEM}'")
        self._rows = StagingRows()
        self._category_ids = {}  # path prefix -> id
        self._known_paths = set()

    def add(self, record, line=0):
        self._rows.add(record, line)
        if len(self._rows) >= BATCH_ROWS:
            self.load_batch(*self._rows.take())

    def load_batch(self, products, links, reviews):
        """COPY one batch of rows (as made by StagingRows.take) and merge it."""
        if not (products or links or reviews):
            return
        for table, columns, text in (
            ("batch_products", PRODUCT_COLUMNS, products),
            ("batch_links", LINK_COLUMNS, links),
            ("batch_reviews", REVIEW_COLUMNS, reviews),
        ):
            if text:
                self._cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO(text))
        self._merge_batch(bool(products), bool(links), bool(reviews))
        self._cursor.execute(f"TRUNCATE {BATCH_TABLES}")

    def _merge_batch(self, has_products, has_links, has_reviews):
        counts = self.counts
        execute = self.conn.execute
        if has_products or has_links:
            execute(sa.text(NOTE_TEXT))
        if has_products:
            execute(sa.text(REMEMBER.format(**DUPLICATE_KEYS["products"])))
            for partial in (False, True):
                inserted, merged = execute(sa.text(_merge_products_sql(partial)), {"partial": partial}).one()
                counts.products_inserted += inserted
                counts.products_updated += merged - inserted
        if has_reviews:
            counts.products_inserted += execute(sa.text(BARE_PRODUCTS)).scalar()
        if has_links:
            self._create_categories()
            execute(sa.text(LINK_CATEGORIES))
        if has_reviews:
            execute(sa.text(MAP_PRODUCT_IDS))
            execute(sa.text(REMEMBER.format(**DUPLICATE_KEYS["reviews"])))
            inserted, merged = execute(sa.text(_merge_reviews_sql())).one()
            counts.reviews_inserted += inserted
            counts.reviews_updated += merged - inserted
            execute(sa.text(TOUCH))

    def _create_categories(self):
        """Create the categories (every prefix) of paths not seen before, and map paths to them."""
        paths = [tuple(r[0]) for r in self.conn.execute(sa.text("SELECT DISTINCT path FROM batch_links"))]
        new = [path for path in paths if path not in self._known_paths]
        if not new:
            return
        rows = []
        for path in sorted(new, key=len):
            for depth in range(1, len(path) + 1):
                prefix = path[:depth]
                if prefix not in self._category_ids:
                    self._category_ids[prefix] = self._category_id(prefix, self._category_ids.get(prefix[:-1]))
                rows.append(copy_line((json.dumps(list(path)), self._category_ids[prefix])))
            self._known_paths.add(path)
        self._cursor.copy_expert("COPY path_categories (path, category_id) FROM STDIN", io.StringIO("".join(rows)))

    def _category_id(self, path, parent_id):
        stmt = insert(Category).values(
            parent_id=parent_id,
            slug=slugify(path[-1]),
            path="/".join(slugify(name) for name in path),
            name=path[-1],
            depth=len(path) - 1,
        )
        # A no-op update rather than DO NOTHING, so RETURNING also yields an existing category's id.
        stmt = stmt.on_conflict_do_update(index_elements=["path"], set_={"path": stmt.excluded.path})
        return self.conn.execute(stmt.returning(Category.id)).scalar_one()

    def finish(self):
        """Merge what is left, index the touched products; returns MergeCounts."""
        self.load_batch(*self._rows.take())
        for kind in ("products", "reviews"):
            keys = DUPLICATE_KEYS[kind]
            partition = ", ".join(f'{column} COLLATE "C"' for column in keys["key"].split(", "))
            rows = self.conn.execute(sa.text(DUPLICATES.format(first=FIRST_DUPLICATES, partition=partition, **keys))).all()
            setattr(self.counts, f"duplicate_{kind}", Duplicates.from_rows(rows))
        self._cursor.execute("RESET work_mem")
        touched = self.conn.execute(sa.text("SELECT product_id FROM touched")).scalars().all()
        if self.phase is not None:
            self.phase("indexing")
        self.counts.indexed = index_products(self.conn, touched, progress=self.progress)
        self._cursor.execute(f"DROP TABLE {TEMP_TABLES}")  # several loads may share a transaction
        return self.counts


def _merge_products_sql(partial):
    def given(table, f):
        # An empty feature list says nothing, like a NULL.
        return f"NULLIF({table}.{f}, '{{}}')" if f == "features" else f"{table}.{f}"

    if partial:
        merged = {f: f"COALESCE({given('products', f)}, excluded.{f})" for f in PRODUCT_FIELDS}
        order = "ASC"  # the first line that describes a product fills its gaps
    else:
        merged = {f: f"COALESCE({given('excluded', f)}, products.{f})" for f in PRODUCT_FIELDS}
        order = "DESC"  # the newest metadata line wins
    return MERGE_PRODUCTS.format(
        order=order,
        assignments=", ".join(f"{f} = {expr}" for f, expr in merged.items()),
        stored=", ".join(f"products.{f}" for f in PRODUCT_FIELDS),
        merged=", ".join(merged.values()),
    )


def _merge_reviews_sql():
    incoming = {f: f"excluded.{f}" for f in REVIEW_FIELDS}
    incoming["rating"] = "COALESCE(excluded.rating, reviews.rating)"
    # The dataset's count, plus the votes shoppers gave here (review_votes), which a re-import keeps.
    incoming["helpful_votes"] = "excluded.helpful_votes + (SELECT count(*) FROM review_votes v WHERE v.review_id = reviews.id)"
    return MERGE_REVIEWS.format(
        fields=", ".join(REVIEW_FIELDS),
        staged=", ".join("s.latest_rating" if f == "rating" else f"s.{f}" for f in REVIEW_FIELDS),
        assignments=", ".join(f"{f} = {expr}" for f, expr in incoming.items()),
        stored=", ".join(f"reviews.{f}" for f in REVIEW_FIELDS),
        incoming=", ".join(incoming.values()),
    )


def load_records(conn, records):
    """Load an iterable of records on ``conn`` inside the caller's transaction; return MergeCounts."""
    loader = BulkLoader(conn)
    for record in records:
        loader.add(record)
    return loader.finish()
