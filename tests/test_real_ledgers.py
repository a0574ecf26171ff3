"""Real ledgers (SPEC Part 2): setting bad rows aside, extra fields, plausibility notes; and the params
of Part 2 (titles, bounds, the checker after --set, {param.NAME}); and findings on the county.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import make_item, make_ledger
from engine import Engine, LedgerError, PackError, UsageError, load_ledger, load_pack

AS_OF = "2026-11-28"


def write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --- --skip-invalid -------------------------------------------------------------------------------


def bad_ledger(tmp_path: Path) -> Path:
    return write(tmp_path / "ledger.yaml", {"ledger": {"as_of": AS_OF}, "items": [
        make_item(id="P-1"),
        make_item(id="P-2", start="2027-01-01", due="2026-12-31"),                 # start after due: the item
        make_item(id="P-3", milestones=[{"name": "无期限"}, {"name": "主体", "due": "2026-12-01"}]),  # one record
        make_item(id="P-4", owner=None),
    ]})


def test_without_skip_invalid_one_bad_row_refuses_the_ledger(run_cli, tmp_path: Path) -> None:
    result = run_cli("check", str(bad_ledger(tmp_path)), code=2)
    assert result.stdout == "" and "items[1] (P-2).start" in result.stderr


def test_skip_invalid_sets_aside_bad_items_and_records_and_evaluates_the_rest(run_cli, tmp_path: Path) -> None:
    path = bad_ledger(tmp_path)
    result = run_cli("check", str(path), "--skip-invalid", "--format", "json", "--fail-on", "red", code=1)
    data = json.loads(result.stdout)
    assert [i["id"] for i in data["items"]] == ["P-4", "P-3", "P-1"]  # OWN-01 red 30, SCH-04 blue 3, none
    assert data["rejected"] == [
        {"file": str(path), "place": "items[1] (P-2).start", "id": "P-2", "cause": "计划完工 2026-12-31 早于计划开工 2027-01-01"},
        {"file": str(path), "place": "items[2] (P-3).milestones[0].due", "id": "P-3", "cause": "缺少必填字段"},
    ]
    assert data["summary"]["rejected"] == 2
    # each error printed as usual, and the run went on (exit code follows --fail-on: P-4 has OWN-01 red)
    assert f"错误: {path}: items[1] (P-2).start" in result.stderr
    p3 = load_ledger(path, skip_invalid=True).items[1]
    assert [m.name for m in p3.milestones] == ["主体"]  # the bad record dropped, the good one kept


def test_skip_invalid_still_stops_on_whole_file_errors(run_cli, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("items: [ {id: P-1\n", encoding="utf-8")
    run_cli("check", str(broken), "--skip-invalid", code=2)
    dup = write(tmp_path / "dup.yaml", {"items": [make_item(id="P-1"), make_item(id="P-1")]})
    assert "编号重复" in run_cli("check", str(dup), "--skip-invalid", code=2).stderr
    top = write(tmp_path / "top.yaml", {"ledger": {"as_of": "2026-02-30"}, "items": [make_item()]})
    run_cli("check", str(top), "--skip-invalid", code=2)


# --- extra fields ---------------------------------------------------------------------------------


def extra_pack(tmp_path: Path, rule_when: dict, fields: dict | None = None, message: str = "「{title}」处于{extra.phase}阶段") -> Path:
    folder = tmp_path / "pack"
    folder.mkdir(exist_ok=True)
    write(folder / "rules.yaml", {
        "fields": fields if fields is not None else {"extra.phase": "text", "extra.budget": "number", "extra.signed": "date"},
        "rules": [{"id": "X-01", "title": "前期阶段", "clause": "c", "applies_to": ["project"], "when": rule_when,
                   "severity": "yellow", "message": message, "remedy": "r"}],
    })
    return folder


def test_a_pack_reads_declared_extra_fields(tmp_path: Path) -> None:
    engine = Engine.from_path(extra_pack(tmp_path, {"all": [{"field": "extra.phase", "op": "eq", "value": "前期"},
                                                            {"field": "extra.budget", "op": "gt", "value": 1000},
                                                            {"field": "extra.signed", "op": "lt", "value": "2026-06-01"}]}))
    ledger = make_ledger(make_item(extra={"phase": "前期", "budget": 1200.5, "signed": "2026-05-31"}),
                         make_item(id="P-2", extra={"phase": "前期", "budget": 900, "signed": "2026-05-31"}),
                         make_item(id="P-3"))
    report = engine.evaluate(ledger)
    assert [(f.subject, f.message) for f in report.findings] == [("P-1", "「测试项目」处于前期阶段")]
    assert report.findings[0].evidence == {"extra.phase": "前期", "extra.budget": 1200.5, "extra.signed": "2026-05-31"}


def test_reading_an_undeclared_extra_field_is_a_pack_error(tmp_path: Path) -> None:
    with pytest.raises(PackError) as caught:
        load_pack(str(extra_pack(tmp_path, {"field": "extra.rating", "op": "missing"}, fields={})))
    assert "extra.rating" in str(caught.value)


def test_an_extra_value_of_the_wrong_type_is_a_located_ledger_error(tmp_path: Path) -> None:
    engine = Engine.from_path(extra_pack(tmp_path, {"field": "extra.phase", "op": "present"}))
    path = write(tmp_path / "l.yaml", {"items": [make_item(), make_item(id="P-2", extra={"budget": "很多", "signed": "2026-13-01"})]})
    with pytest.raises(LedgerError) as caught:
        engine.evaluate(load_ledger(path))
    assert [str(d) for d in caught.value.diagnostics] == [
        f"{path}: items[1] (P-2).extra.budget: 规则包声明为数值,实际为 '很多'",
        f"{path}: items[1] (P-2).extra.signed: 规则包声明为YYYY-MM-DD 日期,实际为 '2026-13-01'",
    ]


def test_extra_values_are_scalars() -> None:
    with pytest.raises(LedgerError, match="extra"):
        load_ledger({"items": [make_item(extra={"phases": ["a", "b"]})]})


def test_the_custom_pack_example_in_docs_runs(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    engine = Engine.from_path([str(root / "docs" / "custom-pack")])
    report = engine.evaluate(load_ledger(root / "docs" / "custom-ledger.yaml"))
    assert {f.rule for f in report.findings} >= {"PHASE-01"}


# --- params of Part 2 --------------------------------------------------------------------------------


@pytest.mark.parametrize("name, value, cause", [
    ("lag_yellow_points", -5, "应不小于 0"),
    ("investment_red_ratio", 1.5, "应不大于 1"),
    ("multi_min_findings", 0, "应不小于 1"),
    ("investment_from_month", 13, "应不大于 12"),
])
def test_params_out_of_bounds_are_refused(name: str, value, cause: str) -> None:
    with pytest.raises(UsageError) as caught:
        load_pack("builtin", {name: value})
    assert cause in str(caught.value) and name in str(caught.value)


def test_a_red_threshold_below_the_yellow_one_is_an_unreachable_level() -> None:
    with pytest.raises(PackError) as caught:
        load_pack("builtin", {"lag_red_points": 5})
    assert "rule LAG-01.levels[1]" in str(caught.value) and "永远不会到达" in str(caught.value)
    with pytest.raises(PackError, match="rule SCH-02.levels"):
        load_pack("builtin", {"not_started_red_days": 20})
    with pytest.raises(PackError, match="rule LAG-01.levels"):  # equal thresholds leave yellow unreachable too
        load_pack("builtin", {"lag_red_points": 10})
    load_pack("builtin", {"lag_red_points": 11})

def test_params_with_titles_and_bounds_in_a_custom_pack(tmp_path: Path) -> None:
    write(tmp_path / "p.yaml", {"params": {"x_days": {"value": 5, "title": "测试天数", "min": 1, "max": 3}}})
    with pytest.raises(PackError) as caught:
        load_pack(["builtin", str(tmp_path)])
    assert "params.x_days" in str(caught.value) and "应不大于 3" in str(caught.value)


def test_param_names_in_templates() -> None:
    report = Engine.default(params={"response_days": 20}).evaluate(make_ledger(make_item(
        start="2026-10-30", due="2027-02-07", progress=19,
        responses=[{"date": "2026-10-01", "cause": "c", "measures": "m"}])))
    (lag03,) = [f for f in report.findings if f.rule == "LAG-03"]
    assert lag03.message.endswith("已超过20天")


def test_an_unknown_param_in_a_template_is_a_pack_error(tmp_path: Path) -> None:
    write(tmp_path / "r.yaml", {"rules": [{"id": "X-01", "title": "t", "clause": "c", "applies_to": ["project"],
                                           "when": {"field": "owner", "op": "missing"}, "severity": "red",
                                           "message": "超过{param.lag_red_point}天", "remedy": "r"}]})
    with pytest.raises(PackError) as caught:
        load_pack(["builtin", str(tmp_path)])
    assert "是否想写 {param.lag_red_points}" in str(caught.value)


# --- plausibility notes ------------------------------------------------------------------------------


def test_far_dates_and_progress_100_without_completion_are_noted_not_refused() -> None:
    ledger = make_ledger(make_item(id="P-1", due="2062-12-31"), make_item(id="P-2", progress=100), make_item(id="P-3"))
    notes = Engine.default().evaluate(ledger).notes
    assert any("超过 30 年" in n and "P-1" in n and "P-3" not in n for n in notes)
    assert any("100%" in n and "P-2" in n for n in notes)


# --- the county ---------------------------------------------------------------------------------------


def test_county_findings_follow_the_units_and_get_no_score() -> None:
    ledger = load_ledger({"ledger": {"county": "测试县", "as_of": AS_OF, "meetings": []},
                          "units": [{"name": "县交通局"}], "items": [make_item(owner=None)]})
    report = Engine.default().evaluate(ledger)
    assert [(f.subject_kind, f.subject, f.rule) for f in report.findings] == [
        ("project", "P-1", "OWN-01"), ("unit", "县交通局", "EXC-01"), ("county", "测试县", "ENT-03")]
    assert [i.id for i in report.items] == ["P-1"] and report.items[0].score == 30


def test_meetings_from_several_files_are_concatenated(tmp_path: Path) -> None:
    a = write(tmp_path / "a.yaml", {"ledger": {"county": "测试县", "meetings": [{"date": "2026-01-10", "type": "企业座谈会"}]},
                                    "items": [make_item()]})
    b = write(tmp_path / "b.yaml", {"ledger": {"county": "测试县", "meetings": [{"date": "2026-11-10", "type": "会商会"}]},
                                    "items": [make_item(id="P-2")]})
    ledger = load_ledger([a, b])
    assert [m.date.isoformat() for m in ledger.info.meetings] == ["2026-01-10", "2026-11-10"]
    report = Engine.default().evaluate(ledger, as_of=__import__("datetime").date(2026, 11, 28))
    assert not [f for f in report.findings if f.rule == "ENT-03"]
