"""The rule language: rule packs loaded, checked and compiled into intermediate form.

A pack is a folder of YAML files (rules, params, scoring). The flow inside::

    *.yaml ──parse──▶ PackFile (spec) ──compile (vocabulary, params)──▶ Rule … ──▶ RulePack

- :mod:`.spec`        the file format (what a person writes), scoring weights
- :mod:`.vocabulary`  every name a rule may read, with its type and meaning
- :mod:`.conditions`  the condition IR: all / any / not / leaf
- :mod:`.templates`   message and remedy templates: checked at load, rendered later
- :mod:`.params`      params and their overrides (``--set``, ``params=``)
- :mod:`.compile`     one rule's spec → checked :class:`Rule`, every problem located
- :mod:`.model`       :class:`Rule` and :class:`RulePack`: what the engine runs
- :mod:`.load`        :func:`load_pack`: files, sha256, the whole pack
"""

from .load import BUILTIN, load_pack
from .model import CATEGORIES, Escalation, Level, MagnitudeCase, MessageCase, Param, Profile, Rule, RulePack, family_of
from .params import parse_param_value
from .spec import SEVERITIES, Scalar, Scoring, Severity

__all__ = [
    "BUILTIN",
    "CATEGORIES",
    "family_of",
    "Severity",
    "SEVERITIES",
    "Scalar",
    "Scoring",
    "Level",
    "MagnitudeCase",
    "MessageCase",
    "Rule",
    "RulePack",
    "Param",
    "Profile",
    "Escalation",
    "load_pack",
    "parse_param_value",
]
