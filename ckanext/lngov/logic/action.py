"""The portal's actions: CKAN's own, chained where a catalog rule needs the database."""
from __future__ import annotations

import contextvars
import copy
import datetime
import json
import logging
import math
import re
import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterable

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from sqlalchemy import exc

from ckanext.lngov import accounts, lang, visibility
from ckanext.lngov.catalog import uniqueness
from ckanext.lngov.logic import own_functions
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
    written = _written.get()
    if written is not None and isinstance(result, dict) and result.get("id"):
        written[result["id"]] = result
    return result


# A dataset write's own answer, for the activity that records the write (see below).
_written: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "lngov_written", default=None)


@contextmanager
def activity_from_answer():
    """Within it, the activity CKAN's activity plugin records after a package_create or
    package_update (its subscription reads the dataset back with package_show: internal,
    no user, `for_view` False) gets the write's own answer instead: the same dataset
    dictized and validated with the same show schema and after_dataset_show hooks moments
    before, in the write's transaction, for a viewer that sees every field (the harvest's
    sysadmin user; an internal read sees them too, and activity_create strips the
    department-only ones either way). Once per write, for that id only; any other read
    reads the database. The harvest's imports use it (harvest/exchange.py)."""
    token = _written.set({})
    try:
        yield
    finally:
        _written.reset(token)


def _activity_read(context: dict[str, Any], data_dict: dict[str, Any]) -> dict | None:
    written = _written.get()
    if not written or context.get("for_view") is not False or not context.get(
            "ignore_auth") or context.get("user") or data_dict.get("include_tracking"):
        return None
    answer = written.pop(data_dict.get("id"), None)
    if answer is None:
        return None
    tk.check_access("package_show", context, data_dict)   # as package_show itself does
    return copy.deepcopy(answer)


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
    answer = _activity_read(context, data_dict)
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


# What the callers of package_search put in its context without changing its answer.
_SEARCH_CONTEXT = frozenset({"model", "session", "user", "auth_user_obj", "ignore_auth",
                             "__auth_audit", "api_version", "for_view"})


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
    from ckan.lib.search.common import SearchError

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
    from ckanext.lngov.logic.auth import readable

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
        if (pkg.extras or {}).get("open_attribute") == "closed"]
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
    from ckanext.lngov.harvest import record

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
    import importlib

    from ckan.authz import get_local_functions

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


def _specific_actions() -> dict[str, Any]:
    return {"package_create": package_create, "package_update": package_update,
            "package_show": package_show, "package_search": package_search,
            "harvest_source_reindex": harvest_source_reindex,
            "member_list": member_list, "organization_list": organization_list,
            "group_list": group_list,
            "harvest_source_list": harvest_source_list,
            "bulk_update_public": bulk_update_public,
            "activity_create": activity_create,
            "organization_create": organization_create,
            "organization_update": organization_update, "harvest_job_show": harvest_job_show,
            "datastore_search_sql": datastore_search_sql,
            "am_following_dataset": am_following_dataset,
            "user_create": accounts.user_create, "user_delete": accounts.user_delete}


_UNDEFINED_TABLE = re.compile(r'UndefinedTable\) relation \\?"([^"\\]+)\\?" does not exist')


def datastore_search_sql(up_func, context, data_dict):
    """A query naming a missing table is answered as one naming a hidden table
    (logic/auth.py missing_table), without the database's message."""
    from ckanext.lngov.logic.auth import missing_table

    try:
        return up_func(context, data_dict)
    except tk.ValidationError as error:
        found = _UNDEFINED_TABLE.search(str(error.error_dict))
        if found:
            raise missing_table(found.group(1)) from None
        raise


def lngov_table_release(context, data_dict):
    """Releases a file the personal-information gate holds back (privacy.py), after a
    sysadmin's review: recorded (who, when, what was found), then loaded and served.

    :param id: the resource's id
    """
    from ckanext.lngov.tables import load, status

    tk.check_access("lngov_table_release", context, data_dict)
    resource_id = str((data_dict or {}).get("id") or "")
    record = status.get(resource_id)
    if not record or record["state"] != status.QUARANTINED:
        raise tk.ValidationError({"id": [tk._("This file is not held back for review.")]})
    release = {"by": context.get("user") or "", "hash": record.get("hash"),
               "at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
               "findings": record.get("findings") or []}
    status.put(resource_id, status.PENDING, hash=record.get("hash"), release=release)
    load.later(resource_id)
    model.Session.commit()
    return status.get(resource_id)




def get_actions(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every registered action, chained: the portal's own versions where it has them, and
    bad input as a validation error everywhere; and the portal's own actions."""
    registered = _registered_actions()
    specific = {**_specific_actions(), **(extra or {}),
                **{name: _not_an_action(name) for name in NOT_ACTIONS if name in registered}}
    chained = {name: tolerant(name, fn, specific.get(name)) for name, fn in registered.items()}
    return {**chained, **_own_actions()}


# --- applications for conditionally open entries (applications/, R3) -----------------------

_TEXT_MAX = 2000


def _text(data_dict: dict[str, Any], key: str, errors: dict[str, list[str]],
          required: bool = True) -> str | None:
    value = data_dict.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[key] = [tk._("Missing value")]
        return None
    if not isinstance(value, str):
        errors[key] = [tk._("Must be text")]
        return None
    if len(value) > _TEXT_MAX:
        errors[key] = [tk._("At most {n} characters").format(n=_TEXT_MAX)]
        return None
    return value.strip()


def _date(data_dict: dict[str, Any], key: str, errors: dict[str, list[str]],
          required: bool = True) -> datetime.date | None:
    value = data_dict.get(key)
    if value in (None, ""):
        if required:
            errors[key] = [tk._("Missing value")]
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        errors[key] = [tk._("A date as YYYY-MM-DD")]
        return None


def _id_list(value: Any) -> list[str] | None:
    """A list of ids from JSON or a form (one id, or several comma-separated)."""
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        value = [v for v in (part.strip() for part in value.split(",")) if v]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return value


def _state(data_dict: dict[str, Any], states: Iterable[str],
           errors: dict[str, list[str]]) -> str | None:
    """The `state` filter of a list action: one of `states`, or None for all."""
    state = data_dict.get("state") or None
    if state is not None and state not in states:
        errors["state"] = [tk._("One of: {values}").format(values=", ".join(states))]
    return state


def _page(data_dict: dict[str, Any], default: int,
          errors: dict[str, list[str]]) -> tuple[int, int]:
    """`limit` (1 to 1,000) and `offset` of a list action."""
    try:
        return (min(max(int(data_dict.get("limit") or default), 1), 1000),
                max(int(data_dict.get("offset") or 0), 0))
    except (TypeError, ValueError):
        errors["limit"] = [tk._("Not a valid number")]
        return 0, 0


def _department(data_dict: dict[str, Any], active: bool = False) -> model.Group:
    """The department `owner_org` (id or name), or NotFound."""
    org = model.Group.get(str(data_dict["owner_org"]))
    if org is None or not org.is_organization or (active and org.state != "active"):
        raise tk.ObjectNotFound(tk._("Organization not found"))
    return org


def _application_activity(app: dict[str, Any], actor_id: str) -> None:
    """The state change as an activity of the entry, seen only by the department and the
    applicant (permission labels): the public learns nothing of who applied."""
    from ckanext.lngov.applications import store

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    tk.get_action("activity_create")(
        {"ignore_auth": True, "user": site_user["name"]},
        {"user_id": actor_id, "object_id": app["package_id"],
         "activity_type": store.ACTIVITY_TYPE,
         "data": {"application": {"id": app["id"], "state": app["state"],
                                  "reason_code": app.get("reason_code")}},
         "permission_labels": [f"member-{app['owner_org']}", f"creator-{app['user_id']}"]})


def _signed_in(context: dict[str, Any]) -> model.User:
    user = model.User.get(context.get("user") or "")
    if user is None:
        raise tk.NotAuthorized(tk._("Sign in first"))
    return user


def _application_row(data_dict: dict[str, Any]) -> dict[str, Any]:
    from ckanext.lngov.applications import store

    row = store.get(str(data_dict.get("id") or ""))
    if row is None:   # sysadmins pass the auth functions, which look it up for the others
        raise tk.ObjectNotFound(tk._("Application not found"))
    return row


def _decide(context, row: dict[str, Any], state: str, event: str,
            **fields: Any) -> dict[str, Any]:
    """Records the department's answer, once (a second answer is refused), then the activity
    and the mails."""
    from ckanext.lngov.applications import notify, store

    user = model.User.get(context.get("user") or "")
    if not store.decide(row["id"], state, user.id, **fields):
        raise tk.ValidationError({"id": [tk._("This application has already been answered")]})
    model.Session.commit()
    app = store.dictize(store.get(row["id"]))
    _application_activity(app, user.id)
    notify.send(event, app)
    return app


def lngov_application_create(context, data_dict):
    """Applies for a conditionally open (有条件开放) entry's data, as the signed-in user.

    :param package_id: the entry's id or name
    :param purpose: what the data will be used for
    :param period_start: the intended period's first day (YYYY-MM-DD)
    :param period_end: its last day
    :param resource_ids: the files wanted (ids of the entry's resources); none: all
    :returns: the application, with its due date (10 working days)
    """
    from ckanext.lngov.applications import notify, store
    from ckanext.lngov.logic.auth import in_department, readable
    from ckanext.lngov import workdays

    tk.check_access("lngov_application_create", context, data_dict)
    user = _signed_in(context)
    pkg = model.Package.get(str(data_dict.get("package_id") or ""))
    if pkg is None or pkg.type != "dataset" or not readable(context, pkg):
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    if (pkg.extras or {}).get("open_attribute") != "conditional":
        raise tk.ValidationError({"package_id": [tk._(
            "Only conditionally open (有条件开放) entries take applications: the data of "
            "this entry are open to everyone, or not at all.")]})
    if in_department(user.name, pkg.owner_org):
        raise tk.ValidationError({"package_id": [tk._(
            "Your department provides this entry: its data are yours without an "
            "application.")]})
    errors: dict[str, list[str]] = {}
    purpose = _text(data_dict, "purpose", errors)
    start = _date(data_dict, "period_start", errors)
    end = _date(data_dict, "period_end", errors)
    if start and end and end < start:
        errors["period_end"] = [tk._("The period ends before it starts")]
    elif end and end < workdays.today():
        errors["period_end"] = [tk._("The period is over")]
    resource_ids = _id_list(data_dict.get("resource_ids"))
    own = {r.id for r in pkg.resources}
    if resource_ids is None or any(r not in own for r in resource_ids):
        errors["resource_ids"] = [tk._("Not files of this entry")]
    if errors:
        raise tk.ValidationError(errors)
    if store.pending_for(user.id, pkg.id):
        raise tk.ValidationError({"package_id": [tk._(
            "You already have an application for this entry waiting for its answer.")]})
    app_id = store.insert(package_id=pkg.id, owner_org=pkg.owner_org, user_id=user.id,
                          purpose=purpose, period_start=start, period_end=end,
                          resource_ids=sorted(set(resource_ids)))
    model.Session.commit()
    app = store.dictize(store.get(app_id))
    _application_activity(app, user.id)
    notify.send(notify.SUBMITTED, app)
    return app


@tk.side_effect_free
def lngov_application_show(context, data_dict):
    """An application, to its applicant, the department's editors and sysadmins.

    :param id: the application's id
    """
    from ckanext.lngov.applications import store

    tk.check_access("lngov_application_show", context, data_dict)
    return store.dictize(_application_row(data_dict))


@tk.side_effect_free
def lngov_application_list(context, data_dict):
    """Applications: a department's queue (`owner_org`, for its editors), an entry's
    (`package_id`: all of them for its department, one's own for others), or one's own.
    Pending first, oldest first, with due dates and near-due / overdue flags.

    :param owner_org: a department's id or name
    :param package_id: an entry's id or name
    :param state: pending, approved or refused
    :param limit: at most this many (default 100, at most 1000)
    :param offset: from this one on
    """
    from ckanext.lngov.applications import store
    from ckanext.lngov.logic.auth import department_editor, readable

    tk.check_access("lngov_application_list", context, data_dict)
    user = _signed_in(context)
    errors: dict[str, list[str]] = {}
    state = _state(data_dict, store.STATES, errors)
    limit, offset = _page(data_dict, 100, errors)
    if errors:
        raise tk.ValidationError(errors)
    query: dict[str, Any] = {"state": state, "limit": limit, "offset": offset}
    if data_dict.get("owner_org"):
        org = _department(data_dict)
        if not department_editor(user.name, org.id):
            raise tk.NotAuthorized(tk._("Only the department's editors see its applications"))
        query["owner_orgs"] = [org.id]
    elif data_dict.get("package_id"):
        pkg = model.Package.get(str(data_dict["package_id"]))
        if pkg is None or not readable(context, pkg):
            raise tk.ObjectNotFound(tk._("Dataset not found"))
        query["package_id"] = pkg.id
        if not department_editor(user.name, pkg.owner_org):
            query["user_id"] = user.id
    else:
        query["user_id"] = user.id
    return [store.dictize(row) for row in store.select(**query)]


def lngov_application_approve(context, data_dict):
    """Approves a pending application (the department's editors, sysadmins).

    :param id: the application's id
    :param conditions: conditions of use (optional)
    :param end_date: the last day the applicant gets the data (default: the end of the
        period applied for)
    """
    from ckanext.lngov.applications import notify, store
    from ckanext.lngov import workdays

    tk.check_access("lngov_application_approve", context, data_dict)
    row = _application_row(data_dict)
    errors: dict[str, list[str]] = {}
    conditions = _text(data_dict, "conditions", errors, required=False)
    end = _date(data_dict, "end_date", errors, required=False) or row["period_end"]
    if "end_date" not in errors and end < workdays.today():
        errors["end_date"] = [tk._("The end date is past")]
    if errors:
        raise tk.ValidationError(errors)
    return _decide(context, row, store.APPROVED, notify.APPROVED, conditions=conditions,
                   end_date=end)


def lngov_application_refuse(context, data_dict):
    """Refuses a pending application, with a reason (the department's editors, sysadmins).

    :param id: the application's id
    :param reason_code: one of the refusal reasons (applications/reasons.yaml)
    :param reason_text: the reason in the department's own words
    """
    from ckanext.lngov.applications import notify, reasons, store

    tk.check_access("lngov_application_refuse", context, data_dict)
    row = _application_row(data_dict)
    errors: dict[str, list[str]] = {}
    code = data_dict.get("reason_code")
    if code in (None, ""):
        errors["reason_code"] = [tk._("A refusal needs a reason")]
    elif code not in reasons.codes():
        errors["reason_code"] = [tk._("One of: {values}").format(
            values=", ".join(reasons.codes()))]
    text = _text(data_dict, "reason_text", errors)
    if errors:
        raise tk.ValidationError(errors)
    return _decide(context, row, store.REFUSED, notify.REFUSED, reason_code=code,
                   reason_text=text)


def lngov_application_mails(context, data_dict):
    """Sends the mails that no request triggers, each once (applications/expiry.py): the end
    of approvals whose end date is past (to the applicant and the department) and reminders
    of pending applications near or past their due date (to the department). Sysadmins;
    `ckan lngov application-mails` runs it.

    :returns: {"expired": n, "reminded": n}, the applications mailed now
    """
    from ckanext.lngov.applications import expiry

    tk.check_access("lngov_application_mails", context, data_dict)
    return expiry.run()


@tk.side_effect_free
def lngov_service_clock(context, data_dict):
    """The public service clock: per department, how fast and how it answers applications
    (applications/clock.py). No personal data.

    :param owner_org: one department's id or name (default: every department that has
        received applications)
    """
    from ckanext.lngov.applications import clock

    tk.check_access("lngov_service_clock", context, data_dict)
    orgs = None
    if data_dict.get("owner_org"):
        orgs = [_department(data_dict, active=True).id]
    found = clock.by_department(orgs)
    if orgs:
        found.setdefault(orgs[0], clock.figures([]))
    out = []
    for org_id, figures in found.items():
        org = model.Group.get(org_id)
        if org is None or org.state != "active":
            continue
        out.append({"owner_org": org.id, "name": org.name, "title": org.title, **figures})
    return sorted(out, key=lambda d: d["name"])


# --- public data requests (data_requests/) -----------------------------------------------------

def _request_row(data_dict: dict[str, Any]) -> dict[str, Any]:
    from ckanext.lngov.data_requests import store as data_requests

    row = data_requests.get(str(data_dict.get("id") or ""))
    if row is None:
        raise tk.ObjectNotFound(tk._("Data request not found"))
    return row


def _sees_requester(context: dict[str, Any], row: dict[str, Any]) -> bool:
    from ckanext.lngov.logic.auth import department_editor

    user = model.User.get(context.get("user") or "")
    return user is not None and (user.id == row["user_id"] or
                                 department_editor(user.name, row["owner_org"]))


def lngov_data_request_create(context, data_dict):
    """Asks a department for data that is not open yet (a signed-in user). The request is
    public, without who asked.

    :param owner_org: the department's id or name
    :param title: the data asked for
    :param description: what for, in which form, how often
    """
    from ckanext.lngov.data_requests import store as data_requests

    tk.check_access("lngov_data_request_create", context, data_dict)
    user = _signed_in(context)
    errors: dict[str, list[str]] = {}
    org = model.Group.get(str(data_dict.get("owner_org") or ""))
    if org is None or not org.is_organization or org.state != "active":
        errors["owner_org"] = [tk._("Choose a department")]
    title = _text(data_dict, "title", errors)
    if title and len(title) > 200:
        errors["title"] = [tk._("At most {n} characters").format(n=200)]
    description = _text(data_dict, "description", errors)
    if errors:
        raise tk.ValidationError(errors)
    request_id = data_requests.insert(user_id=user.id, owner_org=org.id, title=title,
                                      description=description)
    model.Session.commit()
    return data_requests.dictize(data_requests.get(request_id), with_requester=True)


@tk.side_effect_free
def lngov_data_request_show(context, data_dict):
    """A data request, public (who asked: only for them and the department).

    :param id: the request's id
    """
    from ckanext.lngov.data_requests import store as data_requests

    tk.check_access("lngov_data_request_show", context, data_dict)
    row = _request_row(data_dict)
    user = model.User.get(context.get("user") or "")
    # `following`: whether the caller follows it, only for the caller
    return {**data_requests.dictize(row, with_requester=_sees_requester(context, row)),
            "following": data_requests.following(row["id"], user.id if user else None)}


@tk.side_effect_free
def lngov_data_request_list(context, data_dict):
    """Data requests, newest first, public: searched (`q`), by department, by state;
    `mine` for the signed-in user's own.

    :param q: words in the title, description or answer
    :param owner_org: a department's id or name
    :param state: open, answered, opened or declined
    :param mine: true for one's own requests
    :param limit: at most this many (default 20, at most 1000)
    :param offset: from this one on
    :returns: {"count": n, "results": [...]}
    """
    from ckanext.lngov.data_requests import store as data_requests

    tk.check_access("lngov_data_request_list", context, data_dict)
    errors: dict[str, list[str]] = {}
    state = _state(data_dict, data_requests.STATES, errors)
    q = data_dict.get("q") or None
    if q is not None and (not isinstance(q, str) or len(q) > 200):
        errors["q"] = [tk._("At most {n} characters").format(n=200)]
    limit, offset = _page(data_dict, 20, errors)
    if errors:
        raise tk.ValidationError(errors)
    org_id = _department(data_dict).id if data_dict.get("owner_org") else None
    user_id = None
    if tk.asbool(data_dict.get("mine")):
        user_id = _signed_in(context).id
    count, rows = data_requests.search(q=q, owner_org=org_id, state=state, user_id=user_id,
                                       limit=limit, offset=offset)
    return {"count": count, "results": [
        data_requests.dictize(row, with_requester=_sees_requester(context, row))
        for row in rows]}


def lngov_data_request_answer(context, data_dict):
    """The department answers a data request (its editors, sysadmins).

    :param id: the request's id
    :param state: answered (an answer), opened (with `package_id`, the public entry that
        holds the data) or declined (with `reason_code` from the refusal reasons)
    :param answer: the department's answer (required unless opened)
    :param package_id: the entry opened for it
    :param reason_code: why it is declined
    """
    from ckanext.lngov.data_requests import store as data_requests
    from ckanext.lngov.applications import reasons
    from ckanext.lngov.logic.auth import readable

    tk.check_access("lngov_data_request_answer", context, data_dict)
    row = _request_row(data_dict)
    errors: dict[str, list[str]] = {}
    state = data_dict.get("state")
    if state not in (data_requests.ANSWERED, data_requests.OPENED, data_requests.DECLINED):
        errors["state"] = [tk._("One of: {values}").format(values="answered, opened, declined")]
    text = _text(data_dict, "answer", errors, required=state != data_requests.OPENED)
    package_id = reason_code = None
    if state == data_requests.OPENED:
        pkg = model.Package.get(str(data_dict.get("package_id") or ""))
        if pkg is None or pkg.owner_org != row["owner_org"] or \
                not readable({"user": ""}, pkg):
            errors["package_id"] = [tk._("A public entry of the department")]
        else:
            package_id = pkg.id
    if state == data_requests.DECLINED:
        reason_code = data_dict.get("reason_code")
        if reason_code not in reasons.codes():
            errors["reason_code"] = [tk._("A refusal needs a reason")]
    if errors:
        raise tk.ValidationError(errors)
    data_requests.answer(row["id"], state, text, package_id, reason_code)
    model.Session.commit()
    answered = data_requests.get(row["id"])
    data_requests.mail_answer(answered)
    return data_requests.dictize(answered, with_requester=True)


def _following(context: dict[str, Any], data_dict: dict[str, Any], follow: bool
               ) -> dict[str, Any]:
    from ckanext.lngov.data_requests import store as data_requests

    user = _signed_in(context)
    row = _request_row(data_dict)
    if follow:
        data_requests.add_follower(row["id"], user.id)
    else:
        data_requests.remove_follower(row["id"], user.id)
    model.Session.commit()
    return {"id": row["id"], "following": follow,
            "follower_count": data_requests.follower_count(row["id"])}


def lngov_data_request_follow(context, data_dict):
    """Follows a data request (the signed-in user): its answer is mailed to them. Nobody
    else learns who follows; the public sees how many do.

    :param id: the request's id
    :returns: {"id", "following": true, "follower_count"}
    """
    tk.check_access("lngov_data_request_follow", context, data_dict)
    return _following(context, data_dict, True)


def lngov_data_request_unfollow(context, data_dict):
    """Stops following a data request (the signed-in user).

    :param id: the request's id
    """
    tk.check_access("lngov_data_request_unfollow", context, data_dict)
    return _following(context, data_dict, False)


@tk.side_effect_free
def lngov_data_request_followee_list(context, data_dict):
    """The data requests the signed-in user follows, last followed first.

    :param limit: at most this many (default 20, at most 1000)
    :param offset: from this one on
    :returns: {"count": n, "results": [...]}
    """
    from ckanext.lngov.data_requests import store as data_requests

    tk.check_access("lngov_data_request_followee_list", context, data_dict)
    user = _signed_in(context)
    errors: dict[str, list[str]] = {}
    limit, offset = _page(data_dict, 20, errors)
    if errors:
        raise tk.ValidationError(errors)
    count, rows = data_requests.followed_by(user.id, limit, offset)
    return {"count": count, "results": [
        {**data_requests.dictize(row, with_requester=_sees_requester(context, row)),
         "following": True} for row in rows]}


def _own_actions() -> dict[str, Any]:
    """The portal's own actions: every lngov_* function of this module (auth.py has an auth
    function of the same name for each)."""
    return own_functions(sys.modules[__name__])
