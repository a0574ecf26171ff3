"""The history store (SPEC "The supervision cycle: history"): one transaction per period, refused files, real processes.

Real processes record at once, a writer is killed inside its transaction, a
reader without write permission tries to record: the history is never half
written and never misread.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest
from click.testing import CliRunner

import engine.history.sqlite as sqlite_store
from cli import main
from conftest import ROOT, duban_executable
from engine import HistoryError
from engine.history import SCHEMA_VERSION, HistoryStore, SQLiteHistory, open_history, period_of
from reports import make_report

TESTS = Path(__file__).resolve().parent
SAMPLE = ROOT / "facts" / "sample-county.yaml"

# A child that records periods with the library: PATH MONTH FIRST-DAY COUNT RULE FINDINGS
WRITER = """
import sys
from reports import make_report
from engine.history import open_history
path, month, first, count, rule, size = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:5]), sys.argv[5], int(sys.argv[6])
with open_history(path) as store:
    for day in range(first, first + count):
        ids = [f"P-{n:05d}" for n in range(size)]
        store.record(make_report(f"{month}-{day:02d}", findings=[(i, rule, "red") for i in ids],
                                 lights={i: "red" for i in ids}))
"""


def child_env(**extra: str) -> dict[str, str]:
    path = os.pathsep.join([str(TESTS), str(ROOT), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path, "PYTHONIOENCODING": "utf-8", **extra}


def writer(path: Path, month: str, first: int, count: int, rule: str, size: int, **env: str) -> subprocess.Popen:
    """A real process recording ``count`` periods from ``month-first``, each of ``size`` findings of ``rule``."""
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), month, str(first), str(count), rule, str(size)],
                            env=child_env(**env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition, what: str, limit: float = 120.0) -> None:
    """Poll until ``condition()`` holds; the limit only keeps a broken run from hanging."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


def refused(path: Path, *words: str, record: bool = False) -> str:
    """Open (and, with ``record``, record into) ``path``: one located line naming the file, or the test fails."""
    with pytest.raises(HistoryError) as caught:
        with open_history(path) as store:
            if record:
                store.record(make_report("2026-11-28"))
            store.periods()
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}: "), message
    assert all(word in message for word in words), message
    return message


# --- recording and reading back ---------------------------------------------------------------------


def test_a_period_reads_back_as_it_was_recorded(tmp_path: Path, python_engine) -> None:
    from engine import load_ledger

    report = python_engine.evaluate(load_ledger(SAMPLE))
    with open_history(tmp_path / "h.db") as store:
        assert store.record(report) is None
        back = store.period(report.as_of)
    expected = period_of(report)
    assert back is not None
    assert back.rules_sha256 == report.rules.sha256 and back.rules_source == "builtin"
    assert sorted(back.findings, key=lambda f: f.key) == sorted(expected.findings, key=lambda f: f.key)
    assert back.items == expected.items  # in rank order
    assert len(back.findings) == len(report.findings) and len(back.items) == len(report.items)


def test_the_listing_counts_items_by_light_and_findings_by_severity(tmp_path: Path) -> None:
    report = make_report("2026-10-28", findings=[("P-1", "LAG-01", "red"), ("P-2", "SCH-01", "blue")],
                         lights={"P-1": "red", "P-2": "green", "P-3": "yellow"})
    with open_history(tmp_path / "h.db") as store:
        store.record(report)
        [info] = store.periods()
    assert (info.as_of, info.items) == ("2026-10-28", 3)
    assert info.lights == {"red": 1, "yellow": 1, "green": 1}
    assert info.findings == {"red": 1, "yellow": 0, "blue": 1}


def test_recording_a_period_again_replaces_it_with_a_note(tmp_path: Path) -> None:
    with open_history(tmp_path / "h.db") as store:
        store.record(make_report("2026-10-28", findings=[("P-1", "LAG-01", "red")], lights={"P-1": "red"}))
        store.record(make_report("2026-11-28", findings=[("P-1", "LAG-01", "red")], lights={"P-1": "red"}))
        note = store.record(make_report("2026-11-28", findings=[("P-2", "SCH-01", "yellow")],
                                        lights={"P-2": "yellow"}))
        assert note == "基准日 2026-11-28 的记录已存在,已替换"
        assert [p.as_of for p in store.periods()] == ["2026-10-28", "2026-11-28"]
        assert [f.key for f in store.findings("2026-11-28")] == [("P-2", "SCH-01")]
        assert [i.id for i in store.items("2026-11-28")] == ["P-2"]
        assert [f.key for f in store.findings("2026-10-28")] == [("P-1", "LAG-01")]


def test_waived_findings_are_not_recorded(tmp_path: Path) -> None:
    report = make_report("2026-11-28", findings=[("P-1", "LAG-01", "red")], waived=[("P-1", "SCH-02", "red")],
                         lights={"P-1": "red"})
    with open_history(tmp_path / "h.db") as store:
        store.record(report)
        assert [f.key for f in store.findings("2026-11-28")] == [("P-1", "LAG-01")]
        assert store.periods()[0].findings["red"] == 1


def test_a_missing_file_reads_as_an_empty_history_and_the_first_record_creates_it(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with open_history(path) as store:
        assert store.periods() == [] and store.findings("2026-11-28") == [] and store.period("2026-11-28") is None
    assert not path.exists()  # reading creates nothing
    with open_history(path) as store:
        store.record(make_report("2026-11-28"))
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT application, version FROM duban_schema").fetchall() == [("duban", SCHEMA_VERSION)]


def test_an_empty_file_is_an_empty_history(tmp_path: Path) -> None:
    path = tmp_path / "touched.db"
    path.write_bytes(b"")
    with open_history(path) as store:
        assert store.periods() == []
        store.record(make_report("2026-11-28"))
        assert [p.as_of for p in store.periods()] == ["2026-11-28"]


def test_a_store_passed_in_is_used_as_it_is(tmp_path: Path) -> None:
    store = SQLiteHistory(tmp_path / "h.db")
    assert open_history(store) is store
    assert isinstance(store, HistoryStore)
    store.close()


@pytest.mark.parametrize("where,cause", [("missing", "文件不存在"), ("folder", "所在目录不存在"), ("dir", "是目录")])
def test_a_path_that_cannot_be_a_history(where: str, cause: str, tmp_path: Path) -> None:
    path = {"missing": tmp_path / "none.db", "folder": tmp_path / "no" / "h.db", "dir": tmp_path}[where]
    with pytest.raises(HistoryError) as caught:
        open_history(path, must_exist=where == "missing")
    assert str(caught.value) == f"{path}: {cause}" or str(caught.value).startswith(f"{path}: {cause}")


# --- files that are refused, never misread --------------------------------------------------------------


def test_a_corrupt_file_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"\x00\x17garbage" * 500)
    refused(path, "不是 duban 历史库")
    refused(path, "不是 duban 历史库", record=True)
    assert path.read_bytes() == b"\x00\x17garbage" * 500


def test_a_text_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    shutil.copy(SAMPLE, path)
    refused(path, "不是 duban 历史库")


def test_a_truncated_history_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with open_history(path) as store:
        for month in range(1, 13):
            ids = [f"P-{n:04d}" for n in range(300)]
            store.record(make_report(f"2026-{month:02d}-28", findings=[(i, "LAG-01", "red") for i in ids],
                                     lights={i: "red" for i in ids}))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(HistoryError) as caught:
        with open_history(path) as store:
            for period in store.periods():
                store.findings(period.as_of)
    assert "\n" not in str(caught.value) and str(caught.value).startswith(f"{path}: "), caught.value
    assert "损坏" in str(caught.value)


def test_an_sqlite_file_that_is_not_a_duban_history_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE periods (as_of TEXT)")
        db.execute("INSERT INTO periods VALUES ('2026-11-28')")
    before = path.read_bytes()
    assert refused(path) == f"{path}: 不是 duban 历史库(SQLite 数据库中没有 duban_schema 表)"
    refused(path, "duban_schema", record=True)
    assert path.read_bytes() == before


def test_a_history_of_another_schema_version_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with open_history(path) as store:
        store.record(make_report("2026-10-28"))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE duban_schema SET version = 2")
    before = path.read_bytes()
    message = refused(path, "另一版本", "历史库版本 2", "本版本读写版本 1")
    assert message.startswith(f"{path}: duban_schema: ")
    refused(path, "另一版本", record=True)
    assert path.read_bytes() == before


def test_a_history_whose_tables_were_changed_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with open_history(path) as store:
        store.record(make_report("2026-10-28"))
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE findings RENAME COLUMN severity TO level")
    refused(path, "findings", "结构")


def test_a_row_that_duban_did_not_write_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with open_history(path) as store:
        store.record(make_report("2026-10-28", findings=[("P-1", "LAG-01", "red")], lights={"P-1": "red"}))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE findings SET severity = 'purple'")
    with pytest.raises(HistoryError) as caught:
        with open_history(path) as store:
            store.findings("2026-10-28")
    assert str(caught.value).startswith(f"{path}: findings 2026-10-28: 文件已损坏: severity")
    assert "purple" in str(caught.value)


@pytest.mark.parametrize("change,place", [
    ("UPDATE items SET light = 'purple'", "items 2026-10-28"),
    ("UPDATE items SET score = 'high'", "items 2026-10-28"),
    ("UPDATE findings SET rule = x'07'", "findings 2026-10-28"),
])
def test_a_row_the_view_reads_is_checked_too(change: str, place: str, tmp_path: Path) -> None:
    from engine.history import HistoryView

    path = tmp_path / "h.db"
    with open_history(path) as store:
        store.record(make_report("2026-10-28", findings=[("P-1", "LAG-01", "red")], lights={"P-1": "red"}))
    with sqlite3.connect(path) as db:
        db.execute(change)
    with pytest.raises(HistoryError) as caught:
        with open_history(path) as store:
            HistoryView.build(store, "2026-11-28")
    assert str(caught.value).startswith(f"{path}: {place}: 文件已损坏"), caught.value


def test_the_command_line_refuses_a_corrupt_history_before_evaluating(tmp_path: Path, run_duban) -> None:
    path = tmp_path / "bad.db"
    path.write_bytes(b"not a database at all" * 100)
    for args in (["check", str(SAMPLE), "--history", str(path)],
                 ["check", str(SAMPLE), "--history", str(path), "--record"],
                 ["rank", str(SAMPLE), "--history", str(path)],
                 ["explain", "P-001", str(SAMPLE), "--history", str(path)],
                 ["history", str(path)],
                 ["diff", "--history", str(path)]):
        proc = run_duban(*args, code=2)
        assert proc.stderr.splitlines() == [f"错误: {path}: 不是 duban 历史库(不是 SQLite 数据库,或文件已损坏)"], args
        assert proc.stdout == ""


# --- permissions: a file this user cannot write ------------------------------------------------------------


@pytest.fixture
def read_only_history() -> Iterator[Path]:
    """A history with one period, in a file and folder that only their owner could change.

    The folder is made where anyone may look (the test's own tmp_path may not be).
    """
    folder = Path(tempfile.mkdtemp(prefix="duban-ro-"))
    folder.chmod(0o755)
    path = folder / "ro.db"
    with open_history(path) as store:
        store.record(make_report("2026-10-28", findings=[("P-1", "LAG-01", "red")], lights={"P-1": "red"}))
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        yield path
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def in_a_process_that_cannot_write(work: Callable[[], str]) -> str:
    """Run ``work`` in a forked process without write permission on the history; return what it says.

    Root may write any file, so under root the child first becomes the
    unprivileged user 65534 (nobody). The child is forked, not started
    afresh: the interpreter it would start may sit where nobody cannot read.
    """
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        try:
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            said = work()
        except BaseException as exc:  # everything goes back to the test
            said = f"child failed: {exc!r}"
        os.write(write, said.encode("utf-8"))
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        said = pipe.read().decode("utf-8")
    os.waitpid(pid, 0)
    return said


def test_recording_into_a_read_only_file_is_refused_and_leaves_it_as_it_was(read_only_history: Path) -> None:
    path = read_only_history
    before = path.read_bytes()

    def record() -> str:
        try:
            with open_history(path) as store:
                periods = [p.as_of for p in store.periods()]  # reading is fine
                store.record(make_report("2026-11-28"))
        except HistoryError as exc:
            return f"{periods} {exc}"
        return "recorded"

    assert in_a_process_that_cannot_write(record) == f"['2026-10-28'] {path}: 文件只读,无法记录"
    assert path.read_bytes() == before


def test_check_record_into_a_read_only_file_is_exit_2_with_one_line(read_only_history: Path) -> None:
    path = read_only_history
    before = path.read_bytes()
    args = ["check", str(SAMPLE), "--history", str(path), "--record", "--format", "json"]
    CliRunner().invoke(main, args[:3] + ["--format", "json"])  # loads every module the child will need

    def check() -> str:
        result = CliRunner().invoke(main, args)
        return f"{result.exit_code}|{result.stdout}|{result.stderr}"

    code, stdout, stderr = in_a_process_that_cannot_write(check).split("|")
    assert (code, stdout) == ("2", "")
    assert stderr.splitlines()[-1] == f"错误: {path}: 文件只读,无法记录"
    assert [line for line in stderr.splitlines() if line.startswith("错误")] == [stderr.splitlines()[-1]]
    assert path.read_bytes() == before


# --- real processes: two writers at once, a writer killed -----------------------------------------------------


def test_two_processes_recording_at_once_never_corrupt_the_history(tmp_path: Path) -> None:
    """Both record the same 20 periods, one with LAG-01 findings, the other with SCH-01."""
    path = tmp_path / "h.db"
    first = writer(path, "2026-03", 1, 20, "LAG-01", 200)
    second = writer(path, "2026-03", 1, 20, "SCH-01", 200)
    for proc in (first, second):
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
    assert integrity(path) == "ok"
    with open_history(path) as store:
        periods = store.periods()
        assert [p.as_of for p in periods] == [f"2026-03-{d:02d}" for d in range(1, 21)]
        for period in periods:
            findings = store.findings(period.as_of)
            # Each period is one writer's whole record, never a mixture or a double.
            assert len(findings) == 200 == period.findings["red"] == period.items
            assert len({f.rule for f in findings}) == 1


def test_a_second_writer_waits_for_the_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first writer stops inside its transaction; the history is locked, readers see the old state."""
    path, pause = tmp_path / "h.db", tmp_path / "pause"
    pause.mkdir()
    with open_history(path) as store:
        store.record(make_report("2026-01-28"))
    first = subprocess.Popen(
        duban_executable() + ["check", str(SAMPLE), "--as-of", "2026-10-28", "--history", str(path), "--record"],
        env=child_env(**{sqlite_store.PAUSE_ENV: str(pause)}), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        wait_for(lambda: any(pause.glob("inside-*")) or first.poll() is not None, "the first writer")
        assert first.poll() is None, first.communicate()
        # Locked: a record that will not wait is refused, whole.
        monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT", 0.05)
        with pytest.raises(HistoryError, match="被其他进程占用"):
            with open_history(path) as store:
                store.record(make_report("2026-02-28"))
        monkeypatch.undo()
        # Readers are not blocked, and see nothing of the unfinished period.
        with open_history(path) as store:
            assert [p.as_of for p in store.periods()] == ["2026-01-28"]
        second = subprocess.Popen(
            duban_executable() + ["check", str(SAMPLE), "--as-of", "2026-11-28", "--history", str(path), "--record"],
            env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        (pause / "go").touch()
        for proc in (first, second):
            out, err = proc.communicate(timeout=600)
            assert proc.returncode == 0, err
    finally:
        for proc in (first,):
            if proc.poll() is None:
                proc.kill()
    assert integrity(path) == "ok"
    with open_history(path) as store:
        assert [p.as_of for p in store.periods()] == ["2026-01-28", "2026-10-28", "2026-11-28"]
        assert store.periods()[1].items == store.periods()[2].items == 42


def test_a_writer_killed_inside_its_transaction_leaves_the_history_as_it_was(tmp_path: Path) -> None:
    path, pause = tmp_path / "h.db", tmp_path / "pause"
    pause.mkdir()
    with open_history(path) as store:
        store.record(make_report("2026-10-28", findings=[("P-1", "LAG-01", "red")], lights={"P-1": "red"}))
        store.record(make_report("2026-11-28", findings=[("P-2", "SCH-01", "yellow")], lights={"P-2": "yellow"}))
        before = (store.periods(), store.period("2026-10-28"), store.period("2026-11-28"))
    # The child replaces 2026-11-28 with a period large enough to spill into the file, then is killed.
    child = writer(path, "2026-11", 28, 1, "LAG-02", 20_000, **{sqlite_store.PAUSE_ENV: str(pause)})
    try:
        wait_for(lambda: any(pause.glob("inside-*")) or child.poll() is not None, "the writer")
        assert child.poll() is None, child.communicate()
        assert Path(f"{path}-journal").exists()  # it has begun changing the file
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    with open_history(path) as store:
        assert (store.periods(), store.period("2026-10-28"), store.period("2026-11-28")) == before
        store.record(make_report("2026-12-28"))  # the lock died with the writer
        assert [p.as_of for p in store.periods()] == ["2026-10-28", "2026-11-28", "2026-12-28"]
    assert integrity(path) == "ok"
