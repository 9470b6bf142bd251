"""The embedded run store: one SQLite file (stdlib ``sqlite3``), WAL, numbered migrations.

Every write is one short ``BEGIN IMMEDIATE`` transaction, and the connection waits up to
``busy_timeout_s`` for a lock, so several trackers can write one file at once without losing a row.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiceberg.errors import StoreError
from aiceberg.store import sqlcommon as q
from aiceberg.store.base import ChannelRow, NewRun, PhaseRow, SampleRow
from aiceberg.store.sqlcommon import now_iso as _now_iso
from aiceberg.store.sqlcommon import pid_alive

__all__ = ["MIGRATIONS", "SQLiteStore", "pid_alive"]

# (version, name, statements). Append only: a released migration is never edited.
MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "runs, channels, samples, phases",
        """
        CREATE TABLE runs (
            run_id          TEXT PRIMARY KEY,
            status          TEXT NOT NULL CHECK (status IN ('running','finished','interrupted','failed')),
            name            TEXT,
            project         TEXT NOT NULL DEFAULT 'default',
            command         TEXT,
            location        TEXT,
            pid             INTEGER NOT NULL,
            hostname        TEXT NOT NULL,
            started_at      TEXT NOT NULL,
            started_unix    REAL NOT NULL,
            ended_at        TEXT,
            heartbeat_unix  REAL,
            interval_s      REAL NOT NULL,
            flush_every_s   REAL NOT NULL,
            duration_s      REAL,
            energy_kwh      REAL,
            co2e_kg         REAL,
            exit_code       INTEGER,
            end_reason      TEXT,
            summary_json    TEXT
        );
        CREATE INDEX runs_started ON runs (started_unix);
        CREATE INDEX runs_status ON runs (status);
        CREATE TABLE channels (
            run_id      TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
            channel_id  TEXT NOT NULL,
            sensor      TEXT NOT NULL,
            domain      TEXT NOT NULL,
            label       TEXT NOT NULL,
            method      TEXT NOT NULL,
            PRIMARY KEY (run_id, channel_id)
        );
        CREATE TABLE samples (
            run_id      TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
            t_s         REAL NOT NULL,
            channel_id  TEXT NOT NULL,
            energy_j    REAL,
            power_w     REAL,
            error       TEXT
        );
        CREATE INDEX samples_run ON samples (run_id, t_s);
        CREATE TABLE phases (
            run_id      TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
            idx         INTEGER NOT NULL,
            name        TEXT NOT NULL,
            start_s     REAL NOT NULL,
            end_s       REAL,
            energy_j    REAL,
            PRIMARY KEY (run_id, idx)
        );
        """,
    ),
]


class SQLiteStore(q.SqlReads):
    """A run store in one SQLite file.

    Args:
        path: the database file (its folder is created), or ``":memory:"``.
        busy_timeout_s: how long a writer waits for another writer's lock.
        stale_after_s: a ``running`` run whose heartbeat is older than this (and at least ten of its
            flush intervals) is considered dead, even on another host or if its pid was reused.
        check_stale: mark dead ``running`` runs as ``interrupted`` when the store is opened.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        busy_timeout_s: float = 30.0,
        stale_after_s: float = 120.0,
        check_stale: bool = True,
    ) -> None:
        self.path = os.fspath(path)
        self.stale_after_s = stale_after_s
        self._lock = threading.RLock()
        self._hostname = socket.gethostname()
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                self.path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
            )
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            self._retry_while_locked(self._init_schema, busy_timeout_s)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open the run store {self.path}: {exc}") from exc
        if check_stale:
            self.mark_stale_runs()

    # -- plumbing ---------------------------------------------------------------------------

    def _init_schema(self) -> None:
        if self.path != ":memory:":
            self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = NORMAL")
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._migrate()

    @staticmethod
    def _retry_while_locked(fn: Any, timeout_s: float) -> None:
        """Run ``fn``, retrying while another process holds the lock.

        Switching to WAL and the first schema statements of a new file can answer "database is locked"
        at once, without SQLite's busy handler, when two processes open the same new store together.
        """
        deadline = time.monotonic() + timeout_s
        delay = 0.01
        while True:
            try:
                fn()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StoreError(f"cannot write the run store {self.path}: {exc}") from exc

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"cannot read the run store {self.path}: {exc}") from exc

    def _migrate(self) -> None:
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        done = {row[0] for row in self._conn.execute("SELECT version FROM schema_migrations")}
        for version, name, sql in MIGRATIONS:
            if version in done:
                continue
            with self._write() as conn:
                # another process may have applied it while we waited for the lock
                if conn.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (version,)).fetchone():
                    continue
                for statement in sql.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, _now_iso()),
                )

    def schema_version(self) -> int:
        """The highest migration applied."""
        return int(self._read("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0][0])

    # -- writes -----------------------------------------------------------------------------

    def create_run(self, run: NewRun, channels: Sequence[ChannelRow]) -> None:
        with self._write() as conn:
            conn.execute(q.INSERT_RUN, q.run_params(run))
            conn.executemany(q.INSERT_CHANNEL, q.channel_params(run.run_id, channels))

    def append(
        self,
        run_id: str,
        samples: Sequence[SampleRow],
        phases: Sequence[PhaseRow] = (),
        *,
        heartbeat_unix: float,
        partial: dict[str, Any] | None = None,
    ) -> None:
        with self._write() as conn:
            conn.executemany(q.INSERT_SAMPLE, q.sample_params(run_id, samples))
            conn.executemany(q.UPSERT_PHASE, q.phase_params(run_id, phases))
            conn.execute(q.UPDATE_HEARTBEAT, q.heartbeat_params(run_id, heartbeat_unix, partial))

    def finish_run(
        self,
        run_id: str,
        *,
        status: str,
        ended_at: str,
        duration_s: float,
        energy_kwh: float | None,
        co2e_kg: float | None,
        exit_code: int | None,
        end_reason: str | None,
        summary: dict[str, Any],
    ) -> None:
        params = q.finish_params(
            run_id, status=status, ended_at=ended_at, duration_s=duration_s, energy_kwh=energy_kwh,
            co2e_kg=co2e_kg, exit_code=exit_code, end_reason=end_reason, summary=summary,
        )
        with self._write() as conn:
            conn.execute(q.FINISH_RUN, params)

    def mark_stale_runs(self) -> list[str]:
        dead = q.stale_runs(self._read(q.SELECT_RUNNING), hostname=self._hostname, stale_after_s=self.stale_after_s)
        if not dead:
            return []
        with self._write() as conn:
            for run_id, reason, ended_at in dead:
                conn.execute(q.MARK_INTERRUPTED, (reason, ended_at, run_id))
        return [d[0] for d in dead]

    # -- reads ------------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._conn.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
