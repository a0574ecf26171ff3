"""`duban rollup --by unit|leader|kind|level` in every format: the counts are the report's, in the spec's order."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from conftest import AS_OF, SAMPLE, make_item, make_ledger
from engine import Engine, load_ledger
from engine.output import formats_for
from engine.output.views import one_decimal
from engine.rollup import UNFILLED, rollup

BY = ["unit", "leader", "kind", "level"]
HEADERS = ["事项", "红灯", "黄灯", "绿灯", "红色预警", "黄色预警", "蓝色预警", "预警分值", "最高分", "最高分事项"]


@pytest.fixture(scope="module")
def sample_report():
    return Engine.default().evaluate(load_ledger(SAMPLE), AS_OF)


def test_rollup_has_every_text_format() -> None:
    assert {"table", "json", "csv", "markdown"} <= set(formats_for("rollup"))


@pytest.mark.parametrize("by", BY)
def test_json_is_the_libraries_rollup_and_adds_up_to_the_report(by: str, run_cli, sample_report) -> None:
    data = json.loads(run_cli("rollup", str(SAMPLE), "--by", by, "--format", "json").stdout)
    assert data == rollup(sample_report, by).model_dump(mode="json")
    assert sum(g["items"] for g in data["groups"]) == sample_report.summary.items
    for light in ("red", "yellow", "green"):
        assert sum(g[light] for g in data["groups"]) == sample_report.summary.lights[light]
    if by == "unit":  # every finding but the county's lands in one unit group
        for severity in ("red", "yellow", "blue"):
            count = sum(1 for f in sample_report.findings if f.severity == severity and f.subject_kind != "county")
            assert sum(g["findings"][severity] for g in data["groups"]) == count


@pytest.mark.parametrize("by", BY)
def test_csv_rows_are_the_groups_in_order(by: str, run_cli, sample_report) -> None:
    text = run_cli("rollup", str(SAMPLE), "--by", by, "--format", "csv").stdout
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][1:] == HEADERS
    groups = rollup(sample_report, by).groups
    assert len(rows) == len(groups) + 1
    for row, group in zip(rows[1:], groups):
        assert [int(v) for v in row[1:8]] == [group.items, group.red, group.yellow, group.green,
                                              group.findings["red"], group.findings["yellow"], group.findings["blue"]]
        assert row[8] == one_decimal(group.points)
        assert row[10] == (group.top_item or "—")


def test_table_and_markdown_show_names_in_chinese_and_points_to_one_decimal(run_cli, sample_report) -> None:
    table = run_cli("rollup", str(SAMPLE), "--by", "kind").stdout
    assert table.splitlines()[0].split()[:2] == ["事项类型", "事项"]
    assert "重大项目" in table and "project" not in table
    assert "按事项类型汇总,共 7 组" in table
    markdown = run_cli("rollup", str(SAMPLE), "--by", "level", "--format", "markdown").stdout
    assert markdown.startswith("# 督办汇总: 按级别\n")
    assert "| 省级" in markdown
    units = run_cli("rollup", str(SAMPLE)).stdout
    first = rollup(sample_report, "unit").groups[0]
    line = next(line for line in units.splitlines() if line.startswith(first.group))
    assert one_decimal(first.points) in line.split()


def test_points_are_shown_to_one_decimal_with_halves_rounded_up() -> None:
    assert [one_decimal(v) for v in (42.25, 0.05, 12.0, 305.45, 1 / 3)] == ["42.3", "0.1", "12.0", "305.5", "0.3"]


def test_unfilled_group_is_last_in_every_format(run_cli, tmp_path: Path) -> None:
    ledger = make_ledger(make_item(id="P-1", unit="", owner=""), make_item(id="P-2", unit="县住建局"),
                         make_item(id="P-3", unit="县交通局", owner=""), make_item(id="P-4", unit="待定", owner=""))
    report = Engine.default().evaluate(ledger, AS_OF)
    groups = rollup(report, "unit").groups
    assert groups[-1].group == UNFILLED and groups[-1].red == 2 > max(g.red for g in groups[:-1])
    path = tmp_path / "l.json"
    path.write_text(json.dumps({"ledger": {"as_of": "2026-11-28"}, "items": [
        make_item(id="P-1", unit="", owner=""), make_item(id="P-2", unit="县住建局")]}), encoding="utf-8")
    for fmt in ("table", "csv", "markdown"):
        lines = [line for line in run_cli("rollup", str(path), "--format", fmt).stdout.splitlines()
                 if "县住建局" in line or UNFILLED in line]
        assert [UNFILLED in line for line in lines] == [False, True], fmt


def test_rollup_refuses_a_format_without_the_view(run_cli) -> None:
    result = run_cli("rollup", str(SAMPLE), "--format", "html", code=2)
    # -f offers only the formats that have the view: the refusal names them
    assert "'html' 不是" in result.stderr and "'table', 'json', 'csv', 'markdown'" in result.stderr
