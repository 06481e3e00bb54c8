"""Accounts of people who sign in through the unified identity: matched by the provider's
subject (`iss` and `sub`, kept in the account's plugin_extras, which CKAN shows sysadmins
only), created at the first sign-in with the provider's name and e-mail (active at once:
the provider checked who they are), kept up to date at each later one, and their department
memberships made those of the department claim when the provider sends it (mapping.py).
Local accounts are never matched by name or e-mail: only the subject links an account.
"""
from __future__ import annotations

import logging
import re
import secrets
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from sqlalchemy.exc import IntegrityError

from ckanext.lngov.identity import mapping
from ckanext.lngov.identity.client import IdentityError
from ckanext.lngov.identity.settings import Settings

log = logging.getLogger(__name__)
KEY = "lngov_identity"


def find(issuer: str, sub: str) -> model.User | None:
    extras = model.User.plugin_extras[KEY]
    return (model.Session.query(model.User)
            .filter(extras["iss"].astext == issuer, extras["sub"].astext == sub)
            .order_by(model.User.created).first())


def subject(user: model.User) -> dict[str, str] | None:
    return ((user.plugin_extras or {}).get(KEY)) or None


def _context() -> dict[str, Any]:
    return {"ignore_auth": True, "user": tk.get_action("get_site_user")(
        {"ignore_auth": True}, {})["name"]}


def _free_name(claims: dict[str, Any]) -> str:
    """A user name from the provider's preferred_username (or its subject), made one that
    no account has: CKAN's names are 2-100 of a-z, 0-9, - and _."""
    wanted = str(claims.get("preferred_username") or claims["sub"]).lower()
    base = re.sub(r"[^a-z0-9_-]+", "-", wanted).strip("-")[:90] or "user"
    if len(base) < 2:
        base = f"user-{base}"
    name, n = base, 1
    while model.User.get(name) is not None:
        n += 1
        name = f"{base}-{n}"
    return name


def _create(settings: Settings, claims: dict[str, Any]) -> model.User:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise IdentityError("claims", "the provider sent no e-mail address")
    created = tk.get_action("user_create")(_context(), {
        "name": _free_name(claims), "email": email,
        "fullname": str(claims.get("name") or ""),
        # never used: the account signs in through the provider (or a reset by e-mail)
        "password": secrets.token_urlsafe(32)})
    user = model.User.get(created["id"])
    user.plugin_extras = {**(user.plugin_extras or {}),
                          KEY: {"iss": settings.issuer, "sub": claims["sub"]}}
    try:
        model.Session.commit()
    except IntegrityError:
        # The same person's other first sign-in won (the unique index of migration
        # a1c0de000007): this one's account is closed, theirs is the person's.
        model.Session.rollback()
        tk.get_action("user_delete")(_context(), {"id": created["id"]})
        winner = find(settings.issuer, claims["sub"])
        if winner is None:
            raise
        return winner
    log.info("unified identity: account %s created for %s", user.name, claims["sub"])
    return user


def _update(user: model.User, claims: dict[str, Any]) -> None:
    changed = False
    if claims.get("name") and claims["name"] != user.fullname:
        user.fullname, changed = claims["name"], True
    if isinstance(claims.get("email"), str) and "@" in claims["email"] \
            and claims["email"] != user.email:
        user.email, changed = claims["email"], True
    if changed:
        model.Session.commit()


def current_memberships(user: model.User) -> dict[str, str]:
    rows = (model.Session.query(model.Member.group_id, model.Member.capacity)
            .join(model.Group, model.Group.id == model.Member.group_id)
            .filter(model.Member.table_name == "user", model.Member.table_id == user.id,
                    model.Member.state == "active", model.Group.is_organization.is_(True),
                    model.Group.state == "active"))
    return dict(rows)


def _sync(user: model.User, wanted: dict[str, str]) -> None:
    current = current_memberships(user)
    for department, capacity in wanted.items():
        if current.get(department) != capacity:
            tk.get_action("organization_member_create")(
                _context(), {"id": department, "username": user.name, "role": capacity})
    for department in set(current) - set(wanted):
        tk.get_action("organization_member_delete")(
            _context(), {"id": department, "username": user.name})


def sign_in(settings: Settings, claims: dict[str, Any]) -> model.User:
    """The account of the verified claims: found by subject or created; the memberships of
    the department claim. Everything is checked before anything is written."""
    wanted = mapping.memberships(settings, claims)
    user = find(settings.issuer, claims["sub"])
    if user is not None and user.state != "active":
        raise IdentityError("account", f"the account {user.name} is {user.state}")
    if user is None:
        user = _create(settings, claims)
    else:
        _update(user, claims)
    if wanted is not None:
        _sync(user, wanted)
    return user
