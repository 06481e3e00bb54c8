"""Where a harvest job's time goes: one full run of `lngov_exchange` (one worker) into an
empty bench portal, in-process under cProfile, with the time spent waiting on PostgreSQL,
Solr and the platform summed apart.

    make bench-harvest first (or scripts/services.sh start with LNGOV_ENV=bench), then
    LNGOV_ENV=bench bash -c 'source scripts/lib.sh && \\
        .venv/bin/python bench/profile_harvest.py [--entries 500] [--top 30] [--cpu]'

The sample platform is started as bench/harvest.py starts it (`--warm`). cProfile's timer
is wall time by default (so waiting shows); --cpu profiles CPU time instead. The profile
roughly doubles the Python side's cost: it says how the job's time divides, not how long a
job takes (bench/harvest.py says that).
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harvest as bench  # noqa: E402

# Where a job waits, by the function that waits (cumulative time of these).
WAITS = {
    "PostgreSQL (execute, commit)": ["'execute' of 'psycopg2", "'commit' of 'psycopg2"],
    "HTTP answers (platform, Solr)": ["'recv_into' of '_socket"],
}
# Actions and stages whose cumulative time is reported.
PARTS = ["fetch_stage", "import_stage", "gather_stage", "package_create", "package_update",
         "package_show", "_copy_files", "index_package", "validate", "save",
         "activity_create", "_department", "package_dictize", "package_dict_save"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--cpu", action="store_true", help="profile CPU time, not wall time")
    parser.add_argument("--out", help="also write the raw profile here (pstats)")
    parser.add_argument("--sql", action="store_true",
                        help="no profile: count the SQL statements and commits by kind")
    args = parser.parse_args()
    if os.environ.get("LNGOV_ENV") != "bench" or "CKAN_SQLALCHEMY_URL" not in os.environ:
        sys.exit("run it with LNGOV_ENV=bench after `source scripts/lib.sh`")
    ini, _ = bench.write_inis()
    platform = bench.start_platform(args.entries)
    try:
        bench.fresh_portal(ini)
        os.environ["LNGOV_HARVEST_TOKEN_BENCH"] = bench.TOKEN
        bench.create_source(ini, f"http://127.0.0.1:{bench.PLATFORM_PORT}", "lngov_exchange",
                            "{}")
        from ckan.cli import load_config
        from ckan.config.middleware import make_app

        app = make_app(load_config(ini))
        with app._wsgi_app.test_request_context():
            from ckanext.lngov.harvest import run

            source = run.source_by_name_or_id("bench")
            statements = _count_sql() if args.sql else None
            profile = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
            cpu, wall = time.process_time(), time.perf_counter()
            if statements is None:
                profile.enable()
            job, counts = run.run(source, workers=1)
            profile.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        platform.terminate()
        platform.wait()
    n = counts["added"] + counts["updated"]
    if statements is not None:
        print(f"job: {wall:.1f} s wall, {cpu:.1f} s CPU, {n} datasets; SQL per dataset:")
        for what, (calls, seconds) in sorted(statements.items(), key=lambda i: -i[1][1]):
            print(f"{calls / n:8.2f} {1000 * seconds / n:8.2f} ms  {what}")
        print(f"{sum(c for c, _ in statements.values()) / n:8.2f} "
              f"{1000 * sum(s for _, s in statements.values()) / n:8.2f} ms  in all")
        return
    print(f"job: {wall:.1f} s wall, {cpu:.1f} s CPU of this process, {n} datasets "
          f"({1000 * wall / max(n, 1):.0f} ms wall, {1000 * cpu / max(n, 1):.0f} ms CPU each; "
          f"under the profiler); outcomes {counts}")
    stats = pstats.Stats(profile)
    if args.out:
        stats.dump_stats(args.out)
    per = 1000 / max(n, 1)
    print(f"\n{'where':<40} {'ms per dataset':>14} {'calls per dataset':>18}")
    for label, keys in WAITS.items():
        total = calls = 0.0
        for (filename, line, name), (cc, nc, tt, ct, callers) in stats.stats.items():
            if any(k in name for k in keys):
                total += ct
                calls += nc
        print(f"{'waiting: ' + label:<40} {total * per:>14.1f} {calls / max(n, 1):>18.1f}")
    for part in PARTS:
        found = [(ct, nc) for (filename, line, name), (cc, nc, tt, ct, callers)
                 in stats.stats.items() if name == part]
        if found:
            ct, nc = max(found)
            print(f"{part:<40} {ct * per:>14.1f} {nc / max(n, 1):>18.1f}")
    if args.top:
        print()
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)


def _count_sql() -> dict[str, list]:
    """Every statement on CKAN's engine, by its first words: [calls, seconds]."""
    import re

    import sqlalchemy as sa
    from ckan import model

    found: dict[str, list] = {}

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["lngov_t0"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        key = re.sub(r"\s+", " ", statement)[:90]
        entry = found.setdefault(key, [0, 0.0])
        entry[0] += 1
        entry[1] += time.perf_counter() - conn.info.pop("lngov_t0", time.perf_counter())

    def commit(conn):
        import traceback

        # who commits: the innermost frames of the portal, ckanext-harvest or CKAN's actions
        frames = [f"{Path(f.filename).name}:{f.name}" for f in traceback.extract_stack()
                  if ("ckanext" in f.filename or "ckan/logic" in f.filename
                      or "ckan/model" in f.filename) and "profile_harvest" not in f.filename]
        found.setdefault("COMMIT " + " < ".join(reversed(frames[-3:])), [0, 0.0])[0] += 1

    sa.event.listen(model.meta.engine, "before_cursor_execute", before)
    sa.event.listen(model.meta.engine, "after_cursor_execute", after)
    sa.event.listen(model.meta.engine, "commit", commit)
    return found


if __name__ == "__main__":
    main()
