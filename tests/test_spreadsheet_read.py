"""Reading the template workbook and CSV: sheets, headers, synonyms, value forms, records, notes.

SPEC Part 2 "Spreadsheet ledgers (Excel and CSV)" and "Part 2 in detail → Spreadsheets". The
workbooks here are written with openpyxl directly, not with duban's own writer.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from engine import load_ledger
from workbooks import PROJECT_HEADERS, csv_file, lines, project, workbook


def one_item(tmp_path: Path, headers: list[str], row: list[Any], sheet: str = "重点项目", **options: Any) -> Any:
    path = workbook(tmp_path / "台账.xlsx", {sheet: [headers, row]}, **options)
    ledger = load_ledger(path)
    assert len(ledger.items) == 1
    return ledger.items[0]


# --- sheets and headers --------------------------------------------------------------


def test_header_row_below_a_merged_title_and_a_blank_row(tmp_path: Path) -> None:
    path = workbook(tmp_path / "台账.xlsx", {"重点项目": [
        ["清溪县重点项目台账(2026年11月)"], ["填报单位: 县发改局"], [], PROJECT_HEADERS, project("P-001"),
    ]}, merges=["重点项目!A1:I1"])
    ledger = load_ledger(path)
    assert [(i.id, i.kind, i.owner) for i in ledger.items] == [("P-001", "project", "张三")]
    assert ledger.notes == []


def test_the_header_row_is_looked_for_in_the_first_ten_rows_only(tmp_path: Path) -> None:
    path = workbook(tmp_path / "台账.xlsx", {"重点项目": [["标题"]] * 10 + [PROJECT_HEADERS, project()]})
    assert lines(path) == ["台账.xlsx".join([str(tmp_path) + "/", ""]) + ": 重点项目: 前 10 行中找不到表头行"
                           "(至少含两个已知列名,如 编号、类别、名称、责任人)"]


@pytest.mark.parametrize("header, field, value, expected", [
    ("项目名称", "title", "污水厂", "污水厂"),
    ("事项名称", "title", "污水厂", "污水厂"),
    ("title", "title", "污水厂", "污水厂"),
    ("计划完成时间", "due", "2027-01-31", date(2027, 1, 31)),
    ("计划完工时间", "due", "2027-01-31", date(2027, 1, 31)),
    ("实际完成时间", "completed_on", "2026-11-01", date(2026, 11, 1)),
    ("实际完工时间", "completed_on", "2026-11-01", date(2026, 11, 1)),
    ("形象进度(%)", "progress", 62, 62),
    ("形象进度（%）", "progress", 62, 62),
    ("investment.planned", "investment", 1200, 1200),
    ("年度计划投资(万元)", "investment", 1200, 1200),
    (" 责任人 ", "owner", "王五", "王五"),
    ("责任\n单位", "unit", "县交通局", "县交通局"),
    ("原计划完成", "baseline_due", "2026-06-30", date(2026, 6, 30)),
    ("表彰日期", "recognized_on", "2026-10-01", date(2026, 10, 1)),
])
def test_headers_synonyms_and_field_names(tmp_path: Path, header: str, field: str, value: Any, expected: Any) -> None:
    headers = ["项目编号", "名称" if field != "title" else header] + ([header] if field != "title" else [])
    row = ["P-1", "测试项目" if field != "title" else value] + ([value] if field != "title" else [])
    item = one_item(tmp_path, headers, row)
    got = getattr(item, field)
    assert (got.planned if field == "investment" else got) == expected


def test_merged_cells_in_data_rows_give_their_value_to_every_cell(tmp_path: Path) -> None:
    rows = [PROJECT_HEADERS, project("P-1"), project("P-2", 责任单位=None), project("P-3", 责任单位=None)]
    ledger = load_ledger(workbook(tmp_path / "台账.xlsx", {"重点项目": rows}, merges=["重点项目!D2:D4"]))
    assert [i.unit for i in ledger.items] == ["县住建局"] * 3


def test_a_section_heading_merged_across_the_row_is_not_an_item(tmp_path: Path) -> None:
    rows = [["序号"] + PROJECT_HEADERS, ["一、重大项目"], [1] + project("P-1")]
    ledger = load_ledger(workbook(tmp_path / "台账.xlsx", {"重点项目": rows}, merges=["重点项目!A2:J2"]))
    assert [i.id for i in ledger.items] == ["P-1"]


def test_empty_rows_and_rows_with_only_seq_notes_or_remarks_are_skipped(tmp_path: Path) -> None:
    headers = ["序号"] + PROJECT_HEADERS + ["备注", "说明"]
    rows = [headers, [1] + project("P-1") + ["", ""], [None] * 12, [2] + [None] * 9 + ["待补充", "见附件"],
            ["\u3000"] * 12, [3] + project("P-2") + [None, None]]
    ledger = load_ledger(workbook(tmp_path / "台账.xlsx", {"重点项目": rows}))
    assert [i.id for i in ledger.items] == ["P-1", "P-2"]
    assert ledger.notes == []


def test_a_totals_row_is_skipped_with_a_note(tmp_path: Path) -> None:
    rows = [PROJECT_HEADERS + ["年度计划投资"], project("P-1") + [1200], [None, "合  计"] + [None] * 7 + [1200]]
    path = workbook(tmp_path / "台账.xlsx", {"重点项目": rows})
    ledger = load_ledger(path)
    assert [i.id for i in ledger.items] == ["P-1"]
    assert ledger.notes == [f"{path}: 已跳过合计行 重点项目!第 3 行"]


def test_unknown_columns_are_ignored_with_one_note(tmp_path: Path) -> None:
    rows = [PROJECT_HEADERS + ["联系电话", "所在乡镇"], project("P-1") + ["138", "城关镇"],
            project("P-2") + ["139", "城关镇"]]
    path = workbook(tmp_path / "台账.xlsx", {"重点项目": rows})
    assert load_ledger(path).notes == [f"{path}: 工作表 重点项目: 未识别的列已忽略: 联系电话、所在乡镇"]


def test_a_near_miss_header_is_refused_with_did_you_mean(tmp_path: Path) -> None:
    headers = ["编号", "名称", "责任任", "责任单位"]
    path = workbook(tmp_path / "台账.xlsx", {"重点项目": [headers, ["P-1", "项目", "张三", "县住建局"]]})
    assert lines(path) == [f"{path}: 重点项目!C1: 未知的列名 '责任任',是否想写 '责任人'?"]


def test_a_near_miss_beside_its_known_header_is_only_an_unknown_column(tmp_path: Path) -> None:
    headers = ["编号", "名称", "本期值", "全国", "全区"]
    path = workbook(tmp_path / "台账.xlsx", {"经济指标": [headers, ["I-1", "增速", 4.1, 5.0, 3.9]]})
    ledger = load_ledger(path)
    assert ledger.items[0].benchmarks.national == 5.0
    assert ledger.notes == [f"{path}: 工作表 经济指标: 未识别的列已忽略: 全区"]


def test_other_sheets_are_ignored_with_a_note_and_hidden_ones_are_read(tmp_path: Path) -> None:
    path = workbook(tmp_path / "台账.xlsx", {"重点项目": [PROJECT_HEADERS, project()], "Sheet1": [["x"]],
                                              "数据源": [["省级"]]}, hidden=["重点项目"])
    assert load_ledger(path).notes == [f"{path}: 已忽略工作表 Sheet1、数据源(不是模板中的工作表)",
                                       f"{path}: 工作表 重点项目 是隐藏的,已照常读取"]


def test_a_workbook_without_any_known_sheet_is_an_error(tmp_path: Path) -> None:
    path = workbook(tmp_path / "他们的.xlsx", {"项目库": [["项目代码", "项目名称"]]})
    assert lines(path)[0].startswith(f"{path}: 没有可识别的工作表(应为 重点项目、")


# --- value forms ---------------------------------------------------------------------------


@pytest.mark.parametrize("cell, expected", [
    (datetime(2026, 3, 1), date(2026, 3, 1)),
    (date(2026, 3, 1), date(2026, 3, 1)),
    ("2026-03-01", date(2026, 3, 1)),
    ("2026/3/1", date(2026, 3, 1)),
    ("2026/03/01", date(2026, 3, 1)),
    ("2026.3.1", date(2026, 3, 1)),
    ("2026年3月1日", date(2026, 3, 1)),
    ("２０２６年３月１日", date(2026, 3, 1)),
    (" 2026-03-01\u3000", date(2026, 3, 1)),
    ("2026/3/1 0:00", date(2026, 3, 1)),
])
def test_date_forms(tmp_path: Path, cell: Any, expected: date) -> None:
    assert one_item(tmp_path, ["编号", "名称", "计划开工"], ["P-1", "x", cell]).start == expected


@pytest.mark.parametrize("cell, cause", [
    (datetime(2026, 3, 1, 14, 30), "日期单元格含时间 2026-03-01 14:30:00,应为日期"),
    ("2026-3-1", "应为日期(日期单元格,或 YYYY-MM-DD、YYYY/M/D、YYYY.M.D、YYYY年M月D日),实际为 '2026-3-1'"),
    ("2026/2/30", "不存在的日期 '2026/2/30'"),
    ("明年三月", "应为日期(日期单元格,或 YYYY-MM-DD、YYYY/M/D、YYYY.M.D、YYYY年M月D日),实际为 '明年三月'"),
    (46082, "应为日期(日期单元格,或 YYYY-MM-DD、YYYY/M/D、YYYY.M.D、YYYY年M月D日),实际为数值 46082"
            "(若为 Excel 日期序号,即 2026-03-01,请把单元格设为日期格式)"),
    ("46082", "应为日期(日期单元格,或 YYYY-MM-DD、YYYY/M/D、YYYY.M.D、YYYY年M月D日),实际为 '46082'"
              "(若为 Excel 日期序号,即 2026-03-01,请把单元格设为日期格式)"),
    (20260301, "应为日期(日期单元格,或 YYYY-MM-DD、YYYY/M/D、YYYY.M.D、YYYY年M月D日),实际为数值 20260301"),
])
def test_anything_else_is_not_a_date(tmp_path: Path, cell: Any, cause: str) -> None:
    path = workbook(tmp_path / "台账.xlsx", {"重点项目": [["编号", "名称", "计划开工"], ["P-1", "x", cell]]})
    assert lines(path) == [f"{path}: 重点项目!C2 (P-1).计划开工: {cause}"]


@pytest.mark.parametrize("cell, number_format, expected", [
    (0.62, "0%", 62),
    (0.625, "0.0%", 62.5),
    (1, "0%", 100),
    (0, "0%", 0),
    ("62%", None, 62),
    ("62.5％", None, 62.5),
    (62, None, 62),
    (0.62, None, 0.62),
    ("62", None, 62),
    ("６２", None, 62),
    (62, '0"%"', 62),  # a quoted % is only a sign: the number is the percentage itself
])
def test_progress_forms(tmp_path: Path, cell: Any, number_format: Any, expected: Any) -> None:
    formats = {"重点项目!C2": number_format} if number_format else None
    item = one_item(tmp_path, ["编号", "名称", "形象进度"], ["P-1", "x", cell], formats=formats)
    assert item.progress == expected and type(item.progress) is type(expected)


def test_the_percent_rule_applies_to_indicator_values_and_benchmarks(tmp_path: Path) -> None:
    headers = ["编号", "名称", "本期值", "全国", "全省", "全市"]
    formats = {f"经济指标!{c}2": "0.0%" for c in "CDEF"}
    item = one_item(tmp_path, headers, ["I-1", "增速", 0.041, 0.05, "5.2%", -0.013], sheet="经济指标", formats=formats)
    assert (item.value, item.benchmarks.national, item.benchmarks.provincial, item.benchmarks.municipal) == \
        (4.1, 5, 5.2, -1.3)


@pytest.mark.parametrize("cell, expected", [
    ("1,200", 1200), ("1,200.5", 1200.5), ("１，２００", 1200), (" 12000 ", 12000), (12000, 12000),
    (12000.5, 12000.5), ("0", 0), ("1.2E+04", 12000.0),
])
def test_number_forms(tmp_path: Path, cell: Any, expected: Any) -> None:
    item = one_item(tmp_path, ["编号", "名称", "年度计划投资"], ["P-1", "x", cell])
    assert item.investment.planned == expected and type(item.investment.planned) is type(expected)


@pytest.mark.parametrize("cell, cause", [
    ("1,2", "应为数值(可带千分位逗号),实际为 '1,2'"),
    ("一千二", "应为数值(可带千分位逗号),实际为 '一千二'"),
    ("62%", "应为数值(可带千分位逗号),实际为 '62%'"),
    (True, "应为数值,实际为 TRUE"),
])
def test_not_numbers(tmp_path: Path, cell: Any, cause: str) -> None:
    path = workbook(tmp_path / "台账.xlsx", {"重点项目": [["编号", "名称", "年度计划投资"], ["P-1", "x", cell]]})
    assert lines(path) == [f"{path}: 重点项目!C2 (P-1).年度计划投资: {cause}"]


@pytest.mark.parametrize("cell, expected", [
    ("是", True), ("否", False), ("Y", True), ("n", False), ("TRUE", True), ("false", False), (1, True), (0, False),
    ("1", True), ("√", True), (True, True), (None, False), ("×", False),
])
def test_yes_no_forms(tmp_path: Path, cell: Any, expected: bool) -> None:
    sheets = {"重点项目": [["编号", "名称"], ["P-1", "x"]],
              "问题": [["事项编号", "问题类型", "提出日期", "复杂问题"], ["P-1", "用地", "2026-08-01", cell]]}
    ledger = load_ledger(workbook(tmp_path / "台账.xlsx", sheets))
    assert ledger.items[0].issues[0].complex is expected


def test_a_yes_no_cell_that_is_neither(tmp_path: Path) -> None:
    sheets = {"重点项目": [["编号", "名称"], ["P-1", "x"]],
              "问题": [["事项编号", "问题类型", "提出日期", "复杂问题"], ["P-1", "用地", "2026-08-01", "可能"]]}
    path = workbook(tmp_path / "台账.xlsx", sheets)
    assert lines(path) == [f"{path}: 问题!D2 (P-1).复杂问题: 应为 是 或 否(也可写 Y/N、TRUE/FALSE、1/0、√),实际为 '可能'"]


@pytest.mark.parametrize("word, kind", [
    ("重点项目", "project"), ("项目", "project"), ("企业", "enterprise"), ("重点改革", "reform"), ("改革", "reform"),
    ("创先争优", "excellence"), ("党建", "party"), ("党建工作", "party"), ("任务", "task"), ("指标", "indicator"),
    ("经济指标", "indicator"), ("task", "task"), ("Project", "project"),
])
def test_kinds_in_chinese_on_the_items_sheet(tmp_path: Path, word: str, kind: str) -> None:
    assert one_item(tmp_path, ["编号", "类别", "名称"], ["X-1", word, "x"], sheet="事项").kind == kind


@pytest.mark.parametrize("word, level", [("国家级", "national"), ("省级", "provincial"), ("市级", "municipal"),
                                         ("县级", "county"), ("provincial", "provincial")])
def test_levels(tmp_path: Path, word: str, level: str) -> None:
    assert one_item(tmp_path, ["编号", "名称", "级别"], ["P-1", "x", word]).level == level


@pytest.mark.parametrize("word, issue_type", [
    ("用地", "land"), ("土地", "land"), ("资金", "funds"), ("审批", "approval"), ("手续", "approval"),
    ("能耗", "energy"), ("能源", "energy"), ("用工", "labor"), ("企业诉求", "enterprise"), ("其他", "other"),
    ("funds", "funds"),
])
def test_issue_types(tmp_path: Path, word: str, issue_type: str) -> None:
    sheets = {"重点项目": [["编号", "名称"], ["P-1", "x"]],
              "问题": [["事项编号", "问题类型", "提出日期"], ["P-1", word, "2026-08-01"]]}
    assert load_ledger(workbook(tmp_path / "台账.xlsx", sheets)).items[0].issues[0].type == issue_type


def test_text_is_stripped_and_numbers_in_text_columns_are_text(tmp_path: Path) -> None:
    item = one_item(tmp_path, ["编号", "名称", "责任人", "联系县领导"], [1001, "\u3000污水厂 ", "\u200b张三\xa0", 12])
    assert (item.id, item.title, item.owner, item.leader) == ("1001", "污水厂", "张三", "12")


def test_a_kind_column_must_agree_with_its_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path / "台账.xlsx", {"重点项目": [["编号", "类别", "名称"], ["P-1", "企业", "x"]]})
    assert lines(path) == [f"{path}: 重点项目!B2 (P-1).类别: 类别 'enterprise' 与工作表 重点项目(project)不一致"]


# --- records, units, the ledger header, meetings, extra fields -----------------------------------


def full_workbook(tmp_path: Path, **extra_sheets: Any) -> Path:
    sheets = {
        "台账信息": [["县", "基准日"], ["清溪县", "2026-11-28"]],
        "责任单位": [["单位名称", "负责人"], ["县住建局", "王五"]],
        "重点项目": [PROJECT_HEADERS, project("P-1"), project("P-2")],
        "重点企业": [["编号", "名称", "联系县领导"], ["E-1", "示例公司", "李四"]],
        "节点": [["事项编号", "节点名称", "计划完成时间", "实际完成时间"], ["P-2", "开工", "2026-02-01", "2026-02-03"],
                 ["P-1", "开工", "2026-01-15", None], ["P-2", "封顶", "2026-09-30", None]],
        "问题": [["事项编号", "问题类型", "问题描述", "提出日期", "办结时限", "解决日期", "复杂问题"],
                 ["E-1", "企业诉求", "用电增容", "2026-10-01", "2026-10-31", None, "是"]],
        "督查": [["事项编号", "督查日期", "督查单位", "督查发现", "整改时限", "整改完成日期"],
                 ["P-1", "2026-10-15", "县督查室", "进度滞后", "2026-11-15", None]],
        "走访": [["事项编号", "走访日期", "走访领导"], ["E-1", "2026-09-01", "李四"]],
        "反馈": [["事项编号", "反馈日期", "规则", "原因分析", "整改措施", "反馈人"],
                 ["P-1", "2026-11-20", "LAG-01", "征地滞后", "增加班组", "张三"]],
        **extra_sheets,
    }
    return workbook(tmp_path / "台账.xlsx", sheets)


def test_records_are_tied_to_their_item_in_row_order(tmp_path: Path) -> None:
    ledger = load_ledger(full_workbook(tmp_path))
    p1, p2, e1 = ledger.items
    assert [m.name for m in p2.milestones] == ["开工", "封顶"] and p2.milestones[0].done_on == date(2026, 2, 3)
    assert [m.due for m in p1.milestones] == [date(2026, 1, 15)]
    assert e1.issues[0].type == "enterprise" and e1.issues[0].complex is True and e1.visits[0].leader == "李四"
    assert p1.supervisions[0].rectify_by == date(2026, 11, 15)
    assert (p1.responses[0].rule, p1.responses[0].cause, p1.responses[0].by) == ("LAG-01", "征地滞后", "张三")
    assert (ledger.info.county, ledger.info.as_of, ledger.info.meetings) == ("清溪县", date(2026, 11, 28), None)
    assert [(u.name, u.head) for u in ledger.units] == [("县住建局", "王五")]


def test_a_meetings_sheet_with_only_its_header_says_meetings_are_recorded(tmp_path: Path) -> None:
    ledger = load_ledger(full_workbook(tmp_path, 会议=[["会议日期", "会议类型", "会议名称"]]))
    assert ledger.info.meetings == []


def test_meetings(tmp_path: Path) -> None:
    rows = [["会议日期", "会议类型", "会议名称"], ["2026-10-20", "企业座谈会", "三季度座谈会"], ["2026年11月2日", "调度会", None]]
    meetings = load_ledger(full_workbook(tmp_path, 会议=rows)).info.meetings
    assert [(m.date, m.type, m.title) for m in meetings] == [(date(2026, 10, 20), "企业座谈会", "三季度座谈会"),
                                                             (date(2026, 11, 2), "调度会", None)]


def test_extra_fields_by_their_own_name(tmp_path: Path) -> None:
    headers = ["编号", "名称", "extra.phase", "extra.budget"]
    assert one_item(tmp_path, headers, ["P-1", "x", "在建", "1,200"]).extra == {"phase": "在建", "budget": "1,200"}


# --- CSV ---------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_each_encoding(tmp_path: Path, encoding: str) -> None:
    projects = csv_file(tmp_path / "重点项目.csv", [PROJECT_HEADERS, project("P-1", 计划开工="2026/1/1", 形象进度="62%")],
                        encoding)
    milestones = csv_file(tmp_path / "节点.csv", [["事项编号", "节点名称", "计划完成时间"], ["P-1", "开工", "2026/2/1"]],
                          encoding)
    ledger = load_ledger([projects, milestones])
    item = ledger.items[0]
    assert (item.owner, item.start, item.progress, item.milestones[0].name) == ("张三", date(2026, 1, 1), 62, "开工")
    assert ledger.sources == [f"{projects}, {milestones}"]


def test_csv_errors_name_the_file_and_the_cell(tmp_path: Path) -> None:
    rows = [PROJECT_HEADERS] + [project(f"P-{n}") for n in range(1, 11)] + [project("P-004", 形象进度=150)]
    projects = csv_file(tmp_path / "重点项目.csv", rows, "gb18030")
    assert lines(projects) == [f"{projects}: H12 (P-004).形象进度: 应在 0 到 100 之间,实际为 150"]


def test_a_csv_named_like_no_sheet_needs_a_kind_column(tmp_path: Path) -> None:
    good = csv_file(tmp_path / "台账.csv", [["编号", "类别", "名称"], ["T-1", "任务", "x"], ["E-1", "企业", "y"]])
    assert [i.kind for i in load_ledger(good).items] == ["task", "enterprise"]
    bad = csv_file(tmp_path / "导出.csv", [["编号", "名称"], ["T-1", "x"]])
    assert lines(bad) == [f"{bad}: 第 1 行: 缺少 类别 列: 不以类别命名的工作表须注明每行的类别"]


def test_csv_separated_by_semicolons_or_tabs(tmp_path: Path) -> None:
    path = tmp_path / "重点项目.csv"
    path.write_bytes("编号;名称;形象进度\r\nP-1;污水厂;62\r\n".encode("utf-8"))
    assert load_ledger(path).items[0].progress == 62
    path.write_bytes("编号\t名称\t形象进度\r\nP-1\t污水厂\t62\r\n".encode("utf-16"))
    assert load_ledger(path).items[0].title == "污水厂"


def test_yaml_and_workbooks_merge_in_one_run(tmp_path: Path) -> None:
    yaml_file = tmp_path / "a.yaml"
    yaml_file.write_text("ledger: {county: 清溪县, as_of: 2026-11-28}\nitems:\n  - {id: T-1, kind: task, title: 任务}\n",
                         encoding="utf-8")
    book = workbook(tmp_path / "b.xlsx", {"重点项目": [PROJECT_HEADERS, project("P-1")],
                                          "台账信息": [["县", "基准日"], ["清溪县", "2026-11-28"]]})
    ledger = load_ledger([yaml_file, book])
    assert [i.id for i in ledger.items] == ["T-1", "P-1"] and ledger.sources == [str(yaml_file), str(book)]
    clash = workbook(tmp_path / "c.xlsx", {"重点项目": [PROJECT_HEADERS, project("T-1")]})
    assert lines(yaml_file, clash) == [f"{clash}: 重点项目!A2 (T-1).id: 编号重复,已见于 {yaml_file} items[0]"]
