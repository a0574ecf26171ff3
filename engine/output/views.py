"""What each view shows, format-independently: Chinese labels, headers and rows.

A view is what one command prints (check, rank, rules, metrics, validate, rollup;
explain is in :mod:`.explain_view`, the analysts' sweep and coverage in :mod:`.analysis`).
This module turns the report (or a pack, the vocabulary)
into headers and rows of text; the format modules lay them out. Nothing here
computes a result: it only arranges what the report already holds.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Optional, Sequence

from ..explain.words import OP_ZH, leaf_text
from ..explain.words import plain as _plain
from ..pack import RulePack
from ..pack.vocabulary import VOCABULARY
from ..report import Finding, ItemResult, Report, Rollup, Validation

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
    "waived_table",
    "waiver_text",
    "ranked_items",
    "rank_table",
    "rules_table",
    "rules_footer",
    "params_table",
    "OP_ZH",
    "leaf_text",
    "condition_lines",
    "rule_lines",
    "metrics_entries",
    "metrics_table",
    "validation_lines",
    "KIND_ZH",
    "LEVEL_ZH",
    "ROLLUP_BY_ZH",
    "one_decimal",
    "top_reasons",
    "rollup_label",
    "rollup_table",
    "rollup_line",
]

SEVERITY_ZH = {"red": "红", "yellow": "黄", "blue": "蓝"}
LIGHT_ZH = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}
TIER_ZH = {"critical": "特急", "high": "高", "medium": "中", "low": "低"}
KIND_ZH = {"project": "重大项目", "enterprise": "重点企业", "reform": "重点改革", "excellence": "创先争优",
           "party": "党的建设", "task": "重点任务", "indicator": "经济指标"}
LEVEL_ZH = {"national": "国家级", "provincial": "省级", "municipal": "市级", "county": "县级"}

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


def one_decimal(value: float) -> str:
    """A number to one decimal, halves rounded up (as a person rounds), e.g. 42.25 → 42.3."""
    return str(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


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
    extra = "".join([f";已豁免 {s.waived} 条" if s.waived else "", f";已排除 {s.rejected} 处数据错误" if s.rejected else ""])
    return (f"基准日 {report.as_of}: 共 {s.items} 个事项({lights});预警 {sum(s.findings.values())} 条({findings});"
            f"优先级({tiers}){extra}")


# --- check ------------------------------------------------------------------------


def _unit_of(finding: Finding, items: dict[str, ItemResult]) -> str:
    """The responsible unit of a finding: its item's unit, or the unit it is about."""
    if finding.subject_kind == "unit":
        return finding.subject
    item = items.get(finding.subject)
    return (item.unit or "") if item is not None else ""


def waiver_text(finding: Any) -> str:
    """The waiver of a waived finding in words (empty for a finding that counts)."""
    w = getattr(finding, "waiver", None)
    if w is None:
        return ""
    since = f"{w.from_}至" if w.from_ else "至"
    return f"{w.reason}({w.approved_by},{since}{w.until})"


def findings_table(report: Report, wide: bool) -> Table:
    """The findings, one row each; ``wide`` adds every field and the waived findings (for CSV)."""
    items = {i.id: i for i in report.items}
    if wide:
        return (
            ["对象", "对象类型", "名称", "责任单位", "规则", "规则名称", "等级", "预警内容", "政策依据", "整改要求", "得分",
             "类别", "豁免"],
            [[f.subject, f.subject_kind, f.subject_title, _unit_of(f, items), f.rule, f.title, SEVERITY_ZH[f.severity],
              f.message, f.clause, f.remedy, number(f.points), f.category, waiver_text(f)]
             for f in [*report.findings, *report.waived]],
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
    ``evidence.NAME`` (a list as its items joined by commas, a mapping as
    ``evidence.NAME.KEY``), so that every value is a scalar.
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
        for name, value in sorted(f.evidence.items()):
            record.update(_flat(f"evidence.{name}", value))
        records.append(record)
    return records


def _flat(key: str, value: Any) -> dict[str, Any]:
    """One evidence value as scalar columns: a mapping by its keys, a list as its items joined by commas."""
    if isinstance(value, dict):
        return {k: v for name, inner in sorted(value.items()) for k, v in _flat(f"{key}.{name}", inner).items()}
    if isinstance(value, list):
        return {key: ",".join(shown(v) for v in value)}
    return {key: value}


def waived_table(report: Report) -> Table:
    """The waived findings with their waivers (the table view lists them after the findings)."""
    items = {i.id: i for i in report.items}
    return (
        ["对象", "名称", "责任单位", "规则", "等级", "预警内容", "豁免"],
        [[f.subject, f.subject_title, _unit_of(f, items), f.rule, SEVERITY_ZH[f.severity], f.message, waiver_text(f)]
         for f in report.waived],
    )


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
    reasons = top_reasons(report, items)
    return (
        ["排名", "编号", "名称", "责任单位", "灯", "得分", "档次", "主要问题"],
        [[i.rank, i.id, i.title, i.unit or "", LIGHT_ZH[i.light], number(i.score), TIER_ZH[i.tier],
          reasons[i.id] or "—"] for i in items],
    )


def top_reasons(report: Report, items: Sequence[ItemResult]) -> dict[str, str]:
    """Each item's first three findings' titles (its top reasons), 「等」 when there are more.

    Only the findings the report shows count: under ``--min-severity`` an item's
    rule list still names the findings the filter left out.
    """
    titles = {(f.subject, f.rule): f.title for f in report.findings}
    reasons = {}
    for item in items:
        shown = [titles[(item.id, rule)] for rule in item.findings if (item.id, rule) in titles]
        reasons[item.id] = "、".join(shown[:3]) + ("等" if len(shown) > 3 else "")
    return reasons


# --- rules and metrics ------------------------------------------------------------


def rules_table(pack: RulePack) -> Table:
    return (
        ["规则", "名称", "类别", "适用对象", "等级", "政策依据"],
        [[r.id, r.title, r.category, ",".join(r.applies_to), "/".join(SEVERITY_ZH[s] for s in r.severities), r.clause]
         for r in pack.rules],
    )


def rules_footer(pack: RulePack) -> str:
    profiles = "、".join(f"{p.name}({p.title})" for p in pack.profiles.values())
    return (f"共 {len(pack.rules)} 条规则(来源 {pack.source})" + (f";规则配置: {profiles}" if profiles else "")
            + "。duban rules 规则编号 显示一条规则的全部内容。")


def _bounds(info: Any) -> str:
    low = "" if info is None or info.min is None else shown(float(info.min))
    high = "" if info is None or info.max is None else shown(float(info.max))
    if low and high:
        return f"{low}–{high}"
    return f"≥ {low}" if low else (f"≤ {high}" if high else "")


def params_table(pack: RulePack) -> Table:
    """Every param: its value in this run, its default, what it means and its range."""
    rows = []
    for name in sorted(pack.params):
        info = pack.param_info.get(name)
        rows.append([name, shown(pack.params[name]), shown(pack.defaults.get(name)),
                     (info.title if info and info.title else "") or "—", _bounds(info) or "—"])
    return ["参数", "值", "默认值", "含义", "范围"], rows


# --- one rule, whole ---------------------------------------------------------------

def condition_lines(condition: Any, indent: str = "  ") -> list[str]:
    """A condition as the tree it is: 全部满足 / 任一满足 / 并非, indented, leaves in words."""
    from ..pack.conditions import All, Leaf, Not

    if isinstance(condition, Leaf):
        return [indent + leaf_text(condition)]
    if isinstance(condition, Not):
        return [indent + "并非:"] + condition_lines(condition.item, indent + "  ")
    head = "全部满足:" if isinstance(condition, All) else "任一满足:"
    lines = [indent + head]
    for child in condition.items:
        lines += condition_lines(child, indent + "  ")
    return lines


def rule_lines(rule: Any, pack: RulePack) -> list[str]:
    """One rule whole, as ``duban rules ID`` shows it."""
    lines = [f"{rule.id} {rule.title}({rule.category})", f"适用对象: {','.join(rule.applies_to)}",
             f"政策依据: 「{rule.clause}」", "条件:"]
    lines += condition_lines(rule.when)
    lines.append("等级:")
    for level in rule.levels:
        if level.when is None:
            lines.append(f"  {SEVERITY_ZH[level.severity]}色" + ("(其余情形)" if len(rule.levels) > 1 else ""))
        else:
            lines.append(f"  {SEVERITY_ZH[level.severity]}色,当:")
            lines += condition_lines(level.when, "    ")
    if rule.magnitude:
        lines.append("幅度:")
        for case in rule.magnitude:
            what = "满分(系数 2)" if case.saturated else f"{case.field},满分 {shown(_plain(case.scale))}"
            lines.append(f"  {what}" + (",当:" if case.when is not None else ""))
            if case.when is not None:
                lines += condition_lines(case.when, "    ")
    lines.append("消息:")
    for case in rule.messages:
        lines.append(f"  {case.text}" + (",当:" if case.when is not None else ""))
        if case.when is not None:
            lines += condition_lines(case.when, "    ")
    lines += [f"整改要求: {rule.remedy}", f"文件: {rule.file}"]
    from ..pack.reach import params_read

    used = params_read([rule.when, *(level.when for level in rule.levels)])
    if used:
        lines.append("参数: " + ",".join(f"{name}={shown(pack.params[name])}" for name in used))
    return lines


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
# --- rollup -----------------------------------------------------------------------

ROLLUP_BY_ZH = {"unit": "责任单位", "leader": "联系县领导", "kind": "事项类型", "level": "级别"}


def rollup_label(by: str, group: str) -> str:
    """A group's name as a person reads it: kinds and levels in Chinese, units and leaders as written."""
    labels = KIND_ZH if by == "kind" else LEVEL_ZH if by == "level" else {}
    return labels.get(group, group)


def rollup_table(rollup: Rollup) -> Table:
    """One row per group: items by light, findings by severity, points, the highest score and its item."""
    return (
        [ROLLUP_BY_ZH[rollup.by], "事项", "红灯", "黄灯", "绿灯", "红色预警", "黄色预警", "蓝色预警", "预警分值",
         "最高分", "最高分事项"],
        [[rollup_label(rollup.by, g.group), g.items, g.red, g.yellow, g.green, g.findings.get("red", 0),
          g.findings.get("yellow", 0), g.findings.get("blue", 0), one_decimal(g.points),
          number(g.top_score) if g.top_score is not None else "—", g.top_item or "—"]
         for g in rollup.groups],
    )


def rollup_line(rollup: Rollup) -> str:
    return f"基准日 {rollup.as_of}: 按{ROLLUP_BY_ZH[rollup.by]}汇总,共 {len(rollup.groups)} 组"
