"""Shared fixtures of the Prometheus tests: the repository's fakes importable, a clean environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
for path in (str(HERE), str(ROOT)):
    if path not in sys.path:  # ``tests.fakes`` and the helpers beside this file, however pytest is started
        sys.path.insert(0, path)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for k in list(os.environ):
        if k.startswith(("AICEBERG_", "SLURM_", "OMPI_", "PMI_", "PMIX_")) or k in ("RANK", "TORCHELASTIC_RUN_ID"):
            monkeypatch.delenv(k)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment for subprocesses: a temp store and config, the source tree importable."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("AICEBERG_")}
    e["AICEBERG_DB"] = str(tmp_path / "runs.db")
    e["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    e["XDG_DATA_HOME"] = str(tmp_path / "data")
    src = str(ROOT / "src")
    e["PYTHONPATH"] = os.pathsep.join([src, str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    return e
