"""The settings the portal relies on are checked when CKAN starts, with a clear message."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk

from ckanext.lngov import contracts


def test_the_portal_s_own_configuration_meets_them():
    assert contracts.problems(tk.config) == []


@pytest.mark.parametrize("change, says", [
    ({"ckan.search.solr_allowed_query_parsers": ""}, "edismax"),
    ({"ckan.plugins": "dcat lngov activity datastore scheming_datasets "
                      "scheming_organizations"}, "lngov before dcat"),
    ({"ckanext.dcat.enable_content_negotiation": "true"}, "content_negotiation"),
    ({"ckan.plugins": "lngov activity scheming_datasets scheming_organizations"},
     "datastore"),
    ({"scheming.dataset_schemas": "ckanext.scheming:ckan_dataset.yaml"}, "schemas"),
])
def test_a_broken_contract_stops_the_start_saying_which(change, says):
    config = {**dict(tk.config), **change}
    with pytest.raises(contracts.ContractError, match=says):
        contracts.check(config)
