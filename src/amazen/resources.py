"""The traversal tree.

    /                         Root
    /products/                Products
    /products/<asin>          ProductResource
    /categories/              Categories
    /categories/<a>/<b>/...   CategoryResource (one per level)
    /search                   SearchPage (results page)
    /compare                  ComparePage (?asin=A&asin=B..., 2 to 4 products side by side)
    /api/search               ApiSearch
    /api/products/<asin>      ApiProduct (and POST .../reviews: ApiProductReviews)
    /api/suggest/descriptors  ApiSuggestDescriptors
    /api/suggest/complete     ApiComplete
    /api/openapi.json         OpenApiDocument

Unknown names raise KeyError, which Pyramid turns into the site's 404 page. Resources are small
context objects; they ask the catalog service for their data and never run SQL themselves.
"""

from amazen.params import InvalidParameter

MAX_NAME_LENGTH = 200  # longer path segments cannot be an asin or a category slug


def could_be_stored(name, limit=MAX_NAME_LENGTH):
    """Whether a path segment could name a stored asin or category: not too long, and without a NUL
    character, which no PostgreSQL text holds (a query asking for one fails)."""
    return len(name) <= limit and "\x00" not in name


class Resource:
    __name__ = ""
    __parent__ = None

    def __init__(self, request, name="", parent=None):
        self.request = request
        self.__name__ = name
        self.__parent__ = parent

    @property
    def catalog(self):
        return self.request.find_service(name="catalog")


class Root(Resource):
    title = "Amazen"

    def __init__(self, request):
        super().__init__(request)

    def __getitem__(self, name):
        if name == "products":
            return Products(self.request, name, self)
        if name == "categories":
            return Categories(self.request, name, self)
        if name == "search":
            return SearchPage(self.request, name, self)
        if name == "compare":
            return ComparePage(self.request, name, self)
        if name == "api":
            return Api(self.request, name, self)
        raise KeyError(name)


class Products(Resource):
    title = "All products"

    def __getitem__(self, asin):
        product = self.catalog.product_by_asin(asin) if could_be_stored(asin) else None
        if product is None:
            raise KeyError(asin)
        return self.child_class(self.request, asin, self, product)

    @property
    def child_class(self):
        return ProductResource


class ProductResource(Resource):
    def __init__(self, request, name, parent, product):
        super().__init__(request, name, parent)
        self.product = product

    @property
    def title(self):
        return self.product.display_title


class Categories(Resource):
    title = "Categories"
    category = None

    def __getitem__(self, slug):
        return self._child(slug, slug)

    def _child(self, slug, path):
        category = self.catalog.category_by_path(path) if could_be_stored(path, MAX_NAME_LENGTH * 4) else None
        if category is None:
            raise KeyError(slug)
        return CategoryResource(self.request, slug, self, category)


class CategoryResource(Categories):
    def __init__(self, request, name, parent, category):
        super().__init__(request, name, parent)
        self.category = category

    @property
    def title(self):
        return self.category.name

    def __getitem__(self, slug):
        return self._child(slug, f"{self.category.path}/{slug}")


class SearchPage(Resource):
    title = "Search"


class ComparePage(Resource):
    """The products are named in the query string (``asin``, repeatable), so a comparison is a link."""

    title = "Compare"

    def products(self, asins):
        """The products for ``asins``, in order; InvalidParameter naming any asin that is no product."""
        products = self.catalog.products_by_asins(asins)
        missing = [asin for asin in asins if asin not in {p.asin for p in products}]
        if missing:
            raise InvalidParameter("asin", f"no product {missing[0][:40]!r}")
        return products


class Api(Resource):
    def __getitem__(self, name):
        if name == "search":
            return ApiSearch(self.request, name, self)
        if name == "products":
            return ApiProducts(self.request, name, self)
        if name == "openapi.json":
            return OpenApiDocument(self.request, name, self)
        if name == "suggest":
            return ApiSuggest(self.request, name, self)
        raise KeyError(name)


class ApiSuggest(Resource):
    def __getitem__(self, name):
        if name == "descriptors":
            return ApiSuggestDescriptors(self.request, name, self)
        if name == "complete":
            return ApiComplete(self.request, name, self)
        raise KeyError(name)


class ApiSuggestDescriptors(Resource):
    pass


class ApiComplete(Resource):
    pass


class ApiSearch(Resource):
    pass


class OpenApiDocument(Resource):
    pass


class ApiProducts(Products):
    @property
    def child_class(self):
        return ApiProduct


class ApiProduct(Resource):
    """Not a ProductResource: the HTML product page must never answer under /api/."""

    def __init__(self, request, name, parent, product):
        super().__init__(request, name, parent)
        self.product = product

    def __getitem__(self, name):
        if name == "reviews":
            return ApiProductReviews(self.request, name, self)
        raise KeyError(name)


class ApiProductReviews(Resource):
    @property
    def product(self):
        return self.__parent__.product
