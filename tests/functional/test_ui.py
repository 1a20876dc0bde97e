"""The shopper UI's server side over WSGI: the Content-Security-Policy and pages that obey it, compare,
search within a product's reviews, what to drop when nothing matches, the results page's compare form.
The browser side is in tests/browser/."""

from collections import Counter

import pytest
from bs4 import BeautifulSoup

from amazen import main
from amazen.csp import DEFAULT_POLICY
from amazen.views.search import page_numbers
from tests.functional.test_pages import reviews_of


def soup(response):
    return BeautifulSoup(response.text, "html.parser")


def most_reviewed(records):
    return Counter(r.asin for r in reviews_of(records)).most_common(1)[0]


def result_asins(testapp, **params):
    return [box["value"] for box in soup(testapp.get("/search", params=params)).select(".result input[name=asin]")]


# Content-Security-Policy ---------------------------------------------------------------------------


def pages(testapp, demo_records):
    asin, _ = most_reviewed(demo_records)
    first, second = result_asins(testapp, q="headphones")[:2]
    return [
        ("/", 200),
        ("/products/", 200),
        ("/categories/", 200),
        ("/search?q=headphones&pos=comfortable&neg=flimsy", 200),
        ("/search?q=headphones+knife", 200),
        (f"/products/{asin}", 200),
        (f"/products/{asin}?rq=sound&sort=recent", 200),
        (f"/compare?asin={first}&asin={second}&pos=comfortable", 200),
        ("/nope", 404),
        ("/search?sort=cheapest", 400),
    ]


def test_every_page_sends_the_policy_and_has_no_inline_script_style_or_handler(testapp, demo_records):
    for url, status in pages(testapp, demo_records):
        response = testapp.get(url, status=status)
        assert response.headers["Content-Security-Policy"] == DEFAULT_POLICY, url
        html = soup(response)
        assert all(script.get("src") for script in html.find_all("script")), url
        assert not html.find_all("style"), url
        for element in html.find_all(True):
            assert "style" not in element.attrs, (url, str(element)[:200])
            assert not [a for a in element.attrs if a.lower().startswith("on")], (url, str(element)[:200])
            for attribute in ("href", "src", "action"):
                assert not str(element.get(attribute, "")).lower().startswith("javascript:"), url


def test_every_asset_is_one_of_our_static_files(testapp):
    html = soup(testapp.get("/search", params={"q": "headphones"}))
    assets = [tag.get("src") for tag in html.find_all(["script", "img"])] + [link["href"] for link in html.find_all("link")]
    assert assets and all(a.startswith("http://example.com/static/") for a in assets), assets


@pytest.mark.parametrize("setting, header", [("", None), ("default-src 'none'", "default-src 'none'")])
def test_the_policy_is_a_setting(app_settings, setting, header):
    import webtest

    app = webtest.TestApp(main({}, **dict(app_settings, **{"amazen.content_security_policy": setting})))
    assert app.get("/healthz").headers.get("Content-Security-Policy") == header


# Compare ---------------------------------------------------------------------------------------------


def test_compare_shows_the_products_side_by_side_on_the_descriptors_and_what_customers_say(testapp):
    asins = result_asins(testapp, q="headphones", pos="comfortable")[:3]
    page = soup(
        testapp.get(
            "/compare", params=[("asin", a) for a in asins] + [("q", "headphones"), ("pos", "comfortable"), ("neg", "flimsy")]
        )
    )
    heads = page.select("table.compare thead th")
    assert len(heads) == 3
    assert [h.a["href"].rsplit("/", 1)[1] for h in heads] == asins
    rows = {row.th.get_text(" ", strip=True): row for row in page.select("table.compare tbody tr") if row.th and row.select("td")}
    assert "Want comfortable" in rows and "Avoid flimsy" in rows
    # The numbers are the search's evidence for the same products.
    found = testapp.get("/api/search", params={"q": "headphones", "pos": "comfortable", "per_page": 100}).json["results"]
    evidence = {r["asin"]: r["evidence"][0] for r in found}
    for asin, cell in zip(asins, rows["Want comfortable"].select("td")):
        e = evidence[asin]
        text = cell.get_text(" ", strip=True)
        assert (f"{e['mentions']} of" in text) if e["mentions"] else ("No review mentions it" in text)
    assert len(page.select(".top-badge")) >= 3  # every product's own "customers say" attributes are rows
    back = page.find("a", string="← Back to the results")["href"]
    assert "q=headphones" in back and "pos=comfortable" in back and "neg=flimsy" in back and "asin" not in back
    remove = page.select(".remove-link")
    assert len(remove) == 3 and all(f"asin={asins[i]}" not in remove[i]["href"] for i in range(3))


@pytest.mark.parametrize("count", [0, 1, 5])
def test_compare_needs_two_to_four_products(testapp, count):
    asins = result_asins(testapp, q="headphones")
    params = [("asin", a) for a in asins[:count]]
    response = testapp.get("/compare", params=params, status=400)
    assert "<code>asin</code>" in response.text and "2 to 4" in response.text


def test_compare_names_an_unknown_product_and_counts_a_repeated_one_once(testapp):
    first = result_asins(testapp, q="headphones")[0]
    response = testapp.get("/compare", params=[("asin", first), ("asin", "B0NOSUCH00")], status=400)
    assert "B0NOSUCH00" in response.text
    testapp.get("/compare", params=[("asin", first), ("asin", first)], status=400)  # one product is no comparison


# Evidence counts: praise, complaints, neutral ---------------------------------------------------------------


def counts_text(praise, complaints, neutral):
    return f"{praise:,} praise · {complaints:,} complaint{'' if complaints == 1 else 's'} · {neutral:,} neutral"


def results_by_asin(page):
    return {box["value"]: box.find_parent(class_="result") for box in page.select(".result input[name=asin]")}


def tight_counts(records):
    """Per product, from the raw reviews: how many complain it is tight ("Way too tight", "Too tight") and
    how many praise it for not being so ("Nice snug fit without being too tight.")."""
    counts = {}
    for review in reviews_of(records):
        text = f"{review.summary or ''}\n{review.text or ''}".lower()
        if "tight" in text:
            complaints, praise = counts.get(review.asin, (0, 0))
            counts[review.asin] = (complaints, praise + 1) if "without being too tight" in text else (complaints + 1, praise)
    return counts


def test_an_avoided_descriptors_counts_read_praise_and_complaints(testapp, demo_records):
    counts = tight_counts(demo_records)
    page = soup(testapp.get("/search", params={"q": "headphones", "neg": "tight", "per_page": 100}))
    shown = {asin: result for asin, result in results_by_asin(page).items() if asin in counts}
    assert any(counts[asin] == (0, 1) for asin in shown), "no product with one review saying it is not too tight"
    for asin, result in shown.items():
        complaints, praise = counts[asin]
        numbers = result.select_one(".evidence.avoid .evidence-numbers")
        text = numbers.get_text(" ", strip=True)
        assert counts_text(praise, complaints, 0) in text, (asin, text)
        assert "positive" in numbers.select_one(".praise")["class"] and "negative" in numbers.select_one(".complaint")["class"]
    one = next(result for asin, result in shown.items() if counts[asin] == (0, 1))
    assert "1 praise · 0 complaints · 0 neutral" in one.select_one(".evidence.avoid .evidence-numbers").get_text(" ", strip=True)


def test_a_wanted_descriptors_counts_read_praise_complaints_and_neutral(testapp):
    params = {"q": "headphones", "pos": "comfortable", "per_page": 100}
    found = {r["asin"]: r["evidence"][0] for r in testapp.get("/api/search", params=params).json["results"]}
    shown = results_by_asin(soup(testapp.get("/search", params=params)))
    mentioned = [asin for asin in shown if found[asin]["mentions"]]
    assert mentioned and any(found[asin]["positive"] > 1 for asin in mentioned)
    for asin in mentioned:
        e = found[asin]
        assert e["positive"] + e["negative"] + e["neutral"] == e["mentions"]
        numbers = shown[asin].select_one(".evidence.want .evidence-numbers")
        text = numbers.get_text(" ", strip=True)
        assert counts_text(e["positive"], e["negative"], e["neutral"]) in text, (asin, text)


def test_compare_and_product_pages_read_praise_and_complaints(testapp, demo_records):
    counts = tight_counts(demo_records)
    asins = [a for a in result_asins(testapp, q="headphones", neg="tight", per_page=100) if a in counts][:2]
    assert len(asins) == 2
    page = soup(testapp.get("/compare", params=[("asin", a) for a in asins] + [("neg", "tight")]))
    row = next(r for r in page.select("table.compare tbody tr.avoid"))
    for asin, cell in zip(asins, row.select("td")):
        complaints, praise = counts[asin]
        text = cell.get_text(" ", strip=True)
        assert counts_text(praise, complaints, 0) in text, (asin, text)
    asin, _ = most_reviewed(demo_records)
    says = {s["descriptor"]: s for s in testapp.get(f"/api/products/{asin}").json["customers_say"]}
    say_items = soup(testapp.get(f"/products/{asin}")).select(".customers-say .say")
    assert say_items and len(say_items) == len(says)
    for item in say_items:
        s = says[item.select_one(".chip").get_text(strip=True)]
        assert counts_text(s["positive"], s["negative"], s["neutral"]) in item.get_text(" ", strip=True)


def test_a_suggested_descriptors_share_reads_praise(testapp):
    params = {"q": "headphones"}
    found = testapp.get("/api/suggest/descriptors", params=params).json["suggestions"]
    chips = soup(testapp.get("/search", params=params)).select(".suggestions .suggestion")
    assert found and len(chips) == len(found)
    for s, chip in zip(found, chips):
        text = chip.select_one(".muted").get_text(" ", strip=True)
        if s["positive_share"] is None:  # no mention praises or complains
            assert "praise" not in text, text
        else:
            assert text.endswith(f" · {s['positive_share'] * 100:.0f}% praise") and "positive" not in text, text


# Search within a product's reviews --------------------------------------------------------------------


def test_searching_a_products_reviews_keeps_those_with_every_word_and_marks_them(testapp, demo_records):
    asin, _ = most_reviewed(demo_records)
    reviews = [r for r in reviews_of(demo_records) if r.asin == asin]
    word = Counter(w for r in reviews for w in set((r.text or "").lower().split()) if len(w) > 5).most_common(1)[0][0]
    expected = sum(1 for r in reviews if word in f"{r.summary or ''}\n{r.text or ''}".lower())
    page = soup(testapp.get(f"/products/{asin}", params={"rq": word.upper(), "per_page": 50}))
    shown = page.select(".review-list .review")
    assert len(shown) == expected
    assert all(word in r.get_text(" ").lower() for r in shown)
    assert all(m.get_text().lower() == word for m in page.select(".review-list mark"))
    assert f"containing “{word.upper()}”: {expected}" in page.select_one(".filter-note").get_text(" ", strip=True)


@pytest.mark.parametrize("rq", ["%", "_", "\\", "100%"])
def test_review_search_matches_like_wildcards_literally(testapp, demo_records, rq):
    asin, _ = most_reviewed(demo_records)
    expected = sum(1 for r in reviews_of(demo_records) if r.asin == asin and rq in f"{r.summary or ''}\n{r.text or ''}")
    page = soup(testapp.get(f"/products/{asin}", params={"rq": rq}))
    assert len(page.select(".review-list .review")) == min(expected, 10)


@pytest.mark.parametrize("rq", ["x" * 101, "a\x00b", " ".join(f"w{i}" for i in range(9))])
def test_malformed_review_searches_are_a_400_page(testapp, demo_records, rq):
    asin, _ = most_reviewed(demo_records)
    assert "<code>rq</code>" in testapp.get(f"/products/{asin}", params={"rq": rq}, status=400).text


def test_review_search_escapes_what_it_marks(testapp, demo_records):
    asin, _ = most_reviewed(demo_records)
    response = testapp.get(f"/products/{asin}", params={"rq": "<b>"})
    assert "<b>" not in response.text.split("<main", 1)[1] and "&lt;b&gt;" in response.text


# Results page --------------------------------------------------------------------------------------------


def test_nothing_found_says_which_part_to_drop_with_what_each_finds(testapp):
    alone = {w: testapp.get("/api/search", params={"q": w}).json["total"] for w in ("headphones", "knife")}
    assert all(alone.values())
    assert testapp.get("/api/search", params={"q": "headphones knife"}).json["total"] == 0
    page = soup(testapp.get("/search", params={"q": "headphones knife"}))
    drops = {a.get_text(" ", strip=True): a for a in page.select(".drop-list a")}
    assert set(drops) == {"Drop “headphones”", "Drop “knife”"}
    for word, other in (("headphones", "knife"), ("knife", "headphones")):
        link = drops[f"Drop “{word}”"]
        assert f"q={other}" in link["href"]
        assert link.find_next_sibling("span").get_text() == f"{alone[other]} product{'s' if alone[other] != 1 else ''}"


def test_a_filter_that_empties_the_results_is_offered_for_dropping(testapp):
    page = soup(testapp.get("/search", params={"q": "headphones", "brand": "No Such Brand"}))
    drop = page.select(".drop-list a")
    assert [a.get_text(" ", strip=True) for a in drop] == ["Drop brand “No Such Brand”"]
    assert "brand" not in drop[0]["href"] and "q=headphones" in drop[0]["href"]


def test_results_carry_a_compare_form_with_the_search_state(testapp):
    page = soup(testapp.get("/search", params={"q": "headphones", "pos": "comfortable", "sort": "rating"}))
    form = page.select_one("form#compare-form")
    assert form["method"] == "get" and form["action"] == "http://example.com/compare/"
    hidden = {(i["name"], i["value"]) for i in form.select("input[type=hidden]")}
    assert hidden == {("q", "headphones"), ("pos", "comfortable"), ("sort", "rating")}
    boxes = page.select(".result input[type=checkbox][name=asin][form=compare-form]")
    assert len(boxes) == len(page.select(".result"))
    assert all(box.find_parent("label") for box in boxes)  # each labelled


def test_page_numbers_show_the_ends_and_the_neighbourhood():
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 4) == [1, 2, 3, 4]
    assert page_numbers(10, 50) == [1, None, 8, 9, 10, 11, 12, None, 50]
    assert page_numbers(3, 50) == [1, 2, 3, 4, 5, None, 50]
