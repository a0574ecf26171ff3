"""Every error class of a spreadsheet ledger, with its exact location; skip-invalid on workbooks.

SPEC Part 2 "Spreadsheet ledgers": errors are located by file, sheet, cell, item id and header
(`台账.xlsx: 重点项目!H12 (P-004).形象进度: 应在 0 到 100 之间,实际为 150`); all errors of a workbook
are reported in one run; a file that is not a workbook, or is password-protected or corrupt, is one
line, never a traceback.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from engine import load_ledger
from workbooks import PROJECT_HEADERS, lines, project, workbook


def test_the_spec_example_exactly(tmp_path: Path) -> None:
    rows = [PROJECT_HEADERS] + [project(f"P-0{n:02d}") for n in range(10, 20)] + [project("P-004", 形象进度=150)]
    path = workbook(tmp_path / "台账.xlsx", {"重点项目": rows})
    assert lines(path) == [f"{path}: 重点项目!H12 (P-004).形象进度: 应在 0 到 100 之间,实际为 150"]


def test_every_error_of_a_workbook_in_one_run_in_sheet_and_row_order(tmp_path: Path) -> None:
    sheets = {
        "重点项目": [PROJECT_HEADERS, project("P-1", 计划开工="2028-01-01"), project("P-2", 形象进度="很快"),
                     project("P-3", 名称=None)],
        "节点": [["事项编号", "节点名称", "计划完成时间"], ["P-1", "开工", None], ["P-9", "开工", "2026-02-01"],
                 [None, "封顶", "2026-09-30"]],
        "督查": [["事项编号", "督查日期"], ["P-2", "上周"]],
        "责任单位": [["单位名称", "负责人"], [None, "王五"]],
    }
    path = workbook(tmp_path / "台账.xlsx", sheets)
    assert lines(path) == [
        f"{path}: 重点项目!F2 (P-1).计划开工: 计划完工 2027-12-31 早于计划开工 2028-01-01",
        f"{path}: 重点项目!H3 (P-2).形象进度: 应为数值(可带千分位逗号,或 62%),实际为 '很快'",
        f"{path}: 重点项目!B4 (P-3).名称: 缺少必填字段",
        f"{path}: 节点!C2 (P-1).计划完成时间: 缺少必填字段",
        f"{path}: 节点!A3 (P-9).事项编号: 本工作簿中没有编号为 'P-9' 的事项",
        f"{path}: 节点!A4.事项编号: 缺少事项编号",
        f"{path}: 督查!B2 (P-2).督查日期: 应为日期(日期单元格,或 YYYY-MM-DD、YYYY/M/D、YYYY.M.D、YYYY年M月D日),实际为 '上周'",
        f"{path}: 责任单位!A2.单位名称: 缺少必填字段",
    ]


def test_a_missing_column_is_named_by_its_row(tmp_path: Path) -> None:
    path = workbook(tmp_path / "台账.xlsx", {"事项": [["编号", "类别", "责任人"], ["P-1", "项目", "张三"]]})
    assert lines(path) == [f"{path}: 事项!第 2 行 (P-1).名称: 缺少必填字段"]


def test_a_duplicate_id_spoils_the_workbook(tmp_path: Path) -> None:
    sheets = {"重点项目": [PROJECT_HEADERS, project("P-1")], "重点任务": [["编号", "名称"], ["T-1", "x"], ["P-1", "y"]]}
    path = workbook(tmp_path / "台账.xlsx", sheets)
    assert lines(path) == [f"{path}: 重点任务!A3 (P-1).编号: 编号重复,已见于 重点项目!A2"]
    assert lines(path, skip_invalid=True) == lines(path)


def test_an_excel_error_value(tmp_path: Path) -> None:
    path = workbook(tmp_path / "台账.xlsx", {"重点项目": [["编号", "名称", "计划完成"], ["P-1", "x", "=1/0"]]})
    # openpyxl does not compute formulas: give the cell the cached error value Excel would have stored.
    data = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(data, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename.endswith("sheet1.xml"):
                body = body.replace(b'<c r="C2"><f>1/0</f><v></v>', b'<c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v>')
            target.writestr(info, body)
    path.write_bytes(data.getvalue())
    assert lines(path) == [f"{path}: 重点项目!C2 (P-1).计划完成: 单元格是 Excel 错误值 #DIV/0!(公式出错),应为数据"]


@pytest.mark.parametrize("content, cause", [
    (b"", "空文件,不是 Excel 工作簿"),
    ("编号,名称\nP-1,x\n".encode(), "不是 Excel 工作簿(.xlsx 文件应为 zip 格式)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "Workbook".encode("utf-16-le"),
     "是旧版 Excel 97-2003 (.xls) 文件,不是 .xlsx: 请在 Excel 中另存为 .xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "EncryptionInfo".encode("utf-16-le"),
     "工作簿设置了打开密码(已加密),无法读取: 请在 Excel 中取消密码后另存为 .xlsx"),
    (b"PK\x03\x04" + b"\x00" * 200, "工作簿已损坏,无法读取(BadZipFile)"),
])
def test_files_that_are_not_workbooks_are_one_line(tmp_path: Path, content: bytes, cause: str, run_duban: Any) -> None:
    path = tmp_path / "台账.xlsx"
    path.write_bytes(content)
    assert lines(path) == [f"{path}: {cause}"]
    proc = run_duban("validate", str(path), code=2)
    assert proc.stderr.splitlines() == [f"错误: {path}: {cause}"]


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert lines(path) == [f"{path}: 工作簿已损坏,无法读取(KeyError)"]


def test_a_damaged_sheet(tmp_path: Path) -> None:
    good = workbook(tmp_path / "good.xlsx", {"重点项目": [PROJECT_HEADERS, project()]})
    path = tmp_path / "台账.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            target.writestr(info, body[: len(body) // 2] if info.filename.endswith("sheet1.xml") else body)
    assert len(lines(path)) == 1 and lines(path)[0].startswith(f"{path}: 工作簿已损坏,无法读取(")


@pytest.mark.parametrize("suffix, what", [(".xls", "旧版 Excel 97-2003 (.xls)"), (".et", "WPS 表格 (.et)")])
def test_formats_that_cannot_be_read(tmp_path: Path, suffix: str, what: str) -> None:
    path = tmp_path / f"台账{suffix}"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    assert lines(path) == [f"{path}: 是{what}文件,不能直接读取: 请另存为 .xlsx 或 CSV"]


def test_missing_file(tmp_path: Path) -> None:
    assert lines(tmp_path / "无.xlsx") == [f"{tmp_path / '无.xlsx'}: 文件不存在"]
    assert lines(tmp_path / "无.csv") == [f"{tmp_path / '无.csv'}: 文件不存在"]


def test_an_undecodable_csv(tmp_path: Path) -> None:
    path = tmp_path / "重点项目.csv"
    path.write_bytes(b"\x81\x30\xff\xfe\xfd,x\n")
    assert lines(path) == [f"{path}: 无法识别的编码: 应为 UTF-8 或 GB18030(GBK)编码的 CSV 文件"]


def test_a_record_sheet_without_an_item_column(tmp_path: Path) -> None:
    path = workbook(tmp_path / "台账.xlsx", {"重点项目": [PROJECT_HEADERS, project()],
                                              "节点": [["节点名称", "计划完成时间"], ["开工", "2026-02-01"]]})
    assert lines(path) == [f"{path}: 节点!第 1 行: 缺少 事项编号 列: 记录须注明所属事项"]


def test_the_ledger_header_sheet_holds_one_row(tmp_path: Path) -> None:
    path = workbook(tmp_path / "台账.xlsx", {"台账信息": [["县", "基准日"], ["清溪县", "2026-11-28"], ["溪县", "2026-11-30"]],
                                              "重点项目": [PROJECT_HEADERS, project()]})
    assert lines(path) == [f"{path}: 台账信息!第 3 行: 台账信息只能填一行(已有 台账信息!第 2 行)"]


def test_a_column_given_twice(tmp_path: Path) -> None:
    path = workbook(tmp_path / "台账.xlsx", {"重点项目": [["编号", "名称", "项目名称"], ["P-1", "x", "y"]]})
    assert lines(path) == [f"{path}: 重点项目!C1: 列 '项目名称' 与 B 列重复(都是 title)"]


# --- skip-invalid -------------------------------------------------------------------------


def test_skip_invalid_sets_a_bad_record_row_aside_at_its_cell(tmp_path: Path) -> None:
    sheets = {
        "重点项目": [PROJECT_HEADERS, project("P-1"), project("P-2", 形象进度=150), project("P-3", 计划开工="下月")],
        "节点": [["事项编号", "节点名称", "计划完成时间"], ["P-1", "开工", "2026-02-01"], ["P-1", "封顶", "不详"],
                 ["P-2", "开工", "2026-02-01"], ["P-3", "开工", "2026-02-01"], ["P-7", "开工", "2026-02-01"]],
    }
    path = workbook(tmp_path / "台账.xlsx", sheets)
    ledger = load_ledger(path, skip_invalid=True)
    assert [(i.id, [m.name for m in i.milestones]) for i in ledger.items] == [("P-1", ["开工"])]
    assert sorted((r.place, r.id, r.cause) for r in ledger.rejected) == [
        ("节点!A6 (P-7).事项编号", "P-7", "本工作簿中没有编号为 'P-7' 的事项"),
        ("节点!C3 (P-1).计划完成时间",
         "P-1", "应为日期(日期单元格,或 YYYY-MM-DD、YYYY/M/D、YYYY.M.D、YYYY年M月D日),实际为 '不详'"),
        ("重点项目!F4 (P-3).计划开工",
         "P-3", "应为日期(日期单元格,或 YYYY-MM-DD、YYYY/M/D、YYYY.M.D、YYYY年M月D日),实际为 '下月'"),
        ("重点项目!H3 (P-2).形象进度", "P-2", "应在 0 到 100 之间,实际为 150"),
    ]
    assert {r.file for r in ledger.rejected} == {str(path)}


def test_skip_invalid_on_a_run_of_csv_files_names_each_file(tmp_path: Path) -> None:
    from workbooks import csv_file

    projects = csv_file(tmp_path / "重点项目.csv", [PROJECT_HEADERS, project("P-1"), project("P-2", 形象进度=101)])
    milestones = csv_file(tmp_path / "节点.csv", [["事项编号", "计划完成时间"], ["P-1", "2026/2/30"]])
    ledger = load_ledger([projects, milestones], skip_invalid=True)
    assert [(r.file, r.place) for r in ledger.rejected] == [(str(milestones), "B2 (P-1).计划完成时间"),
                                                           (str(projects), "H3 (P-2).形象进度")]
    assert [i.id for i in ledger.items] == ["P-1"] and ledger.items[0].milestones == []
