"""Who may call what, where the portal narrows CKAN's or an extension's defaults: a dataset the
user may not read is a missing one for every auth function, data access (lngov_data_access),
the department's own fields, harvest records, the DataStore. The rules themselves (who may
read, who is in a department) are access.py's; the features' auth functions are theirs."""
from __future__ import annotations

import importlib
import inspect
import re
import sys
import uuid
from typing import Any, Callable

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.harvest.model import HarvestObject

from ckanext.lngov.access import in_department, readable
from ckanext.lngov.applications import store
from ckanext.lngov.catalog import codes
from ckanext.lngov.logic import own_functions


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def package_show(next_auth, context, data_dict):
    """A dataset the viewer may not read (closed, private, withdrawn, deleted) answers as one
    that does not exist: the same 404 and message, no id. Every action and view that reads a
    dataset or its resources, activities and DataStore tables asks this, so none confirms
    that the entry exists. (CKAN answers 403 naming the dataset's id.)"""
    result = next_auth(context, data_dict)
    if not result.get("success"):
        raise tk.ObjectNotFound()
    return result


def _source_of_object(data_dict: dict[str, Any]) -> str | None:
    if data_dict.get("id"):
        obj = HarvestObject.get(data_dict["id"])
        return obj.harvest_source_id if obj else None
    if data_dict.get("dataset_id"):
        pkg = model.Package.get(data_dict["dataset_id"])
        obj = pkg and model.Session.query(HarvestObject).filter(
            HarvestObject.package_id == pkg.id).first()
        return obj.harvest_source_id if obj else None
    return data_dict.get("source_id")


def _source_managers_only(context, data_dict) -> dict[str, Any]:
    """A harvest object records what the exchange platform said, including about entries
    that are not open: only those who run the source (its department's editors and admins,
    sysadmins) read it. ckanext-harvest lets anyone."""
    source_id = _source_of_object(data_dict or {})
    if source_id:
        try:
            tk.check_access("harvest_source_update", context, {"id": source_id})
            return {"success": True}
        except (tk.NotAuthorized, tk.ObjectNotFound):
            pass
    return {"success": False, "msg": tk._("Only the managers of the harvest source may see "
                                          "its harvest records")}


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def harvest_object_show(next_auth, context, data_dict):
    return _source_managers_only(context, data_dict)


@tk.chained_auth_function
def harvest_object_list(next_auth, context, data_dict):
    return _source_managers_only(context, data_dict)


@tk.auth_allow_anonymous_access
def lngov_department_fields(context, data_dict):
    """Who sees the department-only fields of the department `owner_org`'s entries (the
    share attributes, visibility.py): its members and sysadmins."""
    if in_department(context.get("user") or None, (data_dict or {}).get("owner_org")):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the department sees these fields")}


@tk.auth_allow_anonymous_access
def lngov_data_access(context, data_dict):
    """Who gets an entry's data (its files, its DataStore rows): everyone for an open entry;
    for a conditionally open one (有条件开放) its department and sysadmins, and those whose
    application the department approved, until the approval's end date and for the files
    applied for (`resource_id`: the file asked about; without it, any of the entry's)."""
    data_dict = data_dict or {}
    pkg = model.Package.get(str(data_dict.get("id") or ""))
    user_name = context.get("user") or None
    if pkg is None or pkg.extras.get("open_attribute") != codes.CONDITIONAL or \
            in_department(user_name, pkg.owner_org):
        return {"success": True}
    user = model.User.get(user_name) if user_name else None
    if user is not None and store.granted(user.id, pkg.id,
                                          data_dict.get("resource_id") or None):
        return {"success": True}
    return {"success": False, "msg": tk._(
        "This entry is conditionally open (有条件开放): its data is provided by the "
        "department on application. See the entry's page for how to apply.")}


def _conditional_table(context, data_dict) -> dict[str, Any] | None:
    """The DataStore table of a conditionally open entry is, like its files, for those the
    department grants it: refused to the others."""
    resource = model.Resource.get(str((data_dict or {}).get("resource_id") or
                                      (data_dict or {}).get("id") or ""))
    if resource is None:
        return None
    result = lngov_data_access(context, {"id": resource.package_id,
                                         "resource_id": resource.id})
    return None if result["success"] else result


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_search(next_auth, context, data_dict):
    return _conditional_table(context, data_dict) or next_auth(context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_info(next_auth, context, data_dict):
    return _conditional_table(context, data_dict) or next_auth(context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_search_sql(next_auth, context, data_dict):
    """Every table a query reads is asked about as datastore_search asks about one; the
    table of an entry the user may not read does not exist (the answer of a missing one)."""
    for name in context.get("table_names") or ():
        resource = model.Resource.get(name)
        if resource is not None and (resource.state != "active" or resource.package is None
                                     or not readable(context, resource.package)):
            raise missing_table(name)
        refused = _conditional_table(context, {"resource_id": name})
        if refused:
            return refused
    return next_auth(context, data_dict)


def missing_table(name: str) -> Exception:
    """The answer to a query naming a table that does not exist (or is not the user's to
    know of), the same whichever it is: no SQL, no database message."""
    return tk.ValidationError({"query": [tk._('There is no table "{name}".').format(name=name)]})


# Auth functions whose `id` names a dataset (or its resource, or a harvest source), for
# hidden_as_missing below. A *_create's id is the new object's, not an existing one's.
_DATASET_AUTH = re.compile(r"^(package|dataset_(?!followee)|resource|harvest_source|harvest_job|"
                           r"harvest_object|follow_dataset|unfollow_dataset|am_following_dataset|"
                           r"datastore)")


_ID_KEYS = ("id", "name_or_id", "source_id", "package_id", "dataset_id", "resource_id")


def about(name: str, context: dict[str, Any], data_dict: dict[str, Any]) -> tuple[str, list]:
    """What auth function `name` is asked about: ("hidden", keys) when its identifiers name a
    dataset (or a resource of one) the user may not read, ("nothing", keys) when they name
    no dataset at all, ("visible", []) or ("other", []) otherwise."""
    if not _DATASET_AUTH.match(name) or not isinstance(data_dict, dict):
        return "other", []
    hidden, nothing = [], []
    for key in _ID_KEYS:
        value = data_dict.get(key)
        if not isinstance(value, str) or not value or \
                (key in ("id", "name_or_id") and name.endswith("_create")):
            continue   # a *_create's id is the new object's
        found = model.Package.get(value)
        if found is None and (key == "resource_id" or name.startswith("resource")):
            resource = model.Resource.get(value)
            found = resource.package if resource is not None else None
        if found is None:
            nothing.append(key)
        elif readable(context, found):
            return "visible", []
        else:
            hidden.append(key)
    pkg = context.get("package")
    if pkg is None and context.get("resource") is not None:
        pkg = context["resource"].package
    if pkg is not None and not hidden:
        return ("visible", []) if readable(context, pkg) else ("hidden", ["id"])
    if hidden:
        return "hidden", hidden
    return ("nothing", nothing) if nothing else ("other", [])


def hidden_as_missing(name: str, original: Callable) -> Callable:
    """Chains auth function `name` so that a dataset the user may not read is, for it, a
    dataset that does not exist: refused, it answers NotFound (as the actions answer for a
    missing dataset, which they mostly look up before they check rights); allowed, it is
    asked again with identifiers that name nothing. A refusal about no dataset at all is a
    NotFound too, so that the auth functions that refuse before any lookup do not tell a
    closed entry (404) from a missing one (403). Only about datasets the user can see does
    a refusal stay a 403."""
    def auth(next_auth, context, data_dict):
        try:
            result = next_auth(context, data_dict)
        except (AssertionError, AttributeError, KeyError, TypeError):
            result = None   # CKAN's auth functions assume things about their input
        kind, keys = about(name, context, data_dict)
        if kind == "hidden" and result is not None and result.get("success"):
            missing = {**data_dict, **{key: str(uuid.uuid4()) for key in keys}}
            as_if_missing = {k: v for k, v in context.items()
                             if k not in ("package", "resource")}
            return auth(next_auth, as_if_missing, missing)
        if kind in ("hidden", "nothing") and not (result or {}).get("success"):
            raise tk.ObjectNotFound()
        if result is None:
            return {"success": False, "msg": tk._("Not authorized")}
        return result

    auth.__name__ = name
    auth.chained_auth_function = True   # type: ignore[attr-defined]
    # CKAN allows anonymous calls of its get.py functions unless they say otherwise.
    auth.auth_allow_anonymous_access = getattr(   # type: ignore[attr-defined]
        original, "auth_allow_anonymous_access",
        getattr(original, "__module__", "") == "ckan.logic.auth.get")
    for attribute in ("auth_sysadmins_check", "auth_audit_exempt"):
        if hasattr(original, attribute):
            setattr(auth, attribute, getattr(original, attribute))
    return auth


def _registered_auth_functions(own: p.SingletonPlugin) -> dict[str, Callable]:
    """CKAN's auth functions and every other plugin's, as CKAN registers them."""
    found: dict[str, Callable] = {}
    for module_name in ("get", "create", "update", "delete", "patch", "file"):
        module = importlib.import_module(f"ckan.logic.auth.{module_name}")
        for key, fn in vars(module).items():
            if inspect.isfunction(fn) and fn.__module__ == module.__name__ \
                    and not key.startswith("_"):
                found[key] = fn
    for plugin in p.PluginImplementations(p.IAuthFunctions):
        if plugin is own:
            continue
        for key, fn in plugin.get_auth_functions().items():
            if not getattr(fn, "chained_auth_function", False):
                found[key] = fn
    return found


# Auth functions that refuse anonymous visitors outright (CKAN's attribute, as registered).
_LOGIN_REQUIRED: set[str] = set()


def requires_login(name: str) -> bool:
    """Does CKAN refuse anonymous callers of action `name` before its auth function runs?"""
    return name in _LOGIN_REQUIRED


def _over(outer: Callable, inner: Callable) -> Callable:
    """Chained auth function `outer` (the generic hidden_as_missing) asking `inner` (a
    specific one) as its next: both apply."""
    def auth(next_auth, context, data_dict):
        return outer(lambda c, d: inner(next_auth, c, d), context, data_dict)

    for attribute in ("__name__", "chained_auth_function", "auth_allow_anonymous_access"):
        setattr(auth, attribute, getattr(outer, attribute))
    return auth


# Specific auth functions that also keep the generic one around them.
_OVER_GENERIC = ("datastore_search_sql",)


def get_auth_functions(own: p.SingletonPlugin | None = None,
                       features: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every registered auth function, chained so that a hidden dataset is a missing one;
    the portal's rules over CKAN's and the extensions' (below); and the features' own auth
    functions (`features`: one for each of their actions)."""
    specific = {**_specific_auth_functions(), **(features or {})}
    registered = _registered_auth_functions(own)
    generic = {name: hidden_as_missing(name, fn) for name, fn in registered.items()
               if name not in specific}
    for name in _OVER_GENERIC:
        if name in registered:
            specific[name] = _over(hidden_as_missing(name, registered[name]), specific[name])
    _LOGIN_REQUIRED.clear()
    _LOGIN_REQUIRED.update(name for name, fn in generic.items()
                           if not fn.auth_allow_anonymous_access)
    _LOGIN_REQUIRED.update(name for name, fn in specific.items() if name.startswith("lngov_")
                           and not getattr(fn, "auth_allow_anonymous_access", False))
    return {**generic, **specific}


@tk.chained_auth_function
def harvest_log_list(next_auth, context, data_dict):
    """ckanext-harvest 1.6.3 registers its harvest_log_list *action* as the auth function of
    the same name, which calls itself until Python gives up. The harvest log is the server's:
    for sysadmins (who pass before any auth function)."""
    return {"success": False, "msg": tk._("Only sysadmins may read the harvest log")}


def _specific_auth_functions() -> dict[str, Any]:
    """The portal's rules over CKAN's and other plugins' auth functions, and its own of this
    module (every lngov_* function: lngov_data_access, lngov_department_fields, which no
    action has, asked with check_access)."""
    return {"harvest_log_list": harvest_log_list,
            "package_show": package_show,
            "harvest_object_show": harvest_object_show,
            "harvest_object_list": harvest_object_list,
            "datastore_search": datastore_search, "datastore_info": datastore_info,
            "datastore_search_sql": datastore_search_sql,
            **own_functions(sys.modules[__name__])}
