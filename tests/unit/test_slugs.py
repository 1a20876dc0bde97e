"""Category slugs (amazen.catalog.slugs): pure functions, no database."""

import pytest

from amazen.catalog.slugs import slugify


@pytest.mark.parametrize(
    "name, slug", [("Luggage & Travel", "luggage-travel"), ("Café Équipement", "cafe-equipement"), ("!!!", "category")]
)
def test_slugify(name, slug):
    assert slugify(name) == slug
