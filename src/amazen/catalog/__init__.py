"""The catalog domain: products, reviews, categories, and the services that query them."""

from .services import CatalogService


def catalog_service_factory(context, request):
    return CatalogService(request.dbsession)


def includeme(config):
    config.register_service_factory(catalog_service_factory, name="catalog")
