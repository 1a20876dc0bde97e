"""Amazen: find products by what their buyers say about them."""

import logging

from pyramid.config import Configurator
from pyramid.settings import asbool

from .config import ConfigurationError, resolve_database_url

log = logging.getLogger(__name__)


def main(global_config, **settings):
    """The WSGI application (``paste.app_factory``)."""
    setup = asbool(settings.get("amazen.setup_on_start", False))
    try:
        if "amazen.engine" not in settings:
            settings["sqlalchemy.url"] = resolve_database_url(settings)
        # Setting up is a job: as the schema's owner where that is another role (amazen.dbroles).
        setup_url = resolve_database_url(settings, owner=True) if setup else None
    except ConfigurationError as err:
        # One clear line for the operator instead of a traceback from deep inside pserve.
        raise SystemExit(f"amazen: {err}") from None

    if setup:
        from .dbsetup import setup_database

        setup_database(setup_url)

    with Configurator(settings=settings, root_factory="amazen.resources.Root") as config:
        config.include("pyramid_jinja2")
        config.include("pyramid_services")
        config.include(".models")
        config.include(".accounts")
        config.include(".catalog")
        config.include(".search")
        config.include(".views")
        config.include(".csp")
        config.include(".metrics")
        config.commit()
    return config.make_wsgi_app()
