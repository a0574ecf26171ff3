"""Spreadsheet ledgers: a workbook (.xlsx) or a run's CSV files → one validated ledger file.

The steps, each in its own module::

    bytes ─xlsx/csv─▶ Sheets ─sheets.plan_sheet─▶ Plans ─assemble─▶ raw mapping ─validate_file─▶ LedgerFile
                         (template vocabulary, or a mapping file)      (with each value's cell)

Sheets are recognised by name (:mod:`.headers`); with a mapping, the mapped
sheets of a file replace that recognition. Every error of the file is
reported in one run, located by sheet and cell; with ``rejected`` a bad row
is set aside instead and the rest is read.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from typing import Optional, Sequence

from ..errors import Diagnostic, LedgerError
from .assemble import assemble
from .csv import read_csv
from .headers import HELP_SHEET, SHEETS, SheetRole, role_of_sheet
from .limits import Limits
from .mapping import Mapping
from .models import LedgerFile, Rejected
from .read import read_bytes  # the one reader: regular files only, the byte limit while reading
from .sheets import Plan, Sheet, plan_sheet
from .validate import validate_file
from .xlsx import read_workbook

__all__ = ["WORKBOOK_SUFFIXES", "CSV_SUFFIX", "OLD_SUFFIXES", "read_bytes", "load_workbook", "load_csv_files"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIX = ".csv"
# Formats people save by habit that openpyxl cannot read.
OLD_SUFFIXES = {".xls": "旧版 Excel 97-2003 (.xls)", ".et": "WPS 表格 (.et)", ".ods": "OpenDocument (.ods)"}

# (shown name, the ledger file, notes, where each item is: id → (file, 重点项目!A5))
Loaded = tuple[str, LedgerFile, list[str], dict[str, tuple[str, str]]]


def load_workbook(source: os.PathLike | str, limits: Limits, mapping: Optional[Mapping],
                  rejected: Optional[list[Rejected]]) -> Loaded:
    """One .xlsx file → (shown name, its ledger file, notes, its items' places)."""
    shown = os.fspath(source)
    suffix = Path(shown).suffix.lower()
    if suffix in OLD_SUFFIXES:
        raise LedgerError.at(shown, "", f"是{OLD_SUFFIXES[suffix]}文件,不能直接读取: 请另存为 .xlsx 或 CSV")
    sheets = read_workbook(read_bytes(Path(shown), shown, limits), shown)
    return _ledger_of(sheets, shown, limits, mapping, rejected, workbook=True)


def load_csv_files(sources: Sequence[os.PathLike | str], limits: Limits, mapping: Optional[Mapping],
                   rejected: Optional[list[Rejected]]) -> Loaded:
    """A run's CSV files — one sheet each, named by the file — → one ledger file."""
    sheets: list[Sheet] = []
    problems: list[Diagnostic] = []
    for source in sources:
        shown = os.fspath(source)
        try:
            sheets.append(read_csv(read_bytes(Path(shown), shown, limits), shown))
        except LedgerError as exc:
            problems.extend(exc.diagnostics)
    if problems:
        raise LedgerError(problems)
    return _ledger_of(sheets, ", ".join(os.fspath(s) for s in sources), limits, mapping, rejected, workbook=False)


def _is_help(name: str) -> bool:
    return unicodedata.normalize("NFKC", name).strip() == HELP_SHEET


def _roles(sheets: list[Sheet], shown: str, mapping: Optional[Mapping], workbook: bool,
           notes: list[str]) -> list[tuple[Sheet, SheetRole, object]]:
    """Which sheets to read, and as what; the others are named in a note."""
    mapped = {id(s): mapping.sheet(s.name) for s in sheets} if mapping else {}
    only_mapped = workbook and any(mapped.values())
    chosen: list[tuple[Sheet, SheetRole, object]] = []
    ignored: list[str] = []
    for sheet in sheets:
        spec = mapped.get(id(sheet))
        if spec is not None:
            chosen.append((sheet, spec.role, spec))  # type: ignore[attr-defined]
            continue
        role = None if only_mapped else role_of_sheet(sheet.name)
        if role is None and not workbook:
            role = SheetRole("items")  # a CSV file named like no sheet: its rows carry a 类别
        if role is None:
            if not _is_help(sheet.name) or only_mapped:
                ignored.append(sheet.name)
            continue
        chosen.append((sheet, role, None))
    if ignored:
        why = "不在映射文件中" if only_mapped else "不是模板中的工作表"
        notes.append(f"{shown}: 已忽略工作表 {'、'.join(ignored)}({why})")
    hidden = [s.name for s, _, _ in chosen if s.hidden]
    if hidden:
        notes.append(f"{shown}: 工作表 {'、'.join(hidden)} 是隐藏的,已照常读取")
    if workbook and not chosen:
        known = "、".join(SHEETS)
        extra = f";映射文件中的工作表: {'、'.join(mapping.sheets)}" if mapping else ""
        raise LedgerError.at(shown, "", f"没有可识别的工作表(应为 {known} 之一,或用 --mapping 指定映射{extra})")
    return chosen


def _ledger_of(sheets: list[Sheet], shown: str, limits: Limits, mapping: Optional[Mapping],
               rejected: Optional[list[Rejected]], workbook: bool) -> Loaded:
    notes: list[str] = []
    plans: list[Plan] = []
    spoiled: list[Diagnostic] = []
    for sheet, role, spec in _roles(sheets, shown, mapping, workbook, notes):
        plan, problems, ignored = plan_sheet(sheet, role, spec)  # type: ignore[arg-type]
        spoiled.extend(problems)
        if ignored:
            where = sheet.file if sheet.csv else f"{shown}: 工作表 {sheet.name}"
            notes.append(f"{where}: 未识别的列已忽略: {'、'.join(dict.fromkeys(ignored))}")
        if plan is not None and not problems:
            plans.append(plan)
    book = assemble(plans, skip=rejected is not None)
    notes.extend(book.notes)
    spoiled.extend(d for _, d, spoils in book.problems if spoils)
    rows = [d for _, d, spoils in book.problems if not spoils]
    if rejected is not None and not spoiled:
        rejected.extend(book.rejected)
        document = validate_file(book.data, shown, limits, locate=book.locate, rejected=rejected)
        return shown, document, notes, book.item_places()
    model: Sequence[Diagnostic] = ()
    try:
        document = validate_file(book.data, shown, limits, locate=book.locate)
    except LedgerError as exc:
        model = exc.diagnostics
    reported = {(d.file, d.place) for d in rows}
    later = rows + [d for d in model if (d.file, d.place) not in reported]
    later += [Diagnostic(r.file, r.place, r.cause) for r in book.rejected]
    problems = spoiled + sorted(later, key=book.sort_key)
    if problems:
        raise LedgerError(problems)
    return shown, document, notes, book.item_places()
