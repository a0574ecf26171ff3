"""The benchmark's tables and bench/RESULTS.md, from the measurements bench/run.py saved."""

from __future__ import annotations

import re
import statistics
from datetime import datetime
from typing import Any, Optional

from measure import MB, REPO

OLD_RESULTS = "90ce05a"  # the commit whose bench/RESULTS.md holds the results from before issue 17

TARGET_RATIO_50K = 1.0  # duban's items/s ÷ the reference's, at 50k, default --jobs
TARGET_1M_S = 120  # whole check of 1M items with --jobs 2
TARGET_1M_MB = 1536  # peak memory at 1M
TARGET_FLAT = 1.5  # peak(1M) ÷ peak(200k)
TARGET_LINEAR = 5.5  # time(1M) ÷ time(200k)
TARGET_YAML = 2.0  # YAML peak ÷ JSON peak, same ledger


def med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}" if len(values) > 1 else ""


def rate(items: int, seconds: float) -> str:
    return f"{items / seconds:,.0f}" if seconds and seconds > 0 else "—"


def _runs(m: dict, what: str) -> list[dict]:
    return m["runs"].get(what) or []


def ratio(m: dict, what: str, key: str = "wall") -> Optional[float]:
    """duban's items per second ÷ the reference's (same size, same run): the time of the reference ÷ duban's."""
    ours, ref = _runs(m, what), _runs(m, "reference")
    if not ours or not ref:
        return None
    return med([r[key] for r in ref]) / med([r[key] for r in ours])


def identity(m: dict, what: str) -> str:
    ours = next((r.get("sha256") for r in _runs(m, what) if r.get("sha256")), None)
    ref = next((r.get("sha256") for r in _runs(m, "reference") if r.get("sha256")), None)
    if not ours or not ref:
        return ""
    return "identical bytes" if ours == ref else "**bytes differ**"


def table(sizes: list[int], measured: dict[int, dict], jobs: list) -> str:
    lines = ["| items | measurement | wall s (median) | range | CPU s | items/s | µs CPU per item | "
             "peak memory MB (PSS of the tree; max RSS) | items/s ÷ reference's (wall; CPU) |", "|" + "---|" * 9]
    for size in sizes:
        m = measured.get(size)
        if not m:
            continue
        label = f"{size:,}"

        def row(name: str, walls: list[float], cpus: list[float], mem: str = "", vs: str = "") -> None:
            w, c = med(walls), med(cpus)
            lines.append(f"| {label} | {name} | {w:.2f} | {spread(walls)} | {c:.2f} | {rate(size, w)} | "
                         f"{c / size * 1e6:,.1f} | {mem} | {vs} |")

        lines.append(f"| {label} | generate the ledger ({m['bytes'] / MB:,.0f} MB {m['form']}, once) | "
                     f"{m['generate']:.2f} | | | {rate(size, m['generate'])} | | | |")
        order = ["reference"] + [f"check{j}" for j in jobs]
        for what in order:
            name = ("the reference whole job, plain Python (`bench/reference.py`)" if what == "reference"
                    else "**whole `duban check --format json --dask local --jobs 2`**" if what == "checkdask"
                    else f"**whole `duban check --format json {workers(what)}`**")
            runs = _runs(m, what)
            if what in m.get("skipped", {}):
                lines.append(f"| {label} | {name} | not run | | | | | projected ≈ {m['skipped'][what]:,.0f} > budget "
                             f"{m['budget_mb']:,.0f} | |")
                continue
            if not runs:
                continue
            mem = (f"{med([r['peak_pss_mb'] for r in runs]):,.0f} of {max(r['procs'] for r in runs)} proc.; "
                   f"{med([r['maxrss_mb'] for r in runs]):,.0f}")
            vs = ""
            if what != "reference" and ratio(m, what) is not None:
                vs = f"{ratio(m, what):.2f}×; {ratio(m, what, 'cpu'):.2f}× — {identity(m, what)}"
            row(name, [r["wall"] for r in runs], [r["cpu"] for r in runs], mem, vs)
        floor = _runs(m, "floor")
        if floor:
            results = [r["result"] for r in floor]
            row(f"the floor: raw durable-rules matching every item, matching only (items whose fired rules ≠ "
                f"the reference's: {results[0]['items_differ']})", [r["wall"] for r in results],
                [r["cpu"] for r in results])
            one = _runs(m, "check1")
            if one:
                above = med([r["cpu"] for r in one]) / size * 1e6 - med([r["cpu"] for r in results]) / size * 1e6
                lines.append(f"| {label} | = duban `--jobs 1` above the floor | | | | | {above:,.1f} | | |")
    return "\n".join(lines) + "\n"


def yaml_table(memory: dict) -> str:
    size = memory["size"]
    lines = [f"| {size:,} items, `duban check --jobs 1` | file MB | wall s | CPU s | max RSS MB | peak PSS MB |",
             "|---|---|---|---|---|---|"]
    for form in ("json", "yaml"):
        runs = memory["runs"][form]
        lines.append(f"| {form.upper()} | {memory['bytes'][form] / MB:,.0f} | {med([r['wall'] for r in runs]):.2f} | "
                     f"{med([r['cpu'] for r in runs]):.2f} | {med([r['maxrss_mb'] for r in runs]):,.0f} | "
                     f"{med([r['peak_pss_mb'] for r in runs]):,.0f} |")
    y, j = yaml_ratio(memory)
    lines.append(f"| YAML ÷ JSON | | | | {y:.2f}× | {j:.2f}× |")
    return "\n".join(lines) + "\n"


def yaml_ratio(memory: dict) -> tuple[float, float]:
    runs = memory["runs"]
    return (med([r["maxrss_mb"] for r in runs["yaml"]]) / med([r["maxrss_mb"] for r in runs["json"]]),
            med([r["peak_pss_mb"] for r in runs["yaml"]]) / med([r["peak_pss_mb"] for r in runs["json"]]))


def workers(what: str) -> str:
    """How a ``check…`` measurement ran: ``--jobs N`` or ``--dask local``."""
    return "--dask local" if what == "checkdask" else f"--jobs {what[5:]}"


def targets(measured: dict[int, dict], memory: Optional[dict], jobs: list, nproc: int) -> list[str]:
    """Issue 17's targets, judged on what this run measured."""
    lines = ["| target | measured | status |", "|---|---|---|"]

    def status(ok: bool) -> str:
        return "**met**" if ok else "**missed**"

    numbers = [j for j in jobs if isinstance(j, int)] or [1]
    default = f"check{nproc}" if nproc in numbers else f"check{max(numbers)}"
    m = measured.get(50_000)
    name = f"whole check at 50k ≥ the reference's items/s (default --jobs, here {default[5:]})"
    if m and ratio(m, default) is not None:
        lines.append(f"| {name} | {ratio(m, default):.2f}× (CPU {ratio(m, default, 'cpu'):.2f}×) | "
                     f"{status(ratio(m, default) >= TARGET_RATIO_50K)} |")
    else:
        lines.append(f"| {name} | not measured in this run | — |")
    big, mid = measured.get(1_000_000), measured.get(200_000)
    if big and _runs(big, "check2"):
        wall = med([r["wall"] for r in _runs(big, "check2")])
        lines.append(f"| 1M items < {TARGET_1M_S} s with --jobs 2 | {wall:,.0f} s | {status(wall < TARGET_1M_S)} |")
    else:
        lines.append(f"| 1M items < {TARGET_1M_S} s with --jobs 2 | not measured in this run | — |")
    for what in [f"check{j}" for j in jobs]:
        if big and _runs(big, what):
            peak = med([r["peak_pss_mb"] for r in _runs(big, what)])
            lines.append(f"| peak memory at 1M < {TARGET_1M_MB:,} MB ({workers(what)}) | {peak:,.0f} MB | "
                         f"{status(peak < TARGET_1M_MB)} |")
        if big and mid and _runs(big, what) and _runs(mid, what):
            flat = med([r["peak_pss_mb"] for r in _runs(big, what)]) / med([r["peak_pss_mb"] for r in _runs(mid, what)])
            linear = med([r["wall"] for r in _runs(big, what)]) / med([r["wall"] for r in _runs(mid, what)])
            lines.append(f"| flat memory: peak 1M ÷ 200k ≤ {TARGET_FLAT} ({workers(what)}) | {flat:.2f} | "
                         f"{status(flat <= TARGET_FLAT)} |")
            lines.append(f"| linear time: wall 1M ÷ 200k ≤ {TARGET_LINEAR} ({workers(what)}) | {linear:.2f} | "
                         f"{status(linear <= TARGET_LINEAR)} |")
    if not (big and mid):
        lines.append("| memory flat and time linear (1M ÷ 200k) | not measured in this run | — |")
    name = f"YAML peak memory ≤ {TARGET_YAML}× JSON's, same ledger"
    if memory:
        rss, pss = yaml_ratio(memory)
        lines.append(f"| {name} ({memory['size']:,} items) | {pss:.2f}× (PSS), {rss:.2f}× (max RSS) | "
                     f"{status(pss <= TARGET_YAML)} |")
    else:
        lines.append(f"| {name} | not measured in this run | — |")
    return lines


LEGEND = """
- **whole check**: `duban check LEDGER --format json --output FILE --jobs J` as a subprocess, start to exit.
  *CPU s* is user + system time of the process and its workers (os.wait4); *µs CPU per item* is that ÷ items.
  *Peak memory* is the largest sum of the PSS of the process tree, sampled every 0.1 s (PSS counts the pages
  that forked workers share with the parent once), then the largest RSS of one process (ru_maxrss).
- **the reference whole job**: `python bench/reference.py LEDGER --output FILE`, measured the same way: the same
  report (load with `json.loads`, metrics, the 29 rules, scores, ranking, the JSON text) written again in plain
  Python from the spec, exact where the spec asks. *items/s ÷ reference's* divides duban's items per second by the
  reference's in the same run (> 1: duban is faster); *identical bytes* says that the two reports are the same.
- **the floor**: `python bench/floor.py LEDGER`: the reference computes every item's metrics, encoded untimed into
  plain records; only the matching is timed — the 24 first-stage item rules as durable JSON patterns in one
  ruleset, then MULTI-01, LAG-03 and ESC-01 in a second, `assert_facts` per 1,000 with `cap` 1,000, a catch-all
  rule, `retract_facts`, a Host without timer threads (the best mode of shared/notes/durable-rules.md). Every
  item's fired rules are checked against the reference's. *duban above the floor* is duban's CPU µs per item with
  `--jobs 1` minus the floor's: what duban's own Python costs while durable matches every item.
- Wall times on a shared machine are noisy: CPU seconds are steadier, and the order of the runs rotates from one
  repeat to the next.
"""


def results_markdown(sizes: list[int], measured: dict[int, dict], memory: Optional[dict], args: Any, info: dict,
                     command: str, started: datetime, finished: datetime, profile_text: Optional[str]) -> str:
    out = ["# duban benchmark results", ""]
    out.append(f"Run {started:%Y-%m-%d %H:%M} – {finished:%H:%M %Z} with `{command}`, from the repository root "
               f"with the project's Python (`.venv/bin/python`).")
    when = sorted({m.get("measured_at", "?") for m in measured.values() if m})
    if any(m.get("command") != command for m in measured.values() if m):
        out.append(f"Measurements reused from the cache: {', '.join(when)}, by "
                   + ", ".join(sorted({f'`{m.get("command")}`' for m in measured.values() if m})) + ".")
    out += ["", "## Machine", ""]
    out.append(f"- CPU: {info['cpu']}, {info['nproc']} cores (`nproc`); memory {info.get('memory_gb', 0):.1f} GB "
               f"({info['mem_available_mb']:,.0f} MB available at start)")
    out.append(f"- Python {info['python']} ({info['platform']}); durable-rules {info['durable_rules']}; pydantic "
               f"{info['pydantic']}; chinese-calendar {info.get('chinese_calendar', '?')}; duban {info['duban']} "
               f"at {info['commit']}")
    out.append(f"- engine measured: {info['engine']}")
    loads = "; ".join(f"{s:,}: {measured[s]['load']}" for s in sizes if s in measured)
    out.append(f"- load average (1/5/15 min) before → after each size: {loads}. The machine is shared: other "
               f"engineers' runs share its cores, so wall times are noisy; CPU seconds are steadier.")
    measuring = sorted({m.get("command", command) for m in measured.values() if m}) or [command]
    out += ["", "## Commands", "", "```sh",
            "python3 -m venv .venv && .venv/bin/pip install -q -e \".[test]\"",
            *(f".venv/bin/{c}" for c in measuring),
            "# the full table (50k, 200k, 1M items, --jobs 1 and 2, YAML vs JSON at 100k), about 1.5 h:",
            ".venv/bin/python bench/run.py --profile 50000",
            "# one ledger by hand, and the reference against duban on it:",
            f".venv/bin/python bench/generate.py 50000 --seed {args.seed} --out /tmp/ledger-50k.json",
            ".venv/bin/python bench/reference.py /tmp/ledger-50k.json --compare",
            "```", ""]
    out += ["## The whole check, the reference and the floor", ""]
    reps = ", ".join(f"{s:,}: {measured[s]['repeat']}" for s in sizes if s in measured)
    out.append(f"Medians of the runs per size ({reps}); *range* is min–max of the wall times. Ledgers from "
               f"`bench/generate.py N --seed {args.seed}` ({args.input}), reference date 2026-11-28, the default "
               f"rule pack, the durable backend.")
    out += ["", table(sizes, measured, args.jobs)]
    for size in sizes:
        for what, lines in (measured.get(size) or {}).get("differences", {}).items():
            out.append(f"Where duban's report (`{workers(what)}`, {size:,} items) differs from the reference's:")
            out.append("")
            out += [f"- {line}" for line in lines]
            out.append("")
    if memory:
        out += ["## YAML and JSON: memory of the same ledger", "", yaml_table(memory)]
    out.append(LEGEND)
    out += ["## Issue 17's targets", ""]
    out += targets(measured, memory, args.jobs, info["nproc"])
    out.append("")
    if profile_text:
        out += [f"## Profile of one `duban check --jobs 1` ({args.profile:,} items, cProfile, by own time)", "",
                "```", _trim_profile(profile_text), "```", ""]
    out += ["## What the figures say", "",
            "Where the time goes against the floor, why the targets are missed and what design would cross them: "
            "`bench/ANALYSIS.md` (written by hand from a run of this script).", "",
            "## Earlier results", "",
            f"The measurements from before issue 17 (stages timed with the engine's internals, 10k–1M items) are in "
            f"`git show {OLD_RESULTS}:bench/RESULTS.md`.", ""]
    return "\n".join(out)


def _trim_profile(text: str) -> str:
    out = []
    for line in (line.rstrip() for line in text.splitlines() if line.strip()):
        line = re.sub(r"/\S*?/engine-[0-9a-f]{12}/", "", line)
        line = re.sub(r"/\S*?/site-packages/", "", line)
        line = re.sub(r"/\S*?/lib/python3\.\d+/", "", line)
        out.append(line.replace(str(REPO) + "/", ""))
    return "\n".join(out)
