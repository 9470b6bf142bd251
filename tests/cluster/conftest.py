"""Fixtures of the cluster tests: an isolated environment, the harness importable, a store on each backend."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
if str(HERE.parents[1]) not in sys.path:  # ``tests.fakes``, however pytest is started
    sys.path.insert(0, str(HERE.parents[1]))

# Read at import: the autouse fixture below removes every AICEBERG_* variable.
PG_URL = os.environ.get("AICEBERG_TEST_POSTGRES_URL", "").strip()
#: what a launcher sets, removed from the tests' own environment (the suite may run inside a job)
LAUNCHER_PREFIXES = ("AICEBERG_", "SLURM", "OMPI_", "PMI", "TORCHELASTIC_")
LAUNCHER_NAMES = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "GROUP_RANK", "CUDA_VISIBLE_DEVICES")


@pytest.fixture
def base_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a simulated rank before its launcher's variables."""
    e = {k: v for k, v in os.environ.items() if not k.startswith(LAUNCHER_PREFIXES) and k not in LAUNCHER_NAMES}
    e["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    e["XDG_DATA_HOME"] = str(tmp_path / "data")
    return e


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for k in list(os.environ):
        if k.startswith(LAUNCHER_PREFIXES) or k in LAUNCHER_NAMES:
            monkeypatch.delenv(k)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("AICEBERG_RUNTIME_DIR", str(tmp_path / "runtime"))


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

    schema = f"aiceberg_c_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{pg_server}{'&' if '?' in pg_server else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the ranks write: a SQLite file, or a PostgreSQL URL (skipped when there is no server)."""
    if request.param == "sqlite":
        return str(tmp_path / "runs.db")
    return str(request.getfixturevalue("pg_url"))
