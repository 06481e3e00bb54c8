"""Valid catalog entries and departments for tests; each test changes what it checks."""
from __future__ import annotations

import itertools
from typing import Any

from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.lngov.catalog.validators import credit_code_check_character

_seq = itertools.count(1)


def credit_code(n: int | None = None) -> str:
    """A valid 统一社会信用代码 of a Liaoning government organ (11 + 210000 + ...)."""
    first17 = f"11210000{(n or next(_seq)):08d}X"[:17]
    return first17 + credit_code_check_character(first17)


def department(**fields: Any) -> dict[str, Any]:
    """A department (organization) with a valid credit code."""
    fields.setdefault("credit_code", credit_code())
    fields.setdefault("image_url", "")    # not the factory's third-party placeholder image
    return factories.Organization(**fields)


def entry(owner_org: str, **fields: Any) -> dict[str, Any]:
    """A complete, valid, openly published catalog entry; fields override."""
    n = next(_seq)
    data = {
        "name": f"entry-{n}",
        "title": "辽宁省人口基础信息库",
        "notes": "全省户籍人口、常住人口的基础信息。",
        "resource_code": f"101001001/{n:06d}",
        "classification": "1",
        "base_theme_db": ["base-01"],
        "owner_org": owner_org,
        "provider_office": "人口管理处",
        "format_category": "sheet",
        "format_types": ["xlsx", "et"],
        "update_cycle": "monthly",
        "release_date": "2023-06-30",
        "share_type": "unconditional",
        "share_methods": ["query", "download"],
        "usage_purposes": ["reference"],
        "open_attribute": "open",
        "data_items": [
            {"name": "姓名", "data_type": "C", "length": 50},
            {"name": "出生日期", "data_type": "D"},
        ],
        "domain": "social-security",
        "contact_email": "data@gat.ln.gov.cn",
        "contact_phone": "024-12345678",
        "license_id": "cc-by",
    }
    data.update(fields)
    return data


def create(user: dict, **fields: Any) -> dict[str, Any]:
    return call_action("package_create", {"user": user["name"]}, **fields)
