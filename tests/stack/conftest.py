"""The stack fixture: PostgreSQL, two app processes and nginx, started once for tests/stack/ (see stack.py).

nginx and openssl are system packages: without them the stack test fails (it does not skip), naming what
to install. .ci/run installs them; `pytest -m "not stack"` leaves the stack test out on purpose.
"""
import shutil

import pytest

from .stack import Stack, find_nginx

# Enough products to search and paginate; few, so the stack starts in seconds.
DEMO_PRODUCTS = 60


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    missing = [name for name, found in (("nginx", find_nginx()), ("openssl", shutil.which("openssl"))) if not found]
    if missing:
        pytest.fail(f"the stack test needs {' and '.join(missing)}: apt-get install {' '.join(missing)} (.ci/run does)")
    running = Stack(tmp_path_factory.mktemp("stack"))
    try:
        try:
            running.start(demo_products=DEMO_PRODUCTS)
        except Exception as err:
            raise RuntimeError(f"the stack did not start: {err}\n{running.logs()}") from err
        yield running
    finally:
        running.stop()
