"""Building test workbooks and CSV files with openpyxl directly, independently of duban's writer."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

import openpyxl

from engine import LedgerError, load_ledger
from engine.errors import Diagnostic


def workbook(path: Path, sheets: dict[str, Sequence[Sequence[Any]]], *, formats: Optional[dict[str, str]] = None,
             merges: Iterable[str] = (), hidden: Iterable[str] = ()) -> Path:
    """Write ``sheets`` (name → rows) to ``path``; ``formats`` by ``"Sheet!H3"``, ``merges`` as ``"Sheet!A3:A5"``."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
        if name in hidden:
            ws.sheet_state = "hidden"
    for where, number_format in (formats or {}).items():
        sheet, cell = where.split("!")
        wb[sheet][cell].number_format = number_format
    for where in merges:
        sheet, cells = where.split("!")
        wb[sheet].merge_cells(cells)
    wb.save(path)
    return path


def csv_file(path: Path, rows: Sequence[Sequence[Any]], encoding: str = "utf-8-sig") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([["" if v is None else v for v in row] for row in rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def errors(*sources: Any, **options: Any) -> list[Diagnostic]:
    """The diagnostics that loading ``sources`` raises (it must raise)."""
    try:
        load_ledger(list(sources), **options)
    except LedgerError as exc:
        return list(exc.diagnostics)
    raise AssertionError("no LedgerError")


def lines(*sources: Any, **options: Any) -> list[str]:
    return [str(d) for d in errors(*sources, **options)]


PROJECT_HEADERS = ["编号", "名称", "责任人", "责任单位", "联系县领导", "计划开工", "计划完成", "形象进度", "进度填报日期"]


def project(item_id: str = "P-001", **changes: Any) -> list[Any]:
    """A clean project row under :data:`PROJECT_HEADERS`."""
    values = {"编号": item_id, "名称": "测试项目", "责任人": "张三", "责任单位": "县住建局", "联系县领导": "李四",
              "计划开工": "2026-01-01", "计划完成": "2027-12-31", "形象进度": 60, "进度填报日期": "2026-11-20"}
    values.update(changes)
    return [values[h] for h in PROJECT_HEADERS]
