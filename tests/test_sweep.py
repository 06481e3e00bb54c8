"""Nothing non-public reaches anyone, and no request breaks the server: a sweep of every
registered route and every registered action, not a hand-kept list, so that the next route or
extension cannot reopen a hole.

Each route and action is called, as an anonymous visitor and as an editor of another
department, with the identifiers (names, ids, resource ids) of a closed, a private, a
withdrawn and a deleted entry, and with hostile input. It must answer (never a 5xx), answer
exactly as it does for an identifier that does not exist (same status, same JSON error), and
show no trace of anything non-public: the hidden entries' ids, names, titles and resources,
the department-only values of public entries, the exchange platform's token.
"""
from __future__ import annotations

import json
import re
import uuid
from typing import Any, Iterable
from urllib.parse import quote, urlencode

import pytest
from werkzeug.routing import Rule
from werkzeug.test import Client

from ckan import logic
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.lngov.dcat import dump

from sample_platform.tests.conftest import TOKEN, LiveServer
from tests import catalog
from tests.harvesting import harvest, make_source

HIDDEN_KINDS = ("closed", "private", "withdrawn", "deleted")
SECRET_BASIS = "SWEEPBASIS《保密法》第九条"
SECRET_ROW = "SWEEPROW户籍核查密文"
# Values that would break a naive server: NUL, invalid UTF-8, overlong, negative and huge
# numbers, Solr and SQL syntax, path tricks, markup.
HOSTILE_VALUES = ["\x00", "%ff%fe", "é" * 3000, "-1", "99999999999999999999999",
                  "title:(", "' OR 1=1 --", "../../../etc/passwd", "<script>x</script>"]
HOSTILE_QUERY = ("q=%00title:(&fq=%ff&rows=-5&start=99999999999999999999999&page=-1"
                 "&limit=1e999&offset=-1&sort=%E4%BA&id=%00&facet.field=[")
PUBLIC_QUERY = "q=隐藏标题&incomplete=sweep&rows=1000&limit=1000"
# Route arguments that name a type or format rather than an object.
FIXED_ARGS = {"package_type": "dataset", "group_type": "organization", "type": "dataset",
              "dataset_type": "dataset", "lang": "zh_Hans_CN", "locale": "en",
              "_format": "ttl", "format": "ttl"}
# Rules not swept: static files and CKAN's debug views.
SKIP_ENDPOINTS = re.compile(r"(^static$|\.static$|^_debug_toolbar|^webassets)")
# Writes whose data names a new object: a clash of names with a hidden entry is reported
# like any clash ("URL already in use", without the entry), so their answer differs from a
# free name's; they are swept for 5xx and leaks, not compared.
CREATING = re.compile(r"_create$|^package_revise$|_upsert$|^user_invite$")


@pytest.fixture(scope="module")
def world(sysadmin_module):
    admin = sysadmin_module
    dept = catalog.department(name="sweep-gat", title="辽宁省公安厅 sweep")
    other = catalog.department(name="sweep-mz", title="辽宁省民政厅 sweep")
    member = factories.UserWithToken()
    outsider = factories.UserWithToken()
    call_action("organization_member_create", {"user": admin["name"]}, id=dept["id"],
                username=member["name"], role="editor")
    call_action("organization_member_create", {"user": admin["name"]}, id=other["id"],
                username=outsider["name"], role="editor")
    public = catalog.create(admin, **catalog.entry(
        dept["id"], name="sweep-public", title="公开的户籍人口统计",
        share_type="conditional", share_scope="仅限户政部门", share_conditions="核验用途",
        share_basis=SECRET_BASIS))
    call_action("resource_create", {"user": admin["name"]}, package_id=public["id"],
                name="public file", url="http://example.com/public.csv", format="CSV")
    hidden = {}
    for kind in HIDDEN_KINDS:
        fields = dict(name=f"sweep-{kind}-entry", title=f"SWEEPHIDDEN{kind.upper()}隐藏标题")
        if kind == "closed":
            fields.update(open_attribute="closed", share_type="none",
                          share_basis="《中华人民共和国保守国家秘密法》")
        if kind == "private":
            fields.update(private=True)
        pkg = catalog.create(admin, **catalog.entry(dept["id"], **fields))
        res = call_action("resource_create", {"user": admin["name"]}, package_id=pkg["id"],
                          name=f"SWEEPRES{kind.upper()}", url=f"http://example.com/{kind}.csv",
                          format="CSV")
        if kind in ("withdrawn", "deleted"):
            # withdrawn as the harvest withdraws (package_delete after a public life);
            # deleted by hand the same way, with an edit before.
            if kind == "deleted":
                call_action("package_patch", {"user": admin["name"]}, id=pkg["id"],
                            notes="SWEEPHIDDENEDIT 编辑")
            call_action("package_delete", {"user": admin["name"]}, id=pkg["id"])
        if kind == "closed":
            # A DataStore table of the department's own, with a row nobody else may read.
            call_action("datastore_create", {"user": admin["name"]}, resource_id=res["id"],
                        force=True, fields=[{"id": "secret", "type": "text"}],
                        records=[{"secret": SECRET_ROW}])
        hidden[kind] = dict(id=pkg["id"], name=pkg["name"], title=fields["title"],
                            resource_id=res["id"], resource_name=res["name"])
    # A harvest source of the exchange platform, with entries it may not publish.
    platform = LiveServer(entries=30, seed=5).start()
    source = make_source(platform, name="sweep-exchange")
    _, counts, objects = harvest(source)
    not_open = [o.id for o in objects.values() if o.package_id is None]
    assert not_open and counts["not_open"]
    dump.generate()  # the catalog dump is there (not "being prepared") and swept for leaks
    yield dict(admin=admin, dept=dept, other=other, member=member, outsider=outsider,
               public=public, hidden=hidden, source=source, not_open_objects=not_open)
    platform.stop()


@pytest.fixture(scope="module")
def client(make_app_session, world) -> Client:
    return Client(make_app_session)


class _Raised:
    """What a request that raised looks like: a 500 (testing mode propagates exceptions)."""
    mimetype = "text/plain"
    headers: dict[str, str] = {}

    def __init__(self, error: Exception):
        self.status_code = 500
        self.error = f"{type(error).__name__}: {error}"

    def get_data(self) -> bytes:
        return self.error.encode()


def _call(client: Client, method: str, path: str, **kwargs):
    try:
        return client.open(path, method=method, **kwargs)
    except Exception as error:   # noqa: BLE001 - any exception is a server error
        return _Raised(error)


def _markers(world) -> dict[str, str]:
    """What must never be seen: value -> what it is."""
    found = {TOKEN: "the exchange platform's token", SECRET_BASIS: "a department-only value",
             SECRET_ROW: "a row of the closed entry's DataStore table"}
    for kind, h in world["hidden"].items():
        for key in ("id", "name", "title", "resource_id", "resource_name"):
            found[h[key]] = f"{key} of the {kind} entry"
    found["SWEEPHIDDENEDIT"] = "an edit of the deleted entry"
    for object_id in world["not_open_objects"]:
        found[object_id] = "a harvest object of an entry that is not open"
    return found


VIEWERS = ("anonymous", "outsider")


def _headers(world, viewer: str) -> dict[str, str]:
    return {} if viewer == "anonymous" else {"Authorization": world[viewer]["token"]}


def _leaks(response, markers: dict[str, str], sent: str) -> list[str]:
    body = response.get_data().decode("utf-8", "replace")
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    text = body + "\n" + headers
    return [what for value, what in markers.items()
            if value in text and value not in sent and quote(value) not in sent]


def _identifiers(world) -> Iterable[tuple[str, dict[str, str], dict[str, str]]]:
    """(label, the hidden entry's identifiers, a missing entry's identifiers in their place)."""
    # Each kind by one of its identifiers (alternating), to keep the sweep's time down.
    for i, (kind, h) in enumerate(world["hidden"].items()):
        for by in (("name", "id")[i % 2],):
            missing = f"sweep-missing-{kind}" if by == "name" else str(uuid.uuid4())
            yield (f"{kind} by {by}", {"id": h[by], "resource_id": h["resource_id"]},
                   {"id": missing, "resource_id": str(uuid.uuid4())})


def _normalise(response, hidden: dict[str, str], missing: dict[str, str]) -> tuple:
    """What must be equal between a hidden and a missing identifier's answers."""
    body: Any = None
    if response.mimetype == "application/json":
        try:
            data = json.loads(response.get_data())
        except ValueError:
            data = None
        if isinstance(data, dict):
            body = json.dumps(data.get("error"), sort_keys=True)
            for key in hidden:
                body = body.replace(hidden[key], "<ID>").replace(missing[key], "<ID>")
    return response.status_code, body


# --- routes --------------------------------------------------------------------------------

def _rules(client) -> list[Rule]:
    app = client.application._wsgi_app
    return [r for r in app.url_map.iter_rules()
            if "GET" in (r.methods or ()) and not SKIP_ENDPOINTS.search(r.endpoint)]


def _route_url(client, rule: Rule, ids: dict[str, str], fill: str | None = None) -> str:
    values = {}
    for arg in rule.arguments:
        if arg in (rule.defaults or {}):
            continue   # a value the rule itself gives (ckanext-harvest's ref_type)
        if arg in FIXED_ARGS and fill is None:
            values[arg] = FIXED_ARGS[arg]
        elif fill is not None:
            values[arg] = fill
        elif "resource" in arg:
            values[arg] = ids["resource_id"]
        else:
            values[arg] = ids["id"]
    adapter = client.application._wsgi_app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, values, force_external=False, append_unknown=False)


def test_every_route_answers_for_hidden_entries_as_for_missing_ones(world, client):
    markers = _markers(world)
    problems, requests_made = [], 0
    rules = [r for r in _rules(client) if r.arguments]
    for rule in rules:
        for viewer in VIEWERS:
            headers = _headers(world, viewer)
            for label, hidden, missing in _identifiers(world):
                try:
                    url = _route_url(client, rule, hidden)
                    url_missing = _route_url(client, rule, missing)
                except Exception:   # noqa: BLE001 - a converter that refuses the value
                    continue
                got = _call(client, "GET", url, headers=headers)
                baseline = _call(client, "GET", url_missing, headers=headers)
                requests_made += 2
                where = f"{viewer} GET {rule.rule} ({label})"
                problems += _problems(where, got, markers, sent=url)
                # A route whose address holds no identifier (/catalog/dump.ttl) has no
                # hidden-versus-missing answer to compare; twice the same request may differ
                # (a dump being prepared answers 503, then the file).
                if url != url_missing and \
                        _normalise(got, hidden, missing) != _normalise(baseline, missing, missing):
                    problems.append(f"{where}: {got.status_code} but {baseline.status_code} "
                                    f"for a missing entry")
    print(f"\nsweep: {len(rules)} routes with arguments, {len(VIEWERS)} viewers, "
          f"{requests_made} requests")
    assert not problems, "\n".join(sorted(set(problems)))


def test_every_route_answers_hostile_input_and_hides_what_is_hidden(world, client):
    markers = _markers(world)
    problems, requests_made = [], 0
    rules = _rules(client)
    for rule in rules:
        urls = [_route_url(client, rule, {"id": "x", "resource_id": "x"})] if not \
            rule.arguments else []
        for value in HOSTILE_VALUES:
            if rule.arguments:
                try:
                    urls.append(_route_url(client, rule, {}, fill=value))
                except Exception:   # noqa: BLE001 - a converter that refuses the value
                    pass
        for url in urls:
            # Hostile input, nothing, and a search that would find the hidden entries by
            # their titles or names (pages, autocomplete, feeds, DCAT, sitemaps...).
            for query in (HOSTILE_QUERY, "", PUBLIC_QUERY):
                got = _call(client, "GET", url, query_string=query)
                requests_made += 1
                problems += _problems(f"GET {url[:120]}?{query[:40]}", got, markers, sent=url)
    print(f"\nsweep: {len(rules)} routes, {len(HOSTILE_VALUES)} hostile values, "
          f"{requests_made} requests")
    assert not problems, "\n".join(sorted(set(problems)))


# --- actions -------------------------------------------------------------------------------

def _actions() -> list[str]:
    logic.get_action("package_show")   # fills the registry: CKAN's, and every plugin's
    # CKAN has no public listing of its actions; the registry is what the API dispatches on.
    return sorted(logic._actions)


def _action_params(ids: dict[str, str]) -> dict[str, str]:
    """One identifier in every parameter that names an entry or a resource."""
    return {"id": ids["id"], "name_or_id": ids["id"], "package_id": ids["id"],
            "dataset_id": ids["id"], "object": ids["id"], "resource_id": ids["resource_id"],
            "q": ids["id"], "name": ids["id"],
            "sql": f'SELECT * FROM "{ids["resource_id"]}"'}


def test_every_action_answers_for_hidden_entries_as_for_missing_ones(world, client):
    markers = _markers(world)
    problems, requests_made = [], 0
    actions = _actions()
    for action in actions:
        for viewer in VIEWERS:
            headers = _headers(world, viewer)
            for label, hidden, missing in _identifiers(world):
                for method in ("GET", "POST"):
                    path = f"/api/3/action/{action}"
                    if method == "GET":
                        got = _call(client, "GET", path, query_string=_action_params(hidden),
                                    headers=headers)
                        baseline = _call(client, "GET", path, query_string=_action_params(missing),
                                         headers=headers)
                    else:
                        got = _call(client, "POST", path, json=_action_params(hidden),
                                    headers=headers)
                        baseline = _call(client, "POST", path, json=_action_params(missing),
                                         headers=headers)
                    requests_made += 2
                    where = f"{viewer} {method} {action} ({label})"
                    sent = json.dumps(_action_params(hidden)) + urlencode(
                        _action_params(hidden))
                    problems += _problems(where, got, markers, sent=sent)
                    if not CREATING.search(action) and _normalise(got, hidden, missing) != \
                            _normalise(baseline, missing, missing):
                        problems.append(f"{where}: {got.status_code} "
                                        f"{got.get_data()[:200]!r} but {baseline.status_code} "
                                        f"{baseline.get_data()[:200]!r} for a missing entry")
    print(f"\nsweep: {len(actions)} actions, {len(VIEWERS)} viewers, "
          f"{requests_made} requests")
    assert not problems, "\n".join(sorted(set(problems)))


def test_every_action_answers_hostile_input_with_a_clear_4xx(world, client):
    markers = _markers(world)
    problems, requests_made = [], 0
    actions = _actions()
    bodies = [b"{", b"[]", b'"x"', b"\xff\xfe", b'{"id": "\\u0000"}',
              json.dumps({"id": "x" * 100_000}).encode(),
              json.dumps({"rows": -1, "start": 10**30, "limit": "NaN", "offset": -1,
                          "q": "title:(", "fq": "title:(", "sort": "nope desc"}).encode()]
    for action in actions:
        path = f"/api/3/action/{action}"
        for query in (HOSTILE_QUERY, "id=%00", "fq=title:(", "rows=-1&start=-1", "id=%ff%fe"):
            got = _call(client, "GET", path, query_string=query)
            requests_made += 1
            problems += _problems(f"GET {action}?{query[:40]}", got, markers)
        for body in bodies:
            got = _call(client, "POST", path, data=body, content_type="application/json")
            requests_made += 1
            problems += _problems(f"POST {action} {body[:30]!r}", got, markers)
    print(f"\nsweep: {len(actions)} actions, hostile input, {requests_made} requests")
    assert not problems, "\n".join(sorted(set(problems)))


def _problems(where: str, got, markers, sent: str = "") -> list[str]:
    """A server error, internals, or anything non-public that was not in the request."""
    problems = []
    if got.status_code >= 500:
        problems.append(f"{where}: {got.status_code} {got.get_data()[:300]!r}")
    body = got.get_data()
    if b"+permission_labels:" in body or b"+site_id:" in body or b"Traceback" in body:
        problems.append(f"{where}: shows internals {body[:300]!r}")
    problems += [f"{where}: shows {leak}" for leak in _leaks(got, markers, sent)]
    return problems


def test_every_action_lists_nothing_hidden_about_public_things(world, client):
    """Listings about public things (the department, its public entry, the harvest source,
    the site) hold nothing of its hidden entries: member lists, counts, activity, tags,
    autocomplete, search, harvest records..."""
    markers = _markers(world)
    problems, requests_made = [], 0
    actions = _actions()
    dept, public, source = world["dept"], world["public"], world["source"]
    parameter_sets = [
        {},
        {"id": dept["id"], "object_type": "package", "include_datasets": "true",
         "all_fields": "true", "q": "sweep"},
        {"id": dept["name"], "organization_id": dept["id"], "owner_org": dept["id"],
         "include_private": "true", "limit": "1000", "rows": "1000"},
        {"id": public["id"], "package_id": public["id"], "q": "SWEEP"},
        {"id": source.id, "source_id": source.id, "q": "sweep-"},
    ]
    for action in actions:
        for viewer in VIEWERS:
            headers = _headers(world, viewer)
            for params in parameter_sets:
                got = _call(client, "GET", f"/api/3/action/{action}", query_string=params,
                            headers=headers)
                requests_made += 1
                problems += _problems(f"{viewer} GET {action} {sorted(params)}", got, markers)
    print(f"\nsweep: {len(actions)} actions about public things, {len(VIEWERS)} viewers, "
          f"{requests_made} requests")
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.parametrize("viewer", VIEWERS)
def test_public_counts_equal_the_search_counts(world, client, viewer):
    headers = _headers(world, viewer)

    def api(action, **params):
        response = client.get(f"/api/3/action/{action}", query_string=params, headers=headers)
        assert response.status_code == 200, response.get_data()
        return response.get_json()["result"]

    searched = api("package_search", rows=0, include_private="true",
                   **{"facet.field": '["owner_org"]', "facet.limit": -1})["facets"]["owner_org"]
    listed = {o["id"]: o["package_count"] for o in api("organization_list", all_fields="true")}
    assert listed[world["dept"]["id"]] == searched.get(world["dept"]["id"], 0) == 1
    for org_id, count in listed.items():
        assert count == searched.get(org_id, 0), org_id
        assert api("organization_show", id=org_id)["package_count"] == count
    members = api("member_list", id=world["dept"]["id"], object_type="package")
    assert [m[0] for m in members] == [world["public"]["id"]]


# --- files ---------------------------------------------------------------------------------

# In every file someone else made: markup that would run if a browser rendered it as the
# portal's. A page may show it escaped; no answer may carry it raw unless sandboxed.
PLANTED = '<i id="lngov-planted" onclick="fetch(\'/?ran\')">'
PLANTED_FILES = {
    "planted.html": f"<!doctype html><title>x</title>{PLANTED}<script>fetch('/?ran')</script>",
    "planted.svg": f"<svg xmlns='http://www.w3.org/2000/svg'><script>fetch('/?ran')</script>"
                   f"<foreignObject>{PLANTED}</foreignObject></svg>",
    "planted.js": f"document.body.innerHTML = '{PLANTED}';",
    "planted.xml": f"<?xml version='1.0'?><r xmlns:h='http://www.w3.org/1999/xhtml'>"
                   f"<h:script>fetch('/?ran')</h:script>{PLANTED.replace('<i', '<h:i')}</r>",
    "planted.txt": f"说明 {PLANTED}",
}
# Types a browser may render as a document that runs scripts, or run as a script.
ACTIVE_TYPE = re.compile(r"^(text/html|application/xhtml\+xml|image/svg\+xml|text/xsl|"
                         r".*/xml|.*\+xml|.*javascript.*|.*ecmascript.*|multipart/.*)$")
# What the sweep must have found answering with a file (found, not a list it walks).
# (resource.download has the addresses of dataset_resource.download, which answers them.)
DOWNLOAD_ENDPOINTS = {"dataset_resource.download", "lngov_dcat.read_dump",
                      "datastore.dump", "lngov_tables.dump_xlsx", "harvester.object_show"}


@pytest.fixture(scope="module")
def files_world(world):
    import io

    from werkzeug.datastructures import FileStorage

    from ckan import model
    from ckanext.harvest.model import HarvestJob, HarvestObject

    from tests.commands import run_jobs

    admin = world["admin"]
    dept = catalog.department(name="sweep-files", title="辽宁省文件厅 sweep")
    entry = catalog.create(admin, **catalog.entry(
        dept["id"], name="sweep-files-entry", format_category="other", format_types=["other"],
        data_items=[]))
    resources = [call_action("resource_create", {"user": admin["name"]},
                             package_id=entry["id"], name=name, url=name,
                             upload=FileStorage(io.BytesIO(body.encode()), name))["id"]
                 for name, body in PLANTED_FILES.items()]
    table = call_action("resource_create", {"user": admin["name"]}, package_id=entry["id"],
                        name="表", url="table.csv", format="CSV", upload=FileStorage(
                            io.BytesIO(f"说明\n\"{PLANTED}\"\n".encode()), "table.csv"))
    run_jobs()
    resources.append(table["id"])
    job = model.Session.query(HarvestJob).filter_by(source_id=world["source"].id).first()
    planted = HarvestObject(guid="sweep-planted", job=job, source=job.source,
                            content=PLANTED_FILES["planted.html"])
    planted.save()
    dump.generate()
    ids = [{"id": entry["name"], "resource_id": rid} for rid in resources]
    ids.append({"id": planted.id, "resource_id": table["id"]})
    return dict(ids=ids, admin=admin)


def _file_problems(where: str, got) -> list[str]:
    if got.status_code >= 500:
        return [f"{where}: {got.status_code}"]
    csp = got.headers.get("Content-Security-Policy", "")
    media = got.headers.get("Content-Type", "").split(";")[0].strip().lower()
    sandboxed = csp.split(";")[0].strip() == "sandbox" and "default-src 'none'" in csp \
        and "allow-scripts" not in csp
    problems = []
    if not csp:
        problems.append(f"{where}: no Content-Security-Policy")
    if got.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{where}: no nosniff")
    if not sandboxed and media != "text/html":
        problems.append(f"{where}: {media} without the sandbox policy: {csp}")
    if not sandboxed and PLANTED.encode() in got.get_data():
        problems.append(f"{where}: a file's markup in an answer that runs scripts")
    if _is_file_answer(got):
        if not sandboxed:
            problems.append(f"{where}: a file without the sandbox policy: {csp}")
        if ACTIVE_TYPE.match(media):
            problems.append(f"{where}: a file served as {media}")
        if media == "application/octet-stream" and not got.headers.get(
                "Content-Disposition", "").startswith("attachment"):
            problems.append(f"{where}: a file of no type shown inline")
    return problems


def _is_file_answer(got) -> bool:
    return bool(got.headers.get("Content-Disposition") or got.headers.get("X-Accel-Redirect")
                or (got.status_code in (200, 206) and PLANTED.encode() in got.get_data()
                    and "sandbox" in got.headers.get("Content-Security-Policy", "")))


def test_every_route_serves_files_so_that_they_cannot_run(world, files_world, client):
    """Every GET route, with the identifiers of files someone else made (uploads of HTML,
    SVG, JavaScript, XML and text with markup, a table with markup, a harvest object holding
    HTML), as a sysadmin (who sees everything: whom a file would act for), directly and as
    the caching front asks (X-Accel-Redirect): every answer that is not one of the portal's
    pages is sandboxed, no file goes out with an active type or as inline bytes of no type,
    and no answer that may run scripts carries a file's markup."""
    headers = {"Authorization": files_world["admin"]["token"]}
    front = {**headers, "X-Lngov-Accel": "/_lngov_storage/"}
    problems, found, requests_made, seen = [], set(), 0, set()
    for rule in _rules(client):
        for ids in files_world["ids"] if rule.arguments else [{"id": "x", "resource_id": "x"}]:
            try:
                url = _route_url(client, rule, ids)
            except Exception:   # noqa: BLE001 - a converter that refuses the value
                continue
            if url in seen:
                continue
            seen.add(url)
            got = _call(client, "GET", url, headers=headers)
            requests_made += 1
            problems += _file_problems(f"GET {url}", got)
            if _is_file_answer(got):
                found.add(rule.endpoint)
                sent = _call(client, "GET", url, headers=front)
                requests_made += 1
                problems += _file_problems(f"GET {url} (front)", sent)
    print(f"\nsweep: {len(seen)} addresses, {requests_made} requests, file routes found: "
          f"{' '.join(sorted(found))}")
    assert not problems, "\n".join(sorted(set(problems)))
    assert DOWNLOAD_ENDPOINTS <= found, DOWNLOAD_ENDPOINTS - found
