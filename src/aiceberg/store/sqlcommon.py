"""What the SQL run stores share: the statements, the parameters they take, and the row mapping.

The statements use ``?`` placeholders (``sqlite3``'s style); :func:`to_format_style` turns them into
``%s`` for psycopg. They hold no literal ``?`` or ``%`` for that reason. The DDL is not shared: each
backend keeps its own numbered migrations, with the same numbers and equivalent columns.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from aiceberg.errors import StoreError
from aiceberg.store.base import ChannelRow, NewRun, PhaseRow, RunRecord, SampleRow

__all__ = [
    "FINISH_RUN",
    "INSERT_CHANNEL",
    "INSERT_RUN",
    "INSERT_SAMPLE",
    "MARK_INTERRUPTED",
    "RUN_COLUMNS",
    "SELECT_PHASES",
    "SELECT_RUNNING",
    "SELECT_RUN_BY_ID_OR_PREFIX",
    "UPDATE_HEARTBEAT",
    "UPSERT_PHASE",
    "SqlReads",
    "channel_params",
    "finish_params",
    "heartbeat_params",
    "now_iso",
    "phase_params",
    "pick_run",
    "pid_alive",
    "prefix_pattern",
    "record",
    "run_params",
    "sample_params",
    "stale_runs",
    "to_format_style",
]

RUN_COLUMNS = (
    "run_id, status, started_at, ended_at, duration_s, energy_kwh, co2e_kg, exit_code, name, project, "
    "command, location, pid, hostname, heartbeat_unix, end_reason, interval_s, summary_json, flush_every_s"
)

INSERT_RUN = (
    "INSERT INTO runs (run_id, status, name, project, command, location, pid, hostname, "
    "started_at, started_unix, heartbeat_unix, interval_s, flush_every_s) "
    "VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_CHANNEL = (
    "INSERT INTO channels (run_id, channel_id, sensor, domain, label, method) VALUES (?, ?, ?, ?, ?, ?)"
)
INSERT_SAMPLE = (
    "INSERT INTO samples (run_id, t_s, channel_id, energy_j, power_w, error) VALUES (?, ?, ?, ?, ?, ?)"
)
UPSERT_PHASE = (
    "INSERT INTO phases (run_id, idx, name, start_s, end_s, energy_j) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (run_id, idx) DO UPDATE SET name = excluded.name, "
    "end_s = excluded.end_s, energy_j = excluded.energy_j"
)
UPDATE_HEARTBEAT = (
    "UPDATE runs SET heartbeat_unix = ?, duration_s = COALESCE(?, duration_s), "
    "energy_kwh = COALESCE(?, energy_kwh) WHERE run_id = ?"
)
FINISH_RUN = (
    "UPDATE runs SET status = ?, ended_at = ?, duration_s = ?, energy_kwh = ?, co2e_kg = ?, "
    "exit_code = ?, end_reason = ?, summary_json = ?, heartbeat_unix = ? WHERE run_id = ?"
)
SELECT_RUNNING = "SELECT run_id, pid, hostname, heartbeat_unix, flush_every_s FROM runs WHERE status = 'running'"
MARK_INTERRUPTED = (
    "UPDATE runs SET status = 'interrupted', end_reason = ?, ended_at = ? WHERE run_id = ? AND status = 'running'"
)
SELECT_RUN_BY_ID_OR_PREFIX = (
    f"SELECT {RUN_COLUMNS} FROM runs WHERE run_id = ? OR run_id LIKE ? ESCAPE '\\' "
    "ORDER BY run_id = ? DESC LIMIT 2"
)
SELECT_PHASES = "SELECT idx, name, start_s, end_s, energy_j FROM phases WHERE run_id = ? ORDER BY idx"


def to_format_style(sql: str) -> str:
    """``?`` placeholders → ``%s`` (psycopg's style)."""
    if "%" in sql:
        raise ValueError("shared SQL must not hold a literal '%'")
    return sql.replace("?", "%s")


def now_iso(unix: float | None = None) -> str:
    """An ISO 8601 UTC timestamp with milliseconds and a ``Z``: now, or at ``unix``."""
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


# -- parameters --------------------------------------------------------------------------------


def run_params(run: NewRun) -> tuple[Any, ...]:
    """The parameters of :data:`INSERT_RUN` (the first heartbeat is now)."""
    return (
        run.run_id, run.name, run.project, run.command, run.location, run.pid, run.hostname,
        run.started_at, run.started_unix, time.time(), run.interval_s, run.flush_every_s,
    )


def channel_params(run_id: str, channels: Sequence[ChannelRow]) -> list[tuple[Any, ...]]:
    """The parameter rows of :data:`INSERT_CHANNEL`."""
    return [(run_id, c.channel_id, c.sensor, c.domain, c.label, c.method) for c in channels]


def sample_params(run_id: str, samples: Sequence[SampleRow]) -> list[tuple[Any, ...]]:
    """The parameter rows of :data:`INSERT_SAMPLE` (a gap keeps ``energy_j`` ``None``)."""
    return [(run_id, s.t_s, s.channel_id, s.energy_j, s.power_w, s.error) for s in samples]


def phase_params(run_id: str, phases: Sequence[PhaseRow]) -> list[tuple[Any, ...]]:
    """The parameter rows of :data:`UPSERT_PHASE`."""
    return [(run_id, p.index, p.name, p.start_s, p.end_s, p.energy_j) for p in phases]


def heartbeat_params(run_id: str, heartbeat_unix: float, partial: dict[str, Any] | None) -> tuple[Any, ...]:
    """The parameters of :data:`UPDATE_HEARTBEAT`."""
    partial = partial or {}
    return (heartbeat_unix, partial.get("duration_s"), partial.get("energy_kwh"), run_id)


def finish_params(
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
) -> tuple[Any, ...]:
    """The parameters of :data:`FINISH_RUN` (the summary as JSON text)."""
    return (
        status, ended_at, duration_s, energy_kwh, co2e_kg, exit_code, end_reason,
        json.dumps(summary, default=str), time.time(), run_id,
    )


# -- decisions and mapping -----------------------------------------------------------------------


def stale_runs(
    rows: Sequence[Sequence[Any]], *, hostname: str, stale_after_s: float, now: float | None = None
) -> list[tuple[str, str, str]]:
    """Which ``running`` runs (rows of :data:`SELECT_RUNNING`) are dead: ``(run_id, reason, ended_at)``.

    Dead means: the owner process is gone (same host only), or the heartbeat is older than
    ``max(stale_after_s, 10 × flush_every_s)``. ``ended_at`` is the last heartbeat (now if none).
    """
    now = time.time() if now is None else now
    dead: list[tuple[str, str, str]] = []
    for run_id, pid, host, heartbeat, flush_every in rows:
        stale_after = max(stale_after_s, 10 * float(flush_every or 0))
        if host == hostname and not pid_alive(int(pid)):
            why = f"owner process {pid} is gone; data kept up to its last flush"
        elif heartbeat is not None and now - heartbeat > stale_after:
            why = f"no heartbeat for {now - heartbeat:.0f} s; data kept up to its last flush"
        else:
            continue
        dead.append((run_id, why, now_iso(heartbeat)))
    return dead


def prefix_pattern(key: str) -> str:
    """A ``LIKE`` pattern (escape ``\\``) matching the run ids that start with ``key``."""
    return key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def pick_run(rows: Sequence[Sequence[Any]], key: str, where: str) -> Sequence[Any]:
    """The row of :data:`SELECT_RUN_BY_ID_OR_PREFIX` that ``key`` names, or a ``StoreError``."""
    if not rows:
        raise StoreError(f"no run {key!r} in {where} (see 'aiceberg runs list')")
    if len(rows) > 1 and rows[0][0] != key:
        raise StoreError(f"run id prefix {key!r} is ambiguous in {where}; give more characters")
    return rows[0]


def record(row: Sequence[Any]) -> RunRecord:
    """A row of :data:`RUN_COLUMNS` as a :class:`RunRecord` (``summary_json`` as text or decoded)."""
    raw = row[17]
    summary = (json.loads(raw) if isinstance(raw, str | bytes) else dict(raw)) if raw else {}
    return RunRecord(
        run_id=row[0], status=row[1], started_at=row[2], ended_at=row[3], duration_s=row[4],
        energy_kwh=row[5], co2e_kg=row[6], exit_code=row[7], name=row[8], project=row[9],
        command=row[10], location=row[11], pid=row[12], hostname=row[13], heartbeat_unix=row[14],
        end_reason=row[15], interval_s=row[16], summary=summary,
    )


class SqlReads:
    """The reads both SQL stores share; a store gives ``_read(sql, params)`` (``?`` placeholders),
    ``mark_stale_runs()``, ``path``, and ``ORDER_COLUMN``, the column that keeps insertion order."""

    ORDER_COLUMN = "rowid"
    path: str

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def mark_stale_runs(self) -> list[str]:
        raise NotImplementedError

    def get_run(self, run_id: str) -> RunRecord:
        key = run_id.strip()
        if not key:
            raise StoreError("no run id given")
        rows = self._read(SELECT_RUN_BY_ID_OR_PREFIX, (key, prefix_pattern(key), key))
        return record(pick_run(rows, key, self.path))

    def list_runs(self, *, limit: int | None = None, status: str | None = None) -> list[RunRecord]:
        self.mark_stale_runs()
        sql = f"SELECT {RUN_COLUMNS} FROM runs"
        params: list[Any] = []
        if status:
            sql += " WHERE status = ?"
            params.append(status)
        sql += f" ORDER BY started_unix DESC, {self.ORDER_COLUMN} DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [record(r) for r in self._read(sql, params)]

    def channels(self, run_id: str) -> list[ChannelRow]:
        rows = self._read(
            "SELECT channel_id, sensor, domain, label, method FROM channels WHERE run_id = ? "
            f"ORDER BY {self.ORDER_COLUMN}",
            (run_id,),
        )
        return [ChannelRow(*r) for r in rows]

    def samples(self, run_id: str) -> list[SampleRow]:
        rows = self._read(
            "SELECT t_s, channel_id, energy_j, power_w, error FROM samples WHERE run_id = ? "
            f"ORDER BY t_s, {self.ORDER_COLUMN}",
            (run_id,),
        )
        return [SampleRow(*r) for r in rows]

    def phases(self, run_id: str) -> list[PhaseRow]:
        return [PhaseRow(*r) for r in self._read(SELECT_PHASES, (run_id,))]
