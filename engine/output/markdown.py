"""Markdown: pipe tables under a heading, for reports pasted into documents and issues."""

from __future__ import annotations

from typing import Any, Optional

from ..pack import RulePack
from ..report import Explanation, Report
from . import views
from .table import grid

__all__ = ["check", "rank", "explain", "rules", "rule", "metrics"]


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


def coverage(result: Any) -> str:
    head, *listed = views.coverage_uncovered_lines(result)
    uncovered = "".join(f"- {line.strip()}\n" for line in listed)
    return (f"# 政策要求覆盖\n\n{views.coverage_share_line(result)}\n\n{grid(*views.coverage_table(result), 'pipe')}"
            f"\n## {head.rstrip(':。')}\n\n{uncovered}")


def sweep(result: Any) -> str:
    return f"# 参数扫描\n\n{grid(*views.sweep_table(result), 'pipe')}\n{views.sweep_footer(result)}\n"
