"""The OpenAPI 3 description of the JSON API, served at /api/openapi.json.

tests/functional/test_api.py checks real responses against these schemas, so the two stay in step.
"""

from amazen.accounts.security import SESSION_COOKIE
from amazen.search.query import (
    MAX_DESCRIPTOR_LENGTH,
    MAX_DESCRIPTORS,
    MAX_DISMISSED,
    MAX_PER_PAGE,
    MAX_PRICE,
    MAX_QUERY_LENGTH,
)
from amazen.search.scoring import SORTS


def _nullable(schema):
    return {**schema, "nullable": True}


STRING = {"type": "string"}
# Text a client sends holds no NUL character (PostgreSQL text cannot): answered 400 (views/errors.py).
NO_NUL = "^[^\\u0000]*$"


def _text(**schema):
    return {"type": "string", "pattern": NO_NUL, **schema}


INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": STRING,
                "message": STRING,
                "field": _nullable({"type": "string", "description": "the parameter or field at fault; null or absent if none"}),
            },
        }
    },
}

QUOTE = {
    "type": "object",
    "required": ["text", "review_url"],
    "properties": {
        "text": {"type": "string", "description": "the sentence, HTML-escaped, matched words in <mark>"},
        "review_url": STRING,
    },
}

EVIDENCE = {
    "type": "object",
    "required": [
        "descriptor",
        "polarity",
        "mentions",
        "share",
        "positive",
        "negative",
        "neutral",
        "stars",
        "avg_stars",
        "quotes",
    ],
    "properties": {
        "descriptor": STRING,
        "polarity": {"type": "string", "enum": ["+", "-"]},
        "mentions": {"type": "integer", "description": "reviews of the product that mention the descriptor"},
        "share": {"type": "number", "description": "mentions / the product's reviews"},
        "positive": {"type": "integer", "description": "mentions that praise the product in respect of it"},
        "negative": {"type": "integer", "description": 'mentions that complain ("not comfortable", "the battery dies")'},
        "neutral": {"type": "integer", "description": 'mentions with no opinion in reach ("very loud")'},
        "stars": {
            "type": "array",
            "items": INTEGER,
            "minItems": 5,
            "maxItems": 5,
            "description": "1- to 5-star counts of the mentioning reviews",
        },
        "avg_stars": _nullable(NUMBER),
        "quotes": {"type": "array", "items": QUOTE, "maxItems": 2},
    },
}

RESULT = {
    "type": "object",
    "required": ["asin", "title", "brand", "price", "rating", "review_count", "url", "image_url", "score", "evidence"],
    "properties": {
        "asin": STRING,
        "title": STRING,
        "brand": _nullable(STRING),
        "price": _nullable(NUMBER),
        "rating": _nullable(NUMBER),
        "review_count": INTEGER,
        "url": STRING,
        "image_url": _nullable(STRING),
        "score": NUMBER,
        "evidence": {"type": "array", "items": EVIDENCE},
        "explain": {
            "type": "object",
            "description": "score components (explain=1); score = relevance + descriptors + rating_prior + popularity",
            "required": ["bm25", "relevance", "descriptors", "rating_prior", "popularity"],
            "properties": {k: NUMBER for k in ("bm25", "relevance", "descriptors", "rating_prior", "popularity")},
        },
    },
}

FACET_VALUE = {
    "type": "object",
    "required": ["count"],
    "properties": {
        "value": STRING,
        "name": STRING,
        "min": _nullable(NUMBER),
        "max": _nullable(NUMBER),
        "count": INTEGER,
    },
}

SEARCH_RESPONSE = {
    "type": "object",
    "required": ["query", "total", "page", "per_page", "results", "facets", "unknown_terms", "message", "did_you_mean"],
    "properties": {
        "query": {
            "type": "object",
            "required": ["q", "pos", "neg", "category", "brand", "price_min", "price_max", "rating_min", "sort"],
            "properties": {
                "q": STRING,
                "pos": {"type": "array", "items": STRING},
                "neg": {"type": "array", "items": STRING},
                "category": _nullable(STRING),
                "brand": _nullable(STRING),
                "price_min": _nullable(NUMBER),
                "price_max": _nullable(NUMBER),
                "rating_min": _nullable(NUMBER),
                "sort": STRING,
            },
        },
        "total": {"type": "integer", "description": "exact number of matching products"},
        "page": INTEGER,
        "per_page": INTEGER,
        "results": {"type": "array", "items": RESULT},
        "facets": {
            "type": "object",
            "required": ["category", "brand", "price", "rating"],
            "properties": {name: {"type": "array", "items": FACET_VALUE} for name in ("category", "brand", "price", "rating")},
        },
        "unknown_terms": {
            "type": "array",
            "items": STRING,
            "description": "query words and descriptors that nothing in the catalog mentions",
        },
        "message": _nullable(STRING),
        "did_you_mean": _nullable(
            {
                "type": "object",
                "required": ["query", "pos", "neg", "total"],
                "properties": {
                    "query": STRING,
                    "pos": {"type": "array", "items": STRING},
                    "neg": {"type": "array", "items": STRING},
                    "total": INTEGER,
                },
                "description": "the search with misspelt query words and descriptors corrected (q, pos, neg) "
                "and how many products it finds",
            }
        ),
    },
}

PRODUCT = {
    "type": "object",
    "required": [
        "asin",
        "title",
        "brand",
        "price",
        "description",
        "features",
        "image_url",
        "categories",
        "url",
        "review_count",
        "rating",
    ],
    "properties": {
        "asin": STRING,
        "title": STRING,
        "brand": _nullable(STRING),
        "price": _nullable(NUMBER),
        "description": _nullable(STRING),
        "features": {"type": "array", "items": STRING},
        "image_url": _nullable(STRING),
        "categories": {"type": "array", "items": STRING},
        "url": STRING,
        "review_count": INTEGER,
        "rating": {
            "type": "object",
            "required": ["average", "count", "histogram"],
            "properties": {
                "average": _nullable(NUMBER),
                "count": INTEGER,
                "histogram": {
                    "type": "object",
                    "required": ["1", "2", "3", "4", "5"],
                    "properties": {str(i): INTEGER for i in range(1, 6)},
                },
            },
        },
    },
}

CUSTOMER_SAYS = {
    "type": "object",
    "required": ["descriptor", "mentions", "share", "positive", "negative", "neutral", "stars", "quote", "reviews_url"],
    "properties": {
        "descriptor": {"type": "string", "description": "an attribute, as reviewers write it"},
        "mentions": {"type": "integer", "description": "reviews of the product that mention it"},
        "share": NUMBER,
        "positive": {"type": "integer", "description": "mentions that praise the product in respect of it"},
        "negative": {"type": "integer", "description": "mentions that complain"},
        "neutral": {"type": "integer", "description": "mentions with no opinion in reach"},
        "stars": {"type": "array", "items": INTEGER, "minItems": 5, "maxItems": 5},
        "quote": _nullable(QUOTE),
        "reviews_url": {"type": "string", "description": "the product page, its reviews filtered to those mentioning it"},
    },
}
PRODUCT["required"].append("customers_say")
PRODUCT["properties"]["customers_say"] = {
    "type": "array",
    "items": CUSTOMER_SAYS,
    "description": "the attributes its reviews mention most distinctively",
}

SUGGESTIONS = {
    "type": "object",
    "required": ["suggestions", "matching", "considered"],
    "properties": {
        "suggestions": {
            "type": "array",
            "maxItems": 10,
            "items": {
                "type": "object",
                "required": ["descriptor", "products", "positive_share"],
                "properties": {
                    "descriptor": STRING,
                    "products": {"type": "integer", "description": "considered products whose reviews mention it"},
                    "positive_share": _nullable(
                        {"type": "number", "description": "share of its praise and complaints that are praise (null: none)"}
                    ),
                },
            },
        },
        "matching": {"type": "integer", "description": "products matching the search"},
        "considered": {"type": "integer", "description": "the top-ranked matching products whose reviews were read"},
    },
}

COMPLETIONS = {
    "type": "object",
    "required": ["completions"],
    "properties": {
        "completions": {
            "type": "array",
            "maxItems": 10,
            "items": {
                "type": "object",
                "required": ["text", "products"],
                "properties": {"text": STRING, "products": {"type": "integer", "description": "products using it"}},
            },
        }
    },
}

REVIEW_FIELDS = {
    "rating": {"type": "integer", "minimum": 1, "maximum": 5, "description": "stars"},
    "summary": _nullable(_text(maxLength=200, description="the headline (optional)")),
    "text": _text(minLength=1, maxLength=20000, description="not blank"),
}
# No other field: the author is the signed-in account (a reviewer_id is refused, 400).
NEW_REVIEW = {"type": "object", "required": ["rating", "text"], "additionalProperties": False, "properties": REVIEW_FIELDS}
REVIEW_CHANGES = {
    "type": "object",
    "additionalProperties": False,
    "description": "the fields to change; the review's helpful votes start again from none",
    "properties": REVIEW_FIELDS,
}
REVIEW = {
    "type": "object",
    "required": ["review"],
    "properties": {
        "review": {
            "type": "object",
            "required": [
                "id",
                "asin",
                "author",
                "rating",
                "summary",
                "text",
                "helpful_votes",
                "verified",
                "imported",
                "hidden",
                "reviewed_at",
                "url",
            ],
            "properties": {
                "id": INTEGER,
                "asin": STRING,
                "author": _nullable({"type": "string", "description": "the author's display name"}),
                "rating": _nullable(INTEGER),
                "summary": _nullable(STRING),
                "text": _nullable(STRING),
                "helpful_votes": INTEGER,
                "verified": {"type": "boolean", "description": "a verified purchase (imported reviews only; never on the site)"},
                "imported": {"type": "boolean", "description": "from a dataset: no account may edit or delete it"},
                "hidden": {"type": "boolean", "description": "hidden by a moderator (only its author and moderators see it)"},
                "reviewed_at": _nullable({"type": "string", "format": "date-time"}),
                "url": {"type": "string", "description": "the review on its product's page"},
            },
        }
    },
}
VOTE = {
    "type": "object",
    "required": ["review_id", "helpful_votes"],
    "properties": {"review_id": INTEGER, "helpful_votes": {"type": "integer", "description": "the review's count now"}},
}
SESSION = {
    "type": "object",
    "required": ["user", "csrf_token"],
    "properties": {
        "user": _nullable(
            {
                "type": "object",
                "required": ["id", "display_name", "moderator"],
                "properties": {"id": INTEGER, "display_name": STRING, "moderator": {"type": "boolean"}},
            }
        ),
        "csrf_token": {"type": "string", "description": "send it as X-CSRF-Token with every POST, PATCH and DELETE"},
    },
}
HTML = {"text/html": {}}


def _form(fields, required=()):
    properties = {name: {"type": "string", "description": description} for name, description in fields.items()}
    return {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "required": ["csrf_token", *required], "properties": properties}
            }
        },
    }


def _param(name, schema, description, repeat=False):
    param = {"name": name, "in": "query", "required": False, "schema": schema, "description": description}
    if repeat:
        param.update(style="form", explode=True)
    return param


SEARCH_PARAMETERS = [
    _param("q", _text(maxLength=MAX_QUERY_LENGTH), 'words over product text; "quoted phrases"; -word excludes'),
    _param(
        "pos",
        {"type": "array", "maxItems": MAX_DESCRIPTORS, "items": _text(maxLength=MAX_DESCRIPTOR_LENGTH)},
        "what reviews should say (a word or two-word phrase); repeatable",
        repeat=True,
    ),
    _param(
        "neg",
        {"type": "array", "maxItems": MAX_DESCRIPTORS, "items": _text(maxLength=MAX_DESCRIPTOR_LENGTH)},
        "what reviews should not say (none of pos); repeatable",
        repeat=True,
    ),
    _param(
        "category",
        _text(),
        "category path or name, either in any case, e.g. electronics/headphones or Headphones "
        "(subcategories included; a name several categories share is a 400 listing their paths)",
    ),
    _param("brand", _text(), "exact brand (case-insensitive)"),
    _param("price_min", {"type": "number", "minimum": 0, "maximum": int(MAX_PRICE)}, "lowest price"),
    _param("price_max", {"type": "number", "minimum": 0, "maximum": int(MAX_PRICE)}, "highest price (not below price_min)"),
    _param("rating_min", {"type": "number", "minimum": 1, "maximum": 5}, "lowest average rating"),
    _param(
        "sort",
        {"type": "string", "enum": [sort.name for sort in SORTS], "default": SORTS[0].name},
        "result order: " + ", ".join(f"{sort.name} ({sort.label.lower()})" for sort in SORTS),
    ),
    _param("page", {"type": "integer", "minimum": 1, "default": 1}, "page number (out-of-range values are clamped)"),
    _param("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20}, "results per page (clamped)"),
    _param("explain", {"type": "string", "enum": ["0", "1", "true", "false"]}, "1: add each result's score components"),
]


def _json(schema):
    return {"content": {"application/json": {"schema": schema}}}


def _error(description):
    return {"description": description, **_json({"$ref": "#/components/schemas/Error"})}


RETRY_AFTER = {
    "Retry-After": {
        "description": "whole seconds until the limit lets one more through",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}


def _limited(description, html=False):
    """A 429 from an abuse limit (amazen.limits): Retry-After, and the error object (a page for forms)."""
    body = {"content": HTML} if html else _json({"$ref": "#/components/schemas/Error"})
    return {"description": f"{description} (code rate_limited); try again after Retry-After", "headers": RETRY_AFTER, **body}


REVIEW_WRITES_LIMITED = "too many reviews written, edited or deleted by this account (by default 20 an hour)"


def _busy(html=False):
    """A 503 to a write that changes the search index: refused at once while an import or reindex runs."""
    body = {"content": HTML} if html else _json({"$ref": "#/components/schemas/Error"})
    description = "an import or reindex is updating the catalog (code busy), or the database took too long (code timeout)"
    return {"description": f"{description}; nothing was changed: try again after Retry-After", "headers": RETRY_AFTER, **body}


REVIEW_ID = {"name": "id", "in": "path", "required": True, "schema": INTEGER}
ASIN = {"name": "asin", "in": "path", "required": True, "schema": STRING}
# Both together: the session cookie of a signed-in account and the session's CSRF token.
SIGNED_IN = [{"session": [], "csrf": []}]


DESCRIPTION = (
    "Search products by what their reviewers say. Reading needs nothing. Writing needs a signed-in account's"
    " session cookie (sign in with the form at /account/login) and, on every POST, PATCH and DELETE, the"
    " session's CSRF token: the X-CSRF-Token header for the JSON API (GET /api/session gives it), the"
    " csrf_token field for forms. Without the token the answer is 403 (code csrf) and nothing is done."
    " Sign-ins, sign-ups and review writes are limited: past a limit the answer is 429 with Retry-After."
    " While an import or reindex runs, writes answer 503 at once (code busy) with Retry-After; a request"
    " that waits too long for the database answers 503 (code timeout) with Retry-After."
)

# The product page's forms on one review, besides writing: 303 back to the product page when done, 303 to
# the sign-in page when nobody is signed in, 403 when the account may not (or without the token), 404 for
# a review that is not there.
REVIEW_FORMS = {
    "helpful": ("Mark another shopper's review helpful, once (the product page's Helpful button)", "your own review"),
    "hide": ("Hide a review from pages, search and evidence (moderators)", "not a moderator"),
    "delete": ("Delete your review; it leaves search on the next request", "not your review"),
}


def _review_form(name):
    summary, refused = REVIEW_FORMS[name]
    responses = {
        "303": {"description": "done: back to the product page (not signed in: to the sign-in page)"},
        "403": {"description": f"{refused}, or no or a wrong CSRF token", "content": HTML},
        "404": {"description": "no such product or review", "content": HTML},
        "503": _busy(html=True),
    }
    if name == "delete":
        responses["429"] = _limited(REVIEW_WRITES_LIMITED, html=True)
    return {
        "post": {
            "summary": summary,
            "parameters": [ASIN, REVIEW_ID],
            "requestBody": _form({"csrf_token": "the page's token", "next": "a path on this site to go back to"}),
            "responses": responses,
        }
    }


def openapi_document(request):
    return {
        "openapi": "3.0.3",
        "info": {"title": "Amazen API", "version": "1", "description": DESCRIPTION},
        "servers": [{"url": request.application_url}],
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Rank products by a query and by review evidence for descriptors",
                    "parameters": SEARCH_PARAMETERS,
                    "responses": {
                        "200": {"description": "a page of ranked products", **_json(SEARCH_RESPONSE)},
                        "400": _error("a malformed parameter"),
                    },
                }
            },
            "/api/products/{asin}": {
                "get": {
                    "summary": "One product with its rating histogram and what its customers say",
                    "parameters": [ASIN],
                    "responses": {"200": {"description": "the product", **_json(PRODUCT)}, "404": _error("no such product")},
                }
            },
            "/api/products/{asin}/reviews": {
                "post": {
                    "summary": "Write your review of a product (or, when you have one, edit it); searchable on the next request",
                    "security": SIGNED_IN,
                    "parameters": [ASIN],
                    "requestBody": {"required": True, **_json(NEW_REVIEW)},
                    "responses": {
                        "201": {"description": "the review was written", **_json(REVIEW)},
                        "200": {"description": "you had reviewed the product: your review was edited", **_json(REVIEW)},
                        "400": _error("a missing or malformed field"),
                        "401": _error("not signed in"),
                        "403": _error("no or a wrong X-CSRF-Token (code csrf)"),
                        "404": _error("no such product"),
                        "429": _limited(REVIEW_WRITES_LIMITED),
                        "503": _busy(),
                    },
                }
            },
            "/api/reviews/{id}": {
                "parameters": [REVIEW_ID],
                "get": {
                    "summary": "One review (a hidden one only for its author and moderators)",
                    "responses": {"200": {"description": "the review", **_json(REVIEW)}, "404": _error("no such review")},
                },
                "patch": {
                    "summary": "Edit your review: its helpful votes start again from none",
                    "security": SIGNED_IN,
                    "requestBody": {"required": True, **_json(REVIEW_CHANGES)},
                    "responses": {
                        "200": {"description": "the edited review", **_json(REVIEW)},
                        "400": _error("a malformed field"),
                        "401": _error("not signed in"),
                        "403": _error("not your review (imported reviews are nobody's), or no X-CSRF-Token"),
                        "404": _error("no such review"),
                        "429": _limited(REVIEW_WRITES_LIMITED),
                        "503": _busy(),
                    },
                },
                "delete": {
                    "summary": "Delete your review; it leaves search on the next request",
                    "security": SIGNED_IN,
                    "responses": {
                        "204": {"description": "deleted"},
                        "401": _error("not signed in"),
                        "403": _error("not your review (imported reviews are nobody's), or no X-CSRF-Token"),
                        "404": _error("no such review"),
                        "429": _limited(REVIEW_WRITES_LIMITED),
                        "503": _busy(),
                    },
                },
            },
            "/api/reviews/{id}/helpful": {
                "post": {
                    "summary": "Mark another shopper's review helpful (once per account)",
                    "security": SIGNED_IN,
                    "parameters": [REVIEW_ID],
                    "responses": {
                        "200": {"description": "counted", **_json(VOTE)},
                        "401": _error("not signed in"),
                        "403": _error("your own review, or no X-CSRF-Token"),
                        "404": _error("no such review (or it is hidden)"),
                        "409": _error("you have marked it helpful already"),
                        "503": _busy(),
                    },
                }
            },
            "/api/reviews/{id}/hide": {
                "post": {
                    "summary": "Hide a review from pages, search and evidence (moderators)",
                    "security": SIGNED_IN,
                    "parameters": [REVIEW_ID],
                    "responses": {
                        "200": {"description": "the review, hidden", **_json(REVIEW)},
                        "401": _error("not signed in"),
                        "403": _error("not a moderator, or no X-CSRF-Token"),
                        "404": _error("no such review"),
                        "503": _busy(),
                    },
                }
            },
            "/api/session": {
                "get": {
                    "summary": "Who is signed in, and the CSRF token for unsafe requests",
                    "responses": {"200": {"description": "the session", **_json(SESSION)}},
                }
            },
            "/account/signup": {
                "get": {"summary": "The sign-up form (HTML)", "responses": {"200": {"description": "the form", "content": HTML}}},
                "post": {
                    "summary": "Create an account and sign in (HTML form)",
                    "requestBody": _form(
                        {
                            "email": "address",
                            "display_name": "shown with your reviews",
                            "password": "10 or more characters, not a common one",
                            "next": "a path on this site to go to afterwards",
                            "csrf_token": "the form's token",
                        },
                        ("email", "display_name", "password"),
                    ),
                    "responses": {
                        "303": {"description": "signed in: to next (a same-site path) or the home page; sets the session cookie"},
                        "200": {"description": "the form again, each error beside its field", "content": HTML},
                        "403": {"description": "no or a wrong CSRF token", "content": HTML},
                        "429": _limited("too many sign-ups from this client address (by default 10 an hour)", html=True),
                    },
                },
            },
            "/account/login": {
                "get": {"summary": "The sign-in form (HTML)", "responses": {"200": {"description": "the form", "content": HTML}}},
                "post": {
                    "summary": "Sign in (HTML form); the session is a new one",
                    "requestBody": _form(
                        {
                            "email": "address",
                            "password": "password",
                            "next": "a path on this site",
                            "csrf_token": "the form's token",
                        },
                        ("email", "password"),
                    ),
                    "responses": {
                        "303": {"description": "signed in: to next or the home page; sets a new session cookie"},
                        "200": {"description": "the form again: the address and password do not match", "content": HTML},
                        "403": {"description": "no or a wrong CSRF token", "content": HTML},
                        "429": _limited(
                            "too many failed sign-ins for this email or from this client address (by default 10 in"
                            " 15 minutes); refused before the password is checked, so a right one is refused too",
                            html=True,
                        ),
                    },
                },
            },
            "/account/logout": {
                "get": {
                    "summary": "The sign-out form (HTML)",
                    "responses": {"200": {"description": "the form", "content": HTML}},
                },
                "post": {
                    "summary": "Sign out (HTML form)",
                    "requestBody": _form({"csrf_token": "the page's token"}),
                    "responses": {
                        "303": {"description": "signed out, to the home page"},
                        "403": {"description": "no or a wrong CSRF token", "content": HTML},
                    },
                },
            },
            "/account/": {
                "get": {
                    "summary": "Your account: your reviews, and the forms that change your password or delete the account",
                    "responses": {
                        "200": {"description": "the page", "content": HTML},
                        "303": {"description": "not signed in: to the sign-in page, and back afterwards"},
                    },
                }
            },
            "/account/password": {
                "post": {
                    "summary": "Change your password (HTML form); every session of the account ends, this one starts again",
                    "requestBody": _form(
                        {"current_password": "the password now", "new_password": "10 or more characters, not a common one"},
                        ("current_password", "new_password"),
                    ),
                    "responses": {
                        "303": {"description": "changed: back to the account page (not signed in: to the sign-in page)"},
                        "200": {"description": "the account page again, each error beside its field", "content": HTML},
                        "403": {"description": "no or a wrong CSRF token", "content": HTML},
                    },
                }
            },
            "/account/delete": {
                "post": {
                    "summary": "Delete your account and its reviews and votes (HTML form); they leave search at once",
                    "requestBody": _form({"delete_password": "your password, to confirm"}, ("delete_password",)),
                    "responses": {
                        "303": {"description": "deleted and signed out: to the home page (not signed in: to the sign-in page)"},
                        "200": {"description": "the account page again: the password is wrong", "content": HTML},
                        "403": {"description": "no or a wrong CSRF token", "content": HTML},
                        "503": _busy(html=True),
                    },
                }
            },
            "/products/{asin}/reviews": {
                "post": {
                    "summary": "The product page's review form: write or edit your review",
                    "parameters": [ASIN],
                    "requestBody": _form(
                        {"rating": "1 to 5", "summary": "headline", "text": "the review", "csrf_token": "the page's token"},
                        ("rating", "text"),
                    ),
                    "responses": {
                        "303": {"description": "saved: back to the review on the product page (not signed in: to sign in)"},
                        "200": {"description": "the product page again, each error beside its field", "content": HTML},
                        "403": {"description": "no or a wrong CSRF token", "content": HTML},
                        "404": {"description": "no such product", "content": HTML},
                        "429": _limited(REVIEW_WRITES_LIMITED, html=True),
                        "503": _busy(html=True),
                    },
                }
            },
            **{f"/products/{{asin}}/reviews/{{id}}/{name}": _review_form(name) for name in REVIEW_FORMS},
            "/api/suggest/descriptors": {
                "get": {
                    "summary": "Descriptors the reviews of the matching products mention distinctively",
                    "parameters": SEARCH_PARAMETERS[:8]
                    + [
                        _param(
                            "dismissed",
                            {"type": "array", "maxItems": MAX_DISMISSED, "items": _text(maxLength=MAX_DESCRIPTOR_LENGTH)},
                            "descriptors not to suggest again; repeatable",
                            repeat=True,
                        )
                    ],
                    "responses": {
                        "200": {"description": "up to 10 suggestions", **_json(SUGGESTIONS)},
                        "400": _error("a malformed parameter"),
                    },
                }
            },
            "/api/suggest/complete": {
                "get": {
                    "summary": "Completions of what was typed, from the catalog's titles, brands and categories",
                    "parameters": [_param("prefix", _text(maxLength=MAX_QUERY_LENGTH), "the text typed so far")],
                    "responses": {
                        "200": {"description": "up to 10 completions, most used first", **_json(COMPLETIONS)},
                        "400": _error("a malformed parameter"),
                    },
                }
            },
            "/api/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3"}}}},
        },
        "components": {
            "schemas": {"Error": ERROR},
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE, "description": "set by signing in"},
                "csrf": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-CSRF-Token",
                    "description": "GET /api/session's csrf_token",
                },
            },
        },
    }
