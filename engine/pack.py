"""Rule packs: YAML files → one checked :class:`RulePack` in intermediate form.

A pack is every ``*.yaml`` file under a folder. Each file may hold ``rules``,
``params`` and ``scoring``. Loading checks everything before anything is
evaluated — unknown keys, ops, fields, params and template names, ill-typed
comparisons, duplicate ids and params, unreachable levels — and reports each
problem with its file, rule and place. Params are resolved here, so later
stages see plain values.

Cross-fact rules use the same syntax: ``applies_to: [unit]`` makes the units
the subjects (with the unit vocabulary), and a rule that reads the finding
counts (``serious_findings`` …) runs after the other rules, over their
findings.
"""

from __future__ import annotations

import functools
import hashlib
import math
import json
import os
import re
from dataclasses import dataclass, field as dc_field
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Iterable, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .conditions import OPS, All, AnyOf, Condition, Leaf, Not, fields_read
from .errors import Diagnostic, PackError, UsageError
from .ledger import KINDS, LEVELS
from .load import DEFAULT_LIMITS, cause_of, parse_document, read_text
from .metrics import METRIC_PARAMS, Metric, exact, names_for
from .resources import builtin_rules_dir

__all__ = [
    "Severity",
    "SEVERITIES",
    "Scoring",
    "Level",
    "MagnitudeCase",
    "Rule",
    "RulePack",
    "load_pack",
    "parse_param_value",
]

Severity = Literal["red", "yellow", "blue"]
SEVERITIES: tuple[str, ...] = ("red", "yellow", "blue")
Scalar = Union[bool, int, float, str]
BUILTIN = "builtin"


# --- the file format (what a person writes) ------------------------------------


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class LevelSpec(_Spec):
    severity: Severity
    when: Any = None


class MagnitudeSpec(_Spec):
    field: Optional[str] = None
    scale: Optional[Union[int, float]] = Field(default=None, gt=0)
    saturated: bool = False
    when: Any = None


class MessageSpec(_Spec):
    text: str = Field(min_length=1)
    when: Any = None


class RuleSpec(_Spec):
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    clause: str = Field(min_length=1)
    applies_to: list[str] = Field(min_length=1)
    when: Any
    severity: Optional[Severity] = None
    levels: Optional[list[LevelSpec]] = None
    magnitude: Optional[Union[MagnitudeSpec, list[MagnitudeSpec]]] = None
    message: Union[str, list[MessageSpec]]
    remedy: str = Field(min_length=1)


Weight = Annotated[Union[int, float], Field(ge=0, allow_inf_nan=False)]


class Scoring(_Spec):
    """Weights of the priority score; they live in the pack, not in code."""

    base: dict[Severity, Weight] = {"red": 30, "yellow": 12, "blue": 3}
    importance: dict[Literal["national", "provincial", "municipal", "county"], Weight] = {
        "national": 1.3, "provincial": 1.2, "municipal": 1.1, "county": 1.0,
    }
    tiers: dict[Literal["critical", "high", "medium"], Weight] = {
        "critical": 70, "high": 40, "medium": 20,
    }
    max_score: Weight = 100

    @model_validator(mode="after")
    def _complete_and_ordered(self) -> "Scoring":
        for name, table, keys in (
            ("base", self.base, SEVERITIES),
            ("importance", self.importance, LEVELS),
            ("tiers", self.tiers, ("critical", "high", "medium")),
        ):
            absent = [k for k in keys if k not in table]
            if absent:
                raise ValueError(f"{name} 缺少 {', '.join(absent)}")
        if not self.tiers["critical"] >= self.tiers["high"] >= self.tiers["medium"]:
            raise ValueError("tiers 应满足 critical ≥ high ≥ medium")
        return self

    @functools.cached_property
    def exact(self) -> "Weights":
        """The weights as exact fractions, computed once."""
        return Weights(
            base={k: Fraction(str(v)) for k, v in self.base.items()},
            importance={k: Fraction(str(v)) for k, v in self.importance.items()},
            tiers=tuple((k, Fraction(str(self.tiers[k]))) for k in ("critical", "high", "medium") if k in self.tiers),
            max_score=Fraction(str(self.max_score)),
        )


@dataclass(frozen=True)
class Weights:
    base: dict[str, Fraction]
    importance: dict[str, Fraction]
    tiers: tuple[tuple[str, Fraction], ...]
    max_score: Fraction


class PackFile(_Spec):
    rules: list[RuleSpec] = Field(default_factory=list)
    params: dict[str, Scalar] = Field(default_factory=dict)
    scoring: Optional[Scoring] = None


# --- the intermediate form (what the engine runs) --------------------------------


@dataclass(frozen=True)
class Level:
    severity: str
    when: Optional[Condition]


@dataclass(frozen=True)
class MagnitudeCase:
    """One case of a magnitude: a metric and its scale, or "saturated"; the first case whose ``when`` holds applies."""

    field: Optional[str]
    scale: Optional[Fraction]
    saturated: bool
    when: Optional[Condition]


@dataclass(frozen=True)
class MessageCase:
    """A message template; the first case whose ``when`` holds is the finding's message."""

    text: str
    when: Optional[Condition]


@dataclass(frozen=True)
class Rule:
    """A checked rule with params resolved: the intermediate form."""

    id: str
    title: str
    clause: str
    applies_to: tuple[str, ...]
    subject: Literal["item", "unit"]
    stage: Literal["facts", "findings"]
    when: Condition
    levels: tuple[Level, ...]
    magnitude: tuple[MagnitudeCase, ...]
    messages: tuple[MessageCase, ...]
    remedy: str
    file: str
    reads: tuple[str, ...]  # every field the rule reads: its evidence

    @property
    def severities(self) -> tuple[str, ...]:
        return tuple(level.severity for level in self.levels)

    def match_condition(self) -> Condition:
        """``when`` with the ``applies_to`` test in front: what a backend matches."""
        if self.subject == "unit":
            return self.when
        kinds = Leaf("kind", "in", tuple(sorted(self.applies_to)), type="text")
        return All((kinds, self.when))


@dataclass(frozen=True)
class RulePack:
    rules: tuple[Rule, ...]
    params: dict[str, Scalar]
    defaults: dict[str, Scalar]
    scoring: Scoring
    source: str
    sha256: str
    files: tuple[str, ...] = dc_field(default=())

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


# --- loading -------------------------------------------------------------------


def _pack_files(root: str) -> tuple[Path, list[Path]]:
    shown = root
    folder = builtin_rules_dir() if root == BUILTIN else Path(root)
    if not folder.exists():
        raise PackError.at(shown, "", "规则包目录不存在")
    if not folder.is_dir():
        raise PackError.at(shown, "", "不是目录: --rules 应指向规则包目录")
    files = sorted(folder.rglob("*.yaml"), key=lambda p: p.relative_to(folder).as_posix())
    if not files:
        raise PackError.at(shown, "", "目录中没有 *.yaml 规则文件")
    return folder, files


def _shown(root: str, folder: Path, path: Path) -> str:
    rel = path.relative_to(folder).as_posix()
    if root == BUILTIN:
        return f"rules/{rel}"
    return os.path.join(root, rel)


def load_pack(
    roots: Union[str, os.PathLike, Iterable[Union[str, os.PathLike]]] = BUILTIN,
    params: Optional[dict[str, Any]] = None,
) -> RulePack:
    """Load, check and compile one or more rule packs (``"builtin"`` names the default pack).

    ``params`` override the packs' params; a value given as text (``--set``) is
    read as a YAML scalar. Raises :class:`PackError` listing every problem, or
    :class:`UsageError` for an unknown or ill-typed param override.
    """
    if isinstance(roots, (str, os.PathLike)):
        roots = [roots]
    roots = [os.fspath(r) for r in roots] or [BUILTIN]
    problems: list[Diagnostic] = []
    parsed: list[tuple[str, PackFile]] = []
    digest = hashlib.sha256()
    for root in roots:
        folder, files = _pack_files(root)
        for path in files:
            shown = _shown(root, folder, path)
            text = read_text(path, shown, DEFAULT_LIMITS, error=PackError)
            digest.update(f"{len(parsed)}\0{path.relative_to(folder).as_posix()}\0".encode())
            digest.update(text.encode())
            try:
                data = parse_document(text, shown, ".yaml")
            except Exception as exc:  # a LedgerError raised by the shared parser
                problems.extend(getattr(exc, "diagnostics", [Diagnostic(shown, "", str(exc))]))
                continue
            if data is None:
                continue
            try:
                parsed.append((shown, _parse_file(data, shown)))
            except PackError as exc:
                problems.extend(exc.diagnostics)
    if problems:
        raise PackError(problems)

    defaults, scoring = _collect_params_and_scoring(parsed)
    effective = _apply_overrides(defaults, params or {})
    rules = _compile_all(parsed, effective)
    if not rules:
        raise PackError.at(",".join(roots), "", "规则包中没有规则")
    digest.update(json.dumps(effective, sort_keys=True, ensure_ascii=False).encode())
    return RulePack(
        rules=rules,
        params=effective,
        defaults=defaults,
        scoring=_checked(scoring or Scoring()),
        source=",".join(roots),
        sha256=digest.hexdigest(),
        files=tuple(shown for shown, _ in parsed),
    )


def _checked(scoring: Scoring) -> Scoring:
    scoring.exact  # computed now, so that evaluation never meets a bad weight
    return scoring


def _parse_file(data: Any, shown: str) -> PackFile:
    if not isinstance(data, dict):
        raise PackError.at(shown, "", f"规则文件顶层应为映射(rules、params、scoring),实际为 {type(data).__name__}")
    try:
        return PackFile.model_validate(data)
    except ValidationError as exc:
        raise PackError([
            Diagnostic(shown, _place(e["loc"], data), _cause(e)) for e in exc.errors(include_url=False)
        ]) from None


def _place(loc: tuple, data: Any) -> str:
    text = ""
    node = data
    for index, part in enumerate(loc):
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if index == 1 and loc[0] == "rules" and isinstance(node, dict) and isinstance(node.get("id"), str):
                text = f"rule {node['id']}"
            else:
                text += f"[{part}]"
        elif part in ("MagnitudeSpec", "list[MagnitudeSpec]"):
            continue
        else:
            text += f".{part}" if text else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return text


def _cause(error: Any) -> str:
    loc = tuple(part for part in error["loc"] if part not in ("MagnitudeSpec", "list[MagnitudeSpec]", "str",
                                                             "list[MessageSpec]", "int", "float", "bool"))
    if error["type"] == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if error["type"] in ("finite_number", "greater_than_equal", "greater_than"):
        return f"应为{'非负' if error['type'] == 'greater_than_equal' else '正'}的有限数值,实际为 {error['input']!r}"
    return cause_of({**error, "loc": loc}, PackFile)


def _collect_params_and_scoring(parsed: list[tuple[str, PackFile]]) -> tuple[dict[str, Scalar], Optional[Scoring]]:
    problems: list[Diagnostic] = []
    params: dict[str, Scalar] = {}
    where: dict[str, str] = {}
    scoring: Optional[Scoring] = None
    scoring_from = ""
    for shown, pack_file in parsed:
        for name, value in pack_file.params.items():
            if name in params:
                problems.append(Diagnostic(shown, f"params.{name}", f"参数重复定义,已见于 {where[name]}"))
            else:
                params[name], where[name] = value, shown
        if pack_file.scoring is not None:
            if scoring is not None:
                problems.append(Diagnostic(shown, "scoring", f"评分权重重复定义,已见于 {scoring_from}"))
            scoring, scoring_from = pack_file.scoring, shown
    for name, value in METRIC_PARAMS.items():
        params.setdefault(name, value)
    if problems:
        raise PackError(problems)
    return params, scoring


def parse_param_value(name: str, raw: Any, default: Scalar) -> Scalar:
    """An override converted to the default's type, or a :class:`UsageError`."""
    value = raw
    if isinstance(raw, str) and not isinstance(default, str):
        import yaml

        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError:
            value = raw
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        value = float(value) if ok else value
    else:
        ok = isinstance(value, str)
    if not ok:
        raise UsageError.at(
            "--set", name, f"类型应为 {_type_name(default)}(默认值 {default!r}),实际为 {raw!r}"
        )
    return value


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, int):
        return "整数"
    if isinstance(value, float):
        return "数值"
    return "文本"


def _apply_overrides(defaults: dict[str, Scalar], overrides: dict[str, Any]) -> dict[str, Scalar]:
    effective = dict(defaults)
    for name in sorted(overrides):
        if name not in defaults:
            import difflib

            hint = difflib.get_close_matches(name, list(defaults), n=1, cutoff=0.6)
            raise UsageError.at(
                "--set", name, "未知的参数" + (f",是否想写 {hint[0]}?" if hint else "(duban rules 列出全部参数)")
            )
        effective[name] = parse_param_value(name, overrides[name], defaults[name])
    return effective


# --- compiling rules --------------------------------------------------------------


class _Compiler:
    """Checks one rule and builds its intermediate form, collecting every problem."""

    def __init__(self, rule: RuleSpec, shown: str, params: dict[str, Scalar]) -> None:
        self.rule = rule
        self.shown = shown
        self.params = params
        self.problems: list[Diagnostic] = []
        self.subject: Literal["item", "unit"] = "unit" if "unit" in rule.applies_to else "item"
        self.vocabulary: dict[str, Metric] = names_for(self.subject)

    def fail(self, place: str, cause: str) -> None:
        self.problems.append(Diagnostic(self.shown, f"rule {self.rule.id}.{place}", cause))

    def compile(self) -> Optional[Rule]:
        spec = self.rule
        self._check_applies_to()
        when = self.condition(spec.when, "when")
        levels = self._levels()
        magnitude = self._magnitude()
        messages = self._messages()
        self._template(spec.remedy, "remedy")
        if self.problems or when is None:
            return None
        reads: dict[str, None] = dict.fromkeys(fields_read(when))
        for level in levels:
            if level.when is not None:
                reads.update(dict.fromkeys(fields_read(level.when)))
        for case in magnitude:
            if case.when is not None:
                reads.update(dict.fromkeys(fields_read(case.when)))
            if case.field is not None:
                reads.setdefault(case.field)
        for message in messages:
            if message.when is not None:
                reads.update(dict.fromkeys(fields_read(message.when)))
        stage = "findings" if any(self.vocabulary[name].stage == "findings" for name in reads) else "facts"
        return Rule(
            id=spec.id, title=spec.title, clause=spec.clause,
            applies_to=tuple(spec.applies_to), subject=self.subject, stage=stage,
            when=when, levels=levels, magnitude=magnitude,
            messages=messages, remedy=spec.remedy, file=self.shown, reads=tuple(reads),
        )

    def _check_applies_to(self) -> None:
        kinds = self.rule.applies_to
        if "unit" in kinds and len(kinds) > 1:
            self.fail("applies_to", "unit 不能与事项类型混用")
        for index, kind in enumerate(kinds):
            if kind != "unit" and kind not in KINDS:
                self.fail(f"applies_to[{index}]", f"未知的类型 {kind!r},应为 {', '.join(KINDS)} 或 unit")
        if len(set(kinds)) != len(kinds):
            self.fail("applies_to", "类型重复")

    def _levels(self) -> tuple[Level, ...]:
        spec = self.rule
        if spec.levels is None:
            if spec.severity is None:
                self.fail("severity", "规则须有 severity 或 levels")
                return ()
            return (Level(spec.severity, None),)
        if spec.severity is not None:
            self.fail("severity", "severity 与 levels 只能二选一")
        if not spec.levels:
            self.fail("levels", "levels 不能为空")
        levels = []
        for index, level in enumerate(spec.levels):
            if index > 0 and spec.levels[index - 1].when is None:
                self.fail(f"levels[{index}]", "永远不会到达: 前一级没有 when,只有最后一级可以省略 when")
            cond = None if level.when is None else self.condition(level.when, f"levels[{index}].when")
            levels.append(Level(level.severity, cond))
        return tuple(levels)

    def _magnitude(self) -> tuple[MagnitudeCase, ...]:
        spec = self.rule.magnitude
        if spec is None:
            return ()
        cases = spec if isinstance(spec, list) else [spec]
        single = not isinstance(spec, list)
        out = []
        for index, case in enumerate(cases):
            place = "magnitude" if single else f"magnitude[{index}]"
            if index > 0 and cases[index - 1].when is None:
                self.fail(place, "永远不会到达: 前一项没有 when,只有最后一项可以省略 when")
            if case.saturated:
                if case.field is not None or case.scale is not None:
                    self.fail(place, "saturated: true 时不能再给 field 或 scale")
            elif case.field is None or case.scale is None:
                self.fail(place, "须给出 field 和 scale(或 saturated: true)")
            elif case.field not in self.vocabulary:
                self.fail(f"{place}.field", self._unknown(case.field))
            elif self.vocabulary[case.field].type not in ("integer", "number"):
                self.fail(f"{place}.field", f"{case.field} 的类型是 {self.vocabulary[case.field].type},幅度须为数值")
            cond = None if case.when is None else self.condition(case.when, f"{place}.when")
            scale = exact(case.scale) if case.scale is not None else None
            out.append(MagnitudeCase(case.field, Fraction(scale) if scale is not None else None, case.saturated, cond))
        return tuple(out)

    def _messages(self) -> tuple[MessageCase, ...]:
        spec = self.rule.message
        if isinstance(spec, str):
            if not spec.strip():
                self.fail("message", "消息模板不能为空")
            self._template(spec, "message")
            return (MessageCase(spec, None),)
        if not spec:
            self.fail("message", "消息列表不能为空")
        cases = []
        for index, case in enumerate(spec):
            place = f"message[{index}]"
            if index > 0 and spec[index - 1].when is None:
                self.fail(place, "永远不会到达: 前一项没有 when,只有最后一项可以省略 when")
            self._template(case.text, f"{place}.text")
            cond = None if case.when is None else self.condition(case.when, f"{place}.when")
            cases.append(MessageCase(case.text, cond))
        if spec and spec[-1].when is not None:
            self.fail(f"message[{len(spec) - 1}]", "最后一项消息不能有 when(须有兜底的消息)")
        return tuple(cases)

    def _unknown(self, name: str) -> str:
        import difflib

        hint = difflib.get_close_matches(name, list(self.vocabulary), n=1, cutoff=0.6)
        return f"未知的字段或指标 {name!r}" + (f",是否想写 {hint[0]!r}?" if hint else "(duban metrics 列出全部)")

    _PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
    _NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")

    def _template(self, text: str, place: str) -> None:
        for match in self._PLACEHOLDER.finditer(text):
            token = match.group(0)
            if token in ("{{", "}}"):
                continue
            name = match.group(1)
            if name is None:
                self.fail(place, f"模板中有不成对的花括号(第 {match.start() + 1} 个字符)")
            elif not self._NAME.fullmatch(name):
                self.fail(place, f"模板占位符 {{{name}}} 只能是字段名,不能是表达式")
            elif name not in self.vocabulary:
                self.fail(place, f"模板占位符 {{{name}}}: " + self._unknown(name))

    # -- conditions

    def condition(self, node: Any, place: str) -> Optional[Condition]:
        if not isinstance(node, dict):
            self.fail(place, f"条件应为映射(all、any、not 或 field/op/value),实际为 {type(node).__name__}")
            return None
        branches = [key for key in ("all", "any", "not") if key in node]
        if branches:
            if len(node) != 1:
                self.fail(place, f"{branches[0]} 须单独成一层,不能与 {', '.join(sorted(set(node) - {branches[0]}))} 并列")
                return None
            key = branches[0]
            if key == "not":
                inner = self.condition(node["not"], f"{place}.not")
                return None if inner is None else Not(inner)
            children = node[key]
            if not isinstance(children, list) or not children:
                self.fail(f"{place}.{key}", "应为非空列表")
                return None
            compiled = [self.condition(child, f"{place}.{key}[{i}]") for i, child in enumerate(children)]
            if any(c is None for c in compiled):
                return None
            return (All if key == "all" else AnyOf)(tuple(compiled))  # type: ignore[arg-type]
        return self.leaf(node, place)

    def leaf(self, node: dict, place: str) -> Optional[Leaf]:
        unknown = sorted(set(node) - {"field", "op", "value"})
        if unknown:
            self.fail(place, f"未知的键 {unknown[0]!r}(条件叶子只有 field、op、value)")
            return None
        name, op = node.get("field"), node.get("op")
        if not isinstance(name, str):
            self.fail(f"{place}.field", "缺少字段名 field")
            return None
        if name not in self.vocabulary:
            self.fail(f"{place}.field", self._unknown(name))
            return None
        if op not in OPS:
            self.fail(f"{place}.op", f"未知的运算符 {op!r},应为 {', '.join(OPS)} 之一")
            return None
        ftype = self.vocabulary[name].type
        if op in ("present", "missing"):
            if "value" in node:
                self.fail(f"{place}.value", f"{op} 不需要 value")
                return None
            return Leaf(name, op, None, None, ftype)
        if "value" not in node:
            self.fail(f"{place}.value", f"{op} 需要 value")
            return None
        if not self._op_fits(ftype, op, f"{place}.op", name):
            return None
        raw = node["value"]
        if isinstance(raw, dict):
            return self._reference(name, op, ftype, raw, f"{place}.value")
        value = self._literal(op, ftype, raw, f"{place}.value")
        return None if value is _BAD else Leaf(name, op, value, None, ftype)

    def _op_fits(self, ftype: str, op: str, place: str, name: str) -> bool:
        allowed = {
            "eq": ("integer", "number", "boolean", "text", "date"),
            "ne": ("integer", "number", "boolean", "text", "date"),
            "lt": ("integer", "number", "date"),
            "lte": ("integer", "number", "date"),
            "gt": ("integer", "number", "date"),
            "gte": ("integer", "number", "date"),
            "in": ("integer", "number", "text", "date"),
            "not_in": ("integer", "number", "text", "date"),
            "contains": ("text",),
        }[op]
        if ftype not in allowed:
            self.fail(place, f"{op} 不能用于 {ftype} 类型的 {name}")
            return False
        return True

    def _reference(self, name: str, op: str, ftype: str, raw: dict, place: str) -> Optional[Leaf]:
        if set(raw) == {"param"}:
            pname = raw["param"]
            if pname not in self.params:
                self.fail(place, f"未知的参数 {pname!r}")
                return None
            value = self._literal(op, ftype, self.params[pname], place, f"参数 {pname}")
            return None if value is _BAD else Leaf(name, op, value, None, ftype)
        if set(raw) == {"field"}:
            other = raw["field"]
            if op in ("in", "not_in"):
                self.fail(place, f"{op} 的 value 须为列表,不能引用字段")
                return None
            if other not in self.vocabulary:
                self.fail(place, self._unknown(str(other)))
                return None
            otype = self.vocabulary[other].type
            if _family(otype) != _family(ftype):
                self.fail(place, f"类型不符: {name} 是 {ftype},{other} 是 {otype}")
                return None
            return Leaf(name, op, None, other, ftype)
        self.fail(place, "value 为映射时只能是 {param: 名称} 或 {field: 字段}")
        return None

    def _literal(self, op: str, ftype: str, raw: Any, place: str, what: str = "value") -> Any:
        if op in ("in", "not_in"):
            if not isinstance(raw, list) or not raw:
                self.fail(place, f"{op} 的 {what} 须为非空列表")
                return _BAD
            values = [self._scalar(ftype, v, f"{place}[{i}]", what) for i, v in enumerate(raw)]
            return _BAD if any(v is _BAD for v in values) else tuple(values)
        return self._scalar(ftype, raw, place, what)

    def _scalar(self, ftype: str, raw: Any, place: str, what: str) -> Any:
        family = _family(ftype)
        if family == "number" and isinstance(raw, (int, float)) and not isinstance(raw, bool):
            if isinstance(raw, float) and not math.isfinite(raw):
                self.fail(place, f"{what} 应为有限数值,实际为 {raw!r}")
                return _BAD
            return exact(raw)
        if family == "boolean" and isinstance(raw, bool):
            return raw
        if family == "text" and isinstance(raw, str):
            return raw
        if family == "date":
            if isinstance(raw, date):
                return raw
            if isinstance(raw, str):
                try:
                    return date.fromisoformat(raw)
                except ValueError:
                    self.fail(place, f"{what} 应为 YYYY-MM-DD 日期,实际为 {raw!r}")
                    return _BAD
        self.fail(place, f"类型不符: 字段类型为 {ftype},{what} 为 {raw!r}")
        return _BAD


_BAD = object()


def _family(ftype: str) -> str:
    return "number" if ftype in ("integer", "number") else ftype


def _compile_all(parsed: list[tuple[str, PackFile]], params: dict[str, Scalar]) -> tuple[Rule, ...]:
    problems: list[Diagnostic] = []
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for shown, pack_file in parsed:
        for index, spec in enumerate(pack_file.rules):
            if spec.id in seen:
                problems.append(Diagnostic(shown, f"rules[{index}] ({spec.id}).id", f"规则编号重复,已见于 {seen[spec.id]}"))
                continue
            seen[spec.id] = shown
            compiler = _Compiler(spec, shown, params)
            rule = compiler.compile()
            problems.extend(compiler.problems)
            if rule is not None:
                rules.append(rule)
    if problems:
        raise PackError(problems)
    return tuple(sorted(rules, key=lambda r: r.id))
