"""duban explain (SPEC Part 2, "Analysts"): the condition tree, params beside values, why this level,
counterfactuals that clear the findings when applied, misses with their distance, units and the county,
"是否想写" for an unknown id, and the same run as check (waivers, history, the second stage)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from conftest import SAMPLE, make_item, make_ledger
from engine import Engine, UsageError, load_ledger
from ledger_changes import achieves, apply_change, fired_at, half_changes
from test_escalation import View

AS_OF = "2026-11-28"


@pytest.fixture(scope="module")
def sample() -> dict:
    return yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=["python", "durable"])
def engine(request) -> Engine:
    return Engine.default(backend=request.param)


def rule_of(explanation, rule_id: str):
    (found,) = [r for r in explanation.rules if r.rule == rule_id]
    return found


# --- the worst item of the sample ledger --------------------------------------------------------


def test_p004_counterfactuals_are_the_nearest_values_in_metric_and_ledger_terms(engine) -> None:
    explanation = engine.explain(load_ledger(SAMPLE), "P-004")
    lag = rule_of(explanation, "LAG-01")
    off, lower = lag.counterfactuals
    assert (off.effect, off.field, off.op, off.bound, off.param) == ("off", "progress_gap", "lt", 10, "lag_yellow_points")
    assert off.text == "progress_gap 需低于 10(现为 21.7)"
    # expected progress 21.65…: a gap below 10 needs progress above 11.65, so 12 (the nearest integer percent)
    assert (off.ledger.field, off.ledger.action, off.ledger.value) == ("progress", "set", 12)
    assert off.ledger.text == "形象进度达到 12% 以上(现为 0%)"
    assert (lower.effect, lower.severity, lower.bound, lower.ledger.value) == ("lower", "yellow", 20, 2)
    investment = rule_of(explanation, "LAG-02").counterfactuals[0]
    # 5000 万元 planned × 序时进度 332/365 × 0.8 = 3638.36…: 3,639 万元
    assert investment.ledger.text == "年度完成投资达到 3,639 万元以上(现为 0 万元)"
    reply = rule_of(explanation, "LAG-03").counterfactuals[0]
    assert reply.text == "days_since_response 需不超过 30(现为 —)"
    assert reply.ledger.text == "在 2026-10-29 至 2026-11-28 间书面报送一次原因分析和整改措施(从未报送)"
    start = {c.field: c for c in rule_of(explanation, "SCH-02").counterfactuals if c.effect == "off"}
    assert start["days_since_start"].text == "days_since_start 需不超过 29(现为 110)"
    assert start["not_started"].ledger.field == "started_on"
    assert rule_of(explanation, "MULTI-01").counterfactuals[0].text == "serious_findings 需不超过 2(现为 3)"


def test_p004_counterfactuals_applied_to_the_ledger_clear_its_findings(engine, sample) -> None:
    explanation = engine.explain(load_ledger(SAMPLE), "P-004")
    fired = [r for r in explanation.rules if r.fired]
    assert sorted(r.rule for r in fired) == ["LAG-01", "LAG-02", "LAG-03", "MULTI-01", "SCH-02"]
    everything = sample
    for rule in fired:
        for cf in rule.counterfactuals:
            if cf.ledger is None:
                continue
            change = cf.ledger.model_dump(mode="json")
            alone = engine.evaluate(load_ledger(apply_change(sample, "P-004", change, AS_OF)))
            assert fired_at(alone, "P-004", rule.rule) == cf.severity, (rule.rule, cf.ledger.text)
            for half in half_changes(sample, "P-004", change, AS_OF):
                assert not achieves(cf, rule.severity, fired_at(engine.evaluate(load_ledger(half)), "P-004", rule.rule))
            if cf.effect == "off":
                everything = apply_change(everything, "P-004", change, AS_OF)
    cleared = engine.evaluate(load_ledger(everything))
    assert cleared.findings_for("P-004") == [] and cleared.item("P-004").light == "green"


def test_the_tree_shows_params_beside_values_chinese_operators_and_why_this_level(run_cli) -> None:
    out = run_cli("explain", "P-002", str(SAMPLE)).stdout
    block = out[out.index("LAG-01 "):out.index("LAG-02 ")]
    assert "LAG-01 形象进度滞后于序时进度: 触发(黄)" in block
    assert "✓ 全部满足:" in block and "✓ completed false 等于 false" in block
    assert "✓ progress_gap 13.4 ≥ lag_yellow_points 10" in block
    # why yellow and not red: the red level's leaf failed, 6.6 points short
    assert "✗ 红色" in block and "未达此级: progress_gap 13.4 ≥ lag_red_points 20 不成立,差 6.6" in block
    assert "✓ 黄色(其余情形)(取此级)" in block
    assert "消除: progress_gap 需低于 10(现为 13.4);台账: 形象进度达到 57% 以上(现为 53%)" in block
    supervision = out[out.index("SUP-01 "):out.index("SUP-02 ")]
    assert "✗ 任一满足:" in supervision and "✗ 并非" not in supervision


def test_an_unfired_rule_names_the_failed_leaf_its_distance_and_the_day_it_would_fire(engine) -> None:
    explanation = engine.explain(load_ledger(SAMPLE), "P-004")
    supervision = rule_of(explanation, "SUP-01")
    assert not supervision.fired and not supervision.counterfactuals[0].ledger
    gap = next(m for m in supervision.misses if m.leaf.field == "supervision_gap_days")
    assert gap.distance == 9 and gap.text == "supervision_gap_days 22 > supervision_yellow_days 30 不成立,差 9"
    (fire,) = supervision.counterfactuals
    # last supervision 2026-11-06: 31 days later, on 2026-12-07, the gap passes 30
    assert (fire.effect, fire.severity, fire.op, fire.bound, fire.on) == ("fire", "yellow", "gte", 31, "2026-12-07")
    due = rule_of(explanation, "SCH-03")
    assert due.counterfactuals[0].on == "2028-01-01"  # due 2027-12-31
    assert [m.text for m in due.misses] == ["days_past_due 0 > 0 不成立,差 1"]


def test_a_leaf_under_not_is_blamed_when_it_held(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "r.yaml").write_text(yaml.safe_dump({"rules": [{
        "id": "X-01", "title": "无督查且未开工", "clause": "要定期开展督查考核", "applies_to": ["project"],
        "when": {"not": {"field": "supervised", "op": "eq", "value": True}}, "severity": "yellow",
        "message": "「{title}」", "remedy": "督查"}]}, allow_unicode=True), encoding="utf-8")
    engine = Engine.from_path(pack, backend="python")
    check = rule_of(engine.explain(make_ledger(make_item()), "P-1"), "X-01")
    assert check.tree.node == "not" and check.tree.result is False
    (miss,) = check.misses
    assert (miss.held, miss.leaf.field) == (False, "supervised") and "在「并非」之下" in miss.text


# --- units, the county, unknown ids ------------------------------------------------------------


def test_a_unit_and_the_county_are_explained(engine, run_cli) -> None:
    ledger = load_ledger(SAMPLE)
    unit = engine.explain(ledger, "县委改革办")
    assert (unit.subject, unit.subject_kind, unit.item, unit.raw_points) == ("县委改革办", "unit", None, None)
    exc = rule_of(unit, "EXC-01")
    assert exc.fired and exc.counterfactuals[0].text == "excellence_goals 需不低于 1(现为 0)"
    for name in ("清溪县", "本县"):
        county = engine.explain(ledger, name)
        assert (county.subject, county.subject_kind) == ("清溪县", "county")
        meeting = rule_of(county, "ENT-03").counterfactuals[0]
        assert meeting.text == "days_since_meeting 需不超过 90(现为 100)"
        assert meeting.ledger.text == ("在 2026-08-30 至 2026-11-28 间召开一次企业座谈会或服务企业会商会"
                                       "(最近一次: 2026-08-20)")
    out = run_cli("explain", "本县", str(SAMPLE)).stdout
    assert out.startswith("县 清溪县 基准日 2026-11-28") and "得分构成" not in out


def test_the_county_counterfactual_applied_clears_ent03(engine, sample) -> None:
    meeting = rule_of(engine.explain(load_ledger(SAMPLE), "本县"), "ENT-03").counterfactuals[0].ledger
    changed = apply_change(sample, "清溪县", meeting.model_dump(mode="json"), AS_OF)
    assert fired_at(engine.evaluate(load_ledger(changed)), "清溪县", "ENT-03") is None


def test_an_unknown_id_gets_did_you_mean(run_cli) -> None:
    with pytest.raises(UsageError) as info:
        Engine.default(backend="python").explain(load_ledger(SAMPLE), "P-0004")
    assert "是否想写 P-004" in str(info.value)
    err = run_cli("explain", "县委改革", str(SAMPLE), code=2).stderr
    assert "错误: ITEM_ID: 县委改革: 台账中没有该编号的事项,也没有该名称的单位或县,是否想写 县委改革办?" in err


# --- the same run as check -----------------------------------------------------------------------


def test_explain_follows_the_waivers_of_the_run(tmp_path: Path, run_cli) -> None:
    waivers = tmp_path / "w.yaml"
    waivers.write_text(yaml.safe_dump({"waivers": [{"item": "P-004", "rule": "LAG-01", "reason": "征地调整",
                                                    "approved_by": "县政府常务会议", "until": "2027-03-31"}]},
                                      allow_unicode=True), encoding="utf-8")
    engine = Engine.default(backend="python")
    ledger = load_ledger(SAMPLE)
    explanation = engine.explain(ledger, "P-004", waivers=[waivers])
    report = engine.evaluate(ledger, waivers=[waivers])
    assert sorted(r.rule for r in explanation.rules if r.fired) == sorted(report.item("P-004").findings)
    lag = rule_of(explanation, "LAG-01")
    assert (lag.fired, lag.severity, lag.points, lag.waiver.reason, lag.counterfactuals) == (
        False, "red", 0.0, "征地调整", [])
    # LAG-03 read the first stage after the waiver: LAG-01 is not among what fired
    reply = rule_of(explanation, "LAG-03")
    assert not reply.fired and reply.checks[0].read == ["LAG-02", "SCH-02"]
    out = run_cli("explain", "P-004", str(SAMPLE), "--waivers", str(waivers)).stdout
    assert "LAG-01 形象进度滞后于序时进度: 已豁免(红): 征地调整(县政府常务会议,至2027-03-31)" in out


def test_explain_follows_the_history_of_the_run() -> None:
    engine = Engine.default(backend="python")
    ledger = make_ledger(make_item(start="2026-10-30", due="2027-02-07", progress=19))  # gap 10: yellow
    history = View({("P-1", "LAG-01"): 1}, red={"P-1": 2})
    explanation = engine.explain(ledger, "P-1", history=history)
    lag = rule_of(explanation, "LAG-01")
    assert (lag.severity, lag.escalated_from, lag.periods) == ("red", "yellow", 2)
    # the escalated red counts as red now: ESC-01 fires after two red periods
    assert rule_of(explanation, "ESC-01").fired
    assert explanation.item.score == engine.evaluate(ledger, history=history).item("P-1").score


def test_the_second_stage_reads_the_first_as_the_run_did(engine) -> None:
    explanation = engine.explain(load_ledger(SAMPLE), "P-004")
    fired = next(leaf for leaf in rule_of(explanation, "LAG-03").checks if leaf.field == "fired")
    assert fired.read == ["LAG-01", "LAG-02", "SCH-02"]


# --- every format --------------------------------------------------------------------------------


def test_json_carries_the_tree_levels_counterfactuals_and_the_old_keys(run_cli) -> None:
    data = json.loads(run_cli("explain", "P-004", str(SAMPLE), "--format", "json").stdout)
    assert {"as_of", "item", "importance", "raw_points", "rules", "notes", "subject", "subject_kind"} <= set(data)
    lag = next(r for r in data["rules"] if r["rule"] == "LAG-01")
    assert {"rule", "title", "fired", "severity", "checks", "level_checks", "magnitude", "factor", "points",
            "message", "tree", "levels", "counterfactuals", "misses"} <= set(lag)
    assert lag["tree"]["node"] == "all" and [c["leaf"]["field"] for c in lag["tree"]["items"]] == [
        "completed", "days_past_due", "progress_gap"]
    assert lag["tree"]["items"][2]["leaf"]["param"] == "lag_yellow_points"
    assert [(lv["severity"], lv["held"], lv["chosen"]) for lv in lag["levels"]] == [("red", True, True),
                                                                                   ("yellow", True, False)]
    assert lag["counterfactuals"][0]["ledger"] == {"field": "progress", "action": "set", "value": 12, "current": 0,
                                                   "text": "形象进度达到 12% 以上(现为 0%)"}


def test_csv_is_one_table_and_markdown_a_block(run_cli) -> None:
    csv_text = run_cli("explain", "P-004", str(SAMPLE), "--format", "csv").stdout
    header, *rows = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))
    assert header == ["对象", "部分", "规则", "结果", "层级", "内容", "读取的值", "运算", "比较对象", "成立", "幅度", "系数",
                      "分值", "说明"]
    column = {name: index for index, name in enumerate(header)}
    assert {row[0] for row in rows} == {"P-004"} and {len(row) for row in rows} == {len(header)}
    lag = [row for row in rows if row[column["规则"]] == "LAG-01"]
    assert all(row[column["结果"]] == "触发(红)" for row in lag)  # the verdict on every row, for filtering
    leaf = next(row for row in lag if row[column["内容"]] == "progress_gap 21.7 ≥ lag_yellow_points 10")
    assert [leaf[column[c]] for c in ("部分", "层级", "读取的值", "运算", "比较对象", "成立")] == [
        "条件", "2", "progress_gap = 21.65", "gte", "lag_yellow_points = 10", "✓"]
    assert any(row[column["部分"]] == "反事实" and row[column["内容"]] ==
               "消除: progress_gap 需低于 10(现为 21.7);台账: 形象进度达到 12% 以上(现为 0%)" for row in lag)
    assert rows[-1][column["部分"]] == "合计" and rows[-1][column["分值"]] == "100"
    unit = run_cli("explain", "县委改革办", str(SAMPLE), "--format", "csv").stdout
    assert not any(part in unit for part in (",得分,", ",合计,"))  # a unit gets no score
    markdown = run_cli("explain", "P-004", str(SAMPLE), "--format", "markdown").stdout
    assert markdown.startswith("# 解释\n\nP-004 「") and "    ✓ progress_gap 21.7 ≥ lag_yellow_points 10" in markdown


def test_the_table_is_the_same_for_both_backends(run_cli) -> None:
    python = run_cli("explain", "P-004", str(SAMPLE), "--backend", "python").stdout
    assert run_cli("explain", "P-004", str(SAMPLE), "--backend", "durable").stdout == python


def test_the_command_line_reads_the_history_for_explain(run_cli, tmp_path: Path) -> None:
    history = str(tmp_path / "h.db")
    run_cli("check", str(SAMPLE), "--as-of", "2026-10-28", "--history", history, "--record")
    out = run_cli("explain", "P-011", str(SAMPLE), "--history", history).stdout
    # SCH-05 was yellow the month before too: raised to red, as check raises it
    assert "SCH-05 完成时间较原计划推迟: 触发(红,由黄升级: 连续2期)" in out
    check = json.loads(run_cli("check", str(SAMPLE), "--history", history, "-f", "json").stdout)
    data = json.loads(run_cli("explain", "P-011", str(SAMPLE), "--history", history, "-f", "json").stdout)
    assert {r["rule"]: r["severity"] for r in data["rules"] if r["fired"]} == {
        f["rule"]: f["severity"] for f in check["findings"] if f["subject"] == "P-011"}
    sweep = json.loads(run_cli("sweep", "slip_yellow_days=90,100", str(SAMPLE), "--history", history, "-f", "json")
                       .stdout)
    assert sweep["baseline"]["findings"] == check["summary"]["findings"]
