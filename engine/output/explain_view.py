"""What ``duban explain`` shows, format-independently: an explanation as rows and lines.

The table and Markdown formats indent the rows into blocks, CSV gives each row its columns; every
sentence comes from the explanation itself (the library wrote it, :mod:`engine.explain`).
"""

from __future__ import annotations

from typing import Any, Optional

from ..explain.words import checked_leaf_text
from ..report import Explanation
from .views import LIGHT_ZH, SEVERITY_ZH, TIER_ZH, Table, number, shown, waiver_text

__all__ = [
    "explain_sheet",
    "explain_rows",
    "explain_lines",
    "explain_verdict",
    "counterfactual_text",
    "explain_header",
    "explain_score_lines",
]

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
