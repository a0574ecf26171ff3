"""One regression test per reported problem (as rule-engine's tests/issues.py does), named after it.

Each test reproduces what the report describes, through the command line or the library as the
reporter used it, and fails if the problem comes back.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from cli import main
from conftest import SAMPLE, duban_executable
from engine import Engine, load_ledger, load_pack
from engine.errors import LedgerError, PackError, UsageError

GOOD = "ledger: {county: 测试县, as_of: 2026-11-28}\nitems:\n  - {id: P-1, kind: project, title: 测试项目, owner: 张三}\n"

RULE = {
    "id": "X-1", "title": "测试规则", "clause": "对于进展缓慢的项目,要深入分析原因", "applies_to": ["project"],
    "when": {"field": "progress_gap", "op": "gte", "value": 10}, "severity": "yellow",
    "message": "「{title}」落后{progress_gap}个百分点", "remedy": "责任单位须报送赶超计划",
}


def invoke(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch, code: int, **kwargs: Any) -> Any:
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(main, args, catch_exceptions=False, **kwargs)
    assert result.exit_code == code, f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result


def error_lines(result: Any) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("错误: ")]


def write_pack(folder: Path, name: str = "r.yaml", **data: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(data or {"rules": [RULE]}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --- issue 10, input side --------------------------------------------------------------------------------------


def test_bug_2_output_keeps_the_mode_of_an_existing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ledger.yaml").write_text(GOOD, encoding="utf-8")
    out = tmp_path / "report.json"
    out.write_text("{}", encoding="utf-8")
    out.chmod(0o640)
    invoke(["check", "ledger.yaml", "--format", "json", "--output", "report.json"], tmp_path, monkeypatch, 0)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["items"] == 1


def test_bug_2_a_new_output_gets_the_mode_the_umask_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ledger.yaml").write_text(GOOD, encoding="utf-8")
    previous = os.umask(0o027)
    try:
        invoke(["check", "ledger.yaml", "--output", "new.txt"], tmp_path, monkeypatch, 0)
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o640  # 0o666 less 0o027, not mkstemp's 0o600


def test_bug_2_output_writes_through_a_symlink_to_its_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ledger.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "reports").mkdir()
    target = tmp_path / "reports" / "latest.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    (tmp_path / "latest.json").symlink_to(Path("reports") / "latest.json")
    invoke(["check", "ledger.yaml", "--format", "json", "--output", "latest.json"], tmp_path, monkeypatch, 0)
    assert (tmp_path / "latest.json").is_symlink(), "the link was replaced by a file"
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["items"] == 1
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["latest.json"]  # no temporary file left
    # still atomic: a failed run leaves the target as it was
    (tmp_path / "bad.yaml").write_text(GOOD.replace("owner: 张三", "progress: 150"), encoding="utf-8")
    before = target.read_bytes()
    invoke(["check", "bad.yaml", "--format", "json", "--output", "latest.json"], tmp_path, monkeypatch, 2)
    assert target.read_bytes() == before and (tmp_path / "latest.json").is_symlink()


def test_bug_3_rule_files_named_yml_are_read_like_yaml(tmp_path: Path) -> None:
    write_pack(tmp_path / "pack", "a.yaml", rules=[RULE])
    write_pack(tmp_path / "pack", "b.yml", rules=[{**RULE, "id": "X-2"}])
    write_pack(tmp_path / "pack", "C.YML", rules=[{**RULE, "id": "X-3"}])
    assert [rule.id for rule in load_pack(tmp_path / "pack").rules] == ["X-1", "X-2", "X-3"]


def test_bug_3_a_pack_folder_without_rule_files_says_which_extensions_it_looked_for(tmp_path: Path) -> None:
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "rules.txt").write_text("规则", encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(tmp_path / "pack")
    (problem,) = caught.value.diagnostics
    assert "*.yaml" in problem.cause and "*.yml" in problem.cause


def test_rules_accepts_one_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Friction: `--rules my-rule.yaml` — a pack of that one file."""
    write_pack(tmp_path, "extra.yml", rules=[RULE])
    (tmp_path / "ledger.yaml").write_text(GOOD, encoding="utf-8")
    result = invoke(["check", "ledger.yaml", "--rules", "builtin", "--rules", "extra.yml", "--format", "json"],
                    tmp_path, monkeypatch, 0)
    report = json.loads(result.stdout)
    assert "X-1" in report["rules"]["selected"] and "OWN-01" in report["rules"]["selected"]
    assert report["rules"]["source"] == "builtin,extra.yml"


def test_bug_9_validation_errors_and_duplicate_ids_in_one_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.yaml").write_text(
        "items:\n"
        "  - {id: P-1, kind: project, title: 甲, due: 2026-02-30}\n"
        "  - {id: P-1, kind: task, title: 乙}\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("items:\n  - {id: P-1, kind: task, title: 丙}\n", encoding="utf-8")
    result = invoke(["check", "a.yaml", "b.yaml"], tmp_path, monkeypatch, 2)
    lines = error_lines(result)
    assert any(line.startswith("错误: a.yaml: items[0] (P-1).due: 不存在的日期") for line in lines), lines
    assert any(line.startswith("错误: a.yaml: items[1] (P-1).id: 编号重复") for line in lines), lines
    assert any(line.startswith("错误: b.yaml: items[0] (P-1).id: 编号重复") for line in lines), lines


def test_bug_9_builtin_twice_reports_duplicate_rule_ids_as_well_as_duplicate_params(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ledger.yaml").write_text(GOOD, encoding="utf-8")
    result = invoke(["check", "ledger.yaml", "--rules", "builtin", "--rules", "builtin"], tmp_path, monkeypatch, 2)
    lines = error_lines(result)
    assert any("参数重复定义" in line for line in lines), lines
    duplicated = {line.split("(")[1].split(")")[0] for line in lines if "规则编号重复" in line}
    assert duplicated == {rule.id for rule in load_pack("builtin").rules}


def test_bug_10_library_errors_speak_of_params_not_of_the_command_line() -> None:
    with pytest.raises(UsageError) as caught:
        Engine.default(params={"lag_red_pionts": 25})
    (problem,) = caught.value.diagnostics
    assert problem.file == "params" and problem.place == "lag_red_pionts"
    assert "--set" not in str(caught.value) and "duban rules" not in str(caught.value)
    assert "lag_red_points" in problem.cause  # the hint stays
    with pytest.raises(UsageError) as caught:
        Engine.default(params={"zzz": 1})
    assert "--set" not in str(caught.value) and "duban" not in str(caught.value)


def test_bug_10_the_command_line_speaks_of_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ledger.yaml").write_text(GOOD, encoding="utf-8")
    for value in ("lag_red_pionts=25", "lag_red_points=二十"):
        result = invoke(["check", "ledger.yaml", "--set", value], tmp_path, monkeypatch, 2)
        assert error_lines(result)[0].startswith(f"错误: --set: {value.split('=')[0]}: "), result.stderr


def test_yaml_ledger_errors_carry_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "ledger.yaml"
    path.write_text(
        "ledger: {county: 测试县}\n"
        "items:\n"
        "  - id: P-1\n"
        "    kind: project\n"
        "    title: 甲\n"
        "    progress: 150\n"
        "    milestones:\n"
        "      - {name: 开工, due: 2026-13-01}\n"
        "  - {id: P-2, kind: project}\n", encoding="utf-8")
    with pytest.raises(LedgerError) as caught:
        load_ledger(path)
    lines = {d.place: d.line for d in caught.value.diagnostics}
    assert lines == {"items[0] (P-1).progress": 6, "items[0] (P-1).milestones[0].due": 8,
                     "items[1] (P-2).title": 9}  # a missing field: the line of its item
    assert str(caught.value).splitlines()[0].endswith("(第 6 行)")


def test_json_ledger_errors_carry_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "ledger.json"
    path.write_text(json.dumps({"items": [{"id": "P-1", "kind": "project", "title": "甲"},
                                          {"id": "P-2", "kind": "projekt", "title": "乙", "progress": 150}]},
                               ensure_ascii=False, indent=2), encoding="utf-8")
    with pytest.raises(LedgerError) as caught:
        load_ledger(path)
    text = path.read_text(encoding="utf-8").splitlines()
    for problem in caught.value.diagnostics:
        key = problem.place.rsplit(".", 1)[-1]
        assert f'"{key}"' in text[problem.line - 1], (problem, text[problem.line - 1])


def test_pack_errors_carry_line_numbers(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "r.yaml").write_text(
        "rules:\n"
        "  - id: X-1\n"
        "    title: 测试规则\n"
        "    clause: 条款\n"
        "    applies_to: [project]\n"
        "    when:\n"
        "      all:\n"
        "        - {field: progress_gap, op: gte, value: 10}\n"
        "        - {field: progress_gap, op: greater, value: 20}\n"
        "    severity: orange\n"
        "    message: 消息\n"
        "    remedy: 整改\n", encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(folder)
    assert {d.place: d.line for d in caught.value.diagnostics} == {"rule X-1.severity": 10}
    (folder / "r.yaml").write_text((folder / "r.yaml").read_text(encoding="utf-8").replace("orange", "red"),
                                   encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(folder)
    assert {d.place: d.line for d in caught.value.diagnostics} == {"rule X-1.when.all[1].op": 9}


def test_did_you_mean_for_an_enum_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ledger.yaml").write_text(
        "items:\n  - {id: P-1, kind: projet, title: 甲, level: provincal}\n", encoding="utf-8")
    result = invoke(["validate", "ledger.yaml"], tmp_path, monkeypatch, 2)
    text = result.stderr
    assert "是否想写 'project'" in text and "是否想写 'provincial'" in text
    assert " or " not in text  # the choices are listed without English


def test_did_you_mean_for_a_pack_param(tmp_path: Path) -> None:
    write_pack(tmp_path / "pack", rules=[{**RULE, "when": {"field": "progress_gap", "op": "gte",
                                                           "value": {"param": "lag_yelow_points"}}}])
    with pytest.raises(PackError) as caught:
        load_pack(["builtin", tmp_path / "pack"])
    assert "是否想写 'lag_yellow_points'" in str(caught.value)


@pytest.mark.parametrize("typed, meant", [("al", "all"), ("anny", "any"), ("nto", "not")])
def test_did_you_mean_for_a_branch_key(typed: str, meant: str, tmp_path: Path) -> None:
    leaf = {"field": "progress_gap", "op": "gte", "value": 10}
    write_pack(tmp_path / "pack", rules=[{**RULE, "when": {typed: [leaf]}}])
    with pytest.raises(PackError) as caught:
        load_pack(tmp_path / "pack")
    (problem,) = caught.value.diagnostics
    assert problem.place == "rule X-1.when" and f"是否想写 {meant!r}" in problem.cause


@pytest.mark.parametrize("name", ["台账.yaml", "台账.json"])
@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_a_gbk_ledger_says_what_it_is_and_to_save_it_as_utf8(name: str, encoding: str, tmp_path: Path) -> None:
    path = tmp_path / name
    text = GOOD if name.endswith(".yaml") else json.dumps(yaml.safe_load(GOOD), ensure_ascii=False, default=str)
    path.write_bytes(text.encode(encoding))
    with pytest.raises(LedgerError) as caught:
        load_ledger(path)
    (problem,) = caught.value.diagnostics
    assert "GBK/GB18030" in problem.cause and "请另存为 UTF-8" in problem.cause
    assert "顶层" not in problem.cause


@pytest.mark.parametrize("content, what", [
    (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200, "Excel 工作簿"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, "旧版 Office"),
    (b"%PDF-1.7\n" + bytes(range(256)), "PDF"),
    (bytes(range(256)) * 4, "二进制"),
], ids=["xlsx", "xls", "pdf", "binary"])
@pytest.mark.parametrize("name", ["台账.yaml", "台账.json"])
def test_a_workbook_or_binary_given_as_yaml_or_json_says_what_it_is(content: bytes, what: str, name: str,
                                                                    tmp_path: Path) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(LedgerError) as caught:
        load_ledger(tmp_path / name)
    (problem,) = caught.value.diagnostics
    assert what in problem.cause and "顶层" not in problem.cause


def test_a_tab_in_yaml_gets_a_chinese_message(tmp_path: Path) -> None:
    path = tmp_path / "ledger.yaml"
    path.write_text("items:\n\t- {id: P-1, kind: project, title: 甲}\n", encoding="utf-8")
    with pytest.raises(LedgerError) as caught:
        load_ledger(path)
    (problem,) = caught.value.diagnostics
    assert problem.place.startswith("第 2 行") and "Tab" in problem.cause and "空格" in problem.cause
    assert "cannot start any token" not in problem.cause


def test_as_of_an_impossible_date_says_the_date_does_not_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ledger.yaml").write_text(GOOD, encoding="utf-8")
    result = invoke(["check", "ledger.yaml", "--as-of", "2026-02-30"], tmp_path, monkeypatch, 2)
    assert error_lines(result) == ["错误: --as-of: 不存在的日期 2026-02-30"]
    result = invoke(["check", "ledger.yaml", "--as-of", "２０２６-１１-２８"], tmp_path, monkeypatch, 2)
    assert "应为半角数字" in result.stderr and "不存在" not in result.stderr


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_dash_reads_the_ledger_from_standard_input(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    text = SAMPLE.read_text(encoding="utf-8") if fmt == "yaml" else json.dumps(data, ensure_ascii=False, default=str)
    from_file = invoke(["check", str(SAMPLE), "--format", "json"], tmp_path, monkeypatch, 0)
    from_stdin = invoke(["check", "-", "--format", "json"], tmp_path, monkeypatch, 0, input=text.encode("utf-8"))
    assert from_stdin.stdout == from_file.stdout
    # errors name standard input, with their line
    broken = text.replace("progress: 62", "progress: 162") if fmt == "yaml" else text.replace('"progress": 62',
                                                                                           '"progress": 162')
    assert broken != text
    result = invoke(["validate", "-"], tmp_path, monkeypatch, 2, input=broken.encode("utf-8"))
    assert error_lines(result)[0].startswith("错误: <标准输入>: items["), result.stderr


def test_dash_as_a_real_process_reads_a_pipe(tmp_path: Path) -> None:
    proc = subprocess.run(duban_executable() + ["validate", "-"], input=GOOD.encode("utf-8"), capture_output=True,
                          cwd=tmp_path, timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert proc.returncode == 0, proc.stderr.decode("utf-8")
    assert "台账有效: 1 个事项" in proc.stdout.decode("utf-8") and "<标准输入>" in proc.stdout.decode("utf-8")

