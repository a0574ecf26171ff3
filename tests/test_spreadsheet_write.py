"""Writing spreadsheets: the template, duban convert, the report workbook, formula-safe cells, round trips.

SPEC Part 2 "Writing spreadsheets": `duban template` (headers, one example row per sheet, drop-downs,
date formats, a 说明 sheet; `duban check` on it runs without error), `duban convert` (YAML → xlsx →
YAML gives the same ledger), `--format xlsx --output` (汇总, 预警 filled by severity, 排名 with the
light filled, 按单位, 按领导; frozen headers, filters), text beginning with = + - @ written as text.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import AS_OF, ROOT, SAMPLE
from engine import Engine, load_ledger
from engine.ledger.convert import ledger_document, ledger_yaml
from engine.rollup import rollup

SAMPLE_XLSX = ROOT / "facts" / "sample-county.xlsx"
TEMPLATE_SHEETS = ["台账信息", "责任单位", "重点项目", "重点企业", "重点改革", "创先争优", "党建工作", "重点任务", "经济指标",
                   "事项", "节点", "问题", "督查", "走访", "反馈", "会议", "说明"]


def same_ledger(a: Any, b: Any) -> None:
    """The same ledger: header, units and items, whatever files they came from."""
    assert ledger_document(a) == ledger_document(b)


# --- the template --------------------------------------------------------------------------


def test_template_then_check(tmp_path: Path, run_duban: Any) -> None:
    path = tmp_path / "t.xlsx"
    assert run_duban("template", str(path)).stdout == f"已写出台账模板 {path}\n"
    proc = run_duban("check", str(path), "--format", "json")
    report = json.loads(proc.stdout)
    assert report["summary"]["items"] == 8 and report["rejected"] == []
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == TEMPLATE_SHEETS
    for name in TEMPLATE_SHEETS[:-1]:
        assert wb[name].max_row == 2, name  # headers and one example row
    projects = wb["重点项目"]
    headers = [c.value for c in projects[1]]
    assert headers[:6] == ["编号", "名称", "责任人", "责任单位", "联系县领导", "级别"]
    start = headers.index("计划开工") + 1
    assert projects.cell(2, start).value == datetime(2026, 3, 1) and projects.cell(2, start).number_format == "yyyy-mm-dd"
    assert projects.column_dimensions[openpyxl.utils.get_column_letter(start)].number_format == "yyyy-mm-dd"
    choices = {v.formula1 for name in ("重点项目", "事项", "问题") for v in wb[name].data_validations.dataValidation}
    assert choices == {'"国家级,省级,市级,县级"', '"项目,企业,改革,创先争优,党建,任务,指标"',
                       '"用地,资金,审批,能耗,用工,企业诉求,其他"', '"是,否"'}
    explained = {(row[0].value, row[1].value) for row in wb["说明"].iter_rows(min_row=2)}
    assert ("节点", "计划完成时间") in explained and any(h == "形象进度" for _, h in explained)


def test_the_template_is_the_same_bytes_every_time(tmp_path: Path, run_duban: Any) -> None:
    run_duban("template", str(tmp_path / "a.xlsx"))
    run_duban("template", str(tmp_path / "b.xlsx"))
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_template_usage_errors(run_duban: Any, tmp_path: Path) -> None:
    assert run_duban("template", code=2).stderr.startswith("错误: template: 请给出要写入的 FILE.xlsx")
    assert run_duban("template", str(tmp_path / "t.yaml"), code=2).stderr == f"错误: {tmp_path / 't.yaml'}: 模板应写入 .xlsx 文件\n"


# --- convert and round trips -------------------------------------------------------------------


def test_yaml_to_xlsx_to_yaml_is_the_same_ledger_and_the_same_report(tmp_path: Path, run_duban: Any,
                                                                    python_engine: Engine) -> None:
    run_duban("convert", str(SAMPLE), "--output", str(tmp_path / "台账.xlsx"))
    run_duban("convert", str(tmp_path / "台账.xlsx"), "--output", str(tmp_path / "台账.yaml"))
    original, back = load_ledger(SAMPLE), load_ledger(tmp_path / "台账.yaml")
    same_ledger(original, back)
    assert (tmp_path / "台账.yaml").read_text(encoding="utf-8") == ledger_yaml(original)
    via_xlsx = load_ledger(tmp_path / "台账.xlsx")
    assert python_engine.evaluate(via_xlsx, as_of=AS_OF).to_json() == python_engine.evaluate(original, as_of=AS_OF).to_json()
    run_duban("convert", str(tmp_path / "台账.xlsx"), "--output", str(tmp_path / "again.xlsx"))
    assert (tmp_path / "again.xlsx").read_bytes() == (tmp_path / "台账.xlsx").read_bytes()


def test_convert_to_json(tmp_path: Path, run_duban: Any) -> None:
    run_duban("convert", str(SAMPLE), "--output", str(tmp_path / "台账.json"))
    same_ledger(load_ledger(tmp_path / "台账.json"), load_ledger(SAMPLE))


def test_convert_refuses_an_unknown_format(tmp_path: Path, run_duban: Any) -> None:
    proc = run_duban("convert", str(SAMPLE), "--output", str(tmp_path / "a.txt"), code=2)
    assert proc.stderr.endswith(f"错误: {tmp_path / 'a.txt'}: --output: 应以 .yaml、.yml、.json、.xlsx 结尾\n")


def test_the_sample_workbook_is_the_sample_ledger(python_engine: Engine) -> None:
    """facts/sample-county.xlsx is `duban convert facts/sample-county.yaml --output facts/sample-county.xlsx`."""
    workbook, ledger = load_ledger(SAMPLE_XLSX), load_ledger(SAMPLE)
    same_ledger(workbook, ledger)
    assert python_engine.evaluate(workbook).to_json() == python_engine.evaluate(ledger).to_json()


def sheets_as_csv(book: Path, folder: Path, encoding: str) -> list[Path]:
    """Save each sheet of a workbook as Excel would: one CSV per sheet, dates as 2026/3/1."""
    folder.mkdir()
    paths = []
    for ws in openpyxl.load_workbook(book).worksheets:
        if ws.title == "说明":
            continue
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for row in ws.iter_rows(values_only=True):
            writer.writerow(["" if v is None else f"{v.year}/{v.month}/{v.day}" if isinstance(v, datetime) else
                             repr(v) if isinstance(v, float) else v for v in row])
        path = folder / f"{ws.title}.csv"
        path.write_bytes(buffer.getvalue().encode(encoding))
        paths.append(path)
    return paths


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_the_round_trip_through_csv_files(tmp_path: Path, encoding: str, python_engine: Engine) -> None:
    original = load_ledger(SAMPLE)
    paths = sheets_as_csv(SAMPLE_XLSX, tmp_path / "csv", encoding)
    via_csv = load_ledger(paths)
    same_ledger(via_csv, original)
    assert python_engine.evaluate(via_csv, as_of=AS_OF).to_json() == python_engine.evaluate(original, as_of=AS_OF).to_json()


def test_extra_fields_and_meetings_survive_the_round_trip(tmp_path: Path) -> None:
    data = {"ledger": {"county": "测试县", "as_of": "2026-11-28", "meetings": []},
            "items": [{"id": "P-1", "kind": "project", "title": "x", "extra": {"phase": "在建", "budget": 1.5, "key": True}}]}
    from engine.ledger.convert import convert_ledger

    ledger = load_ledger(data)
    (tmp_path / "a.xlsx").write_bytes(convert_ledger(ledger, ".xlsx"))
    back = load_ledger(tmp_path / "a.xlsx")
    same_ledger(back, ledger)
    assert back.info.meetings == [] and back.items[0].extra == {"budget": 1.5, "key": True, "phase": "在建"}


# --- the report workbook -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_book(tmp_path_factory: Any) -> tuple[Any, Any]:
    path = tmp_path_factory.mktemp("report") / "R.xlsx"
    from click.testing import CliRunner

    from cli import main

    result = CliRunner().invoke(main, ["check", str(SAMPLE), "--format", "xlsx", "--output", str(path)])
    assert result.exit_code == 0, result.stderr
    return openpyxl.load_workbook(path), Engine.default().evaluate(load_ledger(SAMPLE))


def fill(cell: Any) -> str:
    return cell.fill.fgColor.rgb[-6:]


def test_report_sheets_frozen_with_filters(report_book: tuple[Any, Any]) -> None:
    wb, _ = report_book
    assert wb.sheetnames == ["汇总", "预警", "排名", "按单位", "按领导"]
    for name in wb.sheetnames[1:]:
        assert wb[name].freeze_panes == "A2" and wb[name].auto_filter.ref.startswith("A1:"), name
    assert wb["汇总"].freeze_panes == "A2"


def test_each_finding_row_is_filled_by_its_severity(report_book: tuple[Any, Any]) -> None:
    wb, report = report_book
    rows = list(wb["预警"].iter_rows(min_row=2))
    assert len(rows) == len(report.findings)
    expected = {"red": "FFC7CE", "yellow": "FFEB9C", "blue": "DDEBF7"}
    for finding, row in zip(report.findings, rows):
        assert (row[0].value, row[3].value) == (finding.subject, finding.rule)
        assert {fill(c) for c in row} == {expected[finding.severity]}
    assert {f.severity for f in report.findings} == {"red", "yellow", "blue"}


def test_the_ranking_fills_the_light_column(report_book: tuple[Any, Any]) -> None:
    wb, report = report_book
    rows = list(wb["排名"].iter_rows(min_row=2))
    expected = {"red": "FFC7CE", "yellow": "FFEB9C", "green": "C6EFCE"}
    assert [r[1].value for r in rows] == [i.id for i in report.items]
    for item, row in zip(report.items, rows):
        assert row[8].value in ("红灯", "黄灯", "绿灯") and fill(row[8]) == expected[item.light]
        assert row[9].value == item.score
    assert fill(rows[0][3]) == "000000"  # only the light column is filled


@pytest.mark.parametrize("sheet, by", [("按单位", "unit"), ("按领导", "leader")])
def test_the_rollup_sheets_are_the_rollups(report_book: tuple[Any, Any], sheet: str, by: str) -> None:
    wb, report = report_book
    rows = [[c.value for c in row] for row in wb[sheet].iter_rows(min_row=2)]
    assert rows == [[g.group, g.items, g.red, g.yellow, g.green, g.findings["red"], g.findings["yellow"],
                     g.findings["blue"], g.points, g.top_score, g.top_item] for g in rollup(report, by).groups]


def test_widths_fit_chinese_text(report_book: tuple[Any, Any]) -> None:
    wb, _ = report_book
    ranking = wb["排名"]
    longest = max(len(c.value) for c in ranking["D"][1:])
    assert ranking.column_dimensions["D"].width >= 2 * longest  # two columns per Chinese character
    assert wb["预警"].column_dimensions["H"].width <= 50  # long messages wrap instead


def test_xlsx_needs_output(run_duban: Any) -> None:
    proc = run_duban("check", str(SAMPLE), "--format", "xlsx", code=2)
    assert proc.stderr.splitlines() == ["错误: --format: xlsx: 该格式须写入文件: 请用 -o/--output 指定文件"]
    assert proc.stdout == ""


def test_rank_xlsx_and_its_top(tmp_path: Path, run_duban: Any) -> None:
    path = tmp_path / "R.xlsx"
    run_duban("rank", str(SAMPLE), "--format", "xlsx", "--output", str(path), "--top", "5")
    assert openpyxl.load_workbook(path)["排名"].max_row == 6
    again = tmp_path / "R2.xlsx"
    run_duban("rank", str(SAMPLE), "--format", "xlsx", "--output", str(again), "--top", "5")
    assert again.read_bytes() == path.read_bytes()


# --- text that looks like a formula --------------------------------------------------------------


FORMULAS = ["=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "=1+1"]


def test_formula_like_text_is_written_as_text(tmp_path: Path, run_duban: Any) -> None:
    items = [{"id": f"P-{n}", "kind": "project", "title": text, "owner": text} for n, text in enumerate(FORMULAS)]
    source = tmp_path / "台账.json"
    source.write_text(json.dumps({"ledger": {"as_of": "2026-11-28"}, "items": items}, ensure_ascii=False), encoding="utf-8")
    run_duban("convert", str(source), "--output", str(tmp_path / "台账.xlsx"))
    run_duban("check", str(source), "--format", "xlsx", "--output", str(tmp_path / "R.xlsx"))
    for path, sheet, column in ((tmp_path / "台账.xlsx", "重点项目", 2), (tmp_path / "R.xlsx", "排名", 4)):
        ws = openpyxl.load_workbook(path)[sheet]
        cells = [ws.cell(row, column) for row in range(2, 2 + len(FORMULAS))]
        assert sorted(c.value for c in cells) == sorted(FORMULAS) and {c.data_type for c in cells} == {"s"}
    same_ledger(load_ledger(tmp_path / "台账.xlsx"), load_ledger(source))


def test_numbers_keep_every_digit_and_their_type(tmp_path: Path) -> None:
    from engine.ledger.convert import convert_ledger

    data = {"items": [{"id": "I-1", "kind": "indicator", "title": "x", "value": 0.1 + 0.2,
                       "benchmarks": {"national": 5.0, "provincial": -1.25, "municipal": 4}}]}
    (tmp_path / "a.xlsx").write_bytes(convert_ledger(load_ledger(data), ".xlsx"))
    item = load_ledger(tmp_path / "a.xlsx").items[0]
    assert item.value == 0.30000000000000004
    assert [(v, type(v)) for v in (item.benchmarks.national, item.benchmarks.provincial, item.benchmarks.municipal)] == \
        [(5.0, float), (-1.25, float), (4, int)]
