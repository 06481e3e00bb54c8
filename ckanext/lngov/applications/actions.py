"""The applications' actions (lngov_application_*, lngov_service_clock): input checked by the
navl schemas of schema.py, rights by the auth functions of the same names (auth.py)."""
from __future__ import annotations

import sys
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.lngov import workdays
from ckanext.lngov.access import department_editor, in_department, readable
from ckanext.lngov.applications import clock, expiry, notify, schema, store
from ckanext.lngov.catalog import codes
from ckanext.lngov.logic import department, own_functions, signed_in, validated


def _activity(app: dict[str, Any], actor_id: str) -> None:
    """The state change as an activity of the entry, seen only by the department and the
    applicant (permission labels): the public learns nothing of who applied."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    tk.get_action("activity_create")(
        {"ignore_auth": True, "user": site_user["name"]},
        {"user_id": actor_id, "object_id": app["package_id"],
         "activity_type": store.ACTIVITY_TYPE,
         "data": {"application": {"id": app["id"], "state": app["state"],
                                  "reason_code": app.get("reason_code")}},
         "permission_labels": [f"member-{app['owner_org']}", f"creator-{app['user_id']}"]})


def _row(data_dict: dict[str, Any]) -> dict[str, Any]:
    row = store.get(str(data_dict.get("id") or ""))
    if row is None:   # sysadmins pass the auth functions, which look it up for the others
        raise tk.ObjectNotFound(tk._("Application not found"))
    return row


def _decide(context, row: dict[str, Any], state: str, event: str,
            **fields: Any) -> dict[str, Any]:
    """Records the department's answer, once (a second answer is refused), then the activity
    and the mails."""
    user = model.User.get(context.get("user") or "")
    if not store.decide(row["id"], state, user.id, **fields):
        raise tk.ValidationError({"id": [tk._("This application has already been answered")]})
    model.Session.commit()
    app = store.dictize(store.get(row["id"]))
    _activity(app, user.id)
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
    tk.check_access("lngov_application_create", context, data_dict)
    user = signed_in(context)
    pkg = model.Package.get(str(data_dict.get("package_id") or ""))
    if pkg is None or pkg.type != "dataset" or not readable(context, pkg):
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    if (pkg.extras or {}).get("open_attribute") != codes.CONDITIONAL:
        raise tk.ValidationError({"package_id": [tk._(
            "Only conditionally open (有条件开放) entries take applications: the data of "
            "this entry are open to everyone, or not at all.")]})
    if in_department(user.name, pkg.owner_org):
        raise tk.ValidationError({"package_id": [tk._(
            "Your department provides this entry: its data are yours without an "
            "application.")]})
    data, errors = validated(data_dict, schema.create_schema(), {"package": pkg})
    if errors:
        raise tk.ValidationError(errors)
    if store.pending_for(user.id, pkg.id):
        raise tk.ValidationError({"package_id": [tk._(
            "You already have an application for this entry waiting for its answer.")]})
    app_id = store.insert(package_id=pkg.id, owner_org=pkg.owner_org, user_id=user.id,
                          purpose=data["purpose"], period_start=data["period_start"],
                          period_end=data["period_end"], resource_ids=data["resource_ids"])
    model.Session.commit()
    app = store.dictize(store.get(app_id))
    _activity(app, user.id)
    notify.send(notify.SUBMITTED, app)
    return app


@tk.side_effect_free
def lngov_application_show(context, data_dict):
    """An application, to its applicant, the department's editors and sysadmins.

    :param id: the application's id
    """
    tk.check_access("lngov_application_show", context, data_dict)
    return store.dictize(_row(data_dict))


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
    tk.check_access("lngov_application_list", context, data_dict)
    user = signed_in(context)
    data, errors = validated(data_dict, schema.list_schema())
    if errors:
        raise tk.ValidationError(errors)
    query: dict[str, Any] = {"state": data["state"], "limit": data["limit"],
                             "offset": data["offset"]}
    if data_dict.get("owner_org"):
        org = department(data_dict["owner_org"])
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
    tk.check_access("lngov_application_approve", context, data_dict)
    row = _row(data_dict)
    data, errors = validated(data_dict, schema.approve_schema())
    end = data["end_date"] or row["period_end"]
    if "end_date" not in errors and end < workdays.today():
        errors["end_date"] = [tk._("The end date is past")]
    if errors:
        raise tk.ValidationError(errors)
    return _decide(context, row, store.APPROVED, notify.APPROVED,
                   conditions=data["conditions"], end_date=end)


def lngov_application_refuse(context, data_dict):
    """Refuses a pending application, with a reason (the department's editors, sysadmins).

    :param id: the application's id
    :param reason_code: one of the refusal reasons (applications/reasons.yaml)
    :param reason_text: the reason in the department's own words
    """
    tk.check_access("lngov_application_refuse", context, data_dict)
    row = _row(data_dict)
    data, errors = validated(data_dict, schema.refuse_schema())
    if errors:
        raise tk.ValidationError(errors)
    return _decide(context, row, store.REFUSED, notify.REFUSED,
                   reason_code=data["reason_code"], reason_text=data["reason_text"])


def lngov_application_mails(context, data_dict):
    """Sends the mails that no request triggers, each once (applications/expiry.py): the end
    of approvals whose end date is past (to the applicant and the department) and reminders
    of pending applications near or past their due date (to the department). Sysadmins;
    `ckan lngov application-mails` runs it.

    :returns: {"expired": n, "reminded": n}, the applications mailed now
    """
    tk.check_access("lngov_application_mails", context, data_dict)
    return expiry.run()


@tk.side_effect_free
def lngov_service_clock(context, data_dict):
    """The public service clock: per department, how fast and how it answers applications
    (applications/clock.py). No personal data.

    :param owner_org: one department's id or name (default: every department that has
        received applications)
    """
    tk.check_access("lngov_service_clock", context, data_dict)
    orgs = None
    if data_dict.get("owner_org"):
        orgs = [department(data_dict["owner_org"], active=True).id]
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


def get_actions() -> dict[str, Any]:
    return own_functions(sys.modules[__name__])
