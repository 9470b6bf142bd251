"""Fixtures of the Prometheus tests: the helpers beside this file importable, the isolated environment
(``tests/conftest.py``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
if str(HERE) not in sys.path:  # the helpers beside this file, however pytest is started
    sys.path.insert(0, str(HERE))


@pytest.fixture(autouse=True)
def _isolated(isolated: None) -> None:
    """Every test here runs isolated from the user's settings and from any launcher's variables."""


@pytest.fixture
def env(env: dict[str, str]) -> dict[str, str]:
    """A subprocess's environment (``tests/conftest.py``), the source tree importable."""
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env
