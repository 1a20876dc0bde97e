"""The compare page, /compare?asin=A&asin=B[&pos=…&neg=…]: 2 to 4 products side by side on the shopper's
descriptors and on what their customers say most. A GET form on the results page (a checkbox per result)
leads here, carrying the search's state so the page can link back to it."""

from markupsafe import Markup
from pyramid.view import view_config

from amazen.resources import ComparePage
from amazen.search import scoring
from amazen.search.query import Descriptor, parse_asins, parse_descriptors

from . import review_url
from .search import SearchLinks

SAYS_PER_PRODUCT = 4  # each product's top "customers say" attributes taken, in turn
MAX_SAY_ROWS = 10


def net(evidence, review_count, sign):
    """How much more a product's reviews say what a wanted (``sign`` 1) or avoided (-1) descriptor asks
    about than the reverse, per review (scoring.said)."""
    if not review_count:
        return 0.0
    neutral_net = evidence.neutral - 2 * evidence.neutral_negated
    return scoring.said(sign, evidence.positive - evidence.negative, neutral_net) / review_count


def best_cells(products, evidences, polarity):
    """The indexes of the products best on one descriptor (most said when wanted, least when to avoid);
    none when they are all equal."""
    sign = 1 if polarity == "+" else -1
    scores = [sign * net(e, p.review_count, sign) for p, e in zip(products, evidences)]
    top = max(scores)
    return set() if min(scores) == top else {i for i, score in enumerate(scores) if score == top}


def attributes_to_compare(products, says, in_play):
    """Descriptors for the products' top "customers say" attributes (each product's first, then each
    one's second, …), leaving out those already in play."""
    chosen = {}
    for rank in range(SAYS_PER_PRODUCT):
        for product in products:
            if rank < len(says[product.id]) and len(chosen) < MAX_SAY_ROWS:
                say = says[product.id][rank]
                if say.term not in in_play and say.term not in chosen:
                    chosen[say.term] = Descriptor(say.descriptor, say.term, "+")
    return list(chosen.values())


@view_config(context=ComparePage, renderer="compare.jinja2", request_method="GET")
def compare(context, request):
    asins = parse_asins(request.GET)
    descriptors = parse_descriptors(request.GET)
    products = context.products(asins)
    suggest = request.find_service(name="suggest")
    says = {product.id: suggest.customers_say(product) for product in products}
    attributes = attributes_to_compare(products, says, {d.term for d in descriptors})
    search = request.find_service(name="search")
    counts = [(product.id, product.review_count) for product in products]
    found = search.evidence(counts, descriptors + attributes)

    rows = []
    for i, descriptor in enumerate(descriptors + attributes):
        evidences = [found[product.id][i] for product in products]
        is_attribute = i >= len(descriptors)
        best = set() if is_attribute else best_cells(products, evidences, descriptor.polarity)
        rows.append(
            {
                "descriptor": descriptor,
                "attribute": is_attribute,
                "cells": [
                    {
                        "product": product,
                        "evidence": evidence,
                        "best": j in best,
                        "top": is_attribute and any(s.term == descriptor.term for s in says[product.id]),
                    }
                    for j, (product, evidence) in enumerate(zip(products, evidences))
                ],
            }
        )
    links = SearchLinks(request)
    others = [(k, v) for k, v in request.GET.items() if k != "asin"]
    return {
        "products": products,
        "descriptor_rows": [r for r in rows if not r["attribute"]],
        "attribute_rows": [r for r in rows if r["attribute"]],
        "back_url": links.current() if links.state else None,
        "remove_urls": {
            product.asin: request.resource_url(context, query=[("asin", a) for a in asins if a != product.asin] + others)
            for product in products
        }
        if len(products) > 2
        else {},
        "review_url": review_url,
        "Markup": Markup,
    }
