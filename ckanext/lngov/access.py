"""Who may see what: the portal's rules on the ground floor, for the auth functions, the
visibility of fields and datasets, the unique keys, the features and the pages alike.

- readable: may a user read a dataset (CKAN's package_show auth, with the portal's rules);
- in_department: sysadmins and a department's members (its own fields, its conditionally
  open data);
- department_editor: sysadmins and a department's editors and admins (who answer its
  applications and data requests).
"""
from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk


def readable(context: dict[str, Any], pkg) -> bool:
    """May the user of `context` read the dataset `pkg`?"""
    if pkg.state == "active" and not pkg.private:
        return True   # CKAN's "public" label, without asking for the user's labels
    try:
        return tk.check_access("package_show", {"user": context.get("user") or ""},
                               {"id": pkg.id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False


def in_department(user_name: str | None, owner_org: str | None) -> bool:
    """Sysadmins and the members of the department `owner_org`: who sees a department's own
    fields, and gets the data of its conditionally open entries."""
    if not user_name:
        return False
    return authz.is_sysadmin(user_name) or bool(owner_org) and \
        authz.has_user_permission_for_group_or_org(owner_org, user_name, "read")


def department_editor(user_name: str | None, owner_org: str | None) -> bool:
    """Sysadmins and the editors and admins of the department `owner_org`: who answers its
    applications and data requests."""
    if not user_name:
        return False
    return authz.is_sysadmin(user_name) or bool(owner_org) and \
        authz.has_user_permission_for_group_or_org(owner_org, user_name, "update_dataset")
