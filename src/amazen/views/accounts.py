"""Account pages: sign up, sign in, sign out, and your account (your reviews, your password, deleting it).

Every form carries the session's CSRF token (checked before any view runs); a password is never put back
into a form, logged or stored in clear.
"""

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from amazen.accounts import abuse
from amazen.accounts.passwords import MAX_LENGTH as MAX_PASSWORD_LENGTH
from amazen.accounts.passwords import MIN_LENGTH as MIN_PASSWORD_LENGTH
from amazen.accounts.security import sign_in, sign_out
from amazen.accounts.services import MAX_DISPLAY_NAME_LENGTH, MAX_EMAIL_LENGTH, FieldErrors
from amazen.resources import ACCOUNT, SIGN_IN, SIGN_OUT, SIGN_UP, Account, SignIn, SignOut, SignUp

from .errors import same_site_path

LIMITS = {
    "max_email": MAX_EMAIL_LENGTH,
    "max_display_name": MAX_DISPLAY_NAME_LENGTH,
    "min_password": MIN_PASSWORD_LENGTH,
    "max_password": MAX_PASSWORD_LENGTH,
}


def next_path(request):
    """Where to go after signing in or up: the form's ``next`` when it is a path on this site, else home."""
    return same_site_path(request.params.get("next", "")) or request.resource_url(request.root)


def form_text(request, name, limit=10_000):
    value = request.POST.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


@view_config(context=SignUp, renderer="signup.jinja2", request_method="GET")
def signup_form(context, request):
    return dict(LIMITS, values={}, errors={}, next=same_site_path(request.params.get("next", "")))


@view_config(context=SignUp, renderer="signup.jinja2", request_method="POST", permission=SIGN_UP)
def signup(context, request):
    abuse.signup_attempt(request)
    email, display_name = form_text(request, "email", 1000), form_text(request, "display_name", 1000)
    try:
        user = request.find_service(name="accounts").sign_up(email, display_name, form_text(request, "password"))
    except FieldErrors as err:
        # The form again with what was typed, but never the password.
        values = {"email": email.strip(), "display_name": display_name.strip()}
        return dict(LIMITS, values=values, errors=err.errors, next=same_site_path(request.params.get("next", "")))
    headers = sign_in(request, user)
    request.session.flash(f"Welcome, {user.display_name}: your account is ready.")
    return HTTPSeeOther(next_path(request), headers=headers)


@view_config(context=SignIn, renderer="signin.jinja2", request_method="GET")
def signin_form(context, request):
    return dict(LIMITS, values={}, errors={}, next=same_site_path(request.params.get("next", "")))


@view_config(context=SignIn, renderer="signin.jinja2", request_method="POST", permission=SIGN_IN)
def signin(context, request):
    email = form_text(request, "email", 1000).strip()
    abuse.signin_allowed(request, email)
    user = request.find_service(name="accounts").authenticate(email, form_text(request, "password"))
    if user is None:
        abuse.signin_failed(request, email)
        errors = {"password": "That email address and password do not match an account."}
        return dict(LIMITS, values={"email": email}, errors=errors, next=same_site_path(request.params.get("next", "")))
    abuse.signin_succeeded(request, email)
    return HTTPSeeOther(next_path(request), headers=sign_in(request, user))


@view_config(context=SignOut, renderer="signout.jinja2", request_method="GET")
def signout_form(context, request):
    return {}


@view_config(context=SignOut, request_method="POST", permission=SIGN_OUT)
def signout(context, request):
    headers = sign_out(request)
    return HTTPSeeOther(request.resource_url(request.root), headers=headers)


def account_values(request, errors=None):
    return {
        "reviews": request.find_service(name="catalog").reviews_by_user(request.user.id),
        "errors": errors or {},
        **LIMITS,
    }


@view_config(context=Account, renderer="account.jinja2", request_method="GET", permission=ACCOUNT)
def account(context, request):
    return account_values(request)


@view_config(context=Account, name="password", renderer="account.jinja2", request_method="POST", permission=ACCOUNT)
def change_password(context, request):
    try:
        user = request.find_service(name="accounts").change_password(
            request.user.id, form_text(request, "current_password"), form_text(request, "new_password")
        )
    except FieldErrors as err:
        return account_values(request, err.errors)
    # Every session of the account has ended, this one too: this browser starts a new one.
    headers = sign_in(request, user)
    request.session.flash("Your password is changed. Every other session of your account is signed out.")
    return HTTPSeeOther(request.resource_url(context), headers=headers)


@view_config(context=Account, name="delete", renderer="account.jinja2", request_method="POST", permission=ACCOUNT)
def delete_account(context, request):
    try:
        request.find_service(name="accounts").delete_account(request.user.id, form_text(request, "delete_password"))
    except FieldErrors as err:
        return account_values(request, {"delete_password": err.errors["password"]})
    headers = sign_out(request)
    request.session.flash("Your account and its reviews are deleted.")
    return HTTPSeeOther(request.resource_url(request.root), headers=headers)
