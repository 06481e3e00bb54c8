"""The public service clock of each department: how fast and how it answers applications
(R3), in working days (workdays.py). Figures only, never who applied.

- answered: applications answered; pending, overdue: waiting, and waiting past the due date
- median_workdays, p90_workdays: working days from submission to answer (nearest rank)
- within_deadline: share of the answered and the overdue ones answered within 10 working days
- approval_rate: share of the answered ones approved
- refusals: refusals by reason (reasons.yaml), with labels
"""
from __future__ import annotations

import math
import statistics
from typing import Any, Iterable

import sqlalchemy as sa

from ckan import model

from ckanext.lngov import workdays
from ckanext.lngov.applications import reasons, store


def _percentile(values: list[int], share: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def figures(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    today = workdays.today()
    times: list[int] = []
    approved = refused = pending = overdue = 0
    uncovered = False
    by_reason: dict[str, int] = {}
    for row in rows:
        if row["state"] == store.PENDING:
            pending += 1
            due, _ = store.due_of(row["submitted"])
            overdue += bool(due and today > due)
            continue
        approved += row["state"] == store.APPROVED
        if row["state"] == store.REFUSED:
            refused += 1
            by_reason[row["reason_code"]] = by_reason.get(row["reason_code"], 0) + 1
        try:
            times.append(workdays.between(workdays.local_date(row["submitted"]),
                                          workdays.local_date(row["decided"])))
        except workdays.UncoveredYear:
            uncovered = True
    answered = approved + refused
    in_time = sum(1 for t in times if t <= workdays.DEADLINE)
    counted = len(times) + overdue
    return {
        "answered": answered, "pending": pending, "overdue": overdue,
        "median_workdays": statistics.median(times) if times else None,
        "p90_workdays": _percentile(times, 0.9),
        "within_deadline": round(in_time / counted, 4) if counted else None,
        "approval_rate": round(approved / answered, 4) if answered else None,
        "refusals": [{"reason_code": code, "reason": reasons.label(code), "count": n}
                     for code, n in sorted(by_reason.items(), key=lambda i: (-i[1], i[0]))],
        "calendar_incomplete": uncovered,
    }


def by_department(owner_orgs: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """{department id: figures} for the departments that received applications."""
    where = "WHERE owner_org = ANY(:orgs)" if owner_orgs is not None else ""
    rows = model.Session.execute(sa.text(
        "SELECT owner_org, state, submitted, decided, reason_code FROM lngov_application "
        f"{where}"), {"orgs": owner_orgs or []}).mappings()
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["owner_org"], []).append(dict(row))
    return {org: figures(found) for org, found in grouped.items()}
