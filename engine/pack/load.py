"""Rule packs: YAML files → one checked :class:`RulePack` in intermediate form.

A pack is every ``*.yaml`` or ``*.yml`` file under a folder, or one rule file
(:mod:`.files` says which files, dot folders skipped, symbolic links followed).
Each file may hold ``rules``,
``params`` and ``scoring``. Loading checks everything before anything is
evaluated — unknown keys, ops, fields, params and template names, ill-typed
comparisons, duplicate ids and params, unreachable levels — and reports each
problem with its file, rule and place (and line, :mod:`.places`). Params are
resolved here, so later stages see plain values.

Cross-fact rules use the same syntax: ``applies_to: [unit]`` makes the units
the subjects (with the unit vocabulary), and a rule that reads the finding
counts (``serious_findings`` …) runs after the other rules, over their
findings.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any, Iterable, Optional, Union

from pydantic import ValidationError

from ..errors import Diagnostic, PackError
from ..ledger import DEFAULT_LIMITS, cause_of, display_name, parse_document, read_text
from .compile import compile_rules, duplicate_rule_ids
from .files import BUILTIN, pack_files
from .model import RulePack
from .params import apply_overrides, collect_params_and_scoring
from .declarations import collect_escalation, collect_fields
from .places import with_lines
from .select import collect_profiles, select_rules
from .spec import PackFile, Scoring

__all__ = ["BUILTIN", "load_pack"]

def load_pack(
    roots: Union[str, os.PathLike, Iterable[Union[str, os.PathLike]]] = BUILTIN,
    params: Optional[dict[str, Any]] = None,
    *,
    select: Optional[Iterable[str]] = None,
    ignore: Optional[Iterable[str]] = None,
    profile: Optional[str] = None,
) -> RulePack:
    """Load, check and compile one or more rule packs (``"builtin"`` names the default pack).

    ``params`` override the packs' params; a value given as text (``--set``) is
    read as a YAML scalar. ``select``, ``ignore`` (rule ids or families) and
    ``profile`` (a profile of the pack) choose the rules that are evaluated.
    Raises :class:`PackError` listing every problem, or :class:`UsageError`
    for an unknown or ill-typed param override or an unknown rule, family or
    profile.
    """
    if isinstance(roots, (str, os.PathLike)):
        roots = [roots]
    roots = [os.fspath(r) for r in roots] or [BUILTIN]
    problems: list[Diagnostic] = []
    parsed: list[tuple[str, PackFile]] = []
    sources: dict[str, tuple[str, Any]] = {}  # each file's text and data, for the lines of its problems
    notes: list[str] = []
    digest = hashlib.sha256()
    for root in roots:
        found = pack_files(root)
        notes += found.notes
        for path, rel, shown in found.files:
            text = read_text(path, shown, DEFAULT_LIMITS, error=PackError)
            digest.update(f"{len(parsed)}\0{rel}\0".encode())
            digest.update(text.encode())
            try:
                data = parse_document(text, shown, ".yaml")
            except Exception as exc:  # a LedgerError raised by the shared parser
                problems.extend(getattr(exc, "diagnostics", [Diagnostic(shown, "", str(exc))]))
                continue
            if data is None:
                continue
            sources[shown] = (text, data)
            try:
                parsed.append((shown, _parse_file(data, shown)))
            except PackError as exc:
                problems.extend(exc.diagnostics)
    if problems:
        raise PackError(with_lines(problems, sources))

    try:
        try:
            defaults, param_info, scoring = collect_params_and_scoring(parsed)
        except PackError as exc:  # the rules' duplicate ids are reported in the same run as the params'
            raise PackError(list(exc.diagnostics) + duplicate_rule_ids(parsed)) from None
        fields = collect_fields(parsed)
        effective = apply_overrides(defaults, params or {}, param_info)
        rules = compile_rules(parsed, effective, fields)
        if not rules:
            raise PackError.at(",".join(roots), "", "规则包中没有规则")
        available = tuple(rule.id for rule in rules)
        profiles = collect_profiles(parsed, available)
        escalation = collect_escalation(parsed, effective)
        chosen = select_rules(available, profiles, select, ignore, profile)
    except PackError as exc:
        raise PackError(with_lines(list(exc.diagnostics), sources)) from None
    digest.update(json.dumps(effective, sort_keys=True, ensure_ascii=False).encode())
    if len(chosen) < len(available):  # a full selection hashes as a Part 1 pack did
        digest.update(("\0selected\0" + ",".join(chosen)).encode())
    return RulePack(
        rules=tuple(rule for rule in rules if rule.id in set(chosen)),
        params=effective,
        defaults=defaults,
        scoring=_checked(scoring or Scoring()),
        source=",".join(display_name(root) for root in roots),
        sha256=digest.hexdigest(),
        files=tuple(shown for shown, _ in parsed),
        param_info=param_info,
        profiles=profiles,
        escalation=escalation,
        fields=fields,
        available=available,
        notes=tuple(notes),
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
