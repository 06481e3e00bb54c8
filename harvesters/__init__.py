"""Harvest sources and test doubles of the Liaoning portal (not part of the CKAN extension)."""
