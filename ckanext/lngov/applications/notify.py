"""E-mails on every state change of an application (mails.py: Chinese first, English below; a
mail that cannot be sent is logged, the answer itself stands): to the applicant, and to the
department (its editors and admins, and the entry's contact address). Also the end of an approval
(to both) and the reminder of an application near its due date (to the department), which
`ckan lngov application-mails` sends (expiry.py)."""
from __future__ import annotations

from typing import Any

from ckan import model

from ckanext.lngov import mails
from ckanext.lngov.applications import reasons

SUBMITTED, APPROVED, REFUSED = "submitted", "approved", "refused"
EXPIRED, DUE_SOON = "expired", "due_soon"

_SUBJECT = {
    SUBMITTED: ("数据开放申请已提交", "Application submitted"),
    APPROVED: ("数据开放申请已批准", "Application approved"),
    REFUSED: ("数据开放申请未获批准", "Application refused"),
    EXPIRED: ("数据使用期限已届满", "Approval ended"),
    DUE_SOON: ("数据开放申请即将到期，请及时答复", "Application due soon: please answer"),
}


def department_addresses(owner_org: str, package_id: str) -> list[tuple[str, str]]:
    """(name, address) of the department's editors and admins, and the entry's contact."""
    found: dict[str, str] = {}
    rows = model.Session.query(model.User).join(
        model.Member, model.Member.table_id == model.User.id).filter(
        model.Member.group_id == owner_org, model.Member.table_name == "user",
        model.Member.state == "active", model.Member.capacity.in_(("editor", "admin")),
        model.User.state == "active")
    for user in rows:
        if user.email:
            found.setdefault(user.email.lower(), user.display_name)
    pkg = model.Package.get(package_id)
    contact = (pkg.extras or {}).get("contact_email") if pkg else None
    if contact:
        found.setdefault(contact.lower(), pkg.owner_org and _org_title(pkg.owner_org) or "")
    return [(name, address) for address, name in found.items()]


def _org_title(org_id: str) -> str:
    org = model.Group.get(org_id)
    return org.title if org else ""


def _body(event: str, app: dict[str, Any], to_department: bool) -> str:
    url = mails.site_url()
    entry = f"{app.get('package_title') or ''} ({url}/dataset/{app.get('package_name')})"
    zh, en = [], []
    if event == SUBMITTED:
        due = app.get("due_date") or app.get("due_warning") or ""
        if to_department:
            zh.append(f"您部门的有条件开放数据“{entry}”收到一份新的申请，请于 {due} 前答复。")
            en.append(f"Your department's conditionally open entry {entry} has a new "
                      f"application; please answer by {due}.")
            zh.append(f"申请用途：{app['purpose']}")
            en.append(f"Purpose: {app['purpose']}")
            zh.append(f"拟使用期限：{app['period_start']} 至 {app['period_end']}")
            en.append(f"Intended period: {app['period_start']} to {app['period_end']}")
        else:
            zh.append(f"您对“{entry}”的申请已提交，提供部门将于 {due} 前答复。")
            en.append(f"Your application for {entry} was submitted; the providing "
                      f"department answers by {due}.")
    elif event == APPROVED:
        who = "该申请" if to_department else "您的申请"
        zh.append(f"{who}（“{entry}”）已批准，数据可使用至 {app['end_date']}（含）。")
        en.append(f"The application for {entry} was approved; the data may be used until "
                  f"{app['end_date']} (inclusive).")
        if app.get("conditions"):
            zh.append(f"使用条件：{app['conditions']}")
            en.append(f"Conditions: {app['conditions']}")
    elif event == REFUSED:
        code = app.get("reason_code")
        zh.append(f"对“{entry}”的申请未获批准。")
        en.append(f"The application for {entry} was refused.")
        zh.append(f"理由：{reasons.label(code, 'zh')}。{app.get('reason_text') or ''}")
        en.append(f"Reason: {reasons.label(code, 'en')}. {app.get('reason_text') or ''}")
    elif event == EXPIRED:
        zh.append(f"对“{entry}”的申请批准的使用期限已于 {app['end_date']} 届满，"
                  "数据的下载和查询权限已结束。如需继续使用，请重新申请。")
        en.append(f"The approval of the application for {entry} ended on {app['end_date']}: "
                  "its files and tables are no longer available to the applicant. To go on "
                  "using the data, apply again.")
    elif event == DUE_SOON:
        due = app.get("due_date") or ""
        if app.get("overdue"):
            zh.append(f"对“{entry}”的申请已超过答复期限（{due}），请尽快答复。")
            en.append(f"The application for {entry} is past its due date ({due}); please "
                      "answer it now.")
        else:
            zh.append(f"对“{entry}”的申请须于 {due} 前答复，还剩 {app['workdays_left']} 个"
                      "工作日。")
            en.append(f"The application for {entry} is due on {due}: "
                      f"{app['workdays_left']} working day(s) left.")
        zh.append(f"答复：{url}/applications/{app['id']}")
        en.append(f"Answer it: {url}/applications/{app['id']}")
    zh.append(f"申请编号：{app['id']}")
    en.append(f"Application: {app['id']}")
    return mails.bilingual(zh, en)


def send(event: str, app: dict[str, Any]) -> int:
    """Mails the applicant (not of a reminder) and the department about `event`; returns how
    many were sent."""
    zh, en = _SUBJECT[event]
    subject = f"{zh} / {en}: {app.get('package_title') or ''}"
    recipients: list[tuple[str, str, Any]] = []
    applicant = model.User.get(app["user_id"])
    if applicant is not None and applicant.email and event != DUE_SOON:
        recipients.append((applicant.display_name, applicant.email, False))
    recipients += [(name, address, True)
                   for name, address in department_addresses(app["owner_org"],
                                                             app["package_id"])
                   if not applicant or address.lower() != (applicant.email or "").lower()]
    return mails.mail_each(recipients, subject,
                           lambda to_department: _body(event, app, to_department),
                           f"application {app['id']} ({event})")
