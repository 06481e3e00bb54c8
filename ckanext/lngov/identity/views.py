"""The unified identity's routes: /user/identity/login (to the provider), the callback the
provider sends the visitor back to, the page a refused sign-in ends on, and the sign-out
that ends the provider's session too (IAuthenticator.logout, plugin.py).

A sign-in under way lives in the visitor's (signed) session: state, nonce, PKCE verifier,
the language and where to go after; taken out at the callback, so an answer counts once.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint

import ckan.plugins.toolkit as tk
from ckan.common import current_user, login_user, logout_user, session
from ckan.views.user import regenerate_session, rotate_token

from ckanext.lngov import lang
from ckanext.lngov.identity import accounts, client, settings as identity_settings
from ckanext.lngov.identity.client import IdentityError

log = logging.getLogger(__name__)
blueprint = Blueprint("lngov_identity", __name__)

PENDING = "lngov_identity_pending"
ID_TOKEN = "lngov_identity_id_token"
CALLBACK = "/user/identity/callback"
# What a refused sign-in answers: its status, and the message in the visitor's language.
STATUS = {"unavailable": 503, "state": 400, "denied": 403, "provider": 502, "token": 400,
          "id_token": 400, "claims": 403, "account": 403}


def messages() -> dict[str, str]:
    return {
        "unavailable": tk._("The unified identity service cannot be reached just now. "
                            "Try again later, or log in with a portal account."),
        "state": tk._("This sign-in was not started in this browser, or it was already "
                      "used. Start again from the login page."),
        "denied": tk._("The sign-in was cancelled at the unified identity service."),
        "provider": tk._("The unified identity service refused the sign-in."),
        "token": tk._("The unified identity service did not confirm the sign-in (the code "
                      "was used already, expired or is not this portal's). Start again."),
        "id_token": tk._("The identity token could not be verified (expired, altered or "
                         "not issued to this portal). Start again."),
        "claims": tk._("Your department or role at the unified identity service is not one "
                       "this portal knows. Ask the portal's administrators to add it."),
        "account": tk._("Your portal account is closed. Ask the portal's administrators."),
    }


def _site() -> str:
    return tk.config["ckan.site_url"].rstrip("/")


def _locale_prefix(language: str) -> str:
    return "" if language == lang.DEFAULT else "/" + language


def _ui_locales(language: str) -> str:
    return "en" if language == "en" else "zh-CN"


def login():
    settings = identity_settings.read()
    if not settings.issuer:
        return tk.abort(404)
    if current_user.is_authenticated:
        return tk.redirect_to("dashboard.datasets")
    language = lang.current()
    came_from = tk.request.args.get("came_from") or ""
    try:
        url, pending = client.begin(settings, _site() + CALLBACK, _ui_locales(language))
    except IdentityError as error:
        return _refused(error, language)
    session[PENDING] = {**pending, "lang": language,
                        "came_from": came_from if tk.h.url_is_local(came_from) else ""}
    return tk.redirect_to(url)


def callback():
    settings = identity_settings.read()
    if not settings.issuer:
        return tk.abort(404)
    pending = session.pop(PENDING, None)
    language = (pending or {}).get("lang") or lang.DEFAULT
    answer = {key: str(value) for key, value in tk.request.args.items()}
    try:
        claims, id_token = client.finish(settings, answer, pending, _site() + CALLBACK)
        user = accounts.sign_in(settings, claims)
    except IdentityError as error:
        return _refused(error, language)
    regenerate_session()
    login_user(user)
    rotate_token()
    session[ID_TOKEN] = id_token
    if pending.get("came_from"):
        return tk.redirect_to(pending["came_from"])
    return tk.redirect_to(_locale_prefix(language) + tk.h.url_for("dashboard.datasets",
                                                                   locale="default"))


def _refused(error: IdentityError, language: str):
    log.warning("unified identity: sign-in refused (%s)", error)
    # The page in the language the sign-in began in (the callback's address has none).
    return tk.redirect_to(_locale_prefix(language) + tk.h.url_for(
        "lngov_identity.refused", reason=error.reason, locale="default"))


def refused(reason: str):
    found = messages()
    if reason not in found:
        return tk.abort(404)
    return tk.render("lngov/identity_refused.html",
                     {"message": found[reason], "reason": reason}), STATUS[reason]


def logout() -> Any:
    """IAuthenticator.logout: a visitor who signed in through the provider is signed out of
    the portal, then sent to the provider's end-session endpoint (with the ID token as hint)
    which comes back to the portal's logged-out page. Anyone else: CKAN's own logout."""
    id_token = session.get(ID_TOKEN)
    settings = identity_settings.read()
    if not id_token or not settings.issuer or not current_user.is_authenticated:
        session.pop(ID_TOKEN, None)
        return None
    language = lang.current()
    logout_user()
    session.pop(ID_TOKEN, None)
    back = _site() + _locale_prefix(language) + tk.h.url_for("user.logged_out_page",
                                                             locale="default")
    url = client.logout_url(settings, id_token, back, _ui_locales(language))
    return tk.redirect_to(url or back)


def enabled() -> bool:
    """Template helper: is the unified identity's sign-in offered?"""
    try:
        return identity_settings.enabled()
    except Exception:   # noqa: BLE001 a misconfiguration stops the start (settings.check)
        return False


blueprint.add_url_rule("/user/identity/login", view_func=login)
blueprint.add_url_rule(CALLBACK, view_func=callback)
blueprint.add_url_rule("/user/identity/refused/<reason>", view_func=refused)
