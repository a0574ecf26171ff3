"""Waivers against a ledger and a pack: checked before anything is evaluated, noted after.

A waiver naming an item or unit the ledger does not have, or a rule or
family the pack does not have, is an error located in the waivers file, and
nothing is evaluated. A waiver naming an item that ``--skip-invalid`` set
aside is a note instead. After the run, the notes say which waivers in force
matched nothing (a stale waiver) and which expired ones let their finding
come back.
"""

from __future__ import annotations

import difflib
from datetime import date
from typing import Any, Iterable, Sequence

from ..errors import Diagnostic, LedgerError
from ..ledger import Ledger
from ..ledger.waivers import Waiver
from ..pack import RulePack, family_of
from ..report import WaiverInfo
from .evaluation import WaivedRow
from .metrics import county_name

__all__ = ["check_waivers", "waiver_notes", "waived_rows"]


def check_waivers(waivers: Sequence[Waiver], ledger: Ledger, pack: RulePack) -> list[str]:
    """Raise a located LedgerError for waivers naming unknown subjects or rules; return notes."""
    items = {item.id for item in ledger.items}
    units = {unit.name.strip() for unit in ledger.units}
    county = {county_name(ledger.info), "本县"}
    rejected = {r.id for r in ledger.rejected if r.id}
    rules = set(pack.available)
    families = {family_of(r) for r in rules}
    problems: list[Diagnostic] = []
    notes: list[str] = []
    for waiver in waivers:
        if waiver.item in rejected and waiver.item not in items:
            notes.append(f"豁免 {waiver.file} {waiver.place} 针对的事项 {waiver.item} 因数据错误被排除,未参与评估")
        elif waiver.item not in items | units | county:
            hint = difflib.get_close_matches(waiver.item, sorted(items | units), n=1, cutoff=0.6)
            problems.append(Diagnostic(waiver.file, f"{waiver.place}.item",
                                       f"台账中没有编号或单位 {waiver.item!r}" + (f",是否想写 {hint[0]}?" if hint else "")))
        if waiver.rule not in rules | families:
            hint = difflib.get_close_matches(waiver.rule, sorted(rules | families), n=1, cutoff=0.5)
            problems.append(Diagnostic(waiver.file, f"{waiver.place}.rule",
                                       f"规则包中没有规则或规则族 {waiver.rule!r}" + (f",是否想写 {hint[0]}?" if hint else "")))
    if problems:
        raise LedgerError(problems)
    return notes


def waiver_notes(
    waivers: Sequence[Waiver], as_of: date, used: set[tuple[str, int]], returned: Iterable[tuple[str, int, str, str]]
) -> list[str]:
    """Notes on waivers in force that matched nothing, and on expired waivers whose finding is back."""
    notes = []
    for waiver in waivers:
        if waiver.active(as_of) and (waiver.file, waiver.index) not in used:
            notes.append(f"豁免未匹配任何预警(可能已过时): {waiver.file} {waiver.place} {waiver.item} {waiver.rule}")
    by_key = {(w.file, w.index): w for w in waivers}
    for file, index, subject, rule in sorted(returned):
        waiver = by_key[(file, index)]
        notes.append(f"豁免已于 {waiver.until.isoformat()} 到期,预警恢复: {subject} {rule}({file} {waiver.place})")
    return notes


def waived_rows(waived: Iterable[tuple[Any, Waiver]]) -> list[WaivedRow]:
    """Waived findings as the report lists them: the severity they fired at, 0 points, their waiver."""
    out = []
    for row, waiver in waived:
        info = WaiverInfo(
            item=waiver.item, rule=waiver.rule, reason=waiver.reason, approved_by=waiver.approved_by,
            **{"from": waiver.from_.isoformat() if waiver.from_ else None}, until=waiver.until.isoformat(),
            file=waiver.file,
        )
        out.append(WaivedRow.of(row, info))
    return out
