"""Harvest benchmark: the portal's `lngov_exchange` harvester against ckanext-dcat's DCAT RDF
harvester, on the same entries of the sample exchange platform, in the same run.

For each catalog size (default 500 and 10,000 entries) and each harvester, on a fresh
database and index (LNGOV_ENV=bench services):
  full run      a first job into an empty portal;
  no-change     a second job, nothing having changed at the source.
Entries per second = datasets published / the job's duration (gather start to the last
object's import, from ckanext-harvest's own records, so CKAN's start-up is not counted).
The harvest does not wait for the tables (RQ jobs, ckanext/lngov/tables/load.py): after
lngov_exchange's full run, as many `ckan lngov worker --burst` as the harvest had workers
drain the queue, and "tables s" is the job's end to the last table's record (loaded,
quarantined or failed; task_status), the workers' start-up included. CPU s: the CPU time of
the harvest's (or the workers') processes, which other work on a shared machine does not
inflate as it inflates wall time (PostgreSQL's and Solr's are not counted).

lngov_exchange reads the platform's API (sample_platform/openapi.yaml): every listed entry is
judged, the openable ones published with their files copied (SHA-256 checked) and CSVs
loaded into the DataStore. The DCAT RDF harvester reads the platform's DCAT-AP feed
(/dcat/catalog.ttl, only the openable entries, hydra-paged) into a stock CKAN schema
(plugins: activity datastore harvest dcat dcat_rdf_harvester), metadata only.

    make bench-harvest            (or: LNGOV_ENV=bench, source scripts/lib.sh, then
                                   .venv/bin/python bench/harvest.py [--sizes 500,10000])
    --runs lngov:1,dcat:1,lngov:2,dcat:2   harvester:workers, in order
    --platform-port N                      the sample platform's port (LNGOV_EXCHANGE_PORT)
    --no-tables                            do not drain the table jobs (harvest figures only)
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import requests

ROOT = Path(__file__).resolve().parent.parent
ENV_DIR = ROOT / ".lngov" / "bench"
CKAN = str(Path(sys.executable).parent / "ckan")
PLATFORM_PORT = int(os.environ.get("LNGOV_EXCHANGE_PORT", "58996"))
TOKEN = "lngov-dev-token"


def sh(*args, check=True, quiet=True, **kw):
    result = subprocess.run(args, capture_output=quiet, text=True, **kw)
    if check and result.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, args))}\n{result.stdout}\n{result.stderr}")
    return result


def write_inis() -> tuple[str, str]:
    ENV_DIR.mkdir(parents=True, exist_ok=True)
    common = f"""[DEFAULT]
debug = false

[app:main]
use = config:{ROOT}/config/ckan.ini
SECRET_KEY = bench-only-secret
ckan.storage_path = {ENV_DIR}/storage
"""
    lngov = ENV_DIR / "harvest-lngov.ini"
    lngov.write_text(common)
    stock = ENV_DIR / "harvest-stock.ini"
    stock.write_text(common + "ckan.plugins = activity datastore harvest dcat dcat_rdf_harvester\n"
                              "ckan.locale_default = en\n")
    return str(lngov), str(stock)


def fresh_portal(ini: str) -> None:
    sh(CKAN, "-c", ini, "db", "clean", "--yes")
    sh("bash", str(ROOT / "scripts" / "ckan-init.sh"), ini, env=dict(os.environ, LNGOV_ENV="bench"))
    sh(CKAN, "-c", ini, "search-index", "clear")
    sh(CKAN, "-c", ini, "jobs", "clear")   # nothing a previous run left queued
    shutil.rmtree(ENV_DIR / "storage", ignore_errors=True)
    (ENV_DIR / "storage").mkdir(parents=True)


def start_platform(entries: int) -> subprocess.Popen:
    import socket
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", PLATFORM_PORT)) == 0:
            sys.exit(f"port {PLATFORM_PORT} is taken: stop what listens there first")
    process = subprocess.Popen(
        [sys.executable, "-m", "sample_platform", "--port", str(PLATFORM_PORT),
         "--entries", str(entries), "--warm"], cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline, last = time.monotonic() + 1200, None
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{PLATFORM_PORT}/api/v1/catalog/entries?limit=1",
                         headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5).raise_for_status()
            return process
        except requests.RequestException as error:
            last = error
            time.sleep(0.5)
    process.kill()
    print(last, file=sys.stderr)
    sys.exit("the exchange platform did not start")


def db():
    return psycopg2.connect(os.environ["CKAN_SQLALCHEMY_URL"])


def last_job() -> tuple[float, int]:
    """(seconds, datasets active) of the newest harvest job."""
    start, end = job_span()
    with db() as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM package WHERE type = 'dataset' AND state = 'active'")
        (datasets,) = cur.fetchone()
    return (end - start).total_seconds(), datasets


def job_span():
    """(start, end) of the newest harvest job, from ckanext-harvest's records."""
    with db() as conn, conn.cursor() as cur:
        cur.execute("""SELECT j.gather_started,
                              GREATEST(j.gather_finished, MAX(o.import_finished), MAX(o.fetch_finished))
                       FROM harvest_job j LEFT JOIN harvest_object o ON o.harvest_job_id = j.id
                       GROUP BY j.id ORDER BY j.created DESC LIMIT 1""")
        return cur.fetchone()


def cpu_of_children() -> float:
    """CPU seconds (user + system) of the finished child processes and theirs."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def harvest_job(ini: str, workers: int) -> tuple[float, int, float]:
    """One job: (seconds, datasets active, CPU seconds of the harvest's processes, CKAN's
    start-up included; PostgreSQL's and Solr's are not)."""
    cpu = cpu_of_children()
    sh(sys.executable, str(ROOT / "bench" / "harvest_ckan.py"), ini, "run", str(workers))
    return (*last_job(), cpu_of_children() - cpu)


def drain_tables(ini: str, workers: int) -> tuple[float, dict[str, int], float]:
    """The table jobs the harvest queued, run by `workers` RQ workers until the queue is
    empty: (the job's end to the last table record written, s; records by state; the
    workers' CPU seconds)."""
    _, job_end = job_span()
    cpu = cpu_of_children()
    done = [subprocess.Popen([CKAN, "-c", ini, "lngov", "worker", "--burst"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(workers)]
    for process in done:
        process.wait()
    cpu = cpu_of_children() - cpu
    with db() as conn, conn.cursor() as cur:
        cur.execute("SELECT state, count(*), max(last_updated) FROM task_status "
                    "WHERE task_type = 'lngov_table' GROUP BY state")
        rows = cur.fetchall()
        cur.execute("SELECT entity_id FROM task_status WHERE task_type = 'lngov_table' "
                    "AND state = 'loaded'")
        loaded = [r for (r,) in cur.fetchall()]
    # every table recorded as loaded exists in the DataStore
    with psycopg2.connect(os.environ["CKAN_DATASTORE_WRITE_URL"]) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename = ANY(%s)", (loaded,))
        (tables,) = cur.fetchone()
    states = {state: n for state, n, _ in rows}
    states["tables_present"] = tables
    last = max((when for *_, when in rows if when), default=job_end)
    return (last - job_end).total_seconds(), states, cpu


def create_source(ini: str, url: str, kind: str, config: str) -> None:
    sh(sys.executable, str(ROOT / "bench" / "harvest_ckan.py"), ini, "create", url, kind, config)


DRAIN = True


def run_lngov(ini: str, workers: int) -> list:
    fresh_portal(ini)
    # the token as a server holds it (harvest/credentials.py), never in the source's config
    os.environ["LNGOV_HARVEST_TOKEN_BENCH"] = TOKEN
    create_source(ini, f"http://127.0.0.1:{PLATFORM_PORT}", "lngov_exchange", "{}")
    out = []
    for _ in range(2):
        out.append(harvest_job(ini, workers))
        if len(out) == 1:
            out.append(drain_tables(ini, workers) if DRAIN else None)
    return [out[0], out[2], out[1]]


def run_dcat(ini: str, workers: int) -> list[tuple[float, int]]:
    fresh_portal(ini)
    create_source(ini, f"http://127.0.0.1:{PLATFORM_PORT}/dcat/catalog.ttl", "dcat_rdf",
                  '{"rdf_format": "text/turtle"}')
    out = []
    for _ in range(2):
        out.append(harvest_job(ini, workers))
    return [*out, None]


def main() -> None:
    global PLATFORM_PORT, DRAIN
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="500,10000")
    parser.add_argument("--runs", default="lngov:1,dcat:1,lngov:2,dcat:2",
                        help="harvester:workers, in order (lngov or dcat)")
    parser.add_argument("--platform-port", type=int, default=PLATFORM_PORT)
    parser.add_argument("--no-tables", action="store_true",
                        help="leave the table jobs queued (the harvest's figures only)")
    args = parser.parse_args()
    PLATFORM_PORT = args.platform_port
    DRAIN = not args.no_tables
    if os.environ.get("LNGOV_ENV") != "bench" or "CKAN_SQLALCHEMY_URL" not in os.environ:
        sys.exit("run it as `make bench-harvest` (the bench services' addresses come from "
                 "scripts/lib.sh with LNGOV_ENV=bench)")
    sh("bash", str(ROOT / "scripts" / "services.sh"), "start", env=dict(os.environ, LNGOV_ENV="bench"))
    lngov_ini, stock_ini = write_inis()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        platform = start_platform(size)
        try:
            summary = requests.get(f"http://127.0.0.1:{PLATFORM_PORT}/_control/summary").json()
            for spec in args.runs.split(","):
                name, workers = spec.split(":")
                t0 = time.monotonic()
                result = (run_lngov(lngov_ini, int(workers)) if name == "lngov"
                          else run_dcat(stock_ini, int(workers)))
                print(f"[{size}] {spec} done in {time.monotonic() - t0:.0f} s: {result}",
                      flush=True)
                rows.append((size, summary["openable"], spec, result))
        finally:
            platform.terminate()
            platform.wait()

    print("\nentries per second = datasets published / job duration; tables s = the job's end "
          "to the last table loaded by the RQ workers; CPU s = the harvest's (or the "
          "workers') processes, CKAN's start-up included; rerun = the same job again, "
          "nothing changed\n")
    print(f"{'catalog':>8} {'openable':>8} | {'harvester:workers':<18} {'datasets':>8} "
          f"{'full s':>8} {'full /s':>8} {'full CPU s':>10} {'tables s':>8} "
          f"{'tables CPU s':>12} {'queryable s':>11} {'rerun s':>8} {'full÷rerun':>10}  tables")
    nan = float("nan")
    for size, openable, spec, ((full_s, n, cpu), (rerun_s, *_), tables) in rows:
        label = spec.replace("lngov", "lngov_exchange").replace("dcat", "dcat_rdf")
        after, states, tables_cpu = tables if tables else (None, {}, nan)
        print(f"{size:>8} {openable:>8} | {label:<18} {n:>8} {full_s:>8.1f} {n / full_s:>8.1f} "
              f"{cpu:>10.1f} {after if after is not None else nan:>8.1f} {tables_cpu:>12.1f} "
              f"{full_s + after if after is not None else nan:>11.1f} {rerun_s:>8.2f} "
              f"{full_s / max(rerun_s, 1e-3):>10.0f}  {states or ''}")
    for size in dict.fromkeys(r[0] for r in rows):
        runs = {spec: r for s, _, spec, r in rows if s == size}
        for spec, ((full_s, n, cpu), _, _) in runs.items():
            name, workers = spec.split(":")
            stock = runs.get(f"dcat:{workers}")
            if name == "lngov" and stock:
                (stock_s, stock_n, stock_cpu), *_ = stock
                print(f"{size:>8}: {spec} = {(n / full_s) / (stock_n / stock_s):.1f}× "
                      f"dcat:{workers} in datasets per second, "
                      f"{(n / cpu) / (stock_n / stock_cpu):.1f}× in datasets per CPU second")


if __name__ == "__main__":
    main()
