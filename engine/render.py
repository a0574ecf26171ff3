"""Renderers: a report (or a list of rules, or the metric vocabulary) → text.

One small function per format and view, behind one registry that also feeds
the command line's ``--format`` choices. Rendering never computes: it only
arranges what the report already holds. Headers are Chinese; CSV starts with
a byte-order mark so that Excel shows the Chinese.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterable, Sequence

from tabulate import tabulate

from .metrics import VOCABULARY
from .pack import RulePack
from .report import Explanation, Report

__all__ = ["FORMATS", "render_check", "render_rank", "render_explain", "render_rules", "render_metrics"]

FORMATS = ("table", "json", "csv", "markdown")

SEVERITY_ZH = {"red": "红", "yellow": "黄", "blue": "蓝"}
LIGHT_ZH = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}
TIER_ZH = {"critical": "特急", "high": "高", "medium": "中", "low": "低"}
BOM = "\ufeff"


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str) -> str:
    rows = list(rows)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(rows)
        return BOM + buffer.getvalue()
    style = "pipe" if fmt == "markdown" else "simple"
    if not rows:
        return "(无)\n"
    return tabulate(rows, headers=list(headers), tablefmt=style, disable_numparse=True) + "\n"


def _summary_line(report: Report) -> str:
    s = report.summary
    lights = ",".join(f"{LIGHT_ZH[k]} {v}" for k, v in s.lights.items())
    findings = ",".join(f"{SEVERITY_ZH[k]} {v}" for k, v in s.findings.items())
    tiers = ",".join(f"{TIER_ZH[k]} {v}" for k, v in s.tiers.items())
    return f"基准日 {report.as_of}: 共 {s.items} 个事项({lights});预警 {sum(s.findings.values())} 条({findings});优先级({tiers})"


def _with_summary(body: str, report: Report, fmt: str) -> str:
    if fmt == "markdown":
        return f"# 督办预警\n\n{_summary_line(report)}\n\n{body}"
    return f"{body}\n{_summary_line(report)}\n"


def render_check(report: Report, fmt: str) -> str:
    """The findings, one line each, and a summary."""
    if fmt == "json":
        return report.to_json()
    if fmt == "csv":
        return _table(
            ["对象", "对象类型", "名称", "规则", "规则名称", "等级", "预警内容", "政策依据", "整改要求", "得分"],
            ([f.subject, f.subject_kind, f.subject_title, f.rule, f.title, SEVERITY_ZH[f.severity],
              f.message, f.clause, f.remedy, _num(f.points)] for f in report.findings),
            fmt,
        )
    body = _table(
        ["对象", "名称", "规则", "等级", "预警内容"],
        ([f.subject, f.subject_title, f.rule, SEVERITY_ZH[f.severity], f.message] for f in report.findings),
        fmt,
    )
    return _with_summary(body, report, fmt)


def render_rank(report: Report, fmt: str, top: int | None = None) -> str:
    """The items in priority order with light, score, tier and the top reasons."""
    items = report.items[:top] if top is not None else report.items
    if fmt == "json":
        return report.model_copy(update={"items": items}).to_json()
    titles = {(f.subject, f.rule): f.title for f in report.findings}
    reasons = {
        item.id: "、".join(titles[(item.id, rule)] for rule in item.findings[:3]) + ("等" if len(item.findings) > 3 else "")
        for item in items
    }
    if fmt == "csv":
        return _table(
            ["排名", "编号", "类型", "名称", "责任人", "责任单位", "联系县领导", "灯", "得分", "档次", "预警"],
            ([i.rank, i.id, i.kind, i.title, i.owner or "", i.unit or "", i.leader or "", LIGHT_ZH[i.light],
              _num(i.score), TIER_ZH[i.tier], " ".join(i.findings)] for i in items),
            fmt,
        )
    body = _table(
        ["排名", "编号", "名称", "灯", "得分", "档次", "主要问题"],
        ([i.rank, i.id, i.title, LIGHT_ZH[i.light], _num(i.score), TIER_ZH[i.tier], reasons[i.id] or "—"]
         for i in items),
        fmt,
    )
    return _with_summary(body, report, fmt)


def render_explain(explanation: Explanation, fmt: str) -> str:
    """Every applicable rule, fired or not, with what each condition read; then the score."""
    if fmt == "json":
        return json.dumps(explanation.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    rows = []
    for rule in explanation.rules:
        verdict = f"触发({SEVERITY_ZH[rule.severity]})" if rule.fired and rule.severity else "未触发"
        for index, leaf in enumerate(rule.checks):
            operand = f"{{{leaf.operand_field}}} = {_shown(leaf.operand)}" if leaf.operand_field else _shown(leaf.operand)
            rows.append([
                rule.rule if index == 0 else "",
                verdict if index == 0 else "",
                f"{leaf.field} = {_shown(leaf.read)}",
                leaf.op,
                "" if leaf.op in ("present", "missing") else operand,
                "✓" if leaf.result else "✗",
            ])
    body = _table(["规则", "结果", "读取的值", "运算", "比较对象", "成立"], rows, fmt)
    item = explanation.item
    lines = [
        f"{item.id} 「{item.title}」 基准日 {explanation.as_of}",
        "",
        body,
        "得分构成:",
    ]
    for rule in explanation.rules:
        if rule.fired:
            lines.append(
                f"  {rule.rule} {SEVERITY_ZH.get(rule.severity or '', '')}: {_num(rule.points or 0)} 分"
                f"(幅度 {_shown(rule.magnitude)},系数 {_num(rule.factor or 1)})  {rule.message}"
            )
    lines.append(
        f"  合计 {_num(explanation.raw_points)} × 重要性 {_num(explanation.importance)} → 得分 {_num(item.score)}"
        f"({LIGHT_ZH[item.light]},{TIER_ZH[item.tier]},排名第 {item.rank})"
    )
    text = "\n".join(lines) + "\n"
    return f"# 事项解释\n\n{text}" if fmt == "markdown" else text


def render_rules(pack: RulePack, fmt: str) -> str:
    """The rules of a pack: id, title, what it applies to, severities, clause."""
    if fmt == "json":
        data = {
            "source": pack.source,
            "sha256": pack.sha256,
            "params": pack.params,
            "rules": [
                {"id": r.id, "title": r.title, "applies_to": list(r.applies_to), "severities": list(r.severities),
                 "clause": r.clause, "remedy": r.remedy, "file": r.file}
                for r in pack.rules
            ],
        }
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    rows = (
        [r.id, r.title, ",".join(r.applies_to), "/".join(SEVERITY_ZH[s] for s in r.severities), r.clause]
        for r in pack.rules
    )
    body = _table(["规则", "名称", "适用对象", "等级", "政策依据"], rows, fmt)
    if fmt == "csv":
        return body
    params = "; ".join(f"{k}={v}" for k, v in sorted(pack.params.items()))
    return f"{body}\n共 {len(pack.rules)} 条规则(来源 {pack.source});参数: {params}\n"


def render_metrics(fmt: str) -> str:
    """The metric vocabulary: name, subject, type, meaning."""
    entries = sorted(VOCABULARY.values(), key=lambda m: (m.subject, m.derived, m.name))
    if fmt == "json":
        data = [{"name": m.name, "subject": m.subject, "type": m.type, "derived": m.derived,
                 "stage": m.stage, "meaning": m.meaning} for m in entries]
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    rows = ([m.name, "单位" if m.subject == "unit" else "事项", m.type, "指标" if m.derived else "字段", m.meaning]
            for m in entries)
    return _table(["名称", "对象", "类型", "来源", "含义"], rows, fmt)


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _num(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False) if len(json.dumps(value, ensure_ascii=False)) <= 40 else f"[{len(value)} 项]"
    return str(value)

