"""duban sweep (SPEC Part 2, "Analysts" and "Part 2 in detail"): one evaluation per value, or per pair in
the Cartesian product in the order given; counts and light changes equal separate evaluations against the
run with the pack's params and any --set; every value checked by the pack checker before anything runs."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

import cli
from conftest import SAMPLE
from engine import Engine, PackError, UsageError, load_ledger
from engine.sweep import sweep


@pytest.fixture(scope="module")
def ledger():
    return load_ledger(SAMPLE)


def lights(report) -> dict[str, str]:
    return {item.id: item.light for item in report.items}


def test_acceptance_four_values_print_four_rows(run_cli) -> None:
    out = run_cli("sweep", "lag_red_points=15,20,25,30", str(SAMPLE)).stdout
    rows = [line for line in out.splitlines() if re.match(r"^\d+\s", line)]
    assert [row.split()[0] for row in rows] == ["15", "20", "25", "30"]
    assert out.splitlines()[0].split() == ["lag_red_points", "预警", "红/黄/蓝", "灯", "红/黄/绿", "档次", "特急/高/中/低",
                                           "灯变化"]
    assert rows[3].split()[1:] == ["17/27/6", "12/15/15", "6/9/5/22", "1"]
    assert "对照: 规则包参数(lag_red_points=20)" in out


def test_rows_and_light_changes_equal_separate_evaluations(ledger) -> None:
    result = sweep(ledger, [("lag_red_points", [15, 20, 25, 30])], backend="python")
    base = Engine.default(backend="python").evaluate(ledger)
    assert result.baseline.findings == base.summary.findings and result.baseline.values == {"lag_red_points": 20}
    for row, value in zip(result.rows, [15, 20, 25, 30]):
        report = Engine.default({"lag_red_points": value}, backend="python").evaluate(ledger)
        assert row.values == {"lag_red_points": value}
        assert (row.findings, row.lights, row.tiers) == (report.summary.findings, report.summary.lights,
                                                         report.summary.tiers)
        changed = sorted(i for i, light in lights(report).items() if lights(base)[i] != light)
        assert (row.changed, row.changed_items) == (len(changed), changed)
    # 20 is the default; at 30, P-006 (26.6 points behind, nothing else red) turns yellow
    assert (result.rows[1].changed_items, result.rows[3].changed_items) == ([], ["P-006"])


def test_two_params_give_the_cartesian_product_in_the_order_given(ledger) -> None:
    result = sweep(ledger, [("lag_red_points", ["25", "30"]), ("lag_yellow_points", ["5", "10", "15"])],
                   backend="python")
    assert [tuple(r.values.values()) for r in result.rows] == [(25, 5), (25, 10), (25, 15), (30, 5), (30, 10), (30, 15)]
    assert result.params == ["lag_red_points", "lag_yellow_points"]
    for row in result.rows:
        report = Engine.default(row.values, backend="python").evaluate(ledger)
        assert row.findings == report.summary.findings


def test_light_changes_are_against_the_run_with_set(ledger, run_cli) -> None:
    result = sweep(ledger, [("lag_red_points", [30])], params={"lag_yellow_points": "15"}, backend="python")
    base = Engine.default({"lag_yellow_points": 15}, backend="python").evaluate(ledger)
    assert result.baseline.values == {"lag_red_points": 20} and result.baseline.lights == base.summary.lights
    report = Engine.default({"lag_yellow_points": 15, "lag_red_points": 30}, backend="python").evaluate(ledger)
    assert result.rows[0].changed == sum(lights(report)[i] != light for i, light in lights(base).items())
    out = run_cli("sweep", "lag_red_points=30", str(SAMPLE), "--set", "lag_yellow_points=15", "--format", "json").stdout
    assert json.loads(out)["rows"][0]["changed"] == result.rows[0].changed


@pytest.mark.parametrize("arguments, where", [
    (["lag_red_points=15,-5"], "sweep: lag_red_points=-5: 应不小于 0"),
    (["lag_red_points=15,x"], "sweep: lag_red_points=x: 类型应为 整数"),
    (["investment_red_ratio=0.5,1.5"], "sweep: investment_red_ratio=1.5: 应不大于 1"),
    (["lag_red_pionts=15"], "sweep: lag_red_pionts: 未知的参数,是否想写 lag_red_points?"),
    (["lag_red_points=15,,20"], "sweep: lag_red_points=15,,20: 值不能为空"),
    (["lag_red_points=15", "lag_yellow_points=5", "slip_red_days=200"], "应给出一个或两个参数"),
    (["lag_red_points=15", "lag_red_points=20"], "sweep: lag_red_points: 同一参数只能扫描一次"),
    ([str(SAMPLE)], "应先给出要扫描的参数"),
    # a red threshold at or below the yellow one leaves yellow unreachable: the pack checker refuses it
    (["lag_red_points=15,10"], "rule LAG-01.levels[1]: 永远不会到达"),
])
def test_bad_values_stop_the_sweep_before_anything_is_evaluated(run_cli, arguments, where) -> None:
    result = run_cli("sweep", *arguments, code=2)
    assert where in result.stderr and result.stdout == ""


def test_library_errors_are_the_engines(ledger) -> None:
    with pytest.raises(PackError):
        sweep(ledger, [("lag_red_points", [5])])
    with pytest.raises(UsageError):
        sweep(ledger, [("lag_red_points", [])])


def test_every_format_and_the_ledger_is_loaded_once(run_cli, monkeypatch) -> None:
    calls = []
    real = cli.load_ledger
    monkeypatch.setattr(cli, "load_ledger", lambda *a, **k: calls.append(a) or real(*a, **k))
    args = ("sweep", "lag_red_points=15,30", "lag_yellow_points=5,10", str(SAMPLE))
    data = json.loads(run_cli(*args, "--format", "json").stdout)
    assert len(calls) == 1
    assert {"as_of", "rules_source", "params", "baseline", "rows", "notes"} <= set(data) and len(data["rows"]) == 4
    header, *rows = list(csv.reader(io.StringIO(run_cli(*args, "--format", "csv").stdout.lstrip("\ufeff"))))
    assert header[:2] == ["lag_red_points", "lag_yellow_points"] and header[-2:] == ["灯变化", "灯变化的事项"]
    assert [r[:2] for r in rows] == [["15", "5"], ["15", "10"], ["30", "5"], ["30", "10"]]
    assert [int(r[-2]) for r in rows] == [row["changed"] for row in data["rows"]]
    assert [r[-1] for r in rows] == [" ".join(row["changed_items"]) for row in data["rows"]]
    markdown = run_cli(*args, "--format", "markdown").stdout
    assert markdown.startswith("# 参数扫描\n\n| lag_red_points") and markdown.count("\n| 15 ") == 2
