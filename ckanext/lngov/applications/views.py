"""The applications' pages, each over the actions (logic/action.py), which decide who may do
what: the form on a conditionally open entry (/dataset/<id>/apply), one's own applications
(/applications), an application with the department's answer forms
(/applications/<id>), and the department's queue (/organization/<id>/applications)."""
from __future__ import annotations

import datetime
from typing import Any

from flask import Blueprint, request

import ckan.plugins.toolkit as tk
from ckan.common import current_user

from ckanext.lngov import workdays
from ckanext.lngov.applications import reasons

blueprint = Blueprint("lngov_applications", __name__)


def _context() -> dict[str, Any]:
    return {"user": current_user.name if current_user.is_authenticated else ""}


def _login_first():
    return tk.redirect_to(tk.h.url_for("user.login", came_from=request.full_path))


def _errors(error: tk.ValidationError) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [str(v)]
            for k, v in (error.error_dict or {}).items()}


def apply(id: str):
    # The entry first: a missing or hidden one is a 404 for everyone, as on every route.
    try:
        pkg = tk.get_action("package_show")(_context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Dataset not found"))
    if pkg.get("open_attribute") != "conditional":
        return tk.abort(404, tk._("Dataset not found"))
    if not current_user.is_authenticated:
        return _login_first()
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
        try:
            app = tk.get_action("lngov_application_create")(_context(), dict(data))
        except tk.ValidationError as error:
            errors = _errors(error)
        else:
            tk.h.flash_success(tk._("Your application was submitted. The department answers "
                                    "by {date}.").format(date=app["due_date"] or "—"))
            return tk.redirect_to(tk.h.url_for("lngov_applications.read", app_id=app["id"]))
    return tk.render("lngov/applications/apply.html",
                     {"pkg": pkg, "pkg_dict": pkg, "data": data, "errors": errors})


def mine():
    if not current_user.is_authenticated:
        return _login_first()
    apps = tk.get_action("lngov_application_list")(_context(), {})
    return tk.render("lngov/applications/mine.html", {"applications": apps})


def read(app_id: str):
    if not current_user.is_authenticated:
        return _login_first()
    try:
        app = tk.get_action("lngov_application_show")(_context(), {"id": app_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Application not found"))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        decision = request.form.get("decision")
        try:
            if decision == "approve":
                app = tk.get_action("lngov_application_approve")(_context(), {
                    "id": app_id, "conditions": request.form.get("conditions") or None,
                    "end_date": request.form.get("end_date") or None})
                tk.h.flash_success(tk._("The application was approved."))
            elif decision == "refuse":
                app = tk.get_action("lngov_application_refuse")(_context(), {
                    "id": app_id, "reason_code": request.form.get("reason_code") or None,
                    "reason_text": request.form.get("reason_text") or None})
                tk.h.flash_success(tk._("The application was refused."))
            else:
                return tk.abort(400, tk._("Approve or refuse"))
        except tk.NotAuthorized:
            return tk.abort(403, tk._("Only the providing department's editors answer "
                                      "applications"))
        except tk.ValidationError as error:
            errors = _errors(error)
        else:
            return tk.redirect_to(tk.h.url_for("lngov_applications.read", app_id=app_id))
    from ckanext.lngov.logic.auth import department_editor

    return tk.render("lngov/applications/read.html", {
        "application": app, "errors": errors, "form": request.form,
        "answers": app["state"] == "pending" and department_editor(
            current_user.name, app["owner_org"]),
        "reasons": [(code, reasons.label(code)) for code in reasons.codes()]})


def queue(id: str):
    if not current_user.is_authenticated:
        return _login_first()
    try:
        org = tk.get_action("organization_show")(_context(), {"id": id,
                                                              "include_datasets": False})
        apps = tk.get_action("lngov_application_list")(
            _context(), {"owner_org": org["id"], "state": request.args.get("state") or None})
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
