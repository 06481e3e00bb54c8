"""Table jobs: CKAN's stock worker against the portal's, draining the same queued loads, in
one run.

    stock  `ckan jobs worker --burst default lngov_later`: CKAN's RQ worker, which forks a
           work horse for every job and loads CKAN's environment again in it;
    lngov  `ckan lngov worker --burst` (ckanext/lngov/worker.py): the same worker class, each
           job run in the worker's own process.

Both run the same job code (`tables/load.run`) on the same files. Before each worker, every
table the portal has loaded is dropped, its resource's `datastore_active` cleared and its
record forgotten, and the loads are queued again (`tables/load.schedule`): each drain loads
every table for the first time, as after a harvest. Figures: the drain's wall time, the CPU
time of the worker's process tree (user + system, work horses included; PostgreSQL's and
Solr's not), tables loaded per second. Run against a portal whose tables are loaded, e.g.
right after `make bench-harvest ARGS="--sizes 500 --runs lngov:1"` (same exports):

    .venv/bin/python bench/table_jobs.py --ini .lngov/bench/harvest-lngov.ini [--rounds 2]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

CKAN = os.path.join(os.path.dirname(sys.executable), "ckan")
WORKERS = {
    "stock": ["jobs", "worker", "--burst", "default", "lngov_later"],
    "lngov": ["lngov", "worker", "--burst"],
}


def loaded_tables() -> list[str]:
    from ckan import model

    from ckanext.lngov.tables import status

    return [row.entity_id for row in model.Session.query(model.TaskStatus).filter_by(
        task_type=status.TASK, key="load", state=status.LOADED)]


def requeue(resource_ids: list[str]) -> None:
    """Every table dropped, flag cleared, record forgotten; the loads queued again."""
    from ckan import model
    from ckan.lib import jobs

    from ckanext.lngov import worker
    from ckanext.lngov.tables import load, status

    for name in worker.QUEUES:
        jobs.get_queue(name).empty()
    packages = set()
    for rid in resource_ids:
        load.drop_table(load._context(), rid)
        res = model.Resource.get(rid)
        res.extras = {k: v for k, v in res.extras.items() if k != "datastore_active"}
        status.forget(rid)
        packages.add(res.package_id)
    model.Session.commit()
    for package_id in packages:
        load.schedule(package_id)
    model.Session.commit()   # the jobs are queued once committed


def drain(ini: str, kind: str) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    subprocess.run([CKAN, "-c", ini, *WORKERS[kind]], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ini", default=os.environ.get("CKAN_INI"))
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--json")
    args = parser.parse_args()
    if not args.ini:
        sys.exit("give --ini or CKAN_INI")
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.ini))
    with app._wsgi_app.test_request_context():
        tables = loaded_tables()
        if not tables:
            sys.exit("no loaded table: harvest first (see the docstring)")
        rows = []
        print(f"{len(tables)} tables; load average {os.getloadavg()[0]:.1f}", flush=True)
        print("| worker | round | tables | drain s | tables/s | worker CPU s | CPU s a table |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for round_ in range(1, args.rounds + 1):
            for kind in WORKERS:
                requeue(tables)
                wall, cpu = drain(args.ini, kind)
                done = len(set(loaded_tables()) & set(tables))
                rows.append({"worker": kind, "round": round_, "tables": done, "wall": wall,
                             "cpu": cpu})
                print(f"| {kind} | {round_} | {done} | {wall:.1f} | {done / wall:.1f} | "
                      f"{cpu:.1f} | {cpu / max(done, 1):.3f} |", flush=True)
        print(f"load average at the end {os.getloadavg()[0]:.1f}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(rows, out, indent=1)


if __name__ == "__main__":
    main()
