"""The SQLite store: WAL, the default path, and a clear StoreError for each way a file can fail to open.

Each failure names what is wrong and how to fix it, with a catalog code the web turns into its page.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from storekit import new_run

from aiceberg.config import default_db_path, load_settings
from aiceberg.errors import StoreError
from aiceberg.store import ChannelRow, SampleRow, open_for_reading, open_store
from aiceberg.store.sql import SqlStore
from aiceberg.store.sqlite import SQLiteDialect, SQLiteStore


def test_a_new_store_is_in_wal_mode(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "runs.db"
    SQLiteStore(db).close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_default_path_and_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db_path() == tmp_path / "xdg" / "aiceberg" / "runs.db"
    assert load_settings().db == str(tmp_path / "xdg" / "aiceberg" / "runs.db")
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_db_path() == tmp_path / "home" / ".local" / "share" / "aiceberg" / "runs.db"
    monkeypatch.setenv("AICEBERG_DB", str(tmp_path / "env.db"))
    assert load_settings().db == str(tmp_path / "env.db")
    assert load_settings({"db": str(tmp_path / "arg.db")}).db == str(tmp_path / "arg.db")


def _both_languages(exc: StoreError, where: str) -> None:
    assert where in str(exc) and where in exc.render("fr")
    assert exc.render("fr") != str(exc)
    assert "\n" not in str(exc)


def test_reading_a_missing_store_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "no" / "such" / "dir" / "x.db"
    for opener in (open_for_reading, lambda p: open_store(p, readonly=True), lambda p: open_store(p, create=False)):
        with pytest.raises(StoreError) as info:
            opener(db)
        assert info.value.code == "store.missing"
        _both_languages(info.value, str(db))
    assert not (tmp_path / "no").exists()


def test_a_folder_that_cannot_be_made_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError) as info:
        open_store(blocker / "runs.db")
    assert info.value.code == "store.cannot_open"
    _both_languages(info.value, str(blocker / "runs.db"))


def test_a_damaged_file_is_called_damaged(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    db.write_bytes(b"this is not a database, it is a text file that someone named runs.db\n" * 100)
    for opener in (open_store, open_for_reading):
        with pytest.raises(StoreError) as info:
            opener(db)
        assert info.value.code == "store.corrupt"
        _both_languages(info.value, str(db))


def test_another_applications_database_is_not_taken_for_a_store(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE runs (id INTEGER, what TEXT)")
    with pytest.raises(StoreError) as info:
        open_store(db)
    assert info.value.code == "store.not_a_store"
    with sqlite3.connect(db) as conn:  # untouched
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["runs"]


def test_a_store_locked_by_another_process_says_so(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    store = open_store(db, busy_timeout_s=0.2)
    store.create_run(new_run("r"), [ChannelRow("c", "f", "cpu", "c", "measured")])
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # as a writer that never lets go
    try:
        with pytest.raises(StoreError) as info:
            store.append("r", [SampleRow(0.0, "c", 1.0)], heartbeat_unix=time.time())
        assert info.value.code == "store.locked"
        _both_languages(info.value, str(db))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    store.append("r", [SampleRow(0.0, "c", 1.0)], heartbeat_unix=time.time())  # the next try works
    assert len(store.samples("r")) == 1
    store.close()


def test_a_file_sqlite_cannot_write_is_read_only_and_still_readable(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    store = open_store(db)
    store.create_run(new_run("r"), [])
    store.close()
    # what SQLite answers for a write-protected file (the tests run as root, whom chmod does not stop)
    with pytest.raises(StoreError) as info:
        SqlStore(SQLiteDialect(db, readonly=True)).create_run(new_run("other"), [])
    assert info.value.code == "store.readonly"
    _both_languages(info.value, str(db))
    reader = open_store(db, readonly=True)
    assert [r.run_id for r in reader.list_runs()] == ["r"]
    with pytest.raises(StoreError) as info:
        reader.mark_stale_runs()
    assert info.value.code == "store.readonly"
    reader.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file modes; the case above covers SQLite's answer")
def test_a_read_only_folder_still_lists(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    store = open_store(folder / "runs.db")
    store.create_run(new_run("r"), [])
    store.close()
    folder.chmod(0o555)
    (folder / "runs.db").chmod(0o444)
    try:
        reader = open_for_reading(folder / "runs.db")
        assert [r.run_id for r in reader.list_runs()] == ["r"]
        reader.close()
    finally:
        folder.chmod(0o755)


def test_writers_in_threads_share_one_store(tmp_path: Path) -> None:
    store = open_store(tmp_path / "runs.db")
    for k in range(4):
        store.create_run(new_run(f"t{k}"), [ChannelRow("c", "f", "cpu", "c", "measured")])

    def write(k: int) -> None:
        for i in range(50):
            store.append(f"t{k}", [SampleRow(float(i), "c", float(i))], heartbeat_unix=time.time())

    threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert [len(store.samples(f"t{k}")) for k in range(4)] == [50] * 4
    store.close()
