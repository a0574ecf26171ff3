"""The report as an Excel workbook (``--format xlsx --output R.xlsx``, check and rank).

Sheets: 汇总 (the summary and notes), 预警 (the findings, each row filled in
its severity's colour), 排名 (the ranked items, the light column filled),
按单位 and 按领导 (the roll-ups of :func:`engine.rollup.rollup`). Each has a
frozen header row, filters and widths that fit the Chinese text, and prints
landscape on A4 pages one sheet wide. Text is never written as a formula.
Like every renderer this one arranges what the report holds; the roll-ups
are the library's.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Optional

from ..report import Report
from ..rollup import rollup
from . import views
from .workbook import print_landscape, workbook_bytes, write_table

__all__ = ["FILLS", "check", "rank"]

# Light fills with dark text of the same hue, as Excel's own "good, bad and neutral" styles.
FILLS = {
    "red": ("FFC7CE", "9C0006"),
    "yellow": ("FFEB9C", "9C5700"),
    "blue": ("DDEBF7", "1F4E78"),
    "green": ("C6EFCE", "006100"),
}
KIND_ZH = {"project": "项目", "enterprise": "企业", "reform": "改革", "excellence": "创先争优", "party": "党建",
           "task": "任务", "indicator": "指标", "unit": "单位", "county": "县"}
LEVEL_ZH = {"national": "国家级", "provincial": "省级", "municipal": "市级", "county": "县级"}


def _paint(cell: Any, colour: str) -> None:
    from openpyxl.styles import Font, PatternFill

    fill, ink = FILLS[colour]
    cell.fill = PatternFill("solid", fgColor=fill)
    cell.font = Font(color=ink, bold=cell.font.bold)


def _centre(ws: Any, *columns: int) -> None:
    """Centre short labels (灯, 档次, 等级) so that they do not run into the numbers beside them."""
    from openpyxl.styles import Alignment

    for row in ws.iter_rows(min_row=2):
        for column in columns:
            row[column - 1].alignment = Alignment(horizontal="center", vertical="center")


def _sheet(wb: Any, title: str) -> Any:
    ws = wb.create_sheet(title)
    print_landscape(ws)
    return ws


def _summary(wb: Any, report: Report) -> None:
    ws = _sheet(wb, "汇总")
    s = report.summary
    rows: list[list[Any]] = [
        ["基准日", report.as_of],
        ["规则来源", report.rules.source],
        ["规则 sha256", report.rules.sha256],
        ["事项数", s.items],
        *[[f"{views.LIGHT_ZH[k]}事项", v] for k, v in s.lights.items()],
        *[[f"{views.SEVERITY_ZH[k]}色预警", v] for k, v in s.findings.items()],
        *[[f"优先级「{views.TIER_ZH[k]}」", v] for k, v in s.tiers.items()],
        *[[f"类别「{k}」预警", v] for k, v in s.categories.items()],
        ["豁免的预警", s.waived],
        ["剔除的记录", s.rejected],
        *[["提示", note] for note in report.notes],
        *[["剔除", f"{r.file}: {r.place}: {r.cause}"] for r in report.rejected],
    ]
    write_table(ws, ["项目", "内容"], rows, filters=False, caps={2: 80})
    colours = {f"{views.LIGHT_ZH[k]}事项": k for k in s.lights} | {f"{views.SEVERITY_ZH[k]}色预警": k for k in s.findings}
    for row in ws.iter_rows(min_row=2):
        colour = colours.get(row[0].value)
        if colour:
            _paint(row[0], colour)


def _findings(wb: Any, report: Report) -> None:
    ws = _sheet(wb, "预警")
    headers = ["对象", "名称", "对象类型", "规则", "规则名称", "类别", "等级", "预警内容", "整改要求", "政策依据", "得分"]
    rows = [[f.subject, f.subject_title, KIND_ZH.get(f.subject_kind, f.subject_kind), f.rule, f.title, f.category,
             views.SEVERITY_ZH[f.severity] + (f"(由{views.SEVERITY_ZH[f.escalated_from]}升级)" if f.escalated_from else ""),
             f.message, f.remedy, f.clause, f.points] for f in report.findings]
    write_table(ws, headers, rows, formats={10: "0.0"}, caps={2: 30, 5: 20, 8: 44, 9: 30, 10: 30})
    for finding, row in zip(report.findings, ws.iter_rows(min_row=2)):
        for cell in row:
            _paint(cell, finding.severity)
    _centre(ws, 7)


def _ranking(wb: Any, report: Report, top: Optional[int]) -> None:
    ws = _sheet(wb, "排名")
    headers = ["排名", "编号", "类型", "名称", "责任人", "责任单位", "联系县领导", "级别", "灯", "得分", "档次", "预警"]
    items = views.ranked_items(report, top)
    rows = [[i.rank, i.id, KIND_ZH.get(i.kind, i.kind), i.title, i.owner, i.unit, i.leader, LEVEL_ZH.get(i.level, i.level),
             views.LIGHT_ZH[i.light], i.score, views.TIER_ZH[i.tier], " ".join(i.findings)] for i in items]
    write_table(ws, headers, rows, formats={9: "0.0"}, caps={4: 36, 12: 30})
    for item, row in zip(items, ws.iter_rows(min_row=2)):
        _paint(row[8], item.light)
    _centre(ws, 1, 9, 11)


def _rollup(wb: Any, report: Report, by: str, title: str, group: str) -> None:
    ws = _sheet(wb, title)
    headers = [group, "事项", "红灯", "黄灯", "绿灯", "红色预警", "黄色预警", "蓝色预警", "预警分值", "最高得分", "最高得分事项"]
    rows = [[g.group, g.items, g.red, g.yellow, g.green, g.findings.get("red", 0), g.findings.get("yellow", 0),
             g.findings.get("blue", 0), g.points, g.top_score, g.top_item] for g in rollup(report, by).groups]
    write_table(ws, headers, rows, formats={8: "0.0", 9: "0.0"})
    for row in ws.iter_rows(min_row=2):
        for cell, colour in ((row[2], "red"), (row[3], "yellow"), (row[4], "green")):
            if cell.value:
                _paint(cell, colour)


def _workbook(report: Report, top: Optional[int]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    _summary(wb, report)
    _findings(wb, report)
    _ranking(wb, report, top)
    _rollup(wb, report, "unit", "按单位", "责任单位")
    _rollup(wb, report, "leader", "按领导", "联系县领导")
    return workbook_bytes(wb, date.fromisoformat(report.as_of))


def check(report: Report) -> bytes:
    return _workbook(report, None)


def rank(report: Report, top: Optional[int] = None) -> bytes:
    return _workbook(report, top)
