"""Markdown: pipe tables under a heading, for reports pasted into documents and issues."""

from __future__ import annotations

from typing import Optional, Sequence

from ..diff import Diff
from ..history import PeriodInfo
from ..pack import RulePack
from ..report import Explanation, Report
from . import cycle, views
from .table import grid

__all__ = ["check", "rank", "explain", "rules", "rule", "metrics", "history", "diff"]


def check(report: Report) -> str:
    waived = (f"\n## 已豁免(不计分、不亮灯)\n\n{grid(*views.waived_table(report), 'pipe')}" if report.waived else "")
    return f"# 督办预警\n\n{views.summary_line(report)}\n\n{grid(*views.findings_table(report, wide=False), 'pipe')}{waived}"


def rank(report: Report, top: Optional[int] = None) -> str:
    return f"# 督办预警\n\n{views.summary_line(report)}\n\n{grid(*views.rank_table(report, top, wide=False), 'pipe')}"


def explain(explanation: Explanation) -> str:
    lines = [views.explain_header(explanation), "", grid(*views.explain_table(explanation), "pipe")]
    return "# 事项解释\n\n" + "\n".join(lines + views.explain_score_lines(explanation)) + "\n"


def rules(pack: RulePack) -> str:
    return (f"# 规则\n\n{grid(*views.rules_table(pack), 'pipe')}\n{views.rules_footer(pack)}\n\n## 参数\n\n"
            f"{grid(*views.params_table(pack), 'pipe')}")


def rule(subject: tuple) -> str:
    rule_, pack = subject
    lines = views.rule_lines(rule_, pack)
    return f"# {lines[0]}\n\n```\n" + "\n".join(lines[1:]) + "\n```\n"


def metrics() -> str:
    return grid(*views.metrics_table(), "pipe")


def history(periods: Sequence[PeriodInfo]) -> str:
    return f"# 历史记录\n\n{cycle.history_footer(periods)}\n\n{grid(*cycle.history_table(periods, wide=False), 'pipe')}"


def diff(difference: Diff) -> str:
    return (f"# 两期对比\n\n{cycle.diff_summary_line(difference)}\n\n## 预警变化\n\n"
            f"{grid(*cycle.diff_table(difference, wide=False), 'pipe')}\n## 灯色变化\n\n"
            f"{grid(*cycle.lights_table(difference), 'pipe')}")
