"""Load benchmark: anonymous visitors on a mix of pages and API calls, against several
targets side by side (e.g. stock CKAN, the portal's web node, the portal behind its caching
front), at several concurrencies, with wrk (Debian's package) driving the load.

    .venv/bin/python bench/load.py --target portal=http://127.0.0.1:5000 \\
        --target front=http://127.0.0.1:8080 [--concurrency 20 100] [--duration 60] \\
        [--json PATH]

The mix is drawn from the first target's own catalog (package_search as an anonymous
visitor): the home page, searches with and without facets, entry pages, resource pages and
the Action API (package_search, package_show), in fixed proportions (MIX), the same paths in
the same order for every target; department pages only when asked for (--kinds department).
Each run is one wrk process (2 threads, one connection per
simulated visitor) walking the list round robin; its Lua script counts answers that are not
2xx/3xx as errors and prints p50/p95 over every request.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from urllib.parse import quote, urlencode

import requests

# kind -> share of the requests
MIX = {"home": 0.10, "search": 0.15, "search_facets": 0.10, "dataset": 0.30,
       "resource": 0.10, "api_search": 0.15, "api_show": 0.10}
# Kinds measured only when asked for (--kinds department): not in the mix's proportions.
EXTRA = {"department": 0.10}
QUERIES = ["人口", "公交", "空气质量", "企业", "医疗机构", "学校", "旅游", "统计", "GDP", "不动产"]

LUA = r"""
local paths, i, errors = {}, 0, 0
for line in io.lines(os.getenv("LNGOV_LOAD_PATHS")) do paths[#paths + 1] = line end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {["Accept-Language"] = "zh-CN"})
end
response = function(status, headers, body)
  if status >= 400 then errors = errors + 1 end
end
function setup(thread) thread:set("errors", 0) end
function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.1f, "p95_ms": %.1f, "socket_errors": %d, "non_2xx_3xx": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
"""


def build_paths(base: str, count: int, seed: int, kinds: list[str] | None = None) -> list[str]:
    """COUNT paths in the proportions of MIX, from BASE's public catalog (only KINDS', if
    given)."""
    found = requests.get(f"{base}/api/3/action/package_search",
                         params={"rows": 1000}, timeout=120).json()["result"]["results"]
    if not found:
        sys.exit(f"{base}: no public entries to visit")
    rng = random.Random(seed)
    paths = []
    for kind, share in {**MIX, **EXTRA}.items():
        if kind in EXTRA and not (kinds and kind in kinds):
            continue
        for _ in range(max(1, round(count * share)) if not kinds or kind in kinds else 0):
            entry = rng.choice(found)
            query = rng.choice(QUERIES)
            if kind == "home":
                paths.append("/")
            elif kind == "search":
                paths.append("/dataset/?q=" + quote(query))
            elif kind == "search_facets":
                org = (entry.get("organization") or {}).get("name", "")
                paths.append("/dataset/?" + urlencode({"q": query, "organization": org}))
            elif kind == "dataset":
                paths.append(f"/dataset/{entry['name']}")
            elif kind == "resource":
                resources = entry.get("resources") or []
                paths.append(f"/dataset/{entry['name']}/resource/{resources[0]['id']}"
                             if resources else f"/dataset/{entry['name']}")
            elif kind == "department":
                org = (entry.get("organization") or {}).get("name", "")
                paths.append(f"/organization/{org}")
            elif kind == "api_search":
                paths.append("/api/3/action/package_search?q=" + quote(query))
            else:
                paths.append(f"/api/3/action/package_show?id={entry['name']}")
    rng.shuffle(paths)
    return paths


def warm(base: str, paths: list[str], workers: int = 8) -> float:
    """Each distinct path once (a front's cache then holds what visitors ask for, as it
    does in production after the first visitors); returns the seconds it took."""
    from concurrent.futures import ThreadPoolExecutor
    import time

    started = time.monotonic()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda p: requests.get(base + p, timeout=120).status_code,
                      sorted(set(paths))))
    return time.monotonic() - started


def run_wrk(base: str, paths_file: str, script: str, connections: int, seconds: int) -> dict:
    threads = min(2, connections)
    done = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
         "--timeout", "30s", "-s", script, base],
        env={**os.environ, "LNGOV_LOAD_PATHS": paths_file},
        capture_output=True, text=True, timeout=seconds + 120)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        sys.exit(f"wrk failed against {base}:\n{done.stdout}{done.stderr}")
    figures = json.loads(lines[-1])
    figures["rps"] = figures["requests"] / figures["seconds"]
    figures["errors"] = figures["socket_errors"] + figures["non_2xx_3xx"]
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", action="append", required=True, metavar="NAME=URL")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--duration", type=int, default=60, help="seconds per run")
    parser.add_argument("--paths", type=int, default=2000, help="distinct requests in the mix")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kinds", nargs="+", choices=[*MIX, *EXTRA],
                        help="only these kinds of the mix (e.g. api_search api_show: the "
                             "Action API alone)")
    parser.add_argument("--warm", action="store_true",
                        help="ask every distinct path once before measuring each target")
    parser.add_argument("--warm-only", metavar="NAME", nargs="+",
                        help="with --warm, warm only these targets (e.g. the front, whose "
                             "cache it fills; a web node has none to fill)")
    parser.add_argument("--json", help="write every figure here")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    targets = dict(t.split("=", 1) for t in args.target)
    paths = build_paths(next(iter(targets.values())), args.paths, args.seed, args.kinds)
    results: dict[str, dict[int, dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        paths_file = os.path.join(tmp, "paths.txt")
        script = os.path.join(tmp, "mix.lua")
        with open(paths_file, "w") as out:
            out.write("\n".join(paths) + "\n")
        with open(script, "w") as out:
            out.write(LUA)
        for name, base in targets.items():
            if args.warm and (not args.warm_only or name in args.warm_only):
                print(f"{name}: warming {len(set(paths))} paths ...", file=sys.stderr)
                print(f"{name}: warmed in {warm(base, paths):.0f}s", file=sys.stderr)
            for c in args.concurrency:
                print(f"{name}: {c} visitors for {args.duration}s ...", file=sys.stderr)
                results.setdefault(name, {})[c] = run_wrk(base, paths_file, script, c,
                                                          args.duration)
    header = "| target | visitors | req/s | p50 ms | p95 ms | errors |"
    print(header + "\n|---|---:|---:|---:|---:|---:|")
    for name, by_c in results.items():
        for c, f in by_c.items():
            print(f"| {name} | {c} | {f['rps']:.1f} | {f['p50_ms']:.0f} | {f['p95_ms']:.0f} "
                  f"| {f['errors']} |")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"targets": targets, "mix": MIX, "duration": args.duration,
                       "results": results}, out, indent=2)


if __name__ == "__main__":
    main()
