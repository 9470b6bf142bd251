"""What the test folders share: the repository's fakes importable (``tests.fakes``), an environment
isolated from the user's and from any launcher's (``isolated``), a subprocess's environment on a
temporary store (``env``), and a store on each backend (``target``).

A folder opts in to the isolation with an autouse fixture that requests ``isolated``. The PostgreSQL
server comes from ``AICEBERG_TEST_POSTGRES_URL`` (``eval "$(bash scripts/start-postgres)"`` starts a
throwaway one and sets it); without it, or when it is unreachable, or without psycopg, the PostgreSQL
cases are skipped with the reason. Each test gets its own schema (dropped afterwards), through the
URL's ``options=-csearch_path%3D…``, so that runs do not interfere and subprocesses reach the same tables.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # ``tests.fakes``, however pytest is started
    sys.path.insert(0, str(ROOT))

# Read at import: ``isolated`` removes every AICEBERG_* variable.
PG_URL = os.environ.get("AICEBERG_TEST_POSTGRES_URL", "").strip()
#: the settings' variables and what a launcher sets: removed from an isolated test's environment (the suite
#: may run inside a job)
ISOLATED_PREFIXES = ("AICEBERG_", "SLURM", "OMPI_", "PMI", "TORCHELASTIC_")
ISOLATED_NAMES = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "GROUP_RANK", "CUDA_VISIBLE_DEVICES")


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No setting of the user's, no launcher's variable: the configuration, data and runtime folders are
    the test's own."""
    for k in list(os.environ):
        if k.startswith(ISOLATED_PREFIXES) or k in ISOLATED_NAMES:
            monkeypatch.delenv(k)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("AICEBERG_RUNTIME_DIR", str(tmp_path / "runtime"))


@pytest.fixture
def env(isolated: None, tmp_path: Path) -> dict[str, str]:
    """An environment for subprocesses: a temporary store and configuration."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("AICEBERG_")}
    e["AICEBERG_DB"] = str(tmp_path / "runs.db")
    e["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    e["XDG_DATA_HOME"] = str(tmp_path / "data")
    return e


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The test server's URL, or a skip that says why there is none."""
    if not PG_URL:
        pytest.skip("AICEBERG_TEST_POSTGRES_URL is not set (eval \"$(bash scripts/start-postgres)\" sets it)")
    psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'aiceberg[postgres]')")
    try:
        psycopg.connect(PG_URL, connect_timeout=5).close()
    except psycopg.Error as exc:
        pytest.skip(f"the PostgreSQL server of AICEBERG_TEST_POSTGRES_URL is unreachable: {' '.join(str(exc).split())}")
    return PG_URL


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A URL whose tables live in a fresh schema of the test database, dropped after the test."""
    import psycopg

    schema = f"aiceberg_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{pg_server}{'&' if '?' in pg_server else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a store lives: a SQLite file, or a PostgreSQL URL (skipped when there is no server)."""
    if request.param == "sqlite":
        return str(tmp_path / "runs.db")
    return str(request.getfixturevalue("pg_url"))
