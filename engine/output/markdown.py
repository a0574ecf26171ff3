"""Markdown: pipe tables under a heading, for reports pasted into documents and issues."""

from __future__ import annotations

from typing import Any, Optional

from ..pack import RulePack
from ..report import Explanation, Report
from . import analysis, views
from .table import grid

__all__ = ["check", "rank", "explain", "rules", "rule", "metrics"]


def check(report: Report) -> str:
    waived = (f"\n## 已豁免(不计分、不亮灯)\n\n{grid(*views.waived_table(report), 'pipe')}" if report.waived else "")
    return f"# 督办预警\n\n{views.summary_line(report)}\n\n{grid(*views.findings_table(report, wide=False), 'pipe')}{waived}"


def rank(report: Report, top: Optional[int] = None) -> str:
    return f"# 督办预警\n\n{views.summary_line(report)}\n\n{grid(*views.rank_table(report, top, wide=False), 'pipe')}"


def explain(explanation: Explanation) -> str:
    score = views.explain_score_lines(explanation)
    body = "\n".join([*views.explain_lines(explanation), *([""] + score if score else [])])
    return f"# 解释\n\n{views.explain_header(explanation)}\n\n```\n{body}\n```\n"


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
    head, *listed = analysis.coverage_uncovered_lines(result)
    uncovered = "".join(f"- {line.strip()}\n" for line in listed)
    return (f"# 政策要求覆盖\n\n{analysis.coverage_share_line(result)}\n\n{grid(*analysis.coverage_table(result), 'pipe')}"
            f"\n## {head.rstrip(':。')}\n\n{uncovered}")


def sweep(result: Any) -> str:
    return f"# 参数扫描\n\n{grid(*analysis.sweep_table(result), 'pipe')}\n{analysis.sweep_footer(result)}\n"
