"""A store written by aiceberg 0.1.0 upgrades to the current schema without losing a run, a sample or a phase.

``data/store-0.1.0.sql`` was written by 0.1.0's own tracker and store API (its header says how). It is
loaded as is into SQLite; for PostgreSQL its rows are copied into the tables 0.1.0's PostgreSQL
migration made (its text, verbatim, below).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from storekit import new_run, rows

from aiceberg.model.run_summary import RunSummary
from aiceberg.store import ChannelRow, RunEnd, SampleRow, open_store
from aiceberg.store.migrations import LATEST, MIGRATIONS

DUMP = Path(__file__).parent / "data" / "store-0.1.0.sql"
TRACKED = "08af99db5a0b4244a843a216a3556638"

# aiceberg 0.1.0, src/aiceberg/store/postgres.py, MIGRATIONS[0]
OLD_PG_DDL = """
CREATE TABLE runs (
    run_id          TEXT PRIMARY KEY,
    seq             BIGINT GENERATED ALWAYS AS IDENTITY,
    status          TEXT NOT NULL CHECK (status IN ('running','finished','interrupted','failed')),
    name            TEXT,
    project         TEXT NOT NULL DEFAULT 'default',
    command         TEXT,
    location        TEXT,
    pid             INTEGER NOT NULL,
    hostname        TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    started_unix    DOUBLE PRECISION NOT NULL,
    ended_at        TEXT,
    heartbeat_unix  DOUBLE PRECISION,
    interval_s      DOUBLE PRECISION NOT NULL,
    flush_every_s   DOUBLE PRECISION NOT NULL,
    duration_s      DOUBLE PRECISION,
    energy_kwh      DOUBLE PRECISION,
    co2e_kg         DOUBLE PRECISION,
    exit_code       INTEGER,
    end_reason      TEXT,
    summary_json    JSON
);
CREATE INDEX runs_started ON runs (started_unix);
CREATE INDEX runs_status ON runs (status);
CREATE TABLE channels (
    run_id      TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    seq         BIGINT GENERATED ALWAYS AS IDENTITY,
    channel_id  TEXT NOT NULL,
    sensor      TEXT NOT NULL,
    domain      TEXT NOT NULL,
    label       TEXT NOT NULL,
    method      TEXT NOT NULL,
    PRIMARY KEY (run_id, channel_id)
);
CREATE TABLE samples (
    run_id      TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    seq         BIGINT GENERATED ALWAYS AS IDENTITY,
    t_s         DOUBLE PRECISION NOT NULL,
    channel_id  TEXT NOT NULL,
    energy_j    DOUBLE PRECISION,
    power_w     DOUBLE PRECISION,
    error       TEXT
);
CREATE INDEX samples_run ON samples (run_id, t_s);
CREATE TABLE phases (
    run_id      TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    name        TEXT NOT NULL,
    start_s     DOUBLE PRECISION NOT NULL,
    end_s       DOUBLE PRECISION,
    energy_j    DOUBLE PRECISION,
    PRIMARY KEY (run_id, idx)
);
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
"""


def _old_rows() -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """The dump's tables: name → (columns, rows in insertion order)."""
    conn = sqlite3.connect(":memory:")
    conn.executescript(DUMP.read_text(encoding="utf-8"))
    out = {}
    for table in ("runs", "channels", "samples", "phases", "schema_migrations"):
        cur = conn.execute(f"SELECT * FROM {table} ORDER BY rowid")
        out[table] = ([d[0] for d in cur.description], cur.fetchall())
    return out


@pytest.fixture
def old_store(target: str) -> str:
    """``target`` holding 0.1.0's store, at schema version 1."""
    if target.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute(OLD_PG_DDL)
            for table, (cols, data) in _old_rows().items():
                marks = ", ".join(["%s"] * len(cols))
                with conn.cursor() as cur:
                    cur.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", data)
    else:
        with sqlite3.connect(target) as conn:
            conn.executescript(DUMP.read_text(encoding="utf-8"))
    assert rows(target, "SELECT version FROM schema_migrations") == [(1,)]
    return target


def test_a_0_1_0_store_upgrades_without_losing_anything(old_store: str) -> None:
    before = _old_rows()
    store = open_store(old_store)
    assert rows(old_store, "SELECT version FROM schema_migrations ORDER BY version") == [
        (m.version,) for m in MIGRATIONS]
    assert store.schema_version() == LATEST  # type: ignore[attr-defined]
    # every run, newest first as before, with its columns
    runs = store.list_runs()
    old_runs = sorted(before["runs"][1], key=lambda r: -r[9])  # started_unix
    assert [r.run_id for r in runs] == [r[0] for r in old_runs]
    for new, old in zip(runs, old_runs, strict=True):
        assert (new.status, new.started_at, new.duration_s, new.energy_kwh, new.co2e_kg, new.exit_code) == (
            old[1], old[8], old[14], old[15], old[16], old[17])
    # every sample (the reading 0.1.0 wrote twice, once), in time order, gaps still gaps
    old_samples = before["samples"][1]
    assert sum(len(store.samples(r.run_id)) for r in runs) == len(old_samples) - 1
    killed = store.samples("killed-0001")
    assert [(s.t_s, s.channel_id, s.energy_j, s.error) for s in killed] == [
        (0.0, "rapl:0", 0.0, None), (1.0, "rapl:0", 12.5, None), (1.0, "nvml:0", 100.0, None),
        (2.0, "rapl:0", None, "EIO"), (3.0, "rapl:0", 37.5, None)]
    tracked = store.samples(TRACKED)
    assert sorted((s.t_s, s.channel_id, s.energy_j) for s in tracked) == sorted(
        (r[1], r[2], r[3]) for r in old_samples if r[0] == TRACKED)
    # the channel 0.1.0 let a run write without declaring it is kept, as what little is known of it
    assert [c.channel_id for c in store.channels("killed-0001")] == ["rapl:0", "nvml:0"]
    assert store.channels("killed-0001")[1] == ChannelRow("nvml:0", "", "", "nvml:0", "unknown")
    assert [c.channel_id for c in store.channels(TRACKED)] == ["fake-rapl:0", "fake-gpu:0"]
    # phases, and the tracker's version-1 summary read as a typed one
    assert [(p.name, p.end_s) for p in store.phases("killed-0001")] == [("warm-up", 2.0), ("train", None)]
    rec = store.get_run(TRACKED)
    assert isinstance(rec.summary, RunSummary) and rec.summary.footprint is not None
    assert rec.summary.co2e_kg is not None and rec.summary.co2e_kg.central == pytest.approx(rec.co2e_kg)
    assert [p.name for p in rec.summary.phases] == ["epoch 1", "epoch 2"]
    assert store.get_run("failed-0002").summary is None  # 0.1.0 stored {} for it
    assert sum(len(s.points) for s in store.series(TRACKED, max_points=10)) > 0
    # and the store goes on: new runs, and the killed run is marked when asked
    store.create_run(new_run("after-upgrade"), [ChannelRow("c", "f", "cpu", "c", "measured")])
    store.append("after-upgrade", [SampleRow(0.0, "c", 0.0)], heartbeat_unix=0.0)
    store.finish_run("after-upgrade", RunEnd("finished", "x", 1.0))
    assert store.count_runs() == 4 and len(store.samples("after-upgrade")) == 1
    assert "killed-0001" in store.mark_stale_runs()
    store.close()
