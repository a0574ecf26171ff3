"""Compiling rules: one rule's spec → its checked intermediate form.

:class:`_Compiler` checks everything about one rule — kinds, fields and ops
against the vocabulary, params, literal types, levels that can be reached,
magnitudes, message and remedy templates — and collects every problem with
its place (``rule LAG-01.levels[1].when.field``) instead of stopping at the
first. :func:`compile_rules` compiles every rule of a pack.
"""

from __future__ import annotations

import difflib
import math
from datetime import date
from fractions import Fraction
from typing import Any, Literal, Optional

from ..errors import Diagnostic, PackError
from ..exact import exact
from ..ledger import KINDS, ScalarError, parse_date
from . import templates
from .conditions import OPS, All, AnyOf, Condition, Leaf, Not, fields_read
from .model import FAMILY_CATEGORIES, Level, MagnitudeCase, MessageCase, Rule, family_of
from .reach import params_read, unreachable_levels
from .spec import PackFile, RuleSpec, Scalar
from .vocabulary import Metric, names_for

__all__ = ["SUBJECTS", "MAX_MEMBERS", "compile_rules", "duplicate_rule_ids"]

# Values of one in / not_in list: longer lists are data (an id list, a unit list) that belongs in
# the ledger or a declared extra field, not in a condition.
MAX_MEMBERS = 10_000

# Subjects other than items: a rule that applies to one of them applies to nothing else.
SUBJECTS = ("unit", "county")


class _Compiler:
    """Checks one rule and builds its intermediate form, collecting every problem."""

    def __init__(self, rule: RuleSpec, shown: str, params: dict[str, Scalar], fields: dict[str, str]) -> None:
        self.rule = rule
        self.shown = shown
        self.params = params
        self.problems: list[Diagnostic] = []
        self.subject: Literal["item", "unit", "county"] = next(
            (s for s in SUBJECTS if s in rule.applies_to), "item"  # type: ignore[assignment]
        )
        self.vocabulary: dict[str, Metric] = names_for(self.subject, fields)

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
        self._reachable(when, levels)
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
            messages=messages, remedy=templates.bind_params(spec.remedy, self.params), file=self.shown,
            reads=tuple(reads),
            category=spec.category or FAMILY_CATEGORIES.get(family_of(spec.id), "其他"),
        )

    def _check_applies_to(self) -> None:
        kinds = self.rule.applies_to
        for subject in SUBJECTS:
            if subject in kinds and len(kinds) > 1:
                self.fail("applies_to", f"{subject} 不能与其他类型混用")
        for index, kind in enumerate(kinds):
            if kind not in SUBJECTS and kind not in KINDS:
                import difflib

                hint = difflib.get_close_matches(kind, [*KINDS, *SUBJECTS], n=1, cutoff=0.6)
                self.fail(f"applies_to[{index}]", f"未知的类型 {kind!r},应为 {', '.join(KINDS)}、unit 或 county"
                          + (f",是否想写 {hint[0]!r}?" if hint else ""))
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

    def _reachable(self, when: Condition, levels: tuple[Level, ...]) -> None:
        """A level that no facts can reach (a red threshold below the yellow one …) is an error."""
        for index in unreachable_levels(when, [(level.severity, level.when) for level in levels]):
            params = params_read([when, *(level.when for level in levels)])
            now = ",".join(f"{name}={self.params[name]}" for name in params)
            self.fail(f"levels[{index}]", "永远不会到达: 规则触发时总有前面的等级成立"
                      + (f"(当前参数 {now},请检查阈值的先后)" if now else ""))

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
            return (MessageCase(templates.bind_params(spec, self.params), None),)
        if not spec:
            self.fail("message", "消息列表不能为空")
        cases = []
        for index, case in enumerate(spec):
            place = f"message[{index}]"
            if index > 0 and spec[index - 1].when is None:
                self.fail(place, "永远不会到达: 前一项没有 when,只有最后一项可以省略 when")
            self._template(case.text, f"{place}.text")
            cond = None if case.when is None else self.condition(case.when, f"{place}.when")
            cases.append(MessageCase(templates.bind_params(case.text, self.params), cond))
        if spec and spec[-1].when is not None:
            self.fail(f"message[{len(spec) - 1}]", "最后一项消息不能有 when(须有兜底的消息)")
        return tuple(cases)

    def _unknown(self, name: str) -> str:
        import difflib

        hint = difflib.get_close_matches(name, list(self.vocabulary), n=1, cutoff=0.6)
        return f"未知的字段或指标 {name!r}" + (f",是否想写 {hint[0]!r}?" if hint else "(duban metrics 列出全部)")

    def _template(self, text: str, place: str) -> None:
        for cause in templates.problems(text, self.vocabulary, self._unknown, self.params):
            self.fail(place, cause)

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
        unknown = sorted(set(node) - {"field", "op", "value"}, key=str)
        if unknown:
            key = str(unknown[0])
            hint = difflib.get_close_matches(key, ("all", "any", "not", "field", "op", "value"), n=1, cutoff=0.5)
            self.fail(place, f"未知的键 {key!r}" + (f",是否想写 {hint[0]!r}?" if hint else "")
                      + "(条件是 all、any、not 之一,或叶子 field、op、value)")
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
            "contains": ("text", "list"),
        }[op]
        if ftype not in allowed:
            self.fail(place, f"{op} 不能用于 {ftype} 类型的 {name}")
            return False
        return True

    def _reference(self, name: str, op: str, ftype: str, raw: dict, place: str) -> Optional[Leaf]:
        if set(raw) == {"param"}:
            pname = raw["param"]
            if pname not in self.params:
                import difflib

                hint = difflib.get_close_matches(str(pname), list(self.params), n=1, cutoff=0.6)
                self.fail(place, f"未知的参数 {pname!r}" + (f",是否想写 {hint[0]!r}?" if hint else ""))
                return None
            value = self._literal(op, ftype, self.params[pname], place, f"参数 {pname}")
            return None if value is _BAD else Leaf(name, op, value, None, ftype, param=pname)
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
            if len(raw) > MAX_MEMBERS:
                self.fail(place, f"{op} 的列表过长: {len(raw)} 个值,上限 {MAX_MEMBERS} 个")
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
        if family in ("text", "list") and isinstance(raw, str):
            return raw
        if family == "date":
            if isinstance(raw, date):
                return raw
            if isinstance(raw, str):
                try:
                    return parse_date(raw)
                except ScalarError as exc:
                    self.fail(place, f"{what}: {exc.cause}")
                    return _BAD
        self.fail(place, f"类型不符: 字段类型为 {ftype},{what} 为 {raw!r}")
        return _BAD


_BAD = object()


def _family(ftype: str) -> str:
    return "number" if ftype in ("integer", "number") else ftype


def duplicate_rule_ids(parsed: list[tuple[str, PackFile]]) -> list[Diagnostic]:
    """An error for every rule whose id an earlier rule of the pack (any file) already has."""
    seen: dict[str, str] = {}
    problems = []
    for shown, pack_file in parsed:
        for index, spec in enumerate(pack_file.rules):
            if spec.id in seen:
                problems.append(Diagnostic(shown, f"rules[{index}] ({spec.id}).id", f"规则编号重复,已见于 {seen[spec.id]}"))
            else:
                seen[spec.id] = shown
    return problems


def compile_rules(
    parsed: list[tuple[str, PackFile]], params: dict[str, Scalar], fields: Optional[dict[str, str]] = None
) -> tuple[Rule, ...]:
    """Every rule of the pack's files checked and compiled; all problems of all rules at once."""
    problems: list[Diagnostic] = duplicate_rule_ids(parsed)
    rules: list[Rule] = []
    seen: set[str] = set()
    for shown, pack_file in parsed:
        for spec in pack_file.rules:
            if spec.id in seen:
                continue
            seen.add(spec.id)
            compiler = _Compiler(spec, shown, params, fields or {})
            rule = compiler.compile()
            problems.extend(compiler.problems)
            if rule is not None:
                rules.append(rule)
    if problems:
        raise PackError(problems)
    return tuple(sorted(rules, key=lambda r: r.id))
