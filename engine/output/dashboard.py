"""What the dashboard shows: the report, its roll-ups by unit and leader, and the recorded periods.

Like :mod:`.views`, this arranges what the library computed — the report,
:func:`engine.rollup.rollup`, and the red and yellow counts of the recorded
periods that the history gives — into one model that the HTML template lays
out. It computes no result of its own.
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence, Union

from pydantic import BaseModel, ConfigDict

from ..ledger import is_missing
from ..report import Finding, ItemResult, PeriodCounts, Report, Rollup
from ..rollup import UNFILLED, group_of, rollup
from . import views

__all__ = ["DashboardItem", "Dashboard", "dashboard"]

Period = Union[PeriodCounts, Sequence]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DashboardItem(_Model):
    """One ranked item with what its row, its filters and its drill-down show."""

    item: ItemResult
    unit: str
    leader: str
    reasons: str
    findings: list[Finding]


class Dashboard(_Model):
    """Everything the dashboard page shows, in the order it shows it."""

    county: Optional[str]
    as_of: str
    report: Report
    by_unit: Rollup
    by_leader: Rollup
    periods: list[PeriodCounts]
    items: list[DashboardItem]
    other_findings: list[Finding]
    kinds: list[str]
    units: list[str]
    leaders: list[str]


def dashboard(report: Report, top: Optional[int] = None, periods: Optional[Iterable[Period]] = None) -> Dashboard:
    """The dashboard of ``report``: every item (the first ``top`` of them), with the charts' data.

    ``periods`` are the recorded periods, oldest first, as :class:`PeriodCounts`
    or ``(as_of, red, yellow)`` tuples; without them there is no period chart.
    """
    shown = views.ranked_items(report, top)
    reasons = views.top_reasons(report, shown)
    findings: dict[str, list[Finding]] = {}
    for finding in report.findings:
        findings.setdefault(finding.subject, []).append(finding)
    items = [
        DashboardItem(item=item, unit=group_of(item, "unit"), leader=group_of(item, "leader"),
                      reasons=reasons[item.id], findings=findings.get(item.id, []))
        for item in shown
    ]
    county = None if is_missing(report.county) else str(report.county).strip()
    return Dashboard(
        county=county,
        as_of=report.as_of,
        report=report,
        by_unit=rollup(report, "unit"),
        by_leader=rollup(report, "leader"),
        periods=[p if isinstance(p, PeriodCounts) else PeriodCounts(as_of=str(p[0]), red=p[1], yellow=p[2])
                 for p in periods or ()],
        items=items,
        other_findings=[f for f in report.findings if f.subject_kind in ("unit", "county")],
        kinds=[k for k in views.KIND_ZH if any(i.item.kind == k for i in items)],
        units=_choices(i.unit for i in items),
        leaders=_choices(i.leader for i in items),
    )


def _choices(values: Iterable[str]) -> list[str]:
    """A filter's choices: the values present, in code-point order, (未填) last."""
    present = set(values)
    return sorted(present - {UNFILLED}) + ([UNFILLED] if UNFILLED in present else [])
