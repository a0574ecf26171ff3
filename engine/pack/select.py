"""Choosing the rules: ``select``, ``ignore`` and the pack's profiles.

A selection names rule ids (``SUP-01``) or families (``SUP``, the part
before the dash). Without a select every rule is selected; ignores then
remove. A profile (``profiles: {delivery: {title, select, ignore}}``) adds
its lists to the caller's: the selects are joined, the ignores are joined.
Rules that are not selected are not evaluated at all.
"""

from __future__ import annotations

import difflib
from typing import Iterable, Optional

from ..errors import Diagnostic, PackError, UsageError
from .model import Profile, family_of
from .spec import PackFile

__all__ = ["collect_profiles", "select_rules", "split_names"]


def split_names(values: Optional[Iterable[str]]) -> list[str]:
    """``["OWN,SUP", "LAG-01"]`` → ``["OWN", "SUP", "LAG-01"]`` (blanks dropped)."""
    out = []
    for value in values or ():
        out.extend(part.strip() for part in str(value).split(",") if part.strip())
    return out


def _matches(name: str, rule_id: str) -> bool:
    return name == rule_id or name == family_of(rule_id)


def _unknown(name: str, available: tuple[str, ...]) -> Optional[str]:
    """Why ``name`` names no rule of the pack (with 是否想写), or None when it names some."""
    if any(_matches(name, rule_id) for rule_id in available):
        return None
    known = sorted(set(available) | {family_of(r) for r in available})
    hint = [name.upper()] if name.upper() in known else difflib.get_close_matches(name.upper(), known, n=1, cutoff=0.5)
    return f"规则包中没有规则或规则族 {name!r}" + (f",是否想写 {hint[0]}?" if hint else "")


def collect_profiles(parsed: list[tuple[str, PackFile]], available: tuple[str, ...]) -> dict[str, Profile]:
    """Every profile of the pack's files, each name defined once, naming only rules of the pack."""
    problems: list[Diagnostic] = []
    profiles: dict[str, Profile] = {}
    where: dict[str, str] = {}
    for shown, pack_file in parsed:
        for name, spec in pack_file.profiles.items():
            if name in profiles:
                problems.append(Diagnostic(shown, f"profiles.{name}", f"配置重复定义,已见于 {where[name]}"))
                continue
            for key, names in (("select", spec.select), ("ignore", spec.ignore)):
                for index, entry in enumerate(names):
                    cause = _unknown(entry, available)
                    if cause:
                        problems.append(Diagnostic(shown, f"profiles.{name}.{key}[{index}]", cause))
            profiles[name] = Profile(name, spec.title, tuple(spec.select), tuple(spec.ignore))
            where[name] = shown
    if problems:
        raise PackError(problems)
    return profiles


def select_rules(
    available: tuple[str, ...],
    profiles: dict[str, Profile],
    select: Optional[Iterable[str]],
    ignore: Optional[Iterable[str]],
    profile: Optional[str],
) -> list[str]:
    """The ids of the rules to evaluate, sorted; unknown names and profiles are usage errors."""
    selects, ignores = split_names(select), split_names(ignore)
    problems = [Diagnostic(option, name, cause) for option, names in (("--select", selects), ("--ignore", ignores))
                for name in names for cause in [_unknown(name, available)] if cause]
    if profile is not None:
        chosen = profiles.get(profile)
        if chosen is None:
            hint = difflib.get_close_matches(profile, list(profiles), n=1, cutoff=0.5)
            known = "、".join(sorted(profiles)) or "无"
            problems.append(Diagnostic("--profile", profile, f"规则包中没有该配置(可用: {known})"
                                       + (f",是否想写 {hint[0]}?" if hint else "")))
        else:
            selects += list(chosen.select)
            ignores += list(chosen.ignore)
    if problems:
        raise UsageError(problems)
    picked = [r for r in available if not selects or any(_matches(n, r) for n in selects)]
    return sorted(r for r in picked if not any(_matches(n, r) for n in ignores))
