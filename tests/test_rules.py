"""Every rule of the default pack, at each level and one step below each threshold.

Expected severities and points are derived by hand from SPEC.md ("The default rule
pack" and "Priority score"): a finding earns ``base(severity) × factor`` with base
red 30, yellow 12, blue 3 and ``factor = 1 + min(magnitude / scale, 1)`` (2 when
saturated, 1 without a magnitude or when it is ≤ 0). Every case runs through both
backends (the Rete engine and the Python evaluator); their reports must agree.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from typing import Any, Optional

import pytest

from conftest import make_item, make_ledger
from engine import Engine

AS_OF = date(2026, 11, 28)
AS_OF_TEXT = AS_OF.isoformat()
BASE = {"red": 30, "yellow": 12, "blue": 3}
KINDS = ("project", "enterprise", "reform", "excellence", "party", "task", "indicator")
WORK_KINDS = ("project", "reform", "task", "party", "excellence")
ALL_BUT_INDICATOR = tuple(k for k in KINDS if k != "indicator")


def d(days: int, base: date = AS_OF) -> str:
    """The date ``days`` after ``base`` (negative: before), as ledger text."""
    return (base + timedelta(days=days)).isoformat()


def pts(severity: str, magnitude: Any = None, scale: Any = None, *, saturated: bool = False) -> Fraction:
    """Points of one finding, straight from the spec's formula."""
    if saturated:
        factor = Fraction(2)
    elif magnitude is None:
        factor = Fraction(1)
    else:
        m = magnitude if isinstance(magnitude, Fraction) else Fraction(str(magnitude))
        factor = Fraction(1) if m <= 0 else 1 + min(m / Fraction(str(scale)), Fraction(1))
    return BASE[severity] * factor


# --- item shapes other than the conftest's clean project -----------------------------

ENTERPRISE = dict(
    id="E-1", kind="enterprise", title="测试企业", start=None, due=None, started_on=None, progress=None,
    progress_reported_on=None, milestones=None, supervisions=None, visits=[{"date": d(-10), "leader": "李四"}],
)
REFORM = dict(id="R-1", kind="reform", title="测试改革", goal="建立新机制", path="试点先行", measures="出台实施方案")
EXCELLENCE = dict(id="X-1", kind="excellence", title="争创示范县", goal="创成省级示范县")
INDICATOR = dict(
    id="I-1", kind="indicator", title="地区生产总值增速", owner=None, unit=None, leader=None, start=None, due=None,
    started_on=None, progress=None, progress_reported_on=None, milestones=None, supervisions=None,
    value=6.0, benchmarks={"national": 5.0}, rank=1, rank_of=10,
)


def enterprise(**fields: Any) -> dict:
    return {**ENTERPRISE, **fields}


def reform(**fields: Any) -> dict:
    return {**REFORM, **fields}


def excellence(**fields: Any) -> dict:
    return {**EXCELLENCE, **fields}


def indicator(**fields: Any) -> dict:
    return {**INDICATOR, **fields}


def lagging(progress: Any, **fields: Any) -> dict:
    """A project 29 days into a 100-day plan: expected progress is exactly 29%."""
    return dict(start=d(-29), due=d(71), progress=progress, **fields)


# --- running -------------------------------------------------------------------------


@pytest.fixture(params=["python", "durable"])
def engine(request: pytest.FixtureRequest) -> Engine:
    return request.getfixturevalue(f"{request.param}_engine")


def run(engine: Engine, *items: dict, units: Optional[list] = None, as_of: str = AS_OF_TEXT):
    return engine.evaluate(make_ledger(*items, units=units, as_of=as_of))


def only(report, subject: str, rule: str):
    found = [f for f in report.findings if f.subject == subject and f.rule == rule]
    assert len(found) <= 1, f"{rule} fired {len(found)} times on {subject}"
    return found[0] if found else None


def check(report, subject: str, rule: str, severity: Optional[str], points: Optional[Fraction]) -> None:
    finding = only(report, subject, rule)
    if severity is None:
        assert finding is None, f"{rule} should not fire on {subject}: {finding and finding.message}"
        return
    assert finding is not None, f"{rule} should fire ({severity}) on {subject}; fired: {[f.rule for f in report.findings]}"
    assert finding.severity == severity
    assert finding.points == pytest.approx(float(points), abs=1e-9)


def case(label: str, rule: str, severity: Optional[str], points: Any, fields: dict, *,
         as_of: str = AS_OF_TEXT, units: Optional[list] = None, subject: Optional[str] = None):
    item = make_item(**fields)
    if severity is not None and points is None:
        points = pts(severity)
    return pytest.param(rule, item, as_of, units, subject or item["id"], severity, points, id=f"{rule} {label}")


CASES = [
    # ---------------- OWN-01: owner missing → red
    case("owner absent", "OWN-01", "red", 30, dict(owner=None)),
    *[case(f"owner {text!r} is a placeholder", "OWN-01", "red", 30, dict(owner=text))
      for text in ["", "   ", "待定", " 待定 ", "待明确", "未定", "暂无", "无", "未知", "TBD", "tbd", "N/A", "n/a", "NA",
                   "-", "—", "?"]],
    case("王无忌 is a name", "OWN-01", None, None, dict(owner="王无忌")),
    case("待定人员 is not exactly a placeholder", "OWN-01", None, None, dict(owner="待定人员")),
    case("owner named", "OWN-01", None, None, dict()),
    case("enterprise owner missing", "OWN-01", "red", 30, enterprise(owner="待定")),
    case("indicator never", "OWN-01", None, None, indicator()),
    # ---------------- OWN-02: lead unit missing → yellow
    case("unit absent", "OWN-02", "yellow", 12, dict(unit=None)),
    case("unit placeholder", "OWN-02", "yellow", 12, dict(unit="待定")),
    case("unit named", "OWN-02", None, None, dict()),
    case("indicator never", "OWN-02", None, None, indicator(unit=None)),
    # ---------------- OWN-03: contact leader missing → yellow (project, enterprise)
    case("leader absent", "OWN-03", "yellow", 12, dict(leader=None)),
    case("leader placeholder", "OWN-03", "yellow", 12, dict(leader="待明确")),
    case("enterprise leader absent", "OWN-03", "yellow", 12, enterprise(leader=None)),
    case("reform needs no leader", "OWN-03", None, None, reform(leader=None)),
    case("leader named", "OWN-03", None, None, dict()),
    # ---------------- PLAN-01: no due date → red
    case("no due", "PLAN-01", "red", 30, dict(due=None)),
    case("due given", "PLAN-01", None, None, dict()),
    case("excellence is not planned", "PLAN-01", None, None, excellence(due=None)),
    # ---------------- PLAN-02: no milestones → yellow (project, reform)
    case("empty milestones", "PLAN-02", "yellow", 12, dict(milestones=[])),
    case("absent milestones", "PLAN-02", "yellow", 12, dict(milestones=None)),
    case("reform without milestones", "PLAN-02", "yellow", 12, reform(milestones=[])),
    case("task without milestones", "PLAN-02", None, None, dict(kind="task", milestones=[])),
    case("milestones given", "PLAN-02", None, None, dict()),
    # ---------------- SCH-01: open milestone overdue; red at ≥ 15 days; magnitude overdue days / 30
    case("due today is not overdue", "SCH-01", None, None, dict(milestones=[{"due": d(0)}])),
    case("overdue 1 day", "SCH-01", "yellow", pts("yellow", 1, 30), dict(milestones=[{"due": d(-1)}])),
    case("overdue 14 days", "SCH-01", "yellow", pts("yellow", 14, 30), dict(milestones=[{"due": d(-14)}])),
    case("overdue 15 days", "SCH-01", "red", pts("red", 15, 30), dict(milestones=[{"due": d(-15)}])),
    case("overdue 30 days saturates", "SCH-01", "red", 60, dict(milestones=[{"due": d(-30)}])),
    case("overdue 45 days saturates", "SCH-01", "red", 60, dict(milestones=[{"due": d(-45)}])),
    case("largest of two overdue", "SCH-01", "red", pts("red", 16, 30),
         dict(milestones=[{"due": d(-3)}, {"due": d(-16)}])),
    case("done milestones do not count", "SCH-01", "yellow", pts("yellow", 3, 30),
         dict(milestones=[{"due": d(-16), "done_on": d(-16)}, {"due": d(-3)}])),
    case("done late but done", "SCH-01", None, None, dict(milestones=[{"due": d(-30), "done_on": d(-20)}])),
    case("done_on after as_of has not happened", "SCH-01", "red", pts("red", 20, 30),
         dict(milestones=[{"due": d(-20), "done_on": d(1)}])),
    case("completed item", "SCH-01", None, None, dict(completed_on=d(-1), milestones=[{"due": d(-20)}])),
    case("progress 100 is completed", "SCH-01", None, None, dict(progress=100, milestones=[{"due": d(-20)}])),
    case("completed_on after as_of is not completed", "SCH-01", "red", pts("red", 20, 30),
         dict(completed_on=d(2), milestones=[{"due": d(-20)}])),
    case("excellence", "SCH-01", "yellow", pts("yellow", 5, 30), excellence(milestones=[{"due": d(-5)}])),
    case("enterprise never", "SCH-01", None, None, enterprise(milestones=[{"due": d(-20)}])),
    # ---------------- SCH-02: project not started; yellow ≥ 30 days after start, red ≥ 90; magnitude / 90
    case("29 days after start", "SCH-02", None, None, dict(start=d(-29), started_on=None, progress=None)),
    case("30 days after start", "SCH-02", "yellow", pts("yellow", 30, 90), dict(start=d(-30), started_on=None, progress=None)),
    case("89 days after start", "SCH-02", "yellow", pts("yellow", 89, 90), dict(start=d(-89), started_on=None, progress=None)),
    case("90 days after start", "SCH-02", "red", pts("red", 90, 90), dict(start=d(-90), started_on=None, progress=None)),
    case("120 days saturates", "SCH-02", "red", 60, dict(start=d(-120), started_on=None, progress=None)),
    case("progress 0 is not started", "SCH-02", "yellow", pts("yellow", 40, 90), dict(start=d(-40), started_on=None, progress=0)),
    case("progress 5 has started", "SCH-02", None, None, dict(start=d(-100), started_on=None, progress=5)),
    case("started_on given", "SCH-02", None, None, dict(start=d(-100), started_on=d(-1), progress=0)),
    case("started_on after as_of has not happened", "SCH-02", "yellow", pts("yellow", 40, 90),
         dict(start=d(-40), started_on=d(1), progress=None)),
    case("progress reported after as_of is unknown", "SCH-02", "yellow", pts("yellow", 40, 90),
         dict(start=d(-40), started_on=None, progress=30, progress_reported_on=d(1))),
    case("completed", "SCH-02", None, None, dict(start=d(-100), started_on=None, progress=None, completed_on=d(-1))),
    case("reform never", "SCH-02", None, None, reform(start=d(-100), started_on=None, progress=None)),
    # ---------------- SCH-03: due < as_of, not completed → red; magnitude days past due / 60
    case("due today", "SCH-03", None, None, dict(due=d(0))),
    case("1 day past due", "SCH-03", "red", pts("red", 1, 60), dict(due=d(-1))),
    case("30 days past due", "SCH-03", "red", pts("red", 30, 60), dict(due=d(-30))),
    case("60 days saturates", "SCH-03", "red", 60, dict(due=d(-60))),
    case("90 days saturates", "SCH-03", "red", 60, dict(due=d(-90))),
    case("completed late", "SCH-03", None, None, dict(due=d(-10), completed_on=d(-5))),
    case("progress 100", "SCH-03", None, None, dict(due=d(-10), progress=100)),
    case("completed_on after as_of", "SCH-03", "red", pts("red", 10, 60), dict(due=d(-10), completed_on=d(5))),
    case("progress 100 reported after as_of is not completion", "SCH-03", "red", pts("red", 10, 60),
         dict(due=d(-10), progress=100, progress_reported_on=d(1))),
    case("excellence past due", "SCH-03", "red", pts("red", 10, 60), excellence(due=d(-10))),
    case("enterprise never", "SCH-03", None, None, enterprise(due=d(-10))),
    # ---------------- SCH-04: open milestone with as_of ≤ due ≤ as_of + 7 → blue
    case("milestone due today", "SCH-04", "blue", 3, dict(milestones=[{"due": d(0)}])),
    case("milestone due in 7 days", "SCH-04", "blue", 3, dict(milestones=[{"due": d(7)}])),
    case("milestone due in 8 days", "SCH-04", None, None, dict(milestones=[{"due": d(8)}])),
    case("milestone overdue is not upcoming", "SCH-04", None, None, dict(milestones=[{"due": d(-1)}])),
    case("milestone already done", "SCH-04", None, None, dict(milestones=[{"due": d(3), "done_on": d(-1)}])),
    case("completed item", "SCH-04", None, None, dict(progress=100, milestones=[{"due": d(3)}])),
    case("party", "SCH-04", "blue", 3, dict(kind="party", milestones=[{"due": d(3)}])),
    # ---------------- LAG-01: progress gap ≥ 10 yellow, ≥ 20 red; magnitude gap / 30
    case("gap exactly 10", "LAG-01", "yellow", pts("yellow", 10, 30), lagging(19)),
    case("gap 9.9", "LAG-01", None, None, lagging(19.1)),
    case("gap 19.9", "LAG-01", "yellow", pts("yellow", "19.9", 30), lagging(9.1)),
    case("gap exactly 20", "LAG-01", "red", pts("red", 20, 30), lagging(9)),
    case("gap 29", "LAG-01", "red", pts("red", 29, 30), lagging(0)),
    case("due today: expected 100", "LAG-01", "yellow", pts("yellow", 10, 30), dict(start=d(-100), due=d(0), progress=90)),
    case("past due is SCH-03, not LAG-01", "LAG-01", None, None, dict(start=d(-101), due=d(-1), progress=0)),
    case("completed", "LAG-01", None, None, lagging(0, completed_on=d(-1))),
    case("progress absent", "LAG-01", None, None, lagging(None)),
    case("progress reported after as_of", "LAG-01", None, None, lagging(0, progress_reported_on=d(1))),
    case("start equals due", "LAG-01", None, None, dict(start=d(10), due=d(10), progress=0)),
    case("task", "LAG-01", "red", pts("red", 20, 30), lagging(9, kind="task")),
    case("excellence never", "LAG-01", None, None, excellence(**lagging(0))),
    # ---------------- LAG-02: investment ratio < 0.8 yellow, < 0.6 red; magnitude (1 − ratio) × 100 / 50
    # 2026-11-28 is day 332 of 365: planned 36500 × 332/365 = 33200 is the time-proportional amount.
    case("ratio exactly 0.8", "LAG-02", None, None, dict(investment={"planned": 36500, "completed": 26560})),
    case("ratio just below 0.8", "LAG-02", "yellow", pts("yellow", (1 - Fraction(26559, 33200)) * 100, 50),
         dict(investment={"planned": 36500, "completed": 26559})),
    case("ratio exactly 0.6", "LAG-02", "yellow", pts("yellow", 40, 50), dict(investment={"planned": 36500, "completed": 19920})),
    case("ratio just below 0.6", "LAG-02", "red", pts("red", (1 - Fraction(19919, 33200)) * 100, 50),
         dict(investment={"planned": 36500, "completed": 19919})),
    case("nothing invested saturates", "LAG-02", "red", 60, dict(investment={"planned": 36500, "completed": 0})),
    case("ahead of pace", "LAG-02", None, None, dict(investment={"planned": 36500, "completed": 36000})),
    case("planned 0", "LAG-02", None, None, dict(investment={"planned": 0, "completed": 0})),
    case("completed amount absent", "LAG-02", None, None, dict(investment={"planned": 36500})),
    case("completed item", "LAG-02", None, None, dict(completed_on=d(-1), investment={"planned": 36500, "completed": 0})),
    case("31 January is too early", "LAG-02", None, None, dict(investment={"planned": 36500, "completed": 0}),
         as_of="2026-01-31"),
    # 1 February is day 32: 36500 × 32/365 = 3200.
    case("1 February ratio exactly 0.8", "LAG-02", None, None, dict(investment={"planned": 36500, "completed": 2560}),
         as_of="2026-02-01"),
    case("1 February ratio below 0.8", "LAG-02", "yellow", pts("yellow", (1 - Fraction(2559, 3200)) * 100, 50),
         dict(investment={"planned": 36500, "completed": 2559}), as_of="2026-02-01"),
    case("reform never", "LAG-02", None, None, reform(investment={"planned": 36500, "completed": 0})),
    # ---------------- SUP-01: d > 30 yellow, > 60 red; magnitude d / 90; never and no start: red saturated
    case("supervised 30 days ago", "SUP-01", None, None, dict(supervisions=[{"date": d(-30)}])),
    case("supervised 31 days ago", "SUP-01", "yellow", pts("yellow", 31, 90), dict(supervisions=[{"date": d(-31)}])),
    case("supervised 60 days ago", "SUP-01", "yellow", pts("yellow", 60, 90), dict(supervisions=[{"date": d(-60)}])),
    case("supervised 61 days ago", "SUP-01", "red", pts("red", 61, 90), dict(supervisions=[{"date": d(-61)}])),
    case("supervised 90 days ago saturates", "SUP-01", "red", 60, dict(supervisions=[{"date": d(-90)}])),
    case("the last supervision counts", "SUP-01", None, None,
         dict(supervisions=[{"date": d(-100)}, {"date": d(-10)}])),
    case("a supervision after as_of does not count", "SUP-01", "yellow", pts("yellow", 40, 90),
         dict(supervisions=[{"date": d(-40)}, {"date": d(3)}])),
    case("never, start 30 days ago", "SUP-01", None, None, dict(supervisions=[], start=d(-30), started_on=d(-30))),
    case("never, start 31 days ago", "SUP-01", "yellow", pts("yellow", 31, 90),
         dict(supervisions=[], start=d(-31), started_on=d(-31))),
    case("never, start 61 days ago", "SUP-01", "red", pts("red", 61, 90),
         dict(supervisions=[], start=d(-61), started_on=d(-61))),
    case("never and no start", "SUP-01", "red", 60, dict(supervisions=[], start=None)),
    case("only a future supervision and no start", "SUP-01", "red", 60, dict(supervisions=[{"date": d(1)}], start=None)),
    case("completed", "SUP-01", None, None, dict(supervisions=[], progress=100)),
    case("reform", "SUP-01", "red", pts("red", 61, 90), reform(supervisions=[{"date": d(-61)}])),
    case("excellence never", "SUP-01", None, None, excellence(supervisions=[], start=None)),
    case("enterprise never", "SUP-01", None, None, enterprise(supervisions=None)),
    # ---------------- SUP-02: a > 30 yellow, > 60 red; magnitude a / 90; never reported: red saturated
    case("reported 30 days ago", "SUP-02", None, None, dict(progress_reported_on=d(-30))),
    case("reported 31 days ago", "SUP-02", "yellow", pts("yellow", 31, 90), dict(progress_reported_on=d(-31))),
    case("reported 60 days ago", "SUP-02", "yellow", pts("yellow", 60, 90), dict(progress_reported_on=d(-60))),
    case("reported 61 days ago", "SUP-02", "red", pts("red", 61, 90), dict(progress_reported_on=d(-61))),
    case("reported 100 days ago saturates", "SUP-02", "red", 60, dict(progress_reported_on=d(-100))),
    case("never reported", "SUP-02", "red", 60, dict(progress_reported_on=None, progress=None)),
    case("reported after as_of counts as never", "SUP-02", "red", 60, dict(progress_reported_on=d(1))),
    case("not begun", "SUP-02", None, None, dict(start=d(10), started_on=None, progress_reported_on=None, progress=None)),
    case("begun by the planned start", "SUP-02", "red", 60,
         dict(start=d(-5), started_on=None, progress_reported_on=None, progress=None)),
    case("begun by the actual start", "SUP-02", "red", 60,
         dict(start=d(10), started_on=d(-1), progress_reported_on=None, progress=None)),
    case("completed", "SUP-02", None, None, dict(completed_on=d(-1), progress_reported_on=None, progress=None)),
    case("party", "SUP-02", "yellow", pts("yellow", 45, 90), dict(kind="party", progress_reported_on=d(-45))),
    case("excellence never", "SUP-02", None, None, excellence(progress_reported_on=None, progress=None)),
    # ---------------- SUP-03: unrectified finding past rectify_by → red; magnitude days past / 30
    case("rectify_by today", "SUP-03", None, None, dict(supervisions=[{"date": d(-10), "finding": "整改", "rectify_by": d(0)}])),
    case("1 day past rectify_by", "SUP-03", "red", pts("red", 1, 30),
         dict(supervisions=[{"date": d(-10), "finding": "整改", "rectify_by": d(-1)}])),
    case("30 days past saturates", "SUP-03", "red", 60,
         dict(supervisions=[{"date": d(-40), "finding": "整改", "rectify_by": d(-30)}])),
    case("rectified", "SUP-03", None, None,
         dict(supervisions=[{"date": d(-20), "finding": "整改", "rectify_by": d(-10), "rectified_on": d(-2)}])),
    case("rectified after as_of has not happened", "SUP-03", "red", pts("red", 10, 30),
         dict(supervisions=[{"date": d(-20), "finding": "整改", "rectify_by": d(-10), "rectified_on": d(2)}])),
    case("a rectify_by without finding text", "SUP-03", "red", pts("red", 5, 30),
         dict(supervisions=[{"date": d(-10), "rectify_by": d(-5)}])),
    case("largest of two", "SUP-03", "red", pts("red", 12, 30),
         dict(supervisions=[{"date": d(-20), "rectify_by": d(-12)}, {"date": d(-10), "rectify_by": d(-5)}])),
    case("enterprise", "SUP-03", "red", pts("red", 5, 30), enterprise(supervisions=[{"date": d(-10), "rectify_by": d(-5)}])),
    case("indicator never", "SUP-03", None, None, indicator(supervisions=[{"date": d(-10), "rectify_by": d(-5)}])),
    # ---------------- FAC-01: factor problem open ≥ 30 days yellow; ≥ 60 days or past deadline red; magnitude / 90
    case("land open 29 days", "FAC-01", None, None, dict(issues=[{"type": "land", "raised_on": d(-29)}])),
    case("land open 30 days", "FAC-01", "yellow", pts("yellow", 30, 90), dict(issues=[{"type": "land", "raised_on": d(-30)}])),
    case("land open 59 days", "FAC-01", "yellow", pts("yellow", 59, 90), dict(issues=[{"type": "land", "raised_on": d(-59)}])),
    case("land open 60 days", "FAC-01", "red", pts("red", 60, 90), dict(issues=[{"type": "land", "raised_on": d(-60)}])),
    case("land open 120 days saturates", "FAC-01", "red", 60, dict(issues=[{"type": "land", "raised_on": d(-120)}])),
    *[case(f"{kind} open 30 days", "FAC-01", "yellow", pts("yellow", 30, 90),
           dict(issues=[{"type": kind, "raised_on": d(-30)}])) for kind in ("funds", "approval", "energy", "labor")],
    *[case(f"{kind} is not a factor", "FAC-01", None, None, dict(issues=[{"type": kind, "raised_on": d(-100)}]))
      for kind in ("enterprise", "other")],
    case("past its deadline", "FAC-01", "red", pts("red", 10, 90),
         dict(issues=[{"type": "funds", "raised_on": d(-10), "deadline": d(-1)}])),
    case("deadline today", "FAC-01", None, None, dict(issues=[{"type": "funds", "raised_on": d(-10), "deadline": d(0)}])),
    case("resolved", "FAC-01", None, None, dict(issues=[{"type": "land", "raised_on": d(-100), "resolved_on": d(-1)}])),
    case("resolved after as_of is open", "FAC-01", "yellow", pts("yellow", 40, 90),
         dict(issues=[{"type": "land", "raised_on": d(-40), "resolved_on": d(1)}])),
    case("raised after as_of", "FAC-01", None, None, dict(issues=[{"type": "land", "raised_on": d(1), "deadline": d(2)}])),
    case("age and deadline: largest open", "FAC-01", "red", pts("red", 40, 90),
         dict(issues=[{"type": "land", "raised_on": d(-40)}, {"type": "funds", "raised_on": d(-10), "deadline": d(-1)}])),
    case("magnitude only from qualifying problems", "FAC-01", "red", pts("red", 10, 90),
         dict(issues=[{"type": "land", "raised_on": d(-20)}, {"type": "funds", "raised_on": d(-10), "deadline": d(-1)}])),
    case("other types never count", "FAC-01", "red", pts("red", 10, 90),
         dict(issues=[{"type": "other", "raised_on": d(-100)}, {"type": "land", "raised_on": d(-10), "deadline": d(-1)}])),
    case("enterprise never", "FAC-01", None, None, enterprise(issues=[{"type": "land", "raised_on": d(-100)}])),
    # ---------------- ENT-01: v > 90 yellow, > 180 or never red; magnitude v / 180, never saturated
    case("visited 90 days ago", "ENT-01", None, None, enterprise(visits=[{"date": d(-90)}])),
    case("visited 91 days ago", "ENT-01", "yellow", pts("yellow", 91, 180), enterprise(visits=[{"date": d(-91)}])),
    case("visited 180 days ago", "ENT-01", "yellow", pts("yellow", 180, 180), enterprise(visits=[{"date": d(-180)}])),
    case("visited 181 days ago", "ENT-01", "red", pts("red", 181, 180), enterprise(visits=[{"date": d(-181)}])),
    case("never visited", "ENT-01", "red", 60, enterprise(visits=None)),
    case("a visit after as_of does not count", "ENT-01", "red", 60, enterprise(visits=[{"date": d(1)}])),
    case("the last visit counts", "ENT-01", None, None, enterprise(visits=[{"date": d(-200)}, {"date": d(-10)}])),
    case("a visit by anyone counts", "ENT-01", "yellow", pts("yellow", 100, 180),
         enterprise(visits=[{"date": d(-100), "leader": "王五"}])),
    case("a visit without a leader counts", "ENT-01", None, None, enterprise(visits=[{"date": d(-5)}])),
    case("project never", "ENT-01", None, None, dict()),
    # ---------------- ENT-02: unresolved problem past its deadline → red; magnitude days past / 30
    case("deadline yesterday", "ENT-02", "red", pts("red", 1, 30),
         enterprise(issues=[{"type": "enterprise", "raised_on": d(-10), "deadline": d(-1)}])),
    case("deadline today", "ENT-02", None, None, enterprise(issues=[{"type": "enterprise", "raised_on": d(-10), "deadline": d(0)}])),
    case("30 days past saturates", "ENT-02", "red", 60,
         enterprise(issues=[{"type": "other", "raised_on": d(-40), "deadline": d(-30)}])),
    case("any problem type", "ENT-02", "red", pts("red", 5, 30),
         enterprise(issues=[{"type": "land", "raised_on": d(-10), "deadline": d(-5)}])),
    case("resolved", "ENT-02", None, None,
         enterprise(issues=[{"type": "enterprise", "raised_on": d(-20), "deadline": d(-10), "resolved_on": d(-1)}])),
    case("resolved after as_of is open", "ENT-02", "red", pts("red", 5, 30),
         enterprise(issues=[{"type": "enterprise", "raised_on": d(-20), "deadline": d(-5), "resolved_on": d(1)}])),
    # Raised Thu 2026-09-24; 15 working days by the official calendar (Mid-autumn 25–27 Sep, National Day
    # 1–7 Oct, make-up working day Sat 10 Oct): 28, 29, 30 Sep, 8, 9, 10, 12–16, 19–22 Oct → 2026-10-22.
    # Counting Monday to Friday would give 2026-10-15.
    case("15 working days: on the deadline", "ENT-02", None, None,
         enterprise(issues=[{"type": "enterprise", "raised_on": "2026-09-24"}], visits=None), as_of="2026-10-22"),
    case("15 working days: one day past", "ENT-02", "red", pts("red", 1, 30),
         enterprise(issues=[{"type": "enterprise", "raised_on": "2026-09-24"}], visits=None), as_of="2026-10-23"),
    case("15 working days: not Monday to Friday", "ENT-02", None, None,
         enterprise(issues=[{"type": "enterprise", "raised_on": "2026-09-24"}], visits=None), as_of="2026-10-16"),
    # Complex: 30 working days → 23, 26–30 Oct, 2–6, 9–12 Nov → 2026-11-12.
    case("complex: on the deadline", "ENT-02", None, None,
         enterprise(issues=[{"type": "enterprise", "raised_on": "2026-09-24", "complex": True}]), as_of="2026-11-12"),
    case("complex: one day past", "ENT-02", "red", pts("red", 1, 30),
         enterprise(issues=[{"type": "enterprise", "raised_on": "2026-09-24", "complex": True}]), as_of="2026-11-13"),
    case("complex: the simple deadline does not apply", "ENT-02", None, None,
         enterprise(issues=[{"type": "enterprise", "raised_on": "2026-09-24", "complex": True}]), as_of="2026-10-23"),
    case("project never", "ENT-02", None, None, dict(issues=[{"type": "other", "raised_on": d(-40), "deadline": d(-30)}])),
    # ---------------- REF-01: goal, path or measures missing → yellow
    case("goal missing", "REF-01", "yellow", 12, reform(goal=None)),
    case("path missing", "REF-01", "yellow", 12, reform(path=None)),
    case("measures placeholder", "REF-01", "yellow", 12, reform(measures="无")),
    case("all three given", "REF-01", None, None, reform()),
    # ---------------- REF-02: completed and no outcome → blue
    case("completed, no outcome", "REF-02", "blue", 3, reform(completed_on=d(-1))),
    case("progress 100, no outcome", "REF-02", "blue", 3, reform(progress=100)),
    case("outcome placeholder", "REF-02", "blue", 3, reform(completed_on=d(-1), outcome="待定")),
    case("outcome recorded", "REF-02", None, None, reform(completed_on=d(-1), outcome="出台《县属国企管理办法》")),
    case("completed after as_of", "REF-02", None, None, reform(completed_on=d(1))),
    case("progress 100 reported after as_of", "REF-02", None, None, reform(progress=100, progress_reported_on=d(1))),
    # ---------------- EXC-02: excellence goal missing → yellow
    case("goal missing", "EXC-02", "yellow", 12, excellence(goal=None)),
    case("goal TBD", "EXC-02", "yellow", 12, excellence(goal="TBD")),
    case("goal given", "EXC-02", None, None, excellence()),
    # ---------------- ECO-01: below a given benchmark yellow; below every one, ≥ 2 given: red; magnitude / 2
    case("equal to the benchmark", "ECO-01", None, None, indicator(value=5.0, benchmarks={"national": 5.0})),
    case("below the only benchmark", "ECO-01", "yellow", pts("yellow", "0.1", 2), indicator(value=4.9, benchmarks={"national": 5.0})),
    case("below both of two", "ECO-01", "red", pts("red", 1, 2),
         indicator(value=4.0, benchmarks={"national": 5.0, "provincial": 4.5})),
    case("below two of three", "ECO-01", "yellow", pts("yellow", 1, 2),
         indicator(value=4.0, benchmarks={"national": 5.0, "provincial": 4.5, "municipal": 3.9})),
    case("below the only given one among nulls", "ECO-01", "yellow", pts("yellow", 1, 2),
         indicator(value=4.0, benchmarks={"national": 5.0, "provincial": None, "municipal": None})),
    case("below all three", "ECO-01", "red", pts("red", "0.2", 2),
         indicator(value=4.1, benchmarks={"national": 4.3, "provincial": 4.2, "municipal": 4.25})),
    case("negative growth saturates", "ECO-01", "red", 60,
         indicator(value=-1.0, benchmarks={"national": 0.5, "provincial": 1.0, "municipal": 0})),
    case("far below one", "ECO-01", "yellow", 24, indicator(value=4.0, benchmarks={"national": 9.0})),
    case("no value", "ECO-01", None, None, indicator(value=None, benchmarks={"national": 5.0, "provincial": 5.0})),
    case("no benchmarks", "ECO-01", None, None, indicator(value=1.0, benchmarks=None)),
    # ---------------- ECO-02: 3 × rank > 2 × rank_of → yellow
    case("8 of 12", "ECO-02", None, None, indicator(rank=8, rank_of=12)),
    case("9 of 12", "ECO-02", "yellow", 12, indicator(rank=9, rank_of=12)),
    case("6 of 10", "ECO-02", None, None, indicator(rank=6, rank_of=10)),
    case("7 of 10", "ECO-02", "yellow", 12, indicator(rank=7, rank_of=10)),
    case("2 of 3", "ECO-02", None, None, indicator(rank=2, rank_of=3)),
    case("3 of 3", "ECO-02", "yellow", 12, indicator(rank=3, rank_of=3)),
    case("rank_of unknown", "ECO-02", None, None, indicator(rank=9, rank_of=None)),
    # ---------------- MULTI-01: ≥ 3 yellow-or-red findings of other rules → red
    case("one red and two yellow", "MULTI-01", "red", 30, dict(owner=None, unit=None, leader=None)),
    case("three yellow", "MULTI-01", "red", 30, dict(unit=None, leader=None, milestones=[])),
    case("two yellow", "MULTI-01", None, None, dict(unit=None, leader=None)),
    case("two yellow and a blue", "MULTI-01", None, None, dict(unit=None, leader=None, milestones=[{"due": d(3)}])),
    case("a unit's finding is not the item's", "MULTI-01", None, None, dict(leader=None, milestones=[]),
         units=[{"name": "县住建局"}]),
    case("reform: OWN-01, OWN-02, REF-01", "MULTI-01", "red", 30, reform(owner=None, unit=None, goal=None)),
    case("LAG-03 does not count toward it", "MULTI-01", None, None,
         dict(lagging(19), unit=None, responses=[])),  # LAG-01 yellow, OWN-02 yellow, LAG-03 yellow: two count
    # ---------------- SCH-05: completion postponed past the baseline → blue; yellow ≥ 90 days; red ≥ 180
    case("postponed 1 day", "SCH-05", "blue", pts("blue", 1, 180), dict(due=d(400), baseline_due=d(399))),
    case("postponed 89 days", "SCH-05", "blue", pts("blue", 89, 180), dict(due=d(400), baseline_due=d(311))),
    case("postponed 90 days", "SCH-05", "yellow", pts("yellow", 90, 180), dict(due=d(400), baseline_due=d(310))),
    case("postponed 179 days", "SCH-05", "yellow", pts("yellow", 179, 180), dict(due=d(400), baseline_due=d(221))),
    case("postponed 180 days", "SCH-05", "red", pts("red", 180, 180), dict(due=d(400), baseline_due=d(220))),
    case("postponed 400 days saturates", "SCH-05", "red", pts("red", saturated=True), dict(due=d(500), baseline_due=d(100))),
    case("on the baseline", "SCH-05", None, None, dict(due=d(400), baseline_due=d(400))),
    case("brought forward", "SCH-05", None, None, dict(due=d(300), baseline_due=d(400))),
    case("no baseline", "SCH-05", None, None, dict(due=d(400))),
    case("completed", "SCH-05", None, None, dict(due=d(400), baseline_due=d(100), completed_on=d(-1))),
    case("reform postponed", "SCH-05", "yellow", pts("yellow", 120, 180), reform(due=d(400), baseline_due=d(280))),
    # ---------------- LAG-03: LAG-01, SCH-01 or SCH-03 fired and no reply with cause and measures in 30 days
    case("lagging, never replied", "LAG-03", "yellow", pts("yellow", saturated=True), dict(lagging(19), responses=[])),
    case("lagging, replied 30 days ago", "LAG-03", None, None,
         dict(lagging(19), responses=[{"date": d(-30), "cause": "征地", "measures": "加快"}])),
    case("lagging, replied 31 days ago", "LAG-03", "yellow", pts("yellow", 31, 60),
         dict(lagging(19), responses=[{"date": d(-31), "cause": "征地", "measures": "加快"}])),
    case("lagging, replied 90 days ago saturates", "LAG-03", "yellow", pts("yellow", 90, 60),
         dict(lagging(19), responses=[{"date": d(-90), "cause": "征地", "measures": "加快"}])),
    case("a reply without measures does not count", "LAG-03", "yellow", pts("yellow", saturated=True),
         dict(lagging(19), responses=[{"date": d(-3), "cause": "征地", "measures": "待定"}])),
    case("a reply dated after as_of has not happened", "LAG-03", "yellow", pts("yellow", saturated=True),
         dict(lagging(19), responses=[{"date": d(2), "cause": "征地", "measures": "加快"}])),
    case("LAG-01 red makes it red", "LAG-03", "red", pts("red", saturated=True), dict(lagging(9), responses=[])),
    case("SCH-01 red makes it red", "LAG-03", "red", pts("red", saturated=True),
         dict(milestones=[{"due": d(-15)}], responses=[])),
    case("SCH-01 yellow keeps it yellow", "LAG-03", "yellow", pts("yellow", saturated=True),
         dict(milestones=[{"due": d(-14)}], responses=[])),
    case("SCH-03 (overdue) is red", "LAG-03", "red", pts("red", saturated=True), dict(due=d(-5), responses=[])),
    case("only SCH-04 (blue) fired", "LAG-03", None, None, dict(milestones=[{"due": d(3)}], responses=[])),
    case("nothing lagging", "LAG-03", None, None, dict(responses=[])),
    case("an excellence item overdue", "LAG-03", "red", pts("red", saturated=True),
         excellence(due=d(-5), responses=[])),
    # ---------------- EXC-03: a completed excellence item not yet commended → blue
    case("completed, not commended", "EXC-03", "blue", 3, excellence(completed_on=d(-1))),
    case("progress 100, not commended", "EXC-03", "blue", 3, excellence(progress=100)),
    case("commended", "EXC-03", None, None, excellence(completed_on=d(-10), recognized_on=d(-1))),
    case("commended on as_of", "EXC-03", None, None, excellence(completed_on=d(-10), recognized_on=d(0))),
    case("commendation dated after as_of has not happened", "EXC-03", "blue", 3,
         excellence(completed_on=d(-10), recognized_on=d(1))),
    case("not completed", "EXC-03", None, None, excellence()),
    case("a completed project is not an excellence item", "EXC-03", None, None, dict(completed_on=d(-1))),
]


@pytest.mark.parametrize("rule,item,as_of,units,subject,severity,points", CASES)
def test_rule_case(engine: Engine, rule: str, item: dict, as_of: str, units, subject: str,
                   severity: Optional[str], points) -> None:
    report = run(engine, item, units=units, as_of=as_of)
    check(report, subject, rule, severity, points)
    finding = only(report, subject, rule)
    if finding is not None:
        assert finding.subject_kind == item["kind"]
        assert finding.subject_title == item["title"]


# --- applies_to: every rule against every kind ------------------------------------------

TRIGGERS: dict[str, tuple[dict, tuple[str, ...]]] = {
    # rule: (fields that make its condition hold on the conftest's project, the kinds of the spec table)
    "OWN-01": (dict(owner=None), ALL_BUT_INDICATOR),
    "OWN-02": (dict(unit=None), ALL_BUT_INDICATOR),
    "OWN-03": (dict(leader=None), ("project", "enterprise")),
    "PLAN-01": (dict(due=None), ("project", "reform", "task", "party")),
    "PLAN-02": (dict(milestones=[]), ("project", "reform")),
    "SCH-01": (dict(milestones=[{"due": d(-5)}]), WORK_KINDS),
    "SCH-02": (dict(start=d(-40), started_on=None, progress=None), ("project",)),
    "SCH-03": (dict(due=d(-5)), WORK_KINDS),
    "SCH-04": (dict(milestones=[{"due": d(3)}]), WORK_KINDS),
    "LAG-01": (dict(progress=20), ("project", "reform", "task", "party")),
    "LAG-02": (dict(investment={"planned": 1000, "completed": 0}), ("project",)),
    "SUP-01": (dict(supervisions=[]), ("project", "reform", "task", "party")),
    "SUP-02": (dict(progress_reported_on=None), ("project", "reform", "task", "party")),
    "SUP-03": (dict(supervisions=[{"date": d(-10), "rectify_by": d(-3)}]), ALL_BUT_INDICATOR),
    "FAC-01": (dict(issues=[{"type": "land", "raised_on": d(-40)}]), ("project",)),
    "ENT-01": (dict(visits=[]), ("enterprise",)),
    "ENT-02": (dict(issues=[{"type": "other", "raised_on": d(-40), "deadline": d(-3)}]), ("enterprise",)),
    "REF-01": (dict(goal=None), ("reform",)),
    "REF-02": (dict(completed_on=d(-1)), ("reform",)),
    "EXC-02": (dict(goal=None), ("excellence",)),
    "ECO-01": (dict(value=1.0, benchmarks={"national": 5.0}), ("indicator",)),
    "ECO-02": (dict(rank=10, rank_of=10), ("indicator",)),
    "SCH-05": (dict(due=d(400), baseline_due=d(300)), ("project", "reform", "task", "party")),
    "LAG-03": (dict(due=d(-5), responses=[]), WORK_KINDS),
    "EXC-03": (dict(completed_on=d(-1)), ("excellence",)),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("rule", sorted(TRIGGERS))
def test_applies_to(engine: Engine, rule: str, kind: str) -> None:
    fields, kinds = TRIGGERS[rule]
    report = run(engine, make_item(id="K-1", kind=kind, **fields))
    finding = only(report, "K-1", rule)
    if kind in kinds:
        assert finding is not None, f"{rule} should apply to {kind}"
        assert finding.subject_kind == kind
    else:
        assert finding is None, f"{rule} must not apply to {kind}"


def test_every_rule_of_the_default_pack_is_covered(python_engine: Engine) -> None:
    """Rules on units (EXC-01), on the county (ENT-03) and over the history (ESC-01) have tests of
    their own below and in tests/test_cycle.py."""
    ids = {rule.id for rule in python_engine.pack.rules}
    assert ids == set(TRIGGERS) | {"EXC-01", "MULTI-01", "ENT-03", "ESC-01"}
    assert len(ids) == 29
    covered = {p.values[0] for p in CASES} | {"EXC-01", "ENT-03", "ESC-01"}
    assert covered == ids


# --- EXC-01: the units are the subjects ----------------------------------------------------

UNIT = "县住建局"
OTHER_UNIT = "县交通局"


@pytest.mark.parametrize(
    "items,fires",
    [
        pytest.param([excellence(unit=UNIT)], False, id="an excellence item of the unit with a goal"),
        pytest.param([excellence(unit=UNIT, goal="待定")], True, id="its goal is a placeholder"),
        pytest.param([excellence(unit=UNIT, goal=None)], True, id="its goal is absent"),
        pytest.param([excellence(unit=OTHER_UNIT)], True, id="only another unit has a goal"),
        pytest.param([dict(unit=UNIT, goal="建成投产")], True, id="a project with a goal is not excellence"),
        pytest.param([dict(unit=UNIT), excellence(id="X-2", unit=UNIT)], False, id="one of several items"),
    ],
)
def test_exc01_unit_without_excellence_goal(engine: Engine, items: list, fires: bool) -> None:
    report = run(engine, *[make_item(**fields) for fields in items], units=[{"name": UNIT, "head": "王五"}])
    found = [f for f in report.findings if f.rule == "EXC-01"]
    if not fires:
        assert found == []
        return
    assert len(found) == 1
    finding = found[0]
    assert finding.subject == UNIT
    assert finding.subject_kind == "unit"
    assert finding.severity == "yellow"
    assert finding.points == 12
    assert UNIT in finding.message
    # units get no score: they are not ranked among the items
    assert UNIT not in {item.id for item in report.items}


def test_exc01_each_unit_separately(engine: Engine) -> None:
    units = [{"name": UNIT}, {"name": OTHER_UNIT}, {"name": "县财政局"}]
    report = run(engine, make_item(**excellence(unit=OTHER_UNIT)), units=units)
    assert sorted(f.subject for f in report.findings if f.rule == "EXC-01") == sorted([UNIT, "县财政局"])


def test_exc01_without_units(engine: Engine) -> None:
    report = run(engine, make_item(unit=UNIT))
    assert [f for f in report.findings if f.rule == "EXC-01"] == []


# --- ENT-02 and the calendar -------------------------------------------------------------


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_ent02_make_up_working_day(backend: str) -> None:
    """Fri 2026-09-18 + 1 working day is Sun 2026-09-20, a make-up working day before National Day."""
    engine = Engine.default(params={"problem_working_days": 1}, backend=backend)
    item = make_item(**enterprise(issues=[{"type": "enterprise", "raised_on": "2026-09-18"}]))
    on_deadline = run(engine, item, as_of="2026-09-20")
    check(on_deadline, "E-1", "ENT-02", None, None)
    next_day = run(engine, item, as_of="2026-09-21")  # Monday–Friday counting would make this the deadline
    check(next_day, "E-1", "ENT-02", "red", pts("red", 1, 30))


@pytest.mark.parametrize("as_of,severity", [("2099-03-23", None), ("2099-03-24", "red")])
def test_ent02_year_outside_the_calendar(engine: Engine, as_of: str, severity: Optional[str]) -> None:
    """Mon 2099-03-02 + 15 working days, Monday to Friday: 3–6, 9–13, 16–20, 23 March → 2099-03-23."""
    item = make_item(**enterprise(issues=[{"type": "enterprise", "raised_on": "2099-03-02"}],
                                  visits=[{"date": "2099-03-01"}]))
    report = run(engine, item, as_of=as_of)
    check(report, "E-1", "ENT-02", severity, pts("red", 1, 30) if severity else None)
    assert any("2099" in note for note in report.notes), report.notes


def test_calendar_note_absent_inside_covered_years(engine: Engine) -> None:
    item = make_item(**enterprise(issues=[{"type": "enterprise", "raised_on": "2026-09-24"}]))
    report = run(engine, item, as_of="2026-10-23")
    assert not any("日历" in note for note in report.notes), report.notes


# --- params move thresholds ----------------------------------------------------------------


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_params_move_thresholds(backend: str) -> None:
    engine = Engine.default(params={"lag_red_points": 25, "supervision_yellow_days": 45}, backend=backend)
    report = run(engine, make_item(**lagging(9)))  # gap 20: red by default, yellow when red needs 25
    check(report, "P-1", "LAG-01", "yellow", pts("yellow", 20, 30))
    report = run(engine, make_item(supervisions=[{"date": d(-45)}]))
    check(report, "P-1", "SUP-01", None, None)
    report = run(engine, make_item(supervisions=[{"date": d(-46)}]))
    check(report, "P-1", "SUP-01", "yellow", pts("yellow", 46, 90))


# --- messages and evidence ----------------------------------------------------------------


def test_finding_carries_message_clause_remedy_and_evidence(engine: Engine) -> None:
    report = run(engine, make_item(milestones=[{"name": "主体完工", "due": d(-15)}]))
    finding = only(report, "P-1", "SCH-01")
    assert finding is not None
    assert finding.title == "节点超期未完成"
    assert "15" in finding.message and "测试项目" in finding.message
    assert finding.clause and finding.remedy
    assert finding.evidence["max_milestone_overdue_days"] == 15
    assert finding.evidence["completed"] is False


def test_lag01_message_numbers(engine: Engine) -> None:
    report = run(engine, make_item(**lagging(9)))
    finding = only(report, "P-1", "LAG-01")
    assert finding is not None
    assert "9%" in finding.message and "29%" in finding.message and "20个百分点" in finding.message
    assert finding.evidence["progress_gap"] == 20


def test_ref01_message_names_the_missing_parts(engine: Engine) -> None:
    report = run(engine, make_item(**reform(path=None, measures="待定")))
    finding = only(report, "R-1", "REF-01")
    assert finding is not None
    assert "路径" in finding.message and "措施" in finding.message and "目标" not in finding.message


def test_multi01_message_counts_other_rules(engine: Engine) -> None:
    report = run(engine, make_item(owner=None, unit=None, leader=None, milestones=[]))
    finding = only(report, "P-1", "MULTI-01")
    assert finding is not None
    assert "4项" in finding.message  # OWN-01, OWN-02, OWN-03, PLAN-02; not MULTI-01 itself


# --- the two backends agree ----------------------------------------------------------------


def test_backends_agree_on_every_case(python_engine: Engine, durable_engine: Engine) -> None:
    items = []
    for index, param in enumerate(p for p in CASES if p.values[2] == AS_OF_TEXT and p.values[3] is None):
        items.append({**param.values[1], "id": f"C-{index:03d}"})
    ledger = make_ledger(*items, units=[{"name": UNIT}, {"name": "县财政局"}])
    assert python_engine.evaluate(ledger).to_json() == durable_engine.evaluate(ledger).to_json()


def test_backends_agree_on_the_sample(python_engine: Engine, durable_engine: Engine, sample_path) -> None:
    from engine import load_ledger

    ledger = load_ledger(sample_path)
    for as_of in (date(2026, 11, 28), date(2026, 6, 30), date(2026, 1, 15)):
        assert python_engine.evaluate(ledger, as_of).to_json() == durable_engine.evaluate(ledger, as_of).to_json()
