"""The models and the migrations describe the same schema; concurrent migrations take turns."""
import threading

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from amazen.dbsetup import MIGRATION_LOCK_KEY, alembic_config, migrate
from amazen.models.meta import Base


def test_migrations_match_the_models(dbengine):
    with dbengine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_the_database_is_at_the_single_head(dbengine):
    script = ScriptDirectory.from_config(alembic_config(str(dbengine.url)))
    with dbengine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    assert list(current) == script.get_heads() and len(script.get_heads()) == 1


def test_extensions_for_search_are_installed(dbengine):
    with dbengine.connect() as conn:
        names = set(conn.exec_driver_sql("SELECT extname FROM pg_extension").scalars())
    assert {"pg_trgm", "unaccent"} <= names


def test_a_migration_waits_while_another_one_runs(database_url, dbengine):
    """Every app container runs `alembic upgrade head` as it starts: the lock makes them take turns."""
    done = threading.Event()
    migration = threading.Thread(target=lambda: (migrate(database_url), done.set()), daemon=True)
    with dbengine.connect() as other:  # stands for a migration in progress elsewhere
        other.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        migration.start()
        assert not done.wait(1.0)
        other.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
    migration.join(30)
    assert done.is_set()


def test_migration_0011_moves_each_evidence_rows_histogram_and_quotes_into_columns_and_back(scratch_url):
    """The histogram and the quotes were arrays until 0011; an existing catalog keeps every value."""
    from alembic import command

    config = alembic_config(scratch_url)
    command.downgrade(config, "0010")
    engine = sa.create_engine(scratch_url)
    # (term, product id, stars as an array, quote ids as an array): two quotes, one, none.
    arrays = [("comfort", 1, [0, 1, 0, 1, 1], [11, 12]), ("sturdi", 1, [0, 0, 0, 1, 0], [13]), ("light", 2, [0, 0, 0, 0, 0], [])]
    with engine.begin() as conn:
        for term, product_id, stars, quotes in arrays:
            conn.execute(sa.text(
                "INSERT INTO descriptor_evidence (term, product_id, mentions, positive, negative, stars, quote_review_ids) "
                "VALUES (:term, :product_id, 3, 2, 1, :stars, :quotes)"
            ), {"term": term, "product_id": product_id, "stars": stars, "quotes": quotes})
    command.upgrade(config, "0011")
    with engine.connect() as conn:
        columns = conn.execute(sa.text(
            "SELECT term, product_id, stars_1, stars_2, stars_3, stars_4, stars_5, quote_1, quote_2, mentions "
            "FROM descriptor_evidence ORDER BY product_id, term"
        )).all()
    assert [tuple(row) for row in columns] == [
        ("comfort", 1, 0, 1, 0, 1, 1, 11, 12, 3), ("sturdi", 1, 0, 0, 0, 1, 0, 13, None, 3), ("light", 2, 0, 0, 0, 0, 0, None, None, 3),
    ]
    command.downgrade(config, "0010")
    with engine.connect() as conn:
        back = conn.execute(sa.text(
            "SELECT term, product_id, stars, quote_review_ids FROM descriptor_evidence ORDER BY product_id, term"
        )).all()
    engine.dispose()
    assert [tuple(row) for row in back] == [tuple(row) for row in arrays]


def test_migration_0012_keys_the_index_rows_by_product_and_back(scratch_url):
    """Until 0012 the rows were keyed by term, with a second index by product."""
    from alembic import command

    config = alembic_config(scratch_url)
    engine = sa.create_engine(scratch_url)

    def keys():
        with engine.connect() as conn:
            return sorted(conn.execute(sa.text(
                "SELECT tablename, indexdef FROM pg_indexes WHERE tablename IN ('product_terms', 'descriptor_evidence')"
            )).all())

    command.downgrade(config, "0011")
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO product_terms (term, product_id, tf, length) VALUES ('comfort', 1, 2.0, 9.0)"))
    old = keys()
    assert [index.split(" USING ")[1] for _, index in old] == [
        "btree (product_id)", "btree (term, product_id) INCLUDE (mentions, positive, negative, rated, stars_sum)",
        "btree (product_id)", "btree (term, product_id) INCLUDE (tf, length)",
    ]
    command.upgrade(config, "0012")
    assert [index.split(" USING ")[1] for _, index in keys()] == ["btree (product_id, term)"] * 2
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT term, product_id, tf, length FROM product_terms")).all() == [("comfort", 1, 2.0, 9.0)]
    command.downgrade(config, "0011")
    assert keys() == old
    engine.dispose()


def test_migration_0013_keeps_every_posting_in_one_row_per_product_and_back(scratch_url):
    """Until 0013 product_terms was a table of one row per term; since, a view of product_postings."""
    from alembic import command

    config = alembic_config(scratch_url)
    engine = sa.create_engine(scratch_url)
    # A phrase (a space inside the term), a tf whose decimal form is long, two products.
    rows = [("batteri life", 1, 0.1 + 0.2, 12.5), ("comfort", 1, 3.0, 12.5), ("sturdi", 2, 1.5, 4.0)]

    def product_terms():
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(
                "SELECT term, product_id, tf, length FROM product_terms ORDER BY product_id, term"))]

    command.downgrade(config, "0012")
    with engine.begin() as conn:
        for term, product_id, tf, length in rows:
            conn.execute(sa.text("INSERT INTO product_terms VALUES (:term, :product_id, :tf, :length)"),
                         {"term": term, "product_id": product_id, "tf": tf, "length": length})
    command.upgrade(config, "0013")
    assert product_terms() == rows
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT product_id FROM product_postings ORDER BY 1")).scalars().all() == [1, 2]
        assert "product_terms" in sa.inspect(conn).get_view_names()
    command.downgrade(config, "0012")
    assert product_terms() == rows
    with engine.connect() as conn:
        assert "product_postings" not in sa.inspect(conn).get_table_names()
    engine.dispose()


def test_migration_0014_keeps_all_evidence_in_one_row_per_product_and_back(scratch_url):
    """Until 0014 descriptor_evidence was a table of one row per term; since, a view of product_evidence."""
    from alembic import command

    config = alembic_config(scratch_url)
    engine = sa.create_engine(scratch_url)
    columns = "term, product_id, mentions, positive, negative, rated, stars_sum, stars_1, stars_2, stars_3, stars_4, stars_5, quote_1, quote_2"
    # Two quotes, one, none; a phrase; two products.
    rows = [("batteri life", 1, 3, 2, 1, 2, 9, 0, 0, 0, 1, 1, 11, 12), ("comfort", 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 13, None),
            ("sturdi", 2, 2, 0, 2, 2, 3, 1, 1, 0, 0, 0, None, None)]

    def evidence():
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(f"SELECT {columns} FROM descriptor_evidence ORDER BY product_id, term"))]

    command.downgrade(config, "0013")
    with engine.begin() as conn:
        for row in rows:
            conn.execute(sa.text(f"INSERT INTO descriptor_evidence ({columns}) VALUES ({', '.join(f':v{i}' for i in range(14))})"),
                         {f"v{i}": value for i, value in enumerate(row)})
    command.upgrade(config, "0014")
    assert evidence() == rows
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT product_id FROM product_evidence ORDER BY 1")).scalars().all() == [1, 2]
    command.downgrade(config, "0013")
    assert evidence() == rows
    with engine.connect() as conn:
        assert "product_evidence" not in sa.inspect(conn).get_table_names()
        assert conn.execute(sa.text(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'descriptor_evidence'")).scalars().all() == [
            "CREATE UNIQUE INDEX pk_descriptor_evidence ON public.descriptor_evidence USING btree (product_id, term)"]
    engine.dispose()


def test_migration_0015_keeps_each_products_phrases_in_one_row_counts_them_and_back(scratch_url):
    """Until 0015 product_phrases was a table of one row per phrase; since, a view of product_vocabulary,
    with phrase_counts counting its rows."""
    from alembic import command

    config = alembic_config(scratch_url)
    engine = sa.create_engine(scratch_url)
    # A title phrase two products use, one a name gives, one whose name had a tab in it.
    rows = [("big mug", 1, False), ("big mug", 2, False), ("mug", 2, True), ("odd\tname", 3, True)]

    def product_phrases():
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(
                "SELECT phrase, product_id, named FROM product_phrases ORDER BY product_id, phrase"))]

    command.downgrade(config, "0014")
    with engine.begin() as conn:
        for phrase, product_id, named in rows:
            conn.execute(sa.text("INSERT INTO product_phrases VALUES (:phrase, :product_id, :named)"),
                         {"phrase": phrase, "product_id": product_id, "named": named})
    command.upgrade(config, "0015")
    upgraded = rows[:3] + [("odd name", 3, True)]
    assert product_phrases() == upgraded
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT product_id FROM product_vocabulary ORDER BY 1")).scalars().all() == [1, 2, 3]
        assert conn.execute(sa.text("SELECT phrase, products, named FROM phrase_counts ORDER BY 1")).all() == [
            ("big mug", 2, 0), ("mug", 1, 1), ("odd name", 1, 1)]
    command.downgrade(config, "0014")
    assert product_phrases() == upgraded
    with engine.connect() as conn:
        assert "product_vocabulary" not in sa.inspect(conn).get_table_names()
        assert conn.execute(sa.text(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'product_phrases' ORDER BY 1")).scalars().all() == [
            "CREATE INDEX ix_product_phrases_product_id ON public.product_phrases USING btree (product_id)",
            "CREATE UNIQUE INDEX pk_product_phrases ON public.product_phrases USING btree (phrase, product_id) INCLUDE (named)"]
    engine.dispose()
