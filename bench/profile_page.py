"""Where a page's time goes: a page asked in-process (no web server) as an anonymous visitor,
timed plainly and then under cProfile, with the actions it calls summed.

    CKAN_INI=.lngov/bench/ckan.ini .venv/bin/python bench/profile_page.py \\
        [--path /dataset/NAME] [--requests 20] [--top 25]

Without --path the newest public entry's page. The plain timing (median of --requests
warm requests) is the page's cost; the profiled one (cProfile roughly doubles it) only says
how that cost divides. The addresses of PostgreSQL, Redis and Solr come from the environment
as for every script (source scripts/lib.sh with the portal's LNGOV_ENV and ports).
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from urllib.parse import quote

# The actions whose cumulative time is reported (whoever calls them).
ACTIONS = ["package_show", "package_search", "organization_show", "group_show",
           "dataset_follower_count", "group_follower_count", "am_following_dataset",
           "resource_view_list", "organization_list", "user_show"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ini", default=os.environ.get("CKAN_INI"))
    parser.add_argument("--path")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--top", type=int, default=0, help="also print the N costliest functions")
    parser.add_argument("--queries", help="comma-separated words put in turn into --path's {q}: "
                                          "each request a search not asked before (none kept)")
    args = parser.parse_args()
    if not args.ini:
        sys.exit("give --ini or CKAN_INI")

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from werkzeug.test import Client

    client = Client(make_app(load_config(args.ini)))
    path = args.path
    if not path:
        found = client.get("/api/3/action/package_search?rows=1&sort=metadata_modified desc")
        path = "/dataset/" + found.json["result"]["results"][0]["name"]

    words = iter(args.queries.split(",") if args.queries else [])

    def get() -> None:
        url = path.replace("{q}", quote(next(words))) if args.queries else path
        response = client.get(url, headers={"Accept-Language": "zh-CN"})
        if response.status_code != 200:
            sys.exit(f"{path}: HTTP {response.status_code}")

    for _ in range(3):
        get()
    plain = []
    for _ in range(args.requests):
        started = time.perf_counter()
        get()
        plain.append((time.perf_counter() - started) * 1000)

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.requests):
        get()
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = sum(tt for (_, _, tt, _, _) in stats.stats.values()) * 1000 / args.requests
    print(f"{path}: {statistics.median(plain):.0f} ms a page (median of {args.requests}, "
          f"p90 {sorted(plain)[int(len(plain) * 0.9) - 1]:.0f}); under cProfile "
          f"{total:.0f} ms a page")
    print(f"{'action':<24} {'calls/page':>10} {'ms/page (profiled)':>19}")
    for name in ACTIONS:
        calls = cum = 0.0
        for (filename, _, func), (_, ncalls, _, ct, _) in stats.stats.items():
            # The action itself (ckan/logic/action/...), not its wrappers of the same name.
            if func == name and os.sep.join(("logic", "action")) in filename:
                calls += ncalls
                cum += ct
        if calls:
            print(f"{name:<24} {calls / args.requests:>10.1f} {cum * 1000 / args.requests:>19.1f}")
    if args.top:
        stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
