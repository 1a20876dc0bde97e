"""Writing reviews: the product page's forms and the JSON API.

Who may do what is the contexts' ACL (amazen.resources); the CSRF token is checked before these views
run; the catalog service writes and reindexes. Forms answer with a redirect back to the product page
(303, returned: a raised one would abort the transaction), the API with JSON.
"""

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from amazen.accounts import abuse
from amazen.locks import CatalogBusy
from amazen.params import InvalidParameter
from amazen.pgcopy import SURROGATE
from amazen.resources import (
    REVIEW_DELETE,
    REVIEW_EDIT,
    REVIEW_HIDE,
    REVIEW_WRITE,
    VOTE,
    ApiProductReviews,
    ApiReview,
    ApiSession,
    ProductReviews,
    ReviewResource,
)

from . import product_link
from .errors import BUSY_MESSAGE, error_response, same_site_path

# The most characters each field may have; a review needs stars and a text, the headline is optional.
REVIEW_LIMITS = {"summary": 200, "text": 20_000}
RATING_MESSAGE = "Choose from 1 to 5 stars."


def checked_text(field, value):
    """``value`` stripped, or InvalidParameter naming ``field``."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidParameter(field, "must be a string")
    value = value.strip()
    if "\x00" in value:
        raise InvalidParameter(field, "must not contain a NUL character")
    if not value.isascii() and SURROGATE.search(value):  # JSON may escape half of a pair alone
        raise InvalidParameter(field, "must be text: it has half of a surrogate pair")
    if len(value) > REVIEW_LIMITS[field]:
        raise InvalidParameter(field, f"must be at most {REVIEW_LIMITS[field]:,} characters")
    return value or None


def review_values(raw, partial=False):
    """The checked ``rating``, ``summary`` and ``text`` of ``raw`` (a dict); InvalidParameter names the
    first field that is wrong. ``partial``: only the fields given (an edit)."""
    values = {}
    if not partial or "rating" in raw:
        rating = raw.get("rating")
        if isinstance(rating, str) and rating.strip().isascii() and rating.strip().isdigit():
            rating = int(rating.strip())
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise InvalidParameter("rating", RATING_MESSAGE)
        values["rating"] = rating
    for field in REVIEW_LIMITS:
        if not partial or field in raw:
            values[field] = checked_text(field, raw.get(field))
    if "text" in values and not values["text"]:
        raise InvalidParameter("text", "Write what you think of the product.")
    return values


def review_json(request, review):
    product = review.product
    return {
        "id": review.id,
        "asin": product.asin,
        "author": review.reviewer_name,
        "rating": review.rating,
        "summary": review.summary,
        "text": review.text,
        "helpful_votes": review.helpful_votes,
        "verified": review.verified,
        "imported": review.user_id is None,
        "hidden": review.hidden_at is not None,
        "reviewed_at": review.reviewed_at.isoformat() if review.reviewed_at else None,
        "url": request.resource_url(
            request.root["products"], product.asin, query={"review": review.id}, anchor=f"review-{review.id}"
        ),
    }


def json_body(request):
    if request.content_type != "application/json":
        raise InvalidParameter("body", "send the review as JSON (Content-Type: application/json)")
    try:
        body = request.json_body
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise InvalidParameter("body", "is not valid JSON") from None
    if not isinstance(body, dict):
        raise InvalidParameter("body", "must be a JSON object")
    unknown = sorted(set(body) - {"rating", "summary", "text"})
    if unknown:
        # reviewer_id and reviewer_name among them: a review's author is the signed-in account.
        raise InvalidParameter(unknown[0], "is not a review field (send rating, summary and text)")
    return body


def product_page(request, product, review_id=None):
    anchor = f"review-{review_id}" if review_id else "reviews"
    return product_link(request, product.asin, anchor=anchor)


def back_to(request, review):
    """Where a review's form sends you back: its ``next`` when it is a path on this site, else the
    review on its product page."""
    return same_site_path(request.POST.get("next", "")) or product_page(request, review.product, review.id)


# The product page's forms ------------------------------------------------------------------------------


@view_config(context=ProductReviews, request_method="POST", permission=REVIEW_WRITE, renderer="product.jinja2")
def write_review_form(context, request):
    from .pages import product_values

    form = {name: request.POST.get(name, "") for name in ("rating", "summary", "text")}
    try:
        values = review_values(form)
    except InvalidParameter as err:
        # The product page again, the form holding what was written and the error beside its field. Its
        # links are the product page's: the page renders for the product, not for this form's address.
        request.context = context.__parent__
        return product_values(context.__parent__, request, form=form, errors={err.field: err.message})
    abuse.review_write(request, request.user)
    try:
        review, created = request.find_service(name="catalog").write_review(context.product, request.user, **values)
    except CatalogBusy as busy:
        # Refused before anything was written: the form again with what was typed, and why.
        request.context = context.__parent__
        request.response.status_int = 503
        request.response.headers["Retry-After"] = str(busy.retry_after)
        return product_values(context.__parent__, request, form=form, errors={"form": BUSY_MESSAGE})
    request.session.flash("Thank you: your review is published." if created else "Your review is updated.")
    return HTTPSeeOther(product_page(request, context.product, review.id))


@view_config(context=ReviewResource, name="helpful", request_method="POST", permission=VOTE)
def vote_form(context, request):
    if context.review.hidden_at is not None:
        raise HTTPNotFound()
    if request.find_service(name="catalog").vote_helpful(context.review, request.user) is None:
        request.session.flash("You have marked this review helpful already.")
    return HTTPSeeOther(back_to(request, context.review))


@view_config(context=ReviewResource, name="hide", request_method="POST", permission=REVIEW_HIDE)
def hide_form(context, request):
    request.find_service(name="catalog").hide_review(context.review, request.user)
    request.session.flash("The review is hidden.")
    return HTTPSeeOther(product_page(request, context.review.product))


@view_config(context=ReviewResource, name="delete", request_method="POST", permission=REVIEW_DELETE)
def delete_form(context, request):
    product = context.review.product
    abuse.review_write(request, request.user)
    request.find_service(name="catalog").delete_review(context.review)
    request.session.flash("Your review is deleted.")
    return HTTPSeeOther(same_site_path(request.POST.get("next", "")) or product_page(request, product))


# The JSON API ------------------------------------------------------------------------------------------


@view_config(context=ApiSession, renderer="json", request_method="GET")
def api_session(context, request):
    """Who is signed in, and the CSRF token to send with unsafe requests (X-CSRF-Token)."""
    user = request.user
    return {
        "user": None if user is None else {"id": user.id, "display_name": user.display_name, "moderator": user.is_moderator},
        "csrf_token": request.session.get_csrf_token(),
    }


@view_config(context=ApiProductReviews, renderer="json", request_method="POST", permission=REVIEW_WRITE)
def api_write_review(context, request):
    values = review_values(json_body(request))
    abuse.review_write(request, request.user)
    review, created = request.find_service(name="catalog").write_review(context.product, request.user, **values)
    request.response.status_int = 201 if created else 200
    return {"review": review_json(request, review)}


@view_config(context=ApiReview, renderer="json", request_method="GET")
def api_review(context, request):
    review = context.review
    if review.hidden_at is not None and not (
        request.has_permission(REVIEW_EDIT, context) or request.has_permission(REVIEW_HIDE, context)
    ):
        raise HTTPNotFound()
    return {"review": review_json(request, review)}


@view_config(context=ApiReview, renderer="json", request_method="PATCH", permission=REVIEW_EDIT)
def api_edit_review(context, request):
    values = review_values(json_body(request), partial=True)
    abuse.review_write(request, request.user)
    review = request.find_service(name="catalog").edit_review(context.review, **values)
    return {"review": review_json(request, review)}


@view_config(context=ApiReview, request_method="DELETE", permission=REVIEW_DELETE)
def api_delete_review(context, request):
    abuse.review_write(request, request.user)
    request.find_service(name="catalog").delete_review(context.review)
    return Response(status=204)  # no body, so no Content-Type


@view_config(context=ApiReview, name="helpful", renderer="json", request_method="POST", permission=VOTE)
def api_vote(context, request):
    if context.review.hidden_at is not None:
        raise HTTPNotFound()
    review_id = context.review.id
    count = request.find_service(name="catalog").vote_helpful(context.review, request.user)
    if count is None:
        return error_response(request, 409, "already_voted", "You have marked this review helpful already.")
    return {"review_id": review_id, "helpful_votes": count}


@view_config(context=ApiReview, name="hide", renderer="json", request_method="POST", permission=REVIEW_HIDE)
def api_hide(context, request):
    review = request.find_service(name="catalog").hide_review(context.review, request.user)
    return {"review": review_json(request, review)}
