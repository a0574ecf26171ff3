"""Waivers (豁免): a finding set aside, on the record, for a while.

A waivers file is YAML or JSON with the one key ``waivers``, a list of::

    {item: P-003, rule: SCH-02, reason: 规划调整暂缓开工, approved_by: 县政府第12次常务会议,
     from: 2026-10-01, until: 2027-03-31}

``item`` names an item id or a unit (the county too, by its name or 本县);
``rule`` a rule id or a family; ``reason``, ``approved_by`` and ``until``
are required (no waiver lasts for ever); ``from`` defaults to the earliest
date. This module reads and checks the files; what a waiver does to the
findings is :mod:`engine.evaluate.waivers`.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from ..errors import Diagnostic, LedgerError
from .limits import DEFAULT_LIMITS, Limits
from .parse import parse_document
from .read import read_text
from .validate import cause_of
from .values import Day, Text, is_missing

__all__ = ["Waiver", "load_waivers"]


class Waiver(BaseModel):
    """One waiver as its file gives it, with where it stands (file and position)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    item: Text
    rule: Text
    reason: Text
    approved_by: Text
    from_: Optional[Day] = Field(default=None, alias="from")
    until: Day
    # Where the waiver stands: its file and its position there (the first match wins).
    _file: str = PrivateAttr(default="")
    _index: int = PrivateAttr(default=0)

    @field_validator("item", "rule", "reason", "approved_by")
    @classmethod
    def _named(cls, value: str, info: ValidationInfo) -> str:
        if is_missing(value):
            label = {"item": "对象", "rule": "规则", "reason": "豁免理由", "approved_by": "批准机关"}[info.field_name]
            raise PydanticCustomError("waiver_blank", "{label} 不能为空或待定", {"label": label})
        return value.strip()

    @field_validator("until")
    @classmethod
    def _ordered(cls, until: date, info: ValidationInfo) -> date:
        start = info.data.get("from_")
        if start is not None and start > until:
            raise PydanticCustomError("waiver_range", "截止日 {end} 早于起始日 {start}",
                                      {"start": start.isoformat(), "end": until.isoformat()})
        return until

    @property
    def file(self) -> str:
        return self._file

    @property
    def index(self) -> int:
        return self._index

    @property
    def place(self) -> str:
        return f"waivers[{self._index}]"

    def active(self, as_of: date) -> bool:
        """In force on ``as_of``: from ≤ as_of ≤ until."""
        return (self.from_ is None or self.from_ <= as_of) and as_of <= self.until


class _WaiversFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    waivers: list[dict[str, Any]]


def load_waivers(
    paths: Union[str, os.PathLike, Iterable[Union[str, os.PathLike]]], limits: Limits = DEFAULT_LIMITS
) -> list[Waiver]:
    """Every waiver of the files, in the order given (files, then entries), or a located LedgerError."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    waivers: list[Waiver] = []
    problems: list[Diagnostic] = []
    for path in paths:
        shown = os.fspath(path)
        try:
            data = parse_document(read_text(Path(shown), shown, limits), shown, Path(shown).suffix, limits)
            waivers.extend(_validate(data, shown))
        except LedgerError as exc:
            problems.extend(exc.diagnostics)
    if problems:
        raise LedgerError(problems)
    return waivers


def _validate(data: Any, shown: str) -> list[Waiver]:
    if not isinstance(data, dict) or set(data) != {"waivers"} or not isinstance(data["waivers"], list):
        raise LedgerError.at(shown, "", "豁免文件应为只含 waivers 列表的映射: waivers: [{item, rule, reason, approved_by, until}]")
    found: list[Waiver] = []
    problems: list[Diagnostic] = []
    for index, entry in enumerate(data["waivers"]):
        place = f"waivers[{index}]"
        if not isinstance(entry, dict):
            problems.append(Diagnostic(shown, place, "应为映射(item、rule、reason、approved_by、until)"))
            continue
        try:
            waiver = Waiver.model_validate(entry)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                where = place + "".join(f".{part}" for part in error["loc"])
                problems.append(Diagnostic(shown, where, cause_of(error, Waiver)))
            continue
        waiver._file, waiver._index = shown, index
        found.append(waiver)
    if problems:
        raise LedgerError(problems)
    return found
