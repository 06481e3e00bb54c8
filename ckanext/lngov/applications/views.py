"""The applications' pages, each over the actions (actions.py), which decide who may do
what: the form on a conditionally open entry (/dataset/<id>/apply), one's own applications
(/applications), an application with the department's answer forms
(/applications/<id>), and the department's queue (/organization/<id>/applications)."""
from __future__ import annotations

import datetime

from flask import Blueprint, request

import ckan.plugins.toolkit as tk
from ckan.common import current_user

from ckanext.lngov import forms, workdays
from ckanext.lngov.access import department_editor
from ckanext.lngov.applications import reasons
from ckanext.lngov.catalog import codes

blueprint = Blueprint("lngov_applications", __name__)


def apply(id: str):
    # The entry first: a missing or hidden one is a 404 for everyone, as on every route.
    try:
        pkg = tk.get_action("package_show")(forms.context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Dataset not found"))
    if pkg.get("open_attribute") != codes.CONDITIONAL:
        return tk.abort(404, tk._("Dataset not found"))
    if not current_user.is_authenticated:
        return forms.login_first()
    today = workdays.today()
    data = {"period_start": today.isoformat(),
            "period_end": (today + datetime.timedelta(days=365)).isoformat(),
            "purpose": "", "resource_ids": []}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data = {"package_id": pkg["id"], "purpose": request.form.get("purpose", ""),
                "period_start": request.form.get("period_start", ""),
                "period_end": request.form.get("period_end", ""),
                "resource_ids": request.form.getlist("resource_ids")}
        answer = forms.submit(
            "lngov_application_create", data,
            done=lambda app: tk.h.url_for("lngov_applications.read", app_id=app["id"]),
            success=lambda app: tk._("Your application was submitted. The department "
                                     "answers by {date}.").format(date=app["due_date"] or "—"))
        if not isinstance(answer, dict):
            return answer
        errors = answer
    return tk.render("lngov/applications/apply.html",
                     {"pkg": pkg, "pkg_dict": pkg, "data": data, "errors": errors})


def mine():
    if not current_user.is_authenticated:
        return forms.login_first()
    apps = tk.get_action("lngov_application_list")(forms.context(), {})
    return tk.render("lngov/applications/mine.html", {"applications": apps})


def read(app_id: str):
    if not current_user.is_authenticated:
        return forms.login_first()
    try:
        app = tk.get_action("lngov_application_show")(forms.context(), {"id": app_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Application not found"))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        decision = request.form.get("decision")
        if decision == "approve":
            action, said = "lngov_application_approve", tk._("The application was approved.")
            data = {"conditions": request.form.get("conditions") or None,
                    "end_date": request.form.get("end_date") or None}
        elif decision == "refuse":
            action, said = "lngov_application_refuse", tk._("The application was refused.")
            data = {"reason_code": request.form.get("reason_code") or None,
                    "reason_text": request.form.get("reason_text") or None}
        else:
            return tk.abort(400, tk._("Approve or refuse"))
        answer = forms.submit(
            action, {"id": app_id, **data}, success=lambda _: said,
            done=lambda _: tk.h.url_for("lngov_applications.read", app_id=app_id),
            refused=tk._("Only the providing department's editors answer applications"))
        if not isinstance(answer, dict):
            return answer
        errors = answer
    return tk.render("lngov/applications/read.html", {
        "application": app, "errors": errors, "form": request.form,
        "answers": app["state"] == "pending" and department_editor(
            current_user.name, app["owner_org"]),
        "reasons": [(code, reasons.label(code)) for code in reasons.codes()]})


def queue(id: str):
    if not current_user.is_authenticated:
        return forms.login_first()
    try:
        org = tk.get_action("organization_show")(forms.context(), {"id": id,
                                                                   "include_datasets": False})
        apps = tk.get_action("lngov_application_list")(
            forms.context(), {"owner_org": org["id"], "state": request.args.get("state") or None})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Organization not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the department's editors see its applications"))
    except tk.ValidationError:
        return tk.abort(400, tk._("The request's parameters are missing or not valid."))
    return tk.render("lngov/applications/queue.html", {
        "group_dict": org, "organization": org, "applications": apps,
        "state": request.args.get("state") or ""})


blueprint.add_url_rule("/dataset/<id>/apply", view_func=apply, methods=["GET", "POST"])
blueprint.add_url_rule("/applications", view_func=mine)
blueprint.add_url_rule("/applications/<app_id>", view_func=read, methods=["GET", "POST"])
blueprint.add_url_rule("/organization/<id>/applications", view_func=queue)
