"""Review-driven search: the analyzer, the index in PostgreSQL, ranking with evidence, facets."""
from .service import SearchService


def search_service_factory(context, request):
    return SearchService(request.dbsession)


def includeme(config):
    config.register_service_factory(search_service_factory, name="search")
