"""The callbacks sit behind their extras: ``import aiceberg`` pulls no ML library, and a callback whose
library is absent says which extra to install."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
ML = ("torch", "transformers", "accelerate", "lightning", "pytorch_lightning", "keras", "tensorflow", "jax")


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"})


def test_aiceberg_and_the_shared_part_import_no_ml_library() -> None:
    r = _python(
        f"""
        import sys
        import aiceberg, aiceberg.integrations, aiceberg.integrations.session, aiceberg.integrations.model_card
        print(sorted(m for m in {ML!r} if m in sys.modules))
        """
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("module", "blocked", "extra"),
    [
        ("transformers", ("transformers",), "transformers"),
        ("lightning", ("lightning", "pytorch_lightning"), "lightning"),
        ("keras", ("keras",), "keras"),
    ],
)
def test_a_callback_without_its_library_names_the_extra(module: str, blocked: tuple[str, ...], extra: str) -> None:
    r = _python(
        f"""
        import importlib.abc, sys

        class Absent(importlib.abc.MetaPathFinder):  # as if the library were not installed
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {blocked!r}:
                    raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
                return None

        sys.meta_path.insert(0, Absent())
        from aiceberg.errors import MissingExtraError
        try:
            import aiceberg.integrations.{module}
        except MissingExtraError as exc:
            assert isinstance(exc, ImportError)
            print(exc)
        """
    )
    assert r.returncode == 0, r.stderr
    assert f"pip install 'aiceberg[{extra}]'" in r.stdout
