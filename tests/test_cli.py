"""The command line (SPEC.md "Command line"): in-process through click, and as the installed `duban` process."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import make_item

AS_OF = "2026-11-28"
# Part 1's keys and the keys Part 2 adds (SPEC: "Part 2 only adds keys").
SPEC_TOP_KEYS = {"schema_version", "as_of", "rules", "summary", "notes", "findings", "items", "waived", "rejected"}
SPEC_FINDING_KEYS = {"subject", "subject_kind", "subject_title", "rule", "title", "severity", "message", "clause",
                     "remedy", "evidence", "points", "category", "escalated_from", "periods"}
SPEC_ITEM_KEYS = {"id", "kind", "title", "owner", "unit", "leader", "light", "score", "tier", "rank", "findings", "level"}
DEFAULT_RULES = ["OWN-01", "OWN-02", "OWN-03", "PLAN-01", "PLAN-02", "SCH-01", "SCH-02", "SCH-03", "SCH-04", "SCH-05",
                 "LAG-03", "ESC-01", "ENT-03", "EXC-03",
                 "LAG-01", "LAG-02", "SUP-01", "SUP-02", "SUP-03", "FAC-01", "ENT-01", "ENT-02", "REF-01", "REF-02",
                 "EXC-01", "EXC-02", "ECO-01", "ECO-02", "MULTI-01"]

PROJECT_RULES = ["OWN-01", "OWN-02", "OWN-03", "PLAN-01", "PLAN-02", "SCH-01", "SCH-02", "SCH-03", "SCH-04",
                 "SCH-05", "LAG-01", "LAG-02", "LAG-03", "SUP-01", "SUP-02", "SUP-03", "FAC-01", "MULTI-01", "ESC-01"]


def write_ledger(path: Path, *items: dict, units: list | None = None) -> Path:
    data = {"ledger": {"county": "测试县", "as_of": AS_OF}, "units": units or [], "items": list(items)}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sample_items(sample_path: Path) -> list[dict]:
    return yaml.safe_load(sample_path.read_text(encoding="utf-8"))["items"]


@pytest.fixture
def clean_ledger(tmp_path: Path) -> Path:
    return write_ledger(tmp_path / "clean.yaml", make_item())


@pytest.fixture
def blue_ledger(tmp_path: Path) -> Path:
    # a milestone due in 3 days: SCH-04 (blue) and nothing else
    return write_ledger(tmp_path / "blue.yaml", make_item(milestones=[{"name": "验收", "due": "2026-12-01"}]))


@pytest.fixture
def bad_ledger(tmp_path: Path) -> Path:
    return write_ledger(tmp_path / "bad.yaml", make_item(progress=150))


def data_of(result: Any) -> dict:
    return json.loads(result.stdout)


# --- check -----------------------------------------------------------------------------------------


def test_check_sample_table(run_cli, sample_items) -> None:
    result = run_cli("check")
    out = result.stdout
    header = out.splitlines()[0]
    for title in ("对象", "名称", "规则", "等级", "预警内容"):
        assert title in header
    # P-003's owner is 待定: OWN-01 (red) must be listed
    assert re.search(r"^P-003\s.*OWN-01\s+红", out, re.M)
    assert f"基准日 {AS_OF}: 共 {len(sample_items)} 个事项" in out
    assert "示例台账" in result.stderr  # no LEDGER: the sample, with a note


def test_check_sample_subprocess_from_any_folder(run_duban, tmp_path: Path, sample_items) -> None:
    proc = run_duban("check", cwd=tmp_path)
    assert "预警内容" in proc.stdout and f"共 {len(sample_items)} 个事项" in proc.stdout
    assert "示例台账" in proc.stderr


@pytest.mark.parametrize("ledger,fail_on,code", [
    ("sample", "red", 1),
    ("sample", "never", 0),
    ("sample", None, 0),      # the default is never
    ("clean", "blue", 0),
    ("blue", "blue", 1),
    ("blue", "yellow", 0),
    ("blue", "red", 0),
])
def test_fail_on(run_cli, sample_path, clean_ledger, blue_ledger, ledger: str, fail_on, code: int) -> None:
    path = {"sample": sample_path, "clean": clean_ledger, "blue": blue_ledger}[ledger]
    args = ["check", str(path)] + (["--fail-on", fail_on] if fail_on else [])
    run_cli(*args, code=code)


def test_fail_on_subprocess(run_duban, sample_path) -> None:
    run_duban("check", str(sample_path), "--fail-on", "red", code=1)
    run_duban("rank", str(sample_path), "--fail-on", "yellow", code=1)


def test_json_report_shape(run_cli, sample_path, sample_items) -> None:
    data = data_of(run_cli("check", str(sample_path), "--format", "json"))
    assert set(data) == SPEC_TOP_KEYS
    assert data["schema_version"] == 1
    assert data["as_of"] == AS_OF
    assert set(data["rules"]) == {"source", "sha256", "selected"}
    assert data["rules"]["source"] == "builtin"
    assert re.fullmatch(r"[0-9a-f]{64}", data["rules"]["sha256"])
    assert isinstance(data["notes"], list)
    assert data["findings"] and data["items"]
    for finding in data["findings"]:
        assert set(finding) == SPEC_FINDING_KEYS
        assert finding["severity"] in ("red", "yellow", "blue")
        assert isinstance(finding["evidence"], dict)
    for item in data["items"]:
        assert set(item) == SPEC_ITEM_KEYS
    # every item is ranked, 1 … n
    assert sorted(i["id"] for i in data["items"]) == sorted(str(i["id"]) for i in sample_items)
    assert [i["rank"] for i in data["items"]] == list(range(1, len(sample_items) + 1))
    summary = data["summary"]
    assert summary["items"] == len(sample_items)
    assert sum(summary["findings"].values()) == len(data["findings"])
    for severity in ("red", "yellow", "blue"):
        assert summary["findings"][severity] == sum(f["severity"] == severity for f in data["findings"])
    assert sum(summary["lights"].values()) == len(sample_items)
    assert sum(summary["tiers"].values()) == len(sample_items)
    p003 = next(f for f in data["findings"] if f["subject"] == "P-003" and f["rule"] == "OWN-01")
    assert p003["subject_kind"] == "project" and p003["points"] == 30


def test_json_is_deterministic(run_cli, run_duban, sample_path) -> None:
    first = run_cli("check", str(sample_path), "--format", "json").stdout_bytes
    second = run_cli("check", str(sample_path), "--format", "json").stdout_bytes
    assert first == second
    one = run_duban("check", str(sample_path), "--format", "json").stdout
    two = run_duban("check", str(sample_path), "--format", "json").stdout
    assert one == two
    assert json.loads(one)["findings"] == json.loads(first)["findings"]


def test_csv_has_a_byte_order_mark(run_cli, run_duban, sample_path, tmp_path: Path) -> None:
    result = run_cli("check", str(sample_path), "--format", "csv")
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbf")
    assert "规则" in result.stdout_bytes.decode("utf-8-sig").splitlines()[0]
    out = tmp_path / "report.csv"
    run_duban("check", str(sample_path), "--format", "csv", "--output", str(out))
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_markdown_has_a_pipe_table(run_cli, sample_path) -> None:
    lines = run_cli("check", str(sample_path), "--format", "markdown").stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("|") and "规则" in line)
    assert re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", lines[header + 1].replace(" ", ""))
    assert lines[header + 2].startswith("|")


def test_output_file(run_cli, sample_path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = run_cli("check", str(sample_path), "--format", "json", "--output", str(out))
    assert result.stdout == ""
    assert out.read_bytes() == run_cli("check", str(sample_path), "--format", "json").stdout_bytes


def test_bad_ledger_leaves_output_unchanged(run_cli, run_duban, bad_ledger, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    out.write_text("上次的报告", encoding="utf-8")
    result = run_cli("check", str(bad_ledger), "--format", "json", "--output", str(out), code=2)
    assert out.read_text(encoding="utf-8") == "上次的报告"
    assert result.stdout == ""
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and str(bad_ledger) in errors[0] and "progress" in errors[0]
    proc = run_duban("check", str(bad_ledger), "--output", str(out), code=2)
    assert out.read_text(encoding="utf-8") == "上次的报告"
    assert str(bad_ledger) in proc.stderr


def test_impossible_as_of(run_cli, run_duban, clean_ledger) -> None:
    for stderr in (run_cli("check", str(clean_ledger), "--as-of", "2026-02-30", code=2).stderr,
                   run_duban("check", str(clean_ledger), "--as-of", "2026-02-30", code=2).stderr):
        lines = stderr.strip().splitlines()
        assert len(lines) == 1, lines
        assert "--as-of" in lines[0] and "2026-02-30" in lines[0]


def test_as_of_overrides_the_ledger(run_cli, sample_path) -> None:
    data = data_of(run_cli("check", str(sample_path), "--format", "json", "--as-of", "2026-06-30"))
    assert data["as_of"] == "2026-06-30"


@pytest.mark.parametrize("setting", ["unknown=1", "lag_red_points=abc", "lag_red_points", "=3"])
def test_bad_set(run_cli, run_duban, clean_ledger, setting: str) -> None:
    result = run_cli("check", str(clean_ledger), "--set", setting, code=2)
    assert len(result.stderr.strip().splitlines()) == 1
    run_duban("check", str(clean_ledger), "--set", setting, code=2)


def test_set_changes_a_severity(run_cli, sample_path) -> None:
    # P-004: started 2026-08-10, due 2027-12-31 (508 days), 110 days in: expected 21.65…, progress 0 → gap 21.65
    def lag01(*extra: str) -> dict:
        data = data_of(run_cli("check", str(sample_path), "--format", "json", *extra))
        return next(f for f in data["findings"] if f["subject"] == "P-004" and f["rule"] == "LAG-01")

    assert lag01()["severity"] == "red"
    changed = lag01("--set", "lag_red_points=25")
    assert changed["severity"] == "yellow"
    assert changed["points"] == pytest.approx(12 * (1 + (11000 / 508) / 30))


def test_set_changes_the_sha256(run_cli, clean_ledger) -> None:
    plain = data_of(run_cli("check", str(clean_ledger), "--format", "json"))["rules"]["sha256"]
    changed = data_of(run_cli("check", str(clean_ledger), "--format", "json", "--set", "lag_red_points=25"))
    assert changed["rules"]["sha256"] != plain


# --- rank, explain, rules ------------------------------------------------------------------------------


def test_rank_top(run_cli, run_duban, sample_path) -> None:
    data = data_of(run_cli("rank", str(sample_path), "--top", "3", "--format", "json"))
    assert [i["rank"] for i in data["items"]] == [1, 2, 3]
    assert data["items"][0]["id"] == "P-004"  # 201.65 points, capped at 100
    table = run_duban("rank", str(sample_path), "--top", "3").stdout
    rows = [line for line in table.splitlines() if re.match(r"^\d+\s", line)]
    assert [row.split()[0] for row in rows] == ["1", "2", "3"]
    for title in ("排名", "编号", "灯", "得分", "档次"):
        assert title in table.splitlines()[0]


def test_rank_top_must_be_positive(run_cli, sample_path) -> None:
    run_cli("rank", str(sample_path), "--top", "0", code=2)


def test_explain_p004(run_cli, run_duban, sample_path) -> None:
    out = run_cli("explain", "P-004", str(sample_path)).stdout
    listed = set(re.findall(r"^([A-Z]+-\d\d)\s", out, re.M))
    assert listed >= set(PROJECT_RULES), sorted(set(PROJECT_RULES) - listed)
    for rule in ("ENT-01", "ENT-02", "REF-01", "REF-02", "EXC-01", "EXC-02", "ECO-01", "ECO-02"):
        assert rule not in out
    # the score's breakdown: SCH-02 (110 days) 60, LAG-01 51.65, LAG-02 60, MULTI-01 30, and LAG-03
    # (LAG-01 red, never replied: red, saturated) 60 = 261.65 → 100
    assert "得分构成" in out
    breakdown = out[out.index("得分构成"):]
    for rule in ("SCH-02", "LAG-01", "LAG-02", "MULTI-01", "LAG-03"):
        assert rule in breakdown
    assert "261.65" in breakdown and "100" in breakdown
    proc = run_duban("explain", "P-004", str(sample_path), "--format", "json")
    data = json.loads(proc.stdout)
    assert sorted(r["rule"] for r in data["rules"]) == sorted(PROJECT_RULES)
    fired = {r["rule"]: r["severity"] for r in data["rules"] if r["fired"]}
    assert fired == {"SCH-02": "red", "LAG-01": "red", "LAG-02": "red", "MULTI-01": "red", "LAG-03": "red"}
    assert data["item"]["score"] == 100.0


def test_explain_unknown_item(run_cli, run_duban, sample_path) -> None:
    result = run_cli("explain", "P-999", str(sample_path), code=2)
    assert "P-999" in result.stderr
    assert run_duban("explain", "P-999", str(sample_path), code=2).stdout == ""


def test_rules_lists_the_default_pack(run_cli) -> None:
    out = run_cli("rules").stdout
    for rule in DEFAULT_RULES:
        assert re.search(rf"^{rule}\s", out, re.M), rule
    assert "共 29 条规则" in out
    data = json.loads(run_cli("rules", "--format", "json").stdout)
    assert [r["id"] for r in data["rules"]] == sorted(DEFAULT_RULES)


def test_metrics_lists_the_vocabulary(run_cli) -> None:
    out = run_cli("metrics").stdout
    for name in ("progress_gap", "investment_ratio", "days_past_due", "max_milestone_overdue_days",
                 "supervision_gap_days", "days_since_visit", "serious_findings", "excellence_goals"):
        assert re.search(rf"^{name}\s", out, re.M), name


# --- rule packs on the command line -----------------------------------------------------------------------


def broken_pack(folder: Path) -> Path:
    folder.mkdir()
    (folder / "bad.yaml").write_text(
        "rules:\n"
        "  - id: BAD-01\n"
        "    title: 坏规则\n"
        "    clause: 条款\n"
        "    applies_to: [project]\n"
        "    when: {field: progress, op: greater, value: 5}\n"
        "    severity: red\n"
        "    message: 消息\n"
        "    remedy: 整改\n",
        encoding="utf-8",
    )
    return folder


def test_broken_pack_subprocess(run_duban, sample_path, tmp_path: Path) -> None:
    pack = broken_pack(tmp_path / "pack")
    for command in (("check", str(sample_path)), ("rules",), ("validate", str(sample_path))):
        proc = run_duban(*command, "--rules", str(pack), code=2)
        assert proc.stdout == ""
        (line,) = [line for line in proc.stderr.splitlines() if "BAD-01" in line]
        assert str(pack / "bad.yaml") in line
        assert "rule BAD-01.when.op" in line
        assert "greater" in line


def test_builtin_plus_extra_on_the_command_line(run_cli, tmp_path: Path, clean_ledger) -> None:
    extra = tmp_path / "county-extra"
    extra.mkdir()
    (extra / "extra.yaml").write_text(
        "rules:\n"
        "  - id: CTY-01\n"
        "    title: 县级补充规则\n"
        "    clause: 条款\n"
        "    applies_to: [project]\n"
        "    when: {field: title, op: contains, value: 测试}\n"
        "    severity: blue\n"
        "    message: \"「{title}」\"\n"
        "    remedy: 整改\n",
        encoding="utf-8",
    )
    out = run_cli("rules", "--rules", "builtin", "--rules", str(extra)).stdout
    assert "共 30 条规则" in out and "CTY-01" in out
    data = data_of(run_cli("check", str(clean_ledger), "--rules", "builtin", "--rules", str(extra), "--format", "json"))
    assert [f["rule"] for f in data["findings"]] == ["CTY-01"]
    assert data["rules"]["source"] == f"builtin,{extra}"
    only_extra = data_of(run_cli("check", str(clean_ledger), "--rules", str(extra), "--format", "json",
                                 "--fail-on", "blue", code=1))
    assert only_extra["rules"]["source"] == str(extra)


def test_missing_pack_folder(run_duban, clean_ledger, tmp_path: Path) -> None:
    proc = run_duban("check", str(clean_ledger), "--rules", str(tmp_path / "nowhere"), code=2)
    assert str(tmp_path / "nowhere") in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_validate(run_cli, sample_path, bad_ledger) -> None:
    run_cli("validate", str(sample_path))
    result = run_cli("validate", str(bad_ledger), code=2)
    assert str(bad_ledger) in result.stderr


def test_calendar_note_outside_covered_years(run_duban, tmp_path: Path) -> None:
    """A working-day count in a year the official calendar does not cover: a note on stderr and in `notes`."""
    ledger = write_ledger(tmp_path / "future.yaml", make_item(
        id="E-1", kind="enterprise", start=None, due=None, started_on=None, progress=None, progress_reported_on=None,
        milestones=None, supervisions=None, visits=[{"date": "2099-03-20"}],
        issues=[{"type": "enterprise", "raised_on": "2099-03-02"}],
    ))
    proc = run_duban("check", str(ledger), "--as-of", "2099-03-24", "--format", "json")
    data = json.loads(proc.stdout)
    assert [f["rule"] for f in data["findings"]] == ["ENT-02"]  # Mon–Fri: 2099-03-02 + 15 = 2099-03-23
    assert any("2099" in note for note in data["notes"])
    assert "2099" in proc.stderr
