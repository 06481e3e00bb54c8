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

import ckan.authz as authz
from ckanext.scheming.helpers import scheming_get_dataset_schema


@functools.lru_cache(maxsize=None)
def department_only_fields() -> tuple[str, ...]:
    schema = scheming_get_dataset_schema("dataset") or {}
    return tuple(f["field_name"] for f in schema.get("dataset_fields", [])
                 if f.get("lngov_department_only"))


def sees_department_fields(context: dict[str, Any], owner_org: str | None) -> bool:
    if context.get("ignore_auth") and not context.get("user"):
        return True  # CKAN's own internal reads (indexing, jobs)
    user = context.get("user")
    if not user:
        return False
    if authz.is_sysadmin(user):
        return True
    return bool(owner_org) and authz.has_user_permission_for_group_or_org(
        owner_org, user, "read")


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
    for field in department_only_fields():
        pkg_dict.pop(field, None)
        pkg_dict.pop("extras_" + field, None)
    for stored in ("data_dict", "validated_data_dict"):
        if isinstance(pkg_dict.get(stored), str):
            pkg_dict[stored] = json.dumps(strip(json.loads(pkg_dict[stored])))
    return pkg_dict


def hide_past_activities(package_id: str, deleting: bool = False) -> None:
    """A dataset that stops being public (withdrawn, deleted, made private) takes its history
    with it: CKAN labels each activity once, when it is written, so the activities of its
    public days would stay in the site's and the department's public streams."""
    from ckan import model
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
