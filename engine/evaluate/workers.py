"""Chunks of items evaluated in worker processes, yielded in order.

Where the platform can fork, workers inherit the chunks (no copying, no
pickling of the ledger) and receive only chunk numbers; elsewhere each chunk
is sent. Findings come back as plain tuples. A worker owns its own matchers
(and its own native rule engine), so a crash of that engine takes down only
the worker; it is reported as an :class:`~engine.errors.EvaluationError`,
never as missing findings. Workers end with the run, however it ends
(:mod:`.lifeline`), and there are never more of them than chunks or CPUs.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Iterable, Optional, Union

from ..errors import EvaluationError
from ..ledger import Item
from ..pack import RulePack
from ..report import Finding
from .calendar import WorkCalendar
from .context import Context
from .lifeline import die_with_parent
from .stages import Outcome, Stages

__all__ = ["evaluate_in_workers"]


def evaluate_in_workers(
    pack: RulePack, backend: str, chunks: list[list[Item]], context: Context, jobs: int
) -> Iterable[tuple[Outcome, set[int]]]:
    """The outcome of each chunk and the years its calendar had to guess, in chunk order."""
    forking = "fork" in multiprocessing.get_all_start_methods()
    processes = multiprocessing.get_context("fork" if forking else "spawn")
    shared = chunks if forking else None
    try:
        pool = ProcessPoolExecutor(
            max_workers=max(1, min(jobs, len(chunks), cpu_count())), mp_context=processes,
            initializer=_init_worker, initargs=(pack, backend, context, shared, os.getpid()),
        )
    except OSError as exc:
        raise _cannot_start(exc) from None
    finished = False
    try:
        try:
            futures = [
                pool.submit(_evaluate_chunk, index if forking else chunk)
                for index, chunk in enumerate(chunks)
            ]
        except OSError as exc:  # fork refused: the process limit, or no memory left
            raise _cannot_start(exc) from None
        waivers = {(w.file, w.index): w for w in context.waivers}
        for future in futures:
            rows, waived, used, returned, years = future.result()
            outcome = Outcome(
                findings=[_finding_from_row(row) for row in rows],
                waived=[(_finding_from_row(row), waivers[key]) for row, key in waived],
                used=used,
                returned=returned,
            )
            yield outcome, years
        finished = True
    except BrokenProcessPool:
        raise EvaluationError.at("", "工作进程", "工作进程异常退出,评估未完成(可用 --jobs 1 在单进程中重试)") from None
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:
            # Interrupted or failed: stop the workers now instead of letting queued chunks run.
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
            pool.shutdown(wait=False, cancel_futures=True)


def cpu_count() -> int:
    """The CPUs this process may run on (a container's share, where the system says)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _cannot_start(exc: OSError) -> EvaluationError:
    return EvaluationError.at("", "工作进程", f"无法启动工作进程({exc.strerror or exc}),可用 --jobs 1 在单进程中运行")


# Each worker process holds exactly one set of matchers and the run's chunks, set once by
# the pool's initializer; this module-level slot is only ever filled in workers.

_worker: dict[str, Any] = {}


def _init_worker(pack: RulePack, backend: str, context: Context, chunks: Optional[list[list[Item]]],
                 parent: int) -> None:
    die_with_parent(parent)
    # The inherited ledger never becomes garbage here: keep the collector off it.
    gc.freeze()
    # Ctrl-C reaches the whole process group; the parent alone decides what to do. A handler the
    # parent installed for SIGTERM or SIGHUP is not the worker's: those signals simply end it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    _worker.update(stages=Stages(pack, backend), context=context, chunks=chunks)


def _evaluate_chunk(chunk: Union[int, list[Item]]) -> tuple[list[tuple], list[tuple], set, set, set[int]]:
    items = _worker["chunks"][chunk] if isinstance(chunk, int) else chunk
    calendar = WorkCalendar()
    outcome = _worker["stages"].evaluate_items(items, _worker["context"], calendar)
    return (
        [_finding_to_row(f) for f in outcome.findings],
        [(_finding_to_row(f), (w.file, w.index)) for f, w in outcome.waived],
        outcome.used,
        outcome.returned,
        calendar.uncovered_years,
    )


_FINDING_FIELDS = tuple(Finding.model_fields)


def _finding_to_row(finding: Finding) -> tuple:
    """A finding as a plain tuple: cheap to send between processes."""
    return tuple(getattr(finding, name) for name in _FINDING_FIELDS) + (finding.exact_points,)


def _finding_from_row(row: tuple) -> Finding:
    finding = Finding.model_construct(**dict(zip(_FINDING_FIELDS, row[:-1])))
    finding._exact_points = row[-1]
    return finding
