"""Params: collected from the pack's files, overridden by ``--set`` or ``params=``.

Params are pack-wide (a name defined twice is an error). A param is a plain
value or ``{value, title, min, max}``: its title says what it means (``duban
rules`` lists it) and the bounds keep a threshold sensible (no negative days
or points, ratios within 0..1). An override must name a known param, have its
default's type and stay within its bounds; text (from the command line) is
read by the ledger's strict scalar reader first, as a plain YAML scalar:
``010`` and ``1:30`` are text, not 8 and 90. Errors name ``params`` (the
library's argument); the command line shows them as ``--set``.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Optional, Union

from ..errors import Diagnostic, PackError, UsageError
from ..ledger import ScalarError, read_scalar, show_value
from .model import Param
from .spec import PackFile, ParamSpec, Scalar, Scoring
from .vocabulary import METRIC_PARAMS

__all__ = ["PARAMS_ORIGIN", "collect_params_and_scoring", "parse_param_value", "apply_overrides"]

# The "file" of an override's errors: the library's ``params=`` (the command line maps it to --set).
PARAMS_ORIGIN = "params"


def collect_params_and_scoring(
    parsed: list[tuple[str, PackFile]],
) -> tuple[dict[str, Scalar], dict[str, Param], Optional[Scoring]]:
    """The defaults of every param, what each means and its bounds, and the scoring weights.

    A default outside its own bounds, or bounds on a param that is not a number,
    is a pack error located at the param.
    """
    problems: list[Diagnostic] = []
    params: dict[str, Scalar] = {}
    info: dict[str, Param] = {}
    where: dict[str, str] = {}
    scoring: Optional[Scoring] = None
    scoring_from = ""
    for shown, pack_file in parsed:
        for name, spec in pack_file.params.items():
            if name in params:
                problems.append(Diagnostic(shown, f"params.{name}", f"参数重复定义,已见于 {where[name]}"))
                continue
            value, param = _param(name, spec)
            cause = _bounds_problem(param, value)
            if cause:
                problems.append(Diagnostic(shown, f"params.{name}", cause))
            params[name], info[name], where[name] = value, param, shown
        if pack_file.scoring is not None:
            if scoring is not None:
                problems.append(Diagnostic(shown, "scoring", f"评分权重重复定义,已见于 {scoring_from}"))
            scoring, scoring_from = pack_file.scoring, shown
    for name, value in METRIC_PARAMS.items():
        if name not in params:
            params[name], info[name] = value, Param(name, min=Fraction(0))
    if problems:
        raise PackError(problems)
    return params, info, scoring


def _param(name: str, spec: Union[Scalar, ParamSpec]) -> tuple[Scalar, Param]:
    if not isinstance(spec, ParamSpec):
        return spec, Param(name)
    bound = lambda v: None if v is None else Fraction(str(v))  # noqa: E731
    return spec.value, Param(name, spec.title, bound(spec.min), bound(spec.max))


def _bounds_problem(param: Param, value: Any) -> Optional[str]:
    """Why ``value`` is outside the param's bounds (or cannot have any), else None."""
    if param.min is None and param.max is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"只有数值参数可以有 min/max,{param.name} 的值为 {value!r}"
    if param.min is not None and param.max is not None and param.min > param.max:
        return f"min ({_shown(param.min)}) 大于 max ({_shown(param.max)})"
    exact = Fraction(str(value))
    if param.min is not None and exact < param.min:
        return f"应不小于 {_shown(param.min)},实际为 {value!r}"
    if param.max is not None and exact > param.max:
        return f"应不大于 {_shown(param.max)},实际为 {value!r}"
    return None


def _shown(bound: Fraction) -> str:
    return str(bound.numerator) if bound.denominator == 1 else str(float(bound))


def parse_param_value(name: str, raw: Any, default: Scalar) -> Scalar:
    """An override converted to the default's type, or a :class:`UsageError`."""
    value = raw
    if isinstance(raw, str) and not isinstance(default, str):
        try:
            value = read_scalar(raw.strip())
        except ScalarError as exc:
            raise UsageError.at(PARAMS_ORIGIN, name, exc.cause) from None
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
            PARAMS_ORIGIN, name, f"类型应为 {_type_name(default)}(默认值 {default!r}),实际为 {show_value(raw)}"
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


def _some(names: dict[str, Any], shown: int = 8) -> str:
    listed = sorted(names)
    return ", ".join(listed[:shown]) + (f" 等 {len(listed)} 个" if len(listed) > shown else "")


def apply_overrides(
    defaults: dict[str, Scalar], overrides: dict[str, Any], info: Optional[dict[str, Param]] = None
) -> dict[str, Scalar]:
    """The defaults with the overrides applied: each a known param, of its type, within its bounds."""
    effective = dict(defaults)
    for name in sorted(overrides):
        if name not in defaults:
            import difflib

            hint = difflib.get_close_matches(name, list(defaults), n=1, cutoff=0.6)
            raise UsageError.at(
                PARAMS_ORIGIN, name, "未知的参数" + (f",是否想写 {hint[0]}?" if hint else f"(已知的参数: {_some(defaults)})")
            )
        effective[name] = parse_param_value(name, overrides[name], defaults[name])
        param = (info or {}).get(name)
        cause = _bounds_problem(param, effective[name]) if param else None
        if cause:
            raise UsageError.at(PARAMS_ORIGIN, name, cause)
    return effective
