"""Who may call the data requests' actions: requests are public, any signed-in user asks and
follows, the department's editors answer (access.py department_editor). One auth function
per action of the same name (actions.py)."""
from __future__ import annotations

import sys
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.lngov.access import department_editor
from ckanext.lngov.data_requests import store
from ckanext.lngov.logic import own_functions


def lngov_data_request_create(context, data_dict):
    """Any signed-in user (CKAN refuses anonymous callers before this)."""
    return {"success": True}


@tk.auth_allow_anonymous_access
def lngov_data_request_show(context, data_dict):
    """Data requests are public (who asked is not: the action leaves it out)."""
    return {"success": True}


@tk.auth_allow_anonymous_access
def lngov_data_request_list(context, data_dict):
    return {"success": True}


def lngov_data_request_follow(context, data_dict):
    """Any signed-in user follows for themselves (CKAN refuses anonymous callers before
    this); whom one follows is one's own."""
    return {"success": True}


lngov_data_request_unfollow = lngov_data_request_followee_list = lngov_data_request_follow


def lngov_data_request_answer(context, data_dict):
    row = store.get(str((data_dict or {}).get("id") or ""))
    if row is None:
        raise tk.ObjectNotFound(tk._("Data request not found"))
    if department_editor(context.get("user"), row["owner_org"]):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the department's editors answer its data "
                                          "requests")}


def get_auth_functions() -> dict[str, Any]:
    return own_functions(sys.modules[__name__])
