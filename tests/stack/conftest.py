"""The stack fixture: PostgreSQL, two app processes and nginx, started once for tests/stack/ (see stack.py).

nginx and openssl are system packages: without them the stack tests skip, naming the install command
(AMAZEN_NGINX and AMAZEN_OPENSSL name other executables). .ci/run installs them and fails on any skip;
`pytest -m "not stack"` leaves the stack tests out on purpose.
"""

import pytest

from tests.conftest import unavailable

from .stack import Stack, find_nginx, find_openssl

# Enough products to search and paginate; few, so the stack starts in seconds.
DEMO_PRODUCTS = 60


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    missing = [name for name, found in (("nginx", find_nginx()), ("openssl", find_openssl())) if not found]
    if missing:
        unavailable(f"needs nginx and openssl: apt-get install nginx openssl (missing: {', '.join(missing)})")
    running = Stack(tmp_path_factory.mktemp("stack"))
    try:
        try:
            running.start(demo_products=DEMO_PRODUCTS)
        except Exception as err:
            raise RuntimeError(f"the stack did not start: {err}\n{running.logs()}") from err
        yield running
    finally:
        running.stop()
