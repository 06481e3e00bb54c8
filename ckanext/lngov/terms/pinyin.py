"""Pinyin of Chinese text, for what people type in Latin letters: renkou or rk for 人口.

pypinyin (pinned in requirements.txt) gives each Han character its reading, choosing among
a character's readings by the words around it (银行 yin hang, 行政 xing zheng). Place names
of the province it reads otherwise are set right here (朝阳 is Chaoyang, not zhaoyang).

A text becomes units: each Han character its syllable, each run of Latin letters and digits
one lower-cased word; other characters are dropped. Typed letters match a text when they
begin the text's pinyin at the start of one of its units (renkou: 辽宁省人口…, never
ngren) or its initials there (rk, lnrk).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pypinyin

# Readings of the province's place names that pypinyin's phrase list gives otherwise.
PLACES = {"朝阳": [["cháo"], ["yáng"]], "长海": [["cháng"], ["hǎi"]]}
pypinyin.load_phrases_dict(PLACES)

MAX_PREFIX = 24          # the longest typed pinyin matched (schema.xml: lngov_prefix)
LATIN = re.compile(r"^[a-z0-9 ]+$")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[a-z0-9]")


@dataclass(frozen=True)
class Unit:
    text: str      # the syllable, or the Latin word
    start: int     # where it comes from in the text
    end: int


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))


def typed(query: str) -> str | None:
    """The letters of a query typed in Latin letters (spaces dropped), or None."""
    query = query.strip().lower()
    return query.replace(" ", "") if query and LATIN.match(query) else None


@lru_cache(maxsize=20000)
def units(text: str) -> tuple[Unit, ...]:
    readings = pypinyin.lazy_pinyin(text, errors=lambda chars: list(chars))
    found: list[Unit] = []
    word_start = None
    for i, (char, reading) in enumerate(zip(text, readings)):
        if _HAN.match(char):
            word_start = None
            found.append(Unit(reading.lower(), i, i + 1))
        elif _WORD.match(char.lower()):
            if word_start is None:
                word_start = i
                found.append(Unit(char.lower(), i, i + 1))
            else:
                last = found[-1]
                found[-1] = Unit(last.text + char.lower(), last.start, i + 1)
        else:
            word_start = None
    return tuple(found)


def suffixes(text: str) -> tuple[list[str], list[str]]:
    """(pinyin, initials) from each unit to the end of the text, cut to MAX_PREFIX letters:
    what the index keeps so that a prefix of any of them matches."""
    found = units(text)
    full = [u.text for u in found]
    first = [u.text[0] for u in found]
    return ([("".join(full[k:]))[:MAX_PREFIX] for k in range(len(found))],
            [("".join(first[k:]))[:MAX_PREFIX] for k in range(len(found)) if len(first) - k > 1])


def matches(letters: str, text: str) -> int:
    """How well typed letters match a text: 3 its pinyin from the start, 2 its pinyin from
    a later unit, 1 its initials, 0 not at all."""
    full, first = suffixes(text)
    if full and full[0].startswith(letters):
        return 3
    if any(s.startswith(letters) for s in full[1:]):
        return 2
    if len(letters) >= 2 and any(s.startswith(letters) for s in first):
        return 1
    return 0


def spelled(letters: str, text: str) -> str | None:
    """The part of a text whose pinyin the letters spell whole (renkou in 辽宁省人口基础信息库:
    人口), or None."""
    found = units(text)
    for k, unit in enumerate(found):
        if not letters.startswith(unit.text):
            continue
        spelling = ""
        for end in range(k, len(found)):
            spelling += found[end].text
            if spelling == letters:
                return text[unit.start:found[end].end]
            if not letters.startswith(spelling):
                break
    return None
