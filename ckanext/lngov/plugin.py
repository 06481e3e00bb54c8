"""The portal's CKAN plugin: wires CKAN's interfaces to the modules named for concepts."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p

from ckanext.lngov import search


class LngovPlugin(p.SingletonPlugin):
    p.implements(p.IPackageController, inherit=True)

    # IPackageController

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        return search.solr_params(search_params)
