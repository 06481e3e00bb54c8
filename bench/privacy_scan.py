"""The personal-information gate's scan (ckanext/lngov/privacy.py) in MB per second, and the
type conversion of the loader (ckanext/lngov/tables/types.py) in rows per second, on
generated tables: no services needed.

    .venv/bin/python bench/privacy_scan.py [--mb 20]
    .venv/bin/python bench/privacy_scan.py --catalog 10000 [--save DIR]
    .venv/bin/python bench/privacy_scan.py --dir DIR

--catalog N: the files of the sample exchange platform's catalog of N entries (sample_platform/,
the CSV and XLSX files of its openable entries, generated in this process as the platform
generates them; --save writes them to DIR). --dir: every .csv and .xlsx file under DIR. Each
file is read as the loader reads it (tables/read.py: encoding detected, XLSX's first sheet)
and scanned; MB/s are file bytes over the scan alone and over reading plus scanning.
"""
from __future__ import annotations

import argparse
import csv
import io
import random
import time
from pathlib import Path
from typing import Iterator

from ckanext.lngov import privacy
from ckanext.lngov.tables import read, types

HEADER = ["统一社会信用代码", "单位名称", "地址", "联系电话", "金额", "日期", "备注"]
CODES = ["C", "C", "C", "C", "N", "D", "M"]


def rows(mb: float, seed: int = 7):
    rng = random.Random(seed)
    size, out = 0, []
    while size < mb * 1e6:
        row = [f"91210{rng.randrange(10**12):012d}X", f"辽宁{rng.randrange(9999)}有限公司",
               f"沈阳市和平区南京北街{rng.randrange(999)}号", f"024-{rng.randrange(10**8):08d}",
               f"{rng.uniform(-1e6, 1e6):.2f}", f"2024-{rng.randint(1, 12):02d}-"
               f"{rng.randint(1, 28):02d}", "无" * rng.randrange(20)]
        size += len(",".join(row).encode()) + 2
        out.append(row)
    return out, size


def catalog_files(entries: int, seed: int) -> Iterator[tuple[str, bytes]]:
    """(filename, bytes) of the CSV and XLSX files the sample platform serves."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # sample_platform/
    from sample_platform.catalog import Catalog

    catalog = Catalog(entries, seed)
    for entry in catalog.entries.values():
        if entry["state"] != "active" or not catalog.openable(entry):
            continue
        for plan in entry["distributions"]:
            if plan["kind"] == "file" and plan["format"] in ("CSV", "XLSX"):
                name, body = catalog.file(plan["id"])
                yield f"{plan['id']}-{name}", body


def dir_files(root: str) -> Iterator[tuple[str, bytes]]:
    for path in sorted(Path(root).rglob("*")):
        if path.suffix.lower() in (".csv", ".xlsx"):
            yield path.name, path.read_bytes()


def scan_files(files: Iterator[tuple[str, bytes]], save: str | None) -> None:
    """MB/s per file kind: wall time, and the process's CPU time (the machine is shared)."""
    totals: dict[str, list[float]] = {}  # kind: files, bytes, rows, hits, read, scan, scan CPU
    for name, body in files:
        if save:
            Path(save).mkdir(parents=True, exist_ok=True)
            (Path(save) / name).write_bytes(body)
        kind = read.kind(None, name)
        start = time.perf_counter()
        rows = read._xlsx(io.BytesIO(body)) if kind == "xlsx" else read._csv(io.BytesIO(body))
        header = [str(h if h is not None else "").strip() for h in next(rows, [])]
        table = list(rows)
        parsed, cpu = time.perf_counter(), time.process_time()
        found = privacy.scan(header, table)
        done, cpu = time.perf_counter(), time.process_time() - cpu
        for hit in found:
            print(f"finding: {name}: {hit}")
        t = totals.setdefault(kind, [0, 0, 0, 0, 0.0, 0.0, 0.0])
        for i, v in enumerate((1, len(body), len(table), len(found), parsed - start,
                               done - parsed, cpu)):
            t[i] += v
    print(f"{'kind':<5} {'files':>6} {'MB':>7} {'rows':>9} {'findings':>8} {'scan MB/s':>9} "
          f"{'scan MB/s CPU':>13} {'read+scan MB/s':>14} {'scan rows/s':>11}")
    for kind, (n, size, rows, hits, read_s, scan_s, cpu_s) in sorted(totals.items()):
        mb = size / 1e6
        print(f"{kind:<5} {n:>6} {mb:>7.1f} {rows:>9,} {hits:>8} {mb / scan_s:>9.1f} "
              f"{mb / max(cpu_s, 1e-9):>13.1f} {mb / (read_s + scan_s):>14.1f} "
              f"{rows / scan_s:>11,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=20)
    parser.add_argument("--catalog", type=int, help="the sample platform's catalog of N entries")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", help="with --catalog: write its files to this directory")
    parser.add_argument("--dir", help="scan the .csv and .xlsx files under this directory")
    args = parser.parse_args()
    if args.catalog or args.dir:
        scan_files(catalog_files(args.catalog, args.seed) if args.catalog
                   else dir_files(args.dir), args.save)
        return
    table, size = rows(args.mb)
    text = io.StringIO()
    csv.writer(text).writerows(table)
    start = time.perf_counter()
    found = privacy.scan(HEADER, table)
    scan = time.perf_counter() - start
    start = time.perf_counter()
    for row in table:
        for value, code in zip(row, CODES):
            types.convert(value, code)
    convert = time.perf_counter() - start
    print(f"{len(table)} rows, {size / 1e6:.1f} MB; findings: {len(found)}")
    print(f"privacy scan: {size / 1e6 / scan:.1f} MB/s ({len(table) / scan:,.0f} rows/s)")
    print(f"type conversion: {len(table) / convert:,.0f} rows/s")


if __name__ == "__main__":
    main()
