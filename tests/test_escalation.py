"""Escalation (升级督办) and ESC-01 inside one evaluation, given the history's view of earlier periods.

SPEC Part 2: a finding at `from` whose rule fired on the same subject (not waived) in each of the
`periods − 1` recorded periods just before as_of is raised to `to`: points at the new severity,
`escalated_from` and `periods` (the streak plus this period), the message suffix; first-stage and unit
findings only, before the second stage; never a waived one; without history nothing escalates.
ESC-01: red now (a red first-stage finding, escalated ones included; MULTI-01's own red does not count)
and `red_periods` ≥ interview_red_periods (2).

The view here is written out by hand (what the history store answers is tested with the store).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import make_item, make_ledger
from engine import Engine, load_pack

YELLOW_LAG = dict(start="2026-10-30", due="2027-02-07", progress=19)  # gap 10: LAG-01 yellow (12 × (1 + 10/30))


class View:
    """The history as a run reads it: streaks by (subject, rule), and per-item lights and scores."""

    def __init__(self, streaks: dict | None = None, red: dict | None = None, flagged: dict | None = None,
                 previous: dict | None = None) -> None:
        self.streaks, self.red, self.flagged = streaks or {}, red or {}, flagged or {}
        self.previous = previous or {}

    def streak(self, subject: str, rule: str) -> int:
        return self.streaks.get((subject, rule), 0)

    def series(self) -> list:
        return []

    def previous_light(self, item_id: str):
        return self.previous.get(item_id, (None, None))[0]

    def previous_score(self, item_id: str):
        return self.previous.get(item_id, (None, None))[1]

    def red_periods(self, item_id: str) -> int:
        return self.red.get(item_id, 0)

    def flagged_periods(self, item_id: str) -> int:
        return self.flagged.get(item_id, 0)


def finding(report, rule: str, subject: str = "P-1"):
    found = [f for f in report.findings if f.subject == subject and f.rule == rule]
    return found[0] if found else None


def run(history=None, engine=None, **fields):
    return (engine or Engine.default()).evaluate(make_ledger(make_item(**{**YELLOW_LAG, **fields})), history=history)


def test_without_history_nothing_escalates() -> None:
    lag = finding(run(), "LAG-01")
    assert (lag.severity, lag.escalated_from, lag.periods) == ("yellow", None, None)


def test_a_yellow_that_fired_the_period_before_is_raised_to_red() -> None:
    lag = finding(run(View({("P-1", "LAG-01"): 1})), "LAG-01")
    assert (lag.severity, lag.escalated_from, lag.periods) == ("red", "yellow", 2)
    assert lag.points == pytest.approx(30 * (1 + 10 / 30))  # red base, the same magnitude factor
    assert lag.message.endswith("(连续2期未整改,升级督办)")


def test_periods_counts_the_whole_streak() -> None:
    lag = finding(run(View({("P-1", "LAG-01"): 4})), "LAG-01")
    assert lag.periods == 5 and lag.message.endswith("(连续5期未整改,升级督办)")


def test_the_streak_must_reach_periods_minus_one() -> None:
    engine = Engine.default(params={"escalate_yellow_periods": 3})
    assert finding(run(View({("P-1", "LAG-01"): 1}), engine), "LAG-01").severity == "yellow"
    assert finding(run(View({("P-1", "LAG-01"): 2}), engine), "LAG-01").severity == "red"


def test_red_findings_are_not_raised_further_and_blue_ones_have_no_entry() -> None:
    red = finding(run(View({("P-1", "LAG-01"): 5}), progress=9), "LAG-01")
    assert (red.severity, red.escalated_from) == ("red", None)
    blue = finding(run(View({("P-1", "SCH-04"): 5}), milestones=[{"due": "2026-12-01"}]), "SCH-04")
    assert (blue.severity, blue.escalated_from) == ("blue", None)


def test_an_escalated_yellow_counts_as_red_in_the_second_stage() -> None:
    """LAG-03 reads the escalated severity: red when LAG-01 became red."""
    report = run(View({("P-1", "LAG-01"): 1}), responses=[])
    lag03 = finding(report, "LAG-03")
    assert lag03.severity == "red" and lag03.escalated_from is None  # second-stage findings are not escalated


def test_a_waived_finding_is_never_escalated(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(yaml.safe_dump({"waivers": [{"item": "P-1", "rule": "LAG-01", "reason": "r", "approved_by": "a",
                                                 "until": "2027-01-31"}]}, allow_unicode=True), encoding="utf-8")
    report = Engine.default().evaluate(make_ledger(make_item(**YELLOW_LAG)), waivers=path,
                                       history=View({("P-1", "LAG-01"): 3}))
    (waived,) = report.waived
    assert (waived.severity, waived.escalated_from) == ("yellow", None)


def test_unit_findings_escalate() -> None:
    ledger = make_ledger(make_item(), units=[{"name": "县交通局"}])
    report = Engine.default().evaluate(ledger, history=View({("县交通局", "EXC-01"): 1}))
    exc = finding(report, "EXC-01", "县交通局")
    assert (exc.severity, exc.escalated_from, exc.periods) == ("red", "yellow", 2)


def test_several_entries_the_first_matching_applies_once(tmp_path: Path) -> None:
    (tmp_path / "e.yaml").write_text(
        "escalation:\n  - {from: blue, to: yellow, periods: 2}\n  - {from: yellow, to: red, periods: 2}\n",
        encoding="utf-8")
    (tmp_path / "r.yaml").write_text(yaml.safe_dump({"rules": [{
        "id": "X-01", "title": "t", "clause": "c", "applies_to": ["project"], "when": {"field": "owner", "op": "present"},
        "severity": "blue", "message": "m", "remedy": "r"}]}, allow_unicode=True), encoding="utf-8")
    engine = Engine.from_path(tmp_path)
    found = finding(engine.evaluate(make_ledger(make_item()), history=View({("P-1", "X-01"): 6})), "X-01")
    assert (found.severity, found.escalated_from) == ("yellow", "blue")  # no chain to red


def test_escalation_entries_are_checked_when_the_pack_loads(tmp_path: Path) -> None:
    (tmp_path / "e.yaml").write_text("escalation:\n  - {from: red, to: yellow, periods: 2}\n"
                                     "  - {from: yellow, to: red, periods: {param: nope}}\n", encoding="utf-8")
    with pytest.raises(Exception) as caught:
        load_pack(["builtin", str(tmp_path)])
    text = str(caught.value)
    assert "escalation[0].to" in text and "escalation[1].periods" in text


# --- ESC-01 -----------------------------------------------------------------------------------------


def test_esc01_fires_on_an_item_red_now_and_red_for_two_periods_before() -> None:
    report = run(View(red={"P-1": 2}), progress=9)
    esc = finding(report, "ESC-01")
    assert esc.severity == "red" and esc.points == 30
    assert esc.message == "「测试项目」此前已连续2期亮红灯,本期仍为红灯"
    assert esc.remedy == "约谈责任单位主要负责人,限期整改"


def test_esc01_needs_the_streak_and_a_red_first_stage_finding() -> None:
    assert finding(run(View(red={"P-1": 1}), progress=9), "ESC-01") is None  # one period before is not enough
    assert finding(run(View(red={"P-1": 2})), "ESC-01") is None               # yellow now
    assert finding(run(progress=9), "ESC-01") is None                         # no history at all


def test_esc01_counts_an_escalated_red_but_not_multis_own_red() -> None:
    raised = run(View({("P-1", "LAG-01"): 1}, red={"P-1": 2}))
    assert finding(raised, "ESC-01") is not None
    # three yellows make MULTI-01 red; that red alone is not "red now"
    multi = Engine.default().evaluate(make_ledger(make_item(unit=None, leader=None, milestones=[])),
                                      history=View(red={"P-1": 3}))
    assert finding(multi, "MULTI-01") is not None and finding(multi, "ESC-01") is None


def test_history_metrics_reach_the_rules(tmp_path: Path) -> None:
    """A custom rule reading previous_light and flagged_periods sees the view's answers."""
    (tmp_path / "r.yaml").write_text(yaml.safe_dump({"rules": [{
        "id": "X-01", "title": "t", "clause": "c", "applies_to": ["project"],
        "when": {"all": [{"field": "previous_light", "op": "eq", "value": "red"},
                         {"field": "flagged_periods", "op": "gte", "value": 3}]},
        "severity": "yellow", "message": "上期{previous_light},{previous_score}分", "remedy": "r"}]},
        allow_unicode=True), encoding="utf-8")
    engine = Engine.from_path(tmp_path)
    ledger = make_ledger(make_item(), make_item(id="P-2"))
    view = View(previous={"P-1": ("red", 70.5), "P-2": ("red", 40.0)}, flagged={"P-1": 3, "P-2": 2})
    report = engine.evaluate(ledger, history=view)
    assert [(f.subject, f.message) for f in report.findings] == [("P-1", "上期red,70.5分")]
