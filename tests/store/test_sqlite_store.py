"""The SQLite run store: migrations, round trip, stale runs, concurrent writers, default path."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from aiceberg.config import default_db_path, load_settings
from aiceberg.errors import StoreError
from aiceberg.store import ChannelRow, NewRun, PhaseRow, SampleRow, open_store
from aiceberg.store.sqlite import MIGRATIONS, SQLiteStore


def new_run(run_id: str, *, pid: int | None = None, hostname: str | None = None, flush: float = 5.0) -> NewRun:
    import os
    import socket

    return NewRun(
        run_id=run_id, started_at="2025-01-01T00:00:00.000Z", started_unix=time.time(),
        pid=os.getpid() if pid is None else pid, hostname=hostname or socket.gethostname(),
        name="t", command="python x.py", flush_every_s=flush,
    )


def test_migrations_are_recorded_once(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "runs.db"
    store = SQLiteStore(db)
    assert store.schema_version() == MIGRATIONS[-1][0]
    store.close()
    SQLiteStore(db).close()
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT version, name FROM schema_migrations").fetchall()
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert [r[0] for r in rows] == [m[0] for m in MIGRATIONS]
    assert mode == "wal"


def test_round_trip() -> None:
    store = open_store(":memory:")
    store.create_run(new_run("abc123"), [ChannelRow("rapl:0", "rapl", "cpu", "package-0", "measured")])
    store.append(
        "abc123",
        [SampleRow(0.0, "rapl:0", 0.0, 10.0), SampleRow(1.0, "rapl:0", None, None, "EIO"),
         SampleRow(2.0, "rapl:0", 20.0)],
        [PhaseRow(0, "epoch 1", 0.0)],
        heartbeat_unix=time.time(), partial={"duration_s": 2.0, "energy_kwh": 20 / 3.6e6},
    )
    store.append("abc123", [], [PhaseRow(0, "epoch 1", 0.0, 2.0, 20.0)], heartbeat_unix=time.time())
    assert store.get_run("abc").status == "running"
    assert store.get_run("abc").energy_kwh == pytest.approx(20 / 3.6e6)
    store.finish_run("abc123", status="finished", ended_at="2025-01-01T00:00:02.000Z", duration_s=2.0,
                     energy_kwh=1e-5, co2e_kg=1e-6, exit_code=0, end_reason=None, summary={"x": 1})
    rec = store.get_run("abc123")
    assert (rec.status, rec.exit_code, rec.summary) == ("finished", 0, {"x": 1})
    samples = store.samples("abc123")
    assert [s.energy_j for s in samples] == [0.0, None, 20.0] and samples[1].error == "EIO"
    assert store.phases("abc123") == [PhaseRow(0, "epoch 1", 0.0, 2.0, 20.0)]
    assert store.channels("abc123")[0].domain == "cpu"
    with pytest.raises(StoreError, match="no run"):
        store.get_run("zzz")
    store.create_run(new_run("abd999"), [])
    with pytest.raises(StoreError, match="ambiguous"):
        store.get_run("ab")
    store.close()


def test_a_running_run_whose_owner_is_dead_becomes_interrupted(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    db = tmp_path / "runs.db"
    store = open_store(db)
    store.create_run(new_run("dead", pid=proc.pid), [])
    store.create_run(new_run("alive"), [])  # this process: alive
    store.create_run(new_run("faraway", pid=1, hostname="elsewhere", flush=0.001), [])
    store.close()
    store = open_store(db)
    assert store.get_run("dead").status == "interrupted"
    assert store.get_run("alive").status == "running"
    assert store.get_run("faraway").status == "running"  # another host with a fresh heartbeat
    store.close()
    store = open_store(db, stale_after_s=0.0)
    time.sleep(0.01)
    statuses = {r.run_id: r.status for r in store.list_runs()}
    assert statuses["faraway"] == "interrupted"  # stale heartbeat
    store.close()


WRITER = textwrap.dedent(
    """
    import os, socket, sys, time
    from aiceberg.store import open_store, NewRun, ChannelRow, SampleRow
    db, run_id, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = open_store(db)
    store.create_run(NewRun(run_id, "2025-01-01T00:00:00Z", time.time(), os.getpid(), socket.gethostname()),
                     [ChannelRow("c", "fake", "cpu", "c", "measured")])
    for i in range(0, n, 10):
        store.append(run_id, [SampleRow(float(j), "c", float(j)) for j in range(i, i + 10)],
                     heartbeat_unix=time.time())
    store.finish_run(run_id, status="finished", ended_at="x", duration_s=1.0, energy_kwh=0.0,
                     co2e_kg=None, exit_code=0, end_reason=None, summary={})
    """
)


def test_two_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    n = 2000
    procs = [subprocess.Popen([sys.executable, str(script), str(db), f"w{k}", str(n)]) for k in range(2)]
    assert [p.wait(120) for p in procs] == [0, 0]
    store = open_store(db)
    for k in range(2):
        samples = store.samples(f"w{k}")
        assert len(samples) == n
        assert [s.t_s for s in samples] == [float(j) for j in range(n)]
        assert store.get_run(f"w{k}").status == "finished"
    store.close()


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


def test_unwritable_store_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError):
        open_store(blocker / "runs.db")
