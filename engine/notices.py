"""Notices (督办单): what the supervision office sends each responsible unit after a run.

Computed from an evaluated report alone, so that every format (Word, HTML,
Markdown) lays out the same notices. One notice goes to each responsible unit
that has a finding at or above the minimum severity:

- a finding on an item goes to the item's unit; a finding on a unit (EXC-01)
  to that unit; a finding on the county to no notice;
- findings on items whose unit is missing (by the name test) go into one
  notice addressed to the supervision office itself, 「未明确责任单位」;
- the number 督办〔YYYY〕MMDD-NN号 counts the units in code-point order, the
  未明确责任单位 notice last. NN is counted over every unit that has a finding
  in the whole report, whatever the minimum, so that a unit keeps its number
  when the office sends only the red notices;
- the reply is due ``notice_reply_working_days`` working days after as_of.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Mapping, Optional

from pydantic import BaseModel, ConfigDict

from .evaluate.calendar import WorkCalendar
from .ledger import is_missing
from .pack import SEVERITIES
from .report import Finding, Report

__all__ = [
    "REPLY_DAYS_PARAM",
    "DEFAULT_REPLY_WORKING_DAYS",
    "UNASSIGNED",
    "Notice",
    "Notices",
    "build_notices",
    "file_safe",
]

REPLY_DAYS_PARAM = "notice_reply_working_days"
# For packs that do not define the param (the default pack does, in rules/params.yaml).
DEFAULT_REPLY_WORKING_DAYS = 5
UNASSIGNED = "未明确责任单位"
# Characters that Windows, macOS or Linux refuse (or read as a folder) in a file name.
_UNSAFE = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f]')


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Notice(_Model):
    """One 督办单: the unit it goes to, its number and dates, and its findings in report order.

    ``assigned`` is False for the notice of findings whose unit is missing:
    its ``unit`` is 未明确责任单位 and it is addressed to the office.
    ``file_stem`` is the file name without its extension.
    """

    title: str
    number: str
    sequence: int
    unit: str
    assigned: bool
    addressee: str
    office: str
    leaders: list[str]
    issued_on: str
    reply_by: str
    reply_working_days: int
    findings: list[Finding]
    file_stem: str


class Notices(_Model):
    """The notices of one run, in number order, and what the run should tell the user."""

    as_of: str
    min_severity: str
    notices: list[Notice]
    notes: list[str]


def file_safe(name: str) -> str:
    """``name`` with the characters a file name cannot hold (``/\\:*?"<>|``) replaced by ``_``."""
    return _UNSAFE.sub("_", name)


def build_notices(
    report: Report,
    params: Mapping[str, Any],
    *,
    min_severity: str = "blue",
    shown: Optional[Report] = None,
    calendar: Optional[WorkCalendar] = None,
) -> Notices:
    """The notices of ``report`` (the whole evaluation) holding findings at or above ``min_severity``.

    ``params`` are the pack's effective params (for the reply deadline).
    Numbers are counted over ``report``; ``shown``, a filtered view of it
    (:meth:`Report.filtered`), chooses the findings the notices hold, so that a
    unit keeps its number whatever the filters.
    """
    if min_severity not in SEVERITIES:
        raise ValueError(f"unknown severity {min_severity!r}")
    as_of = date.fromisoformat(report.as_of)
    county = None if is_missing(report.county) else str(report.county).strip()
    office = f"{county}督查室" if county else "督查室"
    days = int(params.get(REPLY_DAYS_PARAM, DEFAULT_REPLY_WORKING_DAYS))
    calendar = calendar or WorkCalendar()
    reply_by = calendar.add_working_days(as_of, days).isoformat()
    kept = set(SEVERITIES[: SEVERITIES.index(min_severity) + 1])

    numbered = _findings_by_unit(report)
    order = sorted(unit for unit in numbered if unit is not None) + ([None] if None in numbered else [])
    groups = numbered if shown is None else _findings_by_unit(shown)
    items = {item.id: item for item in report.items}
    stems = _unique_stems(order, report.as_of)
    notices = []
    for sequence, unit in enumerate(order, 1):
        findings = [f for f in groups.get(unit, []) if f.severity in kept]
        if not findings:
            continue
        leaders: list[str] = []
        for finding in findings:
            item = items.get(finding.subject) if finding.subject_kind != "unit" else None
            if item is not None and not is_missing(item.leader):
                leader = str(item.leader).strip()
                if leader not in leaders:
                    leaders.append(leader)
        notices.append(Notice(
            title=f"{county}督查督办单" if county else "督查督办单",
            number=f"督办〔{as_of:%Y}〕{as_of:%m%d}-{sequence:02d}号",
            sequence=sequence,
            unit=unit if unit is not None else UNASSIGNED,
            assigned=unit is not None,
            addressee=unit if unit is not None else office,
            office=office,
            leaders=leaders,
            issued_on=report.as_of,
            reply_by=reply_by,
            reply_working_days=days,
            findings=findings,
            file_stem=stems[unit],
        ))
    notes = [note for note in calendar.notes() if note not in report.notes]
    return Notices(as_of=report.as_of, min_severity=min_severity, notices=notices, notes=notes)


def _findings_by_unit(report: Report) -> dict[Optional[str], list[Finding]]:
    """Every finding of the report under the unit it goes to (None: the unit is missing), in report order."""
    units = {item.id: (None if is_missing(item.unit) else str(item.unit).strip()) for item in report.items}
    groups: dict[Optional[str], list[Finding]] = {}
    for finding in report.findings:
        if finding.subject_kind == "county":
            continue
        if finding.subject_kind == "unit":
            unit: Optional[str] = finding.subject.strip()
        elif finding.subject in units:
            unit = units[finding.subject]
        else:
            continue
        groups.setdefault(unit, []).append(finding)
    return groups


def _unique_stems(order: list[Optional[str]], as_of: str) -> dict[Optional[str], str]:
    """File names without extension; names that would clash (县/局 and 县_局) get their number appended."""
    stems = {unit: f"督办单-{file_safe(unit) if unit is not None else UNASSIGNED}-{as_of}" for unit in order}
    # Compared without case, as Windows and macOS compare file names.
    seen: dict[str, int] = {}
    for stem in stems.values():
        seen[stem.casefold()] = seen.get(stem.casefold(), 0) + 1
    return {
        unit: stem if seen[stem.casefold()] == 1 else f"{stem}-{sequence:02d}"
        for sequence, (unit, stem) in enumerate(stems.items(), 1)
    }
