"""What one product contributes to the search index, worked out from its text and reviews: its postings,
its review evidence, its vocabulary phrases and its rating aggregates, as COPY lines for the index tables
(``amazen.search.indexer`` loads them).

Pure Python, no database: the indexer's worker processes run ``analyse_chunk`` on chunks of products.
"""

import re

from amazen.models.search import ONE_REVIEW_KINDS
from amazen.pgcopy import copy_value

from . import packed
from .analyzer import NEUTRAL_RANGE, PHRASE_GAP, PRAISE, STOP_WORDS, brand_words, fold, mention_scores, scan

# How much a word counts in each product field (BM25F-style: the weighted counts feed one BM25).
FIELD_WEIGHTS = {"title": 3.0, "brand": 2.0, "categories": 1.5, "features": 1.0, "description": 1.0}
QUOTES = 2  # per term and product: descriptor_evidence's quote_1 and quote_2
# The lines descriptor suggestions read of a product (product_evidence.head_length): all of them while it
# has at most HEAD_TERMS terms, else its HEAD_TERMS most mentioned terms of those several of its reviews
# mention (on a tie, in term order). A big product's long tail would cost suggestions more to read than
# it changes them.
HEAD_TERMS = 128
MAX_PHRASE_LENGTH = 80  # characters of a vocabulary phrase

# A vocabulary word: a run of letters, digits and apostrophes of folded text.
VOCABULARY_SPLIT = re.compile(r"[^\w']+|_+")


def product_postings(title, brand, categories, features, description):
    """({term: field-weighted frequency}, weighted length) of one product's text: the words and
    two-word phrases ``analyze`` + ``phrases`` find, in one pass (this runs for every product of an
    import; a test holds it equal to them)."""
    tf = {}
    get = tf.get
    length = 0.0
    fields = (
        ("title", [title]),
        ("brand", [brand]),
        ("categories", categories or []),
        ("features", features or []),
        ("description", [description]),
    )
    for field, texts in fields:
        weight = FIELD_WEIGHTS[field]
        for text in texts:
            if not text:
                continue
            words = 0
            last, last_position = "", -PHRASE_GAP - 1
            for term, _, position in scan(text):
                words += 1
                tf[term] = get(term, 0.0) + weight
                if position - last_position <= PHRASE_GAP:
                    phrase = f"{last} {term}"
                    tf[phrase] = get(phrase, 0.0) + weight
                last, last_position = term, position
            length += weight * words
    return tf, length


def product_phrases(title, brand, categories):
    """{phrase: named} of one product for the vocabulary, folded like the analyzer folds: the title's
    words and 2-3 word phrases that start with a letter and neither start nor end with a stop word or
    a single character (named False); its brand and category names, whole and as words (named True),
    their runs of white space made one space."""
    found = {}
    if title:
        words = [word for word in VOCABULARY_SPLIT.split(fold(title)) if word.strip("'")]
        ends = [len(word) > 1 and word not in STOP_WORDS for word in words]
        last = len(words) - 1
        for i, word in enumerate(words):
            if ends[i] and word[0].isalpha():
                found[word] = False
                if i < last and ends[i + 1]:
                    found[f"{word} {words[i + 1]}"] = False
                if i < last - 1 and ends[i + 2]:
                    found[f"{word} {words[i + 1]} {words[i + 2]}"] = False
    for name in ([brand] if brand else []) + list(categories or ()):
        name = " ".join(fold(name).split())
        if not name:
            continue
        found[name] = True
        for word in VOCABULARY_SPLIT.split(name):
            if len(word) > 1 and word[0].isalpha() and word not in STOP_WORDS:
                found[word] = True
    return {phrase: named for phrase, named in found.items() if len(phrase) <= MAX_PHRASE_LENGTH}


def phrase_deltas(changes):
    """phrase_deltas COPY text (amazen.search.vocabulary) of ``changes``, pairs (sign, (title, brand,
    category names)): each text's phrases count ``sign`` times (1 for a product's text now, -1 for its
    text before; None for no text) in products and, where the text names them, in named. A line per
    phrase whose counts moved: "phrase<TAB>products<TAB>named"."""
    products, named = {}, {}
    for sign, (title, brand, categories) in changes:
        for phrase, is_named in product_phrases(title, brand, categories).items():
            products[phrase] = products.get(phrase, 0) + sign
            if is_named:
                named[phrase] = named.get(phrase, 0) + sign
    return "".join(
        [
            f"{copy_value(phrase)}\t{count}\t{named.get(phrase, 0)}\n"
            for phrase, count in products.items()
            if count or named.get(phrase)
        ]
    )


def evidence_row(product_id, reviews, brand=None):
    """The product_evidence COPY line of one product: a line per term with its mentions, positive
    (praise), negative (complaint), neutral and negated neutral mentions, the 1-5 star counts and quote
    ids ("" for none), tab-separated; the terms one review mentions, a line per review and how it
    mentions them: the kind and stars, the review, the terms (see models/search.py).

    ``reviews``: (id, rating, helpful_votes, summary, text). Quotes: the most helpful complaint and the
    most helpful praise (ties: the older review), topped up to two from either side, then from neutral
    mentions.

    Which reviews mention a term is one integer of bits: with the reviews numbered 0..n-1, most helpful
    first, bit i says review i praises it, bit n + i complains of it, bit 2n + i mentions it neutrally and
    bit 3n + i neutrally but negated (the order of analyzer.PRAISE ... NEUTRAL_NEGATED). Terms with the
    same bits (every term only one review mentions, and many phrases with their words) share one line's
    tail, so it is worked out once per distinct set of mentions, not once per term.
    """
    return _evidence_row(product_id, review_evidence(reviews, brand))


def _evidence_row(product_id, found):
    """The product_evidence COPY line of ``review_evidence``'s terms (evidence_row's, and analyse_chunk's,
    which packs them too), or "" for none: the product, the lines of terms several reviews mention, those
    of terms one review mentions, and the head: \\N (NULL) for every line of a product of at most
    HEAD_TERMS terms, else how many characters of the first column its first HEAD_TERMS lines take once
    COPY has read them."""
    if not found:
        return ""
    several = [term + tail for term, tail, values in found if values[4] > 1]
    reviews = {}  # a one-review tail ("\\tKS\\treview") -> its terms: a line each
    for term, tail, values in found:
        if values[4] == 1:
            reviews.setdefault(tail, []).append(term)
    one_review = "\\n".join([tail[2:] + "\\t" + "\\t".join(terms) for tail, terms in reviews.items()])
    head = r"\N"
    if len(found) > HEAD_TERMS:  # the terms of several mentions come first, the most mentioned first
        lines = "\\n".join(several[:HEAD_TERMS])
        head = len(lines) - lines.count("\\")  # an escaped tab or newline is one character; terms have no backslash
    several = "\\n".join(several)
    return f"{product_id}\t{several}\t{one_review}\t{head}\n"


def review_evidence(reviews, brand=None):
    """(term, the rest of its product_evidence line, (praise - complaint, plain - negated neutral
    mentions, stars sum, rated, mentions, praise)) per term of ``reviews``: the line for evidence_row, the
    values for the packed evidence and the descriptors' totals. In the order the most helpful reviews use
    them; a product of more than HEAD_TERMS terms has those several reviews mention first, the most
    mentioned first (on a tie, in term order): its head. ``brand``: the product's, whose words the
    reviews use as a name, not as an opinion (analyzer.brand_words)."""
    # Most helpful first (then oldest): the lowest bits are the reviews to quote.
    ordered = sorted(reviews, key=lambda r: (-(r[2] or 0), r[0]))
    named = brand_words(brand)
    n = len(ordered)
    marks = {}  # term -> its mentions' bits
    get = marks.get
    opinion = NEUTRAL_RANGE // 2  # analyzer.polarity's rule, inline: this loop runs for every review
    for i, (_, _, _, summary, text) in enumerate(ordered):
        praise, complaint, neutral, negated = 1 << i, 1 << (n + i), 1 << (2 * n + i), 1 << (3 * n + i)
        for term, score in mention_scores(summary, text, named).items():
            marks[term] = get(term, 0) | (
                praise if score >= opinion else complaint if score <= -opinion else neutral if score > 0 else negated
            )
    ids = [r[0] for r in ordered]
    by_stars = [sum(1 << i for i, r in enumerate(ordered) if r[1] == stars) for stars in range(1, 6)]
    tails = {}  # bits -> the rest of the line, and the values
    found = []
    for term, mark in marks.items():
        tail = tails.get(mark)
        if tail is None:
            if mark & (mark - 1):  # several mentions
                tail = _evidence_tail(mark, n, ids, by_stars)
            else:  # one review's (nine in ten of real reviews' terms): its line, without working it out bit by bit
                polarity, i = divmod(mark.bit_length() - 1, n)
                rating = ordered[i][1]
                tail = (
                    f"\\t{ONE_REVIEW_KINDS[polarity]}{rating or 0}\\t{ids[i]}",
                    (*ONE_MENTION[polarity], rating or 0, int(rating is not None), 1, int(polarity == PRAISE)),
                )
            tails[mark] = tail
        found.append((term, *tail))
    if len(found) > HEAD_TERMS:
        several = sorted((term for term in found if term[2][4] > 1), key=lambda term: (-term[2][4], term[0]))
        found = several + [term for term in found if term[2][4] == 1]
    return found


# A single review's mention by polarity (analyzer.PRAISE ... NEUTRAL_NEGATED): its (praise - complaint,
# plain - negated neutral).
ONE_MENTION = ((1, 0), (-1, 0), (0, 1), (0, -1))


def _evidence_tail(mark, n, ids, by_stars):
    every = (1 << n) - 1
    positive, negative = mark & every, (mark >> n) & every
    plain, negated = (mark >> 2 * n) & every, mark >> 3 * n
    neutral = plain | negated
    either = positive | negative | neutral
    stars = [(either & reviews).bit_count() for reviews in by_stars]
    first_negative, first_positive = _lowest_bits(negative, QUOTES), _lowest_bits(positive, QUOTES)
    # The complaint first: the order the pages show quotes in.
    quotes = first_negative[:1] + first_positive[:1]
    quotes += (first_negative[1:] + first_positive[1:])[: QUOTES - len(quotes)]
    if len(quotes) < QUOTES:
        quotes += _lowest_bits(neutral, QUOTES - len(quotes))
    quote_ids = [str(ids[i]) for i in quotes] + [""] * (QUOTES - len(quotes))  # quote_1, quote_2
    positives, negatives = positive.bit_count(), negative.bit_count()
    neutrals, negated_neutrals = neutral.bit_count(), negated.bit_count()
    mentions, rated = positives + negatives + neutrals, sum(stars)
    stars_sum = stars[0] + 2 * stars[1] + 3 * stars[2] + 4 * stars[3] + 5 * stars[4]
    return (  # the line's fields, separated by a tab as COPY escapes it
        (
            f"\\t{mentions}\\t{positives}\\t{negatives}\\t{neutrals}\\t{negated_neutrals}\\t{stars[0]}\\t{stars[1]}"
            f"\\t{stars[2]}\\t{stars[3]}\\t{stars[4]}\\t{quote_ids[0]}\\t{quote_ids[1]}"
        ),
        (positives - negatives, neutrals - 2 * negated_neutrals, stars_sum, rated, mentions, positives),
    )


def _lowest_bits(bits, count):
    """The positions of the lowest ``count`` set bits of ``bits``, lowest first."""
    found = []
    while bits and len(found) < count:
        lowest = bits & -bits
        found.append(lowest.bit_length() - 1)
        bits ^= lowest
    return found


def rating_aggregates(reviews):
    """(review count, rating count, average rating or None, [1-star count, ..., 5-star count]) of one
    product's ``reviews`` ((id, rating, ...); rating None: no stars): the one definition of the products'
    rating columns, which search_stats' rating totals sum. The average is the stars' sum over their
    count, one float division."""
    stars = [0, 0, 0, 0, 0]
    for review in reviews:
        if review[1] is not None:
            stars[review[1] - 1] += 1
    ratings = sum(stars)
    points = stars[0] + 2 * stars[1] + 3 * stars[2] + 4 * stars[3] + 5 * stars[4]
    return len(reviews), ratings, points / ratings if ratings else None, stars


def analyse_chunk(products, reviews, block, collocations):
    """The index rows of a chunk of products (``products``: rows of the indexer's PRODUCTS_SQL; ``reviews``:
    of its REVIEWS_SQL), as COPY text in the columns of the indexer's COPY_TABLES: analysed_terms (the
    postings, a line per term and product), product_evidence, analysed_products (each product's length,
    categories and rating aggregates) and phrase_deltas (how the chunk moves the vocabulary's counts: by
    the phrases of each product whose text changed, less those of its text before). With ``block`` (a
    full rebuild, whose chunks are whole blocks), the block's packed rows instead of the postings' lines
    (the indexer's PACKED_TABLES, COPY binary data), and its descriptors' totals (``packed.TERM_TOTALS``,
    COPY text).
    ``collocations``: the two-word phrases kept as terms (the catalog's, ``amazen.search.collocations``);
    every other phrase the analyzer finds is left out.

    Terms need no COPY escaping: the analyzer only makes [a-z0-9] words joined by one space.
    """
    by_product = {}
    for product_id, review_id, rating, helpful, summary, text in reviews:
        by_product.setdefault(product_id, []).append((review_id, rating, helpful, summary, text))
    packer = None if block is None else packed.PackedBlock(block)
    terms, evidence, analysed, phrases = [], [], [], []
    for product_id, title, brand, features, description, categories, category_ids, price, brand_number, *before in products:
        tf, length = product_postings(title, brand, categories, features, description)
        tf = {term: weight for term, weight in tf.items() if " " not in term or term in collocations}
        postings = tf, length
        own = by_product.get(product_id, ())
        reviews_count, ratings, average, stars = rating_aggregates(own)
        average_text = r"\N" if average is None else repr(average)
        analysed.append(
            f"{product_id}\t{length}\t{{{','.join(map(str, category_ids))}}}\t{reviews_count}\t{ratings}"
            f"\t{average_text}\t{stars[0]}\t{stars[1]}\t{stars[2]}\t{stars[3]}\t{stars[4]}\n"
        )
        if packer is None:  # !r: a float's str, without format()'s detour
            terms += [f"{term}\t{product_id}\t{weight!r}\t{length!r}\n" for term, weight in tf.items()]
        found = [term for term in review_evidence(own, brand) if " " not in term[0] or term[0] in collocations]
        evidence.append(_evidence_row(product_id, found))
        changed, *text_before = before
        if changed:
            phrases += [(1, (title, brand, categories)), (-1, text_before)]
        if packer is not None:
            packer.add_product(
                product_id,
                price,
                average,
                ratings,
                reviews_count,
                brand_number,
                category_ids,
                postings,
                [(term, values) for term, _, values in found],
            )
    texts = ("".join(terms), "".join(evidence), "".join(analysed), phrase_deltas(phrases))
    return texts if packer is None else texts + packer.copy_data()
