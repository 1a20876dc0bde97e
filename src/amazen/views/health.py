import logging

import sqlalchemy as sa
from pyramid.view import view_config

from amazen.resources import Root

log = logging.getLogger(__name__)


@view_config(context=Root, name="healthz", renderer="json", request_method="GET", http_cache=0)
def healthz(context, request):
    """200 when the primary database answers, 503 otherwise (for nginx, Docker and load balancers); with
    read replicas, each one's state too (a replica that is down costs no request, so the status stays ok)."""
    try:
        request.primary_dbsession.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as err:
        log.warning("health check: database unavailable: %s", err.__class__.__name__)
        request.response.status_int = 503
        return {"status": "unavailable", "database": "down"}
    replicas = request.registry.get("replicas")
    if replicas is None:
        return {"status": "ok"}
    return {"status": "ok", "replicas": replicas.status()}
