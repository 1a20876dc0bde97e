"""The Content-Security-Policy header on every response, so the app enforces by itself what the nginx
in front of it will send: scripts and styles only from our own static files (no inline <script>, no
inline event handlers, no style="" attributes), images from us and from the hosts the datasets' image
URLs name (the older datasets' over plain http).

``amazen.content_security_policy`` in the ini file replaces the policy; an empty value sends none.
"""

from pyramid.events import NewResponse

DEFAULT_POLICY = (  # docker/nginx.conf sends the same (a test in tests/unit keeps them equal)
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https://images-na.ssl-images-amazon.com "
    "https://m.media-amazon.com http://ecx.images-amazon.com http://g-ecx.images-amazon.com; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SETTING = "amazen.content_security_policy"
EXEMPT_PREFIXES = ("/_debug_toolbar/",)  # pyramid_debugtoolbar's own pages (development only) use inline scripts


def includeme(config):
    policy = config.registry.settings.get(SETTING, DEFAULT_POLICY).strip()
    if not policy:
        return

    def add_policy(event):
        if not event.request.path_info.startswith(EXEMPT_PREFIXES):
            event.response.headers.setdefault("Content-Security-Policy", policy)

    config.add_subscriber(add_policy, NewResponse)
