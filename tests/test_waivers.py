"""Waivers (豁免) exactly as SPEC Part 2 "Waivers" and its "Part 2 in detail" lines say.

Active, not yet active, expired (the finding returns, with a note), unused (a note), invalid (a located
error, nothing evaluated); a waived finding is listed under `waived` with its waiver, earns no points,
counts for no light, tier or MULTI-01; a unit waiver covers the unit's own findings, not its items';
the first matching waiver in file order is the one shown; waivers apply to second-stage findings too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import SAMPLE, make_item, make_ledger
from engine import Engine, LedgerError

AS_OF = "2026-11-28"
LAGGING = dict(start="2026-10-30", due="2027-02-07", progress=9, responses=[])  # gap 20: LAG-01 red, LAG-03 red


def waivers_file(tmp_path: Path, *entries: dict, name: str = "waivers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"waivers": list(entries)}, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


def waiver(item: str, rule: str, **fields) -> dict:
    return {"item": item, "rule": rule, "reason": "县政府同意调整计划", "approved_by": "县政府第12次常务会议",
            "until": "2027-03-31", **fields}


def evaluate(tmp_path: Path, *entries: dict, ledger=None, units=None):
    ledger = ledger or make_ledger(make_item(**LAGGING), units=units)
    return Engine.default().evaluate(ledger, waivers=waivers_file(tmp_path, *entries) if entries else None)


def rules_of(findings, subject: str = "P-1") -> set[str]:
    return {f.rule for f in findings if f.subject == subject}


def test_an_active_waiver_moves_the_finding_to_waived_with_no_points(tmp_path: Path) -> None:
    report = evaluate(tmp_path, waiver("P-1", "SCH-02"), waiver("P-1", "LAG-01"))
    assert "LAG-01" not in rules_of(report.findings)
    (waived,) = [f for f in report.waived if f.rule == "LAG-01"]
    assert (waived.severity, waived.points) == ("red", 0)  # keeps the severity it fired at
    assert waived.waiver.reason == "县政府同意调整计划" and waived.waiver.until == "2027-03-31"
    assert report.summary.waived == 1
    # LAG-03 reads the first stage after waivers: LAG-01 waived, nothing lagging is left
    assert "LAG-03" not in rules_of(report.findings)
    assert report.item("P-1").light == "green" and report.item("P-1").score == 0


def test_not_yet_active_and_expired_waivers_do_not_apply_and_expired_ones_are_noted(tmp_path: Path) -> None:
    later = evaluate(tmp_path, waiver("P-1", "LAG-01", **{"from": "2026-12-01"}))
    assert "LAG-01" in rules_of(later.findings) and not later.waived
    expired = evaluate(tmp_path, waiver("P-1", "LAG-01", until="2026-11-27"))
    assert "LAG-01" in rules_of(expired.findings)
    assert any("豁免已于 2026-11-27 到期,预警恢复: P-1 LAG-01" in note for note in expired.notes)
    on_the_last_day = evaluate(tmp_path, waiver("P-1", "LAG-01", until=AS_OF))
    assert "LAG-01" not in rules_of(on_the_last_day.findings)


def test_an_unused_waiver_is_noted(tmp_path: Path) -> None:
    report = evaluate(tmp_path, waiver("P-1", "FAC-01"))
    assert any("豁免未匹配任何预警" in note and "FAC-01" in note for note in report.notes)


def test_a_family_waiver_covers_the_family(tmp_path: Path) -> None:
    ledger = make_ledger(make_item(milestones=[{"due": "2026-11-20"}, {"due": "2026-12-01"}]))  # SCH-01, SCH-04
    report = evaluate(tmp_path, waiver("P-1", "SCH"), ledger=ledger)
    assert {f.rule for f in report.waived} == {"SCH-01", "SCH-04"}
    # waiving LAG-01 leaves LAG-03 nothing to read: it does not fire at all
    lagging = evaluate(tmp_path, waiver("P-1", "LAG"))
    assert {f.rule for f in lagging.waived} == {"LAG-01"} and "LAG-03" not in rules_of(lagging.findings)


def test_a_waived_finding_counts_for_nothing_in_multi(tmp_path: Path) -> None:
    ledger = make_ledger(make_item(owner=None, unit=None, leader=None))  # OWN-01, OWN-02, OWN-03: MULTI-01
    assert "MULTI-01" in rules_of(evaluate(tmp_path, ledger=ledger).findings)
    report = evaluate(tmp_path, waiver("P-1", "OWN-03"), ledger=ledger)
    assert "MULTI-01" not in rules_of(report.findings)


def test_second_stage_findings_can_be_waived(tmp_path: Path) -> None:
    report = evaluate(tmp_path, waiver("P-1", "LAG-03"))
    assert "LAG-01" in rules_of(report.findings) and [f.rule for f in report.waived] == ["LAG-03"]


def test_a_unit_waiver_covers_the_units_own_findings_not_its_items(tmp_path: Path) -> None:
    units = [{"name": "县住建局"}]
    ledger = make_ledger(make_item(unit="县住建局", owner=None), units=units)  # EXC-01 on the unit, OWN-01 on P-1
    report = evaluate(tmp_path, waiver("县住建局", "EXC-01"), waiver("县住建局", "OWN-01"), ledger=ledger)
    assert [(f.subject, f.rule) for f in report.waived] == [("县住建局", "EXC-01")]
    assert "OWN-01" in rules_of(report.findings)
    assert any("县住建局 OWN-01" in note for note in report.notes)  # the second one matched nothing


def test_the_first_matching_waiver_in_file_order_is_shown(tmp_path: Path) -> None:
    first = waiver("P-1", "LAG", reason="第一条")
    second = waiver("P-1", "LAG-01", reason="第二条")
    report = evaluate(tmp_path, first, second)
    assert {f.waiver.reason for f in report.waived} == {"第一条"}


@pytest.mark.parametrize("entry, place, cause", [
    (waiver("P-9", "LAG-01"), "waivers[0].item", "台账中没有编号或单位 'P-9'"),
    (waiver("P-1", "LAG-09"), "waivers[0].rule", "规则包中没有规则或规则族 'LAG-09'"),
    ({**waiver("P-1", "LAG-01"), "reason": "待定"}, "waivers[0].reason", "不能为空或待定"),
    ({k: v for k, v in waiver("P-1", "LAG-01").items() if k != "until"}, "waivers[0].until", "缺少必填字段"),
    ({k: v for k, v in waiver("P-1", "LAG-01").items() if k != "approved_by"}, "waivers[0].approved_by", "缺少必填字段"),
    (waiver("P-1", "LAG-01", until="2026-02-30"), "waivers[0].until", "不存在的日期"),
])
def test_an_invalid_waiver_is_a_located_error(tmp_path: Path, entry: dict, place: str, cause: str) -> None:
    with pytest.raises(LedgerError) as caught:
        evaluate(tmp_path, entry)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.file.endswith("waivers.yaml") and diagnostic.place == place and cause in diagnostic.cause


def test_a_waivers_file_must_hold_only_waivers(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("豁免: []\n", encoding="utf-8")
    with pytest.raises(LedgerError, match="只含 waivers"):
        Engine.default().evaluate(make_ledger(make_item()), waivers=path)


def test_a_waiver_naming_an_item_set_aside_by_skip_invalid_is_a_note(tmp_path: Path) -> None:
    from engine import load_ledger

    ledger = load_ledger({"ledger": {"as_of": AS_OF}, "items": [make_item(), make_item(id="P-2", progress=150)]},
                         skip_invalid=True)
    report = Engine.default().evaluate(ledger, waivers=waivers_file(tmp_path, waiver("P-2", "LAG-01")))
    assert any("P-2" in note and "被排除" in note for note in report.notes)


# --- the command line shows waived findings in every format -------------------------------------


@pytest.fixture
def sample_waivers(tmp_path: Path) -> Path:
    return waivers_file(
        tmp_path,
        waiver("P-004", "SCH-02", reason="规划调整暂缓开工"),
        waiver("县委改革办", "EXC-01", reason="机构改革中", approved_by="县委编办", **{"from": "2026-10-01"},
               until="2026-12-31"),
    )


def test_cli_waivers_in_json(run_cli, sample_waivers: Path) -> None:
    data = json.loads(run_cli("check", str(SAMPLE), "--waivers", str(sample_waivers), "--format", "json").stdout)
    waived = {(w["subject"], w["rule"]): w for w in data["waived"]}
    assert set(waived) == {("P-004", "SCH-02"), ("县委改革办", "EXC-01")}
    assert waived[("县委改革办", "EXC-01")]["waiver"] == {
        "item": "县委改革办", "rule": "EXC-01", "reason": "机构改革中", "approved_by": "县委编办",
        "from": "2026-10-01", "until": "2026-12-31", "file": str(sample_waivers)}
    assert all(w["points"] == 0 for w in data["waived"])
    assert data["summary"]["waived"] == 2
    assert ("P-004", "SCH-02") not in {(f["subject"], f["rule"]) for f in data["findings"]}


@pytest.mark.parametrize("fmt, marker", [("table", "已豁免 2 条预警"), ("markdown", "## 已豁免"), ("csv", "机构改革中(县委编办")])
def test_cli_waivers_in_table_markdown_and_csv(run_cli, sample_waivers: Path, fmt: str, marker: str) -> None:
    out = run_cli("check", str(SAMPLE), "--waivers", str(sample_waivers), "--format", fmt).stdout
    assert marker in out and "规划调整暂缓开工" in out


def test_cli_a_bad_waiver_exits_2_located_and_evaluates_nothing(run_cli, tmp_path: Path) -> None:
    path = waivers_file(tmp_path, waiver("P004", "SCH-02"))
    result = run_cli("check", str(SAMPLE), "--waivers", str(path), code=2)
    assert result.stdout == ""
    assert result.stderr.strip() == f"错误: {path}: waivers[0].item: 台账中没有编号或单位 'P004',是否想写 P-004?"
