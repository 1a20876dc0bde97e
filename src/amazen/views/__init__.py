"""HTML and JSON views, error views, and the URL helpers templates use."""


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


def includeme(config):
    config.add_static_view("static", "amazen:static", cache_max_age=3600)
    config.add_jinja2_search_path("amazen:templates", name=".jinja2")
    config.add_request_method(product_url)
    config.add_request_method(category_url)
    config.add_request_method(url_with)
    config.scan(".")
