"""Measuring a command: wall and CPU time of its process tree, peak memory (PSS sampling), and the
machine and engine it ran on. Used by bench/run.py."""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PAGE = os.sysconf("SC_PAGE_SIZE")
MB = 1024 * 1024

# --- memory of a process tree -----------------------------------------------------------


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                out.extend(int(p) for p in handle.read().split())
    except OSError:
        pass
    return out


def _pss(pid: int) -> int:
    """The Pss of one process in bytes, 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _statm_rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


class TreeSampler(threading.Thread):
    """Peak of the summed PSS (and RSS) of a process and all its descendants.

    PSS counts the pages that forked workers share with their parent once (summed RSS would count
    them twice). RSS (statm, cheap) is read every ``interval``; PSS needs smaps_rollup, whose cost
    grows with the process's size (tens of ms for 10 GB), so it is read at most once per 20 × its
    last cost: the sampler takes ≤ 5% of a core from what it measures.
    """

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_pss = 0
        self.peak_rss = 0
        self.peak_procs = 0
        self._halt = threading.Event()

    def run(self) -> None:
        next_pss = 0.0
        while not self._halt.is_set():
            pids, stack = [], [self.pid]
            while stack:
                pid = stack.pop()
                pids.append(pid)
                stack.extend(_children(pid))
            self.peak_rss = max(self.peak_rss, sum(_statm_rss(pid) for pid in pids))
            self.peak_procs = max(self.peak_procs, len(pids))
            now = time.monotonic()
            if now >= next_pss:
                pss = sum(_pss(pid) for pid in pids)
                cost = time.monotonic() - now
                self.peak_pss = max(self.peak_pss, pss)
                next_pss = now + max(self.interval, 20 * cost)
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def run_measured(cmd: list[str], stderr_path: Path) -> dict:
    """Run a command to its end: wall and CPU time (os.wait4, children included), the largest
    RSS of one process (ru_maxrss), the sampled peak PSS of its tree, and its exit code."""
    with open(stderr_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        sampler.stop()
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "maxrss_mb": usage.ru_maxrss / 1024,
        "peak_pss_mb": sampler.peak_pss / MB,
        "peak_rss_sum_mb": sampler.peak_rss / MB,
        "procs": sampler.peak_procs,
        "code": os.waitstatus_to_exitcode(status),
    }


def file_digest(path: Path) -> str:
    """The sha256 of a file, read in pieces (reports at 1M items are gigabytes)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


# --- the machine and the engine ---------------------------------------------------------


def machine_info() -> dict:
    info: dict[str, Any] = {"nproc": len(os.sched_getaffinity(0)), "cpu": "?"}
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                info["memory_gb"] = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    info["python"] = platform.python_version()
    info["platform"] = platform.platform()
    from importlib.metadata import PackageNotFoundError, version

    for package in ("durable_rules", "pydantic", "duban", "chinesecalendar", "chinese_calendar", "PyYAML"):
        try:
            info[package] = version(package)
        except PackageNotFoundError:
            info.setdefault(package, "?")
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "engine", "cli.py", "rules"],
                               capture_output=True, text=True).stdout.strip()
        info["commit"] = commit + (" + uncommitted changes to engine/cli.py/rules" if dirty else "")
    except OSError:
        info["commit"] = "?"
    return info


def engine_snapshot(cache: Path) -> tuple[Path, str]:
    """``pip install --no-deps --target`` of the checkout into the cache, keyed by its content, so that
    every run of one invocation measures the same code whatever is reinstalled meanwhile."""
    digest = hashlib.sha256()
    files = [REPO / "pyproject.toml", REPO / "cli.py", *sorted((REPO / "engine").rglob("*.py")),
             *sorted(p for p in (REPO / "rules").rglob("*") if p.is_file())]
    for path in files:
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes() + b"\0")
    key = digest.hexdigest()[:12]
    target = cache / f"engine-{key}"
    if not (target / "engine" / "__init__.py").exists():
        print(f"  installing a snapshot of the checkout into {target} …", file=sys.stderr, flush=True)
        partial = cache / f"engine-{key}.partial"
        subprocess.run(["rm", "-rf", str(partial)], check=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(partial),
                        str(REPO)], check=True)
        partial.rename(target)
    return target, key


def loadavg() -> str:
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "?"


def mem_available_mb() -> float:
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemAvailable"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")
