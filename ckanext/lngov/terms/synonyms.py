"""Synonyms applied to a query as it is asked: renamed agencies and abbreviations.

The rules are data (synonyms.yaml, and the administrators' file named by
ckanext.lngov.search.synonyms_file): each maps the words people type (`from`: 工商, 发改) to
the catalog's words (`to`: 市场监管 / 市场监督管理, 发展改革). A query holding such a word is
searched as typed OR as each variant with the word replaced, so an entry found either way
is found, and nothing in the index changes when a rule is added.

Why in Python and not in Solr's synonyms.txt: the index holds Chinese as character bigrams,
and a word replaced inside a query changes the bigrams at its edges too (工商局: 工商 商局;
市场监管局: … 监管 管局), which token-level synonyms cannot see. Each variant here is a whole
query string that the analyzer cuts as it cuts a title.
"""
from __future__ import annotations

import itertools
import os
import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable

import yaml

import ckan.plugins.toolkit as tk

OPTION = "ckanext.lngov.search.synonyms_file"
RULES_FILE = os.path.join(os.path.dirname(__file__), "synonyms.yaml")
MAX_VARIANTS = 6       # the query as typed and at most five rewritings of it
# A query written in Solr's syntax (quotes, groups, fields, operators) is searched as typed.
_SYNTAX = re.compile(r'["()\[\]{}:^~*?\\/!]|(^|\s)[+-]|\b(AND|OR|NOT)\b|&&|\|\|')


class BadSynonymFile(ValueError):
    """The administrators' synonym file is not a list of {to: [...], from: [...]} rules."""


@dataclass(frozen=True)
class Rules:
    # word -> the words it is also searched as (a `from` word: every `to` word; a `to`
    # word: the other `to` words of its rule)
    alternatives: dict[str, tuple[str, ...]]

    @property
    def words(self) -> list[str]:
        """Every word of the rules, the longest first (matched in that order)."""
        return sorted(self.alternatives, key=lambda w: (-len(w), w))


def normalise(text: str) -> str:
    """Full-width letters and digits as half-width (NFKC), spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _read(path: str) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        rules = yaml.safe_load(f) or []
    if not isinstance(rules, list):
        raise BadSynonymFile(f"{path}: expected a list of rules (- to: [...] from: [...])")
    for n, rule in enumerate(rules, 1):
        if not isinstance(rule, dict) or set(rule) - {"to", "from"} or not rule.get("to"):
            raise BadSynonymFile(f"{path}: rule {n}: expected `to:` (and `from:`) lists")
        for key in ("to", "from"):
            words = rule.get(key) or []
            if isinstance(words, str):
                words = [words]
            if not all(isinstance(w, str) and w.strip() for w in words):
                raise BadSynonymFile(f"{path}: rule {n}: `{key}` must list words")
            rule[key] = [normalise(w) for w in words]
    return rules


def build(rule_lists: Iterable[list[dict[str, Any]]]) -> Rules:
    """The alternatives of every word; rules with a `to` word in common are one rule."""
    groups: list[tuple[list[str], list[str]]] = []
    for rules in rule_lists:
        for rule in rules:
            to, frm = list(rule["to"]), list(rule.get("from") or [])
            for group in groups:
                if set(group[0]) & set(to):
                    group[0].extend(w for w in to if w not in group[0])
                    group[1].extend(w for w in frm if w not in group[1])
                    break
            else:
                groups.append((to, frm))
    alternatives: dict[str, tuple[str, ...]] = {}
    for to, frm in groups:
        for word in to:
            alternatives[word] = tuple(w for w in to if w != word)
        for word in frm:
            if word not in alternatives:
                alternatives[word] = tuple(to)
    return Rules({w: alts for w, alts in alternatives.items() if alts})


_lock = threading.Lock()
_rules: dict[str, Rules] = {}


def rules() -> Rules:
    """The shipped rules and the administrators' file, read once per file name."""
    extra = tk.config.get(OPTION) or ""
    found = _rules.get(extra)
    if found is None:
        with _lock:
            lists = [_read(RULES_FILE)]
            if extra:
                lists.append(_read(extra))
            found = _rules[extra] = build(lists)
    return found


def _replacements(query: str, table: Rules) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, alternatives) of each rule word in the query, left to right, the longest
    word first at each place. A word the query continues as one of its alternatives
    (营商 in 营商环境建设…, 交通 in 交通运输) is the alternative being typed: left alone."""
    found = []
    i = 0
    words = table.words
    while i < len(query):
        for word in words:
            if query.startswith(word, i):
                rest = query[i:]
                alternatives = tuple(
                    alt for alt in table.alternatives[word]
                    if len(os.path.commonprefix([rest, alt])) <= len(word))
                if len(alternatives) == len(table.alternatives[word]):
                    found.append((i, i + len(word), alternatives))
                i += len(word)
                break
        else:
            i += 1
    return found


def variants(query: str, table: Rules | None = None) -> list[str]:
    """The query as typed (normalised), then its rewritings (at most MAX_VARIANTS in all);
    only the query itself when no rule applies or it is written in Solr's syntax."""
    query = normalise(query)
    if not query or _SYNTAX.search(query):
        return [query]
    places = _replacements(query, table or rules())
    if not places:
        return [query]
    found = [query]
    choices = [(None, *alts) for _, _, alts in places]
    for combination in itertools.product(*choices):
        if all(c is None for c in combination):
            continue
        text, last = [], 0
        for (start, end, _), choice in zip(places, combination):
            text.append(query[last:start])
            text.append(query[start:end] if choice is None else choice)
            last = end
        text.append(query[last:])
        variant = "".join(text)
        if variant not in found:
            found.append(variant)
        if len(found) >= MAX_VARIANTS:
            break
    return found


def edismax_query(query: str) -> str:
    """The edismax query string for a free-text query: the query itself, or its variants as
    one required group, +((工商局) OR (市场监管局)^0.5 OR …), each rewriting weighed by
    _weight. edismax applies mm within each variant as it would to the query alone; a
    required group is not itself cut by mm (a group of two optional clauses would need
    both)."""
    found = variants(query)
    if len(found) == 1:
        return query
    typed, *others = found
    return "+(" + " OR ".join(
        [f"({typed})", *(f"({v})^{_weight(typed, v)}" for v in others)]) + ")"


def _weight(typed: str, variant: str) -> float:
    """A variant weighs as the query typed: a longer rewriting (医保 → 医疗保障) has more
    bigrams to match, and would otherwise rank above the entries that say what was typed."""
    return round(_bigrams(typed) / _bigrams(variant), 3)


def _bigrams(text: str) -> int:
    return max(1, len(text.replace(" ", "")) - 1)
