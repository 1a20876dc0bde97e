"""Server-rendered HTML pages. Each view reads its parameters, calls the catalog service, renders."""

import re

from markupsafe import Markup, escape
from pyramid.location import lineage
from pyramid.view import view_config

from amazen.catalog.services import PRODUCT_SORTS, REVIEW_SORTS
from amazen.params import choice, integer, page_request
from amazen.resources import Categories, CategoryResource, ProductResource, Products, Root
from amazen.search.query import parse_review_words, parse_say

from .reviews import REVIEW_LIMITS

PRODUCTS_PER_PAGE = 24
REVIEWS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


def highlight(text, words):
    """``text`` escaped, with every case-insensitive occurrence of ``words`` in <mark>."""
    if not text or not words:
        return escape(text or "")
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.I)
    out, last = [], 0
    for match in pattern.finditer(text):
        out += [escape(text[last : match.start()]), Markup("<mark>%s</mark>") % match.group()]
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def text_filter(request):
    text = (request.params.get("q") or "").strip()
    return text[:MAX_QUERY_LENGTH]


@view_config(context=Root, renderer="home.jinja2", request_method="GET")
def home(context, request):
    catalog = context.catalog
    products, reviews = catalog.totals()
    return {
        "featured_categories": catalog.featured_categories(limit=8),
        "top_products": catalog.list_products(page_request({}, 8), sort="reviews").items,
        "product_total": products,
        "review_total": reviews,
    }


def product_listing(context, request, category=None):
    sort = choice(request.params, "sort", list(PRODUCT_SORTS), "reviews")
    text = text_filter(request)
    page = context.catalog.list_products(page_request(request.params, PRODUCTS_PER_PAGE), sort=sort, category=category, text=text)
    return {"page": page, "sort": sort, "sorts": list(PRODUCT_SORTS), "q": text}


@view_config(context=Products, renderer="products.jinja2", request_method="GET")
def products(context, request):
    return product_listing(context, request)


@view_config(context=ProductResource, renderer="product.jinja2", request_method="GET")
def product(context, request):
    return product_values(context, request)


def product_values(context, request, form=None, errors=None):
    """The product page's values; ``form`` and ``errors``: the review form as sent, with what is wrong."""
    sort = choice(request.GET, "sort", list(REVIEW_SORTS), "helpful")
    # ?say=<descriptor>: only the reviews that mention it (a "customers say" chip).
    say = parse_say(request.GET)
    # ?rq=words: only the reviews that contain every word.
    words = parse_review_words(request.GET)
    catalog = context.catalog
    reviews = catalog.list_reviews(
        context.product,
        page_request(request.GET, REVIEWS_PER_PAGE, max_per_page=50),
        sort=sort,
        mentioning=say.term if say else None,
        containing=words,
    )
    # ?review=<id>: the review a search result quoted, shown first wherever it sorts.
    quoted_id = integer(request.GET, "review", None)
    quoted = catalog.review_of(context.product, quoted_id) if quoted_id else None
    user = request.user
    own = catalog.own_review(context.product, user.id) if user else None
    shown = [r.id for r in reviews.items] + ([quoted.id] if quoted else [])
    if form is None and own is not None:
        form = {"rating": str(own.rating or ""), "summary": own.summary or "", "text": own.text or ""}
    return {
        "product": context.product,
        "reviews": reviews,
        "sort": sort,
        "sorts": list(REVIEW_SORTS),
        "quoted": quoted,
        "say": say,
        "rq": " ".join(words),
        "highlight": lambda text: highlight(text, words),
        "customers_say": request.find_service(name="suggest").customers_say(context.product),
        "Markup": Markup,
        "own_review": own,
        "voted": catalog.voted_on(user.id, shown) if user else set(),
        "form": form or {},
        "errors": errors or {},
        "review_limits": REVIEW_LIMITS,
    }


@view_config(context=Categories, renderer="categories.jinja2", request_method="GET")
def categories(context, request):
    return {"categories": context.catalog.categories_with_counts()}


@view_config(context=CategoryResource, renderer="category.jinja2", request_method="GET")
def category(context, request):
    values = product_listing(context, request, category=context.category)
    values["subcategories"] = context.catalog.categories_with_counts(parent=context.category)
    values["ancestors"] = [r for r in reversed(list(lineage(context.__parent__))) if isinstance(r, CategoryResource)]
    return values
