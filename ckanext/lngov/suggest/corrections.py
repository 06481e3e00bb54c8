""""Did you mean": other queries to offer when a search finds nothing.

Each candidate is made from the titles of public entries only (lookup.anonymous_search),
and offered only if searching it, as an anonymous visitor, finds public entries: nothing
offered can tell of an entry the visitor may not see.

- typed in pinyin (renkou), or a word with a wrong character of the same sound (仁口): the
  Chinese word whose pinyin it spells, taken from a public title (人口);
- an English word misspelt (populaton): the nearest word of the public English titles
  (Solr's fuzzy match, then the closest by spelling);
- words that are each found but never together (人口钢铁): each part that the public
  titles share with the query (人口, 钢铁), most entries first.
"""
from __future__ import annotations

import difflib
import re
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.lngov.suggest import lookup
from ckanext.lngov.terms import pinyin

OFFERED = 3
SAMPLE = 20             # public titles looked at for each kind of candidate
_WORDS = re.compile(r"[a-z]+")
_PLAIN = re.compile(r"[^\w\s]")   # what is kept of a query for the relaxed search


def count(q: str) -> int:
    """How many public entries the portal's own search finds for q (0 for a query Solr
    cannot read)."""
    try:
        return lookup.anonymous_search(q=q, rows=0, facet="false")["count"]
    except tk.ValidationError:
        return 0


def _titles(query: str, fl: str = "title", **params: Any) -> list[str]:
    result = lookup.anonymous_search(q=query, rows=SAMPLE, fl=[fl], facet="false",
                                     sort="score desc, lngov_used desc", **params)
    return [d[fl] for d in result["results"] if d.get(fl)]


def _by_sound(q: str) -> list[str]:
    letters = pinyin.typed(q)
    if letters is None and pinyin.has_han(q) and " " not in q:
        letters = "".join(u.text for u in pinyin.units(q))
    if not letters or len(letters) < 2:
        return []
    found = []
    for title in _titles(f"lngov_pinyin:{lookup._escape(letters[:pinyin.MAX_PREFIX])}"):
        word = pinyin.spelled(letters, title)
        if word and word != q and word not in found:
            found.append(word)
    return found


def _by_spelling(q: str) -> list[str]:
    words = _WORDS.findall(q.lower())
    if not words or pinyin.typed(q) is None:
        return []
    fuzzy = " AND ".join(f"lngov_title_en:{lookup._escape(w)}~2" for w in words)
    vocabulary = sorted({w for title in _titles(f"({fuzzy})", "lngov_title_en")
                         for w in _WORDS.findall(title.lower())})
    fixed = []
    for word in words:
        near = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.6)
        fixed.append(near[0] if near else word)
    corrected = " ".join(fixed)
    return [corrected] if corrected != " ".join(words) else []


def _shared_parts(q: str) -> list[str]:
    """The longest pieces (two characters or more) of q found in public titles that match
    some of it, longest first."""
    if not pinyin.has_han(q):
        return []
    found: list[str] = []
    words = " ".join(_PLAIN.sub(" ", q).split())
    for title in _titles("{!edismax q.op=OR mm=1 qf=title}" + words, defType="lucene"):
        matcher = difflib.SequenceMatcher(None, q, title, autojunk=False)
        for block in matcher.get_matching_blocks():
            part = q[block.a:block.a + block.size].strip()
            if len(part) >= 2 and part != q and part not in found:
                found.append(part)
    return sorted(found, key=len, reverse=True)


def did_you_mean(q: Any) -> list[dict[str, Any]]:
    """Up to OFFERED queries, each {"q", "count"}, that find public entries; [] for a query
    that finds some itself."""
    q = lookup.normalise(q)
    if not q or count(q):
        return []
    offered: list[dict[str, Any]] = []
    for make in (_by_sound, _by_spelling, _shared_parts):
        try:
            candidates = make(q)
        except tk.ValidationError:   # a query Solr cannot read: nothing to offer from it
            continue
        for candidate in candidates:
            if len(offered) >= OFFERED:
                return offered
            if candidate in (o["q"] for o in offered):
                continue
            n = count(candidate)
            if n:
                offered.append({"q": candidate, "count": n})
    return offered
