"""Table-loading benchmark: the portal's loader (ckanext/lngov/tables, the job `load.run`)
against ckanext-xloader's loader, on the same files, into the same DataStore, in one run.

Files (written under .lngov/bench/tables, kept between runs):
  demo       the demo catalog's CSV files (ckanext/lngov/demo: every CSV of an openly
             published entry, UTF-8 with BOM, 10-30 rows each), loaded one after another;
  10mb-utf8  a generated 10 MB CSV in UTF-8 (columns as bench/privacy_scan.py: credit code,
             name, address, phone, amount, date, remark; declared C C C C N D M);
  10mb-gb18030  the same rows in GB18030 (as Excel on Chinese Windows saves them);
  big-utf8   the same kind of rows, --big-mb MB (100 by default; the issue asks 1024).

Loaders, each in a subprocess of its own (its peak RSS is read with os.wait4, and the same
for a subprocess that only starts CKAN: the baseline every loader pays):
  lngov      `ckanext.lngov.tables.load.run(resource_id)`, the portal's job as the worker runs
             it: encoding detected, personal-information screen, values converted to the
             declared types (numeric, date), staging table + atomic swap, datastore_create,
             the data-table view;
  xl-copy    xloader's default path, as its job's `direct_load` calls it:
             `loader.load_csv` + `calculate_record_count` + `create_column_indexes`. Every
             column is text (xloader's COPY path applies no types);
  xl-types   xloader's type-guessing path (`ckanext.xloader.use_type_guessing`, what its job
             calls `tabulator_load`): `loader.load_table` + `calculate_record_count`,
             types guessed by tabulator from the first rows. Run on demo and 10 MB files only
             unless --types-big (it sends rows through datastore_create, 250 at a time).

xloader is called on the file's path (its job downloads the file to a temporary file
first; that download is not timed, nor is the portal's, which reads the stored upload).
Rows/s = rows in the table afterwards / wall time of the loading calls (CKAN's start-up not
counted). The text check compares the second column of the first data row in the table
with the file's, to see whether the encoding was read right.

    make bench-tables [ARGS="--big-mb 1024"]     (or: LNGOV_ENV=bench, source scripts/lib.sh,
                                                  .venv/bin/python bench/table_load.py)
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV_DIR = ROOT / ".lngov" / "bench"
FILES = ENV_DIR / "tables"
CKAN = str(Path(sys.executable).parent / "ckan")

HEADER = ["统一社会信用代码", "单位名称", "地址", "联系电话", "金额", "日期", "备注"]
CODES = ["C", "C", "C", "C", "N", "D", "M"]
LOADERS = ("lngov", "xl-copy", "xl-types")


# --- the files ---------------------------------------------------------------------------------

def _row(rng: random.Random) -> list[str]:
    return [f"91210{rng.randrange(10**12):012d}X", f"辽宁{rng.randrange(9999)}有限公司",
            f"沈阳市和平区南京北街{rng.randrange(999)}号", f"024-{rng.randrange(10**8):08d}",
            f"{rng.uniform(-1e6, 1e6):.2f}",
            f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "无" * rng.randrange(20)]


def generate(path: Path, mb: float, encoding: str) -> None:
    """A UTF-8 CSV of about `mb` MB; in another encoding, the same rows re-encoded."""
    if path.exists():
        return
    tmp = path.with_suffix(".part")
    if encoding != "utf-8":
        source = path.with_name(path.name.replace(encoding, "utf8"))
        generate(source, mb, "utf-8")
        with open(source, encoding="utf-8", newline="") as f, \
                open(tmp, "w", encoding=encoding, newline="") as out:
            for line in f:
                out.write(line)
        tmp.rename(path)
        return
    rng, target = random.Random(11), mb * 1e6
    with open(tmp, "wb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        out = csv.writer(text)
        out.writerow(HEADER)
        while raw.tell() < target:
            out.writerows(_row(rng) for _ in range(5000))
            text.flush()
        text.detach()
    tmp.rename(path)


def demo_files() -> list[tuple[Path, list[dict]]]:
    """(path, data items) of each CSV of an openly published demo entry."""
    from ckanext.lngov.demo import files

    out = []
    for entry in files.load_catalog()[1]:
        if entry.get("open_attribute") != "open":
            continue
        for resource in entry.get("resources") or []:
            if str(resource.get("format", "")).upper() != "CSV":
                continue
            name, data = files.make_file(entry, resource)
            path = FILES / "demo" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            out.append((path, entry["data_items"]))
    return out


# --- inside CKAN (the children) ----------------------------------------------------------------

def _app(ini: str):
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    return make_app(load_config(ini))


def child_setup(ini: str, manifest: str) -> None:
    """Creates, for each file, an open entry with the file uploaded (the portal's resource) and
    link resources for xloader's tables (not the portal's to load: not uploads)."""
    from werkzeug.datastructures import FileStorage

    sys.path.insert(0, str(ROOT))
    from tests import catalog

    groups = json.loads(Path(manifest).read_text())
    with _app(ini)._wsgi_app.test_request_context():
        import ckan.plugins.toolkit as tk

        user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        ctx = {"user": user, "ignore_auth": True}
        org = tk.get_action("organization_create")(dict(ctx), {
            "name": "bench-tables", "title": "基准测试部门", "credit_code": catalog.credit_code(1)})
        targets = tk.get_action("package_create")(dict(ctx), catalog.entry(
            org["id"], name="bench-xloader-targets", title="xloader 的表"))
        for group in groups:
            for item in group["files"]:
                entry = tk.get_action("package_create")(dict(ctx), catalog.entry(
                    org["id"], title=Path(item["path"]).stem, data_items=item["items"]))
                with open(item["path"], "rb") as f:
                    res = tk.get_action("resource_create")(dict(ctx), {
                        "package_id": entry["id"], "name": "数据", "format": "CSV",
                        "url": Path(item["path"]).name,
                        "upload": FileStorage(stream=f, filename=Path(item["path"]).name)})
                item["lngov"] = res["id"]
                for loader in LOADERS[1:]:
                    item[loader] = tk.get_action("resource_create")(dict(ctx), {
                        "package_id": targets["id"], "name": f"{loader} {Path(item['path']).name}",
                        "format": "CSV", "url": "http://127.0.0.1/none.csv"})["id"]
    Path(manifest).write_text(json.dumps(groups, ensure_ascii=False))


def child_load(ini: str, loader: str, items_json: str) -> None:
    """Loads the files with one loader; prints {"seconds", "rows", "first", "types"}."""
    import logging

    items = json.loads(items_json)
    with _app(ini)._wsgi_app.test_request_context():
        import sqlalchemy as sa
        from flask import g

        import ckan.plugins.toolkit as tk

        # the worker's user: xloader's calls pass no user in their context (CKAN takes g.user),
        # and CKAN 2.12's datastore_create, which patches the resource, needs one
        g.user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]

        from ckanext.datastore.backend import postgres as pg

        seconds = rows = 0.0
        log = logging.getLogger("bench.xloader")
        first, types = None, None
        for item in items:
            rid = item[loader]
            start = time.perf_counter()
            if loader == "lngov":
                from ckan import model
                from ckanext.lngov.tables import load, status

                load.run(rid)
                record = status.get(rid)
                if record["state"] != status.LOADED:
                    sys.exit(f"{item['path']}: {record['state']} {record.get('error')}"
                             f"{record.get('findings', '')}")
                model.Session.remove()
            elif loader == "xl-copy":
                from ckanext.xloader import loader as xl

                fields = xl.load_csv(item["path"], resource_id=rid, mimetype="CSV", logger=log)
                xl.calculate_record_count(resource_id=rid, logger=log)
                xl.create_column_indexes(fields=fields, resource_id=rid, logger=log)
            else:
                from ckanext.xloader import loader as xl

                xl.load_table(item["path"], resource_id=rid, mimetype="CSV", logger=log)
                xl.calculate_record_count(resource_id=rid, logger=log)
            seconds += time.perf_counter() - start
            with pg.get_write_engine().connect() as conn:
                rows += conn.execute(sa.text(f"SELECT count(*) FROM {pg.identifier(rid)}")
                                     ).scalar()
                if first is None:
                    result = conn.execute(sa.text(
                        f"SELECT * FROM {pg.identifier(rid)} ORDER BY _id LIMIT 1"))
                    row = result.mappings().fetchone()
                    first = [str(v) for k, v in row.items() if not k.startswith("_")][:2]
                    types = [r[0] for r in conn.execute(sa.text(
                        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE "
                        "attrelid = CAST(:t AS regclass) AND attnum > 0 AND NOT attisdropped "
                        "AND attname NOT LIKE '\\_%' ORDER BY attnum"), {"t": pg.identifier(rid)})]
        print(json.dumps({"seconds": seconds, "rows": rows, "first": first, "types": types},
                         ensure_ascii=False))


def child_idle(ini: str) -> None:
    with _app(ini)._wsgi_app.test_request_context():
        pass


# --- the run -----------------------------------------------------------------------------------

def sh(*args, env=None):
    result = subprocess.run(args, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, args))}\n{result.stdout}\n{result.stderr}")
    return result


def run_measured(args: list[str]) -> tuple[dict | None, float, str]:
    """Runs `args` in a subprocess; (its JSON, its peak RSS in MB, its stderr tail)."""
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # read both pipes without deadlock, then reap with wait4 for this child's own rusage
    import threading

    chunks: dict[str, bytes] = {}

    def drain(name, pipe):
        chunks[name] = pipe.read()

    threads = [threading.Thread(target=drain, args=(n, p))
               for n, p in (("out", process.stdout), ("err", process.stderr))]
    for t in threads:
        t.start()
    _, status, usage = os.wait4(process.pid, 0)
    for t in threads:
        t.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    err = chunks["err"].decode(errors="replace")
    out = chunks["out"].decode(errors="replace").strip().splitlines()
    data = json.loads(out[-1]) if process.returncode == 0 and out else None
    return data, usage.ru_maxrss / 1024, err[-2000:]


def write_ini() -> str:
    ENV_DIR.mkdir(parents=True, exist_ok=True)
    ini = ENV_DIR / "tables.ini"
    ini.write_text(f"""[DEFAULT]
debug = false

[app:main]
use = config:{ROOT}/config/ckan.ini
SECRET_KEY = bench-only-secret
ckan.storage_path = {ENV_DIR}/storage
ckan.max_resource_size = 4096
# xloader's settings as a Chinese portal would set them (its plugin is not enabled: its
# loader is called directly); Chinese column names kept as they are
ckanext.xloader.unidecode_headers = false
""")
    return str(ini)


def fresh_portal(ini: str) -> None:
    import shutil

    env = dict(os.environ, LNGOV_ENV="bench")
    sh(CKAN, "-c", ini, "db", "clean", "--yes", env=env)
    sh("bash", str(ROOT / "scripts" / "ckan-init.sh"), ini, env=env)
    sh(CKAN, "-c", ini, "search-index", "clear", env=env)
    import psycopg2  # the DataStore's tables of an earlier run (`db clean` leaves them)

    with psycopg2.connect(os.environ["CKAN_DATASTORE_WRITE_URL"]) as conn, conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        for (table,) in cur.fetchall():
            cur.execute(f'DROP TABLE IF EXISTS "{table}" CASCADE')
    shutil.rmtree(ENV_DIR / "storage", ignore_errors=True)
    (ENV_DIR / "storage").mkdir(parents=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--big-mb", type=float, default=100)
    parser.add_argument("--no-big", action="store_true")
    parser.add_argument("--types-big", action="store_true",
                        help="also run xloader's type-guessing path on the big file")
    parser.add_argument("--loaders", default=",".join(LOADERS))
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        {"setup": child_setup, "load": child_load, "idle": child_idle}[kind](*rest)
        return
    if os.environ.get("LNGOV_ENV") != "bench" or "CKAN_SQLALCHEMY_URL" not in os.environ:
        sys.exit("run it as `make bench-tables` (the bench services' addresses come from "
                 "scripts/lib.sh with LNGOV_ENV=bench)")
    loaders = args.loaders.split(",")
    sh("bash", str(ROOT / "scripts" / "services.sh"), "start", "postgres", "redis", "solr",
       env=dict(os.environ, LNGOV_ENV="bench"))
    FILES.mkdir(parents=True, exist_ok=True)
    items = [{"path": str(p), "items": i} for p, i in demo_files()]
    groups = [{"name": f"demo ({len(items)} files)", "files": items}]
    big = [("10mb-utf8", 10, "utf-8"), ("10mb-gb18030", 10, "gb18030")]
    if not args.no_big:
        big.append((f"{args.big_mb:g}mb-utf8", args.big_mb, "utf-8"))
    data_items = [{"name": n, "data_type": c, **({"length": 200} if c in "CN" else {})}
                  for n, c in zip(HEADER, CODES)]
    for name, mb, encoding in big:
        path = FILES / f"{name}.csv"
        t0 = time.monotonic()
        generate(path, mb, encoding)
        print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB "
              f"({time.monotonic() - t0:.0f} s to make)", flush=True)
        groups.append({"name": name, "files": [{"path": str(path), "items": data_items}]})
    ini = write_ini()
    fresh_portal(ini)
    manifest = ENV_DIR / "tables-manifest.json"
    manifest.write_text(json.dumps(groups, ensure_ascii=False))
    t0 = time.monotonic()
    sh(sys.executable, __file__, "--child", "setup", ini, str(manifest))
    print(f"entries and uploads made in {time.monotonic() - t0:.0f} s", flush=True)
    groups = json.loads(manifest.read_text())
    idle, base_mb, err = run_measured([sys.executable, __file__, "--child", "idle", ini])
    results = []
    for group in groups:
        size = sum(Path(i["path"]).stat().st_size for i in group["files"]) / 1e6
        for loader in loaders:
            if loader == "xl-types" and group["name"].startswith(f"{args.big_mb:g}mb") \
                    and not args.types_big:
                continue
            t0 = time.monotonic()
            data, peak, err = run_measured([sys.executable, __file__, "--child", "load", ini,
                                            loader, json.dumps(group["files"])])
            line = (f"{group['name']} {loader}: {time.monotonic() - t0:.0f} s, "
                    f"peak {peak:.0f} MB")
            if data is None:
                print(line + " FAILED\n" + err, flush=True)
            else:
                print(line + f", {data['rows']:.0f} rows in {data['seconds']:.1f} s",
                      flush=True)
            results.append((group, size, loader, data, peak, err))
    first_rows = {g["name"]: _first_row(g["files"][0]["path"]) for g in groups}
    print(f"\nbaseline: a process that only starts CKAN peaks at {base_mb:.0f} MB\n")
    print(f"{'file':<18} {'MB':>7} | {'loader':<9} {'rows':>9} {'s':>7} {'rows/s':>8} "
          f"{'peak MB':>7} {'text ok':>7} | column types (of the first file)")
    for group, size, loader, data, peak, _ in results:
        if data is None:
            print(f"{group['name']:<18} {size:>7.1f} | {loader:<9} failed (peak {peak:.0f} MB)")
            continue
        ok = "yes" if data["first"] and data["first"][1] == first_rows[group["name"]][1] else "NO"
        print(f"{group['name']:<18} {size:>7.1f} | {loader:<9} {data['rows']:>9.0f} "
              f"{data['seconds']:>7.1f} {data['rows'] / data['seconds']:>8,.0f} {peak:>7.0f} "
              f"{ok:>7} | {' '.join(_short(t) for t in data['types'])}")
    (ENV_DIR / "tables-results.json").write_text(json.dumps(
        [{"file": g["name"], "mb": s, "loader": ld, "result": d, "peak_mb": p}
         for g, s, ld, d, p, _ in results] + [{"baseline_mb": base_mb}],
        ensure_ascii=False, indent=1))


def _first_row(path: str) -> list[str]:
    from ckanext.lngov.tables import read

    with open(path, "rb") as f:
        text = io.TextIOWrapper(f, encoding=read.encoding(f), newline="")
        reader = csv.reader(text)
        next(reader)
        return next(reader)


def _short(pg_type: str) -> str:
    return {"text": "text", "numeric": "num", "date": "date", "bigint": "int8",
            "timestamp without time zone": "ts", "double precision": "f8",
            "boolean": "bool"}.get(pg_type, pg_type)


if __name__ == "__main__":
    main()
