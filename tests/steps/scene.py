"""The state one scenario builds up: the ledger as stated, the params, the report or the command's result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Optional

import pytest

import yaml

from engine import DubanError, Engine, load_ledger
from engine.history import open_history
from engine.report import Finding, Report

from .ledger import DEFAULT_AS_OF, StatedItem, TableError, ledger_mapping

# Engines hold no global state and may be shared; building the pack once per params keeps the suite fast.
_ENGINES: dict[tuple, Engine] = {}


def engine_for(params: dict[str, Any]) -> Engine:
    key = tuple(sorted(params.items()))
    if key not in _ENGINES:
        _ENGINES[key] = Engine.default(params=params)
    return _ENGINES[key]


@dataclass
class Scene:
    workdir: Path
    as_of: date = DEFAULT_AS_OF
    items: list[StatedItem] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)
    meetings: Optional[list[dict[str, Any]]] = None  # None: the ledger does not record meetings
    params: dict[str, Any] = field(default_factory=dict)
    report: Optional[Report] = None
    error: Optional[DubanError] = None
    finding: Optional[Finding] = None  # the finding the last assertion named: 预警消息… refers to it
    cli: Any = None  # click.testing.Result of 在命令行运行
    cli_args: list[str] = field(default_factory=list)
    waivers: list[dict[str, Any]] = field(default_factory=list)  # 有以下豁免
    history: Optional[Path] = None  # the SQLite history of earlier periods, once one is recorded

    # --- the ledger

    def item(self, item_id: str) -> StatedItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise TableError(f"台账中没有编号为 {item_id!r} 的事项(先在「台账中有以下事项」表格中列出它)")

    def ledger(self, as_of: Optional[date] = None) -> dict[str, Any]:
        """The ledger as it stood on ``as_of`` (default: the reference date): clean defaults fresh then."""
        return ledger_mapping(self.items, self.units, as_of or self.as_of, meetings=self.meetings)

    def waivers_file(self) -> Optional[Path]:
        if not self.waivers:
            return None
        path = self.workdir / "waivers.yaml"
        path.write_text(yaml.safe_dump({"waivers": self.waivers}, allow_unicode=True), encoding="utf-8")
        return path

    # --- evaluation

    def run(self, as_of: date) -> Report:
        """One evaluation at ``as_of``, with the scenario's waivers and the history recorded so far."""
        return engine_for(self.params).evaluate(load_ledger(self.ledger(as_of)), as_of=as_of,
                                                waivers=self.waivers_file(), history=self.history)

    def record(self, as_of: date) -> None:
        """Run at an earlier reference date and record that period in the scenario's history."""
        self.history = self.history or self.workdir / "history.db"
        report = self.run(as_of)
        with open_history(self.history) as store:
            store.record(report)

    def evaluate(self) -> None:
        self.report, self.error = None, None
        try:
            self.report = self.run(self.as_of)
        except DubanError as exc:
            self.error = exc

    def rule_ids(self) -> set[str]:
        return {rule.id for rule in engine_for(self.params).pack.rules}

    def result(self) -> Report:
        if self.error is not None:
            raise AssertionError(f"督办检查没有完成,出错:\n{self.error}")
        if self.report is None:
            raise AssertionError("还没有运行督办检查(缺少步骤「当 运行督办检查」)")
        return self.report

    def findings(self, subject: str, unit: bool = False, county: bool = False) -> list[Finding]:
        """The findings on an item, or on a unit, or on the county."""
        report = self.result()
        kind = "county" if county else "unit" if unit else None
        if kind is None and not any(i.id == subject for i in report.items):
            raise AssertionError(f"报告中没有事项 {subject!r}")
        if kind is None:
            return [f for f in report.findings if f.subject == subject and f.subject_kind not in ("unit", "county")]
        return [f for f in report.findings if f.subject == subject and f.subject_kind == kind]

    def describe(self, subject: str, unit: bool = False, county: bool = False) -> str:
        found = self.findings(subject, unit, county)
        if not found:
            return "(没有任何预警)"
        return "\n".join(f"  {f.rule} {f.severity} {f.points:g}分: {f.message}" for f in found)


@pytest.fixture
def scene(tmp_path: Path) -> Scene:
    """A fresh scenario state, with its own folder for ledger and rule files."""
    return Scene(workdir=tmp_path)
