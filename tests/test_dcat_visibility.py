"""Only public entries, and only their public fields, ever appear in the machine-readable
catalog: in no format, page, dataset document, content negotiation or dump, whoever asks,
and not after an entry is withdrawn or made private either."""
from __future__ import annotations

import pytest
from rdflib import URIRef
from rdflib.namespace import DCTERMS as DCT, RDF

from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.dcat.profiles import DCAT

from ckanext.lngov.dcat import dump
from tests import catalog, rdf

DEPARTMENT_ONLY_VALUES = ("DEPTONLY-SCOPE-户籍", "DEPTONLY-CONDITIONS-核验",
                          "DEPTONLY-BASIS-保密法", "有条件共享", "不予共享", "信息查询",
                          "作为行政依据")


@pytest.fixture(scope="module")
def world(sysadmin_module):
    rdf.clear_jobs()
    admin = sysadmin_module
    dept = catalog.department(name="ln-vis", title="辽宁省测试厅")
    member = factories.UserWithToken()
    call_action("organization_member_create", {"user": admin["name"]}, id=dept["id"],
                username=member["name"], role="editor")
    shared = dict(share_type="conditional", share_scope=DEPARTMENT_ONLY_VALUES[0],
                  share_conditions=DEPARTMENT_ONLY_VALUES[1], share_methods=["query"],
                  usage_purposes=["basis"])
    closed = catalog.create(admin, **catalog.entry(
        dept["id"], name="vis-closed", share_type="none",
        share_basis=DEPARTMENT_ONLY_VALUES[2], open_attribute="closed"))
    conditional = catalog.create(admin, **catalog.entry(
        dept["id"], name="vis-conditional", open_attribute="conditional",
        open_conditions="向本厅提出申请", **shared))
    entries = {
        # Related to a closed entry: that relation is never published.
        "open": catalog.create(admin, **catalog.entry(
            dept["id"], name="vis-open",
            related_codes=[closed["resource_code"], conditional["resource_code"]], **shared)),
        "conditional": conditional,
        "closed": closed,
        "private": catalog.create(admin, **catalog.entry(dept["id"], name="vis-private",
                                                         private=True)),
        "draft": catalog.create(admin, **catalog.entry(dept["id"], name="vis-draft",
                                                       state="draft")),
        "withdrawn": catalog.create(admin, **catalog.entry(dept["id"], name="vis-withdrawn")),
    }
    call_action("package_delete", {"user": admin["name"]}, id=entries["withdrawn"]["id"])
    rdf.run_jobs()
    return dict(admin=admin, member=member, dept=dept, entries=entries)


def _uri(entry):
    return URIRef(f"http://test.ckan.net/dataset/{entry['id']}")


def _headers(user):
    return {"Authorization": user["token"]} if user else {}


def _viewers(world):
    return {"anonymous": None, "member": world["member"], "sysadmin": world["admin"]}


def _assert_only_public(body: bytes, graph, world, public=("open", "conditional")):
    text = body.decode("utf-8")
    for value in DEPARTMENT_ONLY_VALUES:
        assert value not in text, value
    assert "share_" not in text and "usage_purposes" not in text
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    for name, entry in world["entries"].items():
        assert (_uri(entry) in datasets) is (name in public), name
        if name not in public:
            assert entry["id"] not in text and entry["name"] not in text, name


@pytest.mark.parametrize("fmt", list(rdf.FORMATS))
def test_catalog_pages_hold_public_entries_only(world, app, fmt):
    for who, user in _viewers(world).items():
        response = app.get(f"/catalog.{fmt}", headers=_headers(user))
        _assert_only_public(response.data, rdf.parse(response.data, fmt), world)
        home = app.get("/", headers={**_headers(user), "Accept": rdf.MEDIA[fmt]})
        _assert_only_public(home.data, rdf.parse(home.data, fmt), world)


def test_relations_name_public_entries_only(world, app):
    graph = rdf.get_graph(app, "/dataset/vis-open.ttl", "ttl")
    related = set(graph.objects(_uri(world["entries"]["open"]), DCT.relation))
    assert related == {_uri(world["entries"]["conditional"])}


@pytest.mark.parametrize("fmt", list(rdf.FORMATS))
def test_dataset_documents_of_non_public_entries_are_not_found(world, app, fmt):
    for who, user in _viewers(world).items():
        for name, entry in world["entries"].items():
            status = 200 if name in ("open", "conditional") else 404
            for key in ("id", "name"):
                response = app.get(f"/dataset/{entry[key]}.{fmt}", headers=_headers(user),
                                   status=status)
                negotiated = app.get(f"/dataset/{entry[key]}", status=status,
                                     headers={**_headers(user), "Accept": rdf.MEDIA[fmt]})
                if status == 200:
                    for body in (response.data, negotiated.data):
                        text = body.decode("utf-8")
                        assert not any(v in text for v in DEPARTMENT_ONLY_VALUES), (who, name)


def test_pages_of_non_public_entries_embed_no_structured_data(world, app):
    for name in ("closed", "private"):
        page = app.get(f"/dataset/{world['entries'][name]['name']}",
                       headers=_headers(world["member"])).body
        assert world["entries"][name]["title"] in page  # the department sees its page
        assert "schema:Dataset" not in page and "schema.org" not in page, name
    page = app.get("/dataset/vis-open").body
    assert "schema:Dataset" in page
    assert not any(v in page for v in DEPARTMENT_ONLY_VALUES)


def test_dcat_actions_hold_public_entries_only(world):
    body = call_action("dcat_catalog_show", {"user": world["admin"]["name"]}, format="nt")
    _assert_only_public(body.encode(), rdf.parse(body, "nt"), world)
    for name in ("closed", "private", "draft"):
        with pytest.raises(Exception) as raised:
            call_action("dcat_dataset_show", {"user": world["admin"]["name"]},
                        id=world["entries"][name]["id"], format="ttl")
        assert "NotFound" in type(raised.value).__name__


@pytest.mark.parametrize("fmt", list(rdf.FORMATS))
def test_dump_holds_public_entries_only(world, app, fmt):
    dump.generate()
    response = app.get(f"/catalog/dump.{fmt}")
    _assert_only_public(response.data, rdf.parse(response.data, fmt), world)


def test_withdrawn_or_private_entries_leave_every_output(world, app):
    admin = world["admin"]
    context = {"user": admin["name"]}
    leaving = {
        "withdraw": catalog.create(admin, **catalog.entry(world["dept"]["id"], name="vis-w2")),
        "private": catalog.create(admin, **catalog.entry(world["dept"]["id"], name="vis-p2")),
        "closed": catalog.create(admin, **catalog.entry(world["dept"]["id"], name="vis-c2")),
    }
    rdf.run_jobs()
    for entry in leaving.values():
        for path in ("/catalog.nt", "/catalog/dump.nt"):
            assert entry["id"] in app.get(path).body, path
        assert app.get(f"/dataset/{entry['name']}.ttl").status_code == 200
    call_action("package_delete", context, id=leaving["withdraw"]["id"])
    call_action("package_patch", context, id=leaving["private"]["id"], private=True)
    call_action("package_patch", context, id=leaving["closed"]["id"], open_attribute="closed",
                share_type="none", share_basis=DEPARTMENT_ONLY_VALUES[2])
    assert call_action("package_show", context, id=leaving["closed"]["id"])["private"]
    # The pages and documents follow at once; the dump with the job the writes queued.
    assert rdf.run_jobs() == 1
    for entry in leaving.values():
        for fmt in rdf.FORMATS:
            for path in (f"/catalog.{fmt}", f"/catalog/dump.{fmt}"):
                assert entry["id"] not in app.get(path).body, path
            app.get(f"/dataset/{entry['name']}.{fmt}", status=404)
