"""The data requests' actions (lngov_data_request_*): input checked by the navl schemas of
schema.py, rights by the auth functions of the same names (auth.py)."""
from __future__ import annotations

import sys
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.lngov.access import department_editor, readable
from ckanext.lngov.data_requests import notify, schema, store
from ckanext.lngov.logic import department, own_functions, signed_in, validated


def _row(data_dict: dict[str, Any]) -> dict[str, Any]:
    row = store.get(str(data_dict.get("id") or ""))
    if row is None:
        raise tk.ObjectNotFound(tk._("Data request not found"))
    return row


def _sees_requester(context: dict[str, Any], row: dict[str, Any]) -> bool:
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
    tk.check_access("lngov_data_request_create", context, data_dict)
    user = signed_in(context)
    data, errors = validated(data_dict, schema.create_schema())
    if errors:
        raise tk.ValidationError(errors)
    request_id = store.insert(user_id=user.id, owner_org=data["owner_org"], title=data["title"],
                              description=data["description"])
    model.Session.commit()
    return store.dictize(store.get(request_id), with_requester=True)


@tk.side_effect_free
def lngov_data_request_show(context, data_dict):
    """A data request, public (who asked: only for them and the department).

    :param id: the request's id
    """
    tk.check_access("lngov_data_request_show", context, data_dict)
    row = _row(data_dict)
    user = model.User.get(context.get("user") or "")
    # `following`: whether the caller follows it, only for the caller
    return {**store.dictize(row, with_requester=_sees_requester(context, row)),
            "following": store.following(row["id"], user.id if user else None)}


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
    tk.check_access("lngov_data_request_list", context, data_dict)
    data, errors = validated(data_dict, schema.list_schema())
    if errors:
        raise tk.ValidationError(errors)
    org_id = department(data_dict["owner_org"]).id if data_dict.get("owner_org") else None
    user_id = None
    if tk.asbool(data_dict.get("mine")):
        user_id = signed_in(context).id
    count, rows = store.search(q=data["q"], owner_org=org_id, state=data["state"],
                               user_id=user_id, limit=data["limit"], offset=data["offset"])
    return {"count": count, "results": [
        store.dictize(row, with_requester=_sees_requester(context, row)) for row in rows]}


def lngov_data_request_answer(context, data_dict):
    """The department answers a data request (its editors, sysadmins).

    :param id: the request's id
    :param state: answered (an answer), opened (with `package_id`, the public entry that
        holds the data) or declined (with `reason_code` from the refusal reasons)
    :param answer: the department's answer (required unless opened)
    :param package_id: the entry opened for it
    :param reason_code: why it is declined
    """
    tk.check_access("lngov_data_request_answer", context, data_dict)
    row = _row(data_dict)
    data, errors = validated(data_dict, schema.answer_schema())
    package_id = None
    if data["state"] == store.OPENED:
        pkg = model.Package.get(str(data_dict.get("package_id") or ""))
        if pkg is None or pkg.owner_org != row["owner_org"] or \
                not readable({"user": ""}, pkg):
            errors["package_id"] = [tk._("A public entry of the department")]
        else:
            package_id = pkg.id
    if errors:
        raise tk.ValidationError(errors)
    store.answer(row["id"], data["state"], data["answer"], package_id, data["reason_code"])
    model.Session.commit()
    answered = store.get(row["id"])
    notify.mail_answer(answered)
    return store.dictize(answered, with_requester=True)


def _following(context: dict[str, Any], data_dict: dict[str, Any], follow: bool
               ) -> dict[str, Any]:
    user = signed_in(context)
    row = _row(data_dict)
    if follow:
        store.add_follower(row["id"], user.id)
    else:
        store.remove_follower(row["id"], user.id)
    model.Session.commit()
    return {"id": row["id"], "following": follow,
            "follower_count": store.follower_count(row["id"])}


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
    tk.check_access("lngov_data_request_followee_list", context, data_dict)
    user = signed_in(context)
    data, errors = validated(data_dict, schema.followee_list_schema())
    if errors:
        raise tk.ValidationError(errors)
    count, rows = store.followed_by(user.id, data["limit"], data["offset"])
    return {"count": count, "results": [
        {**store.dictize(row, with_requester=_sees_requester(context, row)),
         "following": True} for row in rows]}


def get_actions() -> dict[str, Any]:
    return own_functions(sys.modules[__name__])
