"""The scenario tests run isolated: no configured store or settings leak in, each test's store is its own."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated(isolated: None) -> None:
    """Every test here runs isolated from the user's settings (``tests/conftest.py``)."""
