"""HTML and JSON views, error views, and the URL helpers templates use."""

import hashlib
from pathlib import Path

from pyramid.encode import url_quote, urlencode
from pyramid.path import AssetResolver
from pyramid.static import QueryStringConstantCacheBuster
from pyramid.traversal import PATH_SEGMENT_SAFE, quote_path_segment
from pyramid.tweens import INGRESS
from pyramid.url import ANCHOR_SAFE

STATIC = "amazen:static"


def products_url(request):
    """The products' URL, worked out once a request (``request.products_url``): a results page or list
    links every product and quote, and resource_url walks the resource tree each time."""
    return request.resource_url(request.root["products"])


def product_link(request, asin, query=None, anchor=None):
    """What request.resource_url(products, asin, query=query, anchor=anchor) makes, from products_url."""
    url = request.products_url + quote_path_segment(asin, safe=PATH_SEGMENT_SAFE)
    if query:
        url += "?" + urlencode(query, doseq=True)
    if anchor:
        url += "#" + url_quote(anchor, ANCHOR_SAFE)
    return url


def product_url(request, product, **query):
    return product_link(request, product.asin, query)


def review_url(request, asin, review_id):
    """Where a quoted review is shown: first on its product's page, anchored."""
    return product_link(request, asin, {"review": review_id}, f"review-{review_id}")


def category_url(request, category):
    return request.resource_url(request.root["categories"], *category.path.split("/"))


def url_with(request, **changes):
    """The current page's URL with some query parameters changed (None removes one)."""
    query = {key: value for key, value in request.GET.items()}
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    return request.resource_url(request.context, query=query or None)


def static_version(spec=STATIC):
    """A short hash of the static files' names and contents: it changes whenever one of them does."""
    digest = hashlib.sha256()
    for path in sorted(Path(AssetResolver().resolve(spec).abspath()).iterdir()):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def includeme(config):
    config.add_static_view("static", STATIC, cache_max_age=3600)
    # request.static_url adds ?v=<static_version()>, so nginx may let browsers keep those URLs for a year.
    config.add_cache_buster(STATIC, QueryStringConstantCacheBuster(static_version(), param="v"))
    config.add_jinja2_search_path("amazen:templates", name=".jinja2")
    config.add_request_method(products_url, reify=True)
    config.add_request_method(product_url)
    config.add_request_method(category_url)
    config.add_request_method(url_with)
    config.add_tween("amazen.views.errors.readable_address_tween_factory", under=INGRESS)
    config.scan(".")
