"""What each view shows, format-independently: Chinese labels, headers and rows.

A view is what one command prints (check, rank, explain, rules, metrics;
the analysts' sweep and coverage are in :mod:`.analysis`).
This module turns the report (or an explanation, a pack, the vocabulary)
into headers and rows of text; the format modules lay them out. Nothing here
computes a result: it only arranges what the report already holds.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Optional, Sequence

from ..explain.words import OP_ZH, checked_leaf_text, leaf_text
from ..explain.words import plain as _plain
from ..pack import RulePack
from ..pack.vocabulary import VOCABULARY
from ..report import Explanation, Finding, ItemResult, Report, Rollup, Validation

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
    "explain_sheet",
    "explain_rows",
    "explain_lines",
    "explain_verdict",
    "counterfactual_text",
    "explain_header",
    "explain_score_lines",
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


# --- explain ----------------------------------------------------------------------
#
# An explanation is laid out as rows: (rule, part, depth, text, mark). The table
# and Markdown formats indent them into blocks, CSV gives each row its columns;
# every text comes from the explanation (the library wrote the sentences).

EFFECT_ZH = {"off": "消除", "fire": "触发"}
PART_ZH = {"rule": "结果", "when": "条件", "level": "等级", "cf": "反事实", "fire": "触发取值", "miss": "未触发原因"}
NODE_ZH = {"all": "全部满足:", "any": "任一满足:", "not": "并非:"}
# (rule, part, depth, text, mark, leaf): a condition row carries its leaf, for CSV's columns.
ExplainRow = tuple[str, str, int, str, str, Any]


def _mark(held: Optional[bool]) -> str:
    return "·" if held is None else ("✓" if held else "✗")


def explain_verdict(rule: Any) -> str:
    """Fired (with its level, and an escalation), waived, or not fired."""
    if rule.waiver is not None:
        return f"已豁免({SEVERITY_ZH[rule.severity]}): {waiver_text(rule)}"
    if not rule.fired or not rule.severity:
        return "未触发"
    raised = (f",由{SEVERITY_ZH[rule.escalated_from]}升级: 连续{rule.periods}期" if rule.escalated_from else "")
    return f"触发({SEVERITY_ZH[rule.severity]}{raised})"


def _tree_rows(rule: str, part: str, node: Any, depth: int) -> list[ExplainRow]:
    if node.node == "leaf":
        return [(rule, part, depth, checked_leaf_text(node.leaf), _mark(node.result), node.leaf)]
    rows: list[ExplainRow] = [(rule, part, depth, NODE_ZH[node.node], _mark(node.result), None)]
    for child in node.items:
        rows += _tree_rows(rule, part, child, depth + 1)
    return rows


def _effect(cf: Any) -> str:
    if cf.effect == "lower":
        return f"降为{SEVERITY_ZH[cf.severity]}色"
    return EFFECT_ZH[cf.effect] + (f"({SEVERITY_ZH[cf.severity]})" if cf.effect == "fire" else "")


def counterfactual_text(cf: Any) -> str:
    """One counterfactual in a line: its effect, the metric's bound, the ledger terms, the date."""
    text = f"{_effect(cf)}: {cf.text}"
    if cf.ledger is not None:
        text += f";台账: {cf.ledger.text}"
    if cf.on:
        text += f";按现状(其他不变){cf.on} 起触发"
    return text


def explain_rows(explanation: Explanation) -> list[ExplainRow]:
    """Every line of an explanation, rule by rule: verdict, condition tree, levels, counterfactuals, misses."""
    rows: list[ExplainRow] = []
    for rule in explanation.rules:
        rid = rule.rule
        rows.append((rid, "rule", 0, f"{rule.title}: {explain_verdict(rule)}", "", None))
        if rule.tree is not None:
            rows += _tree_rows(rid, "when", rule.tree, 1)
        reached = rule.fired or rule.waiver is not None  # levels are tried only when the rule fires
        for level in rule.levels:
            label = f"{SEVERITY_ZH[level.severity]}色" + ("(其余情形)" if level.when is None else "")
            chosen = "(取此级)" if level.chosen else ""
            rows.append((rid, "level", 1, label + chosen, _mark(level.held if reached else None), None))
            if level.when is not None:
                rows += _tree_rows(rid, "level", level.when, 2)
            rows += [(rid, "level", 2, f"未达此级: {miss.text}", "✗", miss.leaf) for miss in level.misses]
            reached = reached and not level.chosen  # the levels after the chosen one are not tried
        rows += [(rid, "miss", 1, miss.text, "✗", miss.leaf) for miss in rule.misses]
        rows += [(rid, "fire" if cf.effect == "fire" else "cf", 1, counterfactual_text(cf), "", None)
                 for cf in rule.counterfactuals]
        if rule.fired and not rule.counterfactuals:
            rows.append((rid, "cf", 1, "没有只改一项就能消除或降级的取值(有几项条件同时成立)", "", None))
    return rows


HEADINGS = {"when": "条件:", "level": "等级:", "miss": "未触发原因(未成立的条件及差距):",
            "cf": "反事实(其他不变,最近的一个取值):", "fire": "最近的触发取值(其他不变):"}


def explain_lines(explanation: Explanation) -> list[str]:
    """The explanation as indented text, one block per rule under its headings (table and Markdown)."""
    lines: list[str] = []
    last = ""
    for rid, part, depth, text, mark, _ in explain_rows(explanation):
        if part == "rule":
            lines += ["", f"{rid} {text}"]
        else:
            if part != last:
                lines.append("  " + HEADINGS[part])
            lines.append("  " * (depth + 1) + (f"{mark} " if mark else "- ") + text)
        last = part
    return lines[1:]


def explain_header(explanation: Explanation) -> str:
    """Who is explained, at which date."""
    if explanation.item is not None:
        item = explanation.item
        return f"{item.id} 「{item.title}」 基准日 {explanation.as_of}"
    kind = "单位" if explanation.subject_kind == "unit" else "县"
    return f"{kind} {explanation.subject} 基准日 {explanation.as_of}"


def _score_total(explanation: Explanation) -> str:
    item = explanation.item
    return (
        f"合计 {number(explanation.raw_points or 0)} × 重要性 {number(explanation.importance or 1)}"
        f" → 得分 {number(item.score)}({LIGHT_ZH[item.light]},{TIER_ZH[item.tier]},排名第 {item.rank})"
    )


def explain_score_lines(explanation: Explanation) -> list[str]:
    """The score's breakdown: each fired rule's points, then the total (none for a unit or the county)."""
    item = explanation.item
    if item is None:
        return []
    lines = ["得分构成:"]
    for rule in explanation.rules:
        if rule.fired:
            lines.append(
                f"  {rule.rule} {SEVERITY_ZH.get(rule.severity or '', '')}: {number(rule.points or 0)} 分"
                f"(幅度 {shown(rule.magnitude)},系数 {number(rule.factor or 1)})  {rule.message}"
            )
    lines.append(f"  {_score_total(explanation)}")
    return lines


def _operand(leaf: Any) -> str:
    if leaf.op in ("present", "missing"):
        return ""
    right = f"{{{leaf.operand_field}}} = {shown(leaf.operand)}" if leaf.operand_field else shown(leaf.operand)
    return f"{leaf.param} = {right}" if leaf.param else right


def explain_sheet(explanation: Explanation) -> Table:
    """The explanation as one table (for CSV): its lines, then the score's breakdown.

    Column 部分 says what a row is: 结果 (a rule and its verdict), 条件 (a node
    of its condition tree; a leaf also fills 读取的值, 运算 and 比较对象),
    等级, 未触发原因, 反事实 and 触发取值 (the lines :func:`explain_lines`
    shows), 得分 (one fired rule's points, magnitude and factor) or 合计 (the
    total, the importance and the score; an item's only). Every row repeats the
    subject, the rule and its verdict, so that a spreadsheet can filter them.
    """
    subject = explanation.subject or (explanation.item.id if explanation.item else "")
    verdicts = {rule.rule: explain_verdict(rule) for rule in explanation.rules}
    rows: list[list[Any]] = []
    for rid, part, depth, text, mark, leaf in explain_rows(explanation):
        cells = [f"{leaf.field} = {shown(leaf.read)}", leaf.op, _operand(leaf)] if leaf is not None else ["", "", ""]
        rows.append([subject, PART_ZH[part], rid, verdicts[rid], depth, text, *cells, mark, "", "", "", ""])
    item = explanation.item
    if item is not None:
        for rule in explanation.rules:
            if rule.fired:
                magnitude = "" if rule.magnitude is None else shown(rule.magnitude)
                rows.append([subject, "得分", rule.rule, verdicts[rule.rule], "", "", "", "", "", "",
                             magnitude, number(rule.factor or 1), number(rule.points or 0), rule.message or ""])
        rows.append([subject, "合计", "", f"{LIGHT_ZH[item.light]},{TIER_ZH[item.tier]},排名第 {item.rank}",
                     "", "", "", "", "", "", "", number(explanation.importance or 1), number(item.score),
                     f"{explain_header(explanation)}: {_score_total(explanation)}"])
    headers = ["对象", "部分", "规则", "结果", "层级", "内容", "读取的值", "运算", "比较对象", "成立", "幅度", "系数", "分值",
               "说明"]
    return headers, rows


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
