"""CSV: UTF-8 with a byte-order mark (so that Excel shows the Chinese), CRLF line ends."""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Optional, Sequence

from ..diff import Diff
from ..history import PeriodInfo
from ..pack import RulePack
from ..report import Explanation, Report, Rollup
from . import cycle, views

__all__ = ["BOM", "sheet", "check", "rank", "explain", "rules", "metrics", "rollup", "history", "diff"]

BOM = "\ufeff"


def sheet(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """One CSV document: the byte-order mark, the header row, the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return BOM + buffer.getvalue()


def check(report: Report) -> str:
    return sheet(*views.findings_table(report, wide=True))


def rank(report: Report, top: Optional[int] = None) -> str:
    return sheet(*views.rank_table(report, top, wide=True))


def explain(explanation: Explanation) -> str:
    lines = [views.explain_header(explanation), "", sheet(*views.explain_table(explanation))]
    return "\n".join(lines + views.explain_score_lines(explanation)) + "\n"


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
