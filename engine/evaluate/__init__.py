"""Evaluation, one stage per module, along the flow of an item::

    Item ──metrics(as_of)──▶ facts ──backend──▶ rule ids ──findings──▶ Finding … ──score──▶ ranked items

- :mod:`.calendar`  working days (the official Chinese calendar, Monday–Friday beyond it)
- :mod:`.metrics`   an item (or unit) at the reference date → its facts
- :mod:`.findings`  a rule that fired → its finding: level, magnitude, message, points
- :mod:`.score`     findings → scores, tiers, lights, the ranking, the summary
- :mod:`.stages`    the pack's rules by stage, their matchers, a chunk of items through both stages
- :mod:`.workers`   chunks of items evaluated in worker processes

:class:`engine.Engine` composes them.
"""
