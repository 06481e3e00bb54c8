"""The catalog's vocabulary of open attributes, named once in code (catalog/codes.py), is the
code list's (codes.yaml), and the rules on it are the ones every surface asks."""
from __future__ import annotations

from ckanext.lngov.catalog import codes
from ckanext.lngov.dcat import public


def test_the_open_attributes_are_the_code_list_s():
    assert [codes.OPEN, codes.CONDITIONAL, codes.CLOSED] == codes.values("open_attribute")
    assert set(codes.OPEN_ATTRIBUTES) == set(codes.values("open_attribute")) - {codes.CLOSED}


def test_what_is_public_and_what_is_downloadable():
    entry = {"state": "active", "private": False, "type": "dataset"}
    assert [codes.is_public({**entry, "open_attribute": a})
            for a in codes.values("open_attribute")] == [True, True, False]
    assert [codes.downloadable({"open_attribute": a})
            for a in codes.values("open_attribute")] == [True, False, False]
    for hidden in ({"state": "deleted"}, {"state": "draft"}, {"private": True},
                   {"type": "harvest"}, {"open_attribute": None}):
        assert not codes.is_public({**entry, "open_attribute": codes.OPEN, **hidden})
    # Solr's filter of the public entries names the same attributes
    assert "+open_attribute:(open OR conditional)" in public.PUBLIC_FQ
