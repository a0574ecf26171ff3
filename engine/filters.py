"""Filters: what a report shows, never what is evaluated.

The whole ledger is evaluated and ranked first; a filter then keeps the
matching items with their county-wide rank and their findings, the summary
counts what is shown, and a note names the filter. In this order:

- ``units``, ``leaders``, ``kinds``: items whose lead unit, contact leader or
  kind is one of those given (names compared after stripping);
- ``min_severity``: findings below it are dropped, and items that no longer
  have a finding with them;
- ``top``: the first N of what is left.

Findings on units and on the county are kept under the first two (subject to
the minimum severity) and dropped under ``top``, with a note.
"""

from __future__ import annotations

from typing import Iterable, Optional

from .evaluate.score import summarize
from .pack import SEVERITIES
from .report import Finding, ItemResult, Report

__all__ = ["filter_report"]

_SEVERITY_ZH = {"red": "红", "yellow": "黄", "blue": "蓝"}


def filter_report(
    report: Report,
    *,
    units: Iterable[str] = (),
    leaders: Iterable[str] = (),
    kinds: Iterable[str] = (),
    min_severity: Optional[str] = None,
    top: Optional[int] = None,
) -> Report:
    """The report narrowed to what the filters choose (the report itself when none is given)."""
    units, leaders, kinds = _names(units), _names(leaders), _names(kinds)
    if not (units or leaders or kinds or min_severity or top):
        return report
    if min_severity is not None and min_severity not in SEVERITIES:
        raise ValueError(f"unknown severity {min_severity!r}")
    notes = []
    items = report.items
    if units:
        items = [i for i in items if (i.unit or "").strip() in units]
        notes.append("责任单位为 " + "、".join(sorted(units)))
    if leaders:
        items = [i for i in items if (i.leader or "").strip() in leaders]
        notes.append("联系县领导为 " + "、".join(sorted(leaders)))
    if kinds:
        items = [i for i in items if i.kind in kinds]
        notes.append("类型为 " + "、".join(sorted(kinds)))
    keep = _at_least(min_severity)
    if min_severity:
        notes.append(f"只列{_SEVERITY_ZH[min_severity]}色及以上的预警")
    shown = {i.id for i in items}
    findings = [f for f in report.findings if keep(f) and (f.subject in shown or _not_an_item(f))]
    waived = [f for f in report.waived if keep(f) and (f.subject in shown or _not_an_item(f))]
    if min_severity:
        flagged = {f.subject for f in findings if not _not_an_item(f)}
        items = [i for i in items if i.id in flagged]
    if top is not None:
        items = items[:top]
        shown = {i.id for i in items}
        dropped = any(_not_an_item(f) for f in findings)
        findings = [f for f in findings if f.subject in shown and not _not_an_item(f)]
        waived = [f for f in waived if f.subject in shown and not _not_an_item(f)]
        notes.append(f"前 {top} 个事项" + (",单位和全县的预警未列出" if dropped else ""))
    shown_items = {i.id: i for i in items}
    ranked: list[ItemResult] = [i for i in report.items if i.id in shown_items]
    categories = list(report.summary.categories)
    summary = summarize(ranked, findings, categories, waived=len(waived), rejected=report.summary.rejected)
    note = "筛选: " + ";".join(notes) + f"(共 {len(report.items)} 个事项参与评估和排名,排名为全县排名)"
    return report.model_copy(update={
        "items": ranked,
        "findings": findings,
        "waived": waived,
        "summary": summary,
        "notes": sorted([*report.notes, note]),
    })


def _names(values: Iterable[str]) -> set[str]:
    return {str(v).strip() for v in values or () if str(v).strip()}


def _not_an_item(finding: Finding) -> bool:
    return finding.subject_kind in ("unit", "county")


def _at_least(min_severity: Optional[str]):
    if min_severity is None:
        return lambda finding: True
    limit = SEVERITIES.index(min_severity)
    return lambda finding: SEVERITIES.index(finding.severity) <= limit
