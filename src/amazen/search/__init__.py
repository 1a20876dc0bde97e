"""Review-driven search: the analyzer, the index in PostgreSQL, ranking with evidence, facets, and the
help around it (descriptor suggestions, "customers say", autocomplete, did-you-mean)."""

from amazen.config import ConfigurationError

from .blockcache import cache_from_settings
from .service import SearchService
from .suggest import SuggestService


def search_service_factory(context, request):
    return SearchService(request.dbsession, request.registry["search_block_cache"])


def suggest_service_factory(context, request):
    return SuggestService(request.dbsession, request.find_service(name="search"))


def includeme(config):
    try:
        config.registry["search_block_cache"] = cache_from_settings(config.get_settings())
    except ConfigurationError as err:
        raise SystemExit(f"amazen: {err}") from None
    config.register_service_factory(search_service_factory, name="search")
    config.register_service_factory(suggest_service_factory, name="suggest")
