"""Who sees what: fields of a catalog entry that only its department may see.

Share type, scope, conditions, basis, methods and usage purposes (marked
`lngov_department_only` in schemas/dataset.yaml) are returned to the providing
department's members and to sysadmins only (package_show and the pages built on it).
The search index holds none of them, neither searchable nor in the stored dicts, so
package_search never returns them to anyone: search results are public listings.
"""
from __future__ import annotations

import functools
import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.navl.dictization_functions import Invalid
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.lngov.access import readable


@functools.lru_cache(maxsize=None)
def department_only_fields() -> tuple[str, ...]:
    schema = scheming_get_dataset_schema("dataset") or {}
    return tuple(f["field_name"] for f in schema.get("dataset_fields", [])
                 if f.get("lngov_department_only"))


def sees_department_fields(context: dict[str, Any], owner_org: str | None) -> bool:
    if context.get("ignore_auth") and not context.get("user"):
        return True  # CKAN's own internal reads (indexing, jobs)
    try:
        tk.check_access("lngov_department_fields", {"user": context.get("user") or ""},
                        {"owner_org": owner_org})
    except tk.NotAuthorized:
        return False
    return True


def strip(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    for field in department_only_fields():
        pkg_dict.pop(field, None)
    return pkg_dict


def for_viewer(context: dict[str, Any], pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """The entry as the viewer of context may see it."""
    if not sees_department_fields(context, pkg_dict.get("owner_org")):
        strip(pkg_dict)
    return pkg_dict


def index_without_department_fields(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """The Solr document without department-only fields, in any of its parts."""
    harvest_source = pkg_dict.get("dataset_type") == "harvest"
    for field in department_only_fields():
        pkg_dict.pop(field, None)
        pkg_dict.pop("extras_" + field, None)
    if harvest_source:   # a harvest source's config: for its managers only
        config = pkg_dict.get("config")
        strip_harvest_config(pkg_dict)
        pkg_dict.pop("extras_config", None)
        for key in _config_keys(config):
            pkg_dict.pop("extras_" + key, None)
    for stored in ("data_dict", "validated_data_dict"):
        if isinstance(pkg_dict.get(stored), str):
            stored_dict = strip(json.loads(pkg_dict[stored]))
            if harvest_source:
                strip_harvest_config(stored_dict)
            pkg_dict[stored] = json.dumps(stored_dict)
    return pkg_dict


def manages_harvest_source(context: dict[str, Any], source_id: str) -> bool:
    """Sysadmins and the source department's editors (harvest_source_update), and CKAN's own
    internal reads."""
    if context.get("ignore_auth") and not context.get("user"):
        return True
    try:
        tk.check_access("harvest_source_update",
                        {"user": context.get("user"), "auth_user_obj": None},
                        {"id": source_id})
        return True
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False


# A harvest source's fields that are not its config (ckanext-harvest's show schema spreads
# the config's keys over the dataset's top level, beside these).
_SOURCE_FIELDS = {"id", "name", "title", "url", "notes", "source_type", "frequency", "state",
                  "type", "owner_org", "organization", "private", "extras", "resources",
                  "tags", "groups", "status", "active", "metadata_created",
                  "metadata_modified", "creator_user_id", "relationships_as_subject",
                  "relationships_as_object", "num_resources", "num_tags", "license_id",
                  "license_title", "maintainer", "author", "version"}


def strip_harvest_config(source: dict[str, Any]) -> dict[str, Any]:
    """A harvest source's dict without its config, nor the config's keys that ckanext-harvest
    copies to the top level."""
    config = source.pop("config", None)
    try:
        keys = json.loads(config) if isinstance(config, str) else (config or {})
    except ValueError:
        keys = {}
    for key in keys if isinstance(keys, dict) else ():
        if key not in _SOURCE_FIELDS:
            source.pop(key, None)
    source["extras"] = [e for e in source.get("extras") or []
                        if not (isinstance(e, dict) and e.get("key") == "config")]
    return source


def _config_keys(config: Any) -> list[str]:
    try:
        parsed = json.loads(config) if isinstance(config, str) else {}
    except ValueError:
        return []
    return [k for k in parsed if k not in _SOURCE_FIELDS] if isinstance(parsed, dict) else []


def harvest_source_for_viewer(context: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    """A harvest source's config (what it harvests and how) is for those who run it."""
    if not manages_harvest_source(context, source["id"]):
        strip_harvest_config(source)
    return source


def hide_past_activities(package_id: str, deleting: bool = False) -> None:
    """A dataset that stops being public (withdrawn, deleted, made private) takes its history
    with it: CKAN labels each activity once, when it is written, so the activities of its
    public days would stay in the site's and the department's public streams."""
    from ckan.lib.plugins import get_permission_labels
    from sqlalchemy import text

    pkg = model.Package.get(package_id)
    if pkg is not None and deleting:
        pkg.state = "deleted"   # package_delete calls its hooks just before it does this
    if pkg is None or (pkg.state == "active" and not pkg.private):
        return
    labels = get_permission_labels().get_dataset_labels(pkg)
    model.Session.execute(text(
        "UPDATE activity SET permission_labels = :labels "
        "WHERE object_id = :id AND 'public' = ANY(permission_labels)"),
        {"labels": labels, "id": pkg.id})


def _readable_or_invalid(value: str, context: dict[str, Any],
                         message: str | None = None) -> str:
    if context.get("ignore_auth"):
        return value
    pkg = model.Package.get(value)
    if pkg is not None and not readable(context, pkg):
        raise Invalid(message or tk._("Dataset not found"))
    return value


def package_id_exists(value: str, context: dict[str, Any]) -> str:
    """CKAN's validator, for which a dataset the user may not read does not exist either
    (follow, activity and harvest schemas would otherwise tell it apart)."""
    from ckan.logic.validators import package_id_exists as core

    return _readable_or_invalid(core(value, context), context)


def package_id_or_name_exists(value: str, context: dict[str, Any]) -> str:
    """As package_id_exists, by id or name."""
    from ckan.logic.validators import package_id_or_name_exists as core

    return _readable_or_invalid(core(value, context), context)


def convert_package_name_or_id_to_id(value: str, context: dict[str, Any]) -> str:
    """As package_id_exists, for the follow schemas (CKAN's message for a missing one)."""
    from ckan.logic.converters import convert_package_name_or_id_to_id as core

    return _readable_or_invalid(core(value, context), context,
                                "%s: %s" % (tk._("Not found"), tk._("Dataset")))
