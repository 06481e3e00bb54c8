"""The harvest objects as the record of what happened, and what the next job reads from it.

Each object carries the platform's `modified` of the entry (metadata_modified_date) and its
outcome (an extra): added, updated, unchanged, withdrawn, refused, not_open or error.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from ckan import model
from ckanext.harvest.model import HarvestGatherError, HarvestObject, HarvestObjectExtra
from sqlalchemy import func, text

OUTCOMES = ("added", "updated", "unchanged", "withdrawn", "refused", "not_open", "error")


class Last(NamedTuple):
    modified: dt.datetime | None
    state: str


def latest(source_id: str) -> dict[str, Last]:
    """Per resource code, the state and platform `modified` of its last object."""
    rows = model.Session.execute(text(
        "SELECT DISTINCT ON (guid) guid, metadata_modified_date, state FROM harvest_object "
        "WHERE harvest_source_id = :source ORDER BY guid, gathered DESC, id DESC"),
        {"source": source_id})
    return {guid: Last(modified, state) for guid, modified, state in rows}


def resume_point(source_id: str) -> str | None:
    """Where the next listing starts: the newest `modified` recorded. The platform lists in
    `modified` order, so everything older has an object; what failed is retried apart."""
    newest = model.Session.query(func.max(HarvestObject.metadata_modified_date)).filter(
        HarvestObject.harvest_source_id == source_id).scalar()
    return newest.strftime("%Y-%m-%dT%H:%M:%SZ") if newest else None


def parse_modified(text_value: Any) -> dt.datetime | None:
    if not isinstance(text_value, str):
        return None
    try:
        when = dt.datetime.fromisoformat(text_value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return when


def set_outcome(obj: HarvestObject, outcome: str) -> None:
    assert outcome in OUTCOMES, outcome
    for extra in obj.extras:
        if extra.key == "outcome":
            extra.value = outcome
            return
    obj.extras.append(HarvestObjectExtra(key="outcome", value=outcome))


def counts(job_id: str) -> dict[str, int]:
    """The job's report: how many entries had each outcome, and the listing errors."""
    rows = model.Session.query(HarvestObjectExtra.value, func.count()).join(
        HarvestObject, HarvestObject.id == HarvestObjectExtra.harvest_object_id).filter(
        HarvestObject.harvest_job_id == job_id, HarvestObjectExtra.key == "outcome").group_by(
        HarvestObjectExtra.value).all()
    report = dict.fromkeys(OUTCOMES, 0)
    report.update({value: n for value, n in rows})
    report["listing_errors"] = model.Session.query(HarvestGatherError).filter(
        HarvestGatherError.harvest_job_id == job_id).count()
    return report
