"""Differences (SPEC "Differences"): 新增, 已销号, 升级, 降级, 持续 and light changes, from files or the history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT
from engine import HistoryError
from engine.diff import Diff, choose_periods, compare, load_report
from engine.history import open_history, period_of
from reports import make_report

SAMPLE = ROOT / "facts" / "sample-county.yaml"
DIFF_KEYS = ["from", "to", "summary", "notes", "new", "cleared", "raised", "lowered", "unchanged", "lights"]
CHANGE_KEYS = {"subject", "subject_kind", "subject_title", "rule", "title", "category", "old_severity",
               "new_severity", "old_points", "new_points", "message", "escalated_from", "periods"}

OLD = make_report(
    "2026-10-28",
    findings=[("P-1", "LAG-01", "yellow"), ("P-2", "SCH-01", "red"), ("P-3", "SCH-04", "blue"),
              ("P-4", "OWN-01", "red"), ("县水利局", "EXC-01", "yellow", "unit"), ("P-5", "SUP-03", "yellow")],
    lights={"P-1": "yellow", "P-2": "red", "P-3": "green", "P-4": "red", "P-5": "yellow", "P-6": "green"},
)
NEW = make_report(
    "2026-11-28",
    findings=[("P-1", "LAG-01", "red"), ("P-2", "SCH-01", "yellow"), ("P-3", "SCH-04", "blue"),
              ("P-6", "LAG-02", "yellow"), ("P-7", "OWN-01", "red")],
    # P-5's finding is waived now: waived findings count as absent, so it is cleared.
    waived=[("P-5", "SUP-03", "yellow")],
    lights={"P-1": "red", "P-2": "yellow", "P-3": "green", "P-4": "green", "P-5": "green", "P-6": "yellow",
            "P-7": "red"},
)


def keys(changes) -> list[tuple[str, str]]:
    return [(c.subject, c.rule) for c in changes]


def test_every_kind_of_change() -> None:
    diff = compare(period_of(OLD), period_of(NEW))
    assert (diff.from_, diff.to) == ("2026-10-28", "2026-11-28")
    assert keys(diff.new) == [("P-7", "OWN-01"), ("P-6", "LAG-02")]  # red first
    assert keys(diff.cleared) == [("P-4", "OWN-01"), ("P-5", "SUP-03"), ("县水利局", "EXC-01")]
    assert keys(diff.raised) == [("P-1", "LAG-01")]
    assert keys(diff.lowered) == [("P-2", "SCH-01")]
    assert keys(diff.unchanged) == [("P-3", "SCH-04")]
    assert diff.summary.model_dump() == {"new": 2, "cleared": 3, "raised": 1, "lowered": 1, "unchanged": 1, "lights": 5}
    raised = diff.raised[0]
    assert (raised.old_severity, raised.new_severity, raised.old_points, raised.new_points) == ("yellow", "red", 12.0, 30.0)
    cleared = diff.cleared[0]
    assert (cleared.old_severity, cleared.new_severity, cleared.new_points) == ("red", None, None)
    assert cleared.message == "「P-4」OWN-01 red"  # the last message it had
    assert diff.new[0].old_severity is None and diff.new[0].old_points is None
    assert [(c.id, c.old_light, c.new_light) for c in diff.lights] == [
        ("P-1", "yellow", "red"), ("P-2", "red", "yellow"), ("P-6", "green", "yellow"),
        ("P-4", "red", "green"), ("P-5", "yellow", "green"),
    ]
    assert diff.notes == ["新的一期多出 1 个事项: P-7"]
    assert [(c.subject, c.new_severity) for c in diff.worsened()] == [("P-7", "red"), ("P-6", "yellow"), ("P-1", "red")]


def test_the_json_keys_are_the_specs() -> None:
    data = json.loads(compare(period_of(OLD), period_of(NEW)).to_json())
    assert list(data) == DIFF_KEYS
    assert list(data["summary"]) == ["new", "cleared", "raised", "lowered", "unchanged", "lights"]
    for kind in ("new", "cleared", "raised", "lowered", "unchanged"):
        assert all(set(entry) == CHANGE_KEYS for entry in data[kind])
    assert set(data["lights"][0]) == {"id", "title", "kind", "unit", "leader", "old_light", "new_light", "old_score",
                                      "new_score", "old_rank", "new_rank"}
    assert Diff.model_validate(data) == compare(period_of(OLD), period_of(NEW))


def test_the_same_period_twice_is_all_unchanged() -> None:
    diff = compare(period_of(NEW), period_of(NEW))
    assert diff.summary.model_dump() == {"new": 0, "cleared": 0, "raised": 0, "lowered": 0, "unchanged": 5, "lights": 0}
    assert diff.notes == []


def test_different_rules_are_compared_with_a_note() -> None:
    other = make_report("2026-11-28", findings=[("P-1", "LAG-01", "red")], lights={"P-1": "red"}, sha="b" * 64)
    diff = compare(period_of(OLD), period_of(other))
    assert diff.notes[0] == "两期使用的规则不同(规则 sha256 aaaaaaaaaaaa → bbbbbbbbbbbb),差异中含规则变化的影响"
    assert diff.summary.raised == 1


def test_comparing_backwards_and_items_that_left_are_noted() -> None:
    diff = compare(period_of(NEW), period_of(OLD))
    assert diff.notes == ["旧的一期(基准日 2026-11-28)晚于新的一期(基准日 2026-10-28)",
                          "旧的一期中有 1 个事项不在新的一期中: P-7"]
    assert diff.summary.new == 3 and diff.summary.cleared == 2


def test_a_json_report_and_a_recorded_period_are_one_input(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(OLD.to_json(), encoding="utf-8")
    (tmp_path / "b.json").write_text(NEW.to_json(), encoding="utf-8")
    from_files = compare(load_report(tmp_path / "a.json"), load_report(tmp_path / "b.json"))
    with open_history(tmp_path / "h.db") as store:
        store.record(OLD)
        store.record(NEW)
        old, new = choose_periods(store)
        from_history = compare(store.period(old), store.period(new))
    assert from_files.to_json() == from_history.to_json()
    assert from_files == compare(period_of(OLD), period_of(NEW))


# --- choosing two recorded periods ---------------------------------------------------------------------


@pytest.fixture
def three_periods(tmp_path: Path):
    with open_history(tmp_path / "h.db") as store:
        for as_of in ("2026-09-28", "2026-10-28", "2026-11-28"):
            store.record(make_report(as_of))
        yield store


@pytest.mark.parametrize("start,end,pair", [
    (None, None, ("2026-10-28", "2026-11-28")),
    ("2026-09-28", None, ("2026-09-28", "2026-10-28")),
    (None, "2026-10-28", ("2026-09-28", "2026-10-28")),
    ("2026-09-28", "2026-11-28", ("2026-09-28", "2026-11-28")),
])
def test_choosing_periods(three_periods, start, end, pair) -> None:
    from datetime import date

    as_date = lambda text: date.fromisoformat(text) if text else None  # noqa: E731
    assert choose_periods(three_periods, as_date(start), as_date(end)) == pair


@pytest.mark.parametrize("start,end,place,cause", [
    ("2026-10-01", None, "--from 2026-10-01", "历史库中没有这一期的记录(已记录: 2026-09-28, 2026-10-28, 2026-11-28)"),
    (None, "2026-12-28", "--to 2026-12-28", "历史库中没有这一期的记录"),
    ("2026-11-28", None, "--from 2026-11-28", "这是最近的一期,其后没有可对比的一期"),
    (None, "2026-09-28", "--to 2026-09-28", "这是最早的一期,其前没有可对比的一期"),
])
def test_a_period_that_cannot_be_compared_is_refused(three_periods, start, end, place, cause) -> None:
    from datetime import date

    with pytest.raises(HistoryError) as caught:
        choose_periods(three_periods, start and date.fromisoformat(start), end and date.fromisoformat(end))
    assert str(caught.value).startswith(f"{three_periods.location}: {place}: {cause}")


# --- JSON reports that are not duban's ---------------------------------------------------------------------


def bad_report(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(HistoryError) as caught:
        load_report(path)
    return str(caught.value).replace(str(path), "bad.json")


def test_reports_that_are_refused(tmp_path: Path) -> None:
    good = json.loads(OLD.to_json())
    assert bad_report(tmp_path, "{not json") == "bad.json: 第 1 行第 2 列: JSON 语法错误: 键应写在双引号中(或有多余的逗号)"
    assert bad_report(tmp_path, '{"a": 1}') == (
        "bad.json: 不是 duban 的 JSON 报告(应有 schema_version、as_of、rules、findings、items)")
    assert bad_report(tmp_path, "[1, 2]").startswith("bad.json: 不是 duban 的 JSON 报告")
    assert bad_report(tmp_path, json.dumps({**good, "schema_version": 2})) == (
        "bad.json: schema_version: 报告版本 2 不受支持(本版本读取版本 1)")
    spoiled = json.loads(OLD.to_json())
    spoiled["findings"][1]["severity"] = "purple"
    del spoiled["items"][0]["light"]
    spoiled["rules"] = {"source": "builtin"}
    assert bad_report(tmp_path, json.dumps(spoiled)).splitlines() == [
        "bad.json: rules.sha256: 缺少必填字段",
        "bad.json: findings[1].severity: 应为 red, yellow, blue 之一,实际为 'purple'",
        "bad.json: items[0].light: 缺少必填字段",
    ]
    twice = json.loads(OLD.to_json())
    twice["findings"].append(twice["findings"][0])
    assert bad_report(tmp_path, json.dumps(twice)) == (
        f"bad.json: findings[{len(twice['findings']) - 1}]: 与 findings[0] 重复: (P-1, LAG-01)")
    assert bad_report(tmp_path, "\x00\x01") == "bad.json: 不是文本文件(含二进制内容)"
    (tmp_path / "bad.json").unlink()
    with pytest.raises(HistoryError, match="文件不存在"):
        load_report(tmp_path / "bad.json")
