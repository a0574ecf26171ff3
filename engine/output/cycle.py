"""The rows of the supervision cycle's views: ``history`` (the recorded periods) and ``diff``.

Like :mod:`.views`, format-independent headers and rows with Chinese labels;
every number comes from the :class:`~engine.history.PeriodInfo` list or the
:class:`~engine.diff.Diff`, nothing is counted here.
"""

from __future__ import annotations

from typing import Optional, Sequence

from ..diff import Diff, FindingChange
from ..history import PeriodInfo
from .views import LIGHT_ZH, SEVERITY_ZH, Table, number

__all__ = ["CHANGE_ZH", "LIGHT_CHANGE_ZH", "SHORT_SHA", "history_table", "history_footer", "diff_changes", "diff_table",
           "lights_table", "diff_summary_line"]

CHANGE_ZH = {"new": "新增", "cleared": "已销号", "raised": "升级", "lowered": "降级", "unchanged": "持续"}
LIGHT_CHANGE_ZH = "灯色变化"
# The rules' sha256 in a terminal table: enough to tell two packs apart.
SHORT_SHA = 12
ABSENT = "—"


# --- history ----------------------------------------------------------------------


def history_table(periods: Sequence[PeriodInfo], wide: bool) -> Table:
    """One row per recorded period, oldest first; ``wide`` gives the full sha256 and every count (CSV)."""
    if wide:
        return (
            ["基准日", "规则来源", "规则sha256", "事项", "红灯", "黄灯", "绿灯", "红色预警", "黄色预警", "蓝色预警"],
            [[p.as_of, p.rules_source, p.rules_sha256, p.items, p.lights["red"], p.lights["yellow"],
              p.lights["green"], p.findings["red"], p.findings["yellow"], p.findings["blue"]] for p in periods],
        )
    return (
        ["基准日", "规则sha256", "事项", "红灯", "黄灯", "绿灯", "预警(红/黄/蓝)"],
        [[p.as_of, p.rules_sha256[:SHORT_SHA], p.items, p.lights["red"], p.lights["yellow"], p.lights["green"],
          f"{p.findings['red']}/{p.findings['yellow']}/{p.findings['blue']}"] for p in periods],
    )


def history_footer(periods: Sequence[PeriodInfo]) -> str:
    if not periods:
        return "共 0 期记录"
    return f"共 {len(periods)} 期记录(基准日 {periods[0].as_of} 至 {periods[-1].as_of})"


# --- diff -------------------------------------------------------------------------


def diff_changes(diff: Diff) -> list[tuple[str, FindingChange]]:
    """Every compared finding with its kind of change, in the spec's order: 新增, 已销号, 升级, 降级, 持续."""
    return [(kind, change) for kind in CHANGE_ZH for change in getattr(diff, kind)]


def _severity(value: Optional[str]) -> str:
    return SEVERITY_ZH[value] if value else ABSENT


def _points(value: Optional[float]) -> str:
    return ABSENT if value is None else number(value)


def _severities(change: FindingChange) -> str:
    if change.old_severity and change.new_severity and change.old_severity != change.new_severity:
        return f"{SEVERITY_ZH[change.old_severity]}→{SEVERITY_ZH[change.new_severity]}"
    return _severity(change.new_severity or change.old_severity)


def diff_table(diff: Diff, wide: bool) -> Table:
    """The compared findings, one row each.

    ``wide`` (for CSV) gives both severities and points, then the items whose
    light changed as rows of 「灯色变化」 in the same columns, so that one sheet
    holds the whole difference.
    """
    rows = diff_changes(diff)
    if wide:
        return (
            ["变化", "对象", "对象类型", "名称", "规则", "规则名称", "类别", "原等级(灯)", "现等级(灯)", "原得分",
             "现得分", "预警内容"],
            [[CHANGE_ZH[kind], c.subject, c.subject_kind, c.subject_title, c.rule, c.title, c.category,
              _severity(c.old_severity), _severity(c.new_severity), _points(c.old_points), _points(c.new_points),
              c.message] for kind, c in rows]
            + [[LIGHT_CHANGE_ZH, c.id, c.kind, c.title, "", "", "", LIGHT_ZH[c.old_light], LIGHT_ZH[c.new_light],
                number(c.old_score), number(c.new_score), ""] for c in diff.lights],
        )
    return (
        ["变化", "对象", "名称", "规则", "等级", "预警内容"],
        [[CHANGE_ZH[kind], c.subject, c.subject_title, c.rule, _severities(c), c.message] for kind, c in rows],
    )


def lights_table(diff: Diff) -> Table:
    """The items whose light changed: light, score and rank before → after."""
    return (
        ["编号", "名称", "责任单位", "灯", "得分", "排名"],
        [[c.id, c.title, c.unit or "", f"{LIGHT_ZH[c.old_light]}→{LIGHT_ZH[c.new_light]}",
          f"{number(c.old_score)}→{number(c.new_score)}", f"{c.old_rank}→{c.new_rank}"] for c in diff.lights],
    )


def diff_summary_line(diff: Diff) -> str:
    s = diff.summary
    return (f"基准日 {diff.from_} → {diff.to}: 新增 {s.new} 条,已销号 {s.cleared} 条,升级 {s.raised} 条,"
            f"降级 {s.lowered} 条,持续 {s.unchanged} 条;灯色变化 {s.lights} 个事项")
