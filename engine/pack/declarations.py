"""The pack's other declarations: escalation (升级督办) and the extra fields its rules read.

``escalation`` is a list of ``{from, to, periods}``: a finding at ``from``
whose rule fired on the same subject in each of the ``periods − 1`` recorded
periods just before is raised to ``to`` (the first matching entry, once).
``fields`` declares the extra fields of items the rules read, with their
types (``fields: {extra.phase: text, extra.budget: number}``); reading an
undeclared one is a pack error, and a ledger value of the wrong type is a
ledger error when the ledger is evaluated.
"""

from __future__ import annotations

from ..errors import Diagnostic, PackError
from .model import Escalation
from .spec import SEVERITIES, PackFile, Scalar

__all__ = ["EXTRA_PREFIX", "collect_escalation", "collect_fields"]

EXTRA_PREFIX = "extra."


def collect_fields(parsed: list[tuple[str, PackFile]]) -> dict[str, str]:
    """The extra fields declared across the pack's files (the same name must keep one type)."""
    problems: list[Diagnostic] = []
    fields: dict[str, str] = {}
    where: dict[str, str] = {}
    for shown, pack_file in parsed:
        for name, type_ in pack_file.fields.items():
            rest = name[len(EXTRA_PREFIX):] if name.startswith(EXTRA_PREFIX) else ""
            if not rest.isidentifier():
                problems.append(Diagnostic(shown, f"fields.{name}", "扩展字段应写成 extra.名称(名称由字母、汉字、数字和下划线组成)"))
            elif name in fields and fields[name] != type_:
                problems.append(Diagnostic(shown, f"fields.{name}", f"类型 {type_} 与 {where[name]} 中的 {fields[name]} 不一致"))
            else:
                fields[name], where[name] = type_, shown
    if problems:
        raise PackError(problems)
    return dict(sorted(fields.items()))


def collect_escalation(parsed: list[tuple[str, PackFile]], params: dict[str, Scalar]) -> tuple[Escalation, ...]:
    """The escalation entries of the pack's files, in file order, with params resolved."""
    problems: list[Diagnostic] = []
    entries: list[Escalation] = []
    for shown, pack_file in parsed:
        for index, spec in enumerate(pack_file.escalation or ()):
            place = f"escalation[{index}]"
            periods = spec.periods
            if isinstance(periods, dict):
                if set(periods) != {"param"} or periods["param"] not in params:
                    problems.append(Diagnostic(shown, f"{place}.periods", "periods 应为整数或 {param: 已定义的参数}"))
                    continue
                periods = params[periods["param"]]
            if isinstance(periods, bool) or not isinstance(periods, int) or periods < 1:
                problems.append(Diagnostic(shown, f"{place}.periods", f"期数应为正整数,实际为 {periods!r}"))
                continue
            if SEVERITIES.index(spec.to) >= SEVERITIES.index(spec.from_):
                problems.append(Diagnostic(shown, f"{place}.to", f"升级后的等级 {spec.to} 应高于 {spec.from_}"))
                continue
            entries.append(Escalation(spec.from_, spec.to, periods))
    if problems:
        raise PackError(problems)
    return tuple(entries)
