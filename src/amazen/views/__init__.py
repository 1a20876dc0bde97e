"""HTML and JSON views, error views, and the URL helpers templates use."""

import hashlib
from pathlib import Path

from pyramid.path import AssetResolver
from pyramid.static import QueryStringConstantCacheBuster
from pyramid.tweens import INGRESS

STATIC = "amazen:static"


def product_url(request, product, **query):
    return request.resource_url(request.root["products"], product.asin, query=query or None)


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
    config.add_request_method(product_url)
    config.add_request_method(category_url)
    config.add_request_method(url_with)
    config.add_tween("amazen.views.errors.readable_address_tween_factory", under=INGRESS)
    config.scan(".")
