"""The terminal table: aligned columns (Chinese counted double-width), then a summary."""

from __future__ import annotations

from typing import Any, Iterable, Optional, Sequence

from tabulate import tabulate

from ..diff import Diff
from ..history import PeriodInfo
from ..pack import RulePack
from ..report import Explanation, Report, Rollup
from . import cycle, views

__all__ = ["grid", "check", "rank", "explain", "rules", "rule", "metrics", "rollup", "history", "diff"]


def grid(headers: Sequence[str], rows: Iterable[Sequence[Any]], style: str = "simple") -> str:
    """Rows under their headers as a tabulate table; ``(无)`` when there are none."""
    rows = list(rows)
    if not rows:
        return "(无)\n"
    return tabulate(rows, headers=list(headers), tablefmt=style, disable_numparse=True) + "\n"


def check(report: Report) -> str:
    waived = f"\n已豁免 {len(report.waived)} 条预警(不计分、不亮灯):\n{grid(*views.waived_table(report))}" if report.waived else ""
    return f"{grid(*views.findings_table(report, wide=False))}{waived}\n{views.summary_line(report)}\n"


def rank(report: Report, top: Optional[int] = None) -> str:
    return f"{grid(*views.rank_table(report, top, wide=False))}\n{views.summary_line(report)}\n"


def explain(explanation: Explanation) -> str:
    lines = [views.explain_header(explanation), "", grid(*views.explain_table(explanation))]
    return "\n".join(lines + views.explain_score_lines(explanation)) + "\n"


def rules(pack: RulePack) -> str:
    return (f"{grid(*views.rules_table(pack))}\n{views.rules_footer(pack)}\n\n参数:\n"
            f"{grid(*views.params_table(pack))}")


def rule(subject: tuple) -> str:
    rule_, pack = subject
    return "\n".join(views.rule_lines(rule_, pack)) + "\n"


def metrics() -> str:
    return grid(*views.metrics_table())


def rollup(rollup: Rollup) -> str:
    return f"{grid(*views.rollup_table(rollup))}\n{views.rollup_line(rollup)}\n"


def history(periods: Sequence[PeriodInfo]) -> str:
    return f"{grid(*cycle.history_table(periods, wide=False))}\n{cycle.history_footer(periods)}\n"


def diff(difference: Diff) -> str:
    return (f"{grid(*cycle.diff_table(difference, wide=False))}\n灯色变化:\n{grid(*cycle.lights_table(difference))}\n"
            f"{cycle.diff_summary_line(difference)}\n")
