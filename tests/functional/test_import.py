"""Importing the real files of the public Amazon datasets (AMAZEN_DATA_DIR, see tests/conftest.py); the
tests that read them skip without the datasets.

Every expected number is computed here from the raw files with plain parsing (json, csv, regular
expressions), independently of the readers under test. The imports run inside the test's rolled-back
transaction, so they see the demo catalog too; assertions are scoped to the imported asins.
"""

import csv
import json
import re
from collections import Counter

import pytest
import sqlalchemy as sa

from amazen.ingest.importer import DUPLICATE_REVIEW, UsageError, import_files
from tests.datasets import (
    APPLIANCES_META,
    DATAFINITI,
    GIFT_META,
    GIFT_REVIEWS,
    HULIU,
    MDSD,
    MUSIC_REVIEWS,
    TOY_META,
    TSV,
)

ALL_FILES = [GIFT_META, GIFT_REVIEWS, MUSIC_REVIEWS, TOY_META, APPLIANCES_META, TSV, DATAFINITI, *MDSD, *HULIU]


def json_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def mdsd_reviews(path):
    """(asin, reviewer key, rating) per <review> block, by regular expressions on the raw text."""
    blocks = re.findall(r"<review>(.*?)</review>", path.read_text(encoding="utf-8", errors="replace"), re.S)
    out = []
    for block in blocks:
        field = lambda tag: re.search(rf"<{tag}>\n(.*?)\n?</{tag}>", block, re.S).group(1).strip()  # noqa: E731
        unique_id = field("unique_id")
        reviewer = unique_id.rsplit(":", 1)[-1] or unique_id
        out.append((field("asin"), reviewer, int(float(field("rating")))))
    return out


def tsv_rows():
    lines = TSV.read_text().split("\n")
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:] if line.strip()]


def datafiniti_rows():
    with open(DATAFINITI, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def expected_reviews():
    """asin -> Counter of stars of the reviews that should be stored (one per reviewer and product)."""
    stored = {}
    for r in json_lines(GIFT_REVIEWS) + json_lines(MUSIC_REVIEWS):
        stored[(r["asin"], r["reviewerID"])] = int(r["overall"])
    for r in tsv_rows():
        stored[(r["product_id"], r["customer_id"])] = int(r["star_rating"])
    for path in MDSD:
        for asin, reviewer, rating in mdsd_reviews(path):
            stored[(asin, "mdsd:" + reviewer)] = rating
    for r in datafiniti_rows():
        key = (r["asins"].split(",")[0], r["reviews.username"])
        if r["reviews.rating"].strip():
            stored[key] = int(float(r["reviews.rating"]))  # a copy with stars wins over one without
        else:
            stored.setdefault(key, None)
    by_asin = {}
    for (asin, _), stars in stored.items():
        by_asin.setdefault(asin, Counter())[stars] += 1
    return by_asin


@pytest.fixture
def conn(dbsession):
    return dbsession.connection()


def imported_asins():
    asins = {r["asin"] for r in json_lines(GIFT_META)} | {r["asin"] for r in json_lines(GIFT_REVIEWS)}
    asins |= {r["asin"] for r in json_lines(MUSIC_REVIEWS)} | {r["asin"] for r in json.loads(TOY_META.read_text())}
    asins |= {r["asin"] for r in json_lines(APPLIANCES_META)} | {r["product_id"] for r in tsv_rows()}
    asins |= {r["asins"].split(",")[0] for r in datafiniti_rows()}
    for path in MDSD:
        asins |= {asin for asin, _, _ in mdsd_reviews(path)}
    return asins


@pytest.mark.usefixtures("amazon_data")
def test_importing_every_shared_file_gives_the_counts_of_the_raw_files(conn):
    before = conn.execute(sa.text("SELECT count(*) FROM products")).scalar()
    report = import_files(conn, ALL_FILES)

    asins = imported_asins()
    assert report.products_inserted == len(asins) + len(HULIU)
    assert conn.execute(sa.text("SELECT count(*) FROM products")).scalar() == before + len(asins) + len(HULIU)

    expected = expected_reviews()
    rows = conn.execute(
        sa.text(
            "SELECT p.asin, r.rating, count(*) FROM reviews r JOIN products p ON p.id = r.product_id "
            "WHERE p.asin = ANY(:asins) GROUP BY p.asin, r.rating"
        ),
        {"asins": list(asins)},
    ).all()
    stored = {}
    for asin, rating, count in rows:
        stored.setdefault(asin, Counter())[rating] += count
    assert stored == expected

    # Gift Cards 2018 (PROVENANCE.md): 2,972 review lines on 148 products, 7 repeated (reviewer, asin) pairs.
    gift = json_lines(GIFT_REVIEWS)
    assert len(gift) == 2972 and len({r["asin"] for r in gift}) == 148
    pairs = {(r["asin"], r["reviewerID"]) for r in gift}
    assert len(pairs) == 2972 - 7
    stored_pairs = conn.execute(
        sa.text(
            "SELECT count(*) FROM reviews r JOIN products p ON p.id = r.product_id "
            "WHERE (p.asin, r.reviewer_id) IN (SELECT * FROM unnest(CAST(:a AS text[]), CAST(:r AS text[])))"
        ),
        {"a": [a for a, _ in pairs], "r": [r for _, r in pairs]},
    ).scalar()
    assert stored_pairs == len(pairs)

    # Hu & Liu: one product per file, one review per "[t]" marker (plus one for sentences before the
    # first marker), no stars.
    huliu_reviews = 0
    for path in HULIU:
        text = path.read_text(errors="replace")
        huliu_reviews += text.count("[t]") + ("##" in text.split("[t]", 1)[0])
    assert huliu_reviews == 314
    unrated = conn.execute(
        sa.text("SELECT count(*) FROM reviews r JOIN products p ON p.id = r.product_id WHERE p.asin LIKE 'HULIU-%'")
    ).scalar()
    assert unrated == huliu_reviews


@pytest.mark.usefixtures("amazon_data")
def test_the_report_accounts_for_every_line(conn):
    report = import_files(conn, [TSV, GIFT_REVIEWS])
    raw_lines = {TSV: len(TSV.read_text().splitlines()), GIFT_REVIEWS: len(GIFT_REVIEWS.read_text().splitlines())}
    assert [f.lines for f in report.files] == [raw_lines[TSV], raw_lines[GIFT_REVIEWS]]
    # The TSV head ends with two blank lines; the Gift Cards file repeats 7 (reviewer, product) pairs.
    assert report.skipped["blank line"].count == 2
    assert report.skipped["blank line"].first == [f"{TSV.name}:1454", f"{TSV.name}:1455"]
    assert report.skipped[DUPLICATE_REVIEW].count == 7
    assert report.reviews_read == 1452 + 2972


def rating_mismatches(conn):
    """Products whose stored aggregates differ from a count of their reviews, and whether the catalog's
    totals differ from a count of all reviews. The average is the stars' sum over their count, rounded
    once to a float (avg()'s numeric rounds twice and may differ in the last bit)."""
    products = (
        conn.execute(
            sa.text(
                """
            SELECT p.asin FROM products p LEFT JOIN product_stats s ON s.product_id = p.id LEFT JOIN LATERAL (
                SELECT count(*) AS n, count(rating) AS rated, sum(rating)::float8 / NULLIF(count(rating), 0) AS mean,
                       count(*) FILTER (WHERE rating = 5) AS five, count(*) FILTER (WHERE rating = 4) AS four,
                       count(*) FILTER (WHERE rating = 3) AS three, count(*) FILTER (WHERE rating = 2) AS two,
                       count(*) FILTER (WHERE rating = 1) AS one
                FROM reviews WHERE product_id = p.id) a ON TRUE
            WHERE s.product_id IS NULL
               OR s.review_count <> a.n OR s.rating_count <> a.rated OR s.stars_5 <> a.five OR s.stars_4 <> a.four
               OR s.stars_3 <> a.three OR s.stars_2 <> a.two OR s.stars_1 <> a.one
               OR s.rating_average IS DISTINCT FROM a.mean
            """
            )
        )
        .scalars()
        .all()
    )
    totals = conn.execute(sa.text("SELECT reviews, ratings, rating_points FROM search_stats")).one()
    counted = conn.execute(sa.text("SELECT count(*), count(rating), sum(rating) FROM reviews")).one()
    return products, tuple(totals) != tuple(counted)


@pytest.mark.usefixtures("amazon_data")
def test_rating_aggregates_are_exact_after_import(conn):
    import_files(conn, [GIFT_META, GIFT_REVIEWS, TSV])
    assert rating_mismatches(conn) == ([], False)
    gift_stars = Counter(int(r["overall"]) for r in json_lines(GIFT_REVIEWS))
    assert gift_stars == {5: 2752, 4: 154, 3: 33, 2: 11, 1: 22}  # PROVENANCE.md


@pytest.mark.usefixtures("amazon_data")
def test_rating_aggregates_are_exact_after_a_small_import_into_a_catalog(conn, tmp_path):
    """A few reviews for two products of a catalog: their aggregates are counted alone (not in the
    full rebuild that counts every product's), and the catalog's totals follow."""
    import_files(conn, [GIFT_META, GIFT_REVIEWS])
    first, second = [r["asin"] for r in json_lines(GIFT_REVIEWS)[:1]] + [r["asin"] for r in json_lines(GIFT_REVIEWS)[-1:]]
    more = tmp_path / "More_5.json"
    more.write_text(
        "".join(
            json.dumps(
                {
                    "overall": stars,
                    "verified": True,
                    "reviewTime": "01 2, 2019",
                    "reviewerID": reviewer,
                    "asin": asin,
                    "reviewerName": "Tester",
                    "reviewText": "Arrived late.",
                    "summary": "Late",
                    "unixReviewTime": 1546387200,
                }
            )
            + "\n"
            for asin, reviewer, stars in ((first, "new-1", 1.0), (first, "new-2", 2.0), (second, "new-3", 1.0))
        )
    )
    before = conn.execute(
        sa.text("SELECT stars_1 FROM products JOIN product_stats ON product_id = id WHERE asin = :a"), {"a": first}
    ).scalar()
    report = import_files(conn, [more])
    assert report.indexed == 2
    assert (
        conn.execute(
            sa.text("SELECT stars_1 FROM products JOIN product_stats ON product_id = id WHERE asin = :a"), {"a": first}
        ).scalar()
        == before + 1
    )
    assert rating_mismatches(conn) == ([], False)


def test_text_postgresql_cannot_hold_is_cleaned_not_fatal(conn, tmp_path):
    """JSON escapes a NUL ("\\u0000") or half of a surrogate pair ("\\udcd6"), and a TSV can hold a NUL
    byte: each once failed the whole import with a traceback. A NUL is dropped, half a pair becomes
    U+FFFD (as bytes that are not UTF-8 do), and every line is imported."""
    reviews = tmp_path / "Odd_5.json"
    reviews.write_text(
        '{"overall": 5.0, "reviewerID": "odd-1", "asin": "ODD0000001", "reviewText": "good\\u0000 bass", "summary": "Nul"}\n'
        '{"overall": 4.0, "reviewerID": "odd-2", "asin": "ODD0000001", "reviewText": "half \\udcd6 pair", "summary": "Half"}\n'
    )
    tsv = tmp_path / "odd.tsv"
    tsv.write_bytes(
        b"marketplace\tcustomer_id\treview_id\tproduct_id\tproduct_parent\tproduct_title\tproduct_category\tstar_rating"
        b"\thelpful_votes\ttotal_votes\tvine\tverified_purchase\treview_headline\treview_body\treview_date\n"
        b"US\t1\tODDR9\tODD0000002\t1\tBig\x00 mug\tKitchen\t5\t0\t0\tN\tY\tFine\tGood\x00 mug\t2015-08-31\n"
    )
    report = import_files(conn, [reviews, tsv])
    assert (report.reviews_inserted, sum(t.count for t in report.skipped.values())) == (3, 0)
    stored = conn.execute(
        sa.text(
            "SELECT p.asin, p.title, r.text FROM reviews r JOIN products p ON p.id = r.product_id"
            " WHERE p.asin LIKE 'ODD%' ORDER BY r.text"
        )
    ).all()
    assert [tuple(row) for row in stored] == [
        ("ODD0000002", "Big mug", "Good mug"),
        ("ODD0000001", None, "good bass"),
        ("ODD0000001", None, "half \ufffd pair"),
    ]


@pytest.mark.usefixtures("amazon_data")
def test_page_junk_is_dropped_and_real_prices_kept(conn):
    import_files(conn, [APPLIANCES_META, GIFT_META])
    raw = json_lines(APPLIANCES_META) + json_lines(GIFT_META)
    real_prices = {
        r["asin"]: r["price"] for r in raw if re.fullmatch(r"\$[0-9]{1,3}(,[0-9]{3})*(\.[0-9]{2})?", r.get("price", ""))
    }
    rows = dict(
        conn.execute(sa.text("SELECT asin, price FROM products WHERE asin = ANY(:a)"), {"a": [r["asin"] for r in raw]}).all()
    )
    priced = {asin: price for asin, price in rows.items() if price is not None}
    assert set(priced) == set(real_prices)
    assert all(str(priced[a]) == real_prices[a].lstrip("$").replace(",", "") for a in real_prices)
    junk = conn.execute(
        sa.text(
            "SELECT count(*) FROM products WHERE asin = ANY(:a) "
            "AND (title ~ '<[a-z/]|\\{[^}]*:' OR description ~ '<(table|tr|td)'"
            " OR array_to_string(features, ' ') ~ '<(table|tr|td)|\\{[^}]*:')"
        ),
        {"a": [r["asin"] for r in raw]},
    ).scalar()
    assert junk == 0
    assert conn.execute(sa.text("SELECT count(*) FROM products WHERE title LIKE '%&amp;%'")).scalar() == 0


@pytest.mark.usefixtures("amazon_data")
def test_importing_the_same_files_twice_changes_nothing(conn):
    def snapshot():
        return (
            conn.execute(
                sa.text(
                    "SELECT asin, title, brand, price, features, review_count, rating_average"
                    " FROM products LEFT JOIN product_stats ON product_id = id ORDER BY asin"
                )
            ).all(),
            conn.execute(
                sa.text("SELECT product_id, reviewer_id, rating, text, helpful_votes, reviewed_at FROM reviews ORDER BY 1, 2")
            ).all(),
            conn.execute(sa.text("SELECT product_id, category_id FROM product_categories ORDER BY 1, 2")).all(),
        )

    files = [GIFT_META, GIFT_REVIEWS, TSV, MDSD[0]]
    import_files(conn, files)
    first = snapshot()
    again = import_files(conn, files)
    assert (again.products_inserted, again.products_updated, again.reviews_inserted, again.reviews_updated) == (0, 0, 0, 0)
    assert snapshot() == first


def test_importing_again_keeps_the_helpful_votes_shoppers_gave(conn, tmp_path):
    """A review's helpful count is its dataset's count plus the votes accounts gave here; importing the
    file again, or a newer one with a higher count, adds those votes to the file's count."""

    def write(votes):
        path = tmp_path / "Votes_5.json"
        line = {"overall": 4.0, "reviewerID": "voted-1", "asin": "VOTE000001", "reviewText": "Fine.", "vote": votes}
        path.write_text(json.dumps(line) + "\n")
        return path

    import_files(conn, [write("3")])
    review_id = conn.execute(
        sa.text("SELECT r.id FROM reviews r JOIN products p ON p.id = r.product_id WHERE p.asin = 'VOTE000001'")
    ).scalar()
    for n in (1, 2):  # what CatalogService.vote_helpful stores for two accounts' votes
        user_id = conn.execute(
            sa.text("INSERT INTO users (email, display_name, password_hash) VALUES (:e, 'Voter', 'x') RETURNING id"),
            {"e": f"voter-{n}@example.org"},
        ).scalar()
        conn.execute(sa.text("INSERT INTO review_votes (review_id, user_id) VALUES (:r, :u)"), {"r": review_id, "u": user_id})
        conn.execute(sa.text("UPDATE reviews SET helpful_votes = helpful_votes + 1 WHERE id = :r"), {"r": review_id})

    def helpful():
        return conn.execute(sa.text("SELECT helpful_votes FROM reviews WHERE id = :r"), {"r": review_id}).scalar()

    assert helpful() == 5
    again = import_files(conn, [write("3")])
    assert (again.reviews_updated, helpful()) == (0, 5)  # the same file: nothing rewritten
    newer = import_files(conn, [write("7")])
    assert (newer.reviews_updated, helpful()) == (1, 9)  # the dataset's 7 and the 2 given here


@pytest.mark.usefixtures("amazon_data")
def test_metadata_before_or_after_reviews_gives_the_same_database(conn):
    def state():
        return (
            conn.execute(
                sa.text(
                    "SELECT asin, title, brand, price, features, image_url, review_count, stars_5"
                    " FROM products LEFT JOIN product_stats ON product_id = id ORDER BY asin"
                )
            ).all(),
            conn.execute(
                sa.text(
                    "SELECT p.asin, c.path FROM product_categories pc JOIN products p ON p.id = pc.product_id "
                    "JOIN categories c ON c.id = pc.category_id ORDER BY 1, 2"
                )
            ).all(),
            conn.execute(
                sa.text(
                    "SELECT p.asin, r.reviewer_id, r.rating, r.text "
                    "FROM reviews r JOIN products p ON p.id = r.product_id ORDER BY 1, 2"
                )
            ).all(),
        )

    results = []
    for order in ([GIFT_META, GIFT_REVIEWS, TSV], [TSV, GIFT_REVIEWS, GIFT_META]):
        outer = conn.begin_nested()
        for path in order:
            import_files(conn, [path])
        results.append(state())
        outer.rollback()
    assert results[0] == results[1]


@pytest.mark.usefixtures("amazon_data")
@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no such file"),
        ("", "the file is empty"),
        ("hello world\nthis is not a dataset\n", "unknown format; known formats: "),
    ],
)
def test_bad_files_are_refused_before_anything_is_written(conn, tmp_path, content, message):
    path = tmp_path / "data.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(UsageError, match=message):
        import_files(conn, [GIFT_META, path])
    assert conn.execute(sa.text("SELECT count(*) FROM products WHERE asin = 'B001BKEWF2'")).scalar() == 0


@pytest.mark.usefixtures("amazon_data")
def test_gzip_files_import_like_plain_ones(conn, tmp_path):
    import gzip

    packed = tmp_path / "Gift_Cards_5.json.gz"
    packed.write_bytes(gzip.compress(GIFT_REVIEWS.read_bytes()))
    report = import_files(conn, [packed])
    assert report.files[0].format == "ni2018-reviews" and report.reviews_inserted == 2972 - 7


@pytest.mark.usefixtures("amazon_data")
def test_limit_reads_only_the_first_lines(conn):
    report = import_files(conn, [GIFT_REVIEWS], limit=100)
    assert report.files[0].lines == 100 and report.reviews_read == 100


@pytest.mark.usefixtures("amazon_data")
def test_duplicates_in_different_batches_keep_the_last_line(conn, monkeypatch):
    from amazen.ingest import importer

    rows = json_lines(GIFT_REVIEWS)
    copies = Counter((r["asin"], r["reviewerID"]) for r in rows)
    repeated = [key for key, count in copies.items() if count > 1]
    assert sum(copies[key] - 1 for key in repeated) == 7
    last = {}
    for number, row in enumerate(rows, start=1):
        last[(row["asin"], row["reviewerID"])] = (number, row.get("reviewText", ""), row["overall"])
    # Batches as long as the line number of a repeated review's first copy: that copy ends a batch and
    # its later copy lands in another one.
    first_copy = min(n for n, r in enumerate(rows, 1) if (r["asin"], r["reviewerID"]) in repeated)
    monkeypatch.setattr(importer, "BATCH_ROWS", first_copy)  # the worker process is forked, so it sees this too
    report = import_files(conn, [GIFT_REVIEWS])
    assert report.skipped[DUPLICATE_REVIEW].count == 7
    for asin, reviewer in repeated:
        text, rating = conn.execute(
            sa.text(
                "SELECT r.text, r.rating FROM reviews r JOIN products p ON p.id = r.product_id "
                "WHERE p.asin = :a AND r.reviewer_id = :r"
            ),
            {"a": asin, "r": reviewer},
        ).one()
        assert (text or "", rating) == (last[(asin, reviewer)][1], last[(asin, reviewer)][2])
