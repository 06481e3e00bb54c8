"""python -m sample_platform --port 58990 [--entries 500|10000] [--seed N] [--tokens a,b]
[--without-demo-entries]"""
from __future__ import annotations

import argparse
import time

import uvicorn

from .app import DEFAULT_TOKENS, create_app
from .catalog import Catalog


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sample_platform",
                                     description="Simulated data sharing and exchange platform")
    parser.add_argument("--port", type=int, default=58990)
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default loopback)")
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tokens", default=",".join(DEFAULT_TOKENS),
                        help="comma-separated bearer tokens, one per consumer")
    parser.add_argument("--without-demo-entries", action="store_true",
                        help="leave out the 66 demo entries that `ckan lngov load-demo` "
                             "publishes by hand (make run: a first harvest without conflicts)")
    parser.add_argument("--dcat-page-size", type=int, default=100)
    parser.add_argument("--log-level", default="warning")
    parser.add_argument("--warm", action="store_true",
                        help="generate every file before serving (benchmarks: no harvester "
                             "pays for the platform's first generation)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    catalog = Catalog(args.entries, args.seed, demo_entries=not args.without_demo_entries)
    if args.warm:
        for distribution_id in list(catalog.distributions):
            code, k = catalog.distributions[distribution_id]
            if catalog.entries[code]["distributions"][k]["kind"] == "file":
                catalog.file(distribution_id)
    app = create_app(catalog, tokens=args.tokens.split(","), dcat_page_size=args.dcat_page_size)
    print(f"exchange platform: {args.entries} entries (seed {args.seed}) in "
          f"{time.monotonic() - started:.1f}s; http://{args.host}:{args.port}/api/v1/catalog/entries",
          flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
