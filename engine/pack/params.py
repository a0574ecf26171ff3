"""Params: collected from the pack's files, overridden by ``--set`` or ``params=``.

Params are pack-wide (a name defined twice is an error). An override must
name a known param and have its default's type; text (from the command line)
is read by the ledger's strict scalar reader first, as a plain YAML scalar:
``010`` and ``1:30`` are text, not 8 and 90. Errors name ``params`` (the
library's argument); the command line shows them as ``--set``.
"""

from __future__ import annotations

import math
from typing import Any, Optional

from ..errors import Diagnostic, PackError, UsageError
from ..ledger import ScalarError, read_scalar, show_value
from .spec import PackFile, Scalar, Scoring
from .vocabulary import METRIC_PARAMS

__all__ = ["PARAMS_ORIGIN", "collect_params_and_scoring", "parse_param_value", "apply_overrides"]

# The "file" of an override's errors: the library's ``params=`` (the command line maps it to --set).
PARAMS_ORIGIN = "params"


def collect_params_and_scoring(parsed: list[tuple[str, PackFile]]) -> tuple[dict[str, Scalar], Optional[Scoring]]:
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


def apply_overrides(defaults: dict[str, Scalar], overrides: dict[str, Any]) -> dict[str, Scalar]:
    effective = dict(defaults)
    for name in sorted(overrides):
        if name not in defaults:
            import difflib

            hint = difflib.get_close_matches(name, list(defaults), n=1, cutoff=0.6)
            raise UsageError.at(
                PARAMS_ORIGIN, name, "未知的参数" + (f",是否想写 {hint[0]}?" if hint else f"(已知的参数: {_some(defaults)})")
            )
        effective[name] = parse_param_value(name, overrides[name], defaults[name])
    return effective
