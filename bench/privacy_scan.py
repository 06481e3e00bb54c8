"""The personal-information gate's scan (ckanext/lngov/privacy.py) in MB per second, and the
type conversion of the loader (ckanext/lngov/tables/types.py) in rows per second, on
generated tables: no services needed.

    .venv/bin/python bench/privacy_scan.py [--mb 20]
"""
from __future__ import annotations

import argparse
import csv
import io
import random
import time

from ckanext.lngov import privacy
from ckanext.lngov.tables import types

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=20)
    args = parser.parse_args()
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
