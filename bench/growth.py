"""Growth: how search, entry pages, harvesting and the catalog dump scale with the catalog.

For each size (entries of the sample exchange platform, e.g. 10000 then 40000), against a
running bench portal (one web node, uWSGI as `make run` serves it):
  harvest      the platform is restarted with that many entries (the first N of a larger
               catalog are the same entries: they derive from the seed and their index), the
               entries new to the portal are touched there (the harvester lists what changed
               since its last job) and one job of `ckan lngov harvest exchange` takes them;
               entries/s =
               datasets the job added / its duration (ckanext-harvest's records, gather
               start to the last import);
  search p95   the search page (/dataset/?q=...) and the Action API's package_search, each
               request a word asked once (cut from the entries' titles: never answered from
               the web node's keep; --repeat-queries: bench/load.py's 10 words again and
               again), CONCURRENCY anonymous visitors;
  entry p95    entry pages (/dataset/NAME) of entries drawn at random from the whole catalog;
  dump         one generation of the catalog dump (ckanext/lngov/dcat/dump.py, every
               format), in-process.
Figures are printed side by side, with each size's ratio to the first.

    # the bench portal with the first size harvested (about 7 min for 10,000 at ~20/s):
    export LNGOV_ENV=bench; LNGOV_EXCHANGE_ENTRIES=10000 bash scripts/run.sh
    # then (bench ports from scripts/lib.sh, or the LNGOV_*_PORT of that run):
    .venv/bin/python bench/growth.py --sizes 10000,100000 [--harvest-minutes 30] [--json PATH]

With --harvest-minutes a job still running then is stopped, and the size is the catalog it
reached (the table says so).

With --as-is the first size is measured as the portal holds it, without a platform restart
or a job (its harvest figure is then the newest job that added datasets, e.g. the one
`make run` ran).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import psycopg2
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from load import QUERIES  # noqa: E402  (the same queries as the load benchmark)

TOKEN = "lngov-dev-token"


def env_ports() -> dict[str, str]:
    """The bench environment's addresses as scripts/lib.sh makes them; "env": the process
    environment with its exports (CKAN_SQLALCHEMY_URL, CKAN_SOLR_URL, ...), which every
    ckan command here runs with."""
    out = subprocess.run(
        ["bash", "-c", "source scripts/lib.sh && echo $CKAN_PORT $CKAN_SQLALCHEMY_URL "
                       "$ENV_DIR ${LNGOV_EXCHANGE_PORT:-58990} && env -0"],
        cwd=ROOT, capture_output=True, text=True, check=True,
        env={**os.environ, "LNGOV_ENV": "bench"}).stdout
    first, _, rest = out.partition("\n")
    words = first.split()
    env = dict(item.split("=", 1) for item in rest.split("\0") if "=" in item)
    return {"ckan_port": words[0], "db": words[1], "env_dir": words[2],
            "exchange_port": words[3], "env": env}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def timed_gets(base: str, paths: list[str], concurrency: int) -> dict:
    session = requests.Session()

    def one(path: str) -> tuple[float, int]:
        started = time.perf_counter()
        status = session.get(base + path, timeout=120,
                             headers={"Accept-Language": "zh-CN"}).status_code
        return (time.perf_counter() - started) * 1000, status

    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, paths))
    ms = [r[0] for r in results]
    return {"n": len(ms), "p50_ms": statistics.median(ms), "p95_ms": percentile(ms, 95),
            "errors": sum(1 for r in results if r[1] >= 400)}


def active_datasets(db: str) -> int:
    with psycopg2.connect(db) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM package WHERE type = 'dataset' AND state = 'active'")
        return cur.fetchone()[0]


def newest_adding_job(db: str) -> dict | None:
    """Duration and datasets added of the newest harvest job that added any."""
    with psycopg2.connect(db) as conn, conn.cursor() as cur:
        cur.execute("""
            SELECT j.gather_started,
                   GREATEST(j.gather_finished, MAX(o.import_finished), MAX(o.fetch_finished)),
                   count(*) FILTER (WHERE o.report_status = 'added'), count(o.id)
            FROM harvest_job j JOIN harvest_object o ON o.harvest_job_id = j.id
            GROUP BY j.id HAVING count(*) FILTER (WHERE o.report_status = 'added') > 0
            ORDER BY j.created DESC LIMIT 1""")
        row = cur.fetchone()
    if not row:
        return None
    seconds = (row[1] - row[0]).total_seconds()
    return {"seconds": seconds, "added": row[2], "objects": row[3], "rate": row[2] / seconds}


def restart_platform(ports: dict, entries: int) -> None:
    """The exchange platform of `scripts/run.sh` (its pid file), again with ENTRIES."""
    pidfile = Path(ports["env_dir"]) / "run" / "exchange.pid"
    if pidfile.exists():
        try:
            os.kill(int(pidfile.read_text()), signal.SIGTERM)
            time.sleep(2)
        except (ProcessLookupError, ValueError):
            pass
    log = open(Path(ports["env_dir"]) / "log" / "exchange.log", "a")
    process = subprocess.Popen(
        [sys.executable, "-m", "sample_platform", "--port", ports["exchange_port"],
         "--entries", str(entries), "--without-demo-entries"],
        cwd=ROOT, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True,
        env=ports["env"])
    pidfile.write_text(str(process.pid))
    url = f"http://127.0.0.1:{ports['exchange_port']}/api/v1/catalog/entries?limit=1"
    deadline = time.monotonic() + 120 + entries / 500
    while time.monotonic() < deadline:
        try:
            requests.get(url, headers={"Authorization": f"Bearer {TOKEN}"},
                         timeout=5).raise_for_status()
            return
        except requests.RequestException:
            time.sleep(1)
    sys.exit("the exchange platform did not start")


def announce_new_entries(ports: dict) -> int:
    """The harvester lists what changed since the newest `modified` it recorded; the entries
    a larger catalog adds were generated with older dates. Each entry the portal has no
    harvest object of is touched on the platform (its /_control), as if its department had
    just published it: the next job lists exactly those. Returns how many."""
    with psycopg2.connect(ports["db"]) as conn, conn.cursor() as cur:
        cur.execute("SELECT DISTINCT guid FROM harvest_object")
        known = {row[0] for row in cur.fetchall()}
    base = f"http://127.0.0.1:{ports['exchange_port']}"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    codes, cursor = [], None
    while True:
        params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = session.get(f"{base}/api/v1/catalog/entries", params=params, timeout=120).json()
        codes += [item["resource_code"] for item in page["items"]]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    new = [code for code in codes if code not in known]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda code: session.post(f"{base}/_control/touch",
                                                json={"resource_code": code},
                                                timeout=60).raise_for_status(), new))
    return len(new)


def platform_size(ports: dict) -> int | None:
    """--entries of the running platform (its command line; its summary counts without the
    demo entries)."""
    try:
        pid = int((Path(ports["env_dir"]) / "run" / "exchange.pid").read_text())
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
        return int(argv[argv.index("--entries") + 1])
    except (OSError, ValueError, IndexError):
        return None


def dump_seconds(ini: str, env: dict[str, str]) -> tuple[float, int]:
    """One generation of the catalog dump, in a process of its own (the app's config)."""
    code = ("import sys, time\n"
            "from ckan.cli import load_config\n"
            "from ckan.config.middleware import make_app\n"
            "app = make_app(load_config(sys.argv[1]))\n"
            "with app._wsgi_app.test_request_context('/'):\n"
            "    from ckanext.lngov.dcat import dump\n"
            "    t = time.perf_counter(); sizes = dump.generate()\n"
            "    print(sum(sizes.values()), time.perf_counter() - t)\n")
    done = subprocess.run([sys.executable, "-c", code, ini], cwd=ROOT, capture_output=True,
                          text=True, check=True, env=env)
    size, seconds = done.stdout.split()[-2:]
    return float(seconds), int(size)


HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def fresh_queries(titles: list[str], n: int, rng: random.Random) -> list[str]:
    """N different words of 2-4 Chinese characters cut from the entries' titles (what a
    visitor looks for): each search is asked once, so none is answered from what a web node
    keeps (serving/memory.py: an anonymous search by its parameters) nor from Solr's result cache."""
    runs = [run for title in titles for run in HAN_RUN.findall(title)]
    found: list[str] = []
    seen: set[str] = set()
    for _ in range(n * 50):
        if len(found) == n:
            break
        run = rng.choice(runs)
        size = rng.randint(2, min(4, len(run)))
        at = rng.randrange(len(run) - size + 1)
        word = run[at:at + size]
        if word not in seen:
            seen.add(word)
            found.append(word)
    return found


def measure(base: str, requests_n: int, concurrency: int, seed: int,
            repeat_queries: bool = False) -> dict:
    rng = random.Random(seed)
    count = requests.get(f"{base}/api/3/action/package_search?rows=0",
                         timeout=60).json()["result"]["count"]
    names, titles = [], []
    while len(names) < min(200, count):
        start = rng.randrange(max(1, count - 10))
        found = requests.get(f"{base}/api/3/action/package_search",
                             params={"rows": 10, "start": start, "fl": "name,title"},
                             timeout=60)
        names += [d["name"] for d in found.json()["result"]["results"]]
        titles += [d["title"] for d in found.json()["result"]["results"]]
    if repeat_queries:  # the load benchmark's 10 words: mostly answered from the keep
        words = [rng.choice(QUERIES) for _ in range(2 * requests_n + 10)]
    else:
        words = fresh_queries(titles, 2 * requests_n + 10, rng)
    pages = [f"/dataset/?q={quote(w)}" for w in words[:requests_n]]
    api = [f"/api/3/action/package_search?q={quote(w)}"
           for w in words[requests_n:2 * requests_n]]
    entries = [f"/dataset/{rng.choice(names)}" for _ in range(requests_n)]
    # warm the processes (their own searches)
    timed_gets(base, [f"/dataset/?q={quote(w)}" for w in words[2 * requests_n:]]
               + entries[:10], concurrency)
    return {"public": count,
            "search_page": timed_gets(base, pages, concurrency),
            "search_api": timed_gets(base, api, concurrency),
            "entry_page": timed_gets(base, entries, concurrency)}


def measure_size(base: str, args, ports: dict, size: int, datasets: int,
                 harvest: dict) -> dict:
    load = os.getloadavg()
    figures = measure(base, args.requests, args.concurrency, args.seed, args.repeat_queries)
    figures.update(size=size, datasets=datasets, harvest=harvest,
                   load=[load, os.getloadavg()], measured=time.strftime("%H:%M:%S"))
    if not args.no_dump:
        figures["dump_s"], figures["dump_bytes"] = dump_seconds(args.ini, ports["env"])
    print(f"[{size}] {json.dumps(figures)}", flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,40000")
    parser.add_argument("--ini", default=str(ROOT / ".lngov" / "bench" / "ckan.ini"))
    parser.add_argument("--requests", type=int, default=300, help="requests per figure")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--harvest-minutes", type=float, default=0,
                        help="stop a harvest job after this long and measure the catalog it "
                             "reached (0: let every job finish)")
    parser.add_argument("--no-dump", action="store_true")
    parser.add_argument("--as-is", action="store_true",
                        help="measure the first size as the portal holds it (no platform "
                             "restart, no job; its harvest figure: the newest job that added)")
    parser.add_argument("--repeat-queries", action="store_true",
                        help="search the load benchmark's 10 words again and again (mostly "
                             "answered from the web node's keep) instead of words asked once")
    parser.add_argument("--baseline", help="the --json of an earlier run: its sizes come first "
                                           "in the table (e.g. 10,000 measured before)")
    parser.add_argument("--json", help="write every figure here")
    args = parser.parse_args()
    ports = env_ports()
    base = f"http://127.0.0.1:{ports['ckan_port']}"
    ckan = [str(Path(sys.executable).parent / "ckan"), "-c", args.ini]
    rows = json.loads(Path(args.baseline).read_text()) if args.baseline else []
    for n, size in enumerate(int(s) for s in args.sizes.split(",")):
        if n == 0 and args.as_is:
            # The catalog as the portal holds it: no platform restart, no job (restarting
            # the platform smaller would have the next job retry, as gone, the entries a
            # stopped job left unfinished).
            harvest = newest_adding_job(ports["db"]) or {}
            datasets = active_datasets(ports["db"])
            print(f"[{size}] as it is: {datasets} datasets", flush=True)
            rows.append(measure_size(base, args, ports, size, datasets,
                                     {**harvest, "stopped": False}))
            continue
        if platform_size(ports) != size:
            print(f"[{size}] exchange platform: restarting with {size} entries", flush=True)
            restart_platform(ports, size)
        print(f"[{size}] {announce_new_entries(ports)} entries new to the portal "
              "announced (touched on the platform)", flush=True)
        before = active_datasets(ports["db"])
        job_started = time.monotonic()
        print(f"[{size}] harvest ({before} datasets now) ...", flush=True)
        job = subprocess.Popen([*ckan, "lngov", "harvest", "exchange"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True, env=ports["env"])
        try:
            job.wait(timeout=args.harvest_minutes * 60 if args.harvest_minutes else None)
            stopped = False
        except subprocess.TimeoutExpired:
            # A catalog too large to harvest in the time given: the job is stopped (its
            # workers die with it) and measured so far; the next job closes it and takes
            # the rest up (harvest/run.py _close_interrupted).
            os.killpg(job.pid, signal.SIGTERM)
            job.wait()
            stopped = True
        wall = time.monotonic() - job_started
        harvest = newest_adding_job(ports["db"]) or {}
        datasets = active_datasets(ports["db"])
        print(f"[{size}] {datasets} datasets (job: {wall:.0f} s wall, "
              f"{harvest.get('added', 0)} added at {harvest.get('rate', 0):.1f}/s)", flush=True)
        rows.append(measure_size(base, args, ports, size, datasets,
                                 {**harvest, "stopped": stopped}))

    first = rows[0]
    print(f"\nmachine load: {os.getloadavg()[0]:.1f} (1 min); {args.concurrency} visitors, "
          f"{args.requests} requests per figure\n")
    print("| figure | " + " | ".join(f"{r['datasets']:,} datasets" for r in rows)
          + " | " + " | ".join(f"{r['datasets']:,} ÷ {first['datasets']:,}" for r in rows[1:])
          + " |")
    print("|---|" + "---:|" * (2 * len(rows) - 1))

    def line(label, get, fmt="{:.0f}"):
        values = [get(r) for r in rows]
        ratios = [f"{v / values[0]:.2f}×" if values[0] and v is not None else "–"
                  for v in values[1:]]
        print(f"| {label} | " + " | ".join(fmt.format(v) if v is not None else "–"
                                           for v in values)
              + (" | " + " | ".join(ratios) if ratios else "") + " |")

    print("| platform entries | " + " | ".join(
        f"{r['size']:,}" + (" (job stopped)" if r["harvest"].get("stopped") else "")
        for r in rows) + (" |" + " |" * (len(rows) - 1)))
    line("datasets in the portal", lambda r: r["datasets"], "{:,}")
    line("public datasets (search)", lambda r: r["public"], "{:,}")
    line("search page p95 ms", lambda r: r["search_page"]["p95_ms"])
    line("search page p50 ms", lambda r: r["search_page"]["p50_ms"])
    line("package_search p95 ms", lambda r: r["search_api"]["p95_ms"])
    line("entry page p95 ms", lambda r: r["entry_page"]["p95_ms"])
    line("entry page p50 ms", lambda r: r["entry_page"]["p50_ms"])
    line("harvest: datasets added by the job", lambda r: r["harvest"].get("added"), "{:,}")
    line("harvest entries/s", lambda r: r["harvest"].get("rate"), "{:.1f}")
    line("dump generation s", lambda r: r.get("dump_s"), "{:.1f}")
    line("dump MB (4 formats)", lambda r: r.get("dump_bytes") and r["dump_bytes"] / 1e6,
         "{:.0f}")
    line("errors", lambda r: sum(r[k]["errors"] for k in ("search_page", "search_api",
                                                          "entry_page")), "{}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
