"""Three monthly periods through the real history (SPEC "The supervision cycle"), by the library and the CLI.

    item  finding              2026-09-28   2026-10-28                  2026-11-28
    P-1   OWN-03 (no leader)   yellow       red, raised (2 periods)     red, raised (3 periods)
    P-2   OWN-01 (no owner)    red          red                         red, and ESC-01 (red 2 periods before)
    P-3   SCH-04 (due soon)    blue         — the milestone was done: 已销号
    P-4   OWN-03 (no leader)   yellow       waived                      yellow: the waiver ended the streak
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import yaml

from conftest import make_item
from engine import Engine, load_ledger
from engine.diff import compare
from engine.history import HistoryView, open_history, period_of

PERIODS = ("2026-09-28", "2026-10-28", "2026-11-28")
WAIVERS = {"waivers": [{"item": "P-4", "rule": "OWN-03", "reason": "人员调整中", "approved_by": "县委组织部",
                        "from": "2026-10-01", "until": "2026-10-31"}]}


def ledger_at(as_of: str) -> dict:
    """The office's ledger as it stood on ``as_of``: fresh reports, P-3's milestone done in October."""
    fresh = {"progress_reported_on": as_of, "supervisions": [{"date": as_of, "by": "县督查室"}]}
    milestone = {"name": "验收", "due": "2026-10-01"}
    if as_of > "2026-09-30":
        milestone["done_on"] = "2026-09-30"
    return {
        "ledger": {"county": "测试县", "as_of": as_of},
        "units": [],
        "items": [
            make_item(id="P-1", leader=None, **fresh),
            make_item(id="P-2", owner="待定", **fresh),
            make_item(id="P-3", milestones=[milestone], **fresh),
            make_item(id="P-4", leader=None, **fresh),
        ],
    }


def findings(report) -> dict[tuple[str, str], tuple]:
    return {(f.subject, f.rule): (f.severity, f.escalated_from, f.periods) for f in report.findings}


def test_three_periods_through_the_library(tmp_path: Path) -> None:
    engine = Engine.default(backend="python")
    (tmp_path / "waivers.yaml").write_text(yaml.safe_dump(WAIVERS, allow_unicode=True), encoding="utf-8")
    reports = []
    with open_history(tmp_path / "h.db") as store:
        for as_of in PERIODS:
            when = date.fromisoformat(as_of)
            report = engine.evaluate(load_ledger(ledger_at(as_of)), as_of=when, history=HistoryView.build(store, when),
                                     waivers=[tmp_path / "waivers.yaml"])
            store.record(report)
            reports.append(report)
        september, october, november = reports
        assert findings(september) == {("P-1", "OWN-03"): ("yellow", None, None), ("P-2", "OWN-01"): ("red", None, None),
                                       ("P-3", "SCH-04"): ("blue", None, None), ("P-4", "OWN-03"): ("yellow", None, None)}
        assert findings(october) == {("P-1", "OWN-03"): ("red", "yellow", 2), ("P-2", "OWN-01"): ("red", None, None)}
        assert [(w.subject, w.rule) for w in october.waived] == [("P-4", "OWN-03")]
        assert october.findings_for("P-1")[0].message.endswith("(连续2期未整改,升级督办)")
        assert findings(november) == {("P-1", "OWN-03"): ("red", "yellow", 3), ("P-2", "OWN-01"): ("red", None, None),
                                      ("P-2", "ESC-01"): ("red", None, None), ("P-4", "OWN-03"): ("yellow", None, None)}
        # The differences, from the recorded periods.
        first = compare(store.period("2026-09-28"), store.period("2026-10-28"))
        second = compare(store.period("2026-10-28"), store.period("2026-11-28"))
    assert [(c.subject, c.rule) for c in first.raised] == [("P-1", "OWN-03")]
    assert [(c.subject, c.rule) for c in first.cleared] == [("P-4", "OWN-03"), ("P-3", "SCH-04")]  # waived = absent
    assert [(c.subject, c.rule) for c in first.unchanged] == [("P-2", "OWN-01")]
    assert [(c.id, c.old_light, c.new_light) for c in first.lights] == [("P-1", "yellow", "red"), ("P-4", "yellow", "green")]
    assert [(c.subject, c.rule) for c in second.new] == [("P-2", "ESC-01"), ("P-4", "OWN-03")]
    assert [(c.subject, c.rule) for c in second.unchanged] == [("P-1", "OWN-03"), ("P-2", "OWN-01")]
    assert second.summary.cleared == second.summary.raised == 0
    assert second == compare(period_of(october), period_of(november))


def test_three_periods_through_the_command_line(tmp_path: Path, run_cli) -> None:
    history = str(tmp_path / "h.db")
    for as_of in PERIODS:
        path = tmp_path / f"{as_of}.yaml"
        path.write_text(yaml.safe_dump(ledger_at(as_of), allow_unicode=True, sort_keys=False), encoding="utf-8")
        run_cli("check", str(path), "--history", history, "--record", "--format", "json",
                "--output", str(tmp_path / f"{as_of}.json"))
    november = json.loads((tmp_path / "2026-11-28.json").read_text(encoding="utf-8"))
    got = {(f["subject"], f["rule"]): (f["severity"], f["escalated_from"], f["periods"]) for f in november["findings"]}
    # Without the waiver, P-4 escalates like P-1.
    assert got == {("P-1", "OWN-03"): ("red", "yellow", 3), ("P-4", "OWN-03"): ("red", "yellow", 3),
                   ("P-2", "OWN-01"): ("red", None, None), ("P-2", "ESC-01"): ("red", None, None)}
    listed = json.loads(run_cli("history", history, "--format", "json").stdout)["periods"]
    assert [(p["as_of"], p["lights"]) for p in listed] == [
        ("2026-09-28", {"red": 1, "yellow": 2, "green": 1}),
        ("2026-10-28", {"red": 3, "yellow": 0, "green": 1}),
        ("2026-11-28", {"red": 3, "yellow": 0, "green": 1}),
    ]
    diff = json.loads(run_cli("diff", "--history", history, "--format", "json").stdout)
    assert diff["summary"] == {"new": 1, "cleared": 0, "raised": 0, "lowered": 0, "unchanged": 3, "lights": 0}
    assert [(c["subject"], c["rule"]) for c in diff["new"]] == [("P-2", "ESC-01")]
    # A history given to rank reads the same periods: the same findings as check.
    rank = json.loads(run_cli("rank", str(tmp_path / "2026-11-28.yaml"), "--history", history, "--format", "json").stdout)
    assert {(f["subject"], f["rule"]) for f in rank["findings"]} == set(got)


def test_the_library_takes_a_history_as_a_path_a_store_or_a_view(tmp_path: Path) -> None:
    """Each form gives the same evaluation; the report carries the periods for the dashboard's chart."""
    engine = Engine.default(backend="python")
    path = tmp_path / "h.db"
    with open_history(path) as store:
        for as_of in PERIODS[:2]:
            when = date.fromisoformat(as_of)
            store.record(engine.evaluate(load_ledger(ledger_at(as_of)), as_of=when, history=store))
    when = date.fromisoformat(PERIODS[2])
    ledger = load_ledger(ledger_at(PERIODS[2]))
    by_path = engine.evaluate(ledger, as_of=when, history=path)
    with open_history(path) as store:
        by_store = engine.evaluate(ledger, as_of=when, history=store)
        by_view = engine.evaluate(ledger, as_of=when, history=HistoryView.build(store, when))
    assert by_path.to_json() == by_store.to_json() == by_view.to_json()
    assert ("P-2", "ESC-01") in findings(by_path)
    # no waiver here: P-1's and P-4's OWN-03 escalate from October on
    assert [(p.as_of, p.red, p.yellow) for p in by_path.periods] == [
        ("2026-09-28", 1, 2), ("2026-10-28", 3, 0), ("2026-11-28", 3, 0)]
    assert "periods" not in json.loads(by_path.to_json())  # the chart's data is not part of the JSON report
    assert engine.evaluate(ledger, as_of=when).periods == []
