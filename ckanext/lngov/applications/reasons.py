"""The refusal reasons (reasons.yaml), labelled in the visitor's language."""
from __future__ import annotations

import os
from functools import lru_cache

import yaml

from ckanext.lngov import lang as portal_lang

_PATH = os.path.join(os.path.dirname(__file__), "reasons.yaml")


@lru_cache(maxsize=1)
def all_reasons() -> dict[str, dict[str, str]]:
    with open(_PATH, encoding="utf-8") as f:
        return yaml.safe_load(f)


def codes() -> list[str]:
    return list(all_reasons())


def label(code: str | None, lang: str | None = None) -> str:
    if not code:
        return ""
    reason = all_reasons().get(code)
    if reason is None:
        return code
    if lang is None:
        lang = portal_lang.current()
    return reason["en"] if (lang or "").startswith("en") else reason["zh"]
