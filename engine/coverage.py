"""Policy coverage: which demands of the speech the rules enforce, and which they miss.

``duban coverage`` splits the policy text into sentences and pairs each with
the rules whose clause quotes it (SPEC Part 2, "Analysts"; the exact readings
are in "Part 2 in detail"):

- sentences end at 。！？；!?; and at line ends; blank pieces are dropped;
- a sentence is a *demand* when it contains 要, 必须, 确保 or 应, matched as
  written (主要 contains 要: no word segmentation);
- a rule *covers* a sentence when, after NFKC normalisation (full-width
  punctuation becomes ASCII), the rule's clause contains the sentence or the
  sentence contains the clause;
- the share is covered demands ÷ demands × 100, rounded half up to one
  decimal; a policy without demands counts as fully covered.
"""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction
from pydantic import BaseModel, ConfigDict, Field

from .exact import round_half_up
from .pack import RulePack

__all__ = ["DEMAND_WORDS", "PolicySentence", "Coverage", "split_sentences", "is_demand", "covers", "coverage"]

DEMAND_WORDS = ("要", "必须", "确保", "应")
# Where a sentence ends; line ends too (the speech's paragraphs).
_ENDS = re.compile(r"[。！？；!?;\r\n]+")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PolicySentence(_Model):
    """One sentence of the policy: its place (from 1), its text, whether it is a demand, the rules that quote it."""

    index: int
    text: str
    demand: bool
    rules: list[str] = Field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.rules)


class Coverage(_Model):
    """The policy's sentences with the rules that quote them, and the share of demands covered.

    ``share`` is a percentage rounded to one decimal; ``uncovered`` lists the
    indices of the demands no rule quotes; ``rules`` are the ids of the rules
    considered and ``unquoted`` those whose clause quotes no sentence (a
    clause misquoted, or from another text).
    """

    policy: str
    rules_source: str
    rules: list[str]
    unquoted: list[str]
    sentences: list[PolicySentence]
    demands: int
    covered: int
    share: float
    uncovered: list[int]

    def uncovered_sentences(self) -> list[PolicySentence]:
        wanted = set(self.uncovered)
        return [s for s in self.sentences if s.index in wanted]

    def below(self, percent: float) -> bool:
        """Whether the share (as printed, to one decimal) is below ``percent`` (``--fail-under``)."""
        return Fraction(str(self.share)) < Fraction(str(percent))


def split_sentences(text: str) -> list[str]:
    """The policy's sentences, in order, stripped of surrounding white space (full-width too)."""
    return [piece.strip() for piece in _ENDS.split(text) if piece.strip()]


def is_demand(sentence: str) -> bool:
    """A sentence that demands something: it contains 要, 必须, 确保 or 应 as written."""
    return any(word in sentence for word in DEMAND_WORDS)


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def covers(clause: str, sentence: str) -> bool:
    """Whether a rule's clause quotes the sentence: after NFKC, one contains the other (an empty clause quotes nothing)."""
    clause, sentence = _normal(clause), _normal(sentence)
    return bool(clause) and bool(sentence) and (clause in sentence or sentence in clause)


def coverage(pack: RulePack, text: str, policy: str) -> Coverage:
    """Pair every sentence of ``text`` (the policy named ``policy``) with the pack's rules that quote it."""
    clauses = [(rule.id, rule.clause) for rule in pack.rules]
    sentences = [
        PolicySentence(index=index, text=sentence, demand=is_demand(sentence),
                       rules=sorted(rule for rule, clause in clauses if covers(clause, sentence)))
        for index, sentence in enumerate(split_sentences(text), start=1)
    ]
    demands = [s for s in sentences if s.demand]
    covered = [s for s in demands if s.covered]
    share = round_half_up(Fraction(100 * len(covered), len(demands))) if demands else Fraction(100)
    quoted = {rule for s in sentences for rule in s.rules}
    return Coverage(
        policy=policy,
        rules_source=pack.source,
        rules=sorted(rule for rule, _ in clauses),
        unquoted=sorted(rule for rule, _ in clauses if rule not in quoted),
        sentences=sentences,
        demands=len(demands),
        covered=len(covered),
        share=float(share),
        uncovered=[s.index for s in demands if not s.covered],
    )
