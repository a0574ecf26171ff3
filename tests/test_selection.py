"""Choosing the rules (SPEC Part 2, "Choosing the rules: select, ignore, profiles; filters").

--select/--ignore with ids and families, "是否想写" for unknown ones, `selected` in the report and in
its sha256, profiles (the built-in `delivery`), categories on rules, findings and the summary, the
library's select=/ignore=/profile=; and the display filters.
"""

from __future__ import annotations

import json

import pytest

from conftest import SAMPLE, make_item, make_ledger
from engine import Engine, UsageError, load_ledger, load_pack

SAMPLE_LEDGER = load_ledger(SAMPLE)


def ids(report) -> set[str]:
    return {f.rule for f in report.findings}


# --- select and ignore ---------------------------------------------------------------------------


def test_select_by_family_and_id_evaluates_only_those() -> None:
    engine = Engine.default(select=["SUP", "OWN-01"])
    assert [r.id for r in engine.pack.rules] == ["OWN-01", "SUP-01", "SUP-02", "SUP-03"]
    report = engine.evaluate(SAMPLE_LEDGER)
    assert ids(report) <= {"OWN-01", "SUP-01", "SUP-02", "SUP-03"} and ids(report)
    assert report.rules.selected == ["OWN-01", "SUP-01", "SUP-02", "SUP-03"]


def test_ignore_removes_and_commas_split() -> None:
    engine = Engine.default(ignore=["OWN,SUP-01", "MULTI"])
    chosen = {r.id for r in engine.pack.rules}
    assert not chosen & {"OWN-01", "OWN-02", "OWN-03", "SUP-01", "MULTI-01"}
    assert {"SUP-02", "SUP-03", "LAG-01"} <= chosen


def test_multi_counts_only_selected_rules() -> None:
    """OWN-01 red, OWN-02 and OWN-03 yellow make MULTI-01 fire; without OWN-03 only two count."""
    ledger = make_ledger(make_item(owner=None, unit=None, leader=None))
    assert "MULTI-01" in ids(Engine.default().evaluate(ledger))
    assert "MULTI-01" not in ids(Engine.default(ignore=["OWN-03"]).evaluate(ledger))


@pytest.mark.parametrize("option, name, hint", [
    ("select", "SUPP", "SUP"),
    ("select", "OWN-1", "OWN-01"),
    ("ignore", "lag-01", "LAG-01"),
])
def test_unknown_id_or_family_is_a_usage_error_with_a_hint(option: str, name: str, hint: str) -> None:
    with pytest.raises(UsageError) as caught:
        load_pack("builtin", **{option: [name]})
    assert f"是否想写 {hint}" in str(caught.value)


def test_sha256_covers_the_selection_only_when_it_leaves_a_rule_out() -> None:
    full = load_pack("builtin").sha256
    everything = sorted(r.id for r in load_pack("builtin").rules)
    assert load_pack("builtin", select=everything).sha256 == full
    assert load_pack("builtin", ignore=["SCH-04"]).sha256 != full
    assert load_pack("builtin", ignore=["SCH-04"]).sha256 == load_pack("builtin", ignore=["SCH-04"]).sha256


# --- profiles ------------------------------------------------------------------------------------


def test_the_delivery_profile() -> None:
    engine = Engine.default(profile="delivery")
    chosen = {r.id for r in engine.pack.rules}
    assert chosen == {"PLAN-01", "SCH-01", "SCH-02", "SCH-03", "SCH-04", "SCH-05", "LAG-01", "LAG-02", "FAC-01",
                      "ENT-02", "SUP-03"}
    # a ledger with no people, replies or supervision records is no longer all red
    bare = make_ledger(*[make_item(id=f"P-{n}", owner=None, unit=None, leader=None, supervisions=[], responses=[])
                         for n in range(3)])
    assert {i.light for i in Engine.default().evaluate(bare).items} == {"red"}
    assert {i.light for i in engine.evaluate(bare).items} == {"green"}


def test_a_profile_joins_the_callers_lists() -> None:
    engine = Engine.default(profile="delivery", select=["OWN-01"], ignore=["SCH-04"])
    chosen = {r.id for r in engine.pack.rules}
    assert "OWN-01" in chosen and "SCH-04" not in chosen and "LAG-01" in chosen


def test_an_unknown_profile_names_the_known_ones() -> None:
    with pytest.raises(UsageError) as caught:
        load_pack("builtin", profile="delivry")
    assert "delivery" in str(caught.value) and "是否想写" in str(caught.value)


def test_a_profile_naming_an_unknown_rule_is_a_located_pack_error(tmp_path) -> None:
    (tmp_path / "p.yaml").write_text(
        "profiles:\n  mine: {title: 我的, select: [LAG-01, NOPE-1]}\n", encoding="utf-8")
    with pytest.raises(Exception) as caught:
        load_pack(["builtin", str(tmp_path)])
    assert "profiles.mine.select[1]" in str(caught.value) and "NOPE-1" in str(caught.value)


# --- categories ----------------------------------------------------------------------------------


def test_every_rule_finding_and_the_summary_carry_a_category() -> None:
    pack = load_pack("builtin")
    assert all(rule.category for rule in pack.rules)
    expected = {"OWN": "责任落实", "PLAN": "计划管理", "SCH": "进度时限", "LAG": "进度时限", "SUP": "督查问效",
                "ESC": "督查问效", "FAC": "要素保障", "ENT": "服务企业", "REF": "改革", "EXC": "创先争优",
                "ECO": "经济指标", "MULTI": "综合研判"}
    assert {r.id: r.category for r in pack.rules} == {r.id: expected[r.id.split("-")[0]] for r in pack.rules}
    report = Engine.default().evaluate(SAMPLE_LEDGER)
    assert all(f.category == pack.rule(f.rule).category for f in report.findings)
    counted = {c: sum(1 for f in report.findings if f.category == c) for c in report.summary.categories}
    assert report.summary.categories == counted
    assert sum(report.summary.categories.values()) == len(report.findings)


def test_a_custom_rule_takes_its_familys_category_or_other(tmp_path) -> None:
    rule = ("  - {{id: {id}, title: t, clause: c, applies_to: [project], when: {{field: owner, op: missing}}, "
            "severity: yellow, message: m, remedy: r}}\n")
    (tmp_path / "x.yaml").write_text("rules:\n" + rule.format(id="SUP-09") + rule.format(id="CTY-01"),
                                     encoding="utf-8")
    pack = load_pack(str(tmp_path))
    assert pack.rule("SUP-09").category == "督查问效" and pack.rule("CTY-01").category == "其他"


# --- the command line ----------------------------------------------------------------------------


def test_cli_select_ignore_profile_and_selected_in_json(run_cli) -> None:
    data = json.loads(run_cli("check", str(SAMPLE), "--select", "LAG", "--ignore", "LAG-03", "--format", "json").stdout)
    assert data["rules"]["selected"] == ["LAG-01", "LAG-02"]
    assert {f["rule"] for f in data["findings"]} <= {"LAG-01", "LAG-02"}
    delivery = json.loads(run_cli("check", str(SAMPLE), "--profile", "delivery", "--format", "json").stdout)
    assert "OWN-01" not in delivery["rules"]["selected"]


def test_cli_unknown_rule_exits_2_with_one_line(run_cli) -> None:
    result = run_cli("check", str(SAMPLE), "--select", "SUPP", code=2)
    assert result.stderr.strip() == "错误: --select: SUPP: 规则包中没有规则或规则族 'SUPP',是否想写 SUP?"


# --- filters -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def full():
    return Engine.default().evaluate(SAMPLE_LEDGER)


def test_unit_filter_keeps_that_units_items_with_county_wide_ranks(full) -> None:
    shown = full.filtered(units=["县住建局"])
    assert shown.items and {i.unit for i in shown.items} == {"县住建局"}
    assert [i.rank for i in shown.items] == [i.rank for i in full.items if i.unit == "县住建局"]
    assert shown.summary.items == len(shown.items)
    kept_items = {i.id for i in shown.items}
    assert all(f.subject in kept_items or f.subject_kind in ("unit", "county") for f in shown.findings)
    # unit and county findings are kept under a filter
    assert {f.subject_kind for f in full.findings if f.subject_kind != "project"} >= {"unit", "county"}
    assert {f.rule for f in shown.findings if f.subject_kind in ("unit", "county")} == {"EXC-01", "ENT-03"}
    assert any("筛选" in note and "县住建局" in note for note in shown.notes)


def test_min_severity_drops_lower_findings_and_the_items_left_without_one(full) -> None:
    shown = full.filtered(min_severity="red")
    assert {f.severity for f in shown.findings} == {"red"}
    assert {i.id for i in shown.items} == {f.subject for f in shown.findings if f.subject_kind not in ("unit", "county")}
    assert shown.summary.findings == {"red": len(shown.findings), "yellow": 0, "blue": 0}


def test_top_applies_after_the_filters_and_drops_unit_and_county_findings(full) -> None:
    shown = full.filtered(leaders=["赵永明"], top=2)
    assert [i.id for i in shown.items] == [i.id for i in full.items if i.leader == "赵永明"][:2]
    assert {f.subject for f in shown.findings} == {i.id for i in shown.items} - {
        i.id for i in shown.items if not i.findings}
    assert any("前 2 个事项" in note and "单位和全县的预警未列出" in note for note in shown.notes)


def test_kind_filter_and_rank_top_trims_findings(run_cli) -> None:
    """rank --top 3 --format json lists 3 items and only their findings (issue 10, bug 6)."""
    data = json.loads(run_cli("rank", str(SAMPLE), "--top", "3", "--format", "json").stdout)
    assert len(data["items"]) == 3
    assert {f["subject"] for f in data["findings"]} <= {i["id"] for i in data["items"]}
    enterprises = json.loads(run_cli("check", str(SAMPLE), "--kind", "enterprise", "--format", "json").stdout)
    assert {i["kind"] for i in enterprises["items"]} == {"enterprise"}


def test_no_filter_is_the_report_itself(full) -> None:
    assert full.filtered() is full
