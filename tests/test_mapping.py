"""Mapping files: an office's own layout (SPEC Part 2 "Mapping files"), checked with located errors.

The worked example in facts/mapping-example/ is read through its mapping; a broken mapping is refused
with the place in the mapping file and "是否想写"; cells outside a `values` table or the `formats` are
errors at their cell; `duban template --mapping` checks a mapping alone.
"""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from engine import load_ledger
from example_workbook import build
from workbooks import lines, workbook

EXAMPLE = ROOT / "facts" / "mapping-example"
BOOK = EXAMPLE / "清溪县重点项目推进台账.xlsx"
MAPPING = EXAMPLE / "映射.yaml"


def mapping_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "映射.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def test_the_worked_example_reads_through_its_mapping() -> None:
    ledger = load_ledger(BOOK, mapping=MAPPING)
    first, second = ledger.items[:2]
    assert (first.id, first.kind, first.title, first.unit, first.owner, first.leader, first.level) == (
        "QX2026-01", "project", "县城污水处理厂提标改造工程", "县住建局", "何文斌", "李建国", "provincial")
    assert (first.start, first.due, first.progress, first.investment.planned, first.investment.completed) == (
        date(2026, 3, 1), date(2026, 12, 31), 88, 12000, 10600)
    assert first.extra == {"phase": "在建"}
    assert [(m.name, m.due, m.done_on) for m in first.milestones] == [
        ("设备招标采购", date(2026, 5, 31), date(2026, 5, 26)), ("联动调试及试运行", date(2026, 12, 20), None)]
    assert second.unit == "县住建局"  # merged down from the row above
    assert second.supervisions[0].rectify_by == date(2026, 11, 20)
    assert ledger.notes == [f"{BOOK}: 已忽略工作表 填表说明(不在映射文件中)"]


def test_the_committed_example_is_the_one_its_builder_writes(tmp_path: Path) -> None:
    fresh = build(tmp_path / BOOK.name)
    assert load_ledger(fresh, mapping=MAPPING).items == load_ledger(BOOK, mapping=MAPPING).items


def test_a_mapping_given_as_data(tmp_path: Path) -> None:
    path = workbook(tmp_path / "他们的.xlsx", {"项目库": [["代码", "名字"], ["A-1", "污水厂"]]})
    mapping = {"mapping": {"sheets": {"项目库": {"kind": "项目", "columns": {"代码": "id", "名字": "名称"}}}}}
    assert [(i.id, i.kind, i.title) for i in load_ledger(path, mapping=mapping).items] == [("A-1", "project", "污水厂")]


@pytest.mark.parametrize("text, problem", [
    ("mapping: {sheets: {项目库: {kind: project, colums: {代码: id}}}}",
     "mapping.sheets.项目库.colums: 未知的字段 'colums',是否想写 'columns'?"),
    ("mapping: {sheets: {项目库: {kind: project, columns: {代码: id, 名字: titel}}}}",
     "mapping.sheets.项目库.columns.名字: 未知的字段 'titel',是否想写 'title'?"),
    ("mapping: {sheets: {项目库: {kind: project, columns: {代码: id, 名字: {field: title, format: [x]}}}}}",
     "mapping.sheets.项目库.columns.名字.format: 未知的字段 'format',是否想写 'formats'?"),
    ("mapping: {sheets: {项目库: {kind: 工程, columns: {代码: id, 名字: title}}}}",
     "mapping.sheets.项目库.kind: 未知的类别 '工程',应为"),
    ("mapping: {sheets: {项目库: {kind: project, records: visits, columns: {代码: item, 日期: date}}}}",
     "mapping.sheets.项目库.kind: kind 与 records 只能写一个: 事项表写 kind,记录表写 records"),
    ("mapping: {sheets: {项目库: {columns: {代码: id, 名字: title}}}}",
     "mapping.sheets.项目库: 事项表应写 kind(每行的类别),或把一列映射到 kind"),
    ("mapping: {sheets: {节点: {records: milestones, columns: {名称: name, 时限: due}}}}",
     "mapping.sheets.节点.columns: 缺少映射到 item 的列(必填字段)"),
    ("mapping: {sheets: {节点: {records: milestone, columns: {代码: item}}}}",
     "mapping.sheets.节点.records: 应为 milestones, issues, supervisions, visits, responses, units, meetings 之一"),
    ("mapping: {sheets: {项目库: {kind: project, columns: {代码: id, 名字: title, 开工: {field: owner, formats: ['%Y-%m-%d']}}}}}",
     "mapping.sheets.项目库.columns.开工.formats: formats 只用于日期字段,owner 不是日期"),
    ("mapping: {sheets: {项目库: {kind: project, columns: {代码: id, 名字: title, 开工: {field: start, formats: [年月日]}}}}}",
     "mapping.sheets.项目库.columns.开工.formats[0]: 不是可用的日期格式 '年月日'"),
    ("mapping: {sheets: {项目库: {kind: project, header_row: 0, columns: {代码: id, 名字: title}}}}",
     "mapping.sheets.项目库.header_row: 不能小于 1,实际为 0"),
    ("mapping: {sheets: {项目库: {kind: project, columns: {代码: id, 名字: title, 阶段: extra.1st}}}}",
     "mapping.sheets.项目库.columns.阶段: 未知的字段 'extra.1st'"),
    ("mapping: {sheets: {项目库: {kind: project, columns: {代码: id, 名字: title, 名称: title}}}}",
     "mapping.sheets.项目库.columns.名称: 与列 '名字' 都映射到 title"),
    ("sheets: {}", "sheets: 未知的字段 'sheets'"),
])
def test_a_broken_mapping_is_refused_where_it_is_broken(tmp_path: Path, text: str, problem: str, run_duban: Any) -> None:
    path = mapping_file(tmp_path, text)
    book = workbook(tmp_path / "他们的.xlsx", {"项目库": [["代码", "名字"], ["A-1", "x"]]})
    found = lines(book, mapping=path)
    assert any(line.startswith(f"{path}: {problem}") for line in found), found
    proc = run_duban("template", "--mapping", str(path), code=2)
    assert proc.stderr.splitlines() == [f"错误: {line}" for line in found]


def test_every_column_of_a_mapped_sheet_is_mapped_or_ignored(tmp_path: Path) -> None:
    path = mapping_file(tmp_path, "mapping: {sheets: {项目库: {kind: project, columns: {项目代码: id, 项目名称: title}}}}")
    book = workbook(tmp_path / "他们的.xlsx", {"项目库": [["序号", "项目代码", "项目名城", "联系电话", "备注"],
                                                        [1, "A-1", "x", "138", None]]})
    assert lines(book, mapping=path) == [
        f"{book}: 项目库!C1: 列 '项目名城' 不在映射中(映射到字段或写 ignore),是否想写 '项目名称'?",
        f"{book}: 项目库!D1: 列 '联系电话' 不在映射中(映射到字段或写 ignore)",
    ]


def test_cells_outside_the_values_table_or_the_formats_are_errors_at_their_cell(tmp_path: Path) -> None:
    path = mapping_file(tmp_path, """
        mapping:
          sheets:
            项目库:
              kind: project
              columns:
                代码: id
                名字: title
                阶段: {field: progress, values: {前期: 5, 在建: 50, 竣工: 100}}
                竣工: {field: due, formats: ["%Y年%m月%d日", "%Y-%m-%d"]}
    """)
    rows = [["代码", "名字", "阶段", "竣工"], ["A-1", "x", "在建", "2026年12月31日"], ["A-2", "y", "停工", "2026-12-31"],
            ["A-3", "z", "竣工", "2026/12/31"]]
    book = workbook(tmp_path / "他们的.xlsx", {"项目库": rows})
    assert lines(book, mapping=path) == [
        f"{book}: 项目库!C3 (A-2).阶段: '停工' 不在映射的 values 中(可填: 前期、在建、竣工)",
        f"{book}: 项目库!D4 (A-3).竣工: 应为日期(格式 %Y年%m月%d日、%Y-%m-%d),实际为 '2026/12/31'",
    ]
    rows[2][2], rows[3][3] = "前期", "2026-12-31"
    items = load_ledger(workbook(book, {"项目库": rows}), mapping=path).items
    assert [(i.progress, i.due) for i in items] == [(50, date(2026, 12, 31)), (5, date(2026, 12, 31)),
                                                  (100, date(2026, 12, 31))]


def test_header_row_counts_from_one_and_other_sheets_keep_the_template(tmp_path: Path) -> None:
    path = mapping_file(tmp_path, "mapping: {sheets: {项目库: {kind: task, header_row: 2, columns: {代码: id, 名字: title}}}}")
    theirs = workbook(tmp_path / "他们的.xlsx", {"项目库": [["代码", "名字"], ["代码", "名字"], ["T-1", "x"]]})
    ours = workbook(tmp_path / "台账.xlsx", {"重点项目": [["编号", "名称"], ["P-1", "y"]]})
    ledger = load_ledger([theirs, ours], mapping=path)
    assert [(i.id, i.kind) for i in ledger.items] == [("T-1", "task"), ("P-1", "project")]


def test_mapped_records_units_and_meetings(tmp_path: Path) -> None:
    path = mapping_file(tmp_path, """
        mapping:
          sheets:
            企业库: {kind: enterprise, columns: {代码: id, 企业名称: title}}
            走访记录: {records: visits, columns: {企业代码: item, 日期: date, 领导: leader}}
            单位: {records: units, columns: {名称: name, 负责人: head}}
            座谈会: {records: meetings, columns: {日期: date, 类型: type}}
    """)
    book = workbook(tmp_path / "他们的.xlsx", {
        "企业库": [["代码", "企业名称"], ["E-1", "示例公司"]],
        "走访记录": [["企业代码", "日期", "领导"], ["E-1", "2026-09-01", "李四"]],
        "单位": [["名称", "负责人"], ["县工信局", "周振华"]],
        "座谈会": [["日期", "类型"]],
    })
    ledger = load_ledger(book, mapping=path)
    assert ledger.items[0].visits[0].leader == "李四" and ledger.units[0].head == "周振华"
    assert ledger.info.meetings == []


def test_mapping_on_the_command_line(run_duban: Any, tmp_path: Path) -> None:
    proc = run_duban("validate", str(BOOK), "--mapping", str(MAPPING))
    assert "台账有效: 5 个事项" in proc.stdout
    out = tmp_path / "台账.yaml"
    run_duban("convert", str(BOOK), "--mapping", str(MAPPING), "--output", str(out))
    assert load_ledger(out).items == load_ledger(BOOK, mapping=MAPPING).items
    proc = run_duban("check", str(BOOK), "--mapping", str(MAPPING), "--as-of", "2026-11-28", "--format", "json")
    assert '"QX2026-04"' in proc.stdout
    proc = run_duban("template", "--mapping", str(MAPPING))
    assert proc.stdout == "映射有效: 3 个工作表(项目库、节点计划、督查情况)\n"
