"""Chunks evaluated on an executor (issue 17): ``executor=`` in the library, ``--dask`` on the command line.

The report's bytes are those of ``--jobs 1`` whatever evaluates the chunks: a Dask cluster of worker
processes, a thread pool (threads share one process's cached stages), a process pool started by spawn
(nothing inherited: every chunk a self-contained task). Waivers and a history go with the run's
context, so waived findings and escalations come out the same. A task's failure is the duban error it
raised, or an EvaluationError naming the cause; a worker that dies is an EvaluationError. On the command
line: ``--dask local`` gives the bytes (and the notes) of ``--jobs 1``; Dask missing, a malformed or
unreachable address, ``--jobs`` with an address: exit 2, one line, no traceback.

The local Dask cluster is started once for the module (its start is the slow part).
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import socket
import subprocess
import sys
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import distributed  # a test dependency (the test extra includes duban[dask])
import pytest
import yaml
from click.testing import CliRunner

import engine.cluster
import engine.engine
import engine.evaluate.workers as workers
from cli import main
from conftest import duban_executable, generate_ledger
from engine import Engine, EvaluationError, LedgerError, UsageError, load_ledger
from engine.evaluate.stages import Stages
from engine.errors import Diagnostic
from engine.history import open_history


ITEMS = 2600  # two chunks of engine.engine.CHUNK_SIZE on the command line (one per worker)
SMALL_CHUNK = 300  # nine chunks in the library tests
AS_OF = date(2026, 11, 28)
BEFORE = date(2026, 10, 28)


# --- the ledger, its waivers and its history; the reference report ---------------------------------------------


@pytest.fixture(scope="module")
def ledger_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_ledger(tmp_path_factory.mktemp("executor") / "big.json", ITEMS, seed=17)


@pytest.fixture(scope="module")
def run_args(ledger_path: Path) -> dict[str, Any]:
    """Waivers for some findings of the plain run, and a history with the period before: the context
    every chunk must see."""
    folder = ledger_path.parent
    ledger = load_ledger(ledger_path)
    plain = Engine.default().evaluate(ledger, AS_OF, jobs=1)
    chosen = plain.findings[:: max(1, len(plain.findings) // 40)]
    waivers = folder / "waivers.yaml"
    waivers.write_text(yaml.safe_dump({"waivers": [
        {"item": f.subject, "rule": f.rule, "reason": "已报县政府同意延期", "approved_by": "县督查室",
         "until": "2027-06-30"} for f in chosen]}, allow_unicode=True), encoding="utf-8")
    history = folder / "history.sqlite"
    with open_history(history) as store:
        store.record(Engine.default().evaluate(ledger, BEFORE, jobs=1))
    return {"ledger": ledger, "waivers": [waivers], "history": history}


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine.engine, "CHUNK_SIZE", SMALL_CHUNK)


def evaluate(run_args: dict[str, Any], **how: Any) -> bytes:
    report = Engine.default().evaluate(run_args["ledger"], AS_OF, waivers=run_args["waivers"],
                                       history=run_args["history"], **how)
    return report.to_json().encode()


@pytest.fixture(scope="module")
def reference(run_args: dict[str, Any]) -> bytes:
    """The report of ``jobs=1``, in chunks of the library tests' size."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine.engine, "CHUNK_SIZE", SMALL_CHUNK)
        out = evaluate(run_args, jobs=1)
    report = json.loads(out)
    # The context reached the chunks: findings waived, and escalated after the period before.
    assert report["summary"]["items"] == ITEMS
    assert len(report["waived"]) >= 20
    assert sum(1 for f in report["findings"] if f.get("escalated_from")) >= 20
    return out


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A local Dask cluster of two one-thread worker processes, and its client."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as local, distributed.Client(local) as client:
        yield client


# --- the same bytes ----------------------------------------------------------------------------------------------


def test_a_dask_cluster_gives_the_bytes_of_jobs_1(cluster: Any, run_args: dict, reference: bytes,
                                                   small_chunks: None) -> None:
    out = evaluate(run_args, executor=cluster.get_executor(pure=False))
    assert out == reference
    # The chunks ran on the workers, and a worker keeps one set of stages for the pack, whatever its tasks.
    kept = cluster.run(lambda: len(workers._kept))
    assert set(kept.values()) <= {0, 1} and 1 in kept.values()


def test_a_thread_pool_gives_the_bytes_of_jobs_1(run_args: dict, reference: bytes, small_chunks: None,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Threads share this process's cached stages (and their matchers); two chunks in flight at most."""
    monkeypatch.setattr(workers, "AHEAD", 2)
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert evaluate(run_args, executor=pool) == reference


def test_a_spawned_process_pool_gives_the_bytes_of_jobs_1(run_args: dict, reference: bytes,
                                                          small_chunks: None) -> None:
    """Spawned processes inherit nothing: each task carries its items, the pack and the context."""
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        assert evaluate(run_args, executor=pool) == reference
        # The pool is the caller's: still usable after the run.
        assert pool.submit(abs, -3).result() == 3


def test_jobs_1_with_an_executor_uses_the_executor(run_args: dict, reference: bytes, small_chunks: None) -> None:
    submitted: list[int] = []

    class Counting(ThreadPoolExecutor):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:
            submitted.append(len(args[0]))
            return super().submit(fn, *args, **kwargs)

    with Counting(max_workers=2) as pool:
        assert evaluate(run_args, executor=pool, jobs=1) == reference
    assert sum(submitted) == ITEMS and len(submitted) == -(-ITEMS // SMALL_CHUNK)


# --- one process keeps one set of stages per pack -----------------------------------------------------------------


def test_a_process_builds_one_packs_stages_once_whatever_the_threads() -> None:
    pack = Engine.default().pack
    again = Engine.default().pack  # an equal pack loaded again: the same key
    other = Engine.default(params={"lag_red_points": 25}).pack
    found: list[Stages] = []
    start = threading.Barrier(8)

    def take(p: Any) -> None:
        start.wait()
        found.append(workers.stages_for(p, "durable"))

    threads = [threading.Thread(target=take, args=(pack if n % 2 else again,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(stages) for stages in found}) == 1
    assert workers.stages_for(other, "durable") is not found[0]
    assert workers.stages_for(pack, "python") is not found[0]
    assert workers.stages_for(pack, "durable") is found[0]


# --- failures ---------------------------------------------------------------------------------------------------


def test_jobs_and_an_executor_together_are_a_usage_error(run_args: dict) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool, pytest.raises(UsageError) as raised:
        Engine.default().evaluate(run_args["ledger"], AS_OF, jobs=2, executor=pool)
    assert raised.value.diagnostics[0].place == "2" and "执行器" in str(raised.value)


def failing(error: BaseException) -> Any:
    def evaluate_items(self: Stages, *args: Any, **kwargs: Any) -> Any:
        raise error

    return evaluate_items


@pytest.mark.parametrize("error, expected, says", [
    (LedgerError(Diagnostic("台账.json", "items[7] (P-8).due", "不是日期")), LedgerError, "items[7] (P-8).due"),
    (UsageError.at("--as-of", "x", "基准日无效"), UsageError, "基准日无效"),
    (RuntimeError("坏了"), EvaluationError, "工作进程出错(RuntimeError: 坏了)"),
], ids=["ledger-error", "usage-error", "anything-else"])
def test_a_task_error_is_the_duban_error_it_was_or_an_evaluation_error(
        run_args: dict, small_chunks: None, monkeypatch: pytest.MonkeyPatch,
        error: Exception, expected: type, says: str) -> None:
    monkeypatch.setattr(Stages, "evaluate_items", failing(error))
    with ThreadPoolExecutor(max_workers=2) as pool, pytest.raises(expected) as raised:
        Engine.default().evaluate(run_args["ledger"], AS_OF, executor=pool)
    assert type(raised.value) is expected and says in str(raised.value)


def _break_stages() -> None:
    """Run on each Dask worker: every chunk raises there."""
    Stages.evaluate_items = failing(LedgerError(Diagnostic("台账.json", "items[3] (P-4)", "在工作进程中出错")))


def _mend_stages(original: Any) -> None:
    Stages.evaluate_items = original


def test_an_error_on_a_dask_worker_is_the_duban_error_it_was(cluster: Any, run_args: dict,
                                                               small_chunks: None) -> None:
    cluster.run(_break_stages)
    try:
        with pytest.raises(LedgerError) as raised:
            Engine.default().evaluate(run_args["ledger"], AS_OF, executor=cluster.get_executor(pure=False))
    finally:
        cluster.run(_mend_stages, Stages.evaluate_items)
    assert raised.value.diagnostics == (Diagnostic("台账.json", "items[3] (P-4)", "在工作进程中出错"),)


def test_a_worker_that_dies_is_an_evaluation_error(run_args: dict, small_chunks: None,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A process pool's worker killed by the native engine (here: it exits): the pool's EvaluationError."""
    monkeypatch.setattr(Stages, "evaluate_items", lambda self, *a, **k: os._exit(1))
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool, \
            pytest.raises(EvaluationError) as raised:
        Engine.default().evaluate(run_args["ledger"], AS_OF, executor=pool)
    assert "工作进程异常退出" in str(raised.value) and "--jobs 1" in str(raised.value)


class Refusing(Executor):
    """An executor that has been shut down."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:
        raise RuntimeError("cannot schedule new futures after shutdown")


def test_an_executor_that_refuses_work_is_an_evaluation_error(run_args: dict) -> None:
    with pytest.raises(EvaluationError) as raised:
        Engine.default().evaluate(run_args["ledger"], AS_OF, executor=Refusing())
    assert "cannot schedule new futures after shutdown" in str(raised.value)


# --- the command line -------------------------------------------------------------------------------------------


def duban(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(duban_executable() + list(args), capture_output=True, cwd=cwd, env=env, timeout=300)


def test_dask_local_on_the_command_line_gives_the_bytes_and_notes_of_jobs_1(ledger_path: Path, run_args: dict,
                                                                             reference: bytes) -> None:
    """The bytes of the library's ``jobs=1`` (in other chunks: the chunking changes nothing either), and on
    stderr duban's notes and nothing else (Dask says nothing of its own)."""
    dask = duban("check", str(ledger_path), "--format", "json", "--waivers", str(run_args["waivers"][0]),
                 "--history", str(run_args["history"]), "--dask", "local", "--jobs", "2", cwd=ledger_path.parent)
    assert dask.returncode == 0, dask.stderr.decode()
    assert ITEMS > engine.engine.CHUNK_SIZE
    assert dask.stdout == reference
    notes = [f"提示: {note}" for note in json.loads(reference)["notes"]]
    assert dask.stderr.decode().splitlines() == notes


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def assert_one_line_error(result: Any, *says: str) -> None:
    assert result.exit_code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(("错误: --dask", "错误: --jobs")), lines
    assert "Traceback" not in result.stderr and result.stdout == ""
    for text in says:
        assert text in lines[0]


def test_dask_missing_is_one_line_saying_what_to_install(sample_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed raises ImportError
    assert_one_line_error(cli("check", str(sample_path), "--dask", "local"), "pip install 'duban[dask]'")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("address, says", [
    ("foo://host:8786", "应为 local 或调度器地址"),
    ("tcp://", "应为 local 或调度器地址"),
    ("nonsense", "地址无效"),
    ("tcp://127.0.0.1:{port}", "无法在 1 秒内连接 Dask 调度器"),
], ids=["unknown-scheme", "no-host", "no-port", "nobody-listening"])
def test_a_bad_or_unreachable_address_is_one_line(address: str, says: str, sample_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine.cluster, "CONNECT_TIMEOUT", 1)
    address = address.format(port=free_port())
    assert_one_line_error(cli("check", str(sample_path), "--dask", address), address, says)


def test_jobs_with_a_cluster_address_is_a_usage_error(sample_path: Path) -> None:
    result = cli("check", str(sample_path), "--dask", "tcp://127.0.0.1:8786", "--jobs", "2")
    assert_one_line_error(result, "工作进程数由集群决定")
