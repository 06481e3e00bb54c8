"""Freshness (R1): when an entry falls due for its next update, and whether it is overdue.

An entry's last update is its 发布日期 (``release_date``): the exchange platform stamps it on
every release of the resource, and a department sets it when it publishes a new version.
The portal's own timestamps (metadata_modified, the time a file was copied) say when the
portal wrote, not when the data changed, so they do not count.

An entry falls due one update cycle after its last update, plus a grace period for the
time a release takes (weekends, month-end closing, annual statistics published in the
first quarter):

=============  ==========  =========  ==========================
cycle          cycle       grace      due after the last update
=============  ==========  =========  ==========================
realtime 实时  1 day       2 days     3 days
daily 每日     1 day       2 days     3 days
weekly 每周    7 days      3 days     10 days
monthly 每月   1 month     7 days     1 month 7 days
quarterly      3 months    15 days    3 months 15 days
halfyearly     6 months    1 month    7 months
yearly 每年    12 months   2 months   14 months
irregular      —           —          never (no due date)
=============  ==========  =========  ==========================

An entry is overdue from the day after its due date. "Overdue" changes with time without
any write, so the index holds the due date (``lngov_due_date``), never a flag: the search
facet and the statistics compare it with Solr's NOW at query time.
"""
from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

# cycle -> (months, days) from the last update to the due date, grace included
ALLOWANCE: dict[str, tuple[int, int]] = {
    "realtime": (0, 3),
    "daily": (0, 3),
    "weekly": (0, 10),
    "monthly": (1, 7),
    "quarterly": (3, 15),
    "halfyearly": (7, 0),
    "yearly": (14, 0),
}

INDEX_FIELD = "lngov_due_date"
# The search facet's field name (request argument and package_search facet.field) and its
# values, each a Solr filter on the due date against NOW.
FACET_FIELD = "freshness"
OVERDUE, ON_TIME = "overdue", "on_time"
FILTERS = {
    OVERDUE: f"{INDEX_FIELD}:[* TO NOW/DAY-1DAY]",
    ON_TIME: f"{INDEX_FIELD}:[NOW/DAY TO *]",
}


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def last_update(pkg: dict[str, Any]) -> dt.date | None:
    value = pkg.get("release_date")
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def due_date(pkg: dict[str, Any]) -> dt.date | None:
    """The last day by which the entry must have been updated; None if it has no cycle."""
    allowance = ALLOWANCE.get(pkg.get("update_cycle") or "")
    last = last_update(pkg)
    if allowance is None or last is None:
        return None
    months, days = allowance
    return _add_months(last, months) + dt.timedelta(days=days)


def is_overdue(pkg: dict[str, Any], today: dt.date | None = None) -> bool:
    due = due_date(pkg)
    # Today as Solr's NOW has it (UTC), not the site's (workdays.today): an entry's badge and
    # the search facet agree on every entry at every hour.
    return due is not None and due < (today or dt.datetime.now(dt.timezone.utc).date())


def status(pkg: dict[str, Any], today: dt.date | None = None) -> str | None:
    """OVERDUE, ON_TIME, or None for entries without a regular cycle."""
    if due_date(pkg) is None:
        return None
    return OVERDUE if is_overdue(pkg, today) else ON_TIME


def index_value(pkg: dict[str, Any]) -> str | None:
    """The due date as Solr indexes dates."""
    due = due_date(pkg)
    return f"{due.isoformat()}T00:00:00Z" if due else None
