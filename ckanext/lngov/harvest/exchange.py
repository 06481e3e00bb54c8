"""The harvester of the data sharing and exchange platform (数据共享交换平台).

ckanext-harvest's three stages, with the harvest object as the record of what happened
(record.py):
- gather lists what changed since the newest entry recorded (one listing call when nothing
  did) and makes one object per changed entry, plus one per entry whose last attempt did not
  complete, so every job converges;
- fetch reads the entry and decides eligibility before anything is kept: an entry that may
  not be opened keeps only its code and the reason in its object;
- import copies the files of an open entry (checksums checked), publishes through
  package_create / package_update, so every catalog rule applies, and withdraws an entry
  that stopped being eligible from every surface.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import uuid
from contextlib import contextmanager
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestObject
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from ckanext.lngov.catalog import codes, uniqueness
from . import credentials, datastore, files, index, mapping, record
from .activity import activity_from_answer
from .platform import Gone, Platform, PlatformError

log = logging.getLogger(__name__)

HARVEST_USER = "exchange-harvest"


def ineligibility(entry: dict[str, Any]) -> str | None:
    """Why an entry may not be published, or None when it may."""
    if entry.get("state") in ("withdrawn", "deleted"):
        return f"{entry['state']} at the source"
    if entry.get("secret") == "涉密":
        return "classified (涉密)"
    attribute = entry.get("open_attribute")
    if attribute == codes.CLOSED:
        return "not open (不予开放)"
    if attribute not in codes.OPEN_ATTRIBUTES:
        return f"open attribute missing or unknown: {attribute!r}"
    return None


@contextmanager
def deferred_solr_commit():
    """Index without a commit per dataset: Solr's autoSoftCommit shows the changes within
    seconds, and a one-shot run commits once at its end."""
    previous = tk.config.get("ckan.search.solr_commit")
    tk.config["ckan.search.solr_commit"] = False
    try:
        yield
    finally:
        tk.config["ckan.search.solr_commit"] = previous


class _Savepoint:
    def __init__(self):
        self.transaction = model.Session.begin_nested()
        # CKAN's record of what the transaction changed (indexed at commit, model/meta.py):
        # what the savepoint undoes must not be indexed.
        cache = getattr(model.Session(), "_object_cache", None)
        self.cache = {k: set(v) for k, v in cache.items()} if cache else None
        self.undone = False

    def undo(self) -> bool:
        """Undoes the entry's writes; False when the whole transaction was rolled back
        already (CKAN's package_create / package_update do so when they refuse)."""
        undone_alone = self.transaction.is_active
        if undone_alone:
            self.transaction.rollback()
        session = model.Session()
        if self.cache is None or not undone_alone:
            session.__dict__.pop("_object_cache", None)
        else:
            session._object_cache = self.cache
        self.undone = True
        return undone_alone


class BatchUndone(Exception):
    """A refusal rolled back the whole transaction of a batch, not only its entry."""


@contextmanager
def entry_savepoint():
    """One entry's writes under a savepoint, so that its refusal (or failure) undoes them and
    nothing else of the transaction: the entries written before it in the same batch stay."""
    savepoint = _Savepoint()
    try:
        yield savepoint
    except BaseException:
        if not savepoint.undone:
            savepoint.undo()
        raise
    if not savepoint.undone and savepoint.transaction.is_active:
        savepoint.transaction.commit()


class LngovExchangeHarvester(HarvesterBase):
    # Each entry written under a savepoint and committed by the stage runner: the one-shot
    # run (run.py) imports several in one transaction.
    batched = True

    def info(self) -> dict[str, str]:
        return {"name": "lngov_exchange", "title": "辽宁省数据共享交换平台",
                "description": "Openable entries of the provincial data sharing and "
                               "exchange platform (sample_platform/openapi.yaml)"}

    # --- configuration ------------------------------------------------------------------

    def validate_config(self, config: str) -> str:
        try:
            parsed = json.loads(config or "{}")
        except ValueError as error:
            raise ValueError(tk._("config is not JSON: {error}").format(error=error))
        if not isinstance(parsed, dict):
            raise ValueError(tk._("config must be a JSON object"))
        credentials.refuse_secrets(parsed)
        timeout = parsed.get("timeout", 30)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            raise ValueError(tk._("timeout must be a positive number of seconds"))
        if not isinstance(parsed.get("datastore", True), bool):
            raise ValueError(tk._("datastore must be true or false"))
        return config

    def _config(self, source) -> dict[str, Any]:
        try:
            config = json.loads(source.config or "{}")
        except ValueError:
            config = {}
        return config if isinstance(config, dict) else {}

    def _platform(self, source) -> Platform:
        """The source's platform client, one per process and job (its HTTP connections
        reused from one entry to the next; never across a fork, nor into the next job, which
        reads the source's address, token and timeout again)."""
        key = (os.getpid(), source.id, self._job_id)
        if self._platforms.get(key) is None:
            pkg = model.Package.get(source.id)
            name = pkg.name if pkg is not None else source.id
            token = credentials.token(name)
            if token is None:
                raise PlatformError(credentials.missing_message(name))
            self._platforms = {key: Platform(source.url, token,
                                             float(self._config(source).get("timeout", 30)))}
        return self._platforms[key]

    _platforms: dict = {}
    _job_id: str | None = None
    _departments: dict = {}
    _user_known: tuple | None = None

    def _for_job(self, obj) -> None:
        """What is kept for one job only (platform client, departments) starts afresh with
        each job."""
        if obj.harvest_job_id != self._job_id:
            self._job_id = obj.harvest_job_id
            self._platforms, self._departments = {}, {}

    def _get_user_name(self) -> str:
        """The harvest acts as a user of its own, not the site user, so its changes show in
        the activity streams (CKAN hides the site user's) as coming from the platform."""
        name = tk.config.get("ckanext.harvest.user_name") or HARVEST_USER
        if self._user_known == (self._job_id, name):
            return name
        if model.User.get(name) is None:
            user = model.User(name=name, fullname="数据共享交换平台采集 Exchange platform harvest",
                              password=secrets.token_urlsafe(32), sysadmin=True)
            model.Session.add(user)
            model.Session.commit()
        if self._job_id is not None:
            self._user_known = (self._job_id, name)   # looked up once a job
        return name

    def _context(self) -> dict[str, Any]:
        return {"user": self._get_user_name(), "ignore_auth": True}

    # --- gather -------------------------------------------------------------------------

    def gather_stage(self, harvest_job) -> list[str]:
        self._job_id, self._platforms, self._departments = harvest_job.id, {}, {}
        self._get_user_name()   # made once, before fetch consumers or workers need it
        source = harvest_job.source
        known = record.latest(source.id)
        since = record.resume_point(source.id)
        ids: list[str] = []
        listed: set[str] = set()
        try:
            for page in self._platform(source).listing(since):
                for item in page:
                    code = item["resource_code"]
                    last = known.get(code)
                    modified = record.parse_modified(item["modified"])
                    if code in listed or (last is not None and last.state == "COMPLETE"
                                          and last.modified == modified):
                        continue
                    listed.add(code)
                    ids.append(self._object(harvest_job, code, modified, {
                        k: item.get(k) for k in ("resource_code", "modified", "state",
                                                 "open_attribute")}))
        except PlatformError as error:
            self._save_gather_error(
                f"Listing the platform failed: {error}. What was listed before the failure "
                f"is harvested; the next job lists again from there.", harvest_job)
        # An entry whose last attempt failed or never finished is tried again.
        for code, last in known.items():
            if code not in listed and last.state != "COMPLETE":
                ids.append(self._object(harvest_job, code, None,
                                        {"resource_code": code, "retry": True}))
        return ids

    def _object(self, job, code: str, modified, content: dict[str, Any]) -> str:
        # Written with the job's gather record in one commit (ckanext-harvest's gather_stage
        # saves the job at its end; on an error it deletes the job's objects), not one by one.
        obj = HarvestObject(id=str(uuid.uuid4()), guid=code, job=job,
                            metadata_modified_date=modified,
                            content=json.dumps(content, ensure_ascii=False))
        obj.add()
        return obj.id

    # --- fetch --------------------------------------------------------------------------

    def fetch_stage(self, harvest_object) -> bool:
        self._for_job(harvest_object)
        listed = json.loads(harvest_object.content)
        code = harvest_object.guid
        reason = None if listed.get("retry") else ineligibility(listed)
        entry = None
        if reason is None:
            try:
                entry = self._platform(harvest_object.source).entry(code)
            except Gone:
                reason = "deleted at the source"
            except PlatformError as error:
                return self._fail(harvest_object, f"Fetching the entry failed: {error}",
                                  "Fetch")
            else:
                reason = ineligibility(entry)
                harvest_object.metadata_modified_date = record.parse_modified(
                    entry.get("modified"))
        # Never keep the content of an entry that may not be published.
        harvest_object.content = json.dumps(
            entry if reason is None else {"resource_code": code, "ineligible": reason},
            ensure_ascii=False)
        harvest_object.add()   # committed by the stage runner with the fetch's end
        return True

    # --- import -------------------------------------------------------------------------

    def import_stage(self, harvest_object) -> bool | str:
        self._for_job(harvest_object)
        content = json.loads(harvest_object.content)
        with deferred_solr_commit():
            if "ineligible" in content:
                return self._withdraw(harvest_object, content["ineligible"])
            return self._publish(harvest_object, content)

    def _publish(self, obj, entry: dict[str, Any]) -> bool:
        source_id, code = obj.harvest_source_id, entry["resource_code"]
        package_id = mapping.dataset_id(source_id, code)
        holder = uniqueness.holder(code, except_id=package_id)
        if holder is not None:
            # One data, one source: never a duplicate, never an overwrite.
            # Settled until the entry changes at the source: not retried every job.
            held = uniqueness.message(code, holder, {"user": ""})
            self._fail(obj, f"Conflict: {code} 「{entry.get('title')}」 of {obj.source.url} "
                            f"is not published: {held}", "Import", "refused")
            return "unchanged"
        existing = model.Package.get(package_id)
        live = existing is not None and existing.state == "active"
        before = {r.id: r for r in existing.resources} if existing else {}
        context = self._context()
        try:
            copies = self._copy_files(obj, entry, before if live else {})
            pkg = mapping.dataset(entry, source_id, self._department(entry["provider"], context),
                                  copies)
        except PlatformError as error:
            return self._fail(obj, str(error), "Import")
        # The object becomes current in the same transaction as the dataset: a job that dies
        # half-way leaves either both or neither. The dataset is committed with the object's
        # end (the stage runner's commit): in the one-shot run, with the other entries of its
        # batch. A savepoint per entry: a refused entry is undone alone.
        with entry_savepoint() as savepoint:
            for previous in model.Session.query(HarvestObject).filter(
                    HarvestObject.guid == code, HarvestObject.harvest_source_id == source_id,
                    HarvestObject.current == True):  # noqa: E712
                previous.current = False
            obj.package_id, obj.current = package_id, True
            model.Session.execute(text("SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED"))
            model.Session.flush()
            # A new dataset is committed with the batch (defer_commit; indexed below with the
            # write's own answer). An update commits at once: CKAN 2.12's package_update
            # with defer_commit rolls its own savepoint back (logic/action/update.py: the
            # `else` of `if not defer_commit` is "No update"), so it cannot be deferred.
            deferred = existing is None
            try:
                # the activity records the write's own answer, and so does the index
                with activity_from_answer(), index.shown() as shown:
                    tk.get_action("package_update" if existing else "package_create")(
                        dict(context, defer_commit=deferred), pkg)
            except tk.ValidationError as error:
                if not savepoint.undo() and index.gathering():
                    raise BatchUndone(code) from error   # the run redoes it entry by entry
                return self._fail(obj, "; ".join(
                    f"{field}: {' '.join(map(str, msgs)) if isinstance(msgs, list) else msgs}"
                    for field, msgs in error.error_dict.items()), "Import", "refused")
            if deferred:
                index.package(shown)   # defer_commit leaves the index to the caller
        for served_no_more in set(before) - set(copies):
            # removed at the source, or the entry is no longer unconditionally open
            datastore.drop(context, served_no_more)
            files.remove(served_no_more)
        record.set_outcome(obj, "updated" if live else "added")
        obj.add()   # committed by the stage runner with the import's end
        return True

    def _copy_files(self, obj, entry: dict[str, Any], before: dict) -> dict[str, tuple[int, str]]:
        """Copies the files of an open entry that the portal does not hold yet."""
        copies, platform = {}, None
        for distribution in entry.get("distributions") or []:
            if not mapping.is_copied(entry, distribution):
                continue
            rid = mapping.resource_id(obj.harvest_source_id, distribution["id"])
            held = before.get(rid)
            if held is not None and held.state == "active" and \
                    held.hash == (distribution.get("checksum") or {}).get("value") and \
                    files.exists(rid):
                copies[rid] = (held.size, held.hash)
                continue
            platform = platform or self._platform(obj.source)
            copies[rid] = files.copy(platform, distribution, rid)
        return copies

    def _withdraw(self, obj, reason: str) -> bool | str:
        package_id = mapping.dataset_id(obj.harvest_source_id, obj.guid)
        pkg = model.Package.get(package_id)
        if pkg is None:
            record.set_outcome(obj, "not_open")
            obj.add()   # committed by the stage runner with the import's end
            return "unchanged"
        context = self._context()
        # Everything goes: the tables, the dataset (page, search, API, DCAT), then the files.
        resource_ids = [r.id for r in pkg.resources]
        for rid in resource_ids:
            datastore.drop(context, rid)
        was_public = pkg.state == "active"
        if was_public:
            tk.get_action("package_delete")(dict(context), {"id": package_id})
        for rid in resource_ids:
            files.remove(rid)
        for previous in model.Session.query(HarvestObject).filter(
                HarvestObject.guid == obj.guid,
                HarvestObject.harvest_source_id == obj.harvest_source_id,
                HarvestObject.current == True):  # noqa: E712
            previous.current = False
        obj.package_id, obj.current = package_id, False
        record.set_outcome(obj, "withdrawn" if was_public else "not_open")
        obj.add()   # committed by the stage runner with the import's end
        log.info("withdrew %s: %s", obj.guid, reason)
        return True if was_public else "unchanged"

    # --- helpers ------------------------------------------------------------------------

    def _fail(self, obj, message: str, stage: str, outcome: str = "error") -> bool:
        self._save_object_error(message, obj, stage)
        record.set_outcome(obj, outcome)
        obj.save()
        return False

    def _department(self, provider: dict[str, Any], context: dict[str, Any]) -> str:
        """The department of the credit code, found once a job (and process): a department
        deleted meanwhile fails the entry's owner_org check, as it would without this."""
        code = provider["credit_code"]
        if code not in self._departments:
            self._departments[code] = self._find_or_create_department(provider, context)
        return self._departments[code]

    def _find_or_create_department(self, provider: dict[str, Any],
                                   context: dict[str, Any]) -> str:
        found = uniqueness.department_with_credit_code(provider["credit_code"])
        if found is not None:
            return found.id
        try:
            return tk.get_action("organization_create")(dict(context), {
                "name": "dept-" + provider["credit_code"].lower(),
                "title": provider["name"], "title_en": provider.get("name_en") or "",
                "credit_code": provider["credit_code"]})["id"]
        except (tk.ValidationError, IntegrityError):
            # Another worker of the job created it a moment ago: committed before our name
            # check (ValidationError), or after it (the database's unique name refuses ours).
            model.Session.rollback()
            found = uniqueness.department_with_credit_code(provider["credit_code"])
            if found is None:
                raise
            return found.id
