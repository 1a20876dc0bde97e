"""The demo catalog generator: deterministic, streaming, and reviews that agree with their stars."""

import inspect
import itertools
import re
import statistics
import tracemalloc
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from amazen.catalog.demo import generate
from amazen.catalog.records import ProductRecord, ReviewRecord

ASIN = re.compile(r"^B0[0-9A-Z]{8}$")
REVIEWER_ID = re.compile(r"^A[0-9A-Z]{13}$")

# Phrases the generator's templates use, with a clear polarity. The test judges them independently of
# how the generator picks them.
NEGATIVE_PHRASES = (
    "not comfortable at all",
    "isn't very comfortable",
    "the bass is not great",
    "never stays sharp",
    "doesn't hold a charge",
    "waste of money",
    "do not recommend",
    "very disappointed",
)
POSITIVE_PHRASES = (
    "highly recommend",
    "super comfortable",
    "razor sharp",
    "would definitely buy again",
    "love these",
    "love this",
    "five stars from me",
)


@pytest.fixture(scope="module")
def catalog():
    return list(generate())


@pytest.fixture(scope="module")
def products(catalog):
    return [record for record in catalog if isinstance(record, ProductRecord)]


@pytest.fixture(scope="module")
def reviews(catalog):
    return [record for record in catalog if isinstance(record, ReviewRecord)]


def _mean_rating(reviews, phrases):
    ratings = [review.rating for review in reviews if any(phrase in review.text.lower() for phrase in phrases)]
    assert len(ratings) >= 20, f"too few reviews use {phrases}"
    return statistics.mean(ratings)


def test_same_seed_gives_the_same_catalog():
    assert list(generate(products=40, seed=7)) == list(generate(products=40, seed=7))


def test_a_different_seed_gives_a_different_catalog():
    assert list(generate(products=40, seed=7)) != list(generate(products=40, seed=8))


def test_a_smaller_catalog_is_a_prefix_of_a_larger_one():
    small = list(generate(products=20, seed=3))
    large = list(itertools.islice(generate(products=200, seed=3), len(small)))
    assert small == large


def test_each_product_is_followed_by_its_reviews(catalog):
    assert isinstance(catalog[0], ProductRecord)
    current = None
    for record in catalog:
        if isinstance(record, ProductRecord):
            current = record.asin
        else:
            assert isinstance(record, ReviewRecord)
            assert record.asin == current


def test_asins_are_unique_and_look_real(products):
    asins = [product.asin for product in products]
    assert len(products) == 300
    assert len(set(asins)) == len(asins)
    assert all(ASIN.match(asin) for asin in asins)


def test_products_are_complete(products):
    for product in products:
        assert product.title.startswith(product.brand)
        assert 3 <= len(product.features) <= 6
        assert product.description and product.description.count(". ") >= 1
        assert product.image_url is None
        assert product.categories and all(len(path) >= 2 for path in product.categories)
        if product.price is not None:
            assert isinstance(product.price, Decimal)
            assert product.price > 0 and product.price.as_tuple().exponent == -2
    assert any(product.price is None for product in products)
    assert len({product.brand for product in products}) >= 30


def test_there_are_at_least_six_categories(products):
    leaves = {path[-1] for product in products for path in product.categories}
    assert len(leaves) >= 6


def test_a_reviewer_reviews_a_product_once(catalog):
    seen = set()
    for record in catalog:
        if isinstance(record, ProductRecord):
            seen = set()
        else:
            assert record.reviewer_id not in seen
            seen.add(record.reviewer_id)


def test_review_fields(reviews):
    start = datetime(2015, 1, 1, tzinfo=timezone.utc)
    end = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for review in reviews:
        assert review.rating in (1, 2, 3, 4, 5)
        assert REVIEWER_ID.match(review.reviewer_id)
        assert review.reviewer_name and review.summary and review.text
        assert review.helpful_votes >= 0
        assert review.reviewed_at.tzinfo is not None
        assert start <= review.reviewed_at < end
    assert sum(review.helpful_votes == 0 for review in reviews) > len(reviews) / 2
    assert sum(review.verified for review in reviews) > len(reviews) / 2


def test_review_count_for_the_default_size(reviews):
    assert 1500 <= len(reviews) <= 6000


def test_ratings_lean_positive_like_amazon(reviews):
    ratings = [review.rating for review in reviews]
    assert ratings.count(5) > ratings.count(4) > ratings.count(3)
    assert ratings.count(1) > 0 and ratings.count(2) > 0
    assert statistics.mean(ratings) > 3.5


def test_texts_use_negations(reviews):
    texts = [review.text.lower() for review in reviews]
    assert any("not comfortable" in text for text in texts)
    assert any("isn't very comfortable" in text for text in texts)
    assert any("doesn't hold a charge" in text for text in texts)


def test_negative_reviews_have_lower_ratings(reviews):
    negative = _mean_rating(reviews, NEGATIVE_PHRASES)
    positive = _mean_rating(reviews, POSITIVE_PHRASES)
    assert negative + 1.0 < positive


def test_texts_vary(reviews):
    assert len({review.text for review in reviews}) > 0.9 * len(reviews)


def test_generation_streams():
    """A catalog of any size is generated record by record, never built whole first."""
    catalog = generate(products=10**9)
    assert inspect.isgenerator(catalog)
    tracemalloc.start()
    first = list(itertools.islice(catalog, 10))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert isinstance(first[0], ProductRecord)
    assert peak < 20 * 2**20


def test_no_reviews_when_the_mean_is_zero():
    records = list(generate(products=20, mean_reviews=0))
    assert len(records) == 20
    assert all(isinstance(record, ProductRecord) for record in records)


def test_products_do_not_depend_on_the_review_mean():
    def products_of(records):
        return [record for record in records if isinstance(record, ProductRecord)]

    assert products_of(generate(products=20, mean_reviews=2)) == products_of(generate(products=20, mean_reviews=30))
