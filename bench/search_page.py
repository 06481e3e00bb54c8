"""The search page on a 10,000-entry catalog: the portal beside the portal as it was before
issue 28 (no synonyms, no English title in qf, no ranking boost), side by side.

    .venv/bin/python bench/search_page.py fill [--entries 10000]
    .venv/bin/python bench/search_page.py run --target lngov=URL --target today=URL \\
        [--duration 20] [--concurrency 20] [--rounds 2] [--json PATH]

`fill` fills the bench database (LNGOV_ENV=bench) with the entries of bench/dcat.py (the
demo catalog cloned, every rule applied through package_create). `bench/today_node.sh`
serves that database with the code of another commit (the one before issue 28), beside the
portal's own web node of the same uWSGI settings.

`run` asks both nodes the same distinct search-page addresses (each query once per round, so
that no answer comes from the anonymous search cache: what a visitor's new query costs),
drawn from the catalog in the words people use (queries()). wrk drives the load (bench/load.py's script); rounds alternate
the order of the targets.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import requests
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dcat  # noqa: E402  (bench/dcat.py: the bench environment and its entries)
import load  # noqa: E402  (bench/load.py: wrk and its script)

ROOT = Path(__file__).resolve().parents[1]
SYNONYMS = ROOT / "ckanext" / "lngov" / "terms" / "synonyms.yaml"


def fill(entries: int) -> None:
    env = dcat.bench_env()
    ini = dcat.bench_ini(env)
    os.environ.update(env)
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(str(ini)))
    flask_app = app._wsgi_app if hasattr(app, "_wsgi_app") else app
    with flask_app.test_request_context("/"):
        dcat.fill(entries)
    print(f"bench ini: {ini}")


def queries(base: str, count: int, seed: int) -> list[str]:
    """COUNT distinct queries drawn from BASE's public entries (the bench catalog: the demo's
    provincial entries, cloned): pieces of titles (after 辽宁省), with 辽宁 before some,
    a former agency name or abbreviation (terms/synonyms.yaml's `from` words) alone as a
    bureau or before a piece of a title, English words of the English titles."""
    found = requests.get(f"{base}/api/3/action/package_search", params={"rows": 1000},
                         timeout=120).json()["result"]["results"]
    titles = sorted({d["title"].split("（")[0].removeprefix("辽宁省").removeprefix("全省")
                     for d in found})
    english = sorted({w.lower() for d in found for w in (d.get("title_en") or "").split()
                      if len(w) > 3 and w.isalpha()})
    rules = yaml.safe_load(SYNONYMS.read_text(encoding="utf-8"))
    former = sorted({w for r in rules for w in r.get("from") or []})
    rng = random.Random(seed)
    made: dict[str, None] = {}
    while len(made) < count:
        title = rng.choice(titles)
        size = rng.choice([2, 3, 4, 5])
        start = 0 if rng.random() < 0.5 else rng.randrange(max(1, len(title) - size))
        piece = title[start:start + size]
        kind = rng.random()
        if kind < 0.5:
            q = piece
        elif kind < 0.65:
            q = "辽宁" + piece
        elif kind < 0.85:
            q = rng.choice(former) + rng.choice(["局", piece])
        else:
            q = " ".join(rng.sample(english, rng.choice([1, 2])))
        made.setdefault(q.strip(), None)
    return list(made)


def run(args: argparse.Namespace) -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    targets = dict(t.split("=", 1) for t in args.target)
    first = next(iter(targets.values()))
    results: dict[str, list[dict]] = {name: [] for name in targets}
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "search.lua")
        Path(script).write_text(load.LUA, encoding="utf-8")
        for round_ in range(args.rounds):
            # fresh queries each round: none of them in a node's search cache
            paths = ["/dataset/?q=" + quote(q)
                     for q in queries(first, args.paths, args.seed + round_)]
            paths_file = os.path.join(tmp, f"paths{round_}.txt")
            Path(paths_file).write_text("\n".join(paths) + "\n", encoding="utf-8")
            order = list(targets) if round_ % 2 == 0 else list(reversed(targets))
            if round_ == 0:   # each node's first answers (assets, templates) before measuring
                for base in targets.values():
                    for q in queries(first, 40, args.seed - 1):
                        requests.get(base + "/dataset/?q=" + quote(q), timeout=120)
            for name in order:
                print(f"round {round_ + 1}: {name}, {args.concurrency} visitors for "
                      f"{args.duration}s, {len(paths)} distinct queries ...", file=sys.stderr)
                figures = load.run_wrk(targets[name], paths_file, script, args.concurrency,
                                       args.duration)
                figures["order"] = order.index(name) + 1
                results[name].append(figures)
    names = list(targets)
    print(f"search page, {args.concurrency} visitors, {args.duration} s per run, "
          f"{args.paths} distinct queries a round")
    print("| round | " + " | ".join(f"{n} req/s | {n} p50 ms | {n} p95 ms | {n} errors"
                                     for n in names) + " | p95 " + "/".join(names) + " |")
    print("|---" * (4 * len(names) + 2) + "|")
    for r in range(args.rounds):
        cells = []
        for n in names:
            f = results[n][r]
            cells += [f"{f['rps']:.1f}", f"{f['p50_ms']:.0f}", f"{f['p95_ms']:.0f}",
                      str(f["errors"])]
        ratio = results[names[0]][r]["p95_ms"] / max(results[names[-1]][r]["p95_ms"], 0.1)
        print(f"| {r + 1} | " + " | ".join(cells) + f" | {ratio:.2f}× |")
    if args.json:
        Path(args.json).write_text(json.dumps({"targets": targets, "results": results},
                                              indent=2), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fill", help="fill the bench database")
    f.add_argument("--entries", type=int, default=10000)
    r = sub.add_parser("run", help="the search page on two nodes, side by side")
    r.add_argument("--target", action="append", required=True, metavar="NAME=URL")
    r.add_argument("--duration", type=int, default=20, help="seconds per run")
    r.add_argument("--concurrency", type=int, default=20)
    r.add_argument("--paths", type=int, default=1500, help="distinct queries per round")
    r.add_argument("--rounds", type=int, default=2)
    r.add_argument("--seed", type=int, default=28)
    r.add_argument("--json", help="write every figure here")
    args = parser.parse_args(argv)
    if args.command == "fill":
        fill(args.entries)
    else:
        run(args)


if __name__ == "__main__":
    main()
