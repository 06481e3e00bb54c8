"""Who may call what, where the portal narrows CKAN's or an extension's defaults."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


def _source_of_object(data_dict: dict[str, Any]) -> str | None:
    from ckan import model
    from ckanext.harvest.model import HarvestObject

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
        except tk.NotAuthorized:
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


def _conditional_table(context, data_dict) -> dict[str, Any] | None:
    """The DataStore table of a conditionally open entry is, like its files, for those the
    department grants it (downloads.py): refused to the others."""
    from ckan import model

    from ckanext.lngov.downloads import may_download

    resource = model.Resource.get(str((data_dict or {}).get("resource_id") or
                                      (data_dict or {}).get("id") or ""))
    pkg = resource.package if resource is not None else None
    if pkg is not None and not may_download(pkg, context.get("user") or None):
        return {"success": False, "msg": tk._("This entry is conditionally open (有条件开放): "
                                              "its data is provided by the department on "
                                              "application.")}
    return None


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_search(next_auth, context, data_dict):
    return _conditional_table(context, data_dict) or next_auth(context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_info(next_auth, context, data_dict):
    return _conditional_table(context, data_dict) or next_auth(context, data_dict)


def get_auth_functions() -> dict[str, Any]:
    return {"harvest_object_show": harvest_object_show,
            "harvest_object_list": harvest_object_list,
            "datastore_search": datastore_search, "datastore_info": datastore_info}
