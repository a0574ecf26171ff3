"""One run's result, compact: what the report holds, as rows, until someone asks for the models.

:class:`Evaluation` has the report's attributes (``findings``, ``items``,
``waived``, ``summary`` …) with compact rows in place of models, so the
filters, the counts and the renderers read it as they read a
:class:`~engine.report.Report`; :meth:`Evaluation.report` builds the models
for a library user, and :func:`engine.json_report.write_report` streams the
JSON report from either without building them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional

from ..report import (
    SCHEMA_VERSION,
    Finding,
    ItemResult,
    PeriodCounts,
    Rejected,
    Report,
    RulesInfo,
    Summary,
    WaivedFinding,
    WaiverInfo,
)
from .rows import FindingRow, ItemRow

__all__ = ["WaivedRow", "Evaluation"]


class WaivedRow(NamedTuple):
    """A waived finding as a run keeps it: the severity it fired at, 0 points, its waiver."""

    subject: str
    subject_kind: str
    subject_title: str
    rule: str
    title: str
    severity: str
    message: str
    clause: str
    remedy: str
    evidence: dict[str, Any]
    points: float
    category: str
    escalated_from: Optional[str]
    periods: Optional[int]
    waiver: WaiverInfo
    exact_points: Any = 0

    @classmethod
    def of(cls, row: FindingRow, waiver: WaiverInfo) -> "WaivedRow":
        return cls(*row[:10], 0.0, *row[11:14], waiver)


def _finding(row: FindingRow) -> Finding:
    finding = Finding.model_construct(**{k: v for k, v in zip(row._fields, row) if k != "exact_points"})
    finding._exact_points = row.exact_points
    return finding


@dataclass(frozen=True)
class Evaluation:
    """A run's report in compact form (the attributes of :class:`~engine.report.Report`)."""

    as_of: str
    county: Optional[str]
    rules: RulesInfo
    summary: Summary
    notes: list[str]
    findings: list[FindingRow]
    items: list[ItemRow]
    waived: list[WaivedRow] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    periods: list[PeriodCounts] = field(default_factory=list)
    schema_version: int = SCHEMA_VERSION

    def model_copy(self, update: Optional[dict[str, Any]] = None) -> "Evaluation":
        """A copy with some attributes replaced (as a pydantic model's ``model_copy``)."""
        return dataclasses.replace(self, **(update or {}))

    def item(self, item_id: str) -> ItemRow:
        """One item's row (as :meth:`Report.item`)."""
        for item in self.items:
            if item.id == item_id:
                return item
        from ..errors import UnknownItemError

        raise UnknownItemError(item_id, (i.id for i in self.items), where="报告中")

    def findings_for(self, subject: str) -> list[FindingRow]:
        return [f for f in self.findings if f.subject == subject]

    def report(self) -> Report:
        """The report's models, built from the rows."""
        items = [ItemResult.model_construct(**{**{k: v for k, v in zip(row._fields, row) if k != "order"},
                                               "findings": list(row.findings)})
                 for row in self.items]
        waived = [WaivedFinding.model_construct(**{k: v for k, v in zip(row._fields, row) if k != "exact_points"})
                  for row in self.waived]
        return Report.model_construct(
            schema_version=self.schema_version, as_of=self.as_of, county=self.county, rules=self.rules,
            summary=self.summary, notes=list(self.notes), findings=[_finding(row) for row in self.findings],
            items=items, waived=waived, rejected=list(self.rejected), periods=list(self.periods),
        )

    def to_json(self) -> str:
        """The JSON report (the same bytes as the report's ``to_json``)."""
        from ..json_report import dumps_report

        return dumps_report(self)
