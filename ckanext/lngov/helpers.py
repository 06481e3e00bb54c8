"""Template helpers of the portal."""
from __future__ import annotations

from typing import Any

from ckanext.lngov.catalog import codes
from ckanext.lngov.dcat import public
from ckanext.lngov.tables import examples, status


def lngov_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Scheming choices of a field from the code list it names (lngov_codes: LIST)."""
    return codes.choices(field["lngov_codes"])


def lngov_table_status(resource_id: str) -> dict[str, Any] | None:
    """The load record of a resource's table (tables/status.py), if it has one."""
    return status.get(resource_id)


def lngov_api_examples(resource_id: str) -> dict[str, dict[str, str]]:
    """The Data API panel's examples for the table of a resource (tables/examples.py)."""
    return examples.examples(resource_id)


def get_helpers() -> dict[str, Any]:
    return {"lngov_choices": lngov_choices, "lngov_is_public": public.is_public,
            "lngov_table_status": lngov_table_status, "lngov_api_examples": lngov_api_examples}
