"""Open tables in the DataStore (ckanext/lngov/tables/): loaded by CKAN's real background
worker, typed from the data items, files as people make them, an atomic reload."""
from __future__ import annotations

import io
import threading
import time

import openpyxl
import pytest
import requests
from werkzeug.datastructures import FileStorage

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import jobs
from ckan.tests.helpers import call_action

from ckanext.lngov import worker
from ckanext.lngov.serving import cache
from ckanext.lngov.tables import load, status
from tests import catalog
from tests.commands import run_jobs

ITEMS = [
    {"name": "地区", "data_type": "C", "length": 20},
    {"name": "自然增长率", "data_type": "N", "length": 8},
    {"name": "常住人口", "data_type": "I"},
    {"name": "统计日期", "data_type": "D"},
]
ROWS = [("沈阳市", "1.25", "9140000", "2023-12-31"), ("大连市", "-3.06", "7530000", "2023-12-31"),
        ("鞍山市", "0.4", "3250000", "2023-12-31"), ("抚顺市", "12.5", "1850000", "2023-12-31")]


def csv_bytes(rows=ROWS, encoding="utf-8") -> bytes:
    lines = [",".join(i["name"] for i in ITEMS)] + [",".join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.fixture(scope="module")
def dept(sysadmin_module):
    return catalog.department()


def upload(admin, dept, body: bytes, filename="data.csv", fmt="CSV", **entry_fields):
    entry = catalog.create(admin, **catalog.entry(dept["id"], data_items=ITEMS, **entry_fields))
    return entry, call_action("resource_create", {"user": admin["name"]}, package_id=entry["id"],
                              name="数据", format=fmt, url=filename,
                              upload=FileStorage(io.BytesIO(body), filename))


def api(url: str, action: str, **params):
    return requests.get(f"{url}/api/3/action/{action}", params=params, timeout=30)


def test_an_upload_is_loaded_in_the_background_with_typed_columns(sysadmin_module, dept,
                                                                   live_server):
    entry, resource = upload(sysadmin_module, dept, csv_bytes())
    # Published at once; the table follows, and the page says so meanwhile.
    assert status.get(resource["id"])["state"] == status.PENDING
    assert api(live_server, "datastore_search", resource_id=resource["id"]).status_code == 404
    page = requests.get(f"{live_server}/dataset/{entry['name']}/resource/{resource['id']}",
                        timeout=30)
    assert 'data-state="pending"' in page.text

    run_jobs()

    found = api(live_server, "datastore_search", resource_id=resource["id"],
                sort="自然增长率 asc").json()["result"]
    types = {f["id"]: f["type"] for f in found["fields"]}
    assert types == {"_id": "int", "地区": "text", "自然增长率": "numeric", "常住人口": "int8",
                     "统计日期": "date"}
    assert [r["地区"] for r in found["records"]] == ["大连市", "鞍山市", "沈阳市", "抚顺市"]
    assert found["records"][0]["统计日期"].startswith("2023-12-31")
    ranged = api(live_server, "datastore_search_sql", sql=(
        f'SELECT "地区" FROM "{resource["id"]}" WHERE "自然增长率" BETWEEN 0 AND 2 '
        'ORDER BY "常住人口" DESC')).json()["result"]["records"]
    assert [r["地区"] for r in ranged] == ["沈阳市", "鞍山市"]
    shown = api(live_server, "resource_show", id=resource["id"]).json()["result"]
    assert shown["datastore_active"] is True
    record = status.get(resource["id"])
    assert record["state"] == status.LOADED and record["rows"] == 4
    assert record["quality"]["count"] == 0


def test_a_gb18030_csv_is_read_as_excel_on_chinese_windows_writes_it(sysadmin_module, dept,
                                                                      live_server):
    body = csv_bytes(ROWS + [("葫芦岛市", "-1.5", "2430000", "2023-12-31")], "gb18030")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    _, resource = upload(sysadmin_module, dept, body)
    run_jobs()
    found = api(live_server, "datastore_search", resource_id=resource["id"],
                filters='{"地区": "葫芦岛市"}').json()["result"]
    assert found["total"] == 1 and found["records"][0]["自然增长率"] == -1.5


def test_a_bom_csv_keeps_its_first_column_name(sysadmin_module, dept, live_server):
    _, resource = upload(sysadmin_module, dept, b"\xef\xbb\xbf" + csv_bytes())
    run_jobs()
    fields = api(live_server, "datastore_search", resource_id=resource["id"]).json()[
        "result"]["fields"]
    assert [f["id"] for f in fields][1:] == [i["name"] for i in ITEMS]


def test_an_xlsx_first_sheet_is_loaded_typed(sysadmin_module, dept, live_server):
    import datetime as dt

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([i["name"] for i in ITEMS])
    sheet.append(["沈阳市", 1.25, 9140000, dt.datetime(2023, 12, 31)])
    sheet.append(["大连市", -3.06, 7530000, dt.datetime(2023, 12, 31)])
    book.create_sheet("说明").append(["不是数据"])
    out = io.BytesIO()
    book.save(out)
    _, resource = upload(sysadmin_module, dept, out.getvalue(), "data.xlsx", "XLSX")
    run_jobs()
    found = api(live_server, "datastore_search", resource_id=resource["id"],
                sort="自然增长率").json()["result"]
    assert found["total"] == 2
    assert [r["地区"] for r in found["records"]] == ["大连市", "沈阳市"]
    assert found["records"][0]["统计日期"].startswith("2023-12-31")


def test_a_value_that_does_not_fit_is_reported_with_its_row_and_column(sysadmin_module, dept,
                                                                        live_server):
    rows = ROWS + [("本溪市", "不详", "1320000", "2023-12-31"),
                   ("丹东市", "0.2", "2180000", "2023年13月1日")]
    entry, resource = upload(sysadmin_module, dept, csv_bytes(rows))
    run_jobs()
    record = status.get(resource["id"])
    assert record["state"] == status.LOADED and record["rows"] == 6
    assert record["quality"]["issues"] == [
        {"row": 6, "column": "自然增长率", "value": "不详", "type": "N"},
        {"row": 7, "column": "统计日期", "value": "2023年13月1日", "type": "D"}]
    found = api(live_server, "datastore_search", resource_id=resource["id"],
                filters='{"地区": "本溪市"}').json()["result"]["records"]
    assert found[0]["自然增长率"] is None and found[0]["常住人口"] == 1320000
    page = requests.get(f"{live_server}/dataset/{entry['name']}/resource/{resource['id']}",
                        timeout=30).text
    assert "不详" in page and "2023年13月1日" in page and 'data-state="loaded"' in page


def test_a_reload_replaces_the_table_atomically(sysadmin_module, dept, live_server):
    first = [(f"地区{n}", str(n % 100), str(n), "2023-12-31") for n in range(30000)]
    second = [(f"新地区{n}", str(n % 50), str(n), "2024-12-31") for n in range(40000)]
    _, resource = upload(sysadmin_module, dept, csv_bytes(first))
    run_jobs()
    answers: list[tuple[int, int | None]] = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            got = api(live_server, "datastore_search", resource_id=resource["id"], limit=1)
            answers.append((got.status_code, got.json().get("result", {}).get("total")))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        call_action("resource_update", {"user": sysadmin_module["name"]}, id=resource["id"],
                    package_id=resource["package_id"], name="数据", format="CSV",
                    url="data.csv", upload=FileStorage(io.BytesIO(csv_bytes(second)),
                                                       "data.csv"))
        run_jobs()
    finally:
        stop.set()
        thread.join()
    assert len(answers) > 5
    assert {code for code, _ in answers} == {200}, answers
    assert {total for _, total in answers} <= {30000, 40000}
    assert answers[-1][1] == 40000
    assert status.get(resource["id"])["rows"] == 40000


def test_a_run_of_loads_renews_the_front_s_cache_once_not_per_table(sysadmin_module, dept):
    """While more loads wait, a load's commit renews the caching front's generation a moment
    later, once for all loads meanwhile (cache.soon); the last load of the run at once."""
    loads = [upload(sysadmin_module, dept, csv_bytes())[1]["id"] for _ in range(3)]
    queue = jobs.get_queue(worker.LATER)
    for job in queue.jobs:
        if job.args != [] and job.args[0] not in loads:
            queue.remove(job)   # the additions' catalog dump: not part of this run
    generations = [cache.generation()]
    for resource_id in loads:
        queue.remove(next(j for j in queue.jobs if j.args == [resource_id]))
        load.run(resource_id)
        model.Session.remove()   # as the worker does after each job
        generations.append(cache.generation())
    assert generations[0] == generations[1] == generations[2] != generations[3]
    assert all(status.get(rid)["state"] == status.LOADED for rid in loads)
    time.sleep(tk.config.get("ckanext.lngov.cache.index_delay") + 1)
    assert cache.generation() != generations[3]   # the deferred renewal came
    packages = {model.Resource.get(rid).package_id for rid in loads}
    found = call_action("package_search", fq="res_extras_datastore_active:true", rows=1000)
    assert packages <= {pkg["id"] for pkg in found["results"]}


def test_conditional_and_private_entries_get_no_public_table(sysadmin_module, dept, live_server):
    _, conditional = upload(sysadmin_module, dept, csv_bytes(), open_attribute="conditional",
                            open_conditions="向省统计局申请。")
    _, private = upload(sysadmin_module, dept, csv_bytes(), private=True)
    run_jobs()
    for resource in (conditional, private):
        assert status.get(resource["id"]) is None
        from ckanext.lngov.tables.load import table_exists
        assert not table_exists(resource["id"])


def test_an_entry_that_stops_being_open_loses_its_table(sysadmin_module, dept, live_server):
    from ckanext.lngov.tables.load import table_exists

    entry, resource = upload(sysadmin_module, dept, csv_bytes())
    run_jobs()
    assert table_exists(resource["id"])
    call_action("package_patch", {"user": sysadmin_module["name"]}, id=entry["id"],
                open_attribute="conditional", open_conditions="向省统计局申请。")
    run_jobs()
    assert not table_exists(resource["id"]) and status.get(resource["id"]) is None


# --- the personal-information gate (privacy.py) ------------------------------------------------

def test_resident_id_mobile_and_bank_card_numbers_are_recognised():
    from ckanext.lngov import privacy

    assert privacy.kind_of("11010519491231002X") == "resident_id"
    assert privacy.kind_of("110105194912310021") is None  # wrong check character
    assert privacy.kind_of("13912345678") == "mobile"
    assert privacy.kind_of("12912345678") is None
    assert privacy.kind_of("4111111111111111") == "bank_card"
    assert privacy.kind_of("4111111111111112") is None
    hits = privacy.scan(["姓名", "证件", "备注"], [["张三", "11010519491231002X", "无"],
                                                 ["李四", "无", "电话13912345678"]])
    assert hits == [{"column": "证件", "kind": "resident_id", "count": 1, "rows": [2]},
                    {"column": "备注", "kind": "mobile", "count": 1, "rows": [3]}]


def test_codes_shaped_like_personal_numbers_are_not_taken_for_them():
    import random

    from ckanext.lngov import privacy
    from ckanext.lngov.demo.generate.codes import credit_code

    rng = random.Random(7)
    # 施工许可证编号: area code, issue date, serial, class; an ID number's shape, and its check
    # character right about one time in eleven. All-digit credit codes pass Luhn one in ten.
    permits = [f"210102{rng.randint(2015, 2024)}{rng.randint(1, 12):02d}"
               f"{rng.randint(1, 28):02d}{rng.randint(1, 99):02d}01" for _ in range(200)]
    codes = [credit_code(rng, "52", "210100") for _ in range(200)]
    assert any(privacy.kind_of(p) == "resident_id" for p in permits)
    assert any(privacy.kind_of(c) == "bank_card" for c in codes)
    assert privacy.scan(["施工许可证编号", "统一社会信用代码"], zip(permits, codes)) == []
    # 排污许可证编号: a credit code and a serial; its digits hold a mobile number's shape.
    assert privacy.scan(["许可证编号"], [["91210105MA16627316001P"]]) == []
    assert privacy.scan(["备注"], [["手机13912345678，编号MA1"]]) == [
        {"column": "备注", "kind": "mobile", "count": 1, "rows": [2]}]

    # ID numbers of the same shape pass their check every time: found, as is one among codes.
    def with_check(code17: str) -> str:
        return code17 + privacy._CHECK[sum(int(d) * w for d, w in zip(code17, privacy._WEIGHTS))
                                       % 11]
    ids = [with_check(p[:17]) for p in permits]
    assert privacy.scan(["身份证号"], ([i] for i in ids)) == [
        {"column": "身份证号", "kind": "resident_id", "count": 200,
         "rows": list(range(2, 2 + privacy.LISTED_ROWS))}]
    assert privacy.scan(["施工许可证编号", "备注"], [[permits[0], "无"], [permits[1], ids[2]]]) == [
        {"column": "备注", "kind": "resident_id", "count": 1, "rows": [3]}]


def test_a_file_with_personal_information_is_quarantined_until_released(
        sysadmin_module, dept, live_server):
    from ckanext.lngov.tables.load import table_exists

    items = ITEMS + [{"name": "联系人身份证", "data_type": "C", "length": 18}]
    lines = [",".join(i["name"] for i in items),
             "沈阳市,1.25,9140000,2023-12-31,",
             "大连市,-3.06,7530000,2023-12-31,11010519491231002X"]
    body = ("\n".join(lines) + "\n").encode()
    entry = catalog.create(sysadmin_module, **catalog.entry(dept["id"], data_items=items))
    # A clean first version: loaded, with its preview.
    resource = call_action("resource_create", {"user": sysadmin_module["name"]},
                           package_id=entry["id"], name="数据", format="CSV", url="data.csv",
                           upload=FileStorage(io.BytesIO(body.replace(b"11010519491231002X", b"")),
                                              "data.csv"))
    run_jobs()
    assert status.get(resource["id"])["state"] == status.LOADED
    assert len(call_action("resource_view_list", id=resource["id"])) == 1
    # The next version holds an ID number: its table and the preview that read it go.
    call_action("resource_patch", {"user": sysadmin_module["name"]}, id=resource["id"],
                upload=FileStorage(io.BytesIO(body), "data.csv"))
    run_jobs()
    record = status.get(resource["id"])
    assert record["state"] == status.QUARANTINED
    assert call_action("resource_view_list", id=resource["id"]) == []
    assert record["findings"] == [{"column": "联系人身份证", "kind": "resident_id", "count": 1,
                                   "rows": [3]}]
    assert not table_exists(resource["id"])
    download = f"{live_server}/dataset/{entry['name']}/resource/{resource['id']}/download/data.csv"
    assert requests.get(download, timeout=30).status_code == 403
    assert api(live_server, "datastore_search", resource_id=resource["id"]).status_code == 404
    catalog_ttl = requests.get(f"{live_server}/catalog.ttl", timeout=60).text
    assert entry["name"] in catalog_ttl and resource["id"] not in catalog_ttl
    page = requests.get(f"{live_server}/dataset/{entry['name']}/resource/{resource['id']}",
                        timeout=30).text
    assert 'data-state="quarantined"' in page and "联系人身份证" in page
    assert "11010519491231002X" not in page
    assert "/download/" not in page  # no download button, no file address
    page = requests.get(f"{live_server}/dataset/{entry['name']}", timeout=30).text
    assert "lngov-held-back" in page and "lngov-download" not in page

    # Nobody but a sysadmin releases it; the release is recorded, then the file goes public.
    refused = requests.post(f"{live_server}/api/3/action/lngov_table_release",
                            json={"id": resource["id"]}, timeout=30)
    assert refused.status_code == 403
    released = requests.post(f"{live_server}/api/3/action/lngov_table_release",
                             json={"id": resource["id"]}, timeout=30,
                             headers={"Authorization": sysadmin_module["token"]}).json()
    assert released["success"] and released["result"]["release"]["by"] == sysadmin_module["name"]
    run_jobs()
    record = status.get(resource["id"])
    assert record["state"] == status.LOADED and record["release"]["findings"]
    assert requests.get(download, timeout=30).status_code == 200
    assert api(live_server, "datastore_search", resource_id=resource["id"]).json()[
        "result"]["total"] == 2
    assert resource["id"] in requests.get(f"{live_server}/catalog.ttl", timeout=60).text
    page = requests.get(f"{live_server}/dataset/{entry['name']}/resource/{resource['id']}",
                        timeout=30).text
    assert "lngov-release" in page and "resource-url-analytics" in page
    assert len(call_action("resource_view_list", id=resource["id"])) == 1


# --- the XLSX download (tables/xlsx.py) ------------------------------------------------------

def test_a_table_downloads_as_xlsx_with_typed_cells(sysadmin_module, dept, live_server):
    import datetime as dt

    rows = [*ROWS, ("=HYPERLINK(\"http://x\")", "", "", "")]
    entry, resource = upload(sysadmin_module, dept, csv_bytes(rows))
    run_jobs()
    path = f"{live_server}/datastore/dump/{resource['id']}/xlsx"
    got = requests.get(path, timeout=30)
    assert got.status_code == 200
    assert got.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert f'filename="{resource["id"]}.xlsx"' in got.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(got.content)).worksheets[0]
    table = [[c.value for c in row] for row in sheet.iter_rows()]
    assert table[0] == ["地区", "自然增长率", "常住人口", "统计日期"]
    assert table[1] == ["沈阳市", 1.25, 9140000, dt.datetime(2023, 12, 31)]
    assert table[2] == ["大连市", -3.06, 7530000, dt.datetime(2023, 12, 31)]
    assert sheet.cell(2, 4).is_date and sheet.cell(2, 4).number_format == "yyyy-mm-dd"
    assert sheet.cell(2, 3).data_type == "n" and sheet.cell(2, 2).data_type == "n"
    # text that looks like a formula stays text; empty cells stay empty
    assert sheet.cell(6, 1).data_type == "s" and table[5] == [rows[-1][0], None, None, None]
    assert len(table) == 6
    # linked beside the dump's CSV and JSON in the Data API panel
    panel = requests.get(f"{live_server}/datastore/api_info/{resource['id']}", timeout=30).text
    assert f"/datastore/dump/{resource['id']}/xlsx" in panel and "format=json" in panel


def test_the_xlsx_download_is_refused_where_the_dump_is(sysadmin_module, dept, live_server):
    admin = {"Authorization": sysadmin_module["token"]}
    tables = {}
    for kind, fields in (("conditional", dict(open_attribute="conditional",
                                              open_conditions="向省统计局申请。")),
                         ("private", dict(private=True))):
        _, resource = upload(sysadmin_module, dept, csv_bytes(), **fields)
        # a table of its own, as a department may make one through the API
        call_action("datastore_create", {"user": sysadmin_module["name"]},
                    resource_id=resource["id"], force=True, fields=[{"id": "地区"}],
                    records=[{"地区": "沈阳市"}])
        tables[kind] = resource["id"]
    for kind, rid in tables.items():
        dump = requests.get(f"{live_server}/datastore/dump/{rid}", timeout=30)
        xlsx = requests.get(f"{live_server}/datastore/dump/{rid}/xlsx", timeout=30)
        assert xlsx.status_code == dump.status_code == 404, kind
        assert "沈阳市" not in xlsx.text
        mine = requests.get(f"{live_server}/datastore/dump/{rid}/xlsx", headers=admin,
                            timeout=30)
        assert mine.status_code == 200, kind
        assert openpyxl.load_workbook(io.BytesIO(mine.content)).worksheets[0]["A2"].value == \
            "沈阳市"
    # no table, or not even a resource: the same answer
    _, untabled = upload(sysadmin_module, dept, b"a\n", filename="x.txt", fmt="TXT",
                         format_category="file", format_types=["txt"])
    for rid in (untabled["id"], "no-such-table", "é" * 300):
        assert requests.get(f"{live_server}/datastore/dump/{rid}/xlsx",
                            timeout=30).status_code == 404, rid


# --- preview and the Data API panel ------------------------------------------------------------

def test_the_preview_is_a_data_table_view(sysadmin_module, dept, live_server):
    entry, resource = upload(sysadmin_module, dept, csv_bytes())
    # The data table reads the table: it comes with it, once, however often it is reloaded.
    assert call_action("resource_view_list", id=resource["id"]) == []
    run_jobs()
    call_action("resource_patch", {"user": sysadmin_module["name"]}, id=resource["id"],
                upload=FileStorage(io.BytesIO(csv_bytes(ROWS[:2])), "data.csv"))
    run_jobs()
    views = call_action("resource_view_list", id=resource["id"])
    assert [v["view_type"] for v in views] == ["datatables_view"]
    assert views[0]["title"] == "表格"  # its tab, in the site's language
    page = requests.get(f"{live_server}/dataset/{entry['name']}/resource/{resource['id']}",
                        timeout=30)
    assert f"/view/{views[0]['id']}" in page.text
    rows = requests.post(f"{live_server}/datatables/ajax/{views[0]['id']}",
                         data={"draw": "1", "start": "0", "length": "10", "search[value]": "",
                               "order[0][column]": "0", "order[0][dir]": "asc"}, timeout=30)
    assert rows.status_code == 200 and rows.json()["recordsTotal"] == 2


def test_the_api_panel_examples_run_as_shown(sysadmin_module, dept, live_server):
    import html
    import json
    import re
    import shutil
    import subprocess
    import sys

    from ckan.common import config

    _, resource = upload(sysadmin_module, dept, csv_bytes())
    run_jobs()
    panel = requests.get(f"{live_server}/datastore/api_info/{resource['id']}", timeout=30)
    assert panel.status_code == 200
    blocks = re.findall(r'<pre class="lngov-example" data-lang="(\w+)" data-example="(\w+)">'
                        r"<code>(.*?)</code></pre>", panel.text, re.S)
    assert {(lang, name) for lang, name, _ in blocks} == {
        (lang, name) for lang in ("curl", "python", "javascript")
        for name in ("search", "filter", "sql")}
    runners = {"curl": ["bash", "-c"], "python": [sys.executable, "-c"],
               "javascript": [shutil.which("node"), "-e"]}
    for lang, name, code in blocks:
        code = html.unescape(code)
        assert "Authorization" not in code
        code = code.replace(config["ckan.site_url"].rstrip("/"), live_server)
        done = subprocess.run([*runners[lang], code], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, (lang, name, code, done.stderr)
        output = done.stdout
        if lang == "curl":  # the API's JSON, which may escape Chinese as \uXXXX
            output = json.dumps(json.loads(output)["result"]["records"], ensure_ascii=False)
        # q and the filter find 沈阳市; the SQL example sorts by the first number column,
        # descending, so 抚顺市 (12.5) comes first
        first = "抚顺市" if name == "sql" else "沈阳市"
        assert first in output.split("}")[0], (lang, name, code, done.stdout)


def test_tables_an_earlier_portal_loaded_as_text_are_loaded_again(sysadmin_module, dept):
    from ckan import model

    from tests.commands import run_ckan

    entry, resource = upload(sysadmin_module, dept, csv_bytes())
    # As an earlier portal left it: every column text, no load record, no preview.
    status.forget(resource["id"])
    model.Session.commit()
    call_action("datastore_create", {"user": sysadmin_module["name"]},
                resource_id=resource["id"], force=True,
                fields=[{"id": i["name"], "type": "text"} for i in ITEMS],
                records=[dict(zip((i["name"] for i in ITEMS), r)) for r in ROWS])
    done = run_ckan("lngov", "tables")
    assert done.returncode == 0 and "tables queued: " in done.stdout, done.stderr
    run_jobs()
    fields = call_action("datastore_search", resource_id=resource["id"], limit=0)["fields"]
    assert {f["id"]: f["type"] for f in fields}["自然增长率"] == "numeric"
    assert [v["view_type"] for v in call_action("resource_view_list", id=resource["id"])] == [
        "datatables_view"]
    # A second run finds nothing left to do for it.
    assert status.get(resource["id"])["state"] == status.LOADED
