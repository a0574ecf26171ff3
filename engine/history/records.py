"""What a period holds: the findings and items of one evaluation, as the history keeps them.

A period is what ``duban check --history h.db --record`` stores and what
``duban diff`` compares: the reference date, the rules' sha256, every finding
with the fields a difference and a person need, and every item's light, score
and rank. A JSON report and a recorded period both become a :class:`Period`
(:func:`period_of`), so that everything downstream has one input.

Waived findings are not findings: they are not in a period, so they never
count toward a streak and a difference counts them as absent.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from ..report import Report

__all__ = [
    "Severity",
    "Light",
    "LIGHTS",
    "RecordedFinding",
    "RecordedItem",
    "Period",
    "PeriodInfo",
    "period_of",
]

Severity = Literal["red", "yellow", "blue"]
Light = Literal["red", "yellow", "green"]
LIGHTS: tuple[str, ...] = ("red", "yellow", "green")

# Reference dates as the report writes them; as text they sort as dates.
_DATE = r"^\d{4}-\d{2}-\d{2}$"


class _Record(BaseModel):
    # Extra keys are ignored: a JSON report's finding carries clause, remedy and
    # evidence, which a period does not keep.
    model_config = ConfigDict(frozen=True, extra="ignore")


class RecordedFinding(_Record):
    """One finding of a period: a rule that fired on a subject, at a severity."""

    subject: str
    subject_kind: str
    subject_title: str
    rule: str
    title: str
    severity: Severity
    message: str
    points: float
    category: str = ""
    escalated_from: Optional[Severity] = None
    periods: Optional[int] = None

    @property
    def key(self) -> tuple[str, str]:
        """What identifies a finding from one period to the next: (subject, rule)."""
        return (self.subject, self.rule)


class RecordedItem(_Record):
    """One item of a period and where it stood."""

    id: str
    title: str
    kind: str
    unit: Optional[str] = None
    leader: Optional[str] = None
    light: Light
    score: float
    tier: Literal["critical", "high", "medium", "low"]
    rank: int


class Period(_Record):
    """One evaluation as the history keeps it (or as read from a JSON report)."""

    as_of: str = Field(pattern=_DATE)
    rules_source: str = ""
    rules_sha256: str
    findings: list[RecordedFinding] = Field(default_factory=list)
    items: list[RecordedItem] = Field(default_factory=list)


class PeriodInfo(_Record):
    """A recorded period in brief, as ``duban history`` lists it.

    ``lights`` counts items by light (red, yellow, green) and ``findings``
    findings by severity (red, yellow, blue); every key is always present.
    """

    as_of: str = Field(pattern=_DATE)
    rules_source: str = ""
    rules_sha256: str
    items: int
    lights: dict[str, int]
    findings: dict[str, int]


def period_of(report: Report) -> Period:
    """The period a report makes: its findings (not the waived ones) and its items."""
    return Period(
        as_of=report.as_of,
        rules_source=report.rules.source,
        rules_sha256=report.rules.sha256,
        findings=[RecordedFinding.model_validate(f.model_dump()) for f in report.findings],
        items=[RecordedItem.model_validate(i.model_dump()) for i in report.items],
    )
