"""What the portal's actions share: CKAN's actions and auth functions chained with the
portal's rules (action.py, auth.py); the navl validators of the features' input
(validators.py); and here, what every feature's actions and auth functions use."""
from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.authz import get_local_functions

PREFIX = "lngov_"


def own_functions(module: ModuleType) -> dict[str, Callable[..., Any]]:
    """The portal's own actions or auth functions of a module: its lngov_* functions, found
    as CKAN finds its own (get_local_functions), so a new one cannot be left unregistered."""
    return {name: fn for name, fn in get_local_functions(module) if name.startswith(PREFIX)}


def signed_in(context: dict[str, Any]) -> model.User:
    """The user who calls, or NotAuthorized."""
    user = model.User.get(context.get("user") or "")
    if user is None:
        raise tk.NotAuthorized(tk._("Sign in first"))
    return user


def department(id_or_name: Any, active: bool = False) -> model.Group:
    """The department (organization) by id or name, or NotFound."""
    org = model.Group.get(str(id_or_name))
    if org is None or not org.is_organization or (active and org.state != "active"):
        raise tk.ObjectNotFound(tk._("Organization not found"))
    return org


def validated(data_dict: dict[str, Any], schema: dict[str, Any],
              context: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The input converted by the navl schema, and its errors by field (to which the action
    adds what only it can check)."""
    data, errors = tk.navl_validate(data_dict, schema, context or {})
    return data, dict(errors)
