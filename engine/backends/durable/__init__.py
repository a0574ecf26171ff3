"""The durable-rules backend: the intermediate form compiled into Rete rulesets.

:class:`DurableMatcher` has the interface of
:class:`engine.backends.python.PythonMatcher` and returns exactly what it
returns, for every input. durable-rules is imported in this package and
nowhere else, and only lazily, so that it imports on a Python where
durable-rules cannot (3.13+); :func:`durable_available` tells.

- :mod:`.encode`   fact values → what durable compares exactly (or "unsafe")
- :mod:`.compile`  conditions → exclusive cubes → durable rulesets, the record plan
- :mod:`.run`      the Host, slot ids, chunks asserted and retracted, the matcher
"""

from .run import DurableMatcher, durable_available

__all__ = ["DurableMatcher", "durable_available"]
