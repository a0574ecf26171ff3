"""The supervision cycle at the command line: --history, --record, `duban history`, `duban diff` in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT
from reports import make_report

SAMPLE = str(ROOT / "facts" / "sample-county.yaml")
FORMATS = ["table", "json", "csv", "markdown"]

OLD = make_report(
    "2026-10-28",
    findings=[("P-1", "LAG-01", "yellow"), ("P-2", "SCH-01", "red"), ("P-3", "SCH-04", "blue")],
    lights={"P-1": "yellow", "P-2": "red", "P-3": "green"},
)


def newer(*findings: tuple) -> object:
    return make_report("2026-11-28", findings=findings,
                       lights={"P-1": "yellow", "P-2": "red", "P-3": "green", "P-4": "green"})


@pytest.fixture
def reports(tmp_path: Path) -> tuple[str, str]:
    """OLD and a NEW with one of each change: raised, lowered, cleared, new."""
    new = newer(("P-1", "LAG-01", "red"), ("P-2", "SCH-01", "yellow"), ("P-4", "OWN-01", "yellow"))
    (tmp_path / "a.json").write_text(OLD.to_json(), encoding="utf-8")
    (tmp_path / "b.json").write_text(new.to_json(), encoding="utf-8")
    return str(tmp_path / "a.json"), str(tmp_path / "b.json")


@pytest.fixture
def recorded(tmp_path: Path, run_cli) -> str:
    """A history with the sample ledger recorded at three monthly reference dates."""
    path = str(tmp_path / "h.db")
    for as_of in ("2026-09-28", "2026-10-28", "2026-11-28"):
        run_cli("check", SAMPLE, "--as-of", as_of, "--history", path, "--record")
    return path


# --- --history and --record ---------------------------------------------------------------------------


def test_record_needs_history(run_cli) -> None:
    result = run_cli("check", SAMPLE, "--record", code=2)
    assert result.stderr.splitlines() == ["错误: --record: 需要同时给出 --history FILE(记录到哪个历史库)"]
    assert result.stdout == ""


def test_history_is_an_option_of_every_command_that_evaluates(run_cli, tmp_path: Path) -> None:
    for command in (["check"], ["rank"], ["explain", "P-001"]):
        assert "--history" in run_cli(*command, "--help").stdout
    assert "--record" in run_cli("check", "--help").stdout
    assert "--record" not in run_cli("rank", "--help").stdout
    run_cli("rank", "--record", SAMPLE, code=2)  # no such option on rank


def test_reading_a_history_that_does_not_exist_creates_nothing(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    run_cli("check", SAMPLE, "--history", str(path))
    run_cli("explain", "P-001", SAMPLE, "--history", str(path))
    assert not path.exists()
    result = run_cli("check", SAMPLE, "--history", str(tmp_path / "no" / "h.db"), code=2)
    assert result.stderr.splitlines() == [f"错误: {tmp_path / 'no' / 'h.db'}: 所在目录不存在"]


def test_record_prints_the_report_and_notes_a_replaced_period(run_cli, tmp_path: Path) -> None:
    path = str(tmp_path / "h.db")
    first = run_cli("check", SAMPLE, "--history", path, "--record", "--format", "json")
    assert "已替换" not in first.stderr
    second = run_cli("check", SAMPLE, "--history", path, "--record", "--format", "json")
    assert "提示: 基准日 2026-11-28 的记录已存在,已替换" in second.stderr.splitlines()
    assert first.stdout == second.stdout
    listed = json.loads(run_cli("history", path, "--format", "json").stdout)
    report = json.loads(first.stdout)
    assert listed == {"periods": [{
        "as_of": "2026-11-28", "rules_source": "builtin", "rules_sha256": report["rules"]["sha256"],
        "items": report["summary"]["items"], "lights": report["summary"]["lights"],
        "findings": report["summary"]["findings"],
    }]}


# --- duban history -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_history_in_every_format(fmt: str, recorded: str, run_cli) -> None:
    out = run_cli("history", recorded, "--format", fmt).stdout
    sha = json.loads(run_cli("check", SAMPLE, "--format", "json").stdout)["rules"]["sha256"]
    if fmt == "json":
        periods = json.loads(out)["periods"]
        assert [p["as_of"] for p in periods] == ["2026-09-28", "2026-10-28", "2026-11-28"]
        assert all(p["rules_sha256"] == sha and p["items"] == 42 for p in periods)
        assert all(set(p["lights"]) == {"red", "yellow", "green"} and sum(p["lights"].values()) == 42 for p in periods)
        return
    if fmt == "csv":
        assert out.startswith("\ufeff基准日,规则来源,规则sha256,事项,红灯,黄灯,绿灯,")
        rows = out.splitlines()[1:]
        assert [row.split(",")[0] for row in rows] == ["2026-09-28", "2026-10-28", "2026-11-28"]
        assert all(f",builtin,{sha},42," in row for row in rows)
        return
    assert sha[:12] in out and sha not in out  # short in a table
    assert "基准日" in out and "红灯" in out and "共 3 期记录(基准日 2026-09-28 至 2026-11-28)" in out
    rows = [line.strip("| ") for line in out.splitlines() if line.strip("| ").startswith("2026-")]
    assert [row[:10] for row in rows] == ["2026-09-28", "2026-10-28", "2026-11-28"]
    if fmt == "markdown":
        assert out.startswith("# 历史记录\n") and "| 基准日" in out


def test_history_of_a_file_that_does_not_exist(run_cli, tmp_path: Path) -> None:
    result = run_cli("history", str(tmp_path / "none.db"), code=2)
    assert result.stderr.splitlines() == [f"错误: {tmp_path / 'none.db'}: 文件不存在"]
    assert not (tmp_path / "none.db").exists()


def test_history_output_file(run_cli, recorded: str, tmp_path: Path) -> None:
    run_cli("history", recorded, "--format", "csv", "--output", str(tmp_path / "h.csv"))
    assert (tmp_path / "h.csv").read_text(encoding="utf-8").startswith("\ufeff基准日")


# --- duban diff ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_diff_of_two_reports_in_every_format(fmt: str, reports, run_cli) -> None:
    out = run_cli("diff", *reports, "--format", fmt).stdout
    summary = "基准日 2026-10-28 → 2026-11-28: 新增 1 条,已销号 1 条,升级 1 条,降级 1 条,持续 0 条;灯色变化 0 个事项"
    if fmt == "json":
        data = json.loads(out)
        assert list(data) == ["from", "to", "summary", "notes", "new", "cleared", "raised", "lowered", "unchanged",
                              "lights"]
        assert data["summary"] == {"new": 1, "cleared": 1, "raised": 1, "lowered": 1, "unchanged": 0, "lights": 0}
        assert data["notes"] == ["新的一期多出 1 个事项: P-4"]
        return
    if fmt == "csv":
        lines = out.splitlines()
        assert lines[0] == "\ufeff变化,对象,对象类型,名称,规则,规则名称,类别,原等级(灯),现等级(灯),原得分,现得分,预警内容"
        assert [line.split(",")[:2] for line in lines[1:]] == [
            ["新增", "P-4"], ["已销号", "P-3"], ["升级", "P-1"], ["降级", "P-2"]]
        assert lines[3].split(",")[7:11] == ["黄", "红", "12", "30"]
        return
    assert summary in out
    for word, subject, severity in (("新增", "P-4", "黄"), ("已销号", "P-3", "蓝"), ("升级", "P-1", "黄→红"),
                                    ("降级", "P-2", "红→黄")):
        row = next(line for line in out.splitlines() if f" {subject} " in f" {line} " and word in line)
        assert severity in row
    assert out.index("新增") < out.index("已销号") < out.index("升级") < out.index("降级")
    if fmt == "markdown":
        assert out.startswith("# 两期对比\n") and "## 预警变化" in out and "## 灯色变化" in out


@pytest.mark.parametrize("fmt", FORMATS)
def test_diff_of_recorded_periods_equals_the_diff_of_their_reports(fmt: str, recorded: str, run_cli,
                                                                   tmp_path: Path) -> None:
    # The reports as recorded: each read the periods before its own date.
    for as_of, name in (("2026-10-28", "a.json"), ("2026-11-28", "b.json")):
        run_cli("check", SAMPLE, "--as-of", as_of, "--history", recorded, "--format", "json",
                "--output", str(tmp_path / name))
    from_files = run_cli("diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--format", fmt)
    from_history = run_cli("diff", "--history", recorded, "--format", fmt)  # the latest two
    assert from_history.stdout == from_files.stdout
    assert run_cli("diff", "--history", recorded, "--from", "2026-10-28", "--format", fmt).stdout == from_files.stdout
    assert run_cli("diff", "--history", recorded, "--to", "2026-11-28", "--format", fmt).stdout == from_files.stdout


def test_the_sample_ledger_a_month_apart(run_cli, tmp_path: Path) -> None:
    paths = []
    for as_of in ("2026-10-28", "2026-11-28"):
        paths.append(str(tmp_path / f"{as_of}.json"))
        run_cli("check", SAMPLE, "--as-of", as_of, "--format", "json", "--output", paths[-1])
    old, new = (json.loads(Path(p).read_text(encoding="utf-8")) for p in paths)
    diff = json.loads(run_cli("diff", *paths, "--format", "json").stdout)
    s = diff["summary"]
    # Every finding of NEW is new, raised, lowered or unchanged; every finding of OLD cleared, raised, lowered or unchanged.
    assert s["new"] + s["raised"] + s["lowered"] + s["unchanged"] == len(new["findings"])
    assert s["cleared"] + s["raised"] + s["lowered"] + s["unchanged"] == len(old["findings"])
    assert all(s[kind] == len(diff[kind]) for kind in s)
    old_lights = {i["id"]: i["light"] for i in old["items"]}
    assert {(c["id"], c["old_light"], c["new_light"]) for c in diff["lights"]} == {
        (i["id"], old_lights[i["id"]], i["light"]) for i in new["items"] if old_lights[i["id"]] != i["light"]}
    assert diff["notes"] == []
    assert run_cli("diff", *paths, "--format", "json").stdout == json.dumps(diff, ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize("findings,fail_on,code", [
    ([("P-1", "LAG-01", "red"), ("P-2", "SCH-01", "red"), ("P-3", "SCH-04", "blue")], "red", 1),      # raised to red
    ([("P-1", "LAG-01", "yellow"), ("P-2", "SCH-01", "red"), ("P-3", "SCH-04", "blue")], "blue", 0),  # all unchanged
    ([("P-1", "LAG-01", "yellow")], "blue", 0),                                                       # only cleared
    ([("P-1", "LAG-01", "blue"), ("P-2", "SCH-01", "blue")], "blue", 0),                              # only lowered
    ([("P-1", "LAG-01", "yellow"), ("P-2", "SCH-01", "red"), ("P-4", "OWN-01", "red")], "red", 1),    # new red
    ([("P-1", "LAG-01", "yellow"), ("P-2", "SCH-01", "red"), ("P-4", "OWN-01", "blue")], "yellow", 0),
    ([("P-1", "LAG-01", "yellow"), ("P-2", "SCH-01", "red"), ("P-4", "OWN-01", "blue")], "blue", 1),
    ([("P-1", "LAG-01", "red"), ("P-4", "OWN-01", "red")], "never", 0),
])
def test_diff_fail_on_looks_at_new_and_raised_findings(findings, fail_on: str, code: int, run_cli,
                                                       tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(OLD.to_json(), encoding="utf-8")
    (tmp_path / "b.json").write_text(newer(*findings).to_json(), encoding="utf-8")
    result = run_cli("diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--fail-on", fail_on, code=code)
    assert "基准日 2026-10-28 → 2026-11-28" in result.stdout


def test_diff_as_a_real_process(run_duban, reports) -> None:
    proc = run_duban("diff", *reports, "--fail-on", "red", code=1)
    assert "升级" in proc.stdout and proc.stderr == "提示: 新的一期多出 1 个事项: P-4\n"


@pytest.mark.parametrize("args,line", [
    (["a.json"], "错误: diff: a.json: 应给出两个 JSON 报告 OLD.json NEW.json,或 --history FILE"),
    ([], "错误: diff: 应给出两个 JSON 报告 OLD.json NEW.json,或 --history FILE"),
    (["a.json", "b.json", "--from", "2026-10-28"], "错误: --from: 只用于 --history(对比历史库中的两期)"),
    (["a.json", "b.json", "--history", "h.db"], "错误: diff: a.json b.json: 给出 --history 时不再读取报告文件"),
    (["--history", "h.db", "--from", "2026-13-01"], "错误: --from: 不存在的日期 2026-13-01"),
    (["--history", "h.db", "--to", "2026-10-01"],
     "错误: h.db: --to 2026-10-01: 历史库中没有这一期的记录(已记录: 2026-09-28, 2026-10-28, 2026-11-28)"),
    (["--history", "h.db", "--from", "2026-11-28"], "错误: h.db: --from 2026-11-28: 这是最近的一期,其后没有可对比的一期"),
    (["--history", "none.db"], "错误: none.db: 文件不存在"),
    (["a.json", "missing.json"], "错误: missing.json: 文件不存在"),
])
def test_diff_usage_errors_are_exit_2_with_one_line(args: list[str], line: str, run_cli, reports, recorded: str,
                                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("diff", *args, code=2)
    assert result.stderr.splitlines() == [line]
    assert result.stdout == ""


def test_diff_of_a_history_with_one_period(run_cli, tmp_path: Path) -> None:
    path = str(tmp_path / "h.db")
    run_cli("check", SAMPLE, "--history", path, "--record")
    result = run_cli("diff", "--history", path, code=2)
    assert result.stderr.splitlines() == [f"错误: {path}: 历史库中只有 1 期记录,至少需要两期才能对比"]


def test_diff_of_reports_made_with_different_rules(run_cli, tmp_path: Path) -> None:
    a, b = str(tmp_path / "a.json"), str(tmp_path / "b.json")
    run_cli("check", SAMPLE, "--format", "json", "--output", a)
    run_cli("check", SAMPLE, "--set", "lag_red_points=25", "--format", "json", "--output", b)
    result = run_cli("diff", a, b, "--format", "json")
    data = json.loads(result.stdout)
    assert data["notes"][0].startswith("两期使用的规则不同(规则 sha256 ")
    assert f"提示: {data['notes'][0]}" in result.stderr.splitlines()
    assert data["summary"]["new"] == data["summary"]["cleared"] == 0  # the same findings, other points


def test_record_records_the_whole_evaluation_whatever_the_display_filters(run_cli, tmp_path: Path) -> None:
    path = str(tmp_path / "h.db")
    whole = json.loads(run_cli("check", SAMPLE, "--format", "json").stdout)
    shown = json.loads(run_cli("check", SAMPLE, "--history", path, "--record", "--unit", "县住建局", "--top", "2",
                               "--min-severity", "red", "--format", "json").stdout)
    assert len(shown["items"]) <= 2 < whole["summary"]["items"]
    [period] = json.loads(run_cli("history", path, "--format", "json").stdout)["periods"]
    assert (period["items"], period["lights"], period["findings"]) == (
        whole["summary"]["items"], whole["summary"]["lights"], whole["summary"]["findings"])
