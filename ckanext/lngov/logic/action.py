"""CKAN's actions (and the extensions'), chained where a catalog rule or a visibility rule
needs it, and `tolerant` over every one of them: bad input is a validation error. The portal's
own actions are its features' (applications/, data_requests/, tables/, dcat/)."""
from __future__ import annotations

import copy
import datetime
import importlib
import json
import logging
import math
import re
from typing import Any, Callable

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.authz import get_local_functions
from ckan.lib.search.common import SearchError
from sqlalchemy import exc

from ckanext.lngov import accounts, lang, visibility
from ckanext.lngov.access import readable
from ckanext.lngov.catalog import codes, uniqueness
from ckanext.lngov.harvest import activity, record
from ckanext.lngov.logic.auth import missing_table
from ckanext.lngov.serving import memory

log = logging.getLogger(__name__)


# Fields whose value is a list of objects (scheming repeating_subfields). CKAN's validation
# stops with a DataError, not a field error, on anything else there.
LIST_OF_OBJECTS = ("data_items", "resources")


def _non_finite(value: Any) -> bool:
    """NaN or infinity anywhere in a value: JSON (and so the stored entry) cannot hold it."""
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_non_finite(v) for v in value.values())
    if isinstance(value, list):
        return any(_non_finite(v) for v in value)
    return False


def _check_shape(data_dict: dict[str, Any]) -> None:
    """Values CKAN's validation cannot report as field errors (it would fail with a
    DataError or a JSON error instead), refused here as field errors."""
    errors = {field: [tk._("Not a valid number")] for field, value in data_dict.items()
              if _non_finite(value)}
    if errors:
        raise tk.ValidationError(errors)
    errors = {field: [tk._("Expecting a list of objects")] for field in LIST_OF_OBJECTS
              if field in data_dict and data_dict[field] not in (None, "") and not (
                  isinstance(data_dict[field], list)
                  and all(isinstance(item, dict) for item in data_dict[field]))}
    if errors:
        raise tk.ValidationError(errors)
    for field in LIST_OF_OBJECTS:
        if data_dict.get(field) in (None, ""):
            data_dict.pop(field, None)


def _one_source(up_func, context: dict[str, Any], data_dict: dict[str, Any]):
    """Runs a create or update; a resource code (or a department's credit code) taken
    meanwhile by a concurrent request, which the unique index refuses, becomes the same
    validation error as a known clash."""
    _check_shape(data_dict)
    try:
        result = up_func(context, data_dict)
    except exc.IntegrityError as error:
        index = uniqueness.clashing_index(error)
        if index is None:
            raise
        model.Session.rollback()
        if index == uniqueness.CREDIT_CODE_INDEX:
            code = data_dict.get("credit_code", "")
            found = uniqueness.department_with_credit_code(code, data_dict.get("id"))
            raise tk.ValidationError({"credit_code": [
                uniqueness.credit_code_message(code, found) if found else
                tk._("The unified social credit code {code} is already taken").format(
                    code=code)]})
        code = data_dict.get("resource_code", "")
        found = uniqueness.holder(code, except_id=data_dict.get("id"))
        msg = (uniqueness.message(code, found, context) if found else
               tk._("The resource code {code} is already taken").format(code=code))
        raise tk.ValidationError({"resource_code": [msg]})
    activity.remember(result)   # for the write's activity (harvest/activity.py)
    return result


# The writes whose unique keys (resource code, credit code) _one_source reports.
_one_source_chained = tk.chained_action(_one_source)
package_create = package_update = _one_source_chained
organization_create = organization_update = _one_source_chained


# What a caller may set that changes package_show's answer beyond the entry, the language and
# for_view: such calls are never answered from what serving/memory.py keeps.
_SHOW_CONTEXT_OPTIONS = ("schema", "for_update", "for_edit", "return_type", "ignore_auth",
                         "keep_email", "keep_apikey")


def _anonymous_show(context: dict[str, Any], data_dict: dict[str, Any]) -> model.Package | None:
    """The entry of an anonymous visitor's plain package_show of a catalog entry (the same
    answer for every such call), once the visitor's right to read it is checked on the
    database's record as CKAN checks it; None for any other call."""
    if context.get("user") or context.get("validate", True) is not True \
            or not set(data_dict) <= {"id", "name_or_id"} \
            or "use_cache" in context or any(context.get(key) for key in _SHOW_CONTEXT_OPTIONS):
        return None
    name_or_id = data_dict.get("id") or data_dict.get("name_or_id")
    pkg = model.Package.get(name_or_id) if isinstance(name_or_id, str) else None
    if pkg is None or pkg.type != "dataset":
        return None
    context["package"] = pkg
    tk.check_access("package_show", context, data_dict)
    return pkg


@tk.chained_action
@tk.side_effect_free
def package_show(up_func, context, data_dict):
    # From the database, not Solr's cached dict: the index holds no department-only
    # fields (visibility.py), and the department must still see them. An anonymous
    # visitor's answer is the same until the entry changes: each web node keeps it until
    # the next cache generation (serving/memory.py), by entry, last change, language and for_view.
    answer = activity.answer_for(context, data_dict)
    if answer is not None:
        return answer
    pkg = _anonymous_show(context, data_dict)
    context.setdefault("use_cache", False)
    if pkg is not None:
        key = (pkg.id, str(pkg.metadata_modified), lang.current(),
               bool(context.get("for_view")))
        return memory.recent(("package_show", *key), lambda: up_func(context, data_dict))
    result = up_func(context, data_dict)
    if result.get("type") == "harvest":
        visibility.harvest_source_for_viewer(context, result)
    return result


# What the callers of package_search put in its context without changing its answer (a
# department page's search: CKAN's group view adds return_query and extras_as_string, and
# organization_show's count of the department's entries group and with_capacity, none of
# which package_search reads).
_SEARCH_CONTEXT = frozenset({"model", "session", "user", "auth_user_obj", "ignore_auth",
                             "__auth_audit", "api_version", "for_view", "return_query",
                             "extras_as_string", "group", "with_capacity"})


def _anonymous_search_key(context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    """The key of an anonymous visitor's search (the same answer for every such call, in one
    language, on one day: the freshness filters compare due dates with Solr's NOW/DAY, a UTC
    day), or None for any other call."""
    user = context.get("auth_user_obj")
    if context.get("user") or context.get("ignore_auth") or not set(context) <= _SEARCH_CONTEXT \
            or (user is not None and getattr(user, "is_authenticated", False)):
        return None
    try:
        params = json.dumps(data_dict, sort_keys=True)
    except (TypeError, ValueError):
        return None
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    return ("package_search", params, lang.current(), today)


@tk.chained_action
@tk.side_effect_free
def package_search(up_func, context, data_dict):
    """A query Solr cannot parse is the caller's error, said plainly: CKAN's message would
    show its internal Solr query (permission labels, site id). An anonymous visitor's search
    is answered the same until the catalog changes: each web node keeps the answer until the
    next cache generation (serving/memory.py)."""
    try:
        key = _anonymous_search_key(context, data_dict)
        if key is not None:
            tk.check_access("package_search", context, data_dict)
            return memory.recent(key, lambda: up_func(context, data_dict), shelf="searches")
        return up_func(context, data_dict)
    except SearchError as error:
        log.info("package_search: Solr refused the query: %s", error)
        raise tk.ValidationError({"q": [tk._(
            "The search could not be understood: check its syntax (brackets, quotes, "
            "field names).")]})


@tk.chained_action
@tk.side_effect_free
def member_list(up_func, context, data_dict):
    """A department's datasets as members: only those the caller may read (CKAN lists them
    all, closed entries' ids included)."""
    members = up_func(context, data_dict)
    return [m for m in members if m[1] != "package" or (
        (pkg := model.Package.get(m[0])) is not None and readable(context, pkg))]


def _counted_as_searched(up_func, context, data_dict):
    """organization_list / group_list with their dataset counts as the caller's search counts
    them. CKAN counts them in Solr without the caller's permission labels, so closed and
    private entries (and the harvest sources) were counted for everyone."""
    groups = up_func(context, data_dict)
    if not groups or not isinstance(groups[0], dict) or "package_count" not in groups[0]:
        return groups
    search = tk.get_action("package_search")(
        {"user": context.get("user") or ""},
        {"rows": 0, "include_private": True, "facet.limit": -1,
         "facet.field": '["owner_org", "groups"]'})
    facets = search.get("facets") or {}
    for group in groups:
        if group.get("is_organization"):
            group["package_count"] = facets.get("owner_org", {}).get(group["id"], 0)
        else:
            group["package_count"] = facets.get("groups", {}).get(group["name"], 0)
    return groups


organization_list = tk.side_effect_free(tk.chained_action(_counted_as_searched))
group_list = tk.side_effect_free(tk.chained_action(_counted_as_searched))


def _harvest_source_only(up_func, context, data_dict):
    """harvest_source_delete / _clear: ckanext-harvest's delete any dataset they are given
    (package_delete's rights), so a department's catalog entry could be deleted as if it were
    a harvest source. Only harvest sources are."""
    pkg = model.Package.get(str((data_dict or {}).get("id") or ""))
    if pkg is None or pkg.type != "harvest":
        raise tk.ObjectNotFound(tk._("Harvest source not found"))
    return up_func(context, data_dict)


harvest_source_delete = tk.chained_action(_harvest_source_only)
harvest_source_clear = tk.chained_action(_harvest_source_only)


@tk.chained_action
def harvest_source_reindex(up_func, context, data_dict):
    # ckanext-harvest's never checks rights (it sets ignore_auth for itself), so any user
    # could have any dataset reindexed as a harvest source.
    tk.check_access("harvest_source_reindex", context, data_dict)
    return up_func(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def harvest_source_list(up_func, context, data_dict):
    # ckanext-harvest's own never calls its auth function, which CKAN's audit refuses.
    tk.check_access("harvest_source_list", context, data_dict)
    return [visibility.harvest_source_for_viewer(context, source)
            for source in up_func(context, data_dict)]


@tk.chained_action
def bulk_update_public(up_func, context, data_dict):
    # CKAN writes `private` directly here, past the validators: closed entries (Rule 3)
    # must not be made public this way either.
    ids = data_dict.get("datasets") or []
    closed = [pkg.name for pkg in model.Session.query(model.Package).filter(
        model.Package.id.in_(ids) | model.Package.name.in_(ids))
        if (pkg.extras or {}).get("open_attribute") == codes.CLOSED]
    if closed:
        raise tk.ValidationError({"datasets": [tk._(
            "Closed (不予开放) entries cannot be made public: {names}").format(
                names=", ".join(sorted(closed)))]})
    return up_func(context, data_dict)


@tk.chained_action
def activity_create(up_func, context, data_dict):
    # Activity streams (their lists, details, diffs, e-mails) are read by people outside
    # the department, so an entry's activity never records department-only fields.
    # Nor a harvest source's config, which activities would show to everyone.
    # A copy: the dict is the one the write's later hooks read (the harvest source's own).
    package = (data_dict.get("data") or {}).get("package")
    if isinstance(package, dict):
        package = visibility.strip(copy.deepcopy(package))
        if package.get("type") == "harvest":
            visibility.strip_harvest_config(package)
        data_dict = {**data_dict, "data": {**data_dict["data"], "package": package}}
    return up_func(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def harvest_job_show(next_action, context, data_dict):
    """ckanext-harvest's job, with the portal's outcome counts (harvest/record.py)."""
    job = next_action(context, data_dict)
    job["outcomes"] = record.counts(job["id"])
    return job


# Functions that ckanext-harvest's action modules define as helpers, and that CKAN registers
# as actions because they sit in those modules: they take no (context, data_dict) and check
# no rights (send_mail would send mail).
NOT_ACTIONS = ("InactiveSource", "get_mail_extra_vars", "prepare_error_mail",
               "prepare_summary_mail", "send_error_email", "send_mail", "send_summary_email")


def _not_an_action(name: str):
    def refuse(up_func, context, data_dict):
        raise tk.ObjectNotFound(tk._("Action name not known: {0}").format(name))
    return refuse


# What CKAN's and the extensions' actions raise on parameters they do not check (a missing
# key, a string where a number goes, a value PostgreSQL refuses): the caller's error.
INPUT_ERRORS = (KeyError, TypeError, AttributeError, AssertionError, ValueError, IndexError,
                exc.DataError)


def tolerant(name: str, original: Callable, inner: Callable | None = None) -> Callable:
    """Chains action `name` (through `inner`, the portal's own chained version, if any) so that
    an exception of bad input becomes a validation error (409, a clear message) instead of
    CKAN's 500 "Internal Server Error"."""
    def action(up_func, context, data_dict):
        try:
            return inner(up_func, context, data_dict) if inner else up_func(context, data_dict)
        except INPUT_ERRORS as error:
            model.Session.rollback()
            log.warning("action %s: bad parameters: %s: %s", name, type(error).__name__,
                        error, exc_info=error)
            raise tk.ValidationError({"message": tk._(
                "The request's parameters are missing or not valid.")})

    action.__name__ = name
    action.chained_action = True   # type: ignore[attr-defined]
    # The attributes CKAN reads off the registered function: ours replace the original's.
    side_effect_free = getattr(inner, "side_effect_free", None) or getattr(
        original, "side_effect_free", getattr(original, "__module__", "") ==
        "ckan.logic.action.get")
    if side_effect_free:
        action.side_effect_free = True   # type: ignore[attr-defined]
    # CKAN exempts extensions' actions from its auth audit when it registers them.
    if getattr(original, "auth_audit_exempt", False) or not getattr(
            original, "__module__", "").startswith("ckan.logic.action"):
        action.auth_audit_exempt = True   # type: ignore[attr-defined]
    return action


def _registered_actions() -> dict[str, Callable]:
    """CKAN's actions and every other plugin's, as CKAN registers them."""
    found: dict[str, Callable] = {}
    for module_name in ("get", "create", "update", "delete", "patch", "file"):
        module = importlib.import_module(f"ckan.logic.action.{module_name}")
        found.update(get_local_functions(module))
    for plugin in p.PluginImplementations(p.IActions):
        if plugin.name == "lngov":
            continue
        for key, fn in plugin.get_actions().items():
            if not getattr(fn, "chained_action", False):
                found[key] = fn
    return found


def am_following_dataset(up_func, context, data_dict):
    """An anonymous visitor follows nothing: CKAN's answer for them (NotAuthorized, reached
    only after validating the id against the database through the portal's visibility rules)
    given at once. CKAN's dataset page asks it on every view (views/dataset.py read)."""
    if not context.get("user"):
        raise tk.NotAuthorized(tk._("You must be logged in to follow datasets"))
    return up_func(context, data_dict)


def group_follower_count(up_func, context, data_dict):
    """A department's (or group's) follower count, the same for everyone who may ask: kept
    per cache generation (serving/memory.py; a follow renews it, serving/cache.py). A
    department page asks it twice (organization_show and the sidebar's count)."""
    group = data_dict.get("id") if isinstance(data_dict, dict) else None
    if not isinstance(group, str) or set(data_dict) != {"id"}:
        return up_func(context, data_dict)
    tk.check_access("group_follower_count", context, data_dict)
    return memory.per_generation(("group_follower_count", group),
                                 lambda: up_func(context, data_dict))


def _specific_actions() -> dict[str, Any]:
    return {"package_create": package_create, "package_update": package_update,
            "package_show": package_show, "package_search": package_search,
            "harvest_source_reindex": harvest_source_reindex,
            "harvest_source_delete": harvest_source_delete,
            "harvest_source_clear": harvest_source_clear,
            "member_list": member_list, "organization_list": organization_list,
            "group_list": group_list,
            "harvest_source_list": harvest_source_list,
            "bulk_update_public": bulk_update_public,
            "activity_create": activity_create,
            "organization_create": organization_create,
            "organization_update": organization_update, "harvest_job_show": harvest_job_show,
            "datastore_search_sql": datastore_search_sql,
            "am_following_dataset": am_following_dataset,
            "group_follower_count": group_follower_count,
            "user_create": accounts.user_create, "user_delete": accounts.user_delete}


_UNDEFINED_TABLE = re.compile(r'UndefinedTable\) relation \\?"([^"\\]+)\\?" does not exist')


def datastore_search_sql(up_func, context, data_dict):
    """A query naming a missing table is answered as one naming a hidden table
    (logic/auth.py missing_table), without the database's message."""
    try:
        return up_func(context, data_dict)
    except tk.ValidationError as error:
        found = _UNDEFINED_TABLE.search(str(error.error_dict))
        if found:
            raise missing_table(found.group(1)) from None
        raise


def get_actions(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every registered action, chained: the portal's own versions where it has them (and
    `extra`'s), and bad input as a validation error everywhere. (The portal's own actions are
    its features': plugin.py merges them.)"""
    registered = _registered_actions()
    specific = {**_specific_actions(), **(extra or {}),
                **{name: _not_an_action(name) for name in NOT_ACTIONS if name in registered}}
    chained = {name: tolerant(name, fn, specific.get(name)) for name, fn in registered.items()}
    return chained
