"""What the portal relies on in the rest of the configuration, checked when CKAN starts: a
setting that breaks one of these fails the start with a message that says which and why,
instead of a portal that quietly serves the wrong thing."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.lngov import links
from ckanext.lngov.serving import files as file_policy


class ContractError(RuntimeError):
    """A setting the portal relies on is missing or wrong."""


def problems(config: Any) -> list[str]:
    found = []
    plugins = _words(config.get("ckan.plugins"))
    parsers = _words(config.get("ckan.search.solr_allowed_query_parsers"))
    if "edismax" not in parsers:
        found.append("ckan.search.solr_allowed_query_parsers must include edismax: free-text "
                     "search sends {!edismax ...} so that Chinese bigrams match (search.py)")
    for needed in ("scheming_datasets", "scheming_organizations", "activity", "datastore"):
        if needed not in plugins:
            found.append(f"ckan.plugins must include {needed}: the catalog's schemas, activity "
                         f"streams and DataStore tables are built on it")
    if "dcat" in plugins and "lngov" in plugins and \
            plugins.index("lngov") > plugins.index("dcat"):
        found.append("ckan.plugins must list lngov before dcat: the portal's templates and "
                     "content negotiation (public entries only) come first")
    if tk.asbool(config.get("ckanext.dcat.enable_content_negotiation")):
        found.append("ckanext.dcat.enable_content_negotiation must be false: ckanext-dcat's "
                     "would serve entries that the portal's own (dcat/views.py) hides")
    if "lngov_exchange" in plugins and "harvest" not in plugins:
        found.append("ckan.plugins must include harvest before lngov_exchange")
    if "ckanext.lngov:schemas/dataset.yaml" not in _words(config.get("scheming.dataset_schemas")):
        found.append("scheming.dataset_schemas must include ckanext.lngov:schemas/dataset.yaml")
    return found + file_policy.problems(config) + links.problems(config)


def _words(value: Any) -> list[str]:
    """A space-separated option, as the ini file gives it or as CKAN has parsed it."""
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return str(value or "").split()


def check(config: Any) -> None:
    found = problems(config)
    if found:
        raise ContractError("ckanext-lngov cannot start with this configuration:\n  - "
                            + "\n  - ".join(found))
