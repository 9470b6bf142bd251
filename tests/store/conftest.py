"""Fixtures of the store tests: the isolated environment, a subprocess's environment and a store on each
backend come from ``tests/conftest.py`` (``isolated``, ``env``, ``target``, ``pg_url``)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated(isolated: None) -> None:
    """Every test here runs isolated from the user's settings."""
