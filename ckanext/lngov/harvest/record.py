"""The harvest objects as the record of what happened, and what the next job reads from it.

Each object carries the platform's `modified` of the entry (metadata_modified_date) and its
outcome (an extra): added, updated, unchanged, withdrawn, refused, not_open or error; and,
for each file of the entry that the personal-information gate held back, an import error
naming the file, columns and rows and a `held_back` extra (the resource's id).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from ckan import model
from ckanext.harvest.model import (HarvestGatherError, HarvestObject, HarvestObjectError,
                                   HarvestObjectExtra)
from sqlalchemy import func, text

from ckanext.lngov.lang import site_translations

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
    report[HELD_BACK] = model.Session.query(HarvestObjectExtra).join(
        HarvestObject, HarvestObject.id == HarvestObjectExtra.harvest_object_id).filter(
        HarvestObject.harvest_job_id == job_id, HarvestObjectExtra.key == HELD_BACK).count()
    return report


HELD_BACK = "held_back"


def held_back(resource: model.Resource, findings: list[dict[str, Any]]) -> None:
    """Puts a file the personal-information gate quarantined (tables/load.py `held_back`) on
    the report of the job whose import published it (the entry's current object), once per
    file: the table job runs after the harvest job has ended, and the entry itself stays
    published. Nothing for a file that was not harvested."""
    obj = model.Session.query(HarvestObject).filter(
        HarvestObject.package_id == resource.package_id,
        HarvestObject.current == True).first()  # noqa: E712
    if obj is None or any(e.key == HELD_BACK and e.value == resource.id for e in obj.extras):
        return
    texts = site_translations()   # a background job: the site's language
    kinds = {"resident_id": texts.gettext("resident ID numbers"),
             "mobile": texts.gettext("mobile phone numbers"),
             "bank_card": texts.gettext("bank card numbers")}
    found = texts.gettext("; ").join(
        texts.gettext("column {column}: {count} {kind}, rows {rows}").format(
            column=hit["column"], count=hit["count"], kind=kinds.get(hit["kind"], hit["kind"]),
            rows=", ".join(map(str, hit["rows"])) + ("…" if hit["count"] > len(hit["rows"])
                                                     else ""))
        for hit in findings)
    message = texts.gettext(
        "Personal information: the file {file} ({name}, resource {id}) of this entry is held "
        "back: not served, not in the Data API nor in the machine-readable catalog until a "
        "sysadmin releases it after review. The entry's metadata is published. Found: "
        "{found}").format(file=(resource.url or "").rsplit("/", 1)[-1], name=resource.name,
                          id=resource.id, found=found)
    model.Session.add(HarvestObjectError(object=obj, stage="Import", message=message))
    obj.extras.append(HarvestObjectExtra(key=HELD_BACK, value=resource.id))
    model.Session.flush()
