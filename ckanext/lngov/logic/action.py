"""The portal's actions: CKAN's own, chained where a catalog rule needs the database."""
from __future__ import annotations

import math
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from sqlalchemy import exc

from ckanext.lngov import visibility
from ckanext.lngov.catalog import uniqueness


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
        return up_func(context, data_dict)
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


# The writes whose unique keys (resource code, credit code) _one_source reports.
_one_source_chained = tk.chained_action(_one_source)
package_create = package_update = _one_source_chained
organization_create = organization_update = _one_source_chained


@tk.chained_action
@tk.side_effect_free
def package_show(up_func, context, data_dict):
    # From the database, not Solr's cached dict: the index holds no department-only
    # fields (visibility.py), and the department must still see them.
    context.setdefault("use_cache", False)
    return up_func(context, data_dict)


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
    package = (data_dict.get("data") or {}).get("package")
    if isinstance(package, dict):
        visibility.strip(package)
    return up_func(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def harvest_job_show(next_action, context, data_dict):
    """ckanext-harvest's job, with the portal's outcome counts (harvest/record.py)."""
    from ckanext.lngov.harvest import record

    job = next_action(context, data_dict)
    job["outcomes"] = record.counts(job["id"])
    return job


def get_actions() -> dict[str, Any]:
    return {"package_create": package_create, "package_update": package_update,
            "package_show": package_show, "bulk_update_public": bulk_update_public,
            "activity_create": activity_create,
            "organization_create": organization_create,
            "organization_update": organization_update, "harvest_job_show": harvest_job_show}
