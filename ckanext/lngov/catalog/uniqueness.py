"""One data, one source (R2): who holds a resource code, and how a clash is reported.

The database has the last word (a unique index, migration a1c0de000001); the validator
below reports a clash with the other errors of the form, and logic/action.py turns the
index's refusal of a concurrent twin into the same error.
"""
from __future__ import annotations

from typing import Any, Callable

import ckan.plugins.toolkit as tk
from ckan import model
from sqlalchemy import exc

from ckanext.lngov.access import readable

INDEX = "lngov_package_resource_code_key"
CREDIT_CODE_INDEX = "lngov_group_credit_code_key"


def holding(codes) -> list:
    """The filter "holds one of these codes", in the shape of the unique index's own
    predicate (a1c0de000001: WHERE extras ? 'resource_code'), so PostgreSQL looks the codes
    up in it; without that predicate it reads every package (48 ms at 10,500 entries, twice
    per harvested entry, growing with the catalog)."""
    extras = model.Package.extras
    return [extras.has_key("resource_code"), extras["resource_code"].astext.in_(codes)]


def holder(code: str, except_id: str | None = None) -> model.Package | None:
    """The entry, in any state, that holds the code."""
    query = model.Session.query(model.Package).filter(*holding([code]))
    if except_id:
        query = query.filter(model.Package.id != except_id)
    return query.first()


def message(code: str, pkg: model.Package, context: dict[str, Any]) -> str:
    """Names the holder to those who may see it, and only its department to the others."""
    if readable(context, pkg):
        return tk._("The resource code {code} already belongs to “{title}” ({name})").format(
            code=code, title=pkg.title, name=pkg.name)
    org = model.Group.get(pkg.owner_org) if pkg.owner_org else None
    return tk._("The resource code {code} already belongs to a non-public entry of "
                "{department}").format(code=code, department=org.title if org else "-")


def clashing_index(error: exc.IntegrityError) -> str | None:
    """The project's unique index that refused a write, if it was one of them."""
    diag = getattr(error.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    return name if name in (INDEX, CREDIT_CODE_INDEX) else None


def department_with_credit_code(code: str, except_id: str | None = None):
    query = model.Session.query(model.Group).filter(
        model.Group.extras["credit_code"].astext == code)
    if except_id:
        query = query.filter(model.Group.id != except_id)
    return query.first()


def credit_code_message(code: str, group: model.Group) -> str:
    return tk._("The unified social credit code {code} already belongs to {department}").format(
        code=code, department=group.title)


def _unique(own: str, find: Callable[[str, str | None], Any],
            say: Callable[[str, Any, dict[str, Any]], str]) -> Callable[..., None]:
    """A validator: the code is nobody's but the object's own (its id in the data, or the
    context's `own` object being updated); `find(code, own id)` the other holder, `say` the
    message naming it."""
    def validator(key, data, errors, context):
        code = data.get(key)
        if errors[key] or not isinstance(code, str) or not code:
            return
        obj = context.get(own)
        own_id = data.get(key[:-1] + ("id",)) or (obj.id if obj else None)
        found = find(code, own_id if isinstance(own_id, str) else None)
        if found is not None:
            errors[key].append(say(code, found, context))
    return validator


# One department per credit code.
lngov_credit_code_unique = _unique(
    "group", department_with_credit_code,
    lambda code, found, context: credit_code_message(code, found))
# The code is not held by another entry (public, private, draft or deleted).
lngov_resource_code_unique = _unique(
    "package", lambda code, own_id: holder(code, except_id=own_id), message)
