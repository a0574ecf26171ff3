"""The terminal table: aligned columns (Chinese counted double-width), then a summary.

On a terminal the command line asks for two more things, both layout only:
``color`` paints the severities and lights (红, 黄灯 …) in their colours, and
``width`` (the terminal's columns) wraps the text columns of a view (名称,
预警内容, 主要问题 …) so that a row fits. Without them the table is plain text
of any width, as a file or a pipe should get it.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional, Sequence

import tabulate as _tabulate
from tabulate import tabulate
from wcwidth import wcswidth

from ..diff import Diff
from ..history import PeriodInfo
from ..pack import RulePack
from ..report import Explanation, Report, Rollup, Validation
from . import analysis, cycle, explain_view, views

__all__ = ["grid", "check", "rank", "explain", "rules", "rule", "metrics", "rollup", "history", "diff", "validate"]

# ANSI colours of the severities and lights; tabulate does not count them in a cell's width.
_ANSI = {"red": "\x1b[31m", "yellow": "\x1b[33m", "blue": "\x1b[34m", "green": "\x1b[32m"}
_RESET = "\x1b[0m"
# Columns whose labels are painted.
_COLOURED_COLUMNS = ("等级", "灯", "结果")
# The space tabulate's "simple" style puts between two columns.
_GAP = 2
# A wrapped column keeps at least this many terminal cells, however narrow the terminal.
_MIN_WIDTH = 8


def grid(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    style: str = "simple",
    *,
    color: bool = False,
    width: Optional[int] = None,
) -> str:
    """Rows under their headers as a tabulate table; ``(无)`` when there are none."""
    rows = [list(row) for row in rows]
    if not rows:
        return "(无)\n"
    widths = _fitted_widths(headers, rows, width) if width else None
    if color:
        rows = [_painted(headers, row) for row in rows]
    return tabulate(rows, headers=list(headers), tablefmt=style, disable_numparse=True, maxcolwidths=widths) + "\n"


def _painted(headers: Sequence[str], row: list[Any]) -> list[Any]:
    return [
        f"{_ANSI[views.COLOURS[cell]]}{cell}{_RESET}"
        if header in _COLOURED_COLUMNS and isinstance(cell, str) and cell in views.COLOURS else cell
        for header, cell in zip(headers, row)
    ]


def _cells(value: Any) -> int:
    """The terminal cells a value takes: its widest line, Chinese characters counting two."""
    return max((max(wcswidth(line), len(line)) for line in str(value).splitlines()), default=0)


def _fitted_widths(headers: Sequence[str], rows: list[list[Any]], width: int) -> Optional[list[Optional[int]]]:
    """Column limits for tabulate that wrap the view's text columns so that a row fits ``width``.

    The short columns (ids, rules, severities, units) keep their width; the
    text columns (名称 and the long one, such as 预警内容, which gets twice the
    share) divide what is left, each taking no more than it needs and no less
    than a few characters.
    """
    wrappable = [i for i, header in enumerate(headers) if header in views.FLEXIBLE or header in views.WRAPPABLE]
    if not wrappable:
        return None
    # tabulate keeps a header MIN_PADDING cells wider than its text
    natural = [max([_cells(headers[i]) + _tabulate.MIN_PADDING] + [_cells(row[i]) for row in rows])
               for i in range(len(headers))]
    room = width - sum(w for i, w in enumerate(natural) if i not in wrappable) - _GAP * (len(headers) - 1)
    if sum(natural[i] for i in wrappable) <= room:
        return None
    limits: list[Optional[int]] = [None] * len(headers)
    # The long text gets twice a name's share; a column that needs less than
    # its share leaves the rest to the others, so the least needy go first.
    weight = {i: 2 if headers[i] in views.FLEXIBLE else 1 for i in wrappable}
    left = sum(weight.values())
    for i in sorted(wrappable, key=lambda i: natural[i] / weight[i]):
        limits[i] = min(natural[i], max(room * weight[i] // left, _MIN_WIDTH))
        room -= limits[i]
        left -= weight[i]
    return limits


def check(report: Report, *, color: bool = False, width: Optional[int] = None) -> str:
    table = grid(*views.findings_table(report, wide=False), color=color, width=width)
    waived = (f"\n已豁免 {len(report.waived)} 条预警(不计分、不亮灯):\n{grid(*views.waived_table(report), color=color, width=width)}"
              if report.waived else "")
    return f"{table}{waived}\n{views.summary_line(report)}\n"


def rank(report: Report, top: Optional[int] = None, *, color: bool = False, width: Optional[int] = None) -> str:
    table = grid(*views.rank_table(report, top, wide=False), color=color, width=width)
    return f"{table}\n{views.summary_line(report)}\n"


def explain(explanation: Explanation, *, color: bool = False, width: Optional[int] = None) -> str:
    score = explain_view.explain_score_lines(explanation)
    lines = [explain_view.explain_header(explanation), "", *explain_view.explain_lines(explanation), *([""] + score if score else [])]
    if color:  # the verdicts in their colours: 触发(红) …
        lines = [_painted_verdict(line) for line in lines]
    return "\n".join(lines) + "\n"


def _painted_verdict(line: str) -> str:
    for severity, label in views.SEVERITY_ZH.items():
        line = line.replace(f"触发({label}", f"{_ANSI[severity]}触发({label}{_RESET}", 1)
    return line


def rules(pack: RulePack, *, color: bool = False, width: Optional[int] = None) -> str:
    return (f"{grid(*views.rules_table(pack), color=color, width=width)}\n{views.rules_footer(pack)}\n\n参数:\n"
            f"{grid(*views.params_table(pack), color=color, width=width)}")


def rule(subject: tuple, *, color: bool = False, width: Optional[int] = None) -> str:
    rule_, pack = subject
    return "\n".join(views.rule_lines(rule_, pack)) + "\n"


def metrics(*, color: bool = False, width: Optional[int] = None) -> str:
    return grid(*views.metrics_table(), color=color, width=width)


def rollup(rollup: Rollup, *, color: bool = False, width: Optional[int] = None) -> str:
    return f"{grid(*views.rollup_table(rollup), color=color, width=width)}\n{views.rollup_line(rollup)}\n"


def history(periods: Sequence[PeriodInfo], *, color: bool = False, width: Optional[int] = None) -> str:
    table = grid(*cycle.history_table(periods, wide=False), color=color, width=width)
    return f"{table}\n{cycle.history_footer(periods)}\n"


def diff(difference: Diff, *, color: bool = False, width: Optional[int] = None) -> str:
    changes = grid(*cycle.diff_table(difference, wide=False), color=color, width=width)
    lights = grid(*cycle.lights_table(difference), color=color, width=width)
    return f"{changes}\n灯色变化:\n{lights}\n{cycle.diff_summary_line(difference)}\n"


def validate(result: Validation, *, color: bool = False, width: Optional[int] = None) -> str:
    return "".join(line + "\n" for line in views.validation_lines(result))


def coverage(result: Any, *, color: bool = False, width: Optional[int] = None) -> str:
    """The sentences as lines (a long one wraps alone), the uncovered demands, the share."""
    lines = [*analysis.coverage_lines(result), "", *analysis.coverage_uncovered_lines(result), "",
             analysis.coverage_share_line(result)]
    return "\n".join(lines) + "\n"


def sweep(result: Any, *, color: bool = False, width: Optional[int] = None) -> str:
    return f"{grid(*analysis.sweep_table(result), color=color, width=width)}\n{analysis.sweep_footer(result)}\n"
