"""The department claim as the portal's department memberships.

The claim (ckanext.lngov.identity.department_claim, `departments`) lists the departments a
person works for at the provider, each `{"department": ID, "role": ROLE}` or "ID:ROLE". ID
is the department's 统一社会信用代码, or its name at the portal, or a key of
ckanext.lngov.identity.department_map; ROLE a key of ckanext.lngov.identity.role_map
(none: member). A claim naming a department or role the portal does not know refuses the
sign-in as a whole (nothing is created or changed): a typo at the provider must not grant
or remove anything. No claim at all: None, the memberships stay as sysadmins set them.
"""
from __future__ import annotations

from typing import Any

from ckan import model

from ckanext.lngov.catalog.uniqueness import department_with_credit_code
from ckanext.lngov.identity.client import IdentityError
from ckanext.lngov.identity.settings import CAPACITIES, Settings


def _department(settings: Settings, identifier: str) -> model.Group | None:
    name = settings.department_map.get(identifier, identifier)
    found = model.Group.get(name)
    if found is None or not found.is_organization:
        found = department_with_credit_code(name)
    if found is None or not found.is_organization or found.state != "active":
        return None
    return found


def _item(item: Any) -> tuple[str, str | None]:
    if isinstance(item, str):
        department, _, role = item.partition(":")
        return department.strip(), role.strip() or None
    if isinstance(item, dict) and isinstance(item.get("department"), str):
        role = item.get("role")
        return item["department"].strip(), role.strip() if isinstance(role, str) else None
    raise IdentityError("claims", f"an item of the department claim is not understood: {item!r}")


def memberships(settings: Settings, claims: dict[str, Any]) -> dict[str, str] | None:
    """{department id: member / editor / admin}, or None when the claim is absent."""
    if not settings.department_claim or claims.get(settings.department_claim) is None:
        return None
    value = claims[settings.department_claim]
    if not isinstance(value, list):
        raise IdentityError("claims", f"the claim {settings.department_claim} is not a list")
    wanted: dict[str, str] = {}
    for item in value:
        identifier, role = _item(item)
        capacity = settings.role_map.get(role) if role else "member"
        if capacity is None:
            raise IdentityError("claims", f"the role {role!r} is not in the role map")
        department = _department(settings, identifier)
        if department is None:
            raise IdentityError("claims", f"no department {identifier!r} at the portal")
        # listed twice: the higher role
        if CAPACITIES.index(capacity) >= CAPACITIES.index(wanted.get(department.id, "member")):
            wanted[department.id] = capacity
    return wanted
