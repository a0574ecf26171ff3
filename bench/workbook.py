#!/usr/bin/env python3
"""How fast a workbook ledger is read, next to JSON loading of the same ledger.

    python bench/workbook.py                      # 10,000 items, 3 runs each → prints, writes bench/WORKBOOK.md
    python bench/workbook.py --size 2000 --repeat 5 --out /tmp/wb.md

The ledger is bench/generate.py's (--seed 1), written as JSON and, through
``duban convert``'s library function, as a template workbook: one sheet per
kind of item plus the record sheets (节点, 问题, 督查, 走访). Each measurement
runs ``engine.load_ledger`` in a fresh process (the public API only) and
reports wall and CPU seconds and rows per second, a row being an item or a
record. For scale, one evaluation of the same ledger with the default pack
is timed too (in a fresh process, without loading), so that the share of
reading in a whole ``duban check`` can be seen.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

CHILD = r"""
import json, resource, sys, time
from engine import Engine, load_ledger
path, what = sys.argv[1], sys.argv[2]
wall, cpu = time.perf_counter(), time.process_time()
ledger = load_ledger(path)
loaded = (time.perf_counter() - wall, time.process_time() - cpu)
result = {"load_wall": loaded[0], "load_cpu": loaded[1], "items": len(ledger.items)}
if what == "evaluate":
    engine = Engine.default()
    wall, cpu = time.perf_counter(), time.process_time()
    engine.evaluate(ledger)
    result.update(eval_wall=time.perf_counter() - wall, eval_cpu=time.process_time() - cpu)
result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
"""


def child(path: Path, what: str = "load") -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), what], capture_output=True, text=True, check=True,
                         cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def prepare(size: int, cache: Path) -> tuple[Path, Path, int, dict[str, int]]:
    """The JSON ledger and its workbook, and the workbook's row counts per sheet kind."""
    from engine import load_ledger
    from engine.ledger.convert import convert_ledger

    cache.mkdir(parents=True, exist_ok=True)
    source = cache / f"ledger-{size}.json"
    if not source.exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(size), "--seed", "1", "--out", str(source)],
                       check=True)
    ledger = load_ledger(source)
    book = cache / f"ledger-{size}.xlsx"
    started = time.perf_counter()
    book.write_bytes(convert_ledger(ledger, ".xlsx"))
    written = time.perf_counter() - started
    rows = {"items": len(ledger.items)}
    for field in ("milestones", "issues", "supervisions", "visits", "responses"):
        rows[field] = sum(len(getattr(item, field)) for item in ledger.items)
    rows["units"] = len(ledger.units)
    print(f"workbook written in {written:.1f} s ({book.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    return source, book, sum(rows.values()), rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "duban-bench")
    parser.add_argument("--out", type=Path, default=HERE / "WORKBOOK.md")
    args = parser.parse_args(argv)
    source, book, total, rows = prepare(args.size, args.cache)
    runs: dict[str, list[dict]] = {"json": [], "xlsx": [], "evaluate": []}
    for _ in range(args.repeat):  # interleaved, so that a drift in the machine's load spreads over both
        runs["json"].append(child(source))
        runs["xlsx"].append(child(book))
    runs["evaluate"].append(child(source, "evaluate"))

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    lines = [
        "# Reading a workbook ledger",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `python bench/workbook.py --size {args.size} "
        f"--repeat {args.repeat}` on {os.cpu_count()} cores, Python {platform.python_version()}. "
        f"Ledger: `bench/generate.py {args.size} --seed 1`; the workbook is its `duban convert` "
        f"({book.stat().st_size / 1e6:.1f} MB, {source.stat().st_size / 1e6:.1f} MB as JSON). Rows: "
        + ", ".join(f"{k} {v:,}" for k, v in rows.items()) + f" — {total:,} in all. Medians of {args.repeat} runs, "
        "each `load_ledger` in a fresh process.",
        "",
        "| measurement | wall s | CPU s | rows/s (wall) | peak RSS MB |",
        "|---|---|---|---|---|",
    ]
    for name, title in (("json", "load_ledger(JSON)"), ("xlsx", "load_ledger(workbook .xlsx)")):
        lines.append(f"| {title} | {med(name, 'load_wall'):.2f} | {med(name, 'load_cpu'):.2f} | "
                     f"{total / med(name, 'load_wall'):,.0f} | {med(name, 'rss_mb'):.0f} |")
    lines.append(f"| evaluation of the same ledger (Engine.evaluate, default pack) | {med('evaluate', 'eval_wall'):.2f} | "
                 f"{med('evaluate', 'eval_cpu'):.2f} | | |")
    ratio = med("xlsx", "load_wall") / med("json", "load_wall")
    share = med("xlsx", "load_wall") / (med("xlsx", "load_wall") + med("evaluate", "eval_wall"))
    lines += ["", f"Reading the workbook takes {ratio:.1f}× as long as reading the JSON; in a `check` of the workbook "
              f"(reading + evaluation) reading is {share:.0%} of the time.", ""]
    text = "\n".join(lines)
    print(text)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
