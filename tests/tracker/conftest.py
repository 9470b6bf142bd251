"""Fixtures of the tracker tests: the isolated environment (``tests/conftest.py``), this folder importable
(the scripts its tests run in subprocesses)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))


@pytest.fixture
def env(env: dict[str, str]) -> dict[str, str]:
    """A subprocess's environment (``tests/conftest.py``), this folder importable."""
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


@pytest.fixture(autouse=True)
def _isolated(isolated: None) -> None:
    """Every test here runs isolated from the user's settings."""
