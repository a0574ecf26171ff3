"""Shared fixtures: the sample ledger, engines, a CLI runner that asserts exit codes, and ledger builders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner

from cli import main
from engine import Engine, load_ledger

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "facts" / "sample-county.yaml"
AS_OF = date(2026, 11, 28)


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def python_engine() -> Engine:
    return Engine.default(backend="python")


@pytest.fixture(scope="session")
def durable_engine() -> Engine:
    return Engine.default(backend="durable")


@pytest.fixture
def run_cli() -> Callable[..., Any]:
    """Invoke the click command line in-process and assert its exit code."""

    def run(*args: str, code: int = 0) -> Any:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == code, f"exit {result.exit_code} != {code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        return result

    return run


def duban_executable() -> list[str]:
    """The installed console script next to this Python, else the checkout's cli.py."""
    script = Path(sys.executable).parent / "duban"
    if script.exists():
        return [str(script)]
    found = shutil.which("duban")
    return [found] if found else [sys.executable, str(ROOT / "cli.py")]


@pytest.fixture
def run_duban() -> Callable[..., subprocess.CompletedProcess]:
    """Run duban as a real process (exit codes, stderr, no traceback)."""

    def run(*args: str, code: int = 0, cwd: Path | None = None) -> subprocess.CompletedProcess:
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        proc = subprocess.run(
            duban_executable() + list(args), capture_output=True, text=True, cwd=cwd or ROOT, env=env, timeout=120
        )
        assert proc.returncode == code, f"exit {proc.returncode} != {code}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        assert "Traceback" not in proc.stderr
        return proc

    return run


def generate_ledger(path: Path, items: int, seed: int) -> Path:
    """bench/generate.py's ledger of ``items`` items written to ``path`` (its form from the suffix)."""
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(items), "--seed", str(seed),
                    "--out", str(path)], check=True, capture_output=True, timeout=600)
    return path


def make_item(**fields: Any) -> dict[str, Any]:
    """A valid, clean project item at 2026-11-28, with ``fields`` overriding."""
    base: dict[str, Any] = {
        "id": "P-1",
        "kind": "project",
        "title": "测试项目",
        "owner": "张三",
        "unit": "县住建局",
        "leader": "李四",
        "start": "2026-01-01",
        "due": "2027-12-31",
        "started_on": "2026-01-05",
        "progress": 60,
        "progress_reported_on": "2026-11-20",
        "milestones": [{"name": "开工", "due": "2026-02-01", "done_on": "2026-01-05"}],
        "supervisions": [{"date": "2026-11-10", "by": "县督查室"}],
        # A fresh written reply (回执) with cause and measures: LAG-03 stays quiet on a clean item.
        "responses": [{"date": "2026-11-15", "cause": "征地拆迁滞后", "measures": "增加施工班组,倒排工期"}],
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def make_ledger(*items: dict[str, Any], units: list[dict[str, Any]] | None = None, as_of: str = "2026-11-28") -> Any:
    return load_ledger({"ledger": {"county": "测试县", "as_of": as_of}, "units": units or [], "items": list(items)})
