"""Suggestions for what is being typed in a search box: entries, departments and themes.

Entries come from the same Solr index the search uses, asked as an anonymous visitor
asks (CKAN's permission labels for nobody, and the public catalog's own filter,
dcat/public.PUBLIC_FQ): a private, closed (不予开放), draft or withdrawn entry is never
suggested, whoever types. What is typed matches

- Chinese: anywhere in the title (CKAN's title_ngram, every 2 to 10 characters of it; one
  character: the title's own characters), also under the synonyms' words (工商 → 市场监管);
- Latin letters: the title's pinyin from a syllable on (renkou), its initials (rk), the
  English title's words as they begin (popul), the title's letters and digits (GDP, 5G);

titles that begin with it first, then the more used. Departments (every active one, with
its public entries) and themes (the catalog's base and theme databases and its domains)
are few: matched in memory against their names in both languages, pinyin and initials,
kept per cache generation.
"""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.lngov.catalog import codes
from ckanext.lngov.dcat import public
from ckanext.lngov.serving.memory import per_generation
from ckanext.lngov.suggest.index import PROVINCE, exact
from ckanext.lngov.terms import pinyin, synonyms

MAX_QUERY = 50          # characters of a typed query looked at
NGRAM_MAX = 10          # schema.xml: title_ngram's longest n-gram
SIDE = 3                # departments and themes suggested at most
THEMES = (("vocab_base_theme_db", "base_theme_db"), ("domain", "domain"))
_SOLR_SPECIAL = re.compile(r'([\\+\-&|!(){}\[\]^"~*?:/ ])')


def _escape(text: str) -> str:
    return _SOLR_SPECIAL.sub(r"\\\1", text)


def normalise(q: Any) -> str:
    return synonyms.normalise(q)[:MAX_QUERY] if isinstance(q, str) else ""


def anonymous_search(**params: Any) -> dict[str, Any]:
    """package_search as an anonymous visitor, within the public catalog. Not answered from
    serving/memory.py's searches (every keystroke is another query; `lngov_suggest` in the
    context)."""
    params["include_private"] = False
    params["fq"] = f"{public.PUBLIC_FQ} {params.get('fq') or ''}".strip()
    context = {"user": "", "ignore_auth": False, "auth_user_obj": None, "lngov_suggest": True}
    return tk.get_action("package_search")(context, params)


def _title_clauses(text: str) -> list[str]:
    """Clauses matching a piece of typed text anywhere in a title."""
    parts = text.split()
    if len(parts) > 1:
        return ["(" + " AND ".join(_title_clauses(p)[0] for p in parts) + ")"]
    if len(text) == 1:
        return [f"title:{_escape(text)}"]
    if len(text) <= NGRAM_MAX:
        return [f"title_ngram:{_escape(text.lower())}"]
    return [f'title:"{_escape(text)}"'.replace("\\ ", " ")]


def solr_query(q: str) -> str:
    """The lucene query of what is typed (escaped: nothing typed is Solr syntax)."""
    clauses: list[str] = []
    for variant in synonyms.variants(q):
        clauses += [f"({c})^3" for c in _title_clauses(variant)]
    letters = pinyin.typed(q)
    if letters and len(letters) >= 2:
        clauses.append(f"lngov_pinyin:{_escape(letters[:pinyin.MAX_PREFIX])}^2")
        if letters.isalpha() and len(letters) <= pinyin.MAX_PREFIX:
            clauses.append(f"lngov_initials:{_escape(letters)}")
        words = [w for w in re.split(r"[^a-z0-9]+", q.lower()) if w]
        if words:
            clauses.append("(" + " AND ".join(f"lngov_title_en:{_escape(w)}*" for w in words)
                           + ")^3")
    # a title that begins with what is typed: first
    clauses.append(f"lngov_title_exact:{_escape(exact(q))}*^10")
    return " OR ".join(clauses)


def url(endpoint: str, lang: str, **values: Any) -> str:
    """A page's address in the language asked for (/en/… for English)."""
    return tk.h.url_for(endpoint, locale="en" if lang == "en" else "default", **values)


def entries(q: str, lang: str, limit: int) -> list[dict[str, Any]]:
    result = anonymous_search(
        q=solr_query(q), rows=limit, fl=["id", "name", "title", "lngov_title_en", "organization"],
        sort="score desc, lngov_used desc, metadata_modified desc", facet="false")
    depts = departments_by_name()
    found = []
    for doc in result["results"]:
        english = lang == "en" and doc.get("lngov_title_en")
        dept = depts.get(doc.get("organization") or "") or {}
        found.append({"title": english or doc.get("title") or doc.get("name"),
                      "url": url("dataset.read", lang, id=doc["name"]),
                      "department": (lang == "en" and dept.get("title_en"))
                      or dept.get("title", "")})
    return found


# --- departments and themes, in memory --------------------------------------------------

def _public_counts() -> dict[str, dict[str, int]]:
    fields = ["organization"] + [field for field, _ in THEMES]
    return anonymous_search(rows=0, **{"facet.field": fields, "facet.limit": -1})["facets"]


def _departments() -> list[dict[str, Any]]:
    counts = _public_counts().get("organization", {})
    rows = model.Session.query(model.Group.id).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active")
    found = []
    for dept in public.departments(row[0] for row in rows).values():
        found.append({"name": dept["name"], "title": dept["title"] or dept["name"],
                      "title_en": dept.get("title_en") or "", "count": counts.get(dept["name"], 0)})
    return sorted(found, key=lambda d: (-d["count"], d["name"]))


def departments_by_name() -> dict[str, dict[str, Any]]:
    return per_generation("lngov_suggest_departments_by_name",
                          lambda: {d["name"]: d for d in all_departments()})


def all_departments() -> list[dict[str, Any]]:
    return per_generation("lngov_suggest_departments", _departments)


def _themes() -> list[dict[str, Any]]:
    counts = _public_counts()
    found = []
    for field, list_name in THEMES:
        for code in codes.entries(list_name):
            found.append({"field": field, "list": list_name, "value": code["value"],
                          "title": code["zh"], "title_en": code["en"],
                          "count": counts.get(field, {}).get(code["value"], 0)})
    return found


def all_themes() -> list[dict[str, Any]]:
    return per_generation("lngov_suggest_themes", _themes)


def _score(q: str, item: dict[str, Any]) -> int:
    """How well what is typed names an item: its name begins with it, holds it, or its
    pinyin or initials begin with it; English words as they begin."""
    best = 0
    for variant in synonyms.variants(q):
        title = item["title"]
        bare = title[len(PROVINCE):] if title.startswith(PROVINCE) else title
        if title.startswith(variant) or bare.startswith(variant):
            best = max(best, 6)
        elif variant in title:
            best = max(best, 5)
    english = item.get("title_en", "").lower()
    typed = q.lower()
    if english and (english.startswith(typed) or f" {typed}" in english):
        best = max(best, 5 if english.startswith(typed) else 4)
    letters = pinyin.typed(q)
    if letters and len(letters) >= 2:
        best = max(best, pinyin.matches(letters, item["title"]))
    return best


def _matching(q: str, items: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    scored = [(s, item) for item in items if (s := _score(q, item))]
    scored.sort(key=lambda si: (-si[0], -si[1]["count"]))
    return [item for _, item in scored[:limit]]


def departments(q: str, lang: str, limit: int = SIDE) -> list[dict[str, Any]]:
    return [{"title": (lang == "en" and d["title_en"]) or d["title"], "count": d["count"],
             "url": url("organization.read", lang, id=d["name"])}
            for d in _matching(q, all_departments(), limit)]


def themes(q: str, lang: str, limit: int = SIDE) -> list[dict[str, Any]]:
    return [{"title": t["title_en"] if lang == "en" else t["title"], "count": t["count"],
             "url": url("dataset.search", lang, **{t["field"]: t["value"]})}
            for t in _matching(q, [t for t in all_themes() if t["count"]], limit)]


def suggest(q: Any, lang: str, limit: int | None = None) -> dict[str, Any]:
    """What to suggest for q: {q, entries, departments, themes}, each item a title, its
    address and (departments, themes) its number of public entries."""
    q = normalise(q)
    limit = limit or tk.config.get("ckanext.lngov.search.suggestions")
    if not q:
        return {"q": q, "entries": [], "departments": [], "themes": []}
    return {"q": q, "entries": entries(q, lang, limit), "departments": departments(q, lang),
            "themes": themes(q, lang)}
