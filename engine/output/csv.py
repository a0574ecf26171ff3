"""CSV: UTF-8 with a byte-order mark (so that Excel shows the Chinese), CRLF line ends."""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Optional, Sequence

from ..pack import RulePack
from ..report import Explanation, Report
from . import analysis, views

__all__ = ["BOM", "sheet", "check", "rank", "explain", "rules", "metrics"]

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
    return sheet(*views.explain_table(explanation))


def rules(pack: RulePack) -> str:
    return sheet(*views.rules_table(pack))


def metrics() -> str:
    return sheet(*views.metrics_table())


def coverage(result: Any) -> str:
    return sheet(*analysis.coverage_table(result, wide=True))


def sweep(result: Any) -> str:
    return sheet(*analysis.sweep_table(result, wide=True))
