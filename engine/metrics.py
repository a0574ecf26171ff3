"""Metrics: what an item looks like at the reference date.

:func:`item_facts` turns one ledger item and the reference date into a flat
mapping of named values: the item's own fields *as seen on that date* (events
dated later have not happened yet and read as absent) plus the derived
metrics the rules read (days past due, progress gap, investment ratio …).
:data:`VOCABULARY` declares every name with its type and meaning; it is what
``duban metrics`` prints and what the rule pack checker uses to refuse
unknown names and ill-typed comparisons.

Ratios and percentages are :class:`fractions.Fraction`, so that a threshold
is compared exactly, as a person would with pencil and paper.
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any, Literal, Optional

from .calendar import WorkCalendar
from .ledger import Item, Unit, is_missing

__all__ = [
    "Metric",
    "VOCABULARY",
    "FACTOR_TYPES",
    "METRIC_PARAMS",
    "item_facts",
    "unit_facts",
    "finding_facts",
    "names_for",
    "exact",
    "year_share",
]

MetricType = Literal["integer", "number", "boolean", "text", "date", "list", "mapping"]
Subject = Literal["item", "unit"]


@dataclass(frozen=True)
class Metric:
    """One name a rule may read: a ledger field or a derived metric.

    ``stage`` is ``findings`` for the counts of other rules' findings, which
    exist only after the first pass of evaluation (MULTI-01 reads them).
    """

    name: str
    type: MetricType
    meaning: str
    subject: Subject = "item"
    derived: bool = True
    stage: Literal["facts", "findings"] = "facts"


FACTOR_TYPES = frozenset({"land", "funds", "approval", "energy", "labor"})

# Params that shape metrics rather than rules: a pack may override them like any
# other param (``--set problem_working_days=10``).
METRIC_PARAMS: dict[str, int] = {
    "problem_working_days": 15,
    "complex_problem_working_days": 30,
}

_REFORM_PARTS = (("goal", "目标"), ("path", "路径"), ("measures", "措施"))


def _field(name: str, type_: MetricType, meaning: str, subject: Subject = "item") -> Metric:
    return Metric(name, type_, meaning, subject, derived=False)


VOCABULARY: dict[str, Metric] = {
    m.name + ("@unit" if m.subject == "unit" else ""): m
    for m in [
        # --- the item's own fields, as seen at the reference date
        _field("id", "text", "编号"),
        _field("kind", "text", "类型: project, enterprise, reform, excellence, party, task, indicator"),
        _field("title", "text", "名称"),
        _field("owner", "text", "责任人"),
        _field("unit", "text", "责任单位"),
        _field("leader", "text", "联系县领导"),
        _field("level", "text", "层级: national, provincial, municipal, county"),
        _field("start", "date", "计划开工日期"),
        _field("due", "date", "计划完工日期"),
        _field("started_on", "date", "实际开工日期(晚于基准日视为未发生)"),
        _field("completed_on", "date", "实际完工日期(晚于基准日视为未发生)"),
        _field("progress", "number", "最近报告的形象进度 %(报告日期晚于基准日时视为未知)"),
        _field("progress_reported_on", "date", "最近一次进度报告日期(晚于基准日视为未报告)"),
        _field("milestones", "list", "节点(计划日期不受基准日影响)"),
        _field("investment", "mapping", "年度投资: planned 计划, completed 已完成(万元)"),
        _field("investment.planned", "number", "年度计划投资(万元)"),
        _field("investment.completed", "number", "年初至今完成投资(万元)"),
        _field("issues", "list", "问题(晚于基准日提出的不计)"),
        _field("supervisions", "list", "督查记录(晚于基准日的不计)"),
        _field("visits", "list", "走访记录(晚于基准日的不计)"),
        _field("goal", "text", "目标"),
        _field("path", "text", "路径"),
        _field("measures", "text", "措施"),
        _field("outcome", "text", "制度性成果"),
        _field("value", "number", "指标本期值"),
        _field("benchmarks", "mapping", "比较基准: national, provincial, municipal"),
        _field("benchmarks.national", "number", "全国增速"),
        _field("benchmarks.provincial", "number", "全省增速"),
        _field("benchmarks.municipal", "number", "全市增速"),
        _field("rank", "integer", "在全市各县中的排名(1 为最好)"),
        _field("rank_of", "integer", "参与排名的县数"),
        # --- the reference date
        Metric("as_of", "date", "基准日"),
        Metric("as_of_month", "integer", "基准日所在月份(1–12)"),
        Metric("year_share", "number", "序时进度: 基准日是当年第几天 ÷ 当年天数"),
        # --- status
        Metric("completed", "boolean", "已完成: 实际完工日期不晚于基准日,或形象进度 ≥ 100"),
        Metric("begun", "boolean", "已开始: 实际开工或计划开工不晚于基准日"),
        Metric("not_started", "boolean", "应开未开: 计划开工早于基准日,未实际开工,进度为空或 0,且未完成"),
        Metric("days_since_start", "integer", "距计划开工的天数(基准日 − 计划开工)"),
        Metric("days_past_due", "integer", "超过计划完工的天数(未超期为 0;无计划完工时为空)"),
        Metric("days_to_due", "integer", "距计划完工的天数(计划完工 − 基准日,可为负)"),
        # --- roadmap
        Metric("milestone_count", "integer", "节点个数"),
        Metric("open_milestones", "integer", "未完成的节点个数(完成日期晚于基准日视为未完成)"),
        Metric("max_milestone_overdue_days", "integer", "已超期未完成节点中最大的超期天数(无则为空)"),
        Metric("next_milestone_days", "integer", "最近一个未到期未完成节点距基准日的天数(到期日 ≥ 基准日;无则为空)"),
        # --- progress and investment
        Metric("expected_progress", "number", "序时应达进度 % = 100 × (基准日 − 计划开工) ÷ (计划完工 − 计划开工),限 0–100"),
        Metric("progress_gap", "number", "进度差 = 序时应达进度 − 形象进度(正数为落后,百分点)"),
        Metric("investment_ratio", "number", "投资完成率 = 已完成投资 ÷ (年度计划 × 序时进度)"),
        Metric("investment_shortfall", "number", "投资缺口 = (1 − 投资完成率) × 100"),
        Metric("investment_pace", "number", "投资完成率的百分数 = 投资完成率 × 100"),
        # --- supervision and reports
        Metric("supervised", "boolean", "基准日前有过督查记录"),
        Metric("last_supervision_on", "date", "最近一次督查日期(从未督查为空)"),
        Metric("days_since_supervision", "integer", "距最近一次督查的天数(从未督查为空)"),
        Metric("supervision_gap_days", "integer", "督查间隔: 距最近一次督查的天数;从未督查时为距计划开工的天数;都没有为空"),
        Metric("report_age_days", "integer", "距最近一次进度报告的天数(从未报告为空)"),
        Metric("unrectified_overdue", "integer", "超过整改期限仍未整改的督查问题个数"),
        Metric("max_rectify_overdue_days", "integer", "未整改督查问题中最大的超期天数(无则为空)"),
        # --- factor guarantees (projects)
        Metric("factor_problems_open", "integer", "未解决的要素保障问题个数(土地、资金、审批、能耗、用工)"),
        Metric("factor_max_open_days", "integer", "未解决要素保障问题中最长的已挂账天数(无则为空)"),
        Metric("factor_max_days_past_deadline", "integer", "未解决要素保障问题中最大的超过解决期限天数(无超期为空)"),
        Metric("factor_max_open_days_past_deadline", "integer", "已超过解决期限的未解决要素保障问题中最长的挂账天数(无则为空)"),
        # --- enterprises
        Metric("last_visit_on", "date", "最近一次走访日期(从未走访为空)"),
        Metric("days_since_visit", "integer", "距最近一次走访的天数(从未走访为空)"),
        Metric("problems_open", "integer", "未解决的问题个数(所有类型)"),
        Metric("problem_max_days_past_deadline", "integer",
               "未解决问题中最大的超过办结期限天数;无期限的按提出后 15 个工作日(复杂问题 30 个)计(无超期为空)"),
        # --- reform
        Metric("missing_part_count", "integer", "改革目标、路径、措施中缺少的项数"),
        Metric("missing_parts", "text", "缺少的改革要素名称,如「路径、措施」(不缺为空)"),
        # --- indicators
        Metric("benchmarks_given", "integer", "给出的比较基准个数"),
        Metric("benchmarks_missed", "integer", "指标值低于的比较基准个数(无指标值为空)"),
        Metric("max_benchmark_shortfall", "number", "最大落后幅度 = max(基准 − 指标值)(无则为空)"),
        Metric("rank_bottom_third", "boolean", "排名处于后三分之一: 3 × rank > 2 × rank_of"),
        # --- after the first pass: other rules' findings on the same item
        Metric("red_findings", "integer", "其他规则对该事项的红色预警数", stage="findings"),
        Metric("yellow_findings", "integer", "其他规则对该事项的黄色预警数", stage="findings"),
        Metric("blue_findings", "integer", "其他规则对该事项的蓝色提示数", stage="findings"),
        Metric("serious_findings", "integer", "其他规则对该事项的黄色及红色预警数", stage="findings"),
        # --- units (subject: unit)
        _field("name", "text", "单位名称", subject="unit"),
        _field("head", "text", "单位负责人", subject="unit"),
        Metric("item_count", "integer", "责任单位为该单位的事项数", subject="unit"),
        Metric("excellence_goals", "integer", "该单位有目标的创先争优事项数", subject="unit"),
    ]
}


def names_for(subject: Subject) -> dict[str, Metric]:
    """The vocabulary a rule about ``subject`` may read, keyed by plain name."""
    return {m.name: m for m in VOCABULARY.values() if m.subject == subject}


# --- helpers -----------------------------------------------------------------


def exact(value: Any) -> Any:
    """A number as an exact Fraction (floats through their shortest decimal form)."""
    if value.__class__ is float:
        return Fraction(repr(value))
    return value


@functools.lru_cache(maxsize=64)
def year_share(as_of: date) -> Fraction:
    """序时进度: the share of the year elapsed on ``as_of`` (day of year ÷ days in year)."""
    return Fraction(as_of.timetuple().tm_yday, 366 if calendar.isleap(as_of.year) else 365)


def _seen(day: Optional[date], as_of: date) -> Optional[date]:
    """An event's date if it has happened by ``as_of``, else None."""
    return day if day is not None and day <= as_of else None


def _max(values: list[int]) -> Optional[int]:
    return max(values) if values else None


# --- the item metrics ----------------------------------------------------------


def item_facts(
    item: Item,
    as_of: date,
    calendar: WorkCalendar,
    params: Optional[dict[str, Any]] = None,
) -> dict[str, Any]:
    """Every vocabulary name for one item at ``as_of``; absent values are None.

    ``params`` may override :data:`METRIC_PARAMS` (working-day allowances).
    """
    settings = {**METRIC_PARAMS, **(params or {})}

    # Events after the reference date have not happened yet.
    reported_on = _seen(item.progress_reported_on, as_of)
    progress = exact(item.progress) if item.progress_reported_on is None or reported_on else None
    started_on = _seen(item.started_on, as_of)
    completed_on = _seen(item.completed_on, as_of)
    supervisions = [s for s in item.supervisions if s.date <= as_of]
    visits = [v for v in item.visits if v.date <= as_of]
    problems = [p for p in item.issues if p.raised_on <= as_of]
    open_problems = [p for p in problems if _seen(p.resolved_on, as_of) is None]

    completed = completed_on is not None or (progress is not None and progress >= 100)
    begun = started_on is not None or (item.start is not None and item.start <= as_of)
    days_since_start = (as_of - item.start).days if item.start else None

    facts: dict[str, Any] = {
        "id": item.id,
        "kind": item.kind,
        "title": item.title,
        "owner": item.owner,
        "unit": item.unit,
        "leader": item.leader,
        "level": item.level,
        "start": item.start,
        "due": item.due,
        "started_on": started_on,
        "completed_on": completed_on,
        "progress": progress,
        "progress_reported_on": reported_on,
        "milestones": item.milestones,
        "investment": item.investment.model_dump() if item.investment else None,
        "investment.planned": exact(item.investment.planned) if item.investment else None,
        "investment.completed": exact(item.investment.completed) if item.investment else None,
        "issues": problems,
        "supervisions": supervisions,
        "visits": visits,
        "goal": item.goal,
        "path": item.path,
        "measures": item.measures,
        "outcome": item.outcome,
        "value": exact(item.value),
        "benchmarks": item.benchmarks.model_dump() if item.benchmarks else None,
        "benchmarks.national": exact(item.benchmarks.national) if item.benchmarks else None,
        "benchmarks.provincial": exact(item.benchmarks.provincial) if item.benchmarks else None,
        "benchmarks.municipal": exact(item.benchmarks.municipal) if item.benchmarks else None,
        "rank": item.rank,
        "rank_of": item.rank_of,
        "as_of": as_of,
        "as_of_month": as_of.month,
        "year_share": year_share(as_of),
        "completed": completed,
        "begun": begun,
        "not_started": (
            item.start is not None
            and item.start < as_of
            and started_on is None
            and (progress is None or progress == 0)
            and not completed
        ),
        "days_since_start": days_since_start,
        "days_past_due": max(0, (as_of - item.due).days) if item.due else None,
        "days_to_due": (item.due - as_of).days if item.due else None,
    }
    facts.update(_roadmap(item, as_of))
    facts.update(_progress(item, as_of, progress))
    facts.update(_supervision(supervisions, as_of, days_since_start, reported_on))
    facts.update(_problems(open_problems, as_of, calendar, settings))
    last_visit = max((v.date for v in visits), default=None)
    facts["last_visit_on"] = last_visit
    facts["days_since_visit"] = (as_of - last_visit).days if last_visit else None
    facts.update(_reform(item))
    facts.update(_indicator(item))
    return facts


def _roadmap(item: Item, as_of: date) -> dict[str, Any]:
    open_ = [m for m in item.milestones if _seen(m.done_on, as_of) is None]
    return {
        "milestone_count": len(item.milestones),
        "open_milestones": len(open_),
        "max_milestone_overdue_days": _max([(as_of - m.due).days for m in open_ if m.due < as_of]),
        "next_milestone_days": min(((m.due - as_of).days for m in open_ if m.due >= as_of), default=None),
    }


def _progress(item: Item, as_of: date, progress: Any) -> dict[str, Any]:
    expected = gap = ratio = shortfall = pace = None
    if item.start is not None and item.due is not None and item.start < item.due:
        share = Fraction((as_of - item.start).days, (item.due - item.start).days)
        expected = 100 * min(max(share, Fraction(0)), Fraction(1))
        if progress is not None:
            gap = expected - progress
    planned = exact(item.investment.planned) if item.investment else None
    done = exact(item.investment.completed) if item.investment else None
    if planned is not None and planned > 0 and done is not None:
        ratio = Fraction(done) / (Fraction(planned) * year_share(as_of))
        shortfall = (1 - ratio) * 100
        pace = ratio * 100
    return {
        "expected_progress": expected,
        "progress_gap": gap,
        "investment_ratio": ratio,
        "investment_shortfall": shortfall,
        "investment_pace": pace,
    }


def _supervision(
    supervisions: list, as_of: date, days_since_start: Optional[int], reported_on: Optional[date]
) -> dict[str, Any]:
    last = max((s.date for s in supervisions), default=None)
    since = (as_of - last).days if last else None
    overdue = [
        (as_of - s.rectify_by).days
        for s in supervisions
        if s.rectify_by is not None and s.rectify_by < as_of and _seen(s.rectified_on, as_of) is None
    ]
    return {
        "supervised": last is not None,
        "last_supervision_on": last,
        "days_since_supervision": since,
        "supervision_gap_days": since if since is not None else days_since_start,
        "report_age_days": (as_of - reported_on).days if reported_on else None,
        "unrectified_overdue": len(overdue),
        "max_rectify_overdue_days": _max(overdue),
    }


def _problems(open_problems: list, as_of: date, calendar: WorkCalendar, settings: dict) -> dict[str, Any]:
    factor = [p for p in open_problems if p.type in FACTOR_TYPES]
    factor_late = [p for p in factor if p.deadline is not None and p.deadline < as_of]
    past_deadline = []
    for problem in open_problems:
        deadline = problem.deadline
        if deadline is None:
            allowance = settings["complex_problem_working_days" if problem.complex else "problem_working_days"]
            deadline = calendar.add_working_days(problem.raised_on, allowance)
        if deadline < as_of:
            past_deadline.append((as_of - deadline).days)
    return {
        "factor_problems_open": len(factor),
        "factor_max_open_days": _max([(as_of - p.raised_on).days for p in factor]),
        "factor_max_days_past_deadline": _max([(as_of - p.deadline).days for p in factor_late]),
        "factor_max_open_days_past_deadline": _max([(as_of - p.raised_on).days for p in factor_late]),
        "problems_open": len(open_problems),
        "problem_max_days_past_deadline": _max(past_deadline),
    }


def _reform(item: Item) -> dict[str, Any]:
    missing = [label for field, label in _REFORM_PARTS if is_missing(getattr(item, field))]
    return {"missing_part_count": len(missing), "missing_parts": "、".join(missing) or None}


def _indicator(item: Item) -> dict[str, Any]:
    given = []
    if item.benchmarks is not None:
        given = [exact(b) for b in (item.benchmarks.national, item.benchmarks.provincial, item.benchmarks.municipal)
                 if b is not None]
    value = exact(item.value)
    missed = shortfall = None
    if value is not None:
        missed = sum(1 for b in given if value < b)
        shortfall = max((b - value for b in given), default=None)
    bottom = None
    if item.rank is not None and item.rank_of is not None:
        bottom = 3 * item.rank > 2 * item.rank_of
    return {
        "benchmarks_given": len(given),
        "benchmarks_missed": missed,
        "max_benchmark_shortfall": shortfall,
        "rank_bottom_third": bottom,
    }


# --- units and findings --------------------------------------------------------


def unit_facts(units: list[Unit], items: list[Item]) -> list[dict[str, Any]]:
    """Facts about each unit, from the items whose lead unit it is (one pass over items)."""
    counts = {unit.name.strip(): [0, 0] for unit in units}
    for item in items:
        tally = counts.get(item.unit.strip()) if item.unit is not None else None
        if tally is not None:
            tally[0] += 1
            if item.kind == "excellence" and not is_missing(item.goal):
                tally[1] += 1
    return [
        {
            "name": unit.name,
            "head": unit.head,
            "item_count": counts[unit.name.strip()][0],
            "excellence_goals": counts[unit.name.strip()][1],
        }
        for unit in units
    ]


def finding_facts(severities: list[str]) -> dict[str, int]:
    """Counts of other rules' findings on one item, for rules such as MULTI-01."""
    red = severities.count("red")
    yellow = severities.count("yellow")
    return {
        "red_findings": red,
        "yellow_findings": yellow,
        "blue_findings": severities.count("blue"),
        "serious_findings": red + yellow,
    }

