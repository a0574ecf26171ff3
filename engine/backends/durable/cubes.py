"""Cubes: exclusive conjunctions of atomic durable tests, and their JSON patterns.

A condition compiles into a list of pairwise exclusive cubes, so that durable
fires a rule at most once per record (it fires once per true alternative of
an ``$or``). This module is the algebra of cubes: consistency, conjunction,
the properties a cube reads, and the durable pattern of a rule.
"""

from __future__ import annotations

from typing import Any

from .encode import GUARD

__all__ = [
    "Atom", "Cube", "TRUE", "FALSE", "TooBig", "NEGATED", "COMPARISONS", "ORDERINGS", "EXPANSION_LIMIT",
    "consistent", "conjoin", "pattern", "properties",
]

NEGATED = {"eq": "ne", "ne": "eq", "lt": "gte", "gte": "lt", "lte": "gt", "gt": "lte"}
_DURABLE_OP = {"ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}
COMPARISONS = frozenset(NEGATED)
ORDERINGS = frozenset({"lt", "lte", "gt", "gte"})

# An atom is a tuple:
#   ("ex", p) / ("nex", p)         property p present / absent
#   ("cmp", p, op, value)          p op literal (op in eq ne lt lte gt gte)
#   ("fcmp", p, op, q)             p op property q ($m)
#   ("flag", t, 0|1)               precomputed test
# A cube is a frozenset of atoms; a condition is a list of pairwise exclusive
# cubes ([] is false, [frozenset()] is true).

Atom = tuple
Cube = frozenset
TRUE: list[Cube] = [frozenset()]
FALSE: list[Cube] = []


class TooBig(Exception):
    pass


# Cubes an intermediate result may reach before a rule is declared too big.
EXPANSION_LIMIT = 4096


def consistent(cube: Cube) -> bool:
    present: set[str] = set()
    absent: set[str] = set()
    flags: dict[str, int] = {}
    equal: dict[str, Any] = {}
    unequal: dict[str, set] = {}
    for atom in cube:
        kind = atom[0]
        if kind == "ex":
            present.add(atom[1])
        elif kind == "nex":
            absent.add(atom[1])
        elif kind == "flag":
            if flags.setdefault(atom[1], atom[2]) != atom[2]:
                return False
        else:
            present.add(atom[1])
            if kind == "fcmp":
                present.add(atom[3])
            elif atom[2] == "eq":
                if atom[1] in equal and equal[atom[1]] != atom[3]:
                    return False
                equal[atom[1]] = atom[3]
            elif atom[2] == "ne":
                unequal.setdefault(atom[1], set()).add(atom[3])
    if present & absent:
        return False
    return not any(p in unequal and v in unequal[p] for p, v in equal.items())


def conjoin(left: list[Cube], right: list[Cube]) -> list[Cube]:
    out: list[Cube] = []
    for a in left:
        for b in right:
            cube = a | b
            if consistent(cube):
                out.append(cube)
                if len(out) > EXPANSION_LIMIT:
                    raise TooBig
    return out


def _atom_json(atom: Atom) -> dict:
    kind = atom[0]
    if kind == "ex":
        return {"$ex": {atom[1]: 1}}
    if kind == "nex":
        return {"$nex": {atom[1]: 1}}
    if kind == "flag":
        return {atom[1]: atom[2]}
    right = {"$m": atom[3]} if kind == "fcmp" else atom[3]
    if atom[2] == "eq":
        return {atom[1]: right}
    return {_DURABLE_OP[atom[2]]: {atom[1]: right}}


_ATOM_RANK = {"ex": 0, "nex": 0, "cmp": 1, "fcmp": 2, "flag": 3}


def _atom_order(atom: Atom) -> tuple:
    return (_ATOM_RANK[atom[0]], atom[1], atom[0], str(atom[2:]))


def pattern(cubes: list[Cube]) -> dict:
    """The durable pattern of a rule: the guard AND the exclusive alternatives."""
    guard = {GUARD: 1}
    if len(cubes) == 1:
        atoms = [_atom_json(a) for a in sorted(cubes[0], key=_atom_order)]
        return {"$and": [guard, *atoms]} if atoms else guard
    branches = []
    for cube in cubes:
        atoms = [_atom_json(a) for a in sorted(cube, key=_atom_order)]
        branches.append(atoms[0] if len(atoms) == 1 else {"$and": atoms})
    return {"$and": [guard, {"$or": branches}]}


def properties(cubes: list[Cube]) -> set[str]:
    names: set[str] = set()
    for cube in cubes:
        for atom in cube:
            names.add(atom[1])
            if atom[0] == "fcmp":
                names.add(atom[3])
    return names
