"""Who may call the applications' actions: the applicant, the providing department's editors
(access.py department_editor) and sysadmins; to anybody else an application does not exist.
One auth function per action of the same name (actions.py)."""
from __future__ import annotations

import sys
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.lngov.access import department_editor
from ckanext.lngov.applications import store
from ckanext.lngov.logic import own_functions


def _application(context, data_dict) -> dict[str, Any]:
    """The application `id`, if the user may see it (its applicant, the department's
    editors); to anybody else it does not exist."""
    row = store.get(str((data_dict or {}).get("id") or ""))
    user = model.User.get(context.get("user") or "")
    if row is None or user is None or (
            row["user_id"] != user.id and not department_editor(user.name, row["owner_org"])):
        raise tk.ObjectNotFound(tk._("Application not found"))
    return row


def _answer(context, data_dict):
    row = _application(context, data_dict)
    if department_editor(context.get("user"), row["owner_org"]):
        return {"success": True}
    return {"success": False, "msg": tk._(
        "Only the providing department's editors answer applications")}


def lngov_application_create(context, data_dict):
    """Any signed-in user applies (CKAN refuses anonymous callers before this)."""
    return {"success": True}


def lngov_application_list(context, data_dict):
    """Signed-in users; the action lists only what the user may see."""
    return {"success": True}


def lngov_application_show(context, data_dict):
    _application(context, data_dict)
    return {"success": True}


def lngov_application_approve(context, data_dict):
    return _answer(context, data_dict)


def lngov_application_refuse(context, data_dict):
    return _answer(context, data_dict)


def lngov_application_mails(context, data_dict):
    """Sysadmins only (they pass before this): the scheduled mails."""
    return {"success": False, "msg": tk._("Only sysadmins send the scheduled mails")}


@tk.auth_allow_anonymous_access
def lngov_service_clock(context, data_dict):
    """Public: figures only."""
    return {"success": True}


def get_auth_functions() -> dict[str, Any]:
    return own_functions(sys.modules[__name__])
