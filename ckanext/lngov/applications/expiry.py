"""The mails no request triggers, sent by `ckan lngov application-mails` (cron, and the loop
scripts/run.sh starts) through the action lngov_application_mails:

- the end of an approval: the day after its end date the applicant's access ends by itself
  (store.granted asks the date); the applicant and the department are told, once;
- a reminder to the department of a pending application near its due date (at most
  ckanext.lngov.applications.near_due_days working days left) or past it, once.

Each mail is recorded in the application's row (migration a1c0de000006) before it is sent,
so repeated or concurrent runs never mail twice; a run that reached nobody clears the record
so that the next one tries again."""
from __future__ import annotations

import datetime

from ckanext.lngov import workdays
from ckanext.lngov.applications import notify, store


def _mail_once(app_id: str, kind: str, event: str, today: datetime.date) -> bool:
    if not store.claim_mail(app_id, kind):
        return False
    if notify.send(event, store.dictize(store.get(app_id), today)) == 0:
        store.unclaim_mail(app_id, kind)
        return False
    return True


def run(today: datetime.date | None = None) -> dict[str, int]:
    """Sends what is due; returns how many applications were mailed of each kind."""
    today = today or workdays.today()
    expired = sum(_mail_once(app_id, "expiry", notify.EXPIRED, today)
                  for app_id in store.ended_unmailed(today))
    reminded = 0
    for row in store.pending_unreminded():
        app = store.dictize(row, today)
        if app["near_due"] or app["overdue"]:
            reminded += _mail_once(row["id"], "reminder", notify.DUE_SOON, today)
    return {"expired": expired, "reminded": reminded}
