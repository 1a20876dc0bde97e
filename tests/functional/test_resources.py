import pytest
from pyramid.scripting import prepare

from amazen.resources import CategoryResource, ProductResource, Root


@pytest.fixture
def app_request(app, tm, dbsession):
    with prepare(registry=app.registry) as env:
        request = env["request"]
        request.host = "example.com"
        request.dbsession = dbsession
        request.tm = tm
        yield request


@pytest.fixture
def root(app_request):
    return Root(app_request)


def test_root_has_products_and_categories(root):
    assert root["products"].__parent__ is root
    assert root["categories"].__name__ == "categories"


@pytest.mark.parametrize("name", ["nope", "healthz", "", "static"])
def test_root_raises_keyerror_for_other_names(root, name):
    with pytest.raises(KeyError):
        root[name]


def test_a_product_is_found_by_asin(root, demo_records):
    asin = demo_records[0].asin
    product = root["products"][asin]
    assert isinstance(product, ProductResource)
    assert product.product.asin == asin and product.__name__ == asin


@pytest.mark.parametrize("asin", ["NOPE", "b0" + "x" * 8, "x" * 5000, "' OR 1=1 --"])
def test_unknown_products_raise_keyerror(root, asin):
    with pytest.raises(KeyError):
        root["products"][asin]


def test_categories_nest_and_unknown_children_raise_keyerror(root, demo_records):
    top, leaf = [part for part in demo_records[0].categories[0]][:2]
    from amazen.catalog.slugs import slugify

    parent = root["categories"][slugify(top)]
    child = parent[slugify(leaf)]
    assert isinstance(child, CategoryResource)
    assert child.category.name == leaf and child.__parent__ is parent
    with pytest.raises(KeyError):
        parent["no-such-category"]
    with pytest.raises(KeyError):
        root["categories"][slugify(leaf)]  # a second-level slug is not a top-level category
