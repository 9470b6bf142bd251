"""The embedded run store: one SQLite file (stdlib ``sqlite3``), WAL, numbered migrations.

Every write is one short ``BEGIN IMMEDIATE`` transaction, and the connection waits up to
``busy_timeout_s`` for a lock, so several trackers can write one file at once without losing a row.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiceberg.errors import StoreError
from aiceberg.store.base import ChannelRow, NewRun, PhaseRow, RunRecord, SampleRow

__all__ = ["MIGRATIONS", "SQLiteStore"]

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

_RUN_COLUMNS = (
    "run_id, status, started_at, ended_at, duration_s, energy_kwh, co2e_kg, exit_code, name, project, "
    "command, location, pid, hostname, heartbeat_unix, end_reason, interval_s, summary_json, flush_every_s"
)


def _now_iso(unix: float | None = None) -> str:
    moment = datetime.fromtimestamp(unix, UTC) if unix is not None else datetime.now(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host and is not a zombie."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
        state = stat[stat.rindex(b")") + 2 : stat.rindex(b")") + 3]
        return state not in (b"Z", b"X")
    except (OSError, ValueError):
        return True


class SQLiteStore:
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
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open the run store {self.path}: {exc}") from exc
        if check_stale:
            self.mark_stale_runs()

    # -- plumbing ---------------------------------------------------------------------------

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
            conn.execute(
                "INSERT INTO runs (run_id, status, name, project, command, location, pid, hostname, "
                "started_at, started_unix, heartbeat_unix, interval_s, flush_every_s) "
                "VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run.run_id, run.name, run.project, run.command, run.location, run.pid,
                    run.hostname, run.started_at, run.started_unix, time.time(), run.interval_s,
                    run.flush_every_s,
                ),
            )
            conn.executemany(
                "INSERT INTO channels (run_id, channel_id, sensor, domain, label, method) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(run.run_id, c.channel_id, c.sensor, c.domain, c.label, c.method) for c in channels],
            )

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
            conn.executemany(
                "INSERT INTO samples (run_id, t_s, channel_id, energy_j, power_w, error) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(run_id, s.t_s, s.channel_id, s.energy_j, s.power_w, s.error) for s in samples],
            )
            conn.executemany(
                "INSERT INTO phases (run_id, idx, name, start_s, end_s, energy_j) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (run_id, idx) DO UPDATE SET name = excluded.name, "
                "end_s = excluded.end_s, energy_j = excluded.energy_j",
                [(run_id, p.index, p.name, p.start_s, p.end_s, p.energy_j) for p in phases],
            )
            partial = partial or {}
            conn.execute(
                "UPDATE runs SET heartbeat_unix = ?, duration_s = COALESCE(?, duration_s), "
                "energy_kwh = COALESCE(?, energy_kwh) WHERE run_id = ?",
                (heartbeat_unix, partial.get("duration_s"), partial.get("energy_kwh"), run_id),
            )

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
        with self._write() as conn:
            conn.execute(
                "UPDATE runs SET status = ?, ended_at = ?, duration_s = ?, energy_kwh = ?, co2e_kg = ?, "
                "exit_code = ?, end_reason = ?, summary_json = ?, heartbeat_unix = ? WHERE run_id = ?",
                (
                    status, ended_at, duration_s, energy_kwh, co2e_kg, exit_code, end_reason,
                    json.dumps(summary, default=str), time.time(), run_id,
                ),
            )

    def mark_stale_runs(self) -> list[str]:
        now = time.time()
        rows = self._read(
            "SELECT run_id, pid, hostname, heartbeat_unix, flush_every_s FROM runs WHERE status = 'running'"
        )
        dead: list[tuple[str, str, float | None]] = []
        for run_id, pid, hostname, heartbeat, flush_every in rows:
            stale_after = max(self.stale_after_s, 10 * float(flush_every or 0))
            if hostname == self._hostname and not pid_alive(int(pid)):
                why = f"owner process {pid} is gone; data kept up to its last flush"
                dead.append((run_id, why, heartbeat))
            elif heartbeat is not None and now - heartbeat > stale_after:
                why = f"no heartbeat for {now - heartbeat:.0f} s; data kept up to its last flush"
                dead.append((run_id, why, heartbeat))
        if not dead:
            return []
        with self._write() as conn:
            for run_id, reason, heartbeat in dead:
                conn.execute(
                    "UPDATE runs SET status = 'interrupted', end_reason = ?, ended_at = ? "
                    "WHERE run_id = ? AND status = 'running'",
                    (reason, _now_iso(heartbeat), run_id),
                )
        return [d[0] for d in dead]

    # -- reads ------------------------------------------------------------------------------

    @staticmethod
    def _record(row: tuple[Any, ...]) -> RunRecord:
        summary = json.loads(row[17]) if row[17] else {}
        return RunRecord(
            run_id=row[0], status=row[1], started_at=row[2], ended_at=row[3], duration_s=row[4],
            energy_kwh=row[5], co2e_kg=row[6], exit_code=row[7], name=row[8], project=row[9],
            command=row[10], location=row[11], pid=row[12], hostname=row[13], heartbeat_unix=row[14],
            end_reason=row[15], interval_s=row[16], summary=summary,
        )

    def get_run(self, run_id: str) -> RunRecord:
        key = run_id.strip()
        if not key:
            raise StoreError("no run id given")
        pattern = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self._read(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_id = ? OR run_id LIKE ? ESCAPE '\\' "
            "ORDER BY run_id = ? DESC LIMIT 2",
            (key, pattern, key),
        )
        if not rows:
            raise StoreError(f"no run {key!r} in {self.path} (see 'aiceberg runs list')")
        if len(rows) > 1 and rows[0][0] != key:
            raise StoreError(f"run id prefix {key!r} is ambiguous in {self.path}; give more characters")
        return self._record(rows[0])

    def list_runs(self, *, limit: int | None = None, status: str | None = None) -> list[RunRecord]:
        self.mark_stale_runs()
        sql = f"SELECT {_RUN_COLUMNS} FROM runs"
        params: list[Any] = []
        if status:
            sql += " WHERE status = ?"
            params.append(status)
        sql += " ORDER BY started_unix DESC, rowid DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [self._record(r) for r in self._read(sql, params)]

    def channels(self, run_id: str) -> list[ChannelRow]:
        rows = self._read(
            "SELECT channel_id, sensor, domain, label, method FROM channels WHERE run_id = ? ORDER BY rowid",
            (run_id,),
        )
        return [ChannelRow(*r) for r in rows]

    def samples(self, run_id: str) -> list[SampleRow]:
        rows = self._read(
            "SELECT t_s, channel_id, energy_j, power_w, error FROM samples WHERE run_id = ? "
            "ORDER BY t_s, rowid",
            (run_id,),
        )
        return [SampleRow(*r) for r in rows]

    def phases(self, run_id: str) -> list[PhaseRow]:
        rows = self._read(
            "SELECT idx, name, start_s, end_s, energy_j FROM phases WHERE run_id = ? ORDER BY idx", (run_id,)
        )
        return [PhaseRow(*r) for r in rows]

    def close(self) -> None:
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._conn.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
