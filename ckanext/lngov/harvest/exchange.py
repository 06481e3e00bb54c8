"""The harvester of the data sharing and exchange platform (数据共享交换平台).

ckanext-harvest's three stages, with the harvest object as the record of what happened:
- gather lists the platform's catalog (harvesters/openapi.yaml) and makes one object per entry;
- fetch reads the entry and decides eligibility before anything is kept: an entry that may
  not be opened keeps only its code and the reason in its object;
- import publishes an eligible entry through package_create / package_update (so every
  catalog rule applies) and withdraws an entry that is no longer eligible.

First slice (issue 4): metadata of open and conditionally open entries, withdrawal. Not yet:
incremental sync, file copies, conflicts with hand-published entries.
"""
from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import quote

import requests

import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestObject

from ckanext.lngov.catalog import uniqueness

log = logging.getLogger(__name__)

OPENABLE = {"open", "conditional"}
# The platform's fields that are the catalog's fields of the same name.
FIELDS = (
    "resource_code", "title", "title_en", "notes", "notes_en", "classification",
    "base_theme_db", "provider_office", "format_category", "format_types", "update_cycle",
    "release_date", "share_type", "share_scope", "share_conditions", "share_basis",
    "share_methods", "usage_purposes", "open_attribute", "open_conditions", "data_items",
    "related_codes", "domain", "contact_email", "contact_phone", "license_id",
)


def ineligibility(entry: dict[str, Any]) -> str | None:
    """Why an entry may not be published, or None when it may."""
    if entry.get("state") in ("withdrawn", "deleted"):
        return f"{entry['state']} at the source"
    if entry.get("secret") == "涉密":
        return "classified (涉密)"
    attribute = entry.get("open_attribute")
    if attribute == "closed":
        return "not open (不予开放)"
    if attribute not in OPENABLE:
        return f"open attribute missing or unknown: {attribute!r}"
    return None


class LngovExchangeHarvester(HarvesterBase):
    def info(self) -> dict[str, str]:
        return {"name": "lngov_exchange", "title": "辽宁省数据共享交换平台",
                "description": "Openable entries of the provincial data sharing and "
                               "exchange platform (harvesters/openapi.yaml)"}

    # --- the platform -----------------------------------------------------------------

    def _get(self, source_url: str, path: str, config: dict[str, Any], **params):
        response = requests.get(
            source_url.rstrip("/") + path, params=params, timeout=config.get("timeout", 30),
            headers={"Authorization": f"Bearer {config.get('token', '')}"})
        response.raise_for_status()
        return response.json()

    def _config(self, source) -> dict[str, Any]:
        try:
            return json.loads(source.config or "{}")
        except ValueError:
            return {}

    def validate_config(self, config: str) -> str:
        parsed = json.loads(config or "{}")
        if not isinstance(parsed, dict) or not parsed.get("token"):
            raise ValueError("config must be a JSON object with the consumer's token")
        return config

    # --- stages -----------------------------------------------------------------------

    def gather_stage(self, harvest_job) -> list[str] | None:
        source = harvest_job.source
        config = self._config(source)
        ids, cursor = [], None
        while True:
            try:
                page = self._get(source.url, "/api/v1/catalog/entries", config,
                                 limit=500, **({"cursor": cursor} if cursor else {}))
            except (requests.RequestException, ValueError) as error:
                self._save_gather_error(f"Listing the platform failed: {error}", harvest_job)
                return None
            for item in page["items"]:
                obj = HarvestObject(guid=item["resource_code"], job=harvest_job,
                                    content=json.dumps(item, ensure_ascii=False))
                obj.save()
                ids.append(obj.id)
            cursor = page.get("next_cursor")
            if not cursor:
                return ids

    def fetch_stage(self, harvest_object) -> bool:
        listed = json.loads(harvest_object.content)
        config = self._config(harvest_object.source)
        reason = ineligibility(listed)
        if reason is None:
            try:
                entry = self._get(harvest_object.source.url, "/api/v1/catalog/entries/"
                                  + quote(listed["resource_code"], safe=""), config)
            except (requests.RequestException, ValueError) as error:
                self._save_object_error(f"Fetching the entry failed: {error}", harvest_object,
                                        "Fetch")
                return False
            reason = ineligibility(entry)
        # Never keep the content of an entry that may not be published.
        harvest_object.content = json.dumps(
            entry if reason is None else {"resource_code": listed["resource_code"],
                                          "ineligible": reason}, ensure_ascii=False)
        harvest_object.save()
        return True

    def import_stage(self, harvest_object) -> bool | str:
        content = json.loads(harvest_object.content)
        previous = model.Session.query(HarvestObject).filter(
            HarvestObject.guid == harvest_object.guid, HarvestObject.current == True  # noqa: E712
        ).first()
        context = {"user": self._get_user_name(), "ignore_auth": True}
        if "ineligible" in content:
            if previous is not None:
                previous.current = False
                previous.save()
                if previous.package_id:
                    tk.get_action("package_delete")(dict(context), {"id": previous.package_id})
                    log.info("withdrew %s: %s", harvest_object.guid, content["ineligible"])
            return "unchanged"
        pkg = {k: content[k] for k in FIELDS if content.get(k) not in (None, "", [])}
        pkg["owner_org"] = self._department(content["provider"], context)
        pkg["name"] = "ex-" + content["resource_code"].replace("/", "-")
        try:
            if previous is not None and previous.package_id:
                pkg["id"] = previous.package_id
                tk.get_action("package_update")(dict(context), pkg)
                package_id = previous.package_id
                previous.current = False
                previous.save()
            else:
                holder = uniqueness.holder(content["resource_code"])
                if holder is not None:
                    # One data, one source: never a duplicate, never an overwrite.
                    self._save_object_error(
                        f"Conflict: {content['resource_code']} 「{content.get('title')}」 of "
                        f"{harvest_object.source.url} is already published as {holder.name} "
                        f"「{holder.title}」", harvest_object, "Import")
                    return False
                package_id = tk.get_action("package_create")(dict(context), pkg)["id"]
        except tk.ValidationError as error:
            self._save_object_error(
                "; ".join(f"{field}: {msgs}" for field, msgs in error.error_dict.items()),
                harvest_object, "Import")
            return False
        harvest_object.package_id = package_id
        harvest_object.current = True
        harvest_object.save()
        return True

    def _department(self, provider: dict[str, Any], context: dict[str, Any]) -> str:
        found = uniqueness.department_with_credit_code(provider["credit_code"])
        if found is not None:
            return found.id
        org = tk.get_action("organization_create")(dict(context), {
            "name": "dept-" + provider["credit_code"].lower(),
            "title": provider["name"], "title_en": provider.get("name_en") or "",
            "credit_code": provider["credit_code"]})
        return org["id"]

