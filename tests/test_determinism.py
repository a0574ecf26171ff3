"""The same ledger and pack give the same bytes (issue item 4).

Byte-identical JSON, CSV and Markdown:
- across runs (separate processes, with different hash seeds, so that set and dict order cannot leak);
- across ``--jobs`` values, on a ledger large enough that the worker processes really run
  (more than two chunks of ``engine.engine.CHUNK_SIZE`` items, ``--jobs 2`` given explicitly);
- across the order of the items, of the units and of the files (shuffled, split across two files);
- through the library (``Engine.evaluate(..., jobs=2)``) as through the command line;
- across the machine's time zone when no reference date is given (today is the date in China).
"""

from __future__ import annotations

import copy
import json
import os
import random
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from cli import main
from conftest import SAMPLE, duban_executable
from engine import Engine, load_ledger
from engine.engine import CHUNK_SIZE
from engine.output import render

FORMATS = ("json", "csv", "markdown")
SUFFIX = {"json": "json", "csv": "csv", "markdown": "md", "table": "txt"}


def sample_data() -> dict[str, Any]:
    """The sample ledger as JSON-ready data (dates as text)."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, ensure_ascii=False, default=lambda v: v.isoformat()))


def big_data(copies: int) -> dict[str, Any]:
    """The sample's items repeated ``copies`` times under new ids (P-001-000, P-001-001 …)."""
    data = sample_data()
    items = []
    for n in range(copies):
        for item in data["items"]:
            clone = copy.deepcopy(item)
            clone["id"] = f"{item['id']}-{n:03d}"
            items.append(clone)
    data["items"] = items
    return data


def split_shuffled(data: dict[str, Any], seed: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The items and units shuffled, then split: the first file has the header and units, the second only items."""
    rng = random.Random(seed)
    items = list(data["items"])
    units = list(data.get("units", []))
    rng.shuffle(items)
    rng.shuffle(units)
    cut = rng.randrange(len(items) // 4, 3 * len(items) // 4)
    first = {"ledger": data["ledger"], "units": units, "items": items[:cut]}
    second = {"items": items[cut:]}
    return first, second


def write_json(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def run(args: list[str], cwd: Path, seed: str) -> bytes:
    """The real process with a given PYTHONHASHSEED; returns stdout, asserting exit 0 and no traceback."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONHASHSEED": seed}
    proc = subprocess.run(duban_executable() + args, cwd=cwd, env=env, capture_output=True, timeout=300)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, f"duban {' '.join(args)}: exit {proc.returncode}\n{err}"
    assert "Traceback" not in err
    return proc.stdout


def parallel(calls: list[tuple[list[str], Path, str]]) -> list[bytes]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda call: run(*call), calls))


def first_difference(a: bytes, b: bytes) -> str:
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"lengths {len(a)} and {len(b)}; first difference at byte {at}: {a[max(0, at - 80):at + 80]!r} vs {b[max(0, at - 80):at + 80]!r}"


def assert_same(a: bytes, b: bytes, what: str) -> None:
    assert a == b, f"{what}: {first_difference(a, b)}"


# --- across runs -------------------------------------------------------------------------------------------


def test_every_format_is_byte_identical_across_runs(tmp_path: Path) -> None:
    """Two processes per format, with different hash seeds; one prints to stdout, the other writes --output."""
    ledger = tmp_path / "台账.yaml"
    ledger.write_bytes(SAMPLE.read_bytes())
    calls = []
    commands = [("check", fmt) for fmt in FORMATS] + [("rank", "json")]
    for command, fmt in commands:
        args = [command, ledger.name, "--format", fmt]
        calls.append((args, tmp_path, "0"))
        calls.append((args + ["--output", f"{command}.{SUFFIX[fmt]}"], tmp_path, "4242"))
    outputs = parallel(calls)
    for index, (command, fmt) in enumerate(commands):
        printed, written = outputs[2 * index], outputs[2 * index + 1]
        assert written == b"", "nothing on stdout with --output"
        assert printed.strip(), f"{command} --format {fmt} printed nothing"
        assert_same(printed, (tmp_path / f"{command}.{SUFFIX[fmt]}").read_bytes(), f"{command} --format {fmt}")
    assert (tmp_path / "check.csv").read_bytes().startswith("\ufeff".encode("utf-8"))
    json.loads((tmp_path / "check.json").read_text(encoding="utf-8"))


def test_sample_report_is_identical_in_process_and_as_a_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = tmp_path / "sample.yaml"
    ledger.write_bytes(SAMPLE.read_bytes())
    outside = run(["check", "sample.yaml", "--format", "json"], tmp_path, "random")
    monkeypatch.chdir(tmp_path)
    inside = CliRunner().invoke(main, ["check", "sample.yaml", "--format", "json"], catch_exceptions=False)
    assert inside.exit_code == 0
    assert_same(inside.stdout_bytes, outside, "in-process and process")


# --- across the order of items, units and files (the sample, in-process: cheap enough to try many orders) ----


@pytest.fixture(scope="module")
def sample_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], bytes]:
    folder = tmp_path_factory.mktemp("sample-orig")
    write_json(folder / "sample.json", sample_data())
    outputs = {}
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        for command, fmt in [("check", fmt) for fmt in FORMATS] + [("rank", "json"), ("rank", "markdown")]:
            result = runner.invoke(main, [command, "sample.json", "--format", fmt], catch_exceptions=False)
            assert result.exit_code == 0, result.stderr
            outputs[(command, fmt)] = result.stdout_bytes
    finally:
        os.chdir(cwd)
    return outputs


def test_the_json_sample_equals_the_yaml_sample(sample_outputs: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(SAMPLE.parent)
    result = CliRunner().invoke(main, ["check", SAMPLE.name, "--format", "json"], catch_exceptions=False)
    assert_same(result.stdout_bytes, sample_outputs[("check", "json")], "YAML and JSON forms of the sample")


@pytest.mark.parametrize("seed", [1, 20261128])
def test_shuffled_and_split_sample_gives_the_same_bytes(seed: int, sample_outputs: dict, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = split_shuffled(sample_data(), seed)
    write_json(tmp_path / "a.json", first)
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(second, allow_unicode=True), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for files in (["a.json", "b.yaml"], ["b.yaml", "a.json"]):
        for (command, fmt), expected in sample_outputs.items():
            result = runner.invoke(main, [command, *files, "--format", fmt], catch_exceptions=False)
            assert result.exit_code == 0, result.stderr
            assert_same(result.stdout_bytes, expected, f"seed {seed}, files {files}, {command} --format {fmt}")


def test_reversed_items_give_the_same_report(sample_outputs: dict, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    data = sample_data()
    data["items"].reverse()
    data["units"].reverse()
    write_json(tmp_path / "reversed.json", data)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "reversed.json", "--format", "json"], catch_exceptions=False)
    assert_same(result.stdout_bytes, sample_outputs[("check", "json")], "reversed items and units")


# --- across --jobs, on a ledger large enough for worker processes -----------------------------------------------


COPIES = 100  # 42 sample items × 100 = 4,200 items: three chunks, so --jobs 2 really uses two workers


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("big")
    data = big_data(COPIES)
    assert len(data["items"]) > 2 * CHUNK_SIZE
    write_json(folder / "big.json", data)
    first, second = split_shuffled(data, seed=7)
    write_json(folder / "part-1.json", first)
    write_json(folder / "part-2.json", second)
    # Three processes at once: jobs 1, jobs 2, and jobs 2 on the shuffled files in the other order.
    outputs = parallel([
        (["check", "big.json", "--jobs", "1", "--format", "json"], folder, "1"),
        (["check", "big.json", "--jobs", "2", "--format", "json"], folder, "2"),
        (["check", "part-2.json", "part-1.json", "--jobs", "2", "--format", "json"], folder, "3"),
    ])
    return {"folder": folder, "data": data, "jobs1": outputs[0], "jobs2": outputs[1], "shuffled_jobs2": outputs[2]}


def test_jobs_1_and_jobs_2_give_identical_json(big: dict) -> None:
    report = json.loads(big["jobs1"])
    assert report["summary"]["items"] == COPIES * len(sample_data()["items"])
    assert len(report["findings"]) > 1000
    assert_same(big["jobs1"], big["jobs2"], "--jobs 1 and --jobs 2")


def test_shuffled_split_files_with_jobs_2_give_identical_json(big: dict) -> None:
    assert_same(big["jobs1"], big["shuffled_jobs2"], "original --jobs 1 and shuffled, split, --jobs 2")


def test_library_jobs_and_order_give_identical_bytes_in_every_format(big: dict) -> None:
    """Engine.evaluate(..., jobs=2) on the shuffled files equals jobs=1 on the original, in every format,
    and equals what the command line wrote."""
    engine = Engine.default()
    folder = big["folder"]
    serial = engine.evaluate(load_ledger(folder / "big.json"), jobs=1)
    shuffled = engine.evaluate(load_ledger([folder / "part-1.json", folder / "part-2.json"]), jobs=2)
    for fmt in FORMATS:
        assert_same(render(fmt, "check", shuffled).encode(), render(fmt, "check", serial).encode(), f"library check {fmt}")
        assert_same(render(fmt, "rank", shuffled).encode(), render(fmt, "rank", serial).encode(), f"library rank {fmt}")
    assert_same(serial.to_json().encode(), big["jobs1"], "library and command line")


def test_library_two_runs_of_one_engine_are_identical() -> None:
    """An engine reused (its matchers cached) gives the same report again, and a fresh engine does too."""
    ledger = load_ledger(SAMPLE)
    engine = Engine.default()
    first = engine.evaluate(ledger, as_of=date(2026, 11, 28)).to_json()
    again = engine.evaluate(ledger, as_of=date(2026, 11, 28)).to_json()
    fresh = Engine.default().evaluate(ledger, as_of=date(2026, 11, 28)).to_json()
    assert first == again == fresh


# --- issue 16: "today" does not depend on the machine's time zone ------------------------------------------


def test_today_is_the_date_in_china_whatever_the_time_zone(tmp_path: Path) -> None:
    """No as_of anywhere: today in Asia/Shanghai, with a note, the same bytes at UTC-12 and UTC+14.

    Those two zones are 26 hours apart, so they never share a calendar date: the old reading of the
    process's own time zone always gave two different reports.
    """
    from datetime import datetime
    from zoneinfo import ZoneInfo

    ledger = {"items": [{"id": "P-1", "kind": "project", "title": "测试项目", "start": "2020-01-01",
                         "due": "2040-12-31", "progress": 1}]}
    write_json(tmp_path / "ledger.json", ledger)

    def run_in(zone: str) -> tuple[bytes, str]:
        env = {**os.environ, "PYTHONIOENCODING": "utf-8", "TZ": zone}
        proc = subprocess.run(duban_executable() + ["check", "ledger.json", "--format", "json"], cwd=tmp_path,
                              env=env, capture_output=True, timeout=120)
        assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
        return proc.stdout, proc.stderr.decode("utf-8")

    for _ in range(2):  # once more should China's midnight fall between the runs
        before = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
        (west, west_err), (east, east_err) = run_in("Etc/GMT+12"), run_in("Etc/GMT-14")
        if datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat() == before:
            break
    assert_same(west, east, "TZ=Etc/GMT+12 and TZ=Etc/GMT-14")
    assert json.loads(west)["as_of"] == before
    for err in (west_err, east_err):
        assert f"按北京时间取今天 {before}" in err, err
