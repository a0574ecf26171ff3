"""Writing a ledger as a template workbook — and the empty template with one example row per sheet.

Every sheet of the template (:mod:`.headers`) with its headers; item sheets
carry the columns of their kind and any other field their items use; dates
are date cells (yyyy-mm-dd, also the format of the empty cells below),
kinds, levels, issue types and yes/no are written in Chinese with drop-downs
on those columns; a 说明 sheet explains each column. Reading the workbook
back gives the same ledger (:mod:`.spreadsheet`).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Optional

from ..output.workbook import print_landscape, workbook_bytes, write_table
from .headers import HELP_SHEET, ITEM_COLUMNS, ITEMS_SHEET, KIND_SHEETS, RECORD_COLUMNS, Column
from .models import KINDS, Item, Ledger, LedgerInfo, Meeting, Unit

__all__ = ["KIND_COLUMNS", "ledger_workbook", "template_workbook", "EXAMPLE"]

_PEOPLE = ("id", "title", "owner", "unit", "leader", "level")
_SCHEDULE = ("start", "due", "baseline_due", "started_on", "completed_on", "progress", "progress_reported_on")
# The columns each kind's sheet shows; a field an item uses beyond these gets its column too.
KIND_COLUMNS: dict[str, tuple[str, ...]] = {
    "project": _PEOPLE + _SCHEDULE + ("investment.planned", "investment.completed"),
    "enterprise": _PEOPLE,
    "reform": _PEOPLE + _SCHEDULE + ("goal", "path", "measures", "outcome"),
    "excellence": _PEOPLE + ("goal", "due", "completed_on", "progress", "progress_reported_on", "recognized_on"),
    "party": _PEOPLE + _SCHEDULE,
    "task": _PEOPLE + _SCHEDULE,
    "indicator": ("id", "title", "owner", "unit", "level", "value", "benchmarks.national", "benchmarks.provincial",
                  "benchmarks.municipal", "rank", "rank_of"),
}
_SHEET_OF_KIND = {kind: name for name, kind in KIND_SHEETS.items()}
_ITEM_BY_FIELD = {c.field: c for c in ITEM_COLUMNS}
_CHINESE = {
    "kind": {"project": "项目", "enterprise": "企业", "reform": "改革", "excellence": "创先争优", "party": "党建",
             "task": "任务", "indicator": "指标"},
    "level": {"national": "国家级", "provincial": "省级", "municipal": "市级", "county": "县级"},
    "issue_type": {"land": "用地", "funds": "资金", "approval": "审批", "energy": "能耗", "labor": "用工",
                   "enterprise": "企业诉求", "other": "其他"},
    "flag": {True: "是", False: "否"},
}
_CHOICES = {kind: ",".join(words.values()) for kind, words in _CHINESE.items()}
_DATE_FORMAT = "yyyy-mm-dd"
_RECORD_SHEETS = (("节点", "milestones"), ("问题", "issues"), ("督查", "supervisions"), ("走访", "visits"),
                  ("反馈", "responses"))

# One example row per sheet of the empty template; `duban check` reads it without an error.
EXAMPLE: dict[str, Any] = {
    "ledger": {"county": "示例县", "as_of": "2026-11-28",
               "meetings": [{"date": "2026-10-20", "type": "企业座谈会", "title": "第三季度企业座谈会(示例)"}]},
    "units": [{"name": "县住建局", "head": "王五"}],
    "items": [
        {"id": "示例-P01", "kind": "project", "title": "县城污水处理厂提标改造(示例)", "owner": "张三", "unit": "县住建局",
         "leader": "李四", "level": "provincial", "start": "2026-03-01", "due": "2026-12-31", "started_on": "2026-03-15",
         "progress": 62, "progress_reported_on": "2026-11-20", "investment": {"planned": 12000, "completed": 7000},
         "milestones": [{"name": "主体完工", "due": "2026-09-30", "done_on": "2026-10-10"}],
         "issues": [{"type": "land", "description": "用地指标未落实", "raised_on": "2026-08-01"}],
         "supervisions": [{"date": "2026-10-15", "by": "县督查室", "finding": "进度滞后", "rectify_by": "2026-11-15"}],
         "responses": [{"date": "2026-11-20", "rule": "LAG-01", "cause": "征地拆迁滞后", "measures": "增加施工班组",
                        "by": "张三"}]},
        {"id": "示例-E01", "kind": "enterprise", "title": "示例新材料有限公司(示例)", "owner": "赵六", "unit": "县工信局",
         "leader": "李四", "visits": [{"date": "2026-09-01", "leader": "李四"}]},
        {"id": "示例-R01", "kind": "reform", "title": "工程建设项目审批制度改革(示例)", "owner": "孙七", "unit": "县委改革办",
         "start": "2026-01-01", "due": "2026-12-31", "progress": 80, "progress_reported_on": "2026-11-15",
         "goal": "审批时限压减一半", "path": "并联审批", "measures": "一窗受理、限时办结"},
        {"id": "示例-X01", "kind": "excellence", "title": "争创省级文明单位(示例)", "owner": "周八", "unit": "县文明办",
         "goal": "年内通过省级验收"},
        {"id": "示例-D01", "kind": "party", "title": "基层党组织标准化建设(示例)", "owner": "吴九", "unit": "县委组织部",
         "start": "2026-02-01", "due": "2026-12-31", "progress": 85, "progress_reported_on": "2026-11-18"},
        {"id": "示例-T01", "kind": "task", "title": "城乡环境综合整治(示例)", "owner": "郑十", "unit": "县城管局",
         "start": "2026-01-01", "due": "2026-12-31", "progress": 90, "progress_reported_on": "2026-11-22"},
        {"id": "示例-I01", "kind": "indicator", "title": "地区生产总值增速(示例)", "owner": "陈一", "unit": "县统计局",
         "value": 5.3, "benchmarks": {"national": 5.0, "provincial": 5.2, "municipal": 4.8}, "rank": 3, "rank_of": 10},
    ],
}
# On the 事项 sheet (any kind, with a 类别 column) the template shows one more task.
_MIXED_EXAMPLE = {"id": "示例-T02", "kind": "task", "title": "营商环境提升行动(示例)", "owner": "钱二", "unit": "县发改局",
                  "start": "2026-03-01", "due": "2026-12-31", "progress": 75, "progress_reported_on": "2026-11-25"}


def _get(model: Any, path: str) -> Any:
    for part in path.split("."):
        if model is None:
            return None
        model = model.get(part) if isinstance(model, dict) else getattr(model, part, None)
    return model


def _cell(column: Column, value: Any) -> Any:
    """A ledger value as the template writes it: dates as date cells, words in Chinese."""
    if value is None:
        return None
    if column.type in _CHINESE:
        return _CHINESE[column.type].get(value, value)
    if column.type == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def _add_choices(ws: Any, columns: list[Column], rows: int) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for index, column in enumerate(columns, 1):
        letter = get_column_letter(index)
        if column.type in _CHOICES:
            check = DataValidation(type="list", formula1=f'"{_CHOICES[column.type]}"', allow_blank=True,
                                   showErrorMessage=False)
            check.add(f"{letter}2:{letter}{max(rows, 1000)}")
            ws.add_data_validation(check)
        if column.type == "date":
            ws.column_dimensions[letter].number_format = _DATE_FORMAT


def _sheet(wb: Any, name: str, columns: list[Column], rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(name)
    print_landscape(ws)
    formats = {i: _DATE_FORMAT for i, c in enumerate(columns) if c.type == "date"}
    write_table(ws, [c.header for c in columns], rows, formats=formats, filters=False)
    _add_choices(ws, columns, len(rows) + 1)


def _item_columns(kind: Optional[str], items: list[Any]) -> tuple[list[Column], list[str]]:
    """The columns of an item sheet: the kind's, then every other field its items use, then extras."""
    wanted = set(KIND_COLUMNS[kind] if kind else ("id", "kind", "title", "owner", "unit", "leader", "level"))
    if kind is None:
        wanted.add("kind")
    for item in items:
        wanted.update(c.field for c in ITEM_COLUMNS if c.field not in wanted and _get(item, c.field) is not None)
    columns = [c for c in ITEM_COLUMNS if c.field in wanted and not (kind and c.field == "kind")]
    extras = sorted({name for item in items for name in (_get(item, "extra") or {})})
    return columns + [Column(f"extra.{name}", f"extra.{name}", "extra", "自有字段") for name in extras], extras


def _item_rows(columns: list[Column], items: Iterable[Any]) -> list[list[Any]]:
    return [[_cell(c, _get(item, c.field)) for c in columns] for item in items]


def _record_rows(field: str, items: Iterable[Any]) -> list[list[Any]]:
    columns = RECORD_COLUMNS[field]
    rows = []
    for item in items:
        for record in _get(item, field) or ():
            rows.append([_get(item, "id")] + [_cell(c, _get(record, c.field)) for c in columns[1:]])
    return rows


def _build(info: Any, units: list[Any], items: list[Any], meetings: Optional[list[Any]], mixed: list[Any],
           when: date) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    info_row = [_cell(c, _get(info, c.field)) for c in RECORD_COLUMNS["info"]]
    _sheet(wb, "台账信息", list(RECORD_COLUMNS["info"]), [info_row] if any(v is not None for v in info_row) else [])
    _sheet(wb, "责任单位", list(RECORD_COLUMNS["units"]),
           [[_cell(c, _get(u, c.field)) for c in RECORD_COLUMNS["units"]] for u in units])
    for kind in KINDS:
        of_kind = [i for i in items if _get(i, "kind") == kind]
        columns, _ = _item_columns(kind, of_kind)
        _sheet(wb, _SHEET_OF_KIND[kind], columns, _item_rows(columns, of_kind))
    if mixed:
        columns, _ = _item_columns(None, mixed)
        _sheet(wb, ITEMS_SHEET, columns, _item_rows(columns, mixed))
    for name, field in _RECORD_SHEETS:
        _sheet(wb, name, list(RECORD_COLUMNS[field]), _record_rows(field, items + mixed))
    if meetings is not None:  # a 会议 sheet says that meetings are recorded, even without a row
        _sheet(wb, "会议", list(RECORD_COLUMNS["meetings"]),
               [[_cell(c, _get(m, c.field)) for c in RECORD_COLUMNS["meetings"]] for m in meetings])
    _help_sheet(wb)
    return workbook_bytes(wb, when)


def ledger_workbook(ledger: Ledger) -> bytes:
    """The ledger as a template workbook (``duban convert … --output 台账.xlsx``)."""
    info: LedgerInfo = ledger.info
    units: list[Unit] = list(ledger.units)
    items: list[Item] = list(ledger.items)
    meetings: Optional[list[Meeting]] = None if info.meetings is None else list(info.meetings)
    return _build(info, units, items, meetings, [], info.as_of or date(2026, 1, 1))


def template_workbook() -> bytes:
    """The empty template: every sheet, one example row each (``duban template 台账.xlsx``)."""
    example = EXAMPLE
    return _build(example["ledger"], example["units"], example["items"], example["ledger"]["meetings"],
                  [_MIXED_EXAMPLE], date.fromisoformat(example["ledger"]["as_of"]))


def _help_sheet(wb: Any) -> None:
    ws = wb.create_sheet(HELP_SHEET)
    rows = []
    for name, role in (("台账信息", "info"), ("责任单位", "units")):
        rows += [[name, c.header, c.field, c.meaning] for c in RECORD_COLUMNS[role]]
    kinds = "、".join(KIND_SHEETS)
    rows += [[f"{kinds}、{ITEMS_SHEET}", c.header, c.field,
              c.meaning + (f"(也可写 {'、'.join(c.synonyms)})" if c.synonyms else "")] for c in ITEM_COLUMNS]
    for name, field in _RECORD_SHEETS + (("会议", "meetings"),):
        rows += [[name, c.header, c.field, c.meaning] for c in RECORD_COLUMNS[field]]
    rows += [
        ["(全部)", "日期", "", "日期单元格,或 2026-03-01、2026/3/1、2026.3.1、2026年3月1日"],
        ["(全部)", "序号、备注、说明", "", "始终忽略;其他不认识的列忽略并提示,与已知列名只差一个字的列视为笔误报错"],
        ["(全部)", "extra.名称", "extra.名称", "自有字段,供自定义规则包读取"],
    ]
    write_table(ws, ["工作表", "列名", "字段", "填写说明"], rows)
