"""Markdown: pipe tables under a heading, for reports pasted into documents and issues.

A cell is one line of a pipe table, so text is escaped on its way in: ``|``
and ``\\`` get a backslash, a line break becomes ``<br>``.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Optional, Sequence

from ..diff import Diff
from ..history import PeriodInfo
from ..notices import Notice
from ..pack import RulePack
from ..report import Explanation, Report, Rollup
from . import analysis, cycle, explain_view, notice_text, table, views

__all__ = ["cell", "grid", "check", "rank", "explain", "rules", "rule", "metrics", "rollup", "notice", "history", "diff"]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def cell(value: Any) -> Any:
    """Text that stays inside its table cell (a list of lines too); other values as they are."""
    if isinstance(value, list):
        value = "\n".join(str(line) for line in value)
    if not isinstance(value, str):
        return value
    return _LINE_BREAK.sub("<br>", value.replace("\\", "\\\\").replace("|", "\\|"))


def grid(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A pipe table of escaped cells."""
    return table.grid([cell(h) for h in headers], ([cell(c) for c in row] for row in rows), "pipe")


def check(report: Report) -> str:
    waived = (f"\n## 已豁免(不计分、不亮灯)\n\n{grid(*views.waived_table(report))}" if report.waived else "")
    return f"# 督办预警\n\n{views.summary_line(report)}\n\n{grid(*views.findings_table(report, wide=False))}{waived}"


def rank(report: Report, top: Optional[int] = None) -> str:
    return f"# 督办预警\n\n{views.summary_line(report)}\n\n{grid(*views.rank_table(report, top, wide=False))}"


def explain(explanation: Explanation) -> str:
    score = explain_view.explain_score_lines(explanation)
    body = "\n".join([*explain_view.explain_lines(explanation), *([""] + score if score else [])])
    return f"# 解释\n\n{explain_view.explain_header(explanation)}\n\n```\n{body}\n```\n"


def rules(pack: RulePack) -> str:
    return (f"# 规则\n\n{grid(*views.rules_table(pack))}\n{views.rules_footer(pack)}\n\n## 参数\n\n"
            f"{grid(*views.params_table(pack))}")


def rule(subject: tuple) -> str:
    rule_, pack = subject
    lines = views.rule_lines(rule_, pack)
    return f"# {lines[0]}\n\n```\n" + "\n".join(lines[1:]) + "\n```\n"


def metrics() -> str:
    return grid(*views.metrics_table())


def rollup(rollup: Rollup) -> str:
    return f"# 督办汇总: 按{views.ROLLUP_BY_ZH[rollup.by]}\n\n{views.rollup_line(rollup)}\n\n{grid(*views.rollup_table(rollup))}"


def notice(notice: Notice) -> str:
    """The notice as Markdown: heading, fields, table, signature, and the reply slip after a rule."""
    lines = [f"# {notice.title}", "", f"**{notice.number}**", ""]
    lines += [f"- **{label}**: {value}" for label, value in notice_text.fields(notice)]
    lines += ["", notice_text.intro(notice), ""]
    lines.append(grid(notice_text.TABLE_HEADERS, notice_text.rows(notice)))
    office, day = notice_text.signature(notice)
    lines += [f"{office}  ", day, "", "---", "", f"## {notice_text.RECEIPT_TITLE}", ""]
    lines += [f"- **{label}**: {value or '________'}" for label, value in notice_text.receipt_fields(notice)]
    lines += ["", grid(["项目", "内容(由责任单位填写)"], [[label, " "] for label in notice_text.RECEIPT_ROWS])]
    lines.append(notice_text.receipt_note(notice))
    return "\n".join(lines) + "\n"


def history(periods: Sequence[PeriodInfo]) -> str:
    return f"# 历史记录\n\n{cycle.history_footer(periods)}\n\n{grid(*cycle.history_table(periods, wide=False))}"


def diff(difference: Diff) -> str:
    return (f"# 两期对比\n\n{cycle.diff_summary_line(difference)}\n\n## 预警变化\n\n"
            f"{grid(*cycle.diff_table(difference, wide=False))}\n## 灯色变化\n\n"
            f"{grid(*cycle.lights_table(difference))}")


def coverage(result: Any) -> str:
    head, *listed = analysis.coverage_uncovered_lines(result)
    uncovered = "".join(f"- {line.strip()}\n" for line in listed)
    return (f"# 政策要求覆盖\n\n{analysis.coverage_share_line(result)}\n\n{grid(*analysis.coverage_table(result))}"
            f"\n## {head.rstrip(':。')}\n\n{uncovered}")


def sweep(result: Any) -> str:
    return f"# 参数扫描\n\n{grid(*analysis.sweep_table(result))}\n{analysis.sweep_footer(result)}\n"
