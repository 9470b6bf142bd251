"""The one SQL run store: every write and read, for SQLite and PostgreSQL alike, through a dialect.

The statements use ``?`` placeholders and SQL both databases speak (``ON CONFLICT``, window functions,
recursive CTEs); a dialect (:mod:`aiceberg.store.sqlite`, :mod:`aiceberg.store.postgres`) brings what
differs: the connection, transactions, placeholders, column types, migrations' mechanics and what a
driver error means (:class:`~aiceberg.errors.StoreError` with a catalog message that says how to fix it).

Samples are keyed by ``(run_key, t_s, channel_key)``: integer keys instead of text ids, one B-tree, no
other index. That makes a sample idempotent (the spool can send it twice), keeps the time order for
exports without sorting, and lets :meth:`SqlStore.series` seek a few hundred slices of a run instead of
reading it whole.
"""

from __future__ import annotations

import json
import math
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import date, timedelta
from typing import Any, Protocol

from aiceberg.errors import InputError, StoreError
from aiceberg.i18n import Msg
from aiceberg.model.run_summary import RunSummary
from aiceberg.store.base import ChannelRow, NewRun, PhaseRow, PowerSeries, RunEnd, RunRecord, RunRow, SampleRow
from aiceberg.store.jobs import JobQueries
from aiceberg.store.util import clean_json, clean_text, prefix_pattern, stale_runs

__all__ = ["Dialect", "SqlStore", "Tx"]

ROW_COLUMNS = (
    "run_id, status, started_at, ended_at, duration_s, energy_kwh, co2e_kg, exit_code, name, project, command, "
    "location, pid, hostname, heartbeat_unix, end_reason, interval_s, started_unix, flush_every_s, "
    "co2e_kg_low, co2e_kg_high, job_id, step, rank, local_rank, world_size, nodes, node, role, launcher"
)
_ROW_FIELDS = tuple(c.strip() for c in ROW_COLUMNS.split(","))
_N_ROW = len(_ROW_FIELDS)

INSERT_RUN = (
    "INSERT INTO runs (run_id, status, name, project, command, location, pid, hostname, started_at, started_unix, "
    "heartbeat_unix, interval_s, flush_every_s, job_id, step, rank, local_rank, world_size, nodes, node, role, "
    "launcher) VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (run_id) DO NOTHING"
)
INSERT_CHANNEL = (
    "INSERT INTO channels (run_key, channel_key, channel_id, sensor, domain, label, method, counted) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
# One reading per channel and instant: the same one sent again is kept once; a gap there gives way to a
# reading (a duplicate instant only happens with a clock that stands still, as in tests).
INSERT_SAMPLE = (
    "INSERT INTO samples (run_key, t_s, channel_key, energy_j, power_w, error) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (run_key, t_s, channel_key) DO UPDATE SET energy_j = excluded.energy_j, "
    "power_w = excluded.power_w, error = excluded.error "
    "WHERE samples.energy_j IS NULL AND excluded.energy_j IS NOT NULL"
)
UPSERT_PHASE = (
    "INSERT INTO phases (run_key, idx, name, start_s, end_s, energy_j) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (run_key, idx) DO UPDATE SET name = excluded.name, end_s = excluded.end_s, "
    "energy_j = excluded.energy_j"
)
UPDATE_HEARTBEAT = (
    "UPDATE runs SET heartbeat_unix = ?, duration_s = COALESCE(?, duration_s), "
    "energy_kwh = COALESCE(?, energy_kwh) WHERE run_key = ?"
)
FINISH_RUN = (
    "UPDATE runs SET status = ?, ended_at = ?, duration_s = ?, energy_kwh = ?, co2e_kg = ?, co2e_kg_low = ?, "
    "co2e_kg_high = ?, exit_code = ?, end_reason = ?, summary_json = COALESCE(?, summary_json), "
    "heartbeat_unix = ? WHERE run_id = ?"
)
MARK_INTERRUPTED = (
    "UPDATE runs SET status = 'interrupted', end_reason = ?, ended_at = ? WHERE run_id = ? AND status = 'running'"
)
# each channel's last good reading in each of n + 1 slices of the run (slice i ends at t0 + i × w)
SERIES = """
WITH RECURSIVE b(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM b WHERE i < ?),
q AS MATERIALIZED (
    SELECT b.i AS i, c.channel_key AS channel_key,
           (SELECT x.t_s FROM samples x
            WHERE x.run_key = ? AND x.t_s <= ? + b.i * ? AND x.t_s > ? + (b.i - 1) * ?
              AND x.channel_key = c.channel_key AND (x.energy_j IS NOT NULL OR x.power_w IS NOT NULL)
            ORDER BY x.t_s DESC LIMIT 1) AS t
    FROM b CROSS JOIN channels c WHERE c.run_key = ?
)
SELECT q.channel_key, s.t_s, s.energy_j, s.power_w
FROM q CROSS JOIN samples s
WHERE s.run_key = ? AND s.t_s = q.t AND s.channel_key = q.channel_key
ORDER BY q.channel_key, q.i
"""


class Tx(Protocol):
    """A write transaction: statements with ``?`` placeholders."""

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def run(self, sql: str, params: Sequence[Any] = ()) -> int: ...  # rows changed

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...


class Dialect(Protocol):
    """What differs between SQLite and PostgreSQL (see the modules of each)."""

    name: str
    where: str  # the store as messages show it: a path, or a URL without its password
    errors: tuple[type[BaseException], ...]  # the driver's errors

    def migrate(self, *, readonly: bool) -> None: ...

    def transaction(self) -> AbstractContextManager[Tx]: ...

    def query(self, sql: str, params: Sequence[Any] = (), make: Callable[[Any], Any] | None = None) -> list[Any]:
        """The rows of a query; ``make`` turns each into a record as it is read."""
        ...

    def limit_offset(self, limit: int | None, offset: int) -> tuple[str, list[Any]]: ...

    def error(self, exc: BaseException, *, writing: bool) -> StoreError: ...

    def after_error(self) -> None: ...  # e.g. reconnect after a lost connection

    def close(self) -> None: ...


def _json(data: Any) -> str:
    """JSON text for a summary; a NaN or infinity (never valid JSON) is written as null."""
    try:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False, default=str)
    except ValueError:
        text = json.dumps(_finite(data), ensure_ascii=False, allow_nan=False, default=str)
    return clean_json(text)


def _finite(data: Any) -> Any:
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(v) for v in data]
    return data


def _day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InputError(field, f"{value!r} is not a date", "YYYY-MM-DD") from None


class SqlStore(JobQueries):
    """A run store in a SQL database, through ``dialect`` (with the job queries of :mod:`aiceberg.store.jobs`).

    Args:
        dialect: the connection and what differs between databases.
        readonly: never write (no migration, no marking); a store older than this code is then refused.
        stale_after_s: a ``running`` run whose heartbeat is older than this (and at least ten of its
            flush intervals) is considered dead by :meth:`mark_stale_runs`, even on another host.
    """

    def __init__(self, dialect: Dialect, *, readonly: bool = False, stale_after_s: float = 120.0) -> None:
        self.dialect = dialect
        self.where = dialect.where
        self.path = dialect.where  # the name older callers used
        self.readonly = readonly
        self.stale_after_s = stale_after_s
        self._lock = threading.RLock()
        self._hostname = socket.gethostname()
        self._keys: dict[str, tuple[int, dict[str, int]]] = {}
        try:
            dialect.migrate(readonly=readonly)
        except StoreError:
            dialect.close()
            raise
        except dialect.errors as exc:
            dialect.close()
            raise dialect.error(exc, writing=not readonly) from exc

    # -- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Tx]:
        if self.readonly:
            raise StoreError(Msg("store.readonly", where=self.where, reason="opened read-only"))
        with self._lock:
            try:
                with self.dialect.transaction() as tx:
                    yield tx
            except self.dialect.errors as exc:
                self.dialect.after_error()
                raise self.dialect.error(exc, writing=True) from exc

    def _read(self, sql: str, params: Sequence[Any] = (), make: Callable[[Any], Any] | None = None) -> list[Any]:
        with self._lock:
            try:
                return self.dialect.query(sql, params, make)
            except self.dialect.errors as exc:
                self.dialect.after_error()
                raise self.dialect.error(exc, writing=False) from exc

    def _no_run(self, run_id: str) -> StoreError:
        return StoreError(Msg("store.no_run", run=run_id, where=self.where))

    def _run_keys(self, tx: Tx, run_id: str) -> tuple[int, dict[str, int]]:
        """The run's key and its channels' keys (a copy: the cache changes only after a commit)."""
        cached = self._keys.get(run_id)
        if cached is not None:
            return cached[0], dict(cached[1])
        rows = tx.query("SELECT run_key FROM runs WHERE run_id = ?", (run_id,))
        if not rows:
            raise self._no_run(run_id)
        key = int(rows[0][0])
        return key, dict(tx.query("SELECT channel_id, channel_key FROM channels WHERE run_key = ?", (key,)))

    @staticmethod
    def _add_channels(tx: Tx, key: int, known: dict[str, int], channels: Sequence[ChannelRow]) -> None:
        rows = []
        nxt = max(known.values(), default=-1) + 1
        for c in channels:
            if c.channel_id in known:
                continue
            known[c.channel_id] = nxt
            rows.append((key, nxt, clean_text(c.channel_id), clean_text(c.sensor), clean_text(c.domain),
                         clean_text(c.label), clean_text(c.method), None if c.counted is None else int(c.counted)))
            nxt += 1
        if rows:
            tx.many(INSERT_CHANNEL, rows)

    def _key_and_channels(self, run_id: str) -> tuple[int, dict[int, ChannelRow]]:
        rows = self._read(
            "SELECT c.run_key, c.channel_key, c.channel_id, c.sensor, c.domain, c.label, c.method, c.counted "
            "FROM runs r JOIN channels c ON c.run_key = r.run_key WHERE r.run_id = ? ORDER BY c.channel_key",
            (run_id,),
        )
        if rows:
            return int(rows[0][0]), {
                r[1]: ChannelRow(r[2], r[3], r[4], r[5], r[6], None if r[7] is None else bool(r[7])) for r in rows}
        key = self._read("SELECT run_key FROM runs WHERE run_id = ?", (run_id,))
        if not key:
            raise self._no_run(run_id)
        return int(key[0][0]), {}

    def schema_version(self) -> int:
        """The highest migration applied."""
        return int(self._read("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0][0])

    # -- writes -----------------------------------------------------------------------------

    def create_run(self, run: NewRun, channels: Sequence[ChannelRow]) -> None:
        job = run.job
        params = (
            clean_text(run.run_id), clean_text(run.name), clean_text(run.project), clean_text(run.command),
            clean_text(run.location), run.pid, clean_text(run.hostname), run.started_at, run.started_unix,
            time.time(), run.interval_s, run.flush_every_s,
            *((None,) * 9 if job is None else (
                clean_text(job.job_id), clean_text(job.step), job.rank, job.local_rank, job.world_size, job.nodes,
                clean_text(job.node), job.role, clean_text(job.launcher))),
        )
        with self._write() as tx:
            tx.run(INSERT_RUN, params)
            key, known = self._run_keys(tx, run.run_id)
            self._add_channels(tx, key, known, channels)
        self._keys[run.run_id] = (key, known)

    def append(
        self,
        run_id: str,
        samples: Sequence[SampleRow],
        phases: Sequence[PhaseRow] = (),
        *,
        heartbeat_unix: float,
        partial: dict[str, Any] | None = None,
    ) -> None:
        partial = partial or {}
        with self._write() as tx:
            key, known = self._run_keys(tx, run_id)
            missing = [cid for cid in dict.fromkeys(s.channel_id for s in samples) if cid not in known]
            if missing:  # a channel the run did not declare: kept, with what is known of it
                self._add_channels(tx, key, known, [ChannelRow(cid, "", "", cid, "unknown") for cid in missing])
            if samples:
                tx.many(INSERT_SAMPLE, [(key, s.t_s, known[s.channel_id], s.energy_j, s.power_w, clean_text(s.error))
                                        for s in samples])
            if phases:
                tx.many(UPSERT_PHASE, [(key, p.index, clean_text(p.name), p.start_s, p.end_s, p.energy_j)
                                       for p in phases])
            tx.run(UPDATE_HEARTBEAT, (heartbeat_unix, partial.get("duration_s"), partial.get("energy_kwh"), key))
        self._keys[run_id] = (key, known)

    def finish_run(self, run_id: str, end: RunEnd) -> None:
        co2 = end.co2e_kg
        text = None if end.summary is None else _json(end.summary.to_dict())
        params = (
            end.status, end.ended_at, end.duration_s, end.energy_kwh,
            None if co2 is None else co2.central, None if co2 is None else co2.low, None if co2 is None else co2.high,
            end.exit_code, clean_text(end.end_reason), text, time.time(), run_id,
        )
        with self._write() as tx:
            if not tx.run(FINISH_RUN, params):
                raise self._no_run(run_id)

    def mark_stale_runs(self) -> list[str]:
        if self.readonly:
            raise StoreError(Msg("store.readonly", where=self.where, reason="opened read-only"))
        rows = self._read(
            "SELECT run_id, pid, hostname, heartbeat_unix, flush_every_s FROM runs WHERE status = 'running'"
        )
        dead = stale_runs(rows, hostname=self._hostname, stale_after_s=self.stale_after_s)
        if not dead:
            return []
        with self._write() as tx:
            for run_id, reason, ended_at in dead:
                tx.run(MARK_INTERRUPTED, (reason, ended_at, run_id))
        return [d[0] for d in dead]

    def delete_run(self, run_id: str) -> None:
        """Remove a run and everything of it (the spool, once a run is sent)."""
        with self._write() as tx:
            tx.run("DELETE FROM runs WHERE run_id = ?", (run_id,))
        self._keys.pop(run_id, None)

    def delete_samples(self, run_id: str, *, up_to_s: float) -> None:
        """Remove a run's samples up to ``up_to_s`` included (the spool, once they are sent)."""
        with self._write() as tx:
            key, _ = self._run_keys(tx, run_id)
            tx.run("DELETE FROM samples WHERE run_key = ? AND t_s <= ?", (key, up_to_s))

    # -- reads ------------------------------------------------------------------------------

    def _decode(self, run_id: str, raw: Any) -> RunSummary | None:
        if not raw:
            return None
        try:
            data = json.loads(raw) if isinstance(raw, str | bytes) else raw
            return RunSummary.from_dict(data) if data else None  # 0.1.0 stored {} for a run without one
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise StoreError(Msg("store.summary_unreadable", run=run_id, where=self.where, reason=reason)) from exc

    def get_run(self, run_id: str) -> RunRecord:
        key = run_id.strip()
        if not key:
            raise StoreError(Msg("store.no_run_id"))
        rows = self._read(
            f"SELECT {ROW_COLUMNS}, summary_json FROM runs WHERE run_id = ? OR run_id LIKE ? ESCAPE '\\' "
            "ORDER BY run_id = ? DESC LIMIT 2",
            (key, prefix_pattern(key), key),
        )
        if not rows:
            raise self._no_run(key)
        if len(rows) > 1 and rows[0][0] != key:
            raise StoreError(Msg("store.ambiguous", run=key, where=self.where))
        row = rows[0]
        return RunRecord(**dict(zip(_ROW_FIELDS, row, strict=False)), summary=self._decode(row[0], row[_N_ROW]))

    def _records(self, where: str, params: Sequence[Any]) -> list[RunRecord]:
        """The runs that match ``where`` (SQL after ``WHERE``, ordering included), with their summaries."""
        rows = self._read(f"SELECT {ROW_COLUMNS}, summary_json FROM runs WHERE {where}", params)
        return [RunRecord(**dict(zip(_ROW_FIELDS, r, strict=False)), summary=self._decode(r[0], r[_N_ROW]))
                for r in rows]

    def _where(
        self, status: str | None, hostname: str | None, started_from: str | None, started_to: str | None
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if status:
            clauses.append("status = ?")
            params.append(status)
        if hostname:
            clauses.append("hostname = ?")
            params.append(hostname)
        if started_from:
            clauses.append("started_at >= ?")
            params.append(_day(started_from, "started_from").isoformat())
        if started_to:
            clauses.append("started_at < ?")
            params.append((_day(started_to, "started_to") + timedelta(days=1)).isoformat())
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def list_runs(
        self,
        *,
        limit: int | None = None,
        offset: int = 0,
        status: str | None = None,
        hostname: str | None = None,
        started_from: str | None = None,
        started_to: str | None = None,
    ) -> list[RunRow]:
        if limit is not None and (isinstance(limit, bool) or int(limit) < 0):
            raise InputError("limit", f"{limit!r} is not accepted", "an integer >= 0")
        if isinstance(offset, bool) or int(offset) < 0:
            raise InputError("offset", f"{offset!r} is not accepted", "an integer >= 0")
        where, params = self._where(status, hostname, started_from, started_to)
        page, page_params = self.dialect.limit_offset(None if limit is None else int(limit), int(offset))
        return self._read(
            f"SELECT {ROW_COLUMNS} FROM runs{where} ORDER BY started_unix DESC, run_key DESC{page}",
            params + page_params, RunRow._make,
        )

    def count_runs(
        self,
        *,
        status: str | None = None,
        hostname: str | None = None,
        started_from: str | None = None,
        started_to: str | None = None,
    ) -> int:
        where, params = self._where(status, hostname, started_from, started_to)
        return int(self._read(f"SELECT COUNT(*) FROM runs{where}", params)[0][0])

    def hostnames(self) -> list[str]:
        return [r[0] for r in self._read("SELECT DISTINCT hostname FROM runs ORDER BY hostname")]

    def channels(self, run_id: str) -> list[ChannelRow]:
        return list(self._key_and_channels(run_id)[1].values())

    def samples(self, run_id: str) -> list[SampleRow]:
        return list(self.iter_samples(run_id))

    def iter_samples(self, run_id: str, *, batch: int = 10_000) -> Iterator[SampleRow]:
        key, chans = self._key_and_channels(run_id)
        ids = {k: c.channel_id for k, c in chans.items()}
        cols = "SELECT t_s, channel_key, energy_j, power_w, error FROM samples WHERE run_key = ?"
        rows = self._read(f"{cols} ORDER BY t_s, channel_key LIMIT ?", (key, batch))
        while rows:
            for t, ck, e, p, err in rows:
                yield SampleRow(t, ids.get(ck, str(ck)), e, p, err)
            if len(rows) < batch:
                return
            t, ck = rows[-1][0], rows[-1][1]
            rows = self._read(
                f"{cols} AND t_s >= ? AND (t_s > ? OR channel_key > ?) ORDER BY t_s, channel_key LIMIT ?",
                (key, t, t, ck, batch),
            )

    def series(self, run_id: str, *, max_points: int = 400) -> list[PowerSeries]:
        if isinstance(max_points, bool) or int(max_points) < 1:
            raise InputError("max_points", f"{max_points!r} is not accepted", "an integer >= 1")
        key, chans = self._key_and_channels(run_id)
        first = self._read("SELECT t_s FROM samples WHERE run_key = ? ORDER BY t_s LIMIT 1", (key,))
        last = self._read("SELECT t_s FROM samples WHERE run_key = ? ORDER BY t_s DESC LIMIT 1", (key,))
        points: dict[int, list[tuple[float, float]]] = {k: [] for k in chans}
        if first and last and last[0][0] > first[0][0]:
            t0, t1, n = float(first[0][0]), float(last[0][0]), int(max_points)
            width = (t1 - t0) / n * (1 + 1e-9)  # the last slice ends at or after t1 despite rounding
            rows = self._read(SERIES, (n, key, t0, width, t0, width, key, key))
            prev: dict[int, tuple[float, float]] = {}
            for ck, t, e, p in rows:
                if e is not None:
                    before = prev.get(ck)
                    prev[ck] = (t, e)
                    if before is not None and t > before[0]:
                        watts = max(e - before[1], 0.0) / (t - before[0])
                        points.setdefault(ck, []).append(((before[0] + t) / 2, watts))
                elif p is not None:  # no counter in this slice: the sensor's own power
                    points.setdefault(ck, []).append((t, float(p)))
        return [
            PowerSeries(c.channel_id, c.label or c.channel_id, c.domain, tuple(points.get(k, ())))
            for k, c in chans.items()
        ]

    def phases(self, run_id: str) -> list[PhaseRow]:
        rows = self._read(
            "SELECT p.idx, p.name, p.start_s, p.end_s, p.energy_j FROM phases p JOIN runs r ON r.run_key = p.run_key "
            "WHERE r.run_id = ? ORDER BY p.idx",
            (run_id,),
        )
        return [PhaseRow(*r) for r in rows]

    def stored_at(self, run_id: str) -> Msg:
        return Msg("store.stored_in", where=self.where, run=run_id[:12])

    def close(self) -> None:
        with self._lock:
            self.dialect.close()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
