"""What only the PostgreSQL store does: concurrent migrations under a lock, schemas in the URL, a lost
connection, errors without the password (the shared behaviour is in test_sql_store.py, on both backends).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from storekit import new_run, pg_rows

from aiceberg.errors import MissingExtraError, StoreError
from aiceberg.store import RunStore, SampleRow, open_store

# -- PostgreSQL only ---------------------------------------------------------------------------------

OPENER = textwrap.dedent(
    """
    import sys, time
    from aiceberg.store import open_store
    while time.time() < float(sys.argv[2]):
        time.sleep(0.001)
    open_store(sys.argv[1]).close()
    """
)


def test_processes_migrating_a_new_schema_at_once_apply_each_migration_once(pg_url: str, tmp_path: Path) -> None:
    from aiceberg.store.migrations import MIGRATIONS

    script = tmp_path / "opener.py"
    script.write_text(OPENER)
    start_at = str(time.time() + 2.0)
    procs = [subprocess.Popen([sys.executable, str(script), pg_url, start_at], stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    errors = [p.communicate(60)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, errors
    rows = pg_rows(pg_url, "SELECT version, name FROM schema_migrations ORDER BY version")
    assert rows == [(m.version, m.name) for m in MIGRATIONS]


def test_url_selects_the_schema_and_postgres_scheme_works(pg_url: str) -> None:
    from aiceberg.store.postgres import PostgresStore

    store = open_store(pg_url.replace("postgresql://", "postgres://", 1))
    assert isinstance(store, PostgresStore)
    store.create_run(new_run("here"), [])
    store.close()
    schema = pg_url.rsplit("%3D", 1)[1]
    assert pg_rows(pg_url, f"SELECT run_id FROM {schema}.runs") == [("here",)]


def test_a_lost_connection_fails_one_write_then_the_store_reconnects(pg_url: str, pg_server: str) -> None:
    import psycopg

    from aiceberg.store.postgres import PostgresStore

    store = open_store(pg_url)
    assert isinstance(store, PostgresStore)
    store.create_run(new_run("r"), [])
    with psycopg.connect(pg_server, autocommit=True) as conn:  # as a server restart would
        conn.execute("SELECT pg_terminate_backend(%s)", (store.dialect.conn.info.backend_pid,))  # type: ignore[attr-defined]
    with pytest.raises(StoreError) as info:
        store.append("r", [SampleRow(0.0, "c", 1.0)], heartbeat_unix=time.time())
    assert info.value.code == "store.unreachable" and "check that the server is running" in str(info.value)
    store.append("r", [SampleRow(0.0, "c", 1.0)], heartbeat_unix=time.time())  # the tracker's next flush
    assert store.samples("r") == [SampleRow(0.0, "c", 1.0)]
    store.close()


def test_connection_errors_are_one_line_store_errors_without_the_password() -> None:
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'aiceberg[postgres]')")
    with pytest.raises(StoreError) as info:
        open_store("postgresql://someone:hunter2secret@127.0.0.1:1/somedb", connect_timeout_s=2)
    text = str(info.value)
    assert info.value.code == "store.unreachable"
    assert "hunter2secret" not in text and "hunter2secret" not in info.value.render("fr") and "\n" not in text
    assert "postgresql://someone:***@127.0.0.1:1/somedb" in text and "check that the server is running" in text
    assert "vérifiez que le serveur tourne" in info.value.render("fr")
    with pytest.raises(StoreError) as info:
        open_store("postgresql://[nope")
    assert info.value.code == "store.bad_url"


def test_a_read_only_database_says_it_cannot_be_written(pg_url: str) -> None:
    with pytest.raises(StoreError) as info:
        open_store(pg_url + "%20-cdefault_transaction_read_only%3Don")
    assert info.value.code == "store.readonly"


def test_a_table_locked_by_another_session_says_so(pg_url: str) -> None:
    import psycopg

    store = open_store(pg_url, busy_timeout_s=0.2)
    store.create_run(new_run("r"), [])
    with psycopg.connect(pg_url) as holder:  # a session that holds the table and does not let go
        holder.execute("LOCK TABLE samples IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(StoreError) as info:
            store.append("r", [SampleRow(0.0, "c", 1.0)], heartbeat_unix=time.time())
        assert info.value.code == "store.locked" and "another process" in str(info.value)
        assert "verrouillé" in info.value.render("fr")
    store.append("r", [SampleRow(0.0, "c", 1.0)], heartbeat_unix=time.time())  # the next try works
    assert len(store.samples("r")) == 1
    store.close()


def test_read_only_opens_create_nothing(pg_url: str) -> None:
    with pytest.raises(StoreError) as info:
        open_store(pg_url, readonly=True)
    assert info.value.code == "store.not_a_store"
    schema = pg_url.rsplit("%3D", 1)[1]
    assert pg_rows(pg_url, f"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{schema}'") == [(0,)]
    open_store(pg_url).close()
    reader = open_store(pg_url, readonly=True)
    assert reader.list_runs() == []
    with pytest.raises(StoreError) as info:
        reader.create_run(new_run("r"), [])
    assert info.value.code == "store.readonly"
    reader.close()


def test_without_psycopg_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg → ModuleNotFoundError
    with pytest.raises(MissingExtraError, match=r"\[postgres\]"):
        open_store("postgresql://u@127.0.0.1:1/db")


def test_every_store_has_every_method_of_the_protocol() -> None:
    from aiceberg.store.postgres import PostgresStore  # importable without psycopg: it is imported lazily
    from aiceberg.store.spool import SpoolingStore
    from aiceberg.store.sqlite import SQLiteStore

    wanted = {name for name in vars(RunStore) if not name.startswith("_")}
    assert {"append", "series", "iter_samples", "stored_at"} <= wanted
    for cls in (PostgresStore, SQLiteStore, SpoolingStore):
        assert all(callable(getattr(cls, name, None)) for name in wanted), cls
