"""Plausibility notes: what is odd at the reference date, accepted and said, never refused.

Dates more than 30 years away from the reference date (a typo such as 2062
for 2026) and a progress of 100 without an actual completion date are
accepted; a note names the items so that a person can look.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable, Optional

from ..ledger import Item

__all__ = ["FAR_YEARS", "oddities", "plausibility_notes"]

FAR_YEARS = 30
SHOWN = 10


def _dates(item: Item) -> Iterable[Optional[date]]:
    yield from (item.start, item.due, item.started_on, item.completed_on, item.progress_reported_on,
                item.baseline_due, item.recognized_on)
    for m in item.milestones:
        yield from (m.due, m.done_on)
    for p in item.issues:
        yield from (p.raised_on, p.deadline, p.resolved_on)
    for s in item.supervisions:
        yield from (s.date, s.rectify_by, s.rectified_on)
    for v in item.visits:
        yield v.date
    for r in item.responses:
        yield r.date


def _sample(ids: list[str]) -> str:
    head = ", ".join(ids[:SHOWN])
    return head + (f" 等(共 {len(ids)} 个)" if len(ids) > SHOWN else "")


def _years_from(day: date, years: int) -> date:
    """The same day ``years`` later (earlier when negative); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def oddities(items: Iterable[Item], as_of: date) -> dict[str, list[str]]:
    """The ids of the items with far dates (``far``) and with progress 100 but not completed (``done``)."""
    lowest, highest = _years_from(as_of, -FAR_YEARS), _years_from(as_of, FAR_YEARS)
    found: dict[str, list[str]] = {"far": [], "done": []}
    for item in items:
        if any(d is not None and not (lowest <= d <= highest) for d in _dates(item)):
            found["far"].append(item.id)
        if item.progress is not None and item.progress >= 100 and item.completed_on is None:
            found["done"].append(item.id)
    return found


def plausibility_notes(found: dict[str, list[str]]) -> list[str]:
    """One note per kind of oddity, naming the items (``found`` as :func:`oddities` gives it, chunks added up)."""
    far, done = sorted(found.get("far", ())), sorted(found.get("done", ()))
    notes = []
    if far:
        notes.append(f"{len(far)} 个事项有距基准日超过 {FAR_YEARS} 年的日期,请核对: {_sample(far)}")
    if done:
        notes.append(f"{len(done)} 个事项形象进度为 100% 但没有实际完成日期: {_sample(done)}")
    return notes
