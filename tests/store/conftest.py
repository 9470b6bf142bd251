"""Fixtures of the store tests: an isolated environment, and a store on each backend.

The PostgreSQL server comes from ``AICEBERG_TEST_POSTGRES_URL`` (``eval "$(bash scripts/start-postgres)"``
starts a throwaway one and sets it); without it, or when it is unreachable, or without psycopg, the
PostgreSQL cases are skipped with the reason. Each test gets its own schema (dropped afterwards), through
the URL's ``options=-csearch_path%3D…``, so that runs do not interfere and subprocesses reach the same
tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from storekit import with_schema

HERE = Path(__file__).parent
# Read at import: the autouse fixture below removes every AICEBERG_* variable.
PG_URL = os.environ.get("AICEBERG_TEST_POSTGRES_URL", "").strip()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment for subprocesses: a temp store and config."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("AICEBERG_")}
    e["AICEBERG_DB"] = str(tmp_path / "runs.db")
    e["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    e["XDG_DATA_HOME"] = str(tmp_path / "data")
    return e


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for k in list(os.environ):
        if k.startswith("AICEBERG_"):
            monkeypatch.delenv(k)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


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
        yield with_schema(pg_server, schema)
    finally:
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a store lives: a SQLite file, or a PostgreSQL URL (skipped when there is no server)."""
    if request.param == "sqlite":
        return str(tmp_path / "runs.db")
    return str(request.getfixturevalue("pg_url"))
