"""The platform's catalog: a deterministic provincial catalog of N entries, and its state.

The first entries are the 66 demo entries of ``ckanext/lngov/demo/catalog.yaml`` as they are
(unless ``demo_entries`` is false: the demo portal publishes those by hand, and the same codes
from the platform would be one-data-one-source conflicts); the others are variations of them (per city and year, attributes redrawn), so every entry has
data items that ``make_file`` can fill. Everything derives from ``seed`` and the entry's index:
the same arguments always give the same catalog, codes, timestamps and file bytes.

Release dates (发布日期, the entries' last update) follow ``today`` (by default the UTC date,
as the portal's freshness check has it): each entry's age is drawn from its seed and index
against its update cycle, so that most entries are on time and about one in six is overdue,
the same entries on any day.

File bytes are generated lazily (on the first request of an entry's detail or file) and cached.
"""
from __future__ import annotations

import copy
import csv
import datetime as dt
import hashlib
import io
import json
import random
import threading
from collections import Counter
from typing import Any

from ckanext.lngov.catalog import freshness
from ckanext.lngov.catalog.codes import CODES_FILE
from ckanext.lngov.demo.files import AS_OF, CITIES, load_catalog, load_yaml, make_file

CITY_EN = ["Shenyang", "Dalian", "Anshan", "Fushun", "Benxi", "Dandong", "Jinzhou", "Yingkou",
           "Fuxin", "Liaoyang", "Panjin", "Tieling", "Chaoyang", "Huludao"]

MEDIA_TYPES = {
    "CSV": "text/csv",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "JSON": "application/json",
    "API": "application/json",
}
OPENABLE = ("open", "conditional")
STATES = ("active", "withdrawn", "deleted")
SECRET_BASIS = "依据《中华人民共和国保守国家秘密法》，该信息资源涉及国家秘密，不予共享、不予开放。"
API_BASE = "https://dsep.ln.gov.cn/service/v1"
# The share of entries with a regular update cycle whose last update is past its due date.
OVERDUE_SHARE = 0.16


def stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)


def _pool(entries: list[dict], key: str) -> list[str]:
    return sorted({e[key].strip() for e in entries if e.get(key, "").strip()})


class Catalog:
    """The entries (by resource code), their distributions and the files' bytes."""

    def __init__(self, entries: int = 500, seed: int = 0, demo_entries: bool = True,
                 today: dt.date | None = None):
        self.size, self.seed, self.demo_entries = entries, seed, demo_entries
        self.today = today or dt.datetime.now(dt.timezone.utc).date()
        # The entries' last changes are before today; a change made now comes after them.
        self.latest_modified = dt.datetime.combine(self.today, dt.time(0),
                                                   tzinfo=dt.timezone.utc)
        self.lock = threading.RLock()
        self.codes = load_yaml(CODES_FILE)
        departments, self.templates = load_catalog()
        self.departments = {d["name"]: d for d in departments}
        self.entries: dict[str, dict] = {}
        self.order: list[str] = []           # resource codes in generation order
        self.distributions: dict[str, tuple[str, int]] = {}  # id -> (resource code, index)
        self._files: dict[str, tuple[str, bytes]] = {}
        self._sorted: list[tuple[str, str]] | None = None
        self._last_stamp = self.latest_modified
        self._generate()

    # ------------------------------------------------------------------ generation

    def _generate(self) -> None:
        public = [t for t in self.templates if t["open_attribute"] in OPENABLE and t.get("resources")]
        pools = {k: _pool(self.templates, k) for k in
                 ("share_scope", "share_conditions", "share_basis", "open_conditions")}
        variants: Counter = Counter()
        for i in range(self.size):
            rng = random.Random(f"lngov-exchange#{self.seed}#{i}")
            if self.demo_entries and i < len(self.templates):
                entry = copy.deepcopy(self.templates[i])
                template = self.templates[i]
                entry["secret"] = "非涉密"
            else:
                roll = rng.random()
                if roll < 0.02:
                    kind = "secret"
                elif roll < 0.035:
                    kind = None          # missing open attribute
                elif roll < 0.05:
                    kind = "unknown"     # a value outside the codes
                elif roll < 0.37:
                    kind = "closed"
                elif roll < 0.50:
                    kind = "conditional"
                else:
                    kind = "open"
                template = rng.choice(public if kind in OPENABLE else self.templates)
                variants[template["resource_code"]] += 1
                entry = self._variant(template, variants[template["resource_code"]], kind, rng, pools)
            entry["release_date"] = self._release_date(entry, i)
            entry["modified"] = self._initial_modified(entry, rng)
            entry["state"] = "active"
            entry["_template"] = template
            entry["_touches"] = 0
            entry["distributions"] = self._plan_distributions(entry, template, rng, i)
            code = entry["resource_code"]
            assert code not in self.entries, code
            self.entries[code] = entry
            self.order.append(code)

    def _variant(self, template: dict, variant: int, kind: str | None, rng: random.Random,
                 pools: dict[str, list[str]]) -> dict:
        e = copy.deepcopy(template)
        city_index = (variant - 1) % len(CITIES)
        edition = (variant - 1) // len(CITIES)
        city, city_en = CITIES[city_index]["name"], CITY_EN[city_index]
        year = AS_OF.year - edition

        def zh(text: str) -> str:
            text = text.replace("辽宁省", city).replace("全省", "全市")
            return text if city in text else city + text

        e["title"] = zh(template["title"]) + (f"（{year}年度）" if edition else "")
        en = template.get("title_en") or ""
        if en:
            en = en.replace("Liaoning Province", city_en).replace("Liaoning", city_en)
            if city_en not in en:
                en = f"{en} ({city_en})"
            e["title_en"] = en + (f", {year}" if edition else "")
        e["notes"] = zh(template["notes"])
        if e.get("notes_en"):
            e["notes_en"] = e["notes_en"].replace("Liaoning", city_en)
        e["name"] = f"{template['name']}-{city_en.lower()}-{variant}"
        prefix, seq = template["resource_code"].split("/")
        e["resource_code"] = f"{prefix}/{variant * 1000 + int(seq):06d}"
        release = dt.date.fromisoformat(str(template["release_date"])) + dt.timedelta(
            days=rng.randint(0, 400))
        e["release_date"] = min(release, AS_OF).isoformat()
        e["secret"] = "非涉密"
        openable = kind in OPENABLE
        # sharing
        if kind == "secret":
            share = "none"
        elif openable or kind != "closed":   # rule 4: only closed entries may be unshared
            share = "conditional" if rng.random() < 0.3 else "unconditional"
        else:
            share = rng.choices(["unconditional", "conditional", "none"], [35, 40, 25])[0]
        e["share_type"] = share
        e["share_scope"] = e["share_conditions"] = e["share_basis"] = ""
        if share == "conditional":
            e["share_scope"] = template["share_scope"] or rng.choice(pools["share_scope"])
            e["share_conditions"] = template["share_conditions"] or rng.choice(pools["share_conditions"])
        elif share == "none":
            e["share_basis"] = SECRET_BASIS if kind == "secret" else (
                template["share_basis"] or rng.choice(pools["share_basis"]))
        methods = [m["value"] for m in self.codes["share_methods"]]
        chosen = set(rng.sample(methods, rng.randint(1, len(methods))))
        e["share_methods"] = [m for m in methods if m in chosen]
        # opening
        e["open_conditions"] = ""
        if kind == "secret":
            e["secret"] = "涉密"
            e["open_attribute"] = "closed"
        else:
            e["open_attribute"] = kind
        if kind == "conditional":
            e["open_conditions"] = template["open_conditions"] or rng.choice(pools["open_conditions"])
        e["related_codes"] = [template["resource_code"]]
        e.pop("resources", None)
        e["resources"] = copy.deepcopy(template.get("resources") or [])
        for r in e["resources"]:
            r["name"] = zh(r.get("name") or template["title"])
        return e

    def _release_date(self, entry: dict, index: int) -> str:
        """A date before today, on time for the entry's cycle or (OVERDUE_SHARE) past its due
        date; an entry without a regular cycle anywhere in the last two years. A generator
        of its own, so that the other draws stay as they were."""
        rng = random.Random(f"lngov-exchange-release#{self.seed}#{index}")
        overdue = rng.random() < OVERDUE_SHARE
        fraction = rng.random()
        # Days from the last update to the due date (grace included), about.
        allowance = freshness.ALLOWANCE.get(entry.get("update_cycle") or "")
        if allowance is None:
            return (self.today - dt.timedelta(days=1 + int(fraction * 730))).isoformat()
        months, days = allowance
        span = months * 30 + days
        if overdue:
            age = span + 3 + int(fraction * (span + 60))
        else:
            age = 1 + int(fraction * max(span - 3, 1))
        day = self.today - dt.timedelta(days=age)
        pkg = {"update_cycle": entry["update_cycle"], "release_date": day.isoformat()}
        while freshness.is_overdue(pkg, self.today) != overdue:   # months are not 30 days
            day += dt.timedelta(days=-1 if overdue else 1)
            pkg["release_date"] = day.isoformat()
        return day.isoformat()

    def _initial_modified(self, entry: dict, rng: random.Random) -> str:
        start = dt.datetime.combine(dt.date.fromisoformat(str(entry["release_date"])), dt.time(0),
                                    tzinfo=dt.timezone.utc)
        span = int((self.latest_modified - start).total_seconds())
        return stamp(start + dt.timedelta(seconds=rng.randint(0, max(span, 0))))

    def _plan_distributions(self, entry: dict, template: dict, rng: random.Random, index: int) -> list[dict]:
        """Distribution metadata (no bytes yet). Kept for every entry with a data file; shown
        only while the entry is openable."""
        resources = entry.get("resources") or []
        if not resources:
            return []
        code = entry["resource_code"]
        base = resources[0]
        fmt = str(base.get("format", "CSV")).upper()
        if index >= len(self.templates) and rng.random() < 0.3:
            fmt = "XLSX" if fmt == "CSV" else "CSV"
        plans = [dict(kind="file", title=base.get("name") or entry["title"], format=fmt)]
        extra = rng.random()
        if extra < 0.25:
            plans.append(dict(kind="file", title=f"{entry['title']}（JSON）", format="JSON"))
        elif extra < 0.5:
            plans.append(dict(kind="api", title=f"{entry['title']}查询接口", format="API"))
        out = []
        for k, plan in enumerate(plans):
            did = hashlib.sha1(f"{code}#{k}".encode()).hexdigest()[:20]
            plan.update(id=did, media_type=MEDIA_TYPES[plan["format"]])
            if plan["kind"] == "api":
                plan["endpoint_url"] = f"{API_BASE}/{did}"
            self.distributions[did] = (code, k)
            out.append(plan)
        return out

    # ------------------------------------------------------------------ files

    def file(self, distribution_id: str) -> tuple[str, bytes]:
        """(filename, bytes) of a file distribution, generated once."""
        with self.lock:
            if distribution_id in self._files:
                return self._files[distribution_id]
            code, k = self.distributions[distribution_id]
            entry = self.entries[code]
            plan = entry["distributions"][k]
        source = {k2: v for k2, v in entry.items() if not k2.startswith("_")}
        if plan["format"] == "JSON":
            resource = {"name": plan["title"], "format": "CSV"}
            _, raw = make_file(source, resource)
            rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
            body = json.dumps({"resource_code": code, "title": entry["title"], "rows": rows},
                              ensure_ascii=False, indent=1).encode("utf-8")
            result = (f"{entry['name']}.json", body)
        else:
            result = make_file(source, {"name": plan["title"], "format": plan["format"]})
        with self.lock:
            self._files[distribution_id] = result
        return result

    # ------------------------------------------------------------------ views

    def openable(self, entry: dict) -> bool:
        return entry.get("open_attribute") in OPENABLE and entry.get("secret") != "涉密"

    def sorted_keys(self) -> list[tuple[str, str]]:
        with self.lock:
            if self._sorted is None:
                self._sorted = sorted((e["modified"], c) for c, e in self.entries.items())
            return self._sorted

    def list_item(self, entry: dict) -> dict:
        return dict(resource_code=entry["resource_code"], name=entry["title"],
                    modified=entry["modified"], state=entry["state"],
                    open_attribute=entry.get("open_attribute"))

    def detail(self, code: str) -> dict:
        entry = self.entries[code]
        dept = self.departments[entry["owner_org"]]
        out: dict[str, Any] = {}
        for key in ("resource_code", "title", "title_en", "notes", "notes_en", "classification",
                    "base_theme_db"):
            out[key] = entry.get(key) or ([] if key == "base_theme_db" else "")
        out["provider"] = dict(credit_code=dept["credit_code"], name=dept["title"],
                               name_en=dept.get("title_en", ""))
        for key in ("provider_office", "format_category", "format_types", "update_cycle",
                    "release_date", "share_type", "share_scope", "share_conditions", "share_basis",
                    "share_methods", "usage_purposes", "open_attribute", "open_conditions"):
            out[key] = entry.get(key)
        out["release_date"] = str(entry["release_date"])
        out["usage_purposes"] = entry.get("usage_purposes") or []
        out["data_items"] = [
            {"name": i["name"], "name_en": i.get("name_en", ""), "data_type": i["data_type"],
             "length": i.get("length"), "description": i.get("description", "")}
            for i in entry.get("data_items") or []]
        for key in ("related_codes",):
            out[key] = entry.get(key) or []
        for key in ("domain", "contact_email", "contact_phone", "license_id", "secret",
                    "modified", "state"):
            out[key] = entry.get(key)
        out["distributions"] = []
        if self.openable(entry):
            for plan in entry["distributions"]:
                d = dict(id=plan["id"], kind=plan["kind"], title=plan["title"], format=plan["format"],
                         media_type=plan["media_type"], byte_size=None, checksum=None,
                         download_path=None, endpoint_url=None)
                if plan["kind"] == "file":
                    _, body = self.file(plan["id"])
                    d.update(byte_size=len(body),
                             checksum=dict(algorithm="sha256", value=hashlib.sha256(body).hexdigest()),
                             download_path=f"/api/v1/files/{plan['id']}")
                else:
                    d["endpoint_url"] = plan["endpoint_url"]
                out["distributions"].append(d)
        return out

    # ------------------------------------------------------------------ changes

    def _bump(self, entry: dict) -> None:
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        self._last_stamp = max(now, self._last_stamp + dt.timedelta(seconds=1))
        entry["modified"] = stamp(self._last_stamp)
        self._sorted = None

    def touch(self, code: str, title: str | None = None) -> dict:
        with self.lock:
            entry = self.entries[code]
            entry["_touches"] += 1
            base = entry.setdefault("_base_title", entry["title"])
            entry["title"] = title or f"{base}（第{entry['_touches']}次更新）"
            self._bump(entry)
            return entry

    def set_state(self, code: str, state: str) -> dict:
        assert state in STATES
        with self.lock:
            entry = self.entries[code]
            entry["state"] = state
            self._bump(entry)
            return entry

    def set_open_attribute(self, code: str, value: str | None) -> dict:
        with self.lock:
            entry = self.entries[code]
            entry["open_attribute"] = value
            if value == "conditional" and not entry.get("open_conditions"):
                entry["open_conditions"] = "经平台实名注册后在线申请，经提供部门审核同意后使用。"
            if value != "conditional":
                entry["open_conditions"] = ""
            if value in OPENABLE and entry.get("share_type") == "none":
                entry["share_type"], entry["share_basis"] = "unconditional", ""
            self._bump(entry)
            return entry

    def summary(self) -> dict:
        entries = list(self.entries.values())
        return dict(
            entries=len(entries),
            classification=dict(Counter(e["classification"] for e in entries)),
            base_theme_db=dict(Counter(b for e in entries for b in e.get("base_theme_db") or [])),
            share_type=dict(Counter(e["share_type"] for e in entries)),
            share_methods=dict(Counter(m for e in entries for m in e["share_methods"])),
            open_attribute=dict(Counter(str(e.get("open_attribute")) for e in entries)),
            secret=dict(Counter(e["secret"] for e in entries)),
            openable=sum(1 for e in entries if self.openable(e)),
            state=dict(Counter(e["state"] for e in entries)),
            departments=len({e["owner_org"] for e in entries}),
            distributions=dict(Counter(d["format"] for e in entries if self.openable(e)
                                       for d in e["distributions"])),
        )
