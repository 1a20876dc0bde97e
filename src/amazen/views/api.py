"""The JSON API: search, products, suggestions, and the OpenAPI document that describes them (writing
reviews: views/reviews.py).

Errors are JSON objects ``{"error": {"code", "message", "field"}}`` (see views/errors.py).
"""

from pyramid.view import view_config

from amazen.resources import ApiComplete, ApiProduct, ApiSearch, ApiSuggestDescriptors, OpenApiDocument
from amazen.search.query import parse_dismissed, parse_prefix, parse_search

from . import product_link, review_url
from .openapi import openapi_document


def search_json(request, found):
    results = []
    for result in found.results:
        item = {
            "asin": result.asin,
            "title": result.title,
            "brand": result.brand,
            "price": float(result.price) if result.price is not None else None,
            "rating": round(result.rating, 3) if result.rating is not None else None,
            "review_count": result.review_count,
            "url": product_link(request, result.asin),
            "image_url": result.image_url,
            "score": result.score,
            "evidence": [
                {
                    "descriptor": e.descriptor,
                    "polarity": e.polarity,
                    "mentions": e.mentions,
                    "share": e.share,
                    "positive": e.positive,
                    "negative": e.negative,
                    "neutral": e.neutral,
                    "stars": e.stars,
                    "avg_stars": e.avg_stars,
                    "quotes": [
                        {"text": q["text"], "review_url": review_url(request, result.asin, q["review_id"])} for q in e.quotes
                    ],
                }
                for e in result.evidence
            ],
        }
        if found.request.explain:
            item["explain"] = result.components
        results.append(item)
    return {
        "query": found.request.as_dict(),
        "total": found.total,
        "page": found.page,
        "per_page": found.per_page,
        "results": results,
        "facets": found.facets,
        "unknown_terms": found.unknown_terms,
        "message": found.message,
        "did_you_mean": found.did_you_mean,
    }


@view_config(context=ApiSearch, renderer="json", request_method="GET")
def api_search(context, request):
    found = request.find_service(name="search").search(parse_search(request.GET))
    return search_json(request, found)


def product_json(request, product):
    return {
        "asin": product.asin,
        "title": product.display_title,
        "brand": product.brand,
        "price": float(product.price) if product.price is not None else None,
        "description": product.description,
        "features": list(product.features or []),
        "image_url": product.image_url,
        "categories": [c.path for c in product.categories],
        "url": product_link(request, product.asin),
        "review_count": product.review_count,
        "rating": {
            "average": round(product.rating_average, 3) if product.rating_average is not None else None,
            "count": product.rating_count,
            "histogram": {str(stars): count for stars, count in sorted(product.histogram.items())},
        },
    }


def customers_say_json(request, product, says):
    return [
        {
            "descriptor": say.descriptor,
            "mentions": say.mentions,
            "share": say.share,
            "positive": say.positive,
            "negative": say.negative,
            "neutral": say.neutral,
            "stars": say.stars,
            "quote": {"text": say.quote, "review_url": review_url(request, product.asin, say.review_id)} if say.quote else None,
            "reviews_url": product_link(request, product.asin, {"say": say.descriptor}, "reviews"),
        }
        for say in says
    ]


@view_config(context=ApiProduct, renderer="json", request_method="GET")
def api_product(context, request):
    says = request.find_service(name="suggest").customers_say(context.product)
    return dict(product_json(request, context.product), customers_say=customers_say_json(request, context.product, says))


@view_config(context=ApiSuggestDescriptors, renderer="json", request_method="GET")
def api_suggest_descriptors(context, request):
    found = request.find_service(name="suggest").descriptors(parse_search(request.GET), parse_dismissed(request.GET))
    return {
        "suggestions": [
            {"descriptor": s.descriptor, "products": s.products, "positive_share": s.positive_share} for s in found.suggestions
        ],
        "matching": found.matching,
        "considered": found.considered,
    }


@view_config(context=ApiComplete, renderer="json", request_method="GET")
def api_complete(context, request):
    completions = request.find_service(name="suggest").complete(parse_prefix(request.GET))
    return {"completions": [{"text": text, "products": products} for text, products in completions]}


@view_config(context=OpenApiDocument, renderer="json", request_method="GET")
def api_openapi(context, request):
    return openapi_document(request)
