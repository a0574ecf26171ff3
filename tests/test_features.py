"""The executable policy: every scenario of ``features/*.feature``, run through the real engine.

Each scenario becomes a test named ``test_<feature file>_<scenario name>``; besides its name, ``-k``
matches the feature's title (``-k 进展滞后``), the feature file (``-k lag``) and every rule id the
scenario mentions (``-k LAG-01``). A new scenario needs no Python: the sentences it may use are in
``tests/steps`` and listed in ``features/README.md``.

The tests at the end keep the specifications honest: every rule of the default pack has a scenario
where it fires and one where it does not, every feature opens with a clause quoted exactly from the
speech, and no two scenarios of a feature share a name (pytest-bdd would silently drop one).
"""

from __future__ import annotations

import re
from pathlib import Path

from pytest_bdd import scenario
from pytest_bdd.gherkin_parser import get_gherkin_document
from pytest_bdd.parser import FeatureParser
from pytest_bdd.scenario import make_python_name

from engine import Engine
from tests.steps import step_fixtures

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ROOT / "features"
SPEECH = ROOT / "docs" / "policy" / "meeting-speech.zh.txt"
RULE_ID = re.compile(r"\b[A-Z]+-\d{2}\b")

globals().update(step_fixtures())


def _feature_files() -> list[Path]:
    return sorted(FEATURES.glob("*.feature"))


def _parse(path: Path):  # -> pytest_bdd.parser.Feature
    return FeatureParser(str(FEATURES), path.name).parse()


def _scenario_texts(template) -> list[str]:  # every line of a scenario (outlines: every example), names included
    contexts = [ctx for examples in template.examples for ctx in examples.as_contexts()] or [{}]
    texts = []
    for context in contexts:
        rendered = template.render(context)
        texts.append(rendered.name)
        for step in rendered.steps:
            texts.append(step.name)
            if step.datatable is not None:
                texts.extend(cell for row in step.datatable.raw() for cell in row)
    return texts


def _noop() -> None:
    """The scenario's steps are the test."""


def _bind_scenarios() -> None:
    for path in _feature_files():
        feature = _parse(path)
        for name, template in feature.scenarios.items():
            test = scenario(str(path), name)(_noop)
            keywords = {path.stem, feature.name or path.stem}
            keywords.update(RULE_ID.findall("\n".join(_scenario_texts(template))))
            for keyword in keywords:
                setattr(test, keyword, True)
            test_name = f"test_{path.stem}_{make_python_name(name)}"
            while test_name in globals():
                test_name += "_"
            globals()[test_name] = test


_bind_scenarios()


# --- the specifications about the specifications --------------------------------------------------------

FIRES = re.compile(r'^(?:事项|单位|县) "[^"]+" (?:触发 "(?P<rule>[A-Z]+-\d+)"|的预警恰为 "(?P<rules>[^"]+)")')
QUIET = re.compile(r'^(?:事项|单位|县) "[^"]+" 不触发 "(?P<rule>[A-Z]+-\d+)"')


def _default_rule_ids() -> list[str]:
    return sorted(rule.id for rule in Engine.default().pack.rules)


def _assertions() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """rule id → the scenarios (outlines: their examples) that assert it fires / that it does not fire."""
    fires: dict[str, set[str]] = {}
    quiet: dict[str, set[str]] = {}
    for path in _feature_files():
        for name, template in _parse(path).scenarios.items():
            where = f"{path.name}: {name}"
            for text in _scenario_texts(template):
                if m := FIRES.match(text):
                    for rule in [m["rule"]] if m["rule"] else re.split(r"[、,,\s]+", m["rules"]):
                        fires.setdefault(rule, set()).add(where)
                if m := QUIET.match(text):
                    quiet.setdefault(m["rule"], set()).add(where)
    return fires, quiet


def test_every_rule_fires_in_a_scenario_and_stays_quiet_in_another() -> None:
    """Acceptance: each rule of the default pack is shown firing, and shown not firing by name (不触发 "ID")."""
    rules = _default_rule_ids()
    fires, quiet = _assertions()
    assert [r for r in rules if r not in fires] == [], "这些规则没有断言「触发」的场景"
    assert [r for r in rules if r not in quiet] == [], "这些规则没有断言「不触发」的场景"
    unknown = sorted((set(fires) | set(quiet)) - set(rules))
    assert unknown == [], f"场景断言了默认规则包中没有的规则(写错了编号?): {unknown}"


def test_features_are_in_chinese_and_quote_the_speech() -> None:
    speech = SPEECH.read_text(encoding="utf-8")
    clauses = {rule.id: rule.clause for rule in Engine.default().pack.rules}
    quoted_anywhere = ""
    assert _feature_files(), "features/ 中没有 .feature 文件"
    for path in _feature_files():
        text = path.read_text(encoding="utf-8")
        assert text.splitlines()[0].strip() == "# language: zh-CN", f"{path.name} 的第一行应为 # language: zh-CN"
        feature = _parse(path)
        assert feature.keyword == "功能", f"{path.name} 应以 功能: 开头"
        opening = feature.description.strip().splitlines()[0] if feature.description.strip() else ""
        assert opening.startswith(("讲话原文", "「")), f"{path.name} 的功能描述应以讲话原文开头,实际为: {opening!r}"
        quotes = re.findall(r"「([^」]+)」", feature.description)
        assert quotes, f"{path.name} 的功能描述应以「」引用讲话原文"
        for quote in quotes:
            assert quote in speech, f"{path.name} 引用的讲话原文与讲话不符: 「{quote}」"
        quoted_anywhere += "\n".join(quotes)
    unquoted = sorted(rule for rule, clause in clauses.items() if clause not in quoted_anywhere)
    assert not unquoted, f"这些规则引用的讲话原文没有在任何功能描述中出现: {unquoted}"


def test_scenario_names_are_unique_within_a_feature() -> None:
    for path in _feature_files():
        document = get_gherkin_document(str(path))
        names: list[str] = []
        for child in document.feature.children:
            scenarios = [child.scenario] if child.scenario else []
            if child.rule:
                scenarios += [c.scenario for c in child.rule.children if c.scenario]
            names += [s.name for s in scenarios]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        assert not duplicates, f"{path.name} 中的场景重名(pytest-bdd 会只保留一个): {duplicates}"
