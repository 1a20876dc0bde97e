"""The score of a product, its constants, the facets' buckets and the result orders (docs/ranking.md
gives the reasoning). amazen.search.ranking computes them; the views and the API read the sorts.

    score = W_QUERY      * bm25 / (bm25 + RELEVANCE_HALF)                                      (0 without a query)
          + W_DESCRIPTOR * sum over wanted descriptors   said(+1) / (reviews + EVIDENCE_PRIOR) * stars_factor
          - W_DESCRIPTOR * sum over avoided descriptors  said(-1) / (reviews + EVIDENCE_PRIOR) * stars_factor
          + W_RATING     * (bayesian average rating - 1) / 4
          + W_POPULARITY * min(1, ln(1 + reviews) / ln(1 + POPULARITY_REVIEWS))

bm25 is Okapi BM25 (k1 = K1, b = B) over the field-weighted product text with global statistics
(document frequencies from product_term_stats, product count and average length from search_stats).
said (``said``) counts a wanted descriptor's praise and an avoided one's complaints, less the reverse, plus
its neutral mentions said plainly, less the negated ones. stars_factor is 0.5 + (stars_mean - 1) / 4 for a
wanted descriptor and 0.5 + (5 - stars_mean) / 4 for an avoided one, where stars_mean is the mean stars of
the mentioning reviews with STARS_PRIOR pseudo-ratings of 3 stars. The bayesian average puts RATING_PRIOR
pseudo-ratings at the catalog's mean behind a product's own. Ties break on the product id, so pages are stable.
"""

from dataclasses import dataclass


def said(sign, net, neutral_net):
    """How many mentions say what a wanted (``sign`` 1) or an avoided (-1) descriptor asks about, less
    those that say the reverse: praise for a wanted one ("comfortable", "great battery"), complaint for
    an avoided one ("too loud", "flimsy"), and either way a neutral mention said plainly ("very loud"),
    not negated ("not loud at all"). ``net``: praise - complaint; ``neutral_net``: plain - negated
    neutral mentions (numbers or arrays)."""
    return sign * net + neutral_net


K1 = 1.2
B = 0.75
RELEVANCE_HALF = 5.0  # the bm25 at which query relevance reaches half of its weight
EVIDENCE_PRIOR = 5  # pseudo-reviews that mention nothing: 1 of 1 reviews must not beat 80 of 100
STARS_PRIOR = 2  # pseudo-ratings of 3 stars behind the stars of the mentioning reviews
RATING_PRIOR = 5  # pseudo-ratings at the catalog's mean behind a product's average
POPULARITY_REVIEWS = 1000  # the review count at which popularity reaches its whole weight
W_QUERY = 1.0
W_DESCRIPTOR = 1.0
W_RATING = 0.2
W_POPULARITY = 0.1

FACET_VALUES = 20  # category and brand values per facet, most products first
PRICE_BUCKETS = ((0, 25), (25, 50), (50, 100), (100, 200), (200, None))  # [low, high) in the catalog's currency
RATING_BUCKETS = (4, 3, 2, 1)  # "at least" this average rating


@dataclass(frozen=True)
class Sort:
    """A result order: ``keys`` are (fact, descending) pairs ordered by first, a missing value (no price,
    no rating) last; then the score, best first; then the product id. The facts are the packed index's
    record fields (amazen.search.packed.RECORD)."""

    name: str  # the ``sort`` parameter's value
    label: str  # what the results page calls it
    keys: tuple = ()


SORTS = (
    Sort("relevance", "Best match"),
    Sort("price_asc", "Price: low to high", (("price", False),)),
    Sort("price_desc", "Price: high to low", (("price", True),)),
    Sort("rating", "Rating", (("rating", True), ("rating_count", True))),
    Sort("reviews", "Most reviewed", (("review_count", True),)),
)
SORT_NAMES = tuple(sort.name for sort in SORTS)
SORT_BY_NAME = {sort.name: sort for sort in SORTS}
