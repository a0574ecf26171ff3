"""The terminal table: aligned columns (Chinese counted double-width), then a summary."""

from __future__ import annotations

from typing import Any, Iterable, Optional, Sequence

from tabulate import tabulate

from ..pack import RulePack
from ..report import Explanation, Report
from . import analysis, views

__all__ = ["grid", "check", "rank", "explain", "rules", "rule", "metrics"]


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
    score = views.explain_score_lines(explanation)
    lines = [views.explain_header(explanation), "", *views.explain_lines(explanation), *([""] + score if score else [])]
    return "\n".join(lines) + "\n"


def rules(pack: RulePack) -> str:
    return (f"{grid(*views.rules_table(pack))}\n{views.rules_footer(pack)}\n\n参数:\n"
            f"{grid(*views.params_table(pack))}")


def rule(subject: tuple) -> str:
    rule_, pack = subject
    return "\n".join(views.rule_lines(rule_, pack)) + "\n"


def metrics() -> str:
    return grid(*views.metrics_table())


def coverage(result: Any) -> str:
    lines = [*analysis.coverage_lines(result), "", *analysis.coverage_uncovered_lines(result), "",
             analysis.coverage_share_line(result)]
    return "\n".join(lines) + "\n"


def sweep(result: Any) -> str:
    return f"{grid(*analysis.sweep_table(result))}\n{analysis.sweep_footer(result)}\n"
