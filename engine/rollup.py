"""Roll-ups: a report summed up by unit, leader, kind or level — where each group stands.

Computed from the report alone, so that every output (the table, the xlsx
report's 按单位/按领导 sheets, the dashboard) shows the same numbers. Per
group: items, items by light, findings by severity, points (the unrounded sum
of the findings' points, without importance) and the highest score with its
item. Groups sort by red items, then points (both descending), then name;
items without a unit or leader (by the missing test) form the group
「(未填)」, listed last.

Findings on a unit (EXC-01) count in that unit's group when rolling up by
unit and in no group otherwise; findings on the county count in none.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterable, Optional

from .ledger import is_missing
from .pack import SEVERITIES
from .report import Finding, ItemResult, Report, Rollup, RollupGroup

__all__ = ["ROLLUP_KEYS", "UNFILLED", "group_of", "rollup"]

ROLLUP_KEYS = ("unit", "leader", "kind", "level")
UNFILLED = "(未填)"


def group_of(item: ItemResult, by: str) -> str:
    """The group an item falls in when rolling up ``by``."""
    value: Optional[str] = getattr(item, by)
    return UNFILLED if is_missing(value) else str(value).strip()


def rollup(report: Report, by: str) -> Rollup:
    """The report's items and findings grouped ``by`` unit, leader, kind or level."""
    if by not in ROLLUP_KEYS:
        raise ValueError(f"unknown roll-up key {by!r}")
    groups: dict[str, dict] = {}

    def group(name: str) -> dict:
        return groups.setdefault(name, {"items": [], "findings": []})

    where: dict[str, str] = {}
    for item in report.items:
        name = group_of(item, by)
        where[item.id] = name
        group(name)["items"].append(item)
    for finding in report.findings:
        if finding.subject_kind == "unit":
            if by == "unit":
                group(finding.subject.strip())["findings"].append(finding)
        elif finding.subject_kind != "county" and finding.subject in where:
            group(where[finding.subject])["findings"].append(finding)
    rows = [_row(name, g["items"], g["findings"]) for name, g in groups.items()]
    rows.sort(key=lambda r: (r[0].group == UNFILLED, -r[0].red, -r[1], r[0].group))
    return Rollup(by=by, as_of=report.as_of, groups=[row for row, _ in rows])  # type: ignore[arg-type]


def _row(name: str, items: list[ItemResult], findings: Iterable[Finding]) -> tuple[RollupGroup, Fraction]:
    findings = list(findings)
    points = sum((f.exact_points for f in findings), Fraction(0))
    top = min(items, key=lambda i: (-i.score, i.rank)) if items else None
    row = RollupGroup(
        group=name,
        items=len(items),
        red=sum(1 for i in items if i.light == "red"),
        yellow=sum(1 for i in items if i.light == "yellow"),
        green=sum(1 for i in items if i.light == "green"),
        findings={s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES},
        points=float(points),
        top_score=top.score if top else None,
        top_item=top.id if top else None,
    )
    return row, points
