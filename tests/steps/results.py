"""当 运行督办检查 and 那么 …: findings, severities, messages, evidence, points, scores, tiers, lights, ranks."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pytest_bdd import parsers, then, when

from engine.report import Finding

from .scene import Scene

SEVERITIES = {"红色": "red", "黄色": "yellow", "蓝色": "blue"}
LIGHTS = {"红": "red", "黄": "yellow", "绿": "green"}
TIERS = {"特急": "critical", "极高": "critical", "高": "high", "中": "medium", "低": "low"}

ID = r'"(?P<subject>[^"]+)"'
RULE = r'"(?P<rule>[A-Z][A-Z0-9]*-\d+)"'
COLOR = r"(?P<color>红色|黄色|蓝色)(?:预警|提示)"


def split_ids(text: str) -> list[str]:
    return [part for part in re.split(r"[、,,\s]+", text) if part]


def same_at_written_precision(actual: Any, written: str) -> bool:
    """``actual`` equals the number as written, compared at the written number of decimals (half up)."""
    expected = Decimal(written)
    places = Decimal(1).scaleb(expected.as_tuple().exponent)  # type: ignore[arg-type]
    return Decimal(str(actual)).quantize(places, rounding=ROUND_HALF_UP) == expected


# --- when ---------------------------------------------------------------------------------


@when("运行督办检查")
def run_check(scene: Scene) -> None:
    scene.evaluate()


# --- findings on items and units --------------------------------------------------------------


def _known(scene: Scene, rule: str) -> None:
    """A misspelt rule id would make 不触发 pass for nothing: only ids of the pack in use are accepted."""
    rules = scene.rule_ids()
    assert rule in rules, f"规则包中没有规则 {rule}(编号写错了?);已有: {'、'.join(sorted(rules))}"


def _fired(scene: Scene, subject: str, rule: str, unit: bool = False, county: bool = False) -> Finding:
    _known(scene, rule)
    own = [f for f in scene.findings(subject, unit, county) if f.rule == rule]
    what = "县" if county else "单位" if unit else "事项"
    assert own, f"{what} {subject} 没有触发 {rule};它的预警:\n{scene.describe(subject, unit, county)}"
    assert len(own) == 1, f"{what} {subject} 触发了 {len(own)} 条 {rule}(分级规则每个对象只应有一条)"
    scene.finding = own[0]
    return own[0]


@then(parsers.re(rf"事项 {ID} 触发 {RULE} {COLOR}"))
def item_fires_at(scene: Scene, subject: str, rule: str, color: str) -> None:
    finding = _fired(scene, subject, rule)
    assert finding.severity == SEVERITIES[color], (
        f"事项 {subject} 的 {rule} 是 {finding.severity},不是 {SEVERITIES[color]}: {finding.message}"
    )


@then(parsers.re(rf"事项 {ID} 触发 {RULE}"))
def item_fires(scene: Scene, subject: str, rule: str) -> None:
    _fired(scene, subject, rule)


@then(parsers.re(rf"事项 {ID} 不触发 {RULE}"))
def item_does_not_fire(scene: Scene, subject: str, rule: str) -> None:
    _known(scene, rule)
    own = [f for f in scene.findings(subject) if f.rule == rule]
    assert not own, f"事项 {subject} 不应触发 {rule},却触发了: {own[0].severity} {own[0].message}"


@then(parsers.re(rf"事项 {ID} 没有(任何)?预警"))
def item_clean(scene: Scene, subject: str) -> None:
    assert not scene.findings(subject), f"事项 {subject} 不应有预警,实际:\n{scene.describe(subject)}"


@then(parsers.re(rf'事项 {ID} 的预警恰为 "(?P<rules>[^"]+)"'))
def item_fires_exactly(scene: Scene, subject: str, rules: str) -> None:
    for rule in split_ids(rules):
        _known(scene, rule)
    actual = sorted(f.rule for f in scene.findings(subject))
    assert actual == sorted(split_ids(rules)), f"事项 {subject} 的预警应恰为 {rules},实际:\n{scene.describe(subject)}"


@then(parsers.re(rf"事项 {ID} 共有 (?P<count>\d+) 条预警"))
def item_finding_count(scene: Scene, subject: str, count: str) -> None:
    actual = scene.findings(subject)
    assert len(actual) == int(count), f"事项 {subject} 应有 {count} 条预警,实际:\n{scene.describe(subject)}"


@then(parsers.re(rf"单位 {ID} 触发 {RULE} {COLOR}"))
def unit_fires_at(scene: Scene, subject: str, rule: str, color: str) -> None:
    finding = _fired(scene, subject, rule, unit=True)
    assert finding.severity == SEVERITIES[color], f"单位 {subject} 的 {rule} 是 {finding.severity}"
    assert finding.subject_kind == "unit"


@then(parsers.re(rf"单位 {ID} 不触发 {RULE}"))
def unit_does_not_fire(scene: Scene, subject: str, rule: str) -> None:
    _known(scene, rule)
    own = [f for f in scene.findings(subject, unit=True) if f.rule == rule]
    assert not own, f"单位 {subject} 不应触发 {rule},却触发了: {own[0].message}"


@then(parsers.re(rf"县 {ID} 触发 {RULE} {COLOR}"))
def county_fires_at(scene: Scene, subject: str, rule: str, color: str) -> None:
    finding = _fired(scene, subject, rule, county=True)
    assert finding.severity == SEVERITIES[color], f"县 {subject} 的 {rule} 是 {finding.severity}"


@then(parsers.re(rf"县 {ID} 不触发 {RULE}"))
def county_does_not_fire(scene: Scene, subject: str, rule: str) -> None:
    _known(scene, rule)
    own = [f for f in scene.findings(subject, county=True) if f.rule == rule]
    assert not own, f"县 {subject} 不应触发 {rule},却触发了: {own[0].message}"


@then(parsers.re(r"共有 (?P<count>\d+) 条(?P<color>红色|黄色|蓝色)?预警"))
def total_findings(scene: Scene, count: str, color: str | None) -> None:
    found = scene.result().findings
    if color:
        found = [f for f in found if f.severity == SEVERITIES[color]]
    listing = "\n".join(f"  {f.subject} {f.rule} {f.severity}" for f in scene.result().findings)
    assert len(found) == int(count), f"应有 {count} 条{color or ''}预警,实际 {len(found)} 条:\n{listing}"


# --- the finding just named ---------------------------------------------------------------------------


def _current(scene: Scene) -> Finding:
    assert scene.finding is not None, "先用「事项 … 触发 …」指明是哪一条预警"
    return scene.finding


@then(parsers.re(r'(该)?预警消息为 "(?P<text>.*)"'))
def message_is(scene: Scene, text: str) -> None:
    assert _current(scene).message == text, f"预警消息是: {_current(scene).message}"


@then(parsers.re(r'(该)?预警消息包含 "(?P<text>.*)"'))
def message_contains(scene: Scene, text: str) -> None:
    assert text in _current(scene).message, f"预警消息是: {_current(scene).message}"


@then(parsers.re(r'(该)?预警(引用的)?讲话原文为 "(?P<text>.*)"'))
def clause_is(scene: Scene, text: str) -> None:
    assert _current(scene).clause == text, f"预警引用的讲话原文是: {_current(scene).clause}"


@then(parsers.re(r'(该)?预警的整改要求包含 "(?P<text>.*)"'))
def remedy_contains(scene: Scene, text: str) -> None:
    assert text in _current(scene).remedy, f"整改要求是: {_current(scene).remedy}"


@then(parsers.re(r'(该)?预警依据中 "(?P<name>[a-z_.]+)" 为 (?P<value>.+)'))
def evidence_is(scene: Scene, name: str, value: str) -> None:
    evidence = _current(scene).evidence
    assert name in evidence, f"预警依据中没有 {name};依据: {evidence}"
    actual = evidence[name]
    text = value.strip().strip('"')
    if text in ("空", "无", "—"):
        assert actual is None, f"{name} 应为空,实际为 {actual!r}"
    elif re.fullmatch(r"[+-]?\d+(\.\d+)?", text) and isinstance(actual, (int, float)) and not isinstance(actual, bool):
        assert same_at_written_precision(actual, text), f"{name} 应为 {text},实际为 {actual!r}"
    elif text in ("是", "否"):
        assert actual is (text == "是"), f"{name} 应为 {text},实际为 {actual!r}"
    else:
        assert str(actual) == text, f"{name} 应为 {text},实际为 {actual!r}"


@then(parsers.re(r"(该)?预警(得分|分值)为 (?P<points>[\d.]+)( ?分)?"))
def points_are(scene: Scene, points: str) -> None:
    actual = _current(scene).points
    assert same_at_written_precision(actual, points), f"该预警的分值是 {actual}"


# --- scores, tiers, lights, ranks ------------------------------------------------------------------------


def _item(scene: Scene, subject: str) -> Any:
    for item in scene.result().items:
        if item.id == subject:
            return item
    raise AssertionError(f"报告中没有事项 {subject!r}")


@then(parsers.re(rf"事项 {ID} 得分为 (?P<score>[\d.]+)( ?分)?"))
def score_is(scene: Scene, subject: str, score: str) -> None:
    item = _item(scene, subject)
    assert item.score == float(score), f"事项 {subject} 得分 {item.score},不是 {score};预警:\n{scene.describe(subject)}"


@then(parsers.re(rf'事项 {ID} 的优先级为 "?(?P<tier>特急|极高|高|中|低|critical|high|medium|low)"?'))
def tier_is(scene: Scene, subject: str, tier: str) -> None:
    item = _item(scene, subject)
    expected = TIERS.get(tier, tier)
    assert item.tier == expected, f"事项 {subject} 得分 {item.score},优先级为 {item.tier},不是 {expected}"


@then(parsers.re(rf"事项 {ID} 亮(?P<light>红|黄|绿)灯"))
def light_is(scene: Scene, subject: str, light: str) -> None:
    item = _item(scene, subject)
    assert item.light == LIGHTS[light], f"事项 {subject} 亮 {item.light},预警:\n{scene.describe(subject)}"


@then(parsers.re(rf"事项 {ID} 排名第 ?(?P<rank>\d+)( ?位)?"))
def rank_is(scene: Scene, subject: str, rank: str) -> None:
    item = _item(scene, subject)
    order = "、".join(f"{i.id}({i.score:g})" for i in scene.result().items)
    assert item.rank == int(rank), f"事项 {subject} 排名第 {item.rank},不是第 {rank};排名: {order}"


@then(parsers.re(r'排名顺序为 "(?P<ids>[^"]+)"'))
def ranking_is(scene: Scene, ids: str) -> None:
    actual = [i.id for i in scene.result().items]
    expected = split_ids(ids)
    shown = "、".join(f"{i.id}({i.score:g}分,{sum(1 for f in scene.findings(i.id) if f.severity == 'red')}红)"
                     for i in scene.result().items)
    assert actual == expected, f"排名应为 {'、'.join(expected)},实际: {shown}"


@then(parsers.re(r'报告(的)?提示包含 "(?P<text>.*)"'))
def notes_contain(scene: Scene, text: str) -> None:
    notes = scene.result().notes
    assert any(text in note for note in notes), f"报告提示: {notes}"


@then(parsers.re(r'台账被拒绝,错误信息包含 "(?P<text>.*)"'))
def ledger_refused(scene: Scene, text: str) -> None:
    assert scene.error is not None, "台账应被拒绝,却检查通过了"
    assert text in str(scene.error), f"错误信息是: {scene.error}"
