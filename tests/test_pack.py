"""Rule packs as data (SPEC.md "Rules are data"): custom packs, params, the checker's located errors, sha256.

The packs here are written from the spec's text only, in tmp_path.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Optional

import pytest
import yaml

from conftest import make_item, make_ledger
from engine import Engine, PackError, UsageError, load_pack
from engine.resources import builtin_rules_dir

AS_OF = date(2026, 11, 28)

# The example of the spec's "Rules are data", verbatim.
SPEC_EXAMPLE = """\
rules:
  - id: LAG-01
    title: 形象进度滞后于序时进度
    clause: 对于进展缓慢的项目,要深入分析原因,采取针对性措施加快进度
    applies_to: [project, reform, task, party]
    when:
      all:
        - {field: completed, op: eq, value: false}
        - {field: days_past_due, op: eq, value: 0}
        - {field: progress_gap, op: gte, value: {param: lag_yellow_points}}
    levels:                          # the first level whose condition holds wins; the last may have none
      - {severity: red, when: {field: progress_gap, op: gte, value: {param: lag_red_points}}}
      - {severity: yellow}
    magnitude: {field: progress_gap, scale: 30}
    message: "「{title}」形象进度{progress}%,落后序时进度{progress_gap}个百分点"
    remedy: 责任单位须在5个工作日内报送赶超计划
params:
  lag_yellow_points: 10
  lag_red_points: 20
"""


def d(days: int) -> str:
    return (AS_OF + timedelta(days=days)).isoformat()


def lagging(progress: Any, **fields: Any) -> dict:
    """29 days into a 100-day plan: expected progress 29%."""
    return make_item(start=d(-29), due=d(71), progress=progress, **fields)


def rule(id: str = "T-01", **fields: Any) -> dict:
    """A valid rule; ``fields`` replace its parts (None removes one)."""
    base = {
        "id": id,
        "title": "测试规则",
        "clause": "测试条款",
        "applies_to": ["project"],
        "when": {"field": "progress", "op": "lt", "value": 50},
        "severity": "yellow",
        "message": "「{title}」进度{progress}%",
        "remedy": "限期整改",
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def write_pack(folder: Path, files: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
    return folder


def findings(report, rule_id: Optional[str] = None) -> list:
    return [(f.subject, f.rule, f.severity, f.points) for f in report.findings if rule_id in (None, f.rule)]


# --- a custom pack written from the spec ------------------------------------------------------


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_spec_example_pack_loads_and_works(tmp_path: Path, backend: str) -> None:
    pack = write_pack(tmp_path / "my-rules", {"lag.yaml": SPEC_EXAMPLE})
    engine = Engine.from_path(str(pack), backend=backend)
    assert [r.id for r in engine.pack.rules] == ["LAG-01"]
    assert engine.pack.params["lag_yellow_points"] == 10 and engine.pack.params["lag_red_points"] == 20

    report = engine.evaluate(make_ledger(lagging(9, owner=None, id="P-1"), lagging(19, id="P-2"),
                                         lagging(19.1, id="P-3"), make_item(id="P-4", owner=None)))
    # gap 20 → red 30 × (1 + 20/30) = 50; gap 10 → yellow 12 × (1 + 10/30) = 16; gap 9.9 nothing;
    # and only this pack's rule runs (P-1 and P-4 have no owner, but OWN-01 is not in the pack).
    assert findings(report) == [("P-1", "LAG-01", "red", 50.0), ("P-2", "LAG-01", "yellow", 16.0)]
    assert report.findings[0].message == "「测试项目」形象进度9%,落后序时进度20个百分点"
    assert report.rules.source == str(pack)
    # a pack without scoring uses the default weights and tiers: 50 is high, 16 is low
    assert [(i.id, i.score, i.tier) for i in report.items][:2] == [("P-1", 50.0, "high"), ("P-2", 16.0, "low")]


def test_template_numbers_and_missing_values(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", {"r.yaml": {"rules": [rule(
        when={"field": "progress_gap", "op": "gt", "value": 0},
        message="{progress_gap}|{expected_progress}|{investment.planned}|{goal}|{as_of}|{completed}",
    )]}})
    engine = Engine.from_path(pack, backend="python")
    (finding,) = engine.evaluate(make_ledger(lagging(18.4))).findings
    # gap 29 − 18.4 = 10.6; expected 29; no investment, no goal (—); the reference date
    assert finding.message.split("|")[:5] == ["10.6", "29", "—", "—", "2026-11-28"]
    (finding,) = engine.evaluate(make_ledger(lagging(18.39, investment={"planned": 1234.56}))).findings
    # 10.61 prints 10.6; 1234.56 prints 1234.6 (at most one decimal)
    assert finding.message.split("|")[:3] == ["10.6", "29", "1234.6"]


def test_pack_scoring_replaces_default_weights(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", {
        "r.yaml": {"rules": [rule(when={"field": "owner", "op": "missing"}, severity="red")]},
        "scoring.yaml": {"scoring": {"base": {"red": 10, "yellow": 5, "blue": 1},
                                     "importance": {"national": 3, "provincial": 2, "municipal": 1.5, "county": 1},
                                     "tiers": {"critical": 25, "high": 15, "medium": 5}, "max_score": 100}},
    })
    engine = Engine.from_path(pack, backend="python")
    report = engine.evaluate(make_ledger(make_item(id="A", owner=None, level="national"),
                                         make_item(id="B", owner=None, level="municipal")))
    assert [(i.id, i.score, i.tier) for i in report.items] == [("A", 30.0, "critical"), ("B", 15.0, "high")]


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_magnitude_cases_saturated_and_absent(tmp_path: Path, backend: str) -> None:
    pack = write_pack(tmp_path / "p", {"r.yaml": {"rules": [
        rule("M-01", when={"field": "days_since_visit", "op": "gt", "value": 0},
             applies_to=["enterprise"], magnitude={"field": "days_since_visit", "scale": 100}, message="x"),
        rule("M-02", when={"field": "owner", "op": "missing"}, severity="red",
             magnitude={"field": "progress_gap", "scale": 30}, message="x"),
        rule("M-03", when={"any": [{"field": "supervised", "op": "eq", "value": False},
                                   {"field": "days_since_supervision", "op": "gt", "value": 30}]},
             magnitude=[{"saturated": True, "when": {"field": "supervised", "op": "eq", "value": False}},
                        {"field": "days_since_supervision", "scale": 90}], message="x"),
    ]}})
    engine = Engine.from_path(pack, backend=backend)
    ledger = make_ledger(
        make_item(id="E-1", kind="enterprise", visits=[{"date": d(-25)}]),
        make_item(id="P-1", owner=None, progress=None, supervisions=[]),
        make_item(id="P-2", supervisions=[{"date": d(-45)}]),
    )
    assert sorted(findings(engine.evaluate(ledger))) == [
        ("E-1", "M-01", "yellow", 15.0),  # 12 × (1 + 25/100)
        ("P-1", "M-02", "red", 30.0),     # magnitude absent (no progress): factor 1
        ("P-1", "M-03", "yellow", 24.0),  # never supervised: saturated
        ("P-2", "M-03", "yellow", 18.0),  # 12 × (1 + 45/90)
    ]


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_cross_fact_rules_in_a_custom_pack(tmp_path: Path, backend: str) -> None:
    pack = write_pack(tmp_path / "p", {"r.yaml": {"rules": [
        rule("A-01", when={"field": "owner", "op": "missing"}, severity="yellow", message="x"),
        rule("A-02", when={"field": "leader", "op": "missing"}, severity="red", message="x"),
        rule("U-01", applies_to=["unit"], when={"field": "item_count", "op": "eq", "value": 0},
             message="{name}没有事项"),
        rule("Z-01", applies_to=["project"], when={"field": "serious_findings", "op": "gte", "value": 2},
             severity="red", message="{serious_findings}项"),
    ]}})
    engine = Engine.from_path(pack, backend=backend)
    report = engine.evaluate(make_ledger(make_item(id="P-1", owner=None, leader=None), make_item(id="P-2", owner=None),
                                         units=[{"name": "县住建局"}, {"name": "县财政局"}]))
    assert sorted((f.subject, f.rule) for f in report.findings) == [
        ("P-1", "A-01"), ("P-1", "A-02"), ("P-1", "Z-01"), ("P-2", "A-01"), ("县财政局", "U-01"),
    ]
    unit_finding = next(f for f in report.findings if f.rule == "U-01")
    assert unit_finding.subject_kind == "unit" and unit_finding.message == "县财政局没有事项"


# --- condition semantics ------------------------------------------------------------------------

OPS_CASES = [
    # when, item fields, fires
    ({"field": "owner", "op": "eq", "value": "张三"}, {}, True),
    ({"field": "owner", "op": "ne", "value": "李四"}, {}, True),
    ({"field": "owner", "op": "ne", "value": "李四"}, {"owner": None}, False),      # false on a missing side
    ({"not": {"field": "owner", "op": "eq", "value": "张三"}}, {"owner": None}, True),  # plain negation
    ({"field": "owner", "op": "eq", "value": "待定"}, {"owner": "待定"}, False),     # a placeholder is missing
    ({"field": "owner", "op": "missing"}, {"owner": " tbd "}, True),
    ({"field": "owner", "op": "present"}, {"owner": "王无忌"}, True),
    ({"field": "milestones", "op": "missing"}, {"milestones": []}, True),
    ({"field": "progress", "op": "lt", "value": 60}, {}, False),
    ({"field": "progress", "op": "lte", "value": 60}, {}, True),
    ({"field": "progress", "op": "gt", "value": 59.9}, {}, True),
    ({"field": "progress", "op": "gte", "value": 60.1}, {}, False),
    ({"field": "progress", "op": "lt", "value": 50}, {"progress": None}, False),
    ({"field": "unit", "op": "in", "value": ["县住建局", "县财政局"]}, {}, True),
    ({"field": "unit", "op": "not_in", "value": ["县住建局"]}, {}, False),
    ({"field": "unit", "op": "not_in", "value": ["县住建局"]}, {"unit": None}, False),
    ({"field": "title", "op": "contains", "value": "项目"}, {}, True),
    ({"field": "title", "op": "contains", "value": "企业"}, {}, False),
    ({"field": "due", "op": "gt", "value": "2027-01-01"}, {}, True),
    ({"field": "completed", "op": "eq", "value": False}, {}, True),
    ({"field": "investment.planned", "op": "gte", "value": 100}, {"investment": {"planned": 100}}, True),
    ({"field": "progress", "op": "gt", "value": {"field": "expected_progress"}}, {}, True),   # 60 > 45.4
    ({"field": "progress", "op": "lt", "value": {"field": "investment_ratio"}}, {}, False),  # right side missing
    ({"any": [{"field": "owner", "op": "missing"}, {"all": [{"field": "progress", "op": "gte", "value": 60},
                                                              {"field": "kind", "op": "eq", "value": "project"}]}]},
     {}, True),
]


@pytest.mark.parametrize("backend", ["python", "durable"])
@pytest.mark.parametrize("when,fields,fires", OPS_CASES)
def test_condition_semantics(tmp_path: Path, backend: str, when: dict, fields: dict, fires: bool) -> None:
    pack = write_pack(tmp_path / "p", {"r.yaml": {"rules": [rule(when=when, message="x")]}})
    report = Engine.from_path(pack, backend=backend).evaluate(make_ledger(make_item(**fields)))
    assert bool(report.findings) is fires


# --- params --------------------------------------------------------------------------------------


def test_params_override_from_text(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", {"lag.yaml": SPEC_EXAMPLE})
    engine = Engine.from_path(pack, params={"lag_red_points": "25"}, backend="python")
    assert engine.pack.params["lag_red_points"] == 25
    assert type(engine.pack.params["lag_red_points"]) is int
    (finding,) = engine.evaluate(make_ledger(lagging(9))).findings
    assert finding.severity == "yellow"  # gap 20 < 25
    assert finding.points == 12 * (1 + 20 / 30)


@pytest.mark.parametrize("name,raw,expected", [
    ("lag_red_points", 25, 25),
    ("lag_red_points", "25", 25),
    ("investment_yellow_ratio", "0.7", 0.7),
    ("investment_yellow_ratio", 0.75, 0.75),
])
def test_params_of_the_default_pack(name: str, raw: Any, expected: Any) -> None:
    engine = Engine.default(params={name: raw}, backend="python")
    assert engine.pack.params[name] == expected
    assert type(engine.pack.params[name]) is type(expected)


@pytest.mark.parametrize("name,raw", [
    ("lag_red_points", "abc"),
    ("lag_red_points", "2.5"),
    ("lag_red_points", "true"),
    ("lag_red_points", 2.5),
    ("lag_red_points", True),
    ("investment_yellow_ratio", "abc"),
    ("no_such_param", "1"),
])
def test_bad_param_overrides_are_refused(name: str, raw: Any) -> None:
    for make in (lambda: Engine.default(params={name: raw}, backend="python"),
                 lambda: Engine.from_path("builtin", params={name: raw}, backend="python"),
                 lambda: load_pack("builtin", params={name: raw})):
        with pytest.raises(UsageError) as info:
            make()
        assert name in str(info.value)


def test_text_param_in_a_custom_pack(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", {"r.yaml": {
        "rules": [rule(when={"field": "unit", "op": "eq", "value": {"param": "watched_unit"}}, message="x")],
        "params": {"watched_unit": "县住建局", "flag": True},
    }})
    engine = Engine.from_path(pack, params={"watched_unit": "县财政局"}, backend="python")
    assert engine.evaluate(make_ledger(make_item(unit="县财政局"))).findings
    assert not engine.evaluate(make_ledger(make_item(unit="县住建局"))).findings
    assert Engine.from_path(pack, params={"flag": "false"}, backend="python").pack.params["flag"] is False
    with pytest.raises(UsageError):
        Engine.from_path(pack, params={"flag": "1"}, backend="python")


# --- broken packs: located diagnostics ---------------------------------------------------------------


def leaf(field: str = "progress", op: str = "lt", value: Any = 50) -> dict:
    return {"field": field, "op": op, "value": value}


BROKEN = [
    # label, rule fields (or a whole file), params, place in the rule, words of the cause
    ("unknown op", dict(when=leaf(op="greater")), None, "when.op", ["greater"]),
    ("unknown op deep in a tree", dict(when={"all": [leaf(), {"any": [leaf(), leaf(op="between")]}]}), None,
     "when.all[1].any[1].op", ["between"]),
    ("unknown field, near miss", dict(when=leaf(field="progres")), None, "when.field", ["progres", "'progress'"]),
    ("unknown field, far", dict(when=leaf(field="zzzz")), None, "when.field", ["zzzz", "duban metrics"]),
    ("unknown field in a level", dict(severity=None, levels=[{"severity": "red", "when": leaf(field="progess_gap")},
                                                              {"severity": "yellow"}]), None,
     "levels[0].when.field", ["progess_gap", "'progress_gap'"]),
    ("unknown param", dict(when=leaf(value={"param": "nope"})), None, "when.value", ["nope"]),
    ("param of the wrong type", dict(when=leaf(value={"param": "limit"})), {"limit": "abc"}, "when.value", ["limit"]),
    ("text field compared with a number", dict(when=leaf(field="owner", op="eq", value=3)), None, "when.value", []),
    ("number field compared with a text field", dict(when=leaf(value={"field": "owner"})), None, "when.value", ["owner"]),
    ("lt on a boolean", dict(when=leaf(field="completed", value=True)), None, "when.op", ["completed"]),
    ("contains on a number", dict(when=leaf(op="contains", value=5)), None, "when.op", ["progress"]),
    ("unknown key in a leaf", dict(when={**leaf(), "vlaue": 3}), None, "when", ["vlaue"]),
    ("a level after a level without when",
     dict(severity=None, levels=[{"severity": "yellow"}, {"severity": "red", "when": leaf()}]), None, "levels[1]", []),
    ("template: unknown name", dict(message="「{title}」{nope}"), None, "message", ["nope"]),
    ("template: attribute access", dict(message="{a.__class__}"), None, "message", ["__class__"]),
    ("template: attribute of a field", dict(message="{title.__class__}"), None, "message", ["__class__"]),
    ("template: format spec", dict(message="{title!r}"), None, "message", ["title!r"]),
    ("template: expression", dict(message="{progress + 1}"), None, "message", []),
    ("template: unbalanced brace", dict(message="「{title」"), None, "message", []),
    ("template: lone closing brace", dict(message="title}"), None, "message", []),
    ("template in the remedy", dict(remedy="{nope}"), None, "remedy", ["nope"]),
    ("unknown key in a rule", dict(colour="red"), None, "colour", ["colour"]),
    ("both severity and levels", dict(levels=[{"severity": "red"}]), None, "severity", []),
    ("neither severity nor levels", dict(severity=None), None, "severity", []),
    ("unknown severity", dict(severity="orange"), None, "severity", ["orange"]),
    ("unknown kind", dict(applies_to=["projects"]), None, "applies_to[0]", ["projects"]),
    ("magnitude on an unknown metric", dict(magnitude={"field": "gapp", "scale": 30}), None, "magnitude.field", ["gapp"]),
    ("magnitude on a text field", dict(magnitude={"field": "owner", "scale": 30}), None, "magnitude.field", ["owner"]),
    ("magnitude case after one without when",
     dict(magnitude=[{"field": "progress_gap", "scale": 30}, {"saturated": True, "when": leaf()}]), None,
     "magnitude[1]", []),
    ("magnitude without a scale", dict(magnitude={"field": "progress_gap"}), None, "magnitude", []),
    ("unknown key in a level",
     dict(severity=None, levels=[{"severity": "red", "when": leaf(), "colour": "x"}, {"severity": "yellow"}]), None,
     "levels[0].colour", ["colour"]),
    ("in with a scalar", dict(when=leaf(field="unit", op="in", value="县住建局")), None, "when.value", []),
]


@pytest.mark.parametrize("fields,params,place,words", [pytest.param(*b[1:], id=b[0]) for b in BROKEN])
def test_broken_rule_is_located(tmp_path: Path, fields: dict, params: Optional[dict], place: str, words: list) -> None:
    content: dict[str, Any] = {"rules": [rule("OK-01"), rule("BAD-01", **fields)]}
    if params:
        content["params"] = params
    pack = write_pack(tmp_path / "pack", {"sub/broken.yaml": content, "fine.yaml": {"rules": [rule("OK-02")]}})
    with pytest.raises(PackError) as info:
        load_pack(str(pack))
    diagnostics = info.value.diagnostics
    assert diagnostics, "a PackError must carry diagnostics"
    for diag in diagnostics:
        assert diag.file == str(pack / "sub" / "broken.yaml")
        assert diag.place.startswith("rule BAD-01"), diag
    assert any(diag.place == f"rule BAD-01.{place}" for diag in diagnostics), diagnostics
    cause = " ".join(diag.cause for diag in diagnostics)
    for word in words:
        assert word in cause, (word, cause)
    with pytest.raises(PackError):
        Engine.from_path(pack)


def test_every_problem_is_reported(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", {"a.yaml": {"rules": [
        rule("A-01", when=leaf(op="greater")), rule("A-02"), rule("A-03", message="{nope}"),
    ]}})
    with pytest.raises(PackError) as info:
        load_pack(pack)
    assert sorted(diag.place.split(".")[0] for diag in info.value.diagnostics) == ["rule A-01", "rule A-03"]
    assert len(str(info.value).splitlines()) == 2


def test_unknown_top_level_key(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", {"a.yaml": {"rules": [rule()], "rulez": []}})
    with pytest.raises(PackError) as info:
        load_pack(pack)
    (diag,) = info.value.diagnostics
    assert diag.file == str(pack / "a.yaml") and diag.place == "rulez" and "rulez" in diag.cause


def test_duplicate_rule_id_across_files(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", {"a.yaml": {"rules": [rule("T-01")]}, "b.yaml": {"rules": [rule("T-01")]}})
    with pytest.raises(PackError) as info:
        load_pack(pack)
    (diag,) = info.value.diagnostics
    assert diag.file == str(pack / "b.yaml")
    assert "T-01" in diag.place and diag.place.endswith(".id")
    assert str(pack / "a.yaml") in diag.cause  # where it was first defined


def test_duplicate_rule_id_in_one_file(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", {"a.yaml": {"rules": [rule("T-01"), rule("T-02"), rule("T-01")]}})
    with pytest.raises(PackError) as info:
        load_pack(pack)
    (diag,) = info.value.diagnostics
    assert diag.file == str(pack / "a.yaml") and "T-01" in diag.place and "[2]" in diag.place


def test_param_defined_twice(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", {"a.yaml": {"rules": [rule()], "params": {"limit": 1}},
                                       "b.yaml": {"params": {"limit": 2}}})
    with pytest.raises(PackError) as info:
        load_pack(pack)
    (diag,) = info.value.diagnostics
    assert diag.file == str(pack / "b.yaml") and diag.place == "params.limit"


def test_missing_and_empty_folders(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(PackError) as info:
        Engine.from_path(missing)
    assert info.value.diagnostics[0].file == str(missing)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.txt").write_text("no rules here", encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_pack(empty)
    assert info.value.diagnostics[0].file == str(empty)


def test_yaml_syntax_error_is_located(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", {"a.yaml": "rules:\n  - id: [unclosed\n"})
    with pytest.raises(PackError) as info:
        load_pack(pack)
    assert info.value.diagnostics[0].file == str(pack / "a.yaml")


# --- combining packs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_builtin_plus_a_county_pack(tmp_path: Path, backend: str) -> None:
    extra = write_pack(tmp_path / "county-extra", {"extra.yaml": {"rules": [
        rule("CTY-01", when={"field": "level", "op": "eq", "value": "national"}, severity="blue",
             message="「{title}」为国家级项目"),
    ]}})
    engine = Engine.from_path(["builtin", str(extra)], backend=backend)
    assert len(engine.pack.rules) == 30  # the 29 built-in rules and CTY-01
    assert {"OWN-01", "CTY-01"} <= {r.id for r in engine.pack.rules}
    report = engine.evaluate(make_ledger(make_item(owner=None, level="national")))
    assert sorted(f.rule for f in report.findings) == ["CTY-01", "OWN-01"]
    assert report.rules.source == f"builtin,{extra}"


def test_extra_pack_duplicating_a_builtin_id(tmp_path: Path) -> None:
    extra = write_pack(tmp_path / "extra", {"own.yaml": {"rules": [rule("OWN-01")]}})
    with pytest.raises(PackError) as info:
        load_pack(["builtin", str(extra)])
    (diag,) = info.value.diagnostics
    assert diag.file == str(extra / "own.yaml")
    assert "OWN-01" in diag.place


def test_extra_pack_redefining_a_builtin_param(tmp_path: Path) -> None:
    extra = write_pack(tmp_path / "extra", {"p.yaml": {"params": {"lag_red_points": 25}}})
    with pytest.raises(PackError) as info:
        load_pack(["builtin", str(extra)])
    assert info.value.diagnostics[0].place == "params.lag_red_points"


def test_extra_pack_may_use_builtin_params(tmp_path: Path) -> None:
    extra = write_pack(tmp_path / "extra", {"r.yaml": {"rules": [
        rule("CTY-02", when={"field": "progress_gap", "op": "gte", "value": {"param": "lag_yellow_points"}},
             message="x")]}})
    engine = Engine.from_path(["builtin", str(extra)], params={"lag_yellow_points": 5}, backend="python")
    report = engine.evaluate(make_ledger(lagging(24)))  # gap 5
    assert sorted(f.rule for f in report.findings) == ["CTY-02", "LAG-01"]
    report = engine.evaluate(make_ledger(lagging(24.1)))  # gap 4.9
    assert report.findings == []


# --- sha256 --------------------------------------------------------------------------------------------


def test_sha256_is_stable(tmp_path: Path) -> None:
    first = load_pack("builtin").sha256
    assert len(first) == 64 and int(first, 16) >= 0
    assert load_pack("builtin").sha256 == first
    assert Engine.default(backend="python").pack.sha256 == first
    # the same files under another folder: the same rules
    copy = tmp_path / "copy"
    shutil.copytree(builtin_rules_dir(), copy)
    assert load_pack(str(copy)).sha256 == first
    # a param set to its default value leaves the effective params, and the hash, as they were
    assert load_pack("builtin", {"lag_red_points": 20}).sha256 == first
    assert load_pack("builtin", {"lag_red_points": "20"}).sha256 == first


def test_sha256_changes_with_params_and_files(tmp_path: Path) -> None:
    first = load_pack("builtin").sha256
    changed = load_pack("builtin", {"lag_red_points": 25}).sha256
    assert changed != first
    assert load_pack("builtin", {"lag_red_points": "25"}).sha256 == changed
    assert load_pack("builtin", {"lag_red_points": 26}).sha256 not in (first, changed)
    copy = tmp_path / "copy"
    shutil.copytree(builtin_rules_dir(), copy)
    with (copy / "lag.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# 一行注释\n")
    assert load_pack(str(copy)).sha256 != first


def test_report_names_the_rules(python_engine: Engine) -> None:
    report = python_engine.evaluate(make_ledger(make_item()))
    assert report.rules.source == "builtin"
    assert report.rules.sha256 == load_pack("builtin").sha256


# --- message cases: a message may be a list of {text, when}; the first that holds wins ---------


def test_message_cases_pick_the_first_that_holds(tmp_path: Path) -> None:
    messages = [
        {"text": "「{title}」没有进度", "when": {"field": "progress", "op": "missing"}},
        {"text": "「{title}」进度{progress}%"},
    ]
    when = {"any": [{"field": "progress", "op": "lt", "value": 50}, {"field": "progress", "op": "missing"}]}
    pack = write_pack(tmp_path / "p", {"a.yaml": {"rules": [rule(when=when, message=messages)]}})
    engine = Engine.from_path(pack, backend="python")
    report = engine.evaluate(
        make_ledger(make_item(id="A", progress=None), make_item(id="B", progress=20)), as_of=AS_OF
    )
    assert {f.subject: f.message for f in report.findings} == {"A": "「测试项目」没有进度", "B": "「测试项目」进度20%"}


@pytest.mark.parametrize(
    "messages, place",
    [
        ([{"text": "a", "when": {"field": "progress", "op": "missing"}}], "rule T-01.message[0]"),
        ([{"text": "a"}, {"text": "b"}], "rule T-01.message[1]"),
        ([{"text": "{nope}"}], "rule T-01.message[0].text"),
        ([{"text": "a", "when": {"field": "progres", "op": "missing"}}, {"text": "b"}], "rule T-01.message[0].when.field"),
        ([], "rule T-01.message"),
    ],
)
def test_broken_message_cases_are_refused(tmp_path: Path, messages: list, place: str) -> None:
    pack = write_pack(tmp_path / "p", {"a.yaml": {"rules": [rule(message=messages)]}})
    with pytest.raises(PackError) as info:
        load_pack(pack)
    assert place in [d.place for d in info.value.diagnostics], info.value.diagnostics
