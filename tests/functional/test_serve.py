"""A fresh start of `pserve development.ini`: embedded PostgreSQL, migrations and demo catalog, then pages."""
import shutil
import sys
from pathlib import Path

from tests.serve import check_fresh_start


def test_pserve_on_a_fresh_directory_serves_the_demo_catalog_and_stops_cleanly():
    pserve = shutil.which("pserve") or str(Path(sys.executable).with_name("pserve"))
    report = dict(check_fresh_start(pserve))
    assert report["home, listing, product page, static file"] == "200"
    assert report["embedded PostgreSQL stopped with it"] == "yes"
