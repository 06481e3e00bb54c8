"""A small public catalog for the portal's page tests (home, search, entry, statistics,
developer, sitemap): two departments, entries open, conditional, overdue, on time, with a
CSV in the DataStore and an API, and entries that must never show (closed, deleted)."""
from __future__ import annotations

import datetime as dt
import io
from typing import Any

from werkzeug.datastructures import FileStorage

from ckan.tests.helpers import call_action

from tests import catalog
from tests.commands import run_jobs

CSV = "区县,人口\n和平区,650000\n沈河区,760000\n".encode("utf-8")
HIDDEN_TITLE = "不予开放的秘密条目"
DELETED_TITLE = "已撤回的旧条目"


def days_ago(n: int) -> str:
    return (dt.date.today() - dt.timedelta(days=n)).isoformat()


def build(admin: dict[str, Any]) -> dict[str, Any]:
    user = {"user": admin["name"]}
    police = catalog.department(name="pg-gat", title="辽宁省公安厅",
                                title_en="Liaoning Public Security Department", image_url="")
    transport = catalog.department(name="pg-jtt", title="辽宁省交通运输厅", image_url="")
    fresh = catalog.create(admin, **catalog.entry(
        police["id"], name="pg-population", title="辽宁省人口统计表",
        title_en="Liaoning population table", notes="按区县统计的常住人口。",
        notes_en="Resident population by district.", update_cycle="monthly",
        release_date=days_ago(10), format_category="file", format_types=["csv"],
        data_items=[{"name": "区县", "name_en": "District", "data_type": "C", "length": 20},
                    {"name": "人口", "name_en": "Population", "data_type": "N", "length": 10}]))
    resource = call_action("resource_create", user, package_id=fresh["id"], name="人口统计",
                           format="CSV", url="population.csv",
                           upload=FileStorage(io.BytesIO(CSV), "population.csv",
                                              content_type="text/csv"))
    call_action("datastore_create", user, resource_id=resource["id"], force=True,
                records=[{"区县": "和平区", "人口": 650000}, {"区县": "沈河区", "人口": 760000}])
    stale = catalog.create(admin, **catalog.entry(
        transport["id"], name="pg-traffic", title="辽宁省道路实时路况", update_cycle="realtime",
        release_date="2024-03-01", classification="2", base_theme_db=["theme-07"],
        resource_code="207001/000901", domain="transport", format_category="api",
        format_types=["api"], data_items=[]))
    call_action("resource_create", user, package_id=stale["id"], name="路况接口",
                format="API", url="https://api.example.org/traffic", resource_type="api")
    conditional = catalog.create(admin, **catalog.entry(
        transport["id"], name="pg-freight", title="辽宁省货运企业名录", update_cycle="yearly",
        release_date=days_ago(30), open_attribute="conditional",
        open_conditions="经部门审核的企业可申请使用", format_category="sheet",
        format_types=["xlsx"]))
    call_action("resource_create", user, package_id=conditional["id"], name="名录",
                format="XLSX")
    irregular = catalog.create(admin, **catalog.entry(
        police["id"], name="pg-notices", title="辽宁省户政公告", update_cycle="irregular",
        release_date="2023-01-05"))
    closed = catalog.create(admin, **catalog.entry(
        police["id"], name="pg-closed", title=HIDDEN_TITLE, open_attribute="closed"))
    deleted = catalog.create(admin, **catalog.entry(police["id"], name="pg-deleted",
                                                    title=DELETED_TITLE))
    call_action("package_delete", user, id=deleted["id"])
    run_jobs()  # the files screened (privacy.py) and their tables loaded: then they are served
    return {"police": police, "transport": transport, "fresh": fresh, "resource": resource,
            "stale": stale, "conditional": conditional, "irregular": irregular,
            "closed": closed, "deleted": deleted,
            "public": ["pg-population", "pg-traffic", "pg-freight", "pg-notices"],
            "hidden": ["pg-closed", "pg-deleted"]}
