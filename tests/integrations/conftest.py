"""The integrations' test group: the callbacks against the real ML libraries.

The files that need an ML library are collected only where it is installed: the default suite (the
``[test]`` extra) has none, and ``scripts/test`` says in one line that this group runs separately
(``bash scripts/test-integrations``: its own virtual environment with ``[test-integrations]``). There
``AICEBERG_INTEGRATIONS=required`` is set, and a library missing is an error, never a silent skip. The
files without an ML library (the session, the model card, the ranks) run in both.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
for path in (str(HERE), str(HERE.parent)):  # ``node`` here, and ``fakes`` (tests/fakes)
    if path not in sys.path:
        sys.path.insert(0, path)

from node import FakeNode  # noqa: E402

#: Each file that needs ML libraries, and which (module names, as imported).
NEEDS: dict[str, tuple[str, ...]] = {
    "test_transformers.py": ("torch", "transformers", "accelerate", "tensorboard", "mlflow", "wandb"),
    "test_lightning.py": ("torch", "lightning", "tensorboard"),
    "test_keras.py": ("torch", "keras"),
    "test_ranks.py": ("torch", "transformers", "accelerate", "lightning"),
}


def _missing(modules: tuple[str, ...]) -> list[str]:
    return [m for m in modules if importlib.util.find_spec(m) is None]


MISSING = {name: miss for name, mods in NEEDS.items() if (miss := _missing(mods))}
collect_ignore = sorted(MISSING)

if MISSING and os.environ.get("AICEBERG_INTEGRATIONS") == "required":
    lines = "; ".join(f"{name}: {', '.join(miss)}" for name, miss in sorted(MISSING.items()))
    raise pytest.UsageError(
        f"AICEBERG_INTEGRATIONS=required but libraries are missing ({lines}): pip install torch==2.13.0 "
        "then pip install -e '.[test-integrations]' (scripts/test-integrations does both)"
    )


@pytest.fixture
def node(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeNode]:
    """A machine of known energy: a fake powercap tree, a temporary store and configuration, this
    process's environment pointing at them (and no launcher variables)."""
    fake = FakeNode(tmp_path)
    for key in list(os.environ):
        if (key.startswith("AICEBERG_") and key != "AICEBERG_INTEGRATIONS") or key in fake.LAUNCHER_VARS:
            monkeypatch.delenv(key)
    for key, value in fake.env().items():
        monkeypatch.setenv(key, value)
    yield fake
