"""The house rules that hold the layers: import-linter's contracts, and where a function may import.

``scripts/test`` runs ``lint-imports`` before the tests; this module runs the same contracts so that a
plain ``pytest`` catches a forbidden arrow too, and checks the rule import-linter cannot: a function
imports inside its body only an optional package, a heavy one that a light entry point must not pay
for, or (in ``aiceberg.cli``) the stack of the one command that runs.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "aiceberg"

#: Packages behind an extra, or absent on most machines: imported only where they are used.
OPTIONAL = {"starlette", "uvicorn", "psycopg", "pynvml", "amdsmi", "playwright", "httpx", "codecarbon",
            "ecologits", "numpy", "SALib",
            "prometheus_client"}
#: Heavy for a light entry point (measured with ``python -X importtime``): ``tomllib`` ~13 ms, ``decimal``
#: ~3 ms, against ~1 ms for ``import aiceberg``.
HEAVY = {"tomllib", "decimal"}
#: Modules whose function-local imports are by design: each CLI command imports its stack when it runs
#: (``aiceberg --help`` ~10 ms instead of ~150 ms), and ``create_app`` loads the web stack when asked.
BY_DESIGN = {"cli", "web/__init__.py"}
#: Known leftovers, each with who removes it. The list only shrinks.
PENDING: dict[str, str] = {}


def _local_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"))
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, in_function: bool, in_type_checking: bool) -> None:
        for child in ast.iter_child_nodes(node):
            func = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            tc = in_type_checking or (isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test))
            if isinstance(child, (ast.Import, ast.ImportFrom)) and in_function and not in_type_checking:
                names = [a.name for a in child.names] if isinstance(child, ast.Import) else [child.module or ""]
                found.extend((child.lineno, n) for n in names)
            visit(child, func, tc)

    visit(tree, False, False)
    return found


def _allowed(module: str) -> bool:
    top = module.split(".")[0]
    return top in OPTIONAL or top in HEAVY


def test_function_local_imports_are_only_for_optional_or_heavy_packages() -> None:
    bad = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel in PENDING or rel.split("/")[0] in BY_DESIGN or rel in BY_DESIGN:
            continue
        bad += [f"{rel}:{line}: import {mod}" for line, mod in _local_imports(path) if not _allowed(mod)]
    assert not bad, ("imports inside functions hide the layers' arrows; move them to the top of the module "
                     "(or justify the package in tests/test_architecture.py):\n" + "\n".join(bad))


def test_the_pending_list_names_files_that_still_need_it() -> None:
    stale = [rel for rel in PENDING
             if not (SRC / rel).exists() or all(_allowed(m) for _, m in _local_imports(SRC / rel))]
    assert not stale, f"no function-local import left in {stale}: remove them from PENDING"


def test_the_layer_contracts_hold() -> None:
    pytest.importorskip("importlinter", reason="import-linter is in the [test] extra")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    code = "from importlinter.cli import lint_imports_command; lint_imports_command(['--no-cache'])"
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-2000:]
