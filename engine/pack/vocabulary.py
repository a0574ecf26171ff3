"""The vocabulary: every name a rule may read, with its type and meaning.

A name is a ledger field (as seen at the reference date) or a metric derived
from the item at that date (:mod:`engine.evaluate.metrics` computes them);
units and the county have vocabularies of their own. A pack may declare
extra fields (``fields: {extra.phase: text}``) that its rules read.
``duban metrics`` prints this table, and the rule pack checker uses it to
refuse unknown names and ill-typed comparisons when a pack loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

__all__ = ["Metric", "MetricType", "VOCABULARY", "FACTOR_TYPES", "METRIC_PARAMS", "names_for"]

MetricType = Literal["integer", "number", "boolean", "text", "date", "list", "mapping"]
Subject = Literal["item", "unit", "county"]


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


def _field(name: str, type_: MetricType, meaning: str, subject: Subject = "item") -> Metric:
    return Metric(name, type_, meaning, subject, derived=False)


VOCABULARY: dict[str, Metric] = {
    m.name + ("" if m.subject == "item" else f"@{m.subject}"): m
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
        _field("baseline_due", "date", "原计划完成日期(最初批准的完成时间)"),
        _field("recognized_on", "date", "表彰日期(晚于基准日视为未发生)"),
        _field("responses", "list", "责任单位的书面反馈(回执;晚于基准日的不计)"),
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
        Metric("slip_days", "integer", "完成时间推迟天数 = 计划完工 − 原计划完成(两者都有时)"),
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
        # --- replies (回执)
        Metric("last_response_on", "date", "最近一次写明原因分析和整改措施的反馈日期(无则为空)"),
        Metric("days_since_response", "integer", "距最近一次有原因和措施的反馈的天数(无则为空)"),
        # --- history (only with --history; absent otherwise)
        Metric("previous_light", "text", "上一记录期的灯: red, yellow, green(未记录该事项为空)"),
        Metric("previous_score", "number", "上一记录期的得分(未记录该事项为空)"),
        Metric("red_periods", "integer", "基准日前连续亮红灯的记录期数"),
        Metric("flagged_periods", "integer", "基准日前连续亮红灯或黄灯的记录期数"),
        # --- after the first pass: other rules' findings on the same item
        Metric("red_findings", "integer", "其他规则对该事项的红色预警数", stage="findings"),
        Metric("yellow_findings", "integer", "其他规则对该事项的黄色预警数", stage="findings"),
        Metric("blue_findings", "integer", "其他规则对该事项的蓝色提示数", stage="findings"),
        Metric("serious_findings", "integer", "其他规则对该事项的黄色及红色预警数", stage="findings"),
        Metric("fired", "list", "第一阶段对该事项触发的规则编号(已排序,豁免的不计)", stage="findings"),
        Metric("fired_red", "list", "第一阶段对该事项触发红色预警的规则编号(已排序)", stage="findings"),
        # --- units (subject: unit)
        _field("name", "text", "单位名称", subject="unit"),
        _field("head", "text", "单位负责人", subject="unit"),
        Metric("item_count", "integer", "责任单位为该单位的事项数", subject="unit"),
        Metric("excellence_goals", "integer", "该单位有目标的创先争优事项数", subject="unit"),
        # --- the county (subject: county)
        _field("name", "text", "县名(台账未写时为「本县」)", subject="county"),
        Metric("meetings_recorded", "boolean", "台账记录了县里的会议(ledger.meetings 存在,即使为空)", subject="county"),
        Metric("last_meeting_on", "date", "最近一次企业座谈会或会商会的日期(无则为空)", subject="county"),
        Metric("days_since_meeting", "integer", "距最近一次企业座谈会或会商会的天数(无则为空)", subject="county"),
    ]
}


def names_for(subject: Subject, fields: Optional[dict[str, str]] = None) -> dict[str, Metric]:
    """The vocabulary a rule about ``subject`` may read, keyed by plain name.

    ``fields`` are the extra fields a pack declares (``{"extra.phase": "text"}``);
    items gain them.
    """
    names = {m.name: m for m in VOCABULARY.values() if m.subject == subject}
    if subject == "item":
        for name, type_ in (fields or {}).items():
            names[name] = Metric(name, type_, "扩展字段(规则包 fields 声明)", derived=False)  # type: ignore[arg-type]
    return names
