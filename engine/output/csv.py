"""CSV: UTF-8 with a byte-order mark (so that Excel shows the Chinese), CRLF line ends.

Every view is one CSV document: one header row, then rows. Text that a
spreadsheet would run as a formula is written as text (:func:`.cells.csv_safe`).
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Optional, Sequence

from ..diff import Diff
from ..history import PeriodInfo
from ..pack import RulePack
from ..report import Explanation, Report, Rollup
from . import analysis, cycle, explain_view, views
from .cells import csv_safe

__all__ = ["BOM", "sheet", "check", "rank", "explain", "rules", "metrics", "rollup", "history", "diff"]

BOM = "\ufeff"


def sheet(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """One CSV document: the byte-order mark, the header row, the rows (formula-safe)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([csv_safe(cell) for cell in row] for row in rows)
    return BOM + buffer.getvalue()


def check(report: Report) -> str:
    return sheet(*views.findings_table(report, wide=True))


def rank(report: Report, top: Optional[int] = None) -> str:
    return sheet(*views.rank_table(report, top, wide=True))


def explain(explanation: Explanation) -> str:
    return sheet(*explain_view.explain_sheet(explanation))


def rules(pack: RulePack) -> str:
    return sheet(*views.rules_table(pack))


def metrics() -> str:
    return sheet(*views.metrics_table())


def rollup(rollup: Rollup) -> str:
    return sheet(*views.rollup_table(rollup))


def history(periods: Sequence[PeriodInfo]) -> str:
    return sheet(*cycle.history_table(periods, wide=True))


def diff(difference: Diff) -> str:
    return sheet(*cycle.diff_table(difference, wide=True))


def coverage(result: Any) -> str:
    return sheet(*analysis.coverage_table(result, wide=True))


def sweep(result: Any) -> str:
    return sheet(*analysis.sweep_table(result, wide=True))
