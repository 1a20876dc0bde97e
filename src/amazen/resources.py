"""The traversal tree.

    /                         Root
    /products/                Products
    /products/<asin>          ProductResource
    /products/<asin>/reviews  ProductReviews (POST: the review form)
    /products/<asin>/reviews/<id>[/helpful|/hide|/delete]   ReviewResource (the product page's forms)
    /categories/              Categories
    /categories/<a>/<b>/...   CategoryResource (one per level)
    /search                   SearchPage (results page)
    /compare                  ComparePage (?asin=A&asin=B..., 2 to 4 products side by side)
    /api/search               ApiSearch
    /api/products/<asin>      ApiProduct (and POST .../reviews: ApiProductReviews)
    /api/reviews/<id>         ApiReview (GET, PATCH, DELETE; POST .../helpful, .../hide)
    /api/session              ApiSession (who is signed in; the CSRF token)
    /api/suggest/descriptors  ApiSuggestDescriptors
    /api/suggest/complete     ApiComplete
    /api/openapi.json         OpenApiDocument
    /account/                 Account (your reviews; POST .../password, .../delete)
    /account/signup           SignUp
    /account/login            SignIn
    /account/logout           SignOut

Unknown names raise KeyError, which Pyramid turns into the site's 404 page. Resources are small
context objects; they ask the catalog service for their data and never run SQL themselves.

Permissions are names the contexts' ``__acl__`` grant (amazen.accounts.security has the principals):
everyone may view, sign up, sign in and out; a signed-in account may write reviews, use its account page
and vote "helpful" on others' reviews; a review's author may edit and delete it; moderators may hide any
review. Imported reviews have no author, so nobody edits or deletes them through the site or the API.
"""

from pyramid.authorization import Allow, Authenticated, Deny, Everyone

from amazen.accounts.security import MODERATOR, principal
from amazen.params import InvalidParameter

VIEW = "view"
SIGN_UP = "account.signup"
SIGN_IN = "account.signin"
SIGN_OUT = "account.signout"
ACCOUNT = "account"
REVIEW_WRITE = "review.write"
REVIEW_EDIT = "review.edit"
REVIEW_DELETE = "review.delete"
REVIEW_HIDE = "review.hide"
VOTE = "vote"

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
    __acl__ = [
        (Allow, Everyone, (VIEW, SIGN_UP, SIGN_IN, SIGN_OUT)),
        (Allow, Authenticated, (ACCOUNT, REVIEW_WRITE)),
        (Allow, MODERATOR, REVIEW_HIDE),
    ]

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
        if name == "account":
            return Account(self.request, name, self)
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

    def __getitem__(self, name):
        if name == "reviews":
            return ProductReviews(self.request, name, self)
        raise KeyError(name)


def review_id(name):
    """A review id from a path segment, or KeyError (the 404) for anything else."""
    if not (name.isascii() and name.isdigit() and len(name) <= 18):
        raise KeyError(name)
    return int(name)


class ProductReviews(Resource):
    """A product's reviews: the review form posts here; its children are the reviews' forms."""

    @property
    def product(self):
        return self.__parent__.product

    def __getitem__(self, name):
        review = self.catalog.review_by_id(review_id(name))
        if review is None or review.product_id != self.product.id:
            raise KeyError(name)
        return ReviewResource(self.request, name, self, review)


class ReviewResource(Resource):
    """One review. Its author may edit and delete it (not vote on it); other accounts may vote on it."""

    def __init__(self, request, name, parent, review):
        super().__init__(request, name, parent)
        self.review = review

    @property
    def __acl__(self):
        acl = []
        if self.review.user_id is not None:  # imported reviews have no author: no one edits them
            author = principal(self.review.user_id)
            acl += [(Allow, author, (REVIEW_EDIT, REVIEW_DELETE)), (Deny, author, VOTE)]
        acl.append((Allow, Authenticated, VOTE))
        return acl


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
        if name == "reviews":
            return ApiReviews(self.request, name, self)
        if name == "session":
            return ApiSession(self.request, name, self)
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


class ApiReviews(Resource):
    def __getitem__(self, name):
        review = self.catalog.review_by_id(review_id(name))
        if review is None:
            raise KeyError(name)
        return ApiReview(self.request, name, self, review)


class ApiReview(ReviewResource):
    """A review under /api/: the same ACL as on the product page, JSON views."""


class ApiSession(Resource):
    """Who is signed in, and the CSRF token API clients send back."""


class Account(Resource):
    """The signed-in shopper's account page; its forms post to the views ``password`` and ``delete``."""

    title = "Your account"

    def __getitem__(self, name):
        if name == "signup":
            return SignUp(self.request, name, self)
        if name == "login":
            return SignIn(self.request, name, self)
        if name == "logout":
            return SignOut(self.request, name, self)
        raise KeyError(name)


class SignUp(Resource):
    title = "Create your account"


class SignIn(Resource):
    title = "Sign in"


class SignOut(Resource):
    title = "Sign out"
