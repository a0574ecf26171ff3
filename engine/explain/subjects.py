"""The subject of an explanation — an item, a unit or the county — and its run through the engine's stages.

``duban explain`` takes an item id, a unit's name (``县文旅局``) or the
county's (``清溪县``, or ``本县``). Its facts are the ones the engine's own
stages computed for it, with the same waivers, escalation and history as the
run (:meth:`engine.evaluate.stages.Stages.evaluate_items` and its siblings,
with ``keep_facts``): the second stage sees the first after waivers, so
``fired`` in an explanation is what LAG-03 really read. :func:`rerun` sends a
changed record through the same stages, for counterfactuals to be checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Union

from ..errors import UnknownItemError
from ..evaluate.calendar import WorkCalendar
from ..evaluate.context import Context
from ..evaluate.metrics import COUNTY, county_name
from ..evaluate.stages import Outcome, Stages
from ..ledger import Item, Ledger, LedgerInfo, Unit
from ..pack import Rule

__all__ = ["Subject", "find_subject", "run_subject", "rerun"]


@dataclass(frozen=True)
class Subject:
    """What is explained: its kind (``item``, ``unit``, ``county``), its key in findings, its record and rules."""

    kind: str
    key: str
    title: str
    record: Union[Item, Unit, LedgerInfo]
    rules: tuple[Rule, ...]

    @property
    def finding_kind(self) -> str:
        """The ``subject_kind`` its findings carry: the item's kind, ``unit`` or ``county``."""
        return self.record.kind if isinstance(self.record, Item) else self.kind


def find_subject(stages: Stages, ledger: Ledger, key: str) -> Subject:
    """The item, unit or county that ``key`` names; an unknown one is an UnknownItemError with "是否想写"."""
    item = next((i for i in ledger.items if i.id == key), None)
    if item is not None:
        rules = tuple(r for r in [*stages.rules("facts"), *stages.rules("findings")] if item.kind in r.applies_to)
        return Subject("item", item.id, item.title, item, tuple(sorted(rules, key=lambda r: r.id)))
    wanted = key.strip()
    unit = next((u for u in ledger.units if u.name.strip() == wanted), None)
    if unit is not None:
        return Subject("unit", unit.name, unit.name, unit, tuple(stages.rules("unit")))
    county = county_name(ledger.info)
    if wanted in (county, COUNTY):
        return Subject("county", county, county, ledger.info, tuple(stages.rules("county")))
    known = [i.id for i in ledger.items] + [u.name for u in ledger.units] + [county]
    raise UnknownItemError(key, known, where="台账中", file="ITEM_ID", what="没有该编号的事项,也没有该名称的单位或县")


def run_subject(stages: Stages, ledger: Ledger, subject: Subject, context: Context,
                record: Optional[Any] = None) -> Outcome:
    """The subject (or ``record``, a changed copy of it) through the engine's stages, its facts kept."""
    record = subject.record if record is None else record
    if subject.kind == "item":
        return stages.evaluate_items([record], context, WorkCalendar(), keep_facts=True)
    if subject.kind == "unit":
        return stages.evaluate_units(ledger, context, keep_facts=True)
    changed = ledger if record is ledger.info else ledger.model_copy(update={"info": record})
    return stages.evaluate_county(changed, context, keep_facts=True)


def rerun(stages: Stages, ledger: Ledger, subject: Subject, context: Context, record: Any) -> dict[str, str]:
    """The rules that fire on a changed copy of the subject, each with the level it fired at."""
    outcome = run_subject(stages, ledger, subject, context, record)
    return {f.rule: f.escalated_from or f.severity for f in outcome.findings if f.subject == subject.key}
