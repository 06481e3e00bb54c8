"""Accounts for the public and businesses: self-registration (CKAN's /user/register, with
ckan.auth.create_user_via_web on) confirmed by e-mail.

An account registered by its owner starts "pending": CKAN refuses to log in an account that
is not active. The confirmation mail (CKAN's mailer) carries a signed link, valid for
ckanext.lngov.accounts.confirm_hours, that activates it (/user/confirm/<token>). Accounts
that sysadmins create (and the portal's own) are active at once.

Registration also asks the organization the account is for, a business's 统一社会信用代码
(optional; its check character verified by the catalog's own rule, catalog/validators.py)
and a contact phone, and the consent to the privacy notice (/privacy, pages/views.py). They
are kept in the account's plugin_extras, which CKAN shows to sysadmins only (never on user
pages, in user_show for others, in activities or in search).
"""
from __future__ import annotations

import datetime
import hashlib
import logging
from typing import Any

from flask import Blueprint
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import mailer
from ckan.lib.navl.dictization_functions import missing

from ckanext.lngov.catalog.validators import lngov_credit_code, lngov_phone

log = logging.getLogger(__name__)

blueprint = Blueprint("lngov_accounts", __name__)
_SALT = "lngov-account-confirmation"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(tk.config["SECRET_KEY"], salt=_SALT)


def _fingerprint(user: model.User) -> str:
    """Binds a link to the address it was sent to: a changed address needs a new link."""
    return hashlib.sha256((user.email or "").lower().encode()).hexdigest()[:16]


def token_for(user: model.User) -> str:
    return _serializer().dumps({"id": user.id, "email": _fingerprint(user)})


def confirmation_link(user: model.User) -> str:
    return tk.config["ckan.site_url"].rstrip("/") + tk.h.url_for(
        "lngov_accounts.confirm", token=token_for(user))


def send_confirmation(user: model.User) -> bool:
    site = tk.config.get("ckan.site_title") or ""
    hours = tk.config.get("ckanext.lngov.accounts.confirm_hours")
    link = confirmation_link(user)
    body = (f"您好，{user.display_name}：\n\n您在{site}注册了账户 {user.name}。"
            f"请在 {hours} 小时内打开以下链接确认您的电子邮箱，账户确认后即可登录：\n{link}\n\n"
            "如果您没有注册，请忽略本邮件。\n\n"
            f"Hello {user.display_name},\n\nYou registered the account {user.name} on "
            f"{site}. Open this link within {hours} hours to confirm your e-mail address; "
            f"then you can log in:\n{link}\n\nIf you did not register, ignore this mail.\n")
    try:
        mailer.mail_recipient(user.display_name, user.email,
                              f"请确认您的电子邮箱 / Confirm your e-mail address: {site}", body)
        return True
    except Exception as error:   # noqa: BLE001 reported on the page, logged here
        log.warning("account %s: the confirmation mail was not sent: %s", user.name, error)
        return False


def _self_registration(context: dict[str, Any]) -> bool:
    import ckan.authz as authz

    return not context.get("ignore_auth") and not authz.is_sysadmin(context.get("user"))


# --- the registration profile: form field -> key in plugin_extras["lngov"] ------------------
# (CKAN's error summary names a field by its key, prettified and translated: "Contact phone")

PROFILE = {"organization_name": "organization", "unified_social_credit_code": "credit_code",
           "contact_phone": "phone"}
CONSENT = "privacy_consent"
_ORGANIZATION_MAX = 200


def _organization(value: Any) -> Any:
    if not isinstance(value, str):
        raise tk.Invalid(tk._("Must be text"))
    if len(value.strip()) > _ORGANIZATION_MAX:
        raise tk.Invalid(tk._("At most {n} characters").format(n=_ORGANIZATION_MAX))
    return value.strip()


def _consent(value: Any) -> Any:
    if value is missing or not tk.asbool(value if isinstance(value, (str, bool)) else ""):
        raise tk.Invalid(tk._("Read the privacy notice and agree to it to register"))
    return True


def _keep(key, data, errors, context) -> None:
    """Keeps a checked profile value for user_create below (CKAN saves only its columns), in
    the dict user_create put in the context (validation runs on a copy of the context)."""
    value = data.get(key)
    kept = context.get("lngov_profile")
    if isinstance(kept, dict) and value not in (missing, None, "") and not errors.get(key):
        kept[PROFILE[key[0]]] = value


def profile_schema() -> dict[str, list]:
    ignore_empty = tk.get_validator("ignore_empty")
    return {"organization_name": [ignore_empty, _organization, _keep],
            "unified_social_credit_code": [ignore_empty, lngov_credit_code, _keep],
            "contact_phone": [ignore_empty, lngov_phone, _keep],
            CONSENT: [_consent]}


def field_names() -> tuple[str, ...]:
    """How CKAN's error summary names these fields (the key prettified, then translated):
    here so that the extraction puts them in the catalog."""
    return (tk._("Organization name"), tk._("Unified social credit code"),
            tk._("Contact phone"), tk._("Privacy consent"))


def profile(user: model.User | None) -> dict[str, Any]:
    """The registration profile of an account (organization, credit_code, phone), for those
    who see the account's applications; not the consent's time."""
    kept = ((user.plugin_extras if user is not None else None) or {}).get("lngov") or {}
    return {key: kept[key] for key in PROFILE.values() if kept.get(key)}


@tk.chained_action
def user_create(up_func, context, data_dict):
    """A self-registered account gives its profile and consent, and waits for its e-mail
    address to be confirmed."""
    from ckan.logic import schema as ckan_schema

    registering = _self_registration(context)
    if registering and not (data_dict or {}).get("email"):
        raise tk.ValidationError({"email": [tk._("Missing value")]})
    if registering:
        # the profile's rules join CKAN's, so one submission reports every field's error
        context["schema"] = {**(context.get("schema") or ckan_schema.default_user_schema()),
                             **profile_schema()}
        context["lngov_profile"] = {}
    user = up_func(context, data_dict)
    if not registering:
        return user
    obj = model.User.get(user["id"])
    obj.state = "pending"
    extras = dict(obj.plugin_extras or {})
    extras["lngov"] = {**context.get("lngov_profile", {}),
                       "privacy_consent": datetime.datetime.now(
                           datetime.timezone.utc).isoformat(timespec="seconds")}
    obj.plugin_extras = extras
    model.Session.commit()
    user["state"] = "pending"
    sent = send_confirmation(obj)
    try:
        if sent:
            tk.h.flash_success(tk._("We sent a confirmation link to {email}. Open it to "
                                    "activate your account, then log in.").format(
                                        email=obj.email))
        else:
            tk.h.flash_error(tk._("The confirmation mail could not be sent. Please contact "
                                  "the portal's operator."))
    except RuntimeError:
        pass   # outside a request
    return user


@tk.chained_action
def user_delete(up_func, context, data_dict):
    """A closed account keeps no registration profile (the privacy notice says so)."""
    result = up_func(context, data_dict)
    user = model.User.get(str((data_dict or {}).get("id") or ""))
    if user is not None and user.state == "deleted" and (user.plugin_extras or {}).get("lngov"):
        extras = dict(user.plugin_extras)
        extras.pop("lngov")
        user.plugin_extras = extras or None
        model.Session.commit()
    return result


def confirm(token: str):
    hours = tk.config.get("ckanext.lngov.accounts.confirm_hours")
    try:
        found = _serializer().loads(token, max_age=hours * 3600)
    except SignatureExpired:
        return tk.abort(400, tk._("This confirmation link has expired. Register again or "
                                  "contact the portal's operator."))
    except BadSignature:
        return tk.abort(400, tk._("This confirmation link is not valid."))
    user = model.User.get(str((found or {}).get("id") or ""))
    if user is None or user.state == "deleted" or found.get("email") != _fingerprint(user):
        return tk.abort(400, tk._("This confirmation link is not valid."))
    if user.state == "pending":
        user.state = "active"
        model.Session.commit()
        tk.h.flash_success(tk._("Your e-mail address is confirmed: you can log in now."))
    else:
        tk.h.flash_notice(tk._("Your account is already active."))
    return tk.redirect_to(tk.h.url_for("user.login"))


blueprint.add_url_rule("/user/confirm/<token>", view_func=confirm)
