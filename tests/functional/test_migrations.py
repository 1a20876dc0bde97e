"""The models and the migration describe the same schema; the migration goes up and down; concurrent
migrations take turns."""

import ast
import struct
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from amazen.dbsetup import MIGRATION_LOCK_KEY, alembic_config, migrate
from amazen.models.meta import Base
from amazen.models.search import VIEWS
from amazen.search import packed

SCRIPT = ScriptDirectory.from_config(alembic_config("postgresql://unused"))  # the URL is not used
VERSIONS = Path(SCRIPT.versions)
# Every option compare_metadata has: types and server defaults as well as tables, columns, keys and indexes.
COMPARE = {"compare_type": True, "compare_server_default": True}


def schema_objects(conn):
    """The tables and views in the public schema, but Alembic's own table."""
    inspector = sa.inspect(conn)
    return set(inspector.get_table_names()) - {"alembic_version"}, set(inspector.get_view_names())


def test_migrations_match_the_models(dbengine):
    with dbengine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts=COMPARE), Base.metadata)
    assert diff == []


def test_the_migrated_columns_have_the_models_collations(dbengine):
    """compare_metadata does not compare collations; the terms' C collation is what makes their keys cheap."""
    wanted = {
        (table.name, column.name): getattr(column.type, "collation", None)
        for table in Base.metadata.tables.values()
        for column in table.columns
    }
    with dbengine.connect() as conn:
        found = {
            (table, column): collation
            for table, column, collation in conn.execute(
                sa.text(
                    "SELECT table_name, column_name, collation_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND table_name = ANY(:tables)"
                ),
                {"tables": [t for t, _ in wanted]},
            )
        }
    assert found == wanted
    assert found[("packed_terms", "term")] == "C"


def test_the_packed_arrays_are_stored_uncompressed(dbengine):
    with dbengine.connect() as conn:
        storage = dict(
            conn.execute(
                sa.text(
                    "SELECT attrelid::regclass::text || '.' || attname, attstorage FROM pg_attribute "
                    "WHERE attrelid IN ('packed_terms'::regclass, 'packed_evidence'::regclass, 'packed_facts'::regclass) "
                    "AND atttypid = 'bytea'::regtype AND NOT attisdropped"
                )
            ).all()
        )
    assert storage == {
        "packed_terms.entries": "e",
        "packed_evidence.entries": "e",
        "packed_facts.ids": "e",
        "packed_facts.records": "e",
        "packed_facts.category_ids": "e",
    }


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_the_migrated_view_is_the_one_the_models_define(dbengine, name):
    """The migration carries its own copy of each view's SQL: PostgreSQL's reading of it must equal its
    reading of amazen.models.search.VIEWS (made in a scratch schema over the same tables, rolled back)."""
    with dbengine.connect() as conn, conn.begin() as transaction:
        conn.exec_driver_sql("CREATE SCHEMA view_check")
        conn.exec_driver_sql("SET LOCAL search_path = view_check, public")
        conn.exec_driver_sql(f"CREATE VIEW view_check.{name} AS {VIEWS[name]}")
        migrated, from_models = conn.execute(
            sa.text(
                "SELECT pg_get_viewdef(to_regclass('public.' || :name)), pg_get_viewdef(to_regclass('view_check.' || :name))"
            ),
            {"name": name},
        ).one()
        transaction.rollback()
    assert from_models and migrated == from_models


def test_the_database_is_at_the_single_head(dbengine):
    with dbengine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    assert list(current) == SCRIPT.get_heads() and len(SCRIPT.get_heads()) == 1


def test_the_migrations_are_the_baseline_then_one_per_change_of_the_stored_index_in_order():
    names = [
        "0001_baseline",
        "0002_praise_complaint",
        "0003_collocations",
        "0004_evidence_without_facts",
        "0005_evidence_head",
        "0006_narrow_evidence",
        "0007_one_review_lines",
        "0008_postings_without_facts",
        "0009_narrow_postings",
        "0010_one_review_lines_by_review",
        "0011_blocks_of_4096",
        "0012_postings_only_packed",
        "0013_no_product_phrases",
        "0014_product_stats",
        "0015_category_stats",
    ]
    assert sorted(path.name for path in VERSIONS.glob("*.py")) == [f"{name}.py" for name in names]
    assert [revision.revision for revision in SCRIPT.walk_revisions()] == names[::-1]


def test_evidence_from_before_praise_and_complaint_reads_as_neutral_mentions(scratch_url):
    """An old evidence line (mentions, not negated, negated, stars, quotes) and packed entry (id, net,
    stars sum, rated) become every mention neutral, the negated ones neutral_negated: the same net."""
    config = alembic_config(scratch_url)
    engine = sa.create_engine(scratch_url)
    try:
        command.downgrade(config, "0001_baseline")
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO product_evidence VALUES (7, E'comfort\\t5\\t3\\t2\\t0\\t1\\t0\\t1\\t3\\t41\\t\\n"
                "loud\\t1\\t0\\t1\\t0\\t0\\t0\\t0\\t1\\t42\\t')"
            )
            conn.exec_driver_sql(
                "INSERT INTO packed_evidence VALUES ('comfort', 0, "
                "int4send(7) || int4send(1) || int4send(19) || int4send(5) || int4send(9) || int4send(-2) || int4send(3)"
                " || int4send(1), ''::bytea, ''::bytea)"
            )
        command.upgrade(config, "head")
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT term, mentions, positive, negative, neutral, neutral_negated, rated, stars_sum, quote_1, quote_2"
                " FROM descriptor_evidence ORDER BY term"
            ).all()
            entries = conn.exec_driver_sql("SELECT entries FROM packed_evidence").scalar()
        assert [tuple(row) for row in rows] == [
            ("comfort", 5, 0, 0, 5, 2, 5, 0 * 1 + 1 * 2 + 0 * 3 + 1 * 4 + 3 * 5, 41, None),
            ("loud", 1, 0, 0, 1, 1, 1, 5, 42, None),
        ]
        assert bytes(entries)[:1] == packed.WIDE_ROW
        assert np.frombuffer(bytes(entries)[1:], packed.EVIDENCE).tolist() == [(7, 0, 1, 19, 5), (9, 0, -2, 3, 1)]
    finally:
        engine.dispose()


def test_evidence_from_before_its_head_reads_whole_through_the_head_view(scratch_url):
    """A row written before head_length has none: head_evidence reads all its lines, as suggestions did."""
    config = alembic_config(scratch_url)
    engine = sa.create_engine(scratch_url)
    try:
        command.downgrade(config, "0004_evidence_without_facts")
        line = "\\t1\\t1\\t0\\t0\\t0\\t0\\t0\\t0\\t1\\t0\\t41\\t"
        with engine.begin() as conn:
            conn.exec_driver_sql(f"INSERT INTO product_evidence VALUES (7, E'comfort{line}\\nloud{line}')")
        command.upgrade(config, "head")
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT head_length FROM product_evidence").scalar() is None
            rows = conn.exec_driver_sql("SELECT term, product_id, mentions, quote_1 FROM head_evidence ORDER BY term").all()
        assert [tuple(row) for row in rows] == [("comfort", 7, 1, 41), ("loud", 7, 1, 41)]
    finally:
        engine.dispose()


# A short line per kind of mention (one without stars, and a review's praise of two terms) beside a long
# one, in each layout of one_review; and the rows the views read of them.
SEVERAL = "comfort\t3\t2\t1\t0\t0\t1\t0\t0\t0\t2\t41\t43"
BY_TERM = ["loud\tx4\t42", "sturdi\tp5\t41", "flimsi\tc1\t44", "batteri life\tp5\t41", "weight\tn0\t45"]
BY_REVIEW = ["x4\t42\tloud", "p5\t41\tsturdi\tbatteri life", "c1\t44\tflimsi", "n0\t45\tweight"]
# mentions, praise, complaint, neutral, negated, stars 1-5, quotes
VIEW_ROWS = [
    ("batteri life", 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 41, None),
    ("comfort", 3, 2, 1, 0, 0, 1, 0, 0, 0, 2, 41, 43),
    ("flimsi", 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 44, None),
    ("loud", 1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 42, None),
    ("sturdi", 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 41, None),
    ("weight", 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 45, None),
]


def view_rows(conn, view):
    columns = "term, mentions, positive, negative, neutral, neutral_negated, stars_1, stars_2, stars_3, stars_4, stars_5"
    return [tuple(row) for row in conn.exec_driver_sql(f"SELECT {columns}, quote_1, quote_2 FROM {view} ORDER BY term").all()]


def test_one_reviews_lines_read_as_their_long_lines_and_go_down_as_them(scratch_url):
    """The views read each short line as the long line the downgrades write out, which the views before
    read the same."""
    config = alembic_config(scratch_url)
    engine = sa.create_engine(scratch_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text("INSERT INTO product_evidence VALUES (7, :several, NULL, :one_review)"),
                {"several": SEVERAL, "one_review": "\n".join(BY_REVIEW)},
            )
            assert view_rows(conn, "descriptor_evidence") == view_rows(conn, "head_evidence") == VIEW_ROWS
            # A head_length: the first lines of evidence, none of one_review.
            conn.exec_driver_sql(f"UPDATE product_evidence SET head_length = {len(SEVERAL)}")
            assert view_rows(conn, "head_evidence") == VIEW_ROWS[1:2]
            conn.exec_driver_sql("UPDATE product_evidence SET head_length = NULL")
        command.downgrade(config, "0006_narrow_evidence")
        with engine.connect() as conn:
            evidence, head_length = conn.exec_driver_sql("SELECT evidence, head_length FROM product_evidence").one()
            assert view_rows(conn, "descriptor_evidence") == view_rows(conn, "head_evidence") == VIEW_ROWS
        assert head_length is None and evidence.split("\n") == [
            SEVERAL,
            "loud\t1\t0\t0\t1\t1\t0\t0\t0\t1\t0\t42\t",
            "sturdi\t1\t1\t0\t0\t0\t0\t0\t0\t0\t1\t41\t",
            "batteri life\t1\t1\t0\t0\t0\t0\t0\t0\t0\t1\t41\t",
            "flimsi\t1\t0\t1\t0\t0\t1\t0\t0\t0\t0\t44\t",
            "weight\t1\t0\t0\t1\t0\t0\t0\t0\t0\t0\t45\t",
        ]
        command.upgrade(config, "head")
        with engine.connect() as conn:
            assert view_rows(conn, "descriptor_evidence") == view_rows(conn, "head_evidence") == VIEW_ROWS
    finally:
        engine.dispose()


def test_one_reviews_lines_by_term_are_grouped_by_review_and_go_down_as_they_were(scratch_url):
    """A line per term becomes a line per review and way of mentioning, in the order of their first
    terms; the downgrade writes a line per term again, each review's terms together."""
    config = alembic_config(scratch_url)
    engine = sa.create_engine(scratch_url)

    def one_review(conn):
        return conn.exec_driver_sql("SELECT one_review FROM product_evidence WHERE product_id = 7").scalar()

    try:
        command.downgrade(config, "0009_narrow_postings")
        with engine.begin() as conn:
            conn.execute(
                sa.text("INSERT INTO product_evidence VALUES (7, :several, NULL, :one_review), (8, '', NULL, '')"),
                {"several": SEVERAL, "one_review": "\n".join(BY_TERM)},
            )
            assert view_rows(conn, "descriptor_evidence") == VIEW_ROWS
        command.upgrade(config, "head")
        with engine.connect() as conn:
            assert one_review(conn).split("\n") == BY_REVIEW
            assert view_rows(conn, "descriptor_evidence") == view_rows(conn, "head_evidence") == VIEW_ROWS
            assert conn.exec_driver_sql("SELECT one_review FROM product_evidence WHERE product_id = 8").scalar() == ""
        command.downgrade(config, "0009_narrow_postings")
        with engine.connect() as conn:
            assert one_review(conn).split("\n") == [BY_TERM[i] for i in (0, 1, 3, 2, 4)]
            assert view_rows(conn, "descriptor_evidence") == view_rows(conn, "head_evidence") == VIEW_ROWS
    finally:
        engine.dispose()


def test_no_migration_imports_application_code():
    """A migration carries its own SQL: the application's code changes, a migration must not."""
    imports = {}
    for path in VERSIONS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = ["." * node.level + (node.module or "")]
            else:
                continue
            imports.setdefault(path.name, set()).update(names)
    assert imports, "no version file found"
    assert {name: sorted(n for n in names if n.split(".")[0] in ("amazen", "")) for name, names in imports.items()} == {
        name: [] for name in imports
    }


def test_extensions_for_search_are_installed(dbengine):
    with dbengine.connect() as conn:
        names = set(conn.exec_driver_sql("SELECT extname FROM pg_extension").scalars())
    assert {"pg_trgm", "unaccent"} <= names


def test_downgrade_to_base_removes_the_schema_and_upgrade_makes_it_again(scratch_url):
    config = alembic_config(scratch_url)
    engine = sa.create_engine(scratch_url)
    try:
        with engine.connect() as conn:
            tables, views = schema_objects(conn)
        assert tables == set(Base.metadata.tables) and views == set(VIEWS)

        command.downgrade(config, "base")
        with engine.connect() as conn:
            assert schema_objects(conn) == (set(), set())
            assert conn.exec_driver_sql("SELECT extname FROM pg_extension WHERE extname IN ('pg_trgm', 'unaccent')").all() == []
            assert (
                conn.exec_driver_sql(
                    "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                    "AND relname <> 'alembic_version' AND relname <> 'alembic_version_pkc'"
                ).scalar()
                == 0
            )

        command.upgrade(config, "head")
        with engine.connect() as conn:
            assert schema_objects(conn) == (tables, views)
            assert compare_metadata(MigrationContext.configure(conn, opts=COMPARE), Base.metadata) == []
    finally:
        engine.dispose()


def test_a_database_from_before_the_baseline_is_refused_with_one_clear_line(scratch_url):
    """A database stamped with a revision these migrations do not have (one made before the baseline):
    one line says what to do, where Alembic alone would fail with "Can't locate revision"."""
    engine = sa.create_engine(scratch_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0015'")
    engine.dispose()
    with pytest.raises(SystemExit) as exit_:
        migrate(scratch_url)
    message = str(exit_.value.code)
    assert "\n" not in message
    assert "revision 0015" in message and "predates the baseline migration (0001_baseline)" in message
    assert "delete var/" in message and "recreate the database" in message


def wait_for_advisory_lock_wait(engine, thread):
    """Return once some session of the database waits for an advisory lock (bounded, for a busy machine)."""
    deadline = time.monotonic() + 120
    with engine.connect() as conn:
        while True:
            waiting = conn.execute(
                sa.text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'")
            ).scalar()
            conn.rollback()  # pg_stat_activity is read once per transaction: each look is a new one
            if waiting:
                return
            assert thread.is_alive(), "the migration finished while another one held the lock"
            assert time.monotonic() < deadline, "the migration never waited for the lock"
            time.sleep(0.05)


def test_a_migration_waits_while_another_one_runs(database_url, dbengine):
    """Every app container runs `alembic upgrade head` as it starts: the lock makes them take turns."""
    done = threading.Event()
    migration = threading.Thread(target=lambda: (migrate(database_url), done.set()), daemon=True)
    with dbengine.connect() as other:  # stands for a migration in progress elsewhere
        other.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        migration.start()
        wait_for_advisory_lock_wait(dbengine, migration)
        assert not done.is_set()
        other.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
    migration.join(30)
    assert done.is_set()


def test_packed_evidence_from_before_keeps_its_entries_without_the_facts(scratch_url):
    """A packed_evidence row as the collocations revision left it (entries, records, category ids): the
    upgrade drops the facts and keeps the entries as they were."""
    config = alembic_config(scratch_url)
    engine = sa.create_engine(scratch_url)
    try:
        command.downgrade(config, "0003_collocations")
        entries = np.array([(7, 2, 0, 9, 2)], packed.EVIDENCE).tobytes()
        with engine.begin() as conn:
            conn.execute(
                sa.text("INSERT INTO packed_evidence VALUES ('comfort', 0, :entries, :records, :categories)"),
                {"entries": entries, "records": b"\x00" * packed.RECORD.itemsize, "categories": b""},
            )
        command.upgrade(config, "head")
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT * FROM packed_evidence").all()
        assert [(term, block, bytes(found)) for term, block, found in rows] == [("comfort", 0, packed.WIDE_ROW + entries)]
    finally:
        engine.dispose()


def test_packed_postings_from_before_keep_their_entries_without_the_facts(scratch_url):
    """A packed_terms row as the one-review-lines revision left it (entries, records, category ids): the
    upgrade drops the facts and keeps the entries as they were; the downgrade brings the columns back."""
    config = alembic_config(scratch_url)
    engine = sa.create_engine(scratch_url)
    try:
        command.downgrade(config, "0007_one_review_lines")
        entries = np.array([(7, 3.0, 12.5), (9, 1.5, 4.0)], packed.POSTING).tobytes()
        with engine.begin() as conn:
            conn.execute(
                sa.text("INSERT INTO packed_terms VALUES ('comfort', 0, :entries, :records, :categories)"),
                {"entries": entries, "records": b"\x00" * 2 * packed.RECORD.itemsize, "categories": b""},
            )
        command.upgrade(config, "head")
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT * FROM packed_terms").all()
        assert [(term, block, bytes(found)) for term, block, found in rows] == [("comfort", 0, packed.WIDE_ROW + entries)]
        command.downgrade(config, "0007_one_review_lines")
        with engine.connect() as conn:
            columns = conn.exec_driver_sql("SELECT * FROM packed_terms").keys()
        assert list(columns) == ["term", "block", "entries", "records", "category_ids"]
        command.upgrade(config, "head")
    finally:
        engine.dispose()


def test_narrow_postings_go_down_to_20_byte_entries_and_up_again_as_wide_rows(scratch_url):
    """Rows of both layouts, written by hand: the downgrade leaves every row's entries as 20-byte
    postings without the layout byte (a narrow row's halves read back), the upgrade marks them as wide
    rows."""
    config = alembic_config(scratch_url)
    engine = sa.create_engine(scratch_url)
    narrow = b"\x00" + struct.pack(">HHI", 5, 7, 41) + struct.pack(">HHI", 1023, 65535, 4294967295)
    wide = b"\x01" + struct.pack(">idd", 7 * packed.BLOCK + 9, 0.25, 3.0)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text("INSERT INTO packed_terms VALUES ('comfort', 3, :narrow), ('loud', 7, :wide)"),
                {"narrow": narrow, "wide": wide},
            )
        command.downgrade(config, "0008_postings_without_facts")
        with engine.connect() as conn:
            rows = dict(conn.exec_driver_sql("SELECT term, entries FROM packed_terms").all())
        old = {
            "comfort": struct.pack(">idd", 3 * packed.BLOCK + 5, 3.5, 20.5)
            + struct.pack(">idd", 3 * packed.BLOCK + 1023, 32767.5, 2147483647.5),
            "loud": wide[1:],
        }
        assert {term: bytes(entries) for term, entries in rows.items()} == old
        command.upgrade(config, "head")
        with engine.connect() as conn:
            rows = dict(conn.exec_driver_sql("SELECT term, entries FROM packed_terms").all())
        assert {term: bytes(entries) for term, entries in rows.items()} == {
            term: b"\x01" + entries for term, entries in old.items()
        }
    finally:
        engine.dispose()


def test_narrow_evidence_goes_down_to_20_byte_entries_and_up_again_as_wide_rows(scratch_url):
    """Rows of both layouts, written by hand: the downgrade leaves every row's entries as 20-byte
    entries without the layout byte (a narrow row's signed bytes read back as negative numbers), the
    upgrade marks them as wide rows."""
    config = alembic_config(scratch_url)
    engine = sa.create_engine(scratch_url)
    narrow = b"\x00" + struct.pack(">HbbBB", 5, -3, -128, 255, 3) + struct.pack(">HbbBB", 1023, 127, 1, 4, 1)
    wide = b"\x01" + struct.pack(">iiiii", 7 * packed.BLOCK + 9, 400, 0, 2000, 400)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text("INSERT INTO packed_evidence VALUES ('comfort', 3, :narrow), ('loud', 7, :wide)"),
                {"narrow": narrow, "wide": wide},
            )
        command.downgrade(config, "0005_evidence_head")
        with engine.connect() as conn:
            rows = dict(conn.exec_driver_sql("SELECT term, entries FROM packed_evidence").all())
        old = {
            "comfort": struct.pack(">iiiii", 3 * packed.BLOCK + 5, -3, -128, 255, 3)
            + struct.pack(">iiiii", 3 * packed.BLOCK + 1023, 127, 1, 4, 1),
            "loud": wide[1:],
        }
        assert {term: bytes(entries) for term, entries in rows.items()} == old
        command.upgrade(config, "head")
        with engine.connect() as conn:
            rows = dict(conn.exec_driver_sql("SELECT term, entries FROM packed_evidence").all())
        marked = {term: b"\x01" + entries for term, entries in old.items()}
        assert {term: bytes(entries) for term, entries in rows.items()} == marked
    finally:
        engine.dispose()


def test_four_blocks_of_1024_become_one_of_4096_and_split_again(scratch_url):
    """Rows of old blocks 4-7 (new block 1) in both layouts: narrow rows join as one narrow row, their
    offsets moved by 1,024 an old block; a term with a wide row among them gets a wide row; facts join
    in product order. The downgrade gives back every row as it was, but in the wide layout where its
    new row was wide."""
    config = alembic_config(scratch_url)
    engine = sa.create_engine(scratch_url)
    posting = struct.Struct(">HHI").pack
    narrow = {4: b"\x00" + posting(5, 7, 41), 6: b"\x00" + posting(0, 2, 6) + posting(1023, 65535, 4294967295)}
    mixed = {5: b"\x00" + posting(3, 4, 10), 7: b"\x01" + struct.pack(">idd", 7 * 1024 + 9, 0.25, 3.0)}
    evidence = {4: b"\x00" + struct.pack(">HbbBB", 1, -3, -128, 255, 3), 7: b"\x00" + struct.pack(">HbbBB", 2, 127, 1, 4, 1)}
    record = b"\x00" * 28  # price ... brand: only the category count matters here
    facts = {  # block: (ids, records, category ids)
        4: ([4 * 1024 + 1, 4 * 1024 + 5], [2, 0], [11, 12]),
        6: ([6 * 1024], [1], [13]),
    }
    rows = {
        "terms": [("comfort", block, e) for block, e in narrow.items()] + [("loud", block, e) for block, e in mixed.items()],
        "evidence": [("comfort", block, e) for block, e in evidence.items()],
    }

    def packed_facts(ids, counts, categories):
        return (
            b"".join(struct.pack(">i", i) for i in ids),
            b"".join(record + struct.pack(">i", c) for c in counts),
            b"".join(struct.pack(">i", c) for c in categories),
        )

    def everything(conn):
        def rows(table):
            found = conn.exec_driver_sql(f"SELECT * FROM {table}")
            return sorted(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in found)

        return {"terms": rows("packed_terms"), "evidence": rows("packed_evidence"), "facts": rows("packed_facts")}

    try:
        command.downgrade(config, "0010_one_review_lines_by_review")
        with engine.begin() as conn:
            for kind, found in rows.items():
                for term, block, e in found:
                    conn.execute(sa.text(f"INSERT INTO packed_{kind} VALUES (:t, :b, :e)"), {"t": term, "b": block, "e": e})
            for block, values in facts.items():
                arrays = dict(zip("irc", packed_facts(*values)))
                conn.execute(sa.text("INSERT INTO packed_facts VALUES (:b, :i, :r, :c)"), {"b": block, **arrays})
            before = everything(conn)
        command.upgrade(config, "0011_blocks_of_4096")
        with engine.connect() as conn:
            after = everything(conn)
        assert after["terms"] == [
            ("comfort", 1, b"\x00" + posting(5, 7, 41) + posting(2048, 2, 6) + posting(2048 + 1023, 65535, 4294967295)),
            ("loud", 1, b"\x01" + struct.pack(">idd", 5 * 1024 + 3, 2.0, 5.0) + struct.pack(">idd", 7 * 1024 + 9, 0.25, 3.0)),
        ]
        joined = struct.pack(">HbbBB", 1, -3, -128, 255, 3) + struct.pack(">HbbBB", 3 * 1024 + 2, 127, 1, 4, 1)
        assert after["evidence"] == [("comfort", 1, b"\x00" + joined)]
        assert after["facts"] == [(1, *packed_facts([4 * 1024 + 1, 4 * 1024 + 5, 6 * 1024], [2, 0, 1], [11, 12, 13]))]
        command.downgrade(config, "0010_one_review_lines_by_review")
        # As they were, but the narrow row that joined a wide one: it comes back wide.
        before["terms"] = [
            ("loud", 5, b"\x01" + struct.pack(">idd", 5 * 1024 + 3, 2.0, 5.0)) if row[:2] == ("loud", 5) else row
            for row in before["terms"]
        ]
        with engine.connect() as conn:
            assert everything(conn) == before
        command.upgrade(config, "head")
    finally:
        engine.dispose()


def test_postings_are_read_from_the_packed_rows_and_written_out_again_by_the_downgrade(scratch_url):
    """Packed rows of both layouts, written by hand: after the upgrade the view product_terms shows their
    entries (narrow ones from their offset and halves, wide ones from their int4 and float8 bytes); the
    downgrade writes product_postings again, a line per term in term order."""
    config = alembic_config(scratch_url)
    engine = sa.create_engine(scratch_url)
    posting = struct.Struct(">HHI").pack
    first, second, third = 2 * 4096 + 5, 2 * 4096 + 4095, 3 * 4096 + 9
    rows = [
        ("comfort", 2, b"\x00" + posting(5, 7, 41) + posting(4095, 65535, 4294967295)),
        ("loud", 2, b"\x00" + posting(5, 2, 41)),
        ("soft", 3, b"\x01" + struct.pack(">idd", third, 0.25, 1e300)),
    ]
    expected = [
        ("comfort", 2, first, 3.5, 20.5),
        ("comfort", 2, second, 32767.5, 2147483647.5),
        ("loud", 2, first, 1.0, 20.5),
        ("soft", 3, third, 0.25, 1e300),
    ]
    try:
        command.downgrade(config, "0011_blocks_of_4096")
        with engine.begin() as conn:
            for term, block, entries in rows:
                conn.execute(sa.text("INSERT INTO packed_terms VALUES (:t, :b, :e)"), {"t": term, "b": block, "e": entries})
        command.upgrade(config, "0012_postings_only_packed")
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT * FROM product_terms ORDER BY term, product_id").all() == expected
            assert conn.exec_driver_sql("SELECT to_regclass('product_postings')").scalar() is None
        command.downgrade(config, "0011_blocks_of_4096")
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT * FROM product_postings ORDER BY 1").all() == [
                (first, 20.5, "comfort\t3.5\nloud\t1"),
                (second, 2147483647.5, "comfort\t32767.5"),
                (third, 1e300, "soft\t0.25"),
            ]
            view = conn.exec_driver_sql("SELECT term, product_id, tf, length FROM product_terms ORDER BY 1, 2").all()
            assert view == [(term, product_id, tf, length) for term, _, product_id, tf, length in expected]
        command.upgrade(config, "head")
    finally:
        engine.dispose()


def test_the_products_phrases_are_dropped_and_the_counts_kept(scratch_url):
    """The upgrade drops product_vocabulary and its view, and leaves phrase_counts as they were; the
    downgrade makes the table and the view again, empty, the view reading the table's lines."""
    config = alembic_config(scratch_url)
    engine = sa.create_engine(scratch_url)
    try:
        command.downgrade(config, "0012_postings_only_packed")
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO product_vocabulary VALUES (7, E'tin\\tf\\nacme\\tt')")
            conn.exec_driver_sql("INSERT INTO phrase_counts VALUES ('tin', 1, 0), ('acme', 1, 1)")
        command.upgrade(config, "0013_no_product_phrases")
        with engine.connect() as conn:
            dropped = conn.exec_driver_sql("SELECT to_regclass('product_vocabulary'), to_regclass('product_phrases')").one()
            assert dropped == (None, None)
            assert conn.exec_driver_sql("SELECT * FROM phrase_counts ORDER BY 1").all() == [("acme", 1, 1), ("tin", 1, 0)]
        command.downgrade(config, "0012_postings_only_packed")
        with engine.begin() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM product_vocabulary").scalar() == 0
            conn.exec_driver_sql("INSERT INTO product_vocabulary VALUES (7, E'tin\\tf\\nacme\\tt')")
            phrases = conn.exec_driver_sql("SELECT phrase, product_id, named FROM product_phrases ORDER BY 1").all()
            assert phrases == [("acme", 7, True), ("tin", 7, False)]
            conn.exec_driver_sql("DELETE FROM product_vocabulary; DELETE FROM phrase_counts")
        command.upgrade(config, "head")
    finally:
        engine.dispose()


def test_the_products_derived_figures_move_to_product_stats_and_back(scratch_url):
    """The upgrade moves each product's review and rating counts, average, histogram, search length and
    categories into product_stats, keyed for the browse orders, and drops them from products; the
    downgrade puts them back as they were."""
    config = alembic_config(scratch_url)
    engine = sa.create_engine(scratch_url)
    columns = (
        "search_length, search_categories, review_count, rating_count, rating_average, "
        "stars_1, stars_2, stars_3, stars_4, stars_5"
    )
    rated = (12.5, [3, 9], 4, 3, 11 / 3, 0, 1, 0, 0, 2)  # three ratings, 2+5+5 stars, and a review without any
    unrated = (3.0, [], 0, 0, None, 0, 0, 0, 0, 0)
    try:
        command.downgrade(config, "0013_no_product_phrases")
        with engine.begin() as conn:
            for product_id, asin, figures in ((7, "B007", rated), (8, "B008", unrated)):
                conn.exec_driver_sql(
                    f"INSERT INTO products (id, asin, title, {columns}) VALUES (%s, %s, 'A tin'{', %s' * len(figures)})",
                    (product_id, asin, *figures),
                )
        command.upgrade(config, "0014_product_stats")
        with engine.connect() as conn:
            stats = conn.exec_driver_sql(f"SELECT product_id, {columns} FROM product_stats ORDER BY 1").all()
            assert stats == [(7, *rated), (8, *unrated)]
            left = conn.exec_driver_sql(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'products'"
                " AND column_name = ANY(string_to_array(%s, ', '))",
                (columns,),
            ).all()
            assert left == []
            keys = conn.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE tablename IN ('products', 'product_stats')"
                " AND indexname ~ 'review|rating' ORDER BY 1"
            ).scalars()
            assert list(keys) == ["ix_product_stats_by_rating", "ix_product_stats_by_reviews"]
        command.downgrade(config, "0013_no_product_phrases")
        with engine.begin() as conn:
            assert conn.exec_driver_sql(f"SELECT id, {columns} FROM products ORDER BY 1").all() == [(7, *rated), (8, *unrated)]
            assert conn.exec_driver_sql("SELECT to_regclass('product_stats')").scalar() is None
            conn.exec_driver_sql("DELETE FROM products")
        command.upgrade(config, "head")
    finally:
        engine.dispose()


def test_the_categories_product_counts_start_counted_from_product_stats(scratch_url):
    """The upgrade counts each category's products from product_stats' categories; the downgrade drops
    the counts."""
    config = alembic_config(scratch_url)
    engine = sa.create_engine(scratch_url)
    try:
        command.downgrade(config, "0014_product_stats")
        with engine.begin() as conn:
            # Category 3: products 7 and 8; category 9: product 7; product 10 is in none.
            conn.exec_driver_sql(
                "INSERT INTO product_stats (product_id, search_categories) VALUES (7, '{3,9}'), (8, '{3}'), (10, '{}')"
            )
        command.upgrade(config, "0015_category_stats")
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT category_id, products FROM category_stats ORDER BY 1").all() == [(3, 2), (9, 1)]
        command.downgrade(config, "0014_product_stats")
        with engine.begin() as conn:
            assert conn.exec_driver_sql("SELECT to_regclass('category_stats')").scalar() is None
            conn.exec_driver_sql("DELETE FROM product_stats")
        command.upgrade(config, "head")
    finally:
        engine.dispose()
