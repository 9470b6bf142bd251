"""Fixtures of the cluster tests: the harness importable, the environment of a simulated rank; the isolated
environment and a store on each backend come from ``tests/conftest.py``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))


@pytest.fixture(autouse=True)
def _isolated(isolated: None) -> None:
    """Every test here runs isolated from the user's settings and from the launcher the suite may run in."""


@pytest.fixture
def base_env(isolated: None, tmp_path: Path) -> dict[str, str]:
    """The environment of a simulated rank before its launcher's variables (none of the settings' either)."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("AICEBERG_")}
    e["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    e["XDG_DATA_HOME"] = str(tmp_path / "data")
    return e


@pytest.fixture
def store_target(target: str) -> str:
    """Where the ranks write: a SQLite file, or a PostgreSQL URL (``tests/conftest.py``'s ``target``)."""
    return target
