"""Step definitions shared by every feature in ``features/``.

- :mod:`.ledger`  — Chinese table columns → ledger items, and each kind's clean defaults;
- :mod:`.scene`   — the state of one scenario (the ``scene`` fixture) and the cached engines;
- :mod:`.given`   — 假如 基准日为 …, 台账中有以下事项:, 事项有以下节点/问题/督查记录/走访记录:,
  县里有以下单位:, 参数 "…" 设为 …, 规则目录 "…" 中有文件 "…":;
- :mod:`.results` — 当 运行督办检查, 那么 事项 "…" 触发/不触发 "…", messages, evidence, points,
  scores, tiers, lights, ranks;
- :mod:`.command_line` — 当 在命令行运行 "duban …", 那么 退出码为 …, output and JSON checks.

``tests/test_features.py`` binds them with :func:`step_fixtures`. A new scenario that uses these
sentences needs no new Python; ``features/README.md`` lists them for policy officers.
"""

from __future__ import annotations

from typing import Any

from . import command_line, given, results, scene

MODULES = (scene, given, results, command_line)


def step_fixtures() -> dict[str, Any]:
    """Every step definition (pytest-bdd registers them as fixtures) and the ``scene`` fixture."""
    found: dict[str, Any] = {"scene": scene.scene}
    for module in MODULES:
        for name, value in vars(module).items():
            if name.startswith("pytestbdd_"):
                found[name] = value
    return found
