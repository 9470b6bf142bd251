from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
if str(HERE.parents[1]) not in sys.path:  # ``tests.fakes``, however pytest is started
    sys.path.insert(0, str(HERE.parents[1]))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment for subprocesses: a temp store and config, the source tree importable."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("AICEBERG_")}
    e["AICEBERG_DB"] = str(tmp_path / "runs.db")
    e["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    e["XDG_DATA_HOME"] = str(tmp_path / "data")
    e["PYTHONPATH"] = os.pathsep.join([str(HERE), *filter(None, [os.environ.get("PYTHONPATH")])])
    return e


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for k in list(os.environ):
        if k.startswith("AICEBERG_"):
            monkeypatch.delenv(k)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
