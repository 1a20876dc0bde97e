"""Shopper accounts: sign-up and sign-in, sessions, the security policy, CSRF, and the abuse limits'
call sites (abuse.py)."""

from amazen.config import ConfigurationError, resolve_session_secret

from .security import SecurityPolicy, current_user, session_factory_for
from .services import AccountService


def account_service_factory(context, request):
    return AccountService(request.dbsession)


def includeme(config):
    settings = config.get_settings()
    try:
        secret = resolve_session_secret(settings)
    except ConfigurationError as err:
        raise SystemExit(f"amazen: {err}") from None
    config.set_session_factory(session_factory_for(secret))
    config.set_security_policy(SecurityPolicy())
    config.add_request_method(current_user, "user", reify=True)
    # Every view answers only with the permission "view" unless it names another; Root grants it to all.
    config.set_default_permission("view")
    # Every unsafe method needs the session's token: a form's csrf_token field or the X-CSRF-Token header.
    config.set_default_csrf_options(require_csrf=True, token="csrf_token", header="X-CSRF-Token")
    config.register_service_factory(account_service_factory, name="accounts")
