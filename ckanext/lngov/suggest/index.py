"""What an entry's Solr document holds for suggestions, English queries and ranking
(the lngov_* fields of schema.xml), added by the portal's before_dataset_index:

- lngov_pinyin / lngov_initials: the title's pinyin and initials from each syllable on
  (terms/pinyin.py), so that renkou or rk suggests 辽宁省人口基础信息库;
- lngov_title_en: the English title, words as written (prefixes and near spellings);
- lngov_title_exact: both titles, normalised, for "an exact title first" (ranking.py);
- lngov_department: the department's Chinese and English names (copied into `text`), so
  that a department's name, or its former name (synonyms), finds its entries;
- lngov_used: how much the entry is used, as a magnitude (log2 of views + downloads),
  for "more used ahead" (ranking.py). It is renewed when it moves (refresh_usage).

A department renamed in the portal has its entries indexed again (reindex_department),
in the background.
"""
from __future__ import annotations

import logging
import math
from typing import Any, Iterable

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.lngov import usage, worker
from ckanext.lngov.dcat import public
from ckanext.lngov.terms import pinyin, synonyms

log = logging.getLogger(__name__)

DOWNLOAD_WEIGHT = 3     # a download says more about use than a view
# The province's name, which every provincial department's carries: it tells nothing about
# an entry (辽宁人口 must find entries about the province's population, not every provincial
# department's entry that mentions 人口). A city's name, which tells the entry's area, stays.
PROVINCE = "辽宁省"


def exact(text: str | None) -> str:
    """A title as the exact-title match compares it: NFKC, lower case, spaces collapsed."""
    return synonyms.normalise(text or "").lower()


def used(views: int, downloads: int) -> int:
    """The magnitude of use: 0 unused, 1 for one view, +1 each time use doubles."""
    score = views + DOWNLOAD_WEIGHT * downloads
    return int(math.log2(score)) + 1 if score > 0 else 0


def fields(title: str | None, title_en: str | None, department: Iterable[str],
           use: int) -> dict[str, Any]:
    """The lngov_* fields of an entry's document."""
    found: dict[str, Any] = {"lngov_used": use}
    if title:
        full, initials = pinyin.suffixes(title)
        if full:
            found["lngov_pinyin"] = full
        if initials:
            found["lngov_initials"] = initials
    if title_en:
        found["lngov_title_en"] = title_en
    found["lngov_title_exact"] = [exact(t) for t in (title, title_en) if t]
    names = [n for n in department if n]
    if names:
        found["lngov_department"] = names
    return found


def _department_names(org_id: str | None) -> list[str]:
    dept = public.departments([org_id]).get(org_id) if org_id else None
    if not dept:
        return []
    title = dept["title"] or ""
    return [title[len(PROVINCE):] if title.startswith(PROVINCE) else title,
            dept.get("title_en") or ""]


def add(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """before_dataset_index: the entry's lngov_* fields, from the database's department
    and counts."""
    counts = usage.counts([pkg_dict["id"]])[pkg_dict["id"]]
    pkg_dict.update(fields(pkg_dict.get("title"),
                           pkg_dict.get("title_en") or pkg_dict.get("extras_title_en"),
                           _department_names(pkg_dict.get("owner_org")),
                           used(counts[usage.VIEW], counts[usage.DOWNLOAD])))
    return pkg_dict


# --- keeping them current ----------------------------------------------------------------

def _indexed(fq: str, fl: str) -> list[dict[str, Any]]:
    """Every document of this site matching fq (its id and the fields fl), in pages."""
    from ckan.lib.search.common import make_connection

    conn = make_connection(decode_dates=False)
    found: list[dict[str, Any]] = []
    site = tk.config.get("ckan.site_id")
    while True:
        page = conn.search(q="*:*", fq=[fq, f'+site_id:"{site}"'], fl="id," + fl,
                           rows=1000, start=len(found), sort="id asc")
        found.extend(page.docs)
        if not page.docs or len(found) >= page.hits:
            return found


def _reindex(ids: list[str]) -> None:
    from ckan.lib.search import commit, rebuild

    if ids:
        # rebuild(package_ids=...) defers every commit whatever defer_commit says: without
        # this one the new documents are searched only after Solr's next soft commit.
        rebuild(package_ids=ids, quiet=True)
        commit()


def reindex_department(org_id: str) -> int:
    """A background job: the department's entries indexed again if their copy of its names
    is not its names now. How many were."""
    names = [n for n in _department_names(org_id) if n]
    stale = [d["id"] for d in _indexed(f'+owner_org:"{org_id}"', "lngov_department")
             if [n for n in d.get("lngov_department", []) if n] != names]
    _reindex(stale)
    log.info("department %s: %d entries indexed again with its names", org_id, len(stale))
    return len(stale)


def department_edited(entity: Any) -> None:
    """IOrganizationController.edit: its entries' names checked in the background."""
    if isinstance(entity, model.Group) and entity.is_organization:
        tk.enqueue_job(reindex_department, [entity.id], queue=worker.LATER,
                       title=f"lngov: department {entity.name} names in the index")


def refresh_usage() -> int:
    """The entries whose magnitude of use moved since they were indexed, indexed again (ckan
    lngov search-usage, hourly): how many."""
    views, downloads = usage.all_counts(usage.VIEW), usage.all_counts(usage.DOWNLOAD)
    stale = [d["id"] for d in _indexed("*:*", "lngov_used")
             if d.get("lngov_used", 0) != used(views.get(d["id"], 0), downloads.get(d["id"], 0))]
    _reindex(stale)
    return len(stale)
