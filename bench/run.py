#!/usr/bin/env python3
"""duban's benchmark: the whole ``duban check`` against its plain-Python reference and the durable floor.

    python bench/run.py                                   # 50k, 200k, 1M items; YAML vs JSON at 100k
    python bench/run.py --sizes 5000,20000 --repeat 3 --yaml-memory 10000
    python bench/run.py --input jsonl                     # the JSON Lines form (items.jsonl + header)

For each size the ledger is generated once (bench/generate.py, cached in --cache, in the form
``--input`` names), then, --repeat times (--repeat-large times from --large-from items on), in an
order that rotates from one repeat to the next so that a drift in the machine's load spreads
over every row:

- the whole ``duban check LEDGER --format json --output FILE --jobs J`` for each J of --jobs,
- the reference whole job ``python bench/reference.py LEDGER --output FILE`` (bench/reference.py:
  the same report written again in plain Python from the spec),
- the floor ``python bench/floor.py LEDGER``: raw durable-rules matching every item on the same
  facts, only the matching timed,

each as a subprocess: wall time, CPU time of the process tree (os.wait4), peak PSS of the tree
(sampled from /proc), largest RSS of one process. The first repeat also hashes every report: the
table says whether duban's bytes equal the reference's. Then ``--yaml-memory N``: the peak memory
of ``duban check --jobs 1`` on the same N-item ledger written as YAML and as JSON.

The table (medians) goes to stdout and, with the machine, the commands and issue 17's targets, to
--out (bench/RESULTS.md). Measurements are saved per size in --cache; ``--reuse`` rebuilds the
file from them. A run whose peak memory, projected linearly from a smaller size already measured,
exceeds --memory-budget-mb (default 70% of the memory available at start) is not started.
The benchmark uses duban only through its command line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import (HERE, engine_snapshot, file_digest, loadavg, machine_info,  # noqa: E402
                     mem_available_mb, run_measured)
import report  # noqa: E402

GENERATOR = HERE / "generate.py"
REFERENCE = HERE / "reference.py"
FLOOR = HERE / "floor.py"
BASE_MB = 40.0  # an interpreter with the engine imported: what does not grow with the items
SUFFIX = {"json": ".json", "jsonl": ".jsonl", "yaml": ".yaml"}
DIFF_UP_TO = 50_000  # items: up to here a report that differs from the reference's is compared by meaning


# --- ledgers ------------------------------------------------------------------------------


def ledger_for(size: int, seed: int, form: str, cache: Path) -> tuple[list[Path], float]:
    """The files of the cached ``size``-item ledger in ``form`` (regenerated when generate.py
    changed), as a command line takes them, and the seconds its generation took."""
    digest = hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:10]
    path = cache / f"ledger-{size}-s{seed}-{digest}{SUFFIX[form]}"
    meta = path.with_name(path.name + ".meta.json")
    files = [path.with_name(path.name[: -len(".jsonl")] + ".county.json"), path] if form == "jsonl" else [path]
    if not (path.exists() and meta.exists()):
        print(f"  generating {size:,} items as {form} …", file=sys.stderr, flush=True)
        started = time.perf_counter()
        partial = path.with_name("partial-" + path.name)
        subprocess.run([sys.executable, str(GENERATOR), str(size), "--seed", str(seed), "--out", str(partial)],
                       check=True, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
        if form == "jsonl":
            partial.with_name(partial.name[: -len(".jsonl")] + ".county.json").rename(files[0])
        partial.rename(path)
        meta.write_text(json.dumps({"seconds": seconds, "bytes": sum(f.stat().st_size for f in files)}))
    return files, json.loads(meta.read_text())["seconds"]


# --- one measurement ----------------------------------------------------------------------


def run_report(cmd: list[str], out: Path, work: Path, name: str, keep_digest: bool) -> dict:
    """A command that writes a report to ``out``: measured, checked, hashed when asked, removed
    (kept as ``{name}.kept.json`` for a later comparison when hashed)."""
    stderr = work / f"{name}.stderr"
    m = run_measured(cmd, stderr)
    if m["code"] != 0:
        raise SystemExit(f"{name} failed ({m['code']}): {' '.join(cmd)}\n{stderr.read_text()[-2000:]}")
    m["bytes"] = out.stat().st_size
    if keep_digest:
        m["sha256"] = file_digest(out)
        out.replace(work / f"{name}.kept.json")
    else:
        out.unlink()
    return m


def differences(work: Path, whats: list[str], size: int) -> dict[str, list[str]]:
    """For each duban report whose bytes differ from the reference's: what differs, by meaning
    (up to ``DIFF_UP_TO`` items, where both reports still fit in memory); the kept reports are removed."""
    kept = {w: work / f"{w}.kept.json" for w in whats}
    out: dict[str, list[str]] = {}
    try:
        if size <= DIFF_UP_TO and kept.get("reference", Path()).exists():
            import reference

            ref = None
            for what, path in kept.items():
                if what == "reference" or not path.exists() or file_digest(path) == file_digest(kept["reference"]):
                    continue
                ref = ref or json.loads(kept["reference"].read_text(encoding="utf-8"))
                out[what] = reference.semantic_diff(json.loads(path.read_text(encoding="utf-8")), ref)[:5]
    finally:
        for path in kept.values():
            path.unlink(missing_ok=True)
    return out


def measure_once(what: str, files: list[Path], duban: str, work: Path, digest: bool) -> dict:
    """One run of ``check1``/``check2``/… (duban --jobs N), ``checkdask`` (``--dask local --jobs 2``: a
    local Dask cluster of 2 processes; needs ``duban[dask]``), ``reference`` or ``floor``."""
    ledger = [str(f) for f in files]
    out = work / f"{what}-{os.getpid()}.json"
    if what.startswith("check"):
        workers = ["--dask", "local", "--jobs", "2"] if what == "checkdask" else ["--jobs", what[5:]]
        cmd = [duban, "check", *ledger, "--format", "json", "--output", str(out), *workers]
        return run_report(cmd, out, work, what, digest)
    if what == "reference":
        return run_report([sys.executable, str(REFERENCE), *ledger, "--output", str(out)], out, work, what, digest)
    m = run_measured([sys.executable, str(FLOOR), *ledger, "--out", str(out)], work / "floor.stderr")
    if m["code"] != 0:
        raise SystemExit(f"floor failed ({m['code']}): {(work / 'floor.stderr').read_text()[-2000:]}")
    m["result"] = json.loads(out.read_text())
    out.unlink()
    return m


def peak_mb(runs: list[dict]) -> Optional[float]:
    values = [r["peak_pss_mb"] for r in runs if r.get("peak_pss_mb")]
    return max(values) if values else None


def projected_mb(size: int, what: str, known: dict[int, dict]) -> Optional[float]:
    """The peak of ``what`` at ``size``, scaled linearly from the largest smaller size measured."""
    for n in sorted((n for n in known if n < size), reverse=True):
        peak = peak_mb(known[n]["runs"].get(what, []))
        if peak:
            return BASE_MB + (peak - BASE_MB) * size / n
    return None


def saved_runs(cache: Path, form: str) -> dict[int, dict]:
    known = {}
    for path in cache.glob(f"runs-*-{form}.json"):
        try:
            known[int(path.stem.split("-")[1])] = json.loads(path.read_text())
        except (ValueError, json.JSONDecodeError):
            continue
    return known


def measure_size(size: int, args: argparse.Namespace, duban: str, cache: Path, known: dict, budget: float,
                 command: str, info: dict) -> dict:
    files, generated = ledger_for(size, args.seed, args.input, cache)
    repeat = args.repeat_large if size >= args.large_from else args.repeat
    whats = [f"check{j}" for j in args.jobs]
    if not args.no_reference:
        whats.append("reference")
    if not args.no_floor:
        whats.append("floor")
    runs: dict[str, list] = {w: [] for w in whats}
    skipped = {}
    for what in whats:
        projected = projected_mb(size, what, known)
        if projected is not None and projected > budget:
            skipped[what] = projected
    if skipped:
        print(f"  {size:,} items: memory budget {budget:,.0f} MB; not run (projected peaks): "
              + ", ".join(f"{k} {v:,.0f} MB" for k, v in skipped.items()), file=sys.stderr, flush=True)
    before = loadavg()
    diffs: dict[str, list[str]] = {}
    for number in range(repeat):
        order = [w for w in whats if w not in skipped]
        order = order[number % len(order):] + order[: number % len(order)] if order else []
        for what in order:
            print(f"  {size:,} items, run {number + 1}/{repeat}: {what} …", file=sys.stderr, flush=True)
            runs[what].append(measure_once(what, files, duban, cache, digest=number == 0))
        if number == 0:
            diffs = differences(cache, [w for w in whats if w != "floor"], size)
    return {"differences": diffs, "size": size, "form": args.input, "files": [f.name for f in files],
            "bytes": sum(f.stat().st_size for f in files), "generate": generated, "runs": runs,
            "skipped": skipped, "repeat": repeat, "load": f"{before} → {loadavg()}", "budget_mb": budget,
            "command": command, "measured_at": f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
            "engine": info["engine"], "commit": info["commit"]}


def measure_yaml(size: int, args: argparse.Namespace, duban: str, cache: Path) -> dict:
    """Peak memory of ``duban check --jobs 1`` on the same ledger as JSON and as YAML."""
    out: dict[str, Any] = {"size": size, "runs": {"json": [], "yaml": []}, "bytes": {}}
    paths = {form: ledger_for(size, args.seed, form, cache)[0] for form in ("json", "yaml")}
    repeat = args.repeat_large if size >= args.large_from else args.repeat
    for number in range(repeat):
        for form in (("json", "yaml") if number % 2 == 0 else ("yaml", "json")):
            print(f"  YAML vs JSON, {size:,} items, run {number + 1}/{repeat}: {form} …", file=sys.stderr, flush=True)
            out["runs"][form].append(measure_once("check1", paths[form], duban, cache, digest=False))
    out["bytes"] = {form: sum(p.stat().st_size for p in files) for form, files in paths.items()}
    return out


def profile(size: int, args: argparse.Namespace, duban: str, cache: Path) -> str:
    """cProfile of one whole ``duban check --jobs 1``: the functions with the most time of their own."""
    files, _ = ledger_for(size, args.seed, args.input, cache)
    stats = cache / f"profile-{size}.prof"
    out = cache / "profile-report.json"
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(stats), duban, "check", *map(str, files),
                    "--format", "json", "--output", str(out), "--jobs", "1"], check=True, stderr=subprocess.DEVNULL)
    out.unlink()
    import io
    import pstats

    text = io.StringIO()
    pstats.Stats(str(stats), stream=text).sort_stats("tottime").print_stats(30)
    return text.getvalue()


# --- the driver ---------------------------------------------------------------------------


def main(argv: Optional[list[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="50000,200000,1000000", help="comma-separated item counts")
    parser.add_argument("--jobs", default="1,2",
                        help="the --jobs values of the whole check (default 1,2); dask adds --dask local --jobs 2")
    parser.add_argument("--input", choices=sorted(SUFFIX), default="json",
                        help="the ledger's form: json (one document), jsonl (items.jsonl beside a header file "
                             "with ledger and units), yaml")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (medians); default 3")
    parser.add_argument("--repeat-large", type=int, default=1, help="runs per measurement from --large-from items")
    parser.add_argument("--large-from", type=int, default=1_000_000, help="size from which --repeat-large applies")
    parser.add_argument("--yaml-memory", type=int, default=100_000, metavar="N",
                        help="compare peak memory on YAML and JSON at N items (0: skip); default 100000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"), help="the Markdown report (default bench/RESULTS.md)")
    parser.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "duban-bench"),
                        help="folder for ledgers, reports and saved measurements")
    parser.add_argument("--no-reference", action="store_true", help="skip the plain-Python reference")
    parser.add_argument("--no-floor", action="store_true", help="skip the raw durable floor")
    parser.add_argument("--memory-budget-mb", type=float, default=0.0,
                        help="skip a run whose projected peak exceeds this (default: 70%% of MemAvailable at start)")
    parser.add_argument("--reuse", action="store_true", help="rebuild the report from measurements saved in --cache")
    parser.add_argument("--engine", choices=("snapshot", "installed"), default="snapshot",
                        help="measure a private install of the checkout made at start (default), or the duban "
                             "installed beside this Python")
    parser.add_argument("--profile", type=int, default=0, metavar="SIZE",
                        help="also profile one whole check --jobs 1 at this size (cProfile) and append its top")
    args = parser.parse_args(argv)
    args.jobs = [j.strip() if j.strip() == "dask" else int(j) for j in args.jobs.split(",") if j.strip()]
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)

    if args.engine == "snapshot":
        snapshot, key = engine_snapshot(cache)
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(snapshot), os.environ.get("PYTHONPATH")]))
        duban = str(snapshot / "bin" / "duban")
        engine_note = (f"a private install of the checkout (`pip install --no-deps --target`), content hash {key} "
                       f"of engine/, cli.py, rules/ and pyproject.toml")
    else:
        duban = str(Path(sys.executable).parent / "duban")
        if not Path(duban).exists():
            raise SystemExit(f"no duban console script beside {sys.executable}: pip install the project first")
        engine_note = f"the duban installed in {sys.prefix}"
    command = "python bench/run.py " + " ".join(argv)
    started_at = datetime.now().astimezone()
    info = machine_info()
    info["engine"] = engine_note
    info["mem_available_mb"] = mem_available_mb()
    budget = args.memory_budget_mb or 0.7 * info["mem_available_mb"]
    known = saved_runs(cache, args.input)
    measured: dict[int, dict] = {}
    for size in sizes:
        saved = cache / f"runs-{size}-{args.input}.json"
        if args.reuse and saved.exists():
            measured[size] = json.loads(saved.read_text())
            print(f"  {size:,} items: reusing {saved}", file=sys.stderr, flush=True)
            continue
        measured[size] = known[size] = measure_size(size, args, duban, cache, known, budget, command, info)
        saved.write_text(json.dumps(measured[size], indent=1))
        print(report.table([size], measured, args.jobs), file=sys.stderr, flush=True)
    memory = None
    if args.yaml_memory:
        saved = cache / f"yaml-{args.yaml_memory}.json"
        if args.reuse and saved.exists():
            memory = json.loads(saved.read_text())
        else:
            memory = measure_yaml(args.yaml_memory, args, duban, cache)
            saved.write_text(json.dumps(memory, indent=1))
    profile_text = None
    if args.profile:
        saved = cache / f"profile-{args.profile}.txt"
        if not (args.reuse and saved.exists()):
            saved.write_text(profile(args.profile, args, duban, cache))
        profile_text = saved.read_text()
    text = report.table(sizes, measured, args.jobs)
    print(text)
    if memory:
        print(report.yaml_table(memory))
    Path(args.out).write_text(
        report.results_markdown(sizes, measured, memory, args, info, command, started_at,
                                datetime.now().astimezone(), profile_text),
        encoding="utf-8")
    print(f"written {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
