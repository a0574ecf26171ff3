"""What each view shows, format-independently: Chinese labels, headers and rows.

A view is what one command prints (check, rank, explain, rules, metrics).
This module turns the report (or an explanation, a pack, the vocabulary)
into headers and rows of text; the format modules lay them out. Nothing here
computes a result: it only arranges what the report already holds.
"""

from __future__ import annotations

import json
from typing import Any, Optional, Sequence

from ..pack import RulePack
from ..pack.vocabulary import VOCABULARY
from ..report import Explanation, Finding, ItemResult, Report, RuleCheck, Validation

__all__ = [
    "SEVERITY_ZH",
    "LIGHT_ZH",
    "TIER_ZH",
    "Table",
    "number",
    "shown",
    "COLOURS",
    "FLEXIBLE",
    "WRAPPABLE",
    "summary_line",
    "findings_table",
    "finding_records",
    "ranked_items",
    "rank_table",
    "explain_table",
    "explain_header",
    "explain_score_lines",
    "explain_sheet",
    "rules_table",
    "rules_footer",
    "metrics_entries",
    "metrics_table",
    "validation_lines",
]

SEVERITY_ZH = {"red": "红", "yellow": "黄", "blue": "蓝"}
LIGHT_ZH = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}
TIER_ZH = {"critical": "特急", "high": "高", "medium": "中", "low": "低"}

Table = tuple[list[str], list[list[Any]]]

# How a terminal shows a label: the colour of each severity and light (only
# on a terminal that wants colour), and the columns that may wrap to fit its
# width: the long texts first, then names.
COLOURS = {
    **{SEVERITY_ZH[s]: s for s in SEVERITY_ZH},
    **{f"触发({SEVERITY_ZH[s]})": s for s in SEVERITY_ZH},
    **{LIGHT_ZH[light]: light for light in LIGHT_ZH},
}
FLEXIBLE = ("预警内容", "主要问题", "政策依据", "含义")
WRAPPABLE = ("名称", "规则名称")


def number(value: float) -> str:
    """A number with at most two decimals and no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def shown(value: Any) -> str:
    """A value read by a condition, as the explain table shows it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return number(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False) if len(json.dumps(value, ensure_ascii=False)) <= 40 else f"[{len(value)} 项]"
    return str(value)


def summary_line(report: Report) -> str:
    s = report.summary
    lights = ",".join(f"{LIGHT_ZH[k]} {v}" for k, v in s.lights.items())
    findings = ",".join(f"{SEVERITY_ZH[k]} {v}" for k, v in s.findings.items())
    tiers = ",".join(f"{TIER_ZH[k]} {v}" for k, v in s.tiers.items())
    return f"基准日 {report.as_of}: 共 {s.items} 个事项({lights});预警 {sum(s.findings.values())} 条({findings});优先级({tiers})"


# --- check ------------------------------------------------------------------------


def _unit_of(finding: Finding, items: dict[str, ItemResult]) -> str:
    """The responsible unit of a finding: its item's unit, or the unit it is about."""
    if finding.subject_kind == "unit":
        return finding.subject
    item = items.get(finding.subject)
    return (item.unit or "") if item is not None else ""


def findings_table(report: Report, wide: bool) -> Table:
    """The findings, one row each; ``wide`` adds every field (for CSV)."""
    items = {i.id: i for i in report.items}
    if wide:
        return (
            ["对象", "对象类型", "名称", "责任单位", "规则", "规则名称", "等级", "预警内容", "政策依据", "整改要求", "得分"],
            [[f.subject, f.subject_kind, f.subject_title, _unit_of(f, items), f.rule, f.title, SEVERITY_ZH[f.severity],
              f.message, f.clause, f.remedy, number(f.points)] for f in report.findings],
        )
    return (
        ["对象", "名称", "责任单位", "规则", "等级", "预警内容"],
        [[f.subject, f.subject_title, _unit_of(f, items), f.rule, SEVERITY_ZH[f.severity], f.message]
         for f in report.findings],
    )


def finding_records(report: Report) -> list[dict[str, Any]]:
    """One flat mapping per finding, with its item's place in the ranking (for pandas).

    The keys are the report's own field names; the item's ``owner``, ``unit``,
    ``leader``, ``level``, ``light``, ``score``, ``tier`` and ``rank`` are
    beside the finding's (None for a unit's or the county's finding, whose
    ``unit`` is the unit itself), and each evidence value is a column
    ``evidence.NAME``.
    """
    items = {i.id: i for i in report.items}
    records = []
    for f in report.findings:
        item = items.get(f.subject) if f.subject_kind not in ("unit", "county") else None
        record: dict[str, Any] = {
            "subject": f.subject, "subject_kind": f.subject_kind, "subject_title": f.subject_title,
            "rule": f.rule, "title": f.title, "category": f.category, "severity": f.severity,
            "message": f.message, "clause": f.clause, "remedy": f.remedy, "points": f.points,
            "escalated_from": f.escalated_from, "periods": f.periods,
            "owner": item.owner if item else None,
            "unit": _unit_of(f, items) or None,
            "leader": item.leader if item else None,
            "level": item.level if item else None,
            "light": item.light if item else None,
            "score": item.score if item else None,
            "tier": item.tier if item else None,
            "rank": item.rank if item else None,
        }
        record.update({f"evidence.{name}": value for name, value in sorted(f.evidence.items())})
        records.append(record)
    return records


# --- rank -------------------------------------------------------------------------


def ranked_items(report: Report, top: Optional[int]) -> list[ItemResult]:
    return report.items[:top] if top is not None else report.items


def rank_table(report: Report, top: Optional[int], wide: bool) -> Table:
    """The items in priority order; ``wide`` adds the people and every rule id (for CSV)."""
    items = ranked_items(report, top)
    if wide:
        return (
            ["排名", "编号", "类型", "名称", "责任人", "责任单位", "联系县领导", "灯", "得分", "档次", "预警"],
            [[i.rank, i.id, i.kind, i.title, i.owner or "", i.unit or "", i.leader or "", LIGHT_ZH[i.light],
              number(i.score), TIER_ZH[i.tier], " ".join(i.findings)] for i in items],
        )
    titles = {(f.subject, f.rule): f.title for f in report.findings}
    reasons = {
        item.id: "、".join(titles[(item.id, rule)] for rule in item.findings[:3]) + ("等" if len(item.findings) > 3 else "")
        for item in items
    }
    return (
        ["排名", "编号", "名称", "责任单位", "灯", "得分", "档次", "主要问题"],
        [[i.rank, i.id, i.title, i.unit or "", LIGHT_ZH[i.light], number(i.score), TIER_ZH[i.tier],
          reasons[i.id] or "—"] for i in items],
    )


# --- explain ----------------------------------------------------------------------


def _verdict(rule: RuleCheck) -> str:
    return f"触发({SEVERITY_ZH[rule.severity]})" if rule.fired and rule.severity else "未触发"


def explain_table(explanation: Explanation, wide: bool = False) -> Table:
    """Every condition leaf of every applicable rule: what it read and whether it held.

    A rule's id and verdict head its first leaf; ``wide`` repeats them on every
    leaf, so that a spreadsheet can filter the rows.
    """
    rows = []
    for rule in explanation.rules:
        verdict = _verdict(rule)
        for index, leaf in enumerate(rule.checks):
            operand = f"{{{leaf.operand_field}}} = {shown(leaf.operand)}" if leaf.operand_field else shown(leaf.operand)
            rows.append([
                rule.rule if index == 0 or wide else "",
                verdict if index == 0 or wide else "",
                f"{leaf.field} = {shown(leaf.read)}",
                leaf.op,
                "" if leaf.op in ("present", "missing") else operand,
                "✓" if leaf.result else "✗",
            ])
    return ["规则", "结果", "读取的值", "运算", "比较对象", "成立"], rows


def explain_header(explanation: Explanation) -> str:
    item = explanation.item
    return f"{item.id} 「{item.title}」 基准日 {explanation.as_of}"


def _score_total(explanation: Explanation) -> str:
    item = explanation.item
    return (
        f"合计 {number(explanation.raw_points)} × 重要性 {number(explanation.importance)} → 得分 {number(item.score)}"
        f"({LIGHT_ZH[item.light]},{TIER_ZH[item.tier]},排名第 {item.rank})"
    )


def explain_score_lines(explanation: Explanation) -> list[str]:
    """The score's breakdown: each fired rule's points, then the total."""
    lines = ["得分构成:"]
    for rule in explanation.rules:
        if rule.fired:
            lines.append(
                f"  {rule.rule} {SEVERITY_ZH.get(rule.severity or '', '')}: {number(rule.points or 0)} 分"
                f"(幅度 {shown(rule.magnitude)},系数 {number(rule.factor or 1)})  {rule.message}"
            )
    lines.append(f"  {_score_total(explanation)}")
    return lines


def explain_sheet(explanation: Explanation) -> Table:
    """The explanation as one table (for CSV): the checks, then the score's breakdown.

    Column 部分 says what a row is: 条件 (one condition leaf, as
    :func:`explain_table` shows it), 得分 (one fired rule's points, magnitude
    and factor) or 合计 (the total, the importance and the score).
    """
    item = explanation.item
    _, checks = explain_table(explanation, wide=True)
    rows: list[list[Any]] = [[item.id, "条件", *row, "", "", "", ""] for row in checks]
    for rule in explanation.rules:
        if rule.fired:
            magnitude = "" if rule.magnitude is None else shown(rule.magnitude)
            rows.append([item.id, "得分", rule.rule, _verdict(rule), "", "", "", "",
                         magnitude, number(rule.factor or 1), number(rule.points or 0), rule.message or ""])
    rows.append([item.id, "合计", "", f"{LIGHT_ZH[item.light]},{TIER_ZH[item.tier]},排名第 {item.rank}",
                 "", "", "", "", "", number(explanation.importance), number(item.score),
                 f"{explain_header(explanation)}: {_score_total(explanation)}"])
    headers = ["事项", "部分", "规则", "结果", "读取的值", "运算", "比较对象", "成立", "幅度", "系数", "分值", "说明"]
    return headers, rows


# --- rules and metrics ------------------------------------------------------------


def rules_table(pack: RulePack) -> Table:
    return (
        ["规则", "名称", "适用对象", "等级", "政策依据"],
        [[r.id, r.title, ",".join(r.applies_to), "/".join(SEVERITY_ZH[s] for s in r.severities), r.clause]
         for r in pack.rules],
    )


def rules_footer(pack: RulePack) -> str:
    params = "; ".join(f"{k}={v}" for k, v in sorted(pack.params.items()))
    return f"共 {len(pack.rules)} 条规则(来源 {pack.source});参数: {params}"


def metrics_entries() -> list[Any]:
    return sorted(VOCABULARY.values(), key=lambda m: (m.subject, m.derived, m.name))


def metrics_table() -> Table:
    return (
        ["名称", "对象", "类型", "来源", "含义"],
        [[m.name, "单位" if m.subject == "unit" else "事项", m.type, "指标" if m.derived else "字段", m.meaning]
         for m in metrics_entries()],
    )



# --- validate ---------------------------------------------------------------------


def validation_lines(result: Validation) -> list[str]:
    """What was found valid: the pack (when checked) and the ledger; nothing when there are errors.

    The errors themselves go to stderr, one line each, as for every command;
    the JSON form carries them as data.
    """
    if not result.ok:
        return []
    lines = []
    if result.rules is not None:
        lines.append(f"规则包有效: {result.rules} 条规则({result.rules_source})")
    if result.items is not None:
        lines.append(f"台账有效: {result.items} 个事项,{result.units} 个单位({', '.join(result.files)})")
    return lines
