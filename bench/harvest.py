"""Harvest benchmark: the portal's `lngov_exchange` harvester against ckanext-dcat's DCAT RDF
harvester, on the same entries of the sample exchange platform, in the same run.

For each catalog size (default 500 and 10,000 entries) and each harvester, on a fresh
database and index (LNGOV_ENV=bench services):
  full run      a first job into an empty portal;
  no-change     a second job, nothing having changed at the source.
Entries per second = datasets published / the job's duration (gather start to the last
object's import, from ckanext-harvest's own records, so CKAN's start-up is not counted).

lngov_exchange reads the platform's API (harvesters/openapi.yaml): every listed entry is
judged, the openable ones published with their files copied (SHA-256 checked) and CSVs
loaded into the DataStore. The DCAT RDF harvester reads the platform's DCAT-AP feed
(/dcat/catalog.ttl, only the openable entries, hydra-paged) into a stock CKAN schema
(plugins: activity datastore harvest dcat dcat_rdf_harvester), metadata only.

    make bench-harvest            (or: LNGOV_ENV=bench, source scripts/lib.sh, then
                                   .venv/bin/python bench/harvest.py [--sizes 500,10000])
"""
from __future__ import annotations

import argparse
import os
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
PLATFORM_PORT = 58996
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
    shutil.rmtree(ENV_DIR / "storage", ignore_errors=True)
    (ENV_DIR / "storage").mkdir(parents=True)


def start_platform(entries: int) -> subprocess.Popen:
    import socket
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", PLATFORM_PORT)) == 0:
            sys.exit(f"port {PLATFORM_PORT} is taken: stop what listens there first")
    process = subprocess.Popen(
        [sys.executable, "-m", "harvesters.exchange_platform", "--port", str(PLATFORM_PORT),
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
    with db() as conn, conn.cursor() as cur:
        cur.execute("""SELECT j.gather_started,
                              GREATEST(j.gather_finished, MAX(o.import_finished), MAX(o.fetch_finished))
                       FROM harvest_job j LEFT JOIN harvest_object o ON o.harvest_job_id = j.id
                       GROUP BY j.id ORDER BY j.created DESC LIMIT 1""")
        start, end = cur.fetchone()
        cur.execute("SELECT count(*) FROM package WHERE type = 'dataset' AND state = 'active'")
        (datasets,) = cur.fetchone()
    return (end - start).total_seconds(), datasets


def create_source(ini: str, url: str, kind: str, config: str) -> None:
    sh(sys.executable, str(ROOT / "bench" / "harvest_ckan.py"), ini, "create", url, kind, config)


def run_lngov(ini: str, workers: int) -> list[tuple[float, int]]:
    fresh_portal(ini)
    create_source(ini, f"http://127.0.0.1:{PLATFORM_PORT}", "lngov_exchange",
                  f'{{"token": "{TOKEN}"}}')
    out = []
    for _ in range(2):
        sh(sys.executable, str(ROOT / "bench" / "harvest_ckan.py"), ini, "run", str(workers))
        out.append(last_job())
    return out


def run_dcat(ini: str, workers: int) -> list[tuple[float, int]]:
    fresh_portal(ini)
    create_source(ini, f"http://127.0.0.1:{PLATFORM_PORT}/dcat/catalog.ttl", "dcat_rdf",
                  '{"rdf_format": "text/turtle"}')
    out = []
    for _ in range(2):
        sh(sys.executable, str(ROOT / "bench" / "harvest_ckan.py"), ini, "run", str(workers))
        out.append(last_job())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="500,10000")
    parser.add_argument("--runs", default="lngov:2,dcat:1,lngov:1,dcat:2",
                        help="harvester:workers, in order (lngov or dcat)")
    args = parser.parse_args()
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
                print(f"[{size}] {spec} done in {time.monotonic() - t0:.0f} s", flush=True)
                rows.append((size, summary["openable"], spec, result))
        finally:
            platform.terminate()
            platform.wait()

    print("\nentries per second = datasets published / job duration; rerun = the same job "
          "again, nothing changed\n")
    print(f"{'catalog':>8} {'openable':>8} | {'harvester:workers':<18} {'datasets':>8} "
          f"{'full s':>8} {'full /s':>8} {'rerun s':>8} {'full÷rerun':>10}")
    for size, openable, spec, ((full_s, n), (rerun_s, _)) in rows:
        label = spec.replace("lngov", "lngov_exchange").replace("dcat", "dcat_rdf")
        print(f"{size:>8} {openable:>8} | {label:<18} {n:>8} {full_s:>8.1f} {n / full_s:>8.1f} "
              f"{rerun_s:>8.2f} {full_s / max(rerun_s, 1e-3):>10.0f}")
    for size in dict.fromkeys(r[0] for r in rows):
        rates = {spec: r[0][1] / r[0][0] for s, _, spec, r in rows if s == size}
        stock = rates.get("dcat:1")
        for spec, rate in rates.items():
            if spec.startswith("lngov") and stock:
                print(f"{size:>8}: {spec} = {rate / stock:.1f}× dcat:1 (the stock single "
                      f"fetch consumer) in datasets per second")


if __name__ == "__main__":
    main()
