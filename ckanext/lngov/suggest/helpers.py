"""Template helpers of the search page's "did you mean"."""
from __future__ import annotations

from typing import Any

from ckanext.lngov.suggest import corrections


def lngov_did_you_mean(q: Any) -> list[dict[str, Any]]:
    """Queries to offer beside a search that found nothing: [{q, count}]."""
    return corrections.did_you_mean(q)


def get_helpers() -> dict[str, Any]:
    return {"lngov_did_you_mean": lngov_did_you_mean}
