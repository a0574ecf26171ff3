"""Differences between two periods (两期对比): what is new, cleared, raised, lowered or unchanged.

Both sides are :class:`~engine.history.Period`: a JSON report becomes one
through :func:`load_report`, a recorded period comes from the store as one,
and :func:`compare` works on either. A finding is keyed by (subject, rule);
waived findings are not findings (a report's ``waived`` list is not read), so
they count as absent. The :class:`Diff` holds every count its renderers show.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import Diagnostic, HistoryError, LedgerError
from .history.records import LIGHTS, Light, Period, RecordedFinding, RecordedItem, Severity
from .history.store import HistoryStore
from .ledger import DEFAULT_LIMITS, Limits
from .ledger.parse import parse_document
from .ledger.read import read_text
from .ledger.validate import cause_of
from .report import SCHEMA_VERSION

__all__ = ["FindingChange", "LightChange", "DiffSummary", "Diff", "compare", "choose_periods", "load_report"]

SEVERITIES: tuple[str, ...] = ("red", "yellow", "blue")
# Items named in a note before "等": a note stays one line on a large ledger.
NAMED_IN_NOTE = 10


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class FindingChange(_Model):
    """One finding, compared: its severity (and points) before and after.

    ``old_severity`` is None for a new finding, ``new_severity`` None for a
    cleared one; ``message``, ``escalated_from`` and ``periods`` are the new
    finding's (the old one's when it was cleared).
    """

    subject: str
    subject_kind: str
    subject_title: str
    rule: str
    title: str
    category: str
    old_severity: Optional[Severity]
    new_severity: Optional[Severity]
    old_points: Optional[float]
    new_points: Optional[float]
    message: str
    escalated_from: Optional[Severity] = None
    periods: Optional[int] = None


class LightChange(_Model):
    """An item in both periods whose light changed."""

    id: str
    title: str
    kind: str
    unit: Optional[str]
    leader: Optional[str]
    old_light: Light
    new_light: Light
    old_score: float
    new_score: float
    old_rank: int
    new_rank: int


class DiffSummary(_Model):
    """How many findings fall in each kind of change, and how many items changed light."""

    new: int
    cleared: int
    raised: int
    lowered: int
    unchanged: int
    lights: int


class Diff(_Model):
    """Two periods compared: OLD (``from``) against NEW (``to``)."""

    from_: str = Field(alias="from")
    to: str
    summary: DiffSummary
    notes: list[str] = Field(default_factory=list)
    new: list[FindingChange] = Field(default_factory=list)
    cleared: list[FindingChange] = Field(default_factory=list)
    raised: list[FindingChange] = Field(default_factory=list)
    lowered: list[FindingChange] = Field(default_factory=list)
    unchanged: list[FindingChange] = Field(default_factory=list)
    lights: list[LightChange] = Field(default_factory=list)

    def to_json(self) -> str:
        """The difference as JSON text: UTF-8, two-space indent, fixed key order."""
        return self.model_dump_json(indent=2, by_alias=True) + "\n"

    def worsened(self) -> list[FindingChange]:
        """The new and the raised findings: what ``--fail-on`` looks at."""
        return self.new + self.raised


Change = Literal["new", "cleared", "raised", "lowered", "unchanged"]


def compare(old: Period, new: Period) -> Diff:
    """OLD against NEW: every finding of either, by (subject, rule), and the items whose light changed."""
    before = {f.key: f for f in old.findings}
    after = {f.key: f for f in new.findings}
    groups: dict[Change, list[FindingChange]] = {"new": [], "cleared": [], "raised": [], "lowered": [],
                                                 "unchanged": []}
    for key in before.keys() | after.keys():
        was, now = before.get(key), after.get(key)
        groups[_change(was, now)].append(_finding_change(was, now))
    for entries in groups.values():
        entries.sort(key=_finding_order)
    old_items = {i.id: i for i in old.items}
    new_items = {i.id: i for i in new.items}
    lights = sorted(
        (_light_change(old_items[i], new_items[i]) for i in old_items.keys() & new_items.keys()
         if old_items[i].light != new_items[i].light),
        key=lambda c: (LIGHTS.index(c.new_light), LIGHTS.index(c.old_light), c.id),
    )
    summary = DiffSummary(lights=len(lights), **{name: len(entries) for name, entries in groups.items()})
    return Diff(from_=old.as_of, to=new.as_of, summary=summary, notes=_notes(old, new, old_items, new_items),
                lights=lights, **groups)


def _change(was: Optional[RecordedFinding], now: Optional[RecordedFinding]) -> Change:
    if was is None:
        return "new"
    if now is None:
        return "cleared"
    rise = SEVERITIES.index(was.severity) - SEVERITIES.index(now.severity)
    return "raised" if rise > 0 else "lowered" if rise < 0 else "unchanged"


def _finding_change(was: Optional[RecordedFinding], now: Optional[RecordedFinding]) -> FindingChange:
    shown = now or was
    assert shown is not None
    return FindingChange(
        subject=shown.subject, subject_kind=shown.subject_kind, subject_title=shown.subject_title,
        rule=shown.rule, title=shown.title, category=shown.category,
        old_severity=was.severity if was else None, new_severity=now.severity if now else None,
        old_points=was.points if was else None, new_points=now.points if now else None,
        message=shown.message, escalated_from=shown.escalated_from, periods=shown.periods,
    )


def _finding_order(change: FindingChange) -> tuple:
    severity = change.new_severity or change.old_severity
    return (SEVERITIES.index(severity or "blue"), change.subject, change.rule)


def _light_change(was: RecordedItem, now: RecordedItem) -> LightChange:
    return LightChange(
        id=now.id, title=now.title, kind=now.kind, unit=now.unit, leader=now.leader,
        old_light=was.light, new_light=now.light, old_score=was.score, new_score=now.score,
        old_rank=was.rank, new_rank=now.rank,
    )


def _notes(old: Period, new: Period, old_items: dict, new_items: dict) -> list[str]:
    notes = []
    if old.rules_sha256 != new.rules_sha256:
        notes.append(f"两期使用的规则不同(规则 sha256 {old.rules_sha256[:12]} → {new.rules_sha256[:12]}),"
                     "差异中含规则变化的影响")
    if old.as_of > new.as_of:
        notes.append(f"旧的一期(基准日 {old.as_of})晚于新的一期(基准日 {new.as_of})")
    added = sorted(new_items.keys() - old_items.keys())
    removed = sorted(old_items.keys() - new_items.keys())
    if added:
        notes.append(f"新的一期多出 {len(added)} 个事项: {_named(added)}")
    if removed:
        notes.append(f"旧的一期中有 {len(removed)} 个事项不在新的一期中: {_named(removed)}")
    return notes


def _named(ids: list[str]) -> str:
    return ", ".join(ids[:NAMED_IN_NOTE]) + (f" 等 {len(ids)} 个" if len(ids) > NAMED_IN_NOTE else "")


# --- which two recorded periods ----------------------------------------------------------


def choose_periods(store: HistoryStore, start: Optional[date] = None, end: Optional[date] = None) -> tuple[str, str]:
    """The reference dates of the two recorded periods to compare (OLD, NEW).

    Neither date: the latest two. ``start`` alone: that period and the next
    one recorded; ``end`` alone: that period and the one recorded before it;
    both: those two. A date that is not recorded is refused, located.
    """
    recorded = [p.as_of for p in store.periods()]
    for option, when in (("--from", start), ("--to", end)):
        if when is not None and when.isoformat() not in recorded:
            listed = _named(recorded) if recorded else "无"
            raise HistoryError.at(store.location, f"{option} {when.isoformat()}",
                                  f"历史库中没有这一期的记录(已记录: {listed})")
    if start is not None and end is not None:
        return start.isoformat(), end.isoformat()
    if start is not None:
        index = recorded.index(start.isoformat())
        if index + 1 == len(recorded):
            raise HistoryError.at(store.location, f"--from {start.isoformat()}", "这是最近的一期,其后没有可对比的一期")
        return recorded[index], recorded[index + 1]
    if end is not None:
        index = recorded.index(end.isoformat())
        if index == 0:
            raise HistoryError.at(store.location, f"--to {end.isoformat()}", "这是最早的一期,其前没有可对比的一期")
        return recorded[index - 1], recorded[index]
    if len(recorded) < 2:
        raise HistoryError.at(store.location, "", f"历史库中只有 {len(recorded)} 期记录,至少需要两期才能对比")
    return recorded[-2], recorded[-1]


# --- a JSON report as a period ---------------------------------------------------------


def load_report(path: Union[str, os.PathLike], limits: Limits = DEFAULT_LIMITS) -> Period:
    """A JSON report written by ``duban check -f json`` (or rank), read as a period.

    Refuses, with located lines, a file that is not a duban report of schema
    version 1, a finding or item that does not read as one, and a finding or
    item given twice.
    """
    shown = str(path)
    text = read_text(Path(path), shown, limits, error=HistoryError)
    try:
        data = parse_document(text, shown, ".json", limits)
    except LedgerError as exc:
        raise HistoryError(exc.diagnostics) from None
    if not isinstance(data, dict) or not {"schema_version", "as_of", "rules", "findings", "items"} <= data.keys():
        raise HistoryError.at(shown, "", "不是 duban 的 JSON 报告(应有 schema_version、as_of、rules、findings、items)")
    if data["schema_version"] != SCHEMA_VERSION:
        raise HistoryError.at(shown, "schema_version",
                              f"报告版本 {data['schema_version']!r} 不受支持(本版本读取版本 {SCHEMA_VERSION})")
    rules = data["rules"] if isinstance(data["rules"], dict) else {}
    candidate = {"as_of": data["as_of"], "rules_source": rules.get("source", ""), "findings": data["findings"],
                 "items": data["items"]}
    if "sha256" in rules:
        candidate["rules_sha256"] = rules["sha256"]
    try:
        period = Period.model_validate(candidate)
    except ValidationError as exc:
        raise HistoryError([Diagnostic(shown, _place(e["loc"]), cause_of(e, Period)) for e in exc.errors()]) from None
    _refuse_repeats(period, shown)
    return period


_PLACES = {"rules_source": "rules.source", "rules_sha256": "rules.sha256"}


def _place(loc: tuple) -> str:
    """A pydantic location in the report's own terms: ``findings[3].severity``, ``rules.sha256``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else _PLACES.get(str(part), str(part)))
    return text


def _refuse_repeats(period: Period, shown: str) -> None:
    problems = []
    for name, keys in (("findings", [f.key for f in period.findings]), ("items", [i.id for i in period.items])):
        first: dict = {}
        for index, key in enumerate(keys):
            if key in first:
                what = f"({key[0]}, {key[1]})" if isinstance(key, tuple) else key
                problems.append(Diagnostic(shown, f"{name}[{index}]", f"与 {name}[{first[key]}] 重复: {what}"))
            first.setdefault(key, index)
    if problems:
        raise HistoryError(problems)
