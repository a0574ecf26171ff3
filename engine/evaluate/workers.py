"""Chunks of items evaluated away from the run's own thread, yielded in chunk order.

Two ways, one chunk task (:func:`evaluate_chunk`):

- worker processes of our own (``jobs`` > 1, :func:`evaluate_in_workers`).
  Where the platform can fork, workers inherit the chunks (no copying, no
  pickling of the ledger) and receive only chunk numbers; elsewhere each
  chunk is sent. A worker owns its own matchers (and its own native rule
  engine), so a crash of that engine takes down only the worker; it is
  reported as an :class:`~engine.errors.EvaluationError`, never as missing
  findings. Workers end with the run, however it ends (:mod:`.lifeline`), and
  there are never more of them than chunks or CPUs.
- any :class:`concurrent.futures.Executor` a caller gives (``executor=``, such
  as a Dask client's ``get_executor()``; :func:`evaluate_with_executor`). Each
  chunk is a self-contained task: its items and the run's :class:`Job` (the
  pack, the backend, the context). The executor is the caller's: it is used,
  never shut down.

Either way a process builds the :class:`Stages` of one pack once and keeps
them (:func:`stages_for`), findings come back as plain tuples, the waivers are
re-attached here by their (file, index), and a task's failure is a duban error:
the one it raised (a ledger or usage error stays what it was), or an
:class:`~engine.errors.EvaluationError` naming what went wrong.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
from collections import OrderedDict, deque
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Optional, Union

from ..errors import DubanError, EvaluationError
from ..ledger import Item
from ..pack import RulePack
from .calendar import WorkCalendar
from .context import Context
from .lifeline import die_with_parent
from .stages import Outcome, Stages

__all__ = ["Job", "evaluate_chunk", "evaluate_in_workers", "evaluate_with_executor", "stages_for"]

# Chunks submitted to a caller's executor ahead of the one being collected: enough to keep a
# cluster of dozens of workers busy, few enough that the ledger is not all in flight at once
# (and that a finished chunk's result is released on the cluster once it has been read).
AHEAD = 64
# Packs whose stages a process keeps (a sweep evaluates one pack per value, one after another).
KEPT_PACKS = 8

RETRY = "可用 --jobs 1 在单进程中重试"


@dataclass(frozen=True)
class Job:
    """What every chunk of one run needs besides its items: the pack, the backend and the run's context."""

    pack: RulePack
    backend: str
    context: Context


ChunkResult = tuple[Outcome, list[tuple], set[int]]


def evaluate_in_workers(
    pack: RulePack, backend: str, chunks: list[list[Item]], context: Context, jobs: int
) -> Iterable[tuple[Outcome, set[int]]]:
    """The outcome of each chunk and the years its calendar had to guess, in chunk order."""
    forking = "fork" in multiprocessing.get_all_start_methods()
    processes = multiprocessing.get_context("fork" if forking else "spawn")
    shared = chunks if forking else None
    job = Job(pack, backend, context)
    try:
        pool = ProcessPoolExecutor(
            max_workers=max(1, min(jobs, len(chunks), cpu_count())), mp_context=processes,
            initializer=_init_worker, initargs=(job, shared, os.getpid()),
        )
    except OSError as exc:
        raise _cannot_start(exc) from None
    finished = False
    try:
        try:
            futures = [
                pool.submit(evaluate_chunk, index if forking else chunk)
                for index, chunk in enumerate(chunks)
            ]
        except OSError as exc:  # fork refused: the process limit, or no memory left
            raise _cannot_start(exc) from None
        waivers = _waivers_by_key(context)
        for future in futures:
            yield _collect(future, waivers)
        finished = True
    except BrokenExecutor as exc:  # a worker died while the chunks were being submitted
        raise _failed(exc) from None
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:
            # Interrupted or failed: stop the workers now instead of letting queued chunks run. A worker
            # stopped while it was sending leaves half a message in the result pipe; with this end of the
            # pipe's writing side closed, the pool's reading thread then sees the end of the pipe instead
            # of waiting for the rest forever (which would hold the process at exit).
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
            results = getattr(pool, "_result_queue", None)
            writer = getattr(results, "_writer", None)
            if writer is not None:
                writer.close()
            pool.shutdown(wait=False, cancel_futures=True)


def evaluate_with_executor(
    executor: Executor, job: Job, chunks: list[list[Item]], ahead: int = AHEAD
) -> Iterator[tuple[Outcome, set[int]]]:
    """The outcome of each chunk, evaluated by ``executor``, and the years its calendar had to guess,
    in chunk order. At most ``ahead`` chunks are in flight; those not yet collected are cancelled if
    the run fails or is interrupted."""
    waivers = _waivers_by_key(job.context)
    window: deque[Future] = deque()
    try:
        for chunk in chunks:
            window.append(_submit(executor, chunk, job))
            if len(window) >= ahead:
                yield _collect(window.popleft(), waivers)
        while window:
            yield _collect(window.popleft(), waivers)
    finally:
        for future in window:
            future.cancel()


def _submit(executor: Executor, chunk: list[Item], job: Job) -> Future:
    try:
        return executor.submit(evaluate_chunk, chunk, job)
    except DubanError:
        raise
    except Exception as exc:  # a shut-down executor, a cluster gone, arguments it cannot send
        raise _failed(exc) from exc


def _waivers_by_key(context: Context) -> dict[tuple[str, int], Any]:
    return {(w.file, w.index): w for w in context.waivers}


def _collect(future: Future, waivers: dict[tuple[str, int], Any]) -> tuple[Outcome, set[int]]:
    """One chunk's result with its waivers re-attached; a task's failure as a duban error."""
    try:
        outcome, waived, years = future.result()
    except DubanError:
        raise
    except BrokenExecutor as exc:
        raise _failed(exc) from None
    except Exception as exc:
        raise _failed(exc) from exc
    outcome.waived = [(row, waivers[key]) for row, key in waived]
    return outcome, years


def _failed(exc: Exception) -> EvaluationError:
    if isinstance(exc, BrokenExecutor):  # a worker process died (our pool's, or a caller's)
        return EvaluationError.at("", "工作进程", f"工作进程异常退出,评估未完成({RETRY})")
    text = str(exc).strip()
    what = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return EvaluationError.at("", "工作进程", f"工作进程出错({what}),评估未完成({RETRY})")


def cpu_count() -> int:
    """The CPUs this process may run on (a container's share, where the system says)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _cannot_start(exc: OSError) -> EvaluationError:
    return EvaluationError.at("", "工作进程", f"无法启动工作进程({exc.strerror or exc}),可用 --jobs 1 在单进程中运行")


# --- in a worker ---------------------------------------------------------------------------------

# The stages of the packs this process has evaluated, by (pack sha256, backend). The sha256
# covers the pack's files, its effective params and its selection of rules, so one key is one
# set of matchers. A Dask worker may run tasks on several threads: the lock makes one pack's
# stages built once; Stages and the durable matcher guard their own state with locks (durable's
# C code holds the GIL, so threads that share a matcher lose nothing). A pack dropped from here
# frees its native rulesets when no task holds it any more (the matcher's finalizer).
_kept: "OrderedDict[tuple[str, str], Stages]" = OrderedDict()
_kept_lock = threading.Lock()


def stages_for(pack: RulePack, backend: str) -> Stages:
    """This process's :class:`Stages` of ``pack`` on ``backend``, built on first use and kept."""
    key = (pack.sha256, backend)
    with _kept_lock:
        stages = _kept.get(key)
        if stages is None:
            stages = _kept[key] = Stages(pack, backend)
            while len(_kept) > KEPT_PACKS:
                _kept.popitem(last=False)
        else:
            _kept.move_to_end(key)
        return stages


# A worker process of our own pool holds the run's job and chunks, set once by the pool's
# initializer; this module-level slot is only ever filled in those workers.
_worker: dict[str, Any] = {}


def _init_worker(job: Job, chunks: Optional[list[list[Item]]], parent: int) -> None:
    die_with_parent(parent)
    # The inherited ledger never becomes garbage here: keep the collector off it.
    gc.freeze()
    # Ctrl-C reaches the whole process group; the parent alone decides what to do. A handler the
    # parent installed for SIGTERM or SIGHUP is not the worker's: those signals simply end it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    _worker.update(job=job, chunks=chunks)
    stages_for(job.pack, job.backend)


def evaluate_chunk(chunk: Union[int, list[Item]], job: Optional[Job] = None) -> ChunkResult:
    """The chunk task: one chunk's outcome, its waived findings with their waivers' keys (the
    parent holds the waivers), and the years its calendar had to guess. Rows are named tuples:
    cheap to send.

    ``chunk`` is the chunk's items, or in a worker of our own pool its number among the inherited
    chunks; ``job`` is the run's job, or None in such a worker (its initializer holds it).
    """
    if job is None:
        job = _worker["job"]
    items = _worker["chunks"][chunk] if isinstance(chunk, int) else chunk
    calendar = WorkCalendar()
    outcome = stages_for(job.pack, job.backend).evaluate_items(items, job.context, calendar)
    waived = [(row, (w.file, w.index)) for row, w in outcome.waived]
    outcome.waived = []
    return outcome, waived, calendar.uncovered_years
