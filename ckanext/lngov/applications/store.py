"""The table lngov_application (migration a1c0de000004): applications, their answers, and
the grant check that data access asks."""
from __future__ import annotations

import datetime
import uuid
from typing import Any, Iterable

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.lngov import accounts, sql, workdays
from ckanext.lngov.applications import reasons
from ckanext.lngov.serving import cache

PENDING, APPROVED, REFUSED = "pending", "approved", "refused"
STATES = (PENDING, APPROVED, REFUSED)

_COLUMNS = ("id, package_id, owner_org, user_id, state, purpose, period_start, period_end, "
            "resource_ids, submitted, decided, decided_by, conditions, end_date, reason_code, "
            "reason_text")


def insert(*, package_id: str, owner_org: str, user_id: str, purpose: str,
           period_start: datetime.date, period_end: datetime.date,
           resource_ids: list[str]) -> str:
    app_id = str(uuid.uuid4())
    cache.changed()   # the service clock on kept pages (statistics, departments)
    model.Session.execute(sa.text(
        "INSERT INTO lngov_application (id, package_id, owner_org, user_id, state, purpose, "
        "period_start, period_end, resource_ids, submitted) VALUES (:id, :package_id, "
        ":owner_org, :user_id, 'pending', :purpose, :period_start, :period_end, "
        ":resource_ids, :submitted)"),
        {"id": app_id, "package_id": package_id, "owner_org": owner_org, "user_id": user_id,
         "purpose": purpose, "period_start": period_start, "period_end": period_end,
         "resource_ids": resource_ids, "submitted": sql.now()})
    return app_id


def get(app_id: str) -> dict[str, Any] | None:
    return sql.row_by_id("lngov_application", _COLUMNS, app_id)


def pending_for(user_id: str, package_id: str) -> bool:
    return model.Session.execute(sa.text(
        "SELECT 1 FROM lngov_application WHERE user_id = :u AND package_id = :p "
        "AND state = 'pending'"), {"u": user_id, "p": package_id}).first() is not None


def decide(app_id: str, state: str, by: str, **answer: Any) -> bool:
    """Records the department's answer; False when the application was answered meanwhile
    (only a pending one is answered, once)."""
    values = {"conditions": None, "end_date": None, "reason_code": None,
              "reason_text": None, **answer}
    cache.changed()   # the service clock on kept pages
    done = model.Session.execute(sa.text(
        "UPDATE lngov_application SET state = :state, decided = :decided, decided_by = :by, "
        "conditions = :conditions, end_date = :end_date, reason_code = :reason_code, "
        "reason_text = :reason_text WHERE id = :id AND state = 'pending'"),
        {"id": app_id, "state": state, "decided": sql.now(), "by": by, **values})
    return done.rowcount == 1


def select(*, user_id: str | None = None, owner_orgs: Iterable[str] | None = None,
           package_id: str | None = None, state: str | None = None,
           limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    where, params = [], {"limit": limit, "offset": offset}
    if user_id is not None:
        where.append("user_id = :user_id")
        params["user_id"] = user_id
    if owner_orgs is not None:
        where.append("owner_org = ANY(:orgs)")
        params["orgs"] = list(owner_orgs)
    if package_id is not None:
        where.append("package_id = :package_id")
        params["package_id"] = package_id
    if state is not None:
        where.append("state = :state")
        params["state"] = state
    rows = model.Session.execute(sa.text(
        f"SELECT {_COLUMNS} FROM lngov_application "
        f"{'WHERE ' + ' AND '.join(where) if where else ''} "
        "ORDER BY (state = 'pending') DESC, submitted, id LIMIT :limit OFFSET :offset"),
        params).mappings()
    return [dict(row) for row in rows]


def granted(user_id: str | None, package_id: str, resource_id: str | None = None,
            on: datetime.date | None = None) -> bool:
    """Has `user_id` an approval for the entry (and the file `resource_id`, when the
    application named files; without `resource_id`, for any of them) that runs on `on`
    (today in the portal's zone)?"""
    if not user_id:
        return False
    day = on or workdays.today()
    row = model.Session.execute(sa.text(
        "SELECT 1 FROM lngov_application WHERE user_id = :u AND package_id = :p "
        "AND state = 'approved' AND end_date >= :day "
        "AND (CAST(:r AS text) IS NULL OR cardinality(resource_ids) = 0 "
        "OR CAST(:r AS text) = ANY(resource_ids)) LIMIT 1"),
        {"u": user_id, "p": package_id, "day": day, "r": resource_id}).first()
    return row is not None


# --- mails sent once (expiry.py): claimed before sending, so two runs never both send -----

def ended_unmailed(today: datetime.date) -> list[str]:
    """Approvals whose end date is past and whose end has not been mailed."""
    return [r[0] for r in model.Session.execute(sa.text(
        "SELECT id FROM lngov_application WHERE state = 'approved' AND end_date < :day "
        "AND expiry_mailed IS NULL ORDER BY end_date, id"), {"day": today})]


def pending_unreminded() -> list[dict[str, Any]]:
    rows = model.Session.execute(sa.text(
        f"SELECT {_COLUMNS} FROM lngov_application WHERE state = 'pending' "
        "AND reminder_mailed IS NULL ORDER BY submitted, id")).mappings()
    return [dict(row) for row in rows]


_MAILED = {"expiry": "expiry_mailed", "reminder": "reminder_mailed"}


def claim_mail(app_id: str, kind: str) -> bool:
    """Records the `kind` mail of the application as sent; False if it was already."""
    column = _MAILED[kind]
    done = model.Session.execute(sa.text(
        f"UPDATE lngov_application SET {column} = :now WHERE id = :id AND {column} IS NULL"),
        {"id": app_id, "now": sql.now()})
    model.Session.commit()
    return done.rowcount == 1


def unclaim_mail(app_id: str, kind: str) -> None:
    """No mail of it went out: the next run tries again."""
    column = _MAILED[kind]
    model.Session.execute(sa.text(f"UPDATE lngov_application SET {column} = NULL "
                                  "WHERE id = :id"), {"id": app_id})
    model.Session.commit()


# --- what an application looks like to those who may see it --------------------------------

def due_of(submitted: datetime.datetime) -> tuple[datetime.date | None, str | None]:
    """(due date, None), or (None, the warning) when the calendar does not cover it."""
    try:
        return workdays.due(workdays.local_date(submitted)), None
    except workdays.UncoveredYear as error:
        return None, str(error)


def dictize(row: dict[str, Any], today: datetime.date | None = None) -> dict[str, Any]:
    today = today or workdays.today()
    pkg = model.Package.get(row["package_id"])
    user = model.User.get(row["user_id"])
    due, warning = due_of(row["submitted"])
    near = tk.config.get("ckanext.lngov.applications.near_due_days")
    out: dict[str, Any] = {
        "id": row["id"], "state": row["state"],
        "package_id": row["package_id"],
        "package_name": pkg.name if pkg else None,
        "package_title": pkg.title if pkg else None,
        "owner_org": row["owner_org"],
        "user_id": row["user_id"], "applicant": user.name if user else None,
        "applicant_display_name": user.display_name if user else None,
        # what the applicant gave at registration (accounts.py), for the department
        "applicant_profile": accounts.profile(user),
        "purpose": row["purpose"],
        "period_start": row["period_start"].isoformat(),
        "period_end": row["period_end"].isoformat(),
        "resource_ids": list(row["resource_ids"] or []),
        "submitted": row["submitted"].isoformat(),
        "due_date": due.isoformat() if due else None,
        "due_warning": warning,
        "decided": row["decided"].isoformat() if row["decided"] else None,
        "conditions": row["conditions"],
        "end_date": row["end_date"].isoformat() if row["end_date"] else None,
        "reason_code": row["reason_code"],
        "reason": reasons.label(row["reason_code"]) if row["reason_code"] else None,
        "reason_text": row["reason_text"],
    }
    decider = model.User.get(row["decided_by"]) if row["decided_by"] else None
    out["decided_by"] = decider.name if decider else None
    out["active"] = row["state"] == APPROVED and row["end_date"] >= today
    out["expired"] = row["state"] == APPROVED and row["end_date"] < today
    pending = row["state"] == PENDING
    out["overdue"] = bool(pending and due and today > due)
    left = None
    if pending and due and today <= due:
        try:
            left = workdays.between(today, due)
        except workdays.UncoveredYear:
            left = None
    out["workdays_left"] = left
    out["near_due"] = bool(pending and left is not None and left <= near)
    if row["decided"]:
        try:
            out["answer_workdays"] = workdays.between(workdays.local_date(row["submitted"]),
                                                      workdays.local_date(row["decided"]))
        except workdays.UncoveredYear:
            out["answer_workdays"] = None
    else:
        out["answer_workdays"] = None
    return out


# --- the activity stream ----------------------------------------------------------------------

# Ends in "package": CKAN filters only such activities by the permission labels.
ACTIVITY_TYPE = "lngov application package"


def register_activity_type() -> None:
    """CKAN's activity plugin takes only the activity types it knows the object of."""
    from ckanext.activity.logic import validators

    validators.object_id_validators.setdefault(ACTIVITY_TYPE, "package_id_exists")
