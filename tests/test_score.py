"""The priority score, tiers, lights, the ranking and the order of findings (SPEC.md "Priority score").

Score = min(100, sum of points × importance), rounded half up to one decimal; importance
national 1.3, provincial 1.2, municipal 1.1, county 1.0; tiers critical ≥ 70, high ≥ 40,
medium ≥ 20, low below, on the rounded score. Every expected value below is worked out by
hand from the rules' points (base red 30, yellow 12, blue 3 × factor).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from conftest import make_item, make_ledger
from engine import Engine

AS_OF = date(2026, 11, 28)


def d(days: int) -> str:
    return (AS_OF + timedelta(days=days)).isoformat()


def lagging(progress: Any, **fields: Any) -> dict:
    """29 days into a 100-day plan: expected progress 29%, so the gap is 29 − progress."""
    return dict(start=d(-29), due=d(71), progress=progress, **fields)


def indicator(**fields: Any) -> dict:
    base = dict(
        kind="indicator", title="指标", owner=None, unit=None, leader=None, start=None, due=None, started_on=None,
        progress=None, progress_reported_on=None, milestones=None, supervisions=None, rank=1, rank_of=10,
    )
    return {**base, **fields}


@pytest.fixture(params=["python", "durable"])
def engine(request: pytest.FixtureRequest) -> Engine:
    return request.getfixturevalue(f"{request.param}_engine")


SCORES = [
    # label, item fields, score, tier, light
    ("no findings", dict(), 0.0, "low", "green"),
    ("blue only is green", dict(milestones=[{"due": d(3)}]), 3.0, "low", "green"),
    ("one red, county", dict(owner=None), 30.0, "medium", "red"),
    ("one red, municipal ×1.1", dict(owner=None, level="municipal"), 33.0, "medium", "red"),
    ("one red, provincial ×1.2", dict(owner=None, level="provincial"), 36.0, "medium", "red"),
    ("one red, national ×1.3", dict(owner=None, level="national"), 39.0, "medium", "red"),
    ("one yellow", dict(unit=None), 12.0, "low", "yellow"),
    # LAG-01 gap 10.625: 12 × (1 + 10.625/30) = 16.25 → 16.3 (half up; not 16.2)
    ("16.25 rounds half up", lagging(18.375), 16.3, "low", "yellow"),
    # ECO-01 shortfall 0.75: 12 × (1 + 0.75/2) = 16.5; × 1.3 = 21.45 → 21.5
    ("21.45 rounds half up", indicator(level="national", value=4.25, benchmarks={"national": 5.0}), 21.5, "medium", "yellow"),
    # LAG-01 16.25 + SUP-01 d=32: 12 × (1 + 32/90) = 16.2666…; sum 32.5166… → 32.5 (points are not rounded first)
    ("points are not rounded", lagging(18.375, supervisions=[{"date": d(-32)}]), 32.5, "medium", "yellow"),
    # OWN-01 30 + SCH-03 20 days 30 × (1 + 20/60) = 40 → 70
    ("exactly 70 is critical", dict(owner=None, due=d(-20)), 70.0, "critical", "red"),
    # ECO-01 red, shortfall 1.86: 30 × 1.93 = 57.9; + ECO-02 12 = 69.9
    ("69.9 is high", indicator(value=3.14, benchmarks={"national": 5.0, "provincial": 5.0}, rank=10), 69.9, "high", "red"),
    ("exactly 40 is high", dict(due=d(-20)), 40.0, "high", "red"),
    # ECO-01 red, shortfall 0.66: 30 × 1.33 = 39.9
    ("39.9 is medium", indicator(value=4.34, benchmarks={"national": 5.0, "provincial": 5.0}), 39.9, "medium", "red"),
    # SUP-01 60 days: 12 × (1 + 60/90) = 20
    ("exactly 20 is medium", dict(supervisions=[{"date": d(-60)}]), 20.0, "medium", "yellow"),
    # LAG-01 gap 19.75: 12 + 0.4 × 19.75 = 19.9
    ("19.9 is low", lagging(9.25), 19.9, "low", "yellow"),
    # LAG-01 gap 19.875: 19.95 → 20.0: tiers use the rounded score
    ("19.95 rounds to 20.0 and is medium", lagging(9.125), 20.0, "medium", "yellow"),
    # OWN-01 30 + OWN-02 12 + OWN-03 12 + SCH-03 60 + SUP-01 never (start 331 days ago) 60 + MULTI-01 30 = 204
    ("capped at 100", dict(owner=None, unit=None, leader=None, due=d(-90), supervisions=[]), 100.0, "critical", "red"),
    # OWN-01 30 + SCH-03 60 days 60 = 90; × 1.3 = 117 → 100
    ("capped after importance", dict(owner=None, due=d(-60), level="national"), 100.0, "critical", "red"),
]


@pytest.mark.parametrize("fields,score,tier,light", [pytest.param(*s[1:], id=s[0]) for s in SCORES])
def test_item_score_tier_and_light(engine: Engine, fields: dict, score: float, tier: str, light: str) -> None:
    report = engine.evaluate(make_ledger(make_item(**fields)))
    (item,) = report.items
    assert item.score == score
    assert item.tier == tier
    assert item.light == light
    assert item.rank == 1


def test_points_are_exact_not_rounded(python_engine: Engine) -> None:
    report = python_engine.evaluate(make_ledger(make_item(**lagging(18.375, supervisions=[{"date": d(-32)}]))))
    points = {f.rule: f.points for f in report.findings}
    assert points["LAG-01"] == 16.25
    assert points["SUP-01"] == pytest.approx(12 * (1 + 32 / 90), abs=1e-9)


def test_factor_is_one_when_magnitude_not_positive(tmp_path) -> None:
    """A rule firing above pace (ratio 1.1): its magnitude (1 − ratio) × 100 = −10 gives factor 1.

    The default pack bounds its ratios to 0..1, so a pack of its own fires above pace.
    """
    (tmp_path / "ahead.yaml").write_text("""
rules:
  - id: X-01
    title: 投资超前
    clause: 要建立项目动态管理机制
    applies_to: [project]
    when: {field: investment_ratio, op: lt, value: 1.5}
    severity: yellow
    magnitude: {field: investment_shortfall, scale: 50}
    message: "「{title}」"
    remedy: 核实
""", encoding="utf-8")
    engine = Engine.from_path(tmp_path, backend="python")
    # 36500 × 332/365 = 33200 time-proportional; 36520 / 33200 = 1.1
    report = engine.evaluate(make_ledger(make_item(investment={"planned": 36500, "completed": 36520})))
    (finding,) = [f for f in report.findings if f.rule == "X-01"]
    assert finding.severity == "yellow"
    assert finding.points == 12


def test_score_json_has_one_decimal(python_engine: Engine) -> None:
    import json

    report = python_engine.evaluate(make_ledger(make_item(**lagging(18.375))))
    data = json.loads(report.to_json())
    assert data["items"][0]["score"] == 16.3


# --- ranking ----------------------------------------------------------------------------


def test_ranking_order(engine: Engine) -> None:
    items = [
        make_item(id="A-9"),                                              # 0
        make_item(id="B-2", unit=None),                                   # 12
        make_item(id="R-2", **lagging(18.25)),                            # gap 10.75: 12 + 4.3 = 16.3
        make_item(id="C-1", unit=None, supervisions=[{"date": d(-45)}]),  # 12 + 12 × 1.5 = 30, no red
        make_item(id="A-1"),                                              # 0
        make_item(id="R-1", **lagging(18.375)),                           # 16.25 → 16.3: a tie after rounding
        make_item(id="C-3", owner=None),                                  # 30, one red
        make_item(id="B-1", unit=None),                                   # 12
    ]
    report = engine.evaluate(make_ledger(*items))
    ranked = [(i.rank, i.id, i.score) for i in report.items]
    assert ranked == [
        (1, "C-3", 30.0),  # same score as C-1, more red findings
        (2, "C-1", 30.0),
        (3, "R-2", 16.3),  # rank uses the rounded score: tie with R-1, then the uncapped score (16.3 > 16.25)
        (4, "R-1", 16.3),
        (5, "B-1", 12.0),
        (6, "B-2", 12.0),
        (7, "A-1", 0.0),   # items without findings are ranked too
        (8, "A-9", 0.0),
    ]
    clean = report.item("A-1")
    assert clean.findings == [] and clean.light == "green" and clean.tier == "low"


def test_ranked_items_carry_the_spec_fields(python_engine: Engine) -> None:
    report = python_engine.evaluate(make_ledger(make_item(id="P-7", owner=None, leader="赵六", unit="县财政局")))
    (item,) = report.items
    assert item.model_dump() == {
        "id": "P-7", "kind": "project", "title": "测试项目", "owner": None, "unit": "县财政局", "leader": "赵六",
        "light": "red", "score": 30.0, "tier": "medium", "rank": 1, "findings": ["OWN-01"], "level": "county",
    }


# --- order of findings and the summary -------------------------------------------------------


def _ordered_ledger():
    items = [
        # 1 red (OWN-01), 1 red (SCH-03 10 days: 35), yellow OWN-02, OWN-03, blue SCH-04, and MULTI-01 red
        make_item(id="Z-1", owner=None, unit=None, leader=None, due=d(-10), milestones=[{"due": d(3)}]),
        # yellow OWN-03 and PLAN-02: 24
        make_item(id="A-1", leader=None, milestones=[]),
        make_item(id="M-1"),
    ]
    return make_ledger(*items, units=[{"name": "县财政局"}, {"name": "县交通局"}])


def test_findings_order(engine: Engine) -> None:
    report = engine.evaluate(_ordered_ledger())
    assert [(f.subject, f.rule) for f in report.findings] == [
        ("Z-1", "MULTI-01"),  # rank 1: red by rule id
        ("Z-1", "OWN-01"),
        ("Z-1", "SCH-03"),
        ("Z-1", "OWN-02"),    # then yellow
        ("Z-1", "OWN-03"),
        ("Z-1", "SCH-04"),    # then blue
        ("A-1", "OWN-03"),    # rank 2
        ("A-1", "PLAN-02"),
        ("县交通局", "EXC-01"),  # unit findings last, by unit name (交 U+4EA4 < 财 U+8D22)
        ("县财政局", "EXC-01"),
    ]


def test_summary_counts(engine: Engine) -> None:
    report = engine.evaluate(_ordered_ledger())
    # Z-1: 30 + 35 + 30 + 12 + 12 + 3 = 122 → 100 critical, red; A-1: 24 medium, yellow; M-1: 0 low, green
    assert [(i.id, i.score, i.tier, i.light) for i in report.items] == [
        ("Z-1", 100.0, "critical", "red"), ("A-1", 24.0, "medium", "yellow"), ("M-1", 0.0, "low", "green"),
    ]
    summary = report.summary
    assert summary.items == 3
    assert summary.findings == {"red": 3, "yellow": 6, "blue": 1}
    assert summary.lights == {"red": 1, "yellow": 1, "green": 1}
    assert summary.tiers == {"critical": 1, "high": 0, "medium": 1, "low": 1}


def test_units_get_no_score(engine: Engine) -> None:
    report = engine.evaluate(_ordered_ledger())
    assert [i.id for i in report.items] == ["Z-1", "A-1", "M-1"]
    assert {f.subject_kind for f in report.findings if f.rule == "EXC-01"} == {"unit"}


def test_weights_come_from_the_pack(tmp_path) -> None:
    """The default pack's scoring.yaml holds the weights; a copy with other weights changes the score."""
    import shutil

    from engine.resources import builtin_rules_dir

    pack = tmp_path / "pack"
    shutil.copytree(builtin_rules_dir(), pack)
    (pack / "scoring.yaml").write_text(
        "scoring:\n  base: {red: 50, yellow: 10, blue: 1}\n"
        "  importance: {national: 2, provincial: 1.5, municipal: 1.25, county: 1}\n"
        "  tiers: {critical: 90, high: 60, medium: 30}\n  max_score: 100\n",
        encoding="utf-8",
    )
    engine = Engine.from_path(pack, backend="python")
    report = engine.evaluate(make_ledger(make_item(owner=None, level="provincial")))
    (item,) = report.items
    assert item.score == 75.0  # 50 × 1.5
    assert item.tier == "high"
