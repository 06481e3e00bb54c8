"""Codes of the demo's organizations: 统一社会信用代码 with the catalog's own check character
(``catalog.validators.credit_code_check_character``, the rule ``lngov_credit_code`` checks)."""
from __future__ import annotations

import random

from ckanext.lngov.catalog.validators import CREDIT_CHARS, credit_code_check_character

ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def org_check_character(code8: str) -> str:
    """The 9th (check) character of a 组织机构代码 (GB 11714-1997), characters 9-17 of a
    credit code. The catalog does not check it; the demo's codes carry it all the same."""
    total = sum((int(ch) if ch.isdigit() else ord(ch) - 55) * w
                for ch, w in zip(code8, ORG_WEIGHTS))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def credit_code(rng: random.Random, prefix: str, region: str) -> str:
    """A well-formed 统一社会信用代码: prefix (e.g. 91 enterprise) + region + org code + check."""
    if prefix.startswith("9"):
        org8 = "MA" + rng.choice("01") + "".join(rng.choice(CREDIT_CHARS) for _ in range(5))
    else:
        org8 = "".join(rng.choice("0123456789") for _ in range(8))
    org = org8 + org_check_character(org8)
    code17 = prefix + region + org
    return code17 + credit_code_check_character(code17)
