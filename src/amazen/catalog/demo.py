"""A deterministic, streaming generator of a realistic demo catalog with reviews.

``generate()`` yields each ``ProductRecord`` immediately followed by its ``ReviewRecord``s. Every
product gets its own ``random.Random`` seeded from ``(seed, index)``, so nothing has to be kept from one
product to the next: memory stays constant however many products are asked for, and the first ``n``
products of a larger catalog are the same as those of ``generate(products=n)`` (same seed and
``mean_reviews``).

Each product has hidden per-attribute qualities (e.g. comfort, bass, battery life for headphones).
Reviews are written from them: a review's star rating comes from the product's overall quality plus
reviewer noise, and each attribute it mentions is praised or criticised with a probability that depends
on both that attribute's quality and the star rating, so the text agrees with the stars (mostly) and
products with a weak spot collect complaints about that spot. The words (categories, templates, review
sentences, names) live in ``amazen.catalog.demo_vocabulary``; this module holds the logic that draws from them.

Run ``python -m amazen.catalog.demo [products] [seed]`` for a short summary.
"""

import math
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

from amazen.catalog.demo_vocabulary import (
    CATEGORIES,
    CLOSERS,
    DEFECT_SUMMARIES,
    FILLERS,
    FIRST_NAMES,
    LAST_NAMES,
    MODEL_NUMBERS,
    MODEL_SUFFIXES,
    OPENERS,
    SUMMARIES,
    TYPOS,
    VERDICTS,
    Attribute,
    Category,
)
from amazen.catalog.records import ProductRecord, ReviewRecord

_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# ASINs are "B0" + 8 base-36 digits. The index is scrambled with an affine map modulo 36**8 so that
# neighbouring products don't get neighbouring ASINs; the multiplier is coprime with 36, which makes the
# map a bijection, so ASINs never collide.
_ASIN_SPACE = 36**8
_ASIN_MULTIPLIER = 1743541808669
_ASIN_OFFSET = 987654321
MAX_PRODUCTS = _ASIN_SPACE

# Reviewers are drawn from one large pool shared by all products, skewed so that a few reviewers write
# many reviews (as on Amazon). The pool size does not depend on the catalog size so that a small catalog
# is a prefix of a larger one.
_REVIEWER_POOL = 10_000_000

_MASK64 = (1 << 64) - 1

_START = datetime(2015, 1, 1, tzinfo=timezone.utc).timestamp()
_END = datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()
# Products launch early enough to collect reviews before _END.
_LAST_LAUNCH = datetime(2025, 1, 1, tzinfo=timezone.utc).timestamp()

_DEFECT_RATE = 0.03  # reviews about a unit that arrived broken or died early: one or two stars
_TYPO_RATE = 0.03
_NO_PRICE_RATE = 0.03
_FLAW_RATE = 0.3  # products that are fine overall but bad at one thing ("great sound, not comfortable")

# How many attributes a review talks about: 0 (just "Love it!") to 4.
_MENTION_COUNTS = (0, 1, 2, 3, 4)
_MENTION_CUM_WEIGHTS = (12, 42, 72, 90, 100)


def _mix64(x: int) -> int:
    """SplitMix64's finaliser: a cheap bijective scramble of a 64-bit integer."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _base36(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 36)
        digits.append(_BASE36[digit])
    return "".join(reversed(digits))


def asin_for(index: int) -> str:
    """The ASIN of the product at ``index``: "B0" + 8 base-36 digits, unique for 0 <= index < 36**8."""
    return "B0" + _base36((index * _ASIN_MULTIPLIER + _ASIN_OFFSET) % _ASIN_SPACE, 8)


def _reviewer_id(seed_key: int, reviewer: int) -> str:
    # _mix64 is a bijection and 36**13 > 2**64, so distinct reviewers get distinct ids.
    return "A" + _base36(_mix64((seed_key + reviewer) & _MASK64), 13)


def _reviewer_name(seed_key: int, reviewer: int) -> str:
    # Derived from the reviewer, not the review, so a reviewer has the same name on every product.
    h = _mix64((seed_key ^ 0x5BD1E995) + reviewer * 31)
    style = h % 100
    first = FIRST_NAMES[(h >> 8) % len(FIRST_NAMES)]
    last = LAST_NAMES[(h >> 20) % len(LAST_NAMES)]
    if style < 14:
        return "Amazon Customer"
    if style < 22:
        return f"{first[0]}. {last[0]}."
    if style < 50:
        return first
    if style < 80:
        return f"{first} {last[0]}."
    if style < 95:
        return f"{first} {last}"
    return f"{first.lower()}{(h >> 32) % 100:02d}"


def _lower_first(sentence: str) -> str:
    # Keep "I ..." and acronyms ("ANC ...") as they are.
    if len(sentence) > 1 and sentence[1].islower():
        return sentence[0].lower() + sentence[1:]
    return sentence


def _add_typo(rng: random.Random, text: str) -> str:
    candidates = [pair for pair in TYPOS if pair[0] in text]
    if candidates:
        right, wrong = rng.choice(candidates)
        return text.replace(right, wrong, 1)
    # No known misspelling applies: swap two letters of a longer word instead.
    words = text.split(" ")
    long_words = [i for i, word in enumerate(words) if len(word) >= 6 and word.isalpha()]
    if not long_words:
        return text
    i = rng.choice(long_words)
    word = words[i]
    j = rng.randrange(1, len(word) - 2)
    words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return " ".join(words)


@dataclass
class _HiddenProduct:
    """What reviewers experience but the product record doesn't say."""

    category: Category
    qualities: list[float]  # one per category attribute, 0 (awful) .. 1 (excellent)
    overall: float
    flaw: int | None  # index of an attribute that is much worse than the rest, if any
    launched_at: float  # POSIX timestamp of the first possible review


def _make_product(index: int, rng: random.Random) -> tuple[ProductRecord, _HiddenProduct]:
    category = rng.choice(CATEGORIES)

    # Most products are decent, a few are bad; each attribute varies around the product's tier.
    tier = rng.betavariate(5.0, 2.2)
    qualities = [min(0.98, max(0.02, rng.gauss(tier, 0.15))) for _ in category.attributes]
    flaw = None
    if rng.random() < _FLAW_RATE:
        flaw = rng.randrange(len(qualities))
        qualities[flaw] = rng.uniform(0.05, 0.3)
    overall = sum(qualities) / len(qualities)

    brand = rng.choice(category.brands)
    model = rng.choice(category.model_prefixes) + str(rng.choice(MODEL_NUMBERS))
    if rng.random() < 0.25:
        model += rng.choice(MODEL_SUFFIXES)
    values = {name: rng.choice(options) for name, options in category.fields.items()}
    values["brand"] = brand
    values["model"] = model
    kind = rng.choice(category.kinds).format(**values)

    extras = [extra.format(**values) for extra in rng.sample(category.title_extras, rng.randint(1, 3))]
    style = rng.random()
    if style < 0.65:
        title = f"{brand} {model} {kind} with {', '.join(extras)}"
    elif style < 0.85:
        title = f"{brand} {kind}, {', '.join(extras)}"
    else:
        title = f"{brand} {model} {kind} - {' | '.join(extras)}"

    # Log-uniform within the category's range, nudged up for better products; prices end in .99 etc.
    low, high = category.price_range
    position = 0.7 * rng.random() + 0.3 * tier
    dollars = int(math.exp(math.log(low) + position * (math.log(high) - math.log(low))))
    price = None
    if rng.random() >= _NO_PRICE_RATE:
        cents = rng.choice((99, 99, 99, 95, 49, 0))
        price = Decimal(f"{dollars - 1}.99") if cents == 99 else Decimal(f"{dollars}.{cents:02d}")

    first_sentence, *other_sentences = category.descriptions
    description_sentences = [first_sentence] + rng.sample(other_sentences, rng.randint(1, 3))
    description = " ".join(sentence.format(**values) for sentence in description_sentences)
    features = tuple(feature.format(**values) for feature in rng.sample(category.features, rng.randint(3, 6)))

    categories = (category.path,)
    if category.also_in and rng.random() < 0.3:
        categories += category.also_in

    record = ProductRecord(
        asin=asin_for(index),
        title=title,
        brand=brand,
        price=price,
        categories=categories,
        description=description,
        features=features,
        image_url=None,
    )
    launched_at = _START + rng.random() * (_LAST_LAUNCH - _START)
    return record, _HiddenProduct(category, qualities, overall, flaw, launched_at)


def _review_count(rng: random.Random, mean_reviews: float) -> int:
    """Log-normal: many products with a handful of reviews, some with none, a few with hundreds."""
    if mean_reviews <= 0:
        return 0
    sigma = 1.0
    # int() truncates, which lowers the mean by about 0.5; the +0.5 compensates.
    mu = math.log(mean_reviews + 0.5) - sigma * sigma / 2
    limit = int(50 * mean_reviews) + 50  # keeps one product from dominating a small catalog
    return min(int(rng.lognormvariate(mu, sigma)), limit)


def _rating_for(experience: float) -> int:
    # Thresholds chosen so the histogram looks like Amazon's: mostly 5s, then 4s, a J-shaped tail.
    if experience >= 0.62:
        return 5
    if experience >= 0.5:
        return 4
    if experience >= 0.4:
        return 3
    if experience >= 0.3:
        return 2
    return 1


def _write_review(rng: random.Random, hidden: _HiddenProduct) -> tuple[int, str, str]:
    """Return (rating, summary, text) for one review of the hidden product."""
    category = hidden.category
    item = category.item
    sentences = []

    if rng.random() < _DEFECT_RATE:
        rating = 1 if rng.random() < 0.8 else 2
        sentences.append(rng.choice(category.defects))
        if rng.random() < 0.5:
            sentences.append(rng.choice(VERDICTS[rating]).format(item=item))
        sentences.append(rng.choice(CLOSERS[rating]).format(item=item))
        return rating, rng.choice(DEFECT_SUMMARIES), " ".join(sentences)

    rating = _rating_for(hidden.overall + rng.gauss(0.0, 0.2))
    # 0 for 1 star .. 1 for 5 stars: how much the reviewer's mood colours each remark.
    mood = (rating - 1) / 4

    attributes = category.attributes
    mention_count = min(rng.choices(_MENTION_COUNTS, cum_weights=_MENTION_CUM_WEIGHTS)[0], len(attributes))
    mentioned = rng.sample(range(len(attributes)), mention_count)
    # People complain about a product's weak spot more often than chance.
    if hidden.flaw is not None and mentioned and hidden.flaw not in mentioned and rng.random() < 0.5:
        mentioned[0] = hidden.flaw

    if rng.random() < 0.35:
        sentences.append(rng.choice(OPENERS).format(item=item))

    # Each remark's polarity depends on the attribute's quality and, more, on the reviewer's mood, so a
    # 5-star review rarely complains and a weak attribute still gets the occasional compliment.
    remarks = [(attributes[index], rng.random() < 0.3 * hidden.qualities[index] + 0.7 * mood) for index in mentioned]
    complaints = sum(1 for _, positive in remarks if not positive)
    previous_positive = None
    joined = False  # join two sentences at most; never "..., but ..., but ..."
    for attribute, positive in remarks:
        sentence = rng.choice(attribute.positive if positive else attribute.negative)
        if previous_positive is not None and positive != previous_positive and not joined and rng.random() < 0.35:
            # "The sound is great, but they are not comfortable at all."
            sentences[-1] = f"{sentences[-1].rstrip('.!')}, but {_lower_first(sentence)}"
            joined = True
        elif not positive and rating >= 4 and complaints == 1 and rng.random() < 0.4:
            sentences.append(f"Only complaint: {_lower_first(sentence)}")
            joined = True  # don't tack a "but ..." onto it
        else:
            sentences.append(sentence)
            joined = False
        previous_positive = positive

    if rng.random() < 0.3:
        filler = rng.choice(category.fillers if rng.random() < 0.5 else FILLERS)
        sentences.insert(rng.randint(0, len(sentences)), filler.format(item=item))
    # A review whose remarks alone wouldn't explain its stars always gets an overall verdict.
    if rating >= 4:
        remarks_agree = complaints < len(remarks)
    elif rating <= 2:
        remarks_agree = complaints > 0
    else:
        remarks_agree = True
    if not remarks_agree or not remarks or rng.random() < 0.55:
        sentences.append(rng.choice(VERDICTS[rating]).format(item=item))
    if rng.random() < 0.35:
        sentences.append(rng.choice(CLOSERS[rating]).format(item=item))

    summary = _summary(rng, rating, remarks)
    return rating, summary, " ".join(sentences)


def _summary(rng: random.Random, rating: int, remarks: list[tuple[Attribute, bool]]) -> str:
    praised = [attribute for attribute, positive in remarks if positive]
    criticised = [attribute for attribute, positive in remarks if not positive]
    roll = rng.random()
    if praised and criticised and rating >= 2 and roll < 0.4:
        return f"{rng.choice(praised[0].praise)}, {_lower_first(rng.choice(criticised[0].complaint))}"
    if roll < 0.7:
        # Title the review after a remark that agrees with the stars.
        if rating >= 4 and praised:
            return rng.choice(rng.choice(praised).praise)
        if rating <= 2 and criticised:
            return rng.choice(rng.choice(criticised).complaint)
    return rng.choice(SUMMARIES[rating])


def _helpful_votes(rng: random.Random, rating: int, text: str) -> int:
    # Mostly zero; long and critical reviews collect more votes; a few collect hundreds.
    chance = 0.2 + min(len(text), 600) / 1500 + (0.1 if rating <= 2 else 0.0)
    if rng.random() >= chance:
        return 0
    return min(int(rng.paretovariate(1.2)), 5000)


def _make_reviews(rng: random.Random, asin: str, hidden: _HiddenProduct, count: int, seed_key: int) -> Iterator[ReviewRecord]:
    used_reviewers = set()  # one review per reviewer and product (a database constraint)
    span = _END - hidden.launched_at
    for _ in range(count):
        # Squaring skews draws toward low numbers, so some reviewers review many products.
        reviewer = int(_REVIEWER_POOL * rng.random() ** 2)
        while reviewer in used_reviewers:
            reviewer = rng.randrange(_REVIEWER_POOL)
        used_reviewers.add(reviewer)

        rating, summary, text = _write_review(rng, hidden)
        if rng.random() < _TYPO_RATE:
            text = _add_typo(rng, text)
        # Reviews bunch up after launch and thin out over the years.
        reviewed_at = hidden.launched_at + span * rng.random() ** 1.5
        yield ReviewRecord(
            asin=asin,
            reviewer_id=_reviewer_id(seed_key, reviewer),
            rating=rating,
            reviewer_name=_reviewer_name(seed_key, reviewer),
            summary=summary,
            text=text,
            helpful_votes=_helpful_votes(rng, rating, text),
            verified=rng.random() < 0.88,
            reviewed_at=datetime.fromtimestamp(int(reviewed_at), tz=timezone.utc),
        )


def generate(products: int = 300, seed: int = 2026, mean_reviews: float = 10.0) -> Iterator[ProductRecord | ReviewRecord]:
    """Yield each ProductRecord immediately followed by its ReviewRecords. Deterministic for (products, seed, mean_reviews).

    Memory use does not grow with ``products``. The first ``n`` products (and their reviews) are the
    same for any ``products >= n``, and the products themselves do not depend on ``mean_reviews``.
    """
    if not 0 <= products <= MAX_PRODUCTS:
        raise ValueError(f"products must be between 0 and {MAX_PRODUCTS}, not {products}")
    if mean_reviews < 0:
        raise ValueError(f"mean_reviews must not be negative, not {mean_reviews}")
    seed_key = _mix64(seed & _MASK64)
    for index in range(products):
        # A string seed is hashed (SHA-512) by random.Random, so every (seed, index) gets its own stream.
        rng = random.Random(f"amazen-demo:{seed}:{index}")
        product, hidden = _make_product(index, rng)
        yield product
        count = _review_count(rng, mean_reviews)
        yield from _make_reviews(rng, product.asin, hidden, count, seed_key)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    products = int(args[0]) if args else 300
    seed = int(args[1]) if len(args) > 1 else 2026

    started = time.perf_counter()
    product_count = 0
    review_count = 0
    ratings = Counter()
    categories = Counter()
    for record in generate(products=products, seed=seed):
        if isinstance(record, ProductRecord):
            product_count += 1
            categories[" > ".join(record.categories[0])] += 1
        else:
            review_count += 1
            ratings[record.rating] += 1
    elapsed = time.perf_counter() - started

    print(f"products: {product_count}  reviews: {review_count}  seed: {seed}")
    for stars in range(5, 0, -1):
        share = ratings[stars] / review_count if review_count else 0.0
        print(f"  {stars} stars: {ratings[stars]:>9}  {share:6.1%}")
    for name, count in categories.most_common():
        print(f"  {name}: {count}")
    rate = review_count / elapsed if elapsed else 0.0
    print(f"time: {elapsed:.2f}s  ({rate:,.0f} reviews/s)")


if __name__ == "__main__":
    main()
