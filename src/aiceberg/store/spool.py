"""The local spool: a PostgreSQL store that goes away never costs the command nor the measurement.

:class:`SpoolingStore` wraps the PostgreSQL store a tracker writes to. When the server cannot be reached
at start, or stops answering during the run, what the tracker writes goes to a SQLite store on the
local disk instead (``spool/`` in the data folder, one file per target: :func:`spool_file`), and the
run's receipt (:meth:`SpoolingStore.stored_at`) says so and where. While a run is spooled, the wrapper
tries the server again every ``retry_every_s`` and at the run's end; when it answers, the spooled part
is sent (:func:`replay_run`) and the run goes on in PostgreSQL. What is still in the spool when the
process ends is sent by ``aiceberg runs sync`` (:func:`sync`), from any process of the same machine.

Sending is idempotent: the store keys a run by its id and a sample by its run, time and channel, so a
run sent twice (a crash between sending and forgetting, two syncs at once) is stored once. A run that is
already closed in PostgreSQL is never reopened or closed again by a late copy.

Many nodes writing one PostgreSQL store each keep their own spool; a job's total is complete once every
node has synced.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiceberg.config import default_spool_dir, redact
from aiceberg.errors import StoreError
from aiceberg.i18n import Msg
from aiceberg.store.base import (
    ChannelRow,
    NewRun,
    PhaseRow,
    PowerSeries,
    RunEnd,
    RunRecord,
    RunRow,
    RunStore,
    SampleRow,
)
from aiceberg.store.jobs import ChannelEnergy, JobRow
from aiceberg.store.postgres import PostgresStore
from aiceberg.store.sql import SqlStore
from aiceberg.store.sqlite import SQLiteStore

__all__ = ["SpoolingStore", "SyncReport", "pending", "replay_run", "spool_file", "spools", "sync"]


def spool_file(target: str, spool_dir: str | os.PathLike[str] | None = None) -> Path:
    """The spool file of a store: ``SPOOL_DIR/<hash of the URL without its password>.db``."""
    folder = Path(spool_dir) if spool_dir is not None else default_spool_dir()
    digest = hashlib.sha256(redact(target).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return folder / f"{digest}.db"


def _reason(exc: StoreError) -> str:
    params = getattr(exc.message, "params", {})
    return str(params.get("reason") or exc)


def replay_run(spool: SqlStore, primary: RunStore, run_id: str, *, batch: int = 5000, forget: bool = False) -> int:
    """Send a spooled run to ``primary``; returns the samples sent.

    A closed run is then removed from the spool; a running one keeps its row (its owner may still write)
    and loses the samples sent, unless ``forget`` (its owner sends it) removes it whole.
    """
    rec = spool.get_run(run_id)
    primary.create_run(rec.new_run(), spool.channels(run_id))
    heartbeat = rec.heartbeat_unix if rec.heartbeat_unix is not None else time.time()
    sent, last_t = 0, None
    chunk: list[SampleRow] = []
    for sample in spool.iter_samples(run_id, batch=batch):
        chunk.append(sample)
        if len(chunk) >= batch:
            primary.append(run_id, chunk, heartbeat_unix=heartbeat)
            sent, last_t, chunk = sent + len(chunk), chunk[-1].t_s, []
    if chunk:
        primary.append(run_id, chunk, heartbeat_unix=heartbeat)
        sent, last_t = sent + len(chunk), chunk[-1].t_s
    primary.append(run_id, [], spool.phases(run_id), heartbeat_unix=heartbeat,
                   partial={"duration_s": rec.duration_s, "energy_kwh": rec.energy_kwh})
    end = rec.end()
    if end is not None:
        if primary.get_run(run_id).status == "running":  # never reopen nor re-close a run closed there
            primary.finish_run(run_id, end)
        spool.delete_run(run_id)
    elif forget:
        spool.delete_run(run_id)
    elif last_t is not None:
        spool.delete_samples(run_id, up_to_s=last_t)
    return sent


class SpoolingStore:
    """A PostgreSQL run store with a local spool for when the server cannot be reached.

    Args:
        target: the ``postgresql://`` URL.
        spool_dir: the spool's folder (default: ``spool/`` in the data folder).
        retry_every_s: while a run is spooled, how often to try the server again.
        connect_timeout_s: how long each try waits for the server.
        clock: monotonic seconds (tests give their own).
        opener: opens the primary store (default: :class:`~aiceberg.store.postgres.PostgresStore`).
        options: passed to the primary store.
    """

    def __init__(
        self,
        target: str,
        *,
        spool_dir: str | os.PathLike[str] | None = None,
        retry_every_s: float = 30.0,
        connect_timeout_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        opener: Callable[..., RunStore] | None = None,
        **options: Any,
    ) -> None:
        self.target = target
        self.where = redact(target)
        self.path = self.where
        self.spool_path = spool_file(target, spool_dir)
        self.retry_every_s = retry_every_s
        self._clock = clock
        self._options = {"connect_timeout_s": connect_timeout_s, "reconnect": False, **options}
        self._opener = opener
        self._lock = threading.RLock()
        self._primary: RunStore | None = None
        self._spool: SQLiteStore | None = None
        self._runs: dict[str, tuple[NewRun, list[ChannelRow]]] = {}
        self._spooled: set[str] = set()
        self._reason = ""
        self._next_try = 0.0
        self._connect()

    # -- the two stores ------------------------------------------------------------------------

    def _connect(self) -> bool:
        self._next_try = self._clock() + self.retry_every_s
        try:
            opener = self._opener or PostgresStore
            self._primary = opener(self.target, **self._options)
        except StoreError as exc:
            self._primary, self._reason = None, _reason(exc)
            return False
        return True

    def _lost(self, exc: StoreError) -> None:
        self._reason = _reason(exc)
        self._next_try = self._clock() + self.retry_every_s
        if self._primary is not None:
            self._primary.close()
        self._primary = None

    def spool(self) -> SQLiteStore:
        """The local spool (created on first use, with a note of the store it is for)."""
        if self._spool is None:
            self._spool = SQLiteStore(self.spool_path)
            note = self.spool_path.with_suffix(".target")
            if not note.exists():
                note.write_text(self.where + "\n", encoding="utf-8")
        return self._spool

    def _to_spool(self, run_id: str, exc: StoreError | None) -> SQLiteStore:
        spool = self.spool()
        if run_id not in self._spooled:
            known = self._runs.get(run_id)
            if known is None:  # a run this wrapper did not create: nothing to recreate it from
                raise exc or StoreError(Msg("store.no_run", run=run_id, where=str(self.spool_path)))
            spool.create_run(*known)
            self._spooled.add(run_id)
        return spool

    def _recover(self, run_id: str) -> None:
        """Try the server again; when it answers, send the run's spooled part and go on there."""
        if self._primary is None and not self._connect():
            return
        assert self._primary is not None
        try:
            replay_run(self.spool(), self._primary, run_id, forget=True)
        except StoreError as exc:
            self._lost(exc)
            return
        self._spooled.discard(run_id)

    # -- writes --------------------------------------------------------------------------------

    def create_run(self, run: NewRun, channels: Sequence[ChannelRow]) -> None:
        with self._lock:
            self._runs[run.run_id] = (run, list(channels))
            if self._primary is not None:
                try:
                    self._primary.create_run(run, channels)
                    return
                except StoreError as exc:
                    self._lost(exc)
            self._to_spool(run.run_id, None)

    def append(
        self,
        run_id: str,
        samples: Sequence[SampleRow],
        phases: Sequence[PhaseRow] = (),
        *,
        heartbeat_unix: float,
        partial: dict[str, Any] | None = None,
    ) -> None:
        with self._lock:
            if run_id in self._spooled and self._clock() >= self._next_try:
                self._recover(run_id)
            failure = None
            if run_id not in self._spooled and self._primary is not None:
                try:
                    self._primary.append(run_id, samples, phases, heartbeat_unix=heartbeat_unix, partial=partial)
                    return
                except StoreError as exc:
                    failure = exc
                    self._lost(exc)
            self._to_spool(run_id, failure).append(
                run_id, samples, phases, heartbeat_unix=heartbeat_unix, partial=partial
            )

    def finish_run(self, run_id: str, end: RunEnd) -> None:
        with self._lock:
            if run_id in self._spooled:
                self._recover(run_id)  # one more try at the end, whenever the last one was
            failure = None
            if run_id not in self._spooled and self._primary is not None:
                try:
                    self._primary.finish_run(run_id, end)
                    return
                except StoreError as exc:
                    failure = exc
                    self._lost(exc)
            self._to_spool(run_id, failure).finish_run(run_id, end)

    def mark_stale_runs(self) -> list[str]:
        return self._reader().mark_stale_runs()

    def stored_at(self, run_id: str) -> Msg:
        if run_id in self._spooled:
            return Msg("store.spooled", where=self.where, reason=self._reason, spool=str(self.spool_path))
        return Msg("store.stored_in", where=self.where, run=run_id[:12])

    def is_spooled(self, run_id: str) -> bool:
        """Whether some of the run waits in the local spool."""
        return run_id in self._spooled

    # -- reads: from the server ----------------------------------------------------------------

    def _reader(self) -> RunStore:
        with self._lock:
            if self._primary is None and not self._connect():
                raise StoreError(Msg("store.unreachable", where=self.where, reason=self._reason))
            assert self._primary is not None
            return self._primary

    def get_run(self, run_id: str) -> RunRecord:
        return self._reader().get_run(run_id)

    def list_runs(self, **filters: Any) -> list[RunRow]:
        return self._reader().list_runs(**filters)

    def count_runs(self, **filters: Any) -> int:
        return self._reader().count_runs(**filters)

    def hostnames(self) -> list[str]:
        return self._reader().hostnames()

    def channels(self, run_id: str) -> list[ChannelRow]:
        return self._reader().channels(run_id)

    def samples(self, run_id: str) -> list[SampleRow]:
        return self._reader().samples(run_id)

    def iter_samples(self, run_id: str, *, batch: int = 10_000) -> Iterator[SampleRow]:
        return self._reader().iter_samples(run_id, batch=batch)

    def series(self, run_id: str, *, max_points: int = 400) -> list[PowerSeries]:
        return self._reader().series(run_id, max_points=max_points)

    def phases(self, run_id: str) -> list[PhaseRow]:
        return self._reader().phases(run_id)

    def list_jobs(self, **options: Any) -> list[JobRow]:
        return self._reader().list_jobs(**options)

    def count_jobs(self) -> int:
        return self._reader().count_jobs()

    def job_runs(self, job_id: str) -> list[RunRecord]:
        return self._reader().job_runs(job_id)

    def channel_energies(self, run_id: str) -> list[ChannelEnergy]:
        return self._reader().channel_energies(run_id)

    def close(self) -> None:
        with self._lock:
            for store in (self._primary, self._spool):
                if store is not None:
                    store.close()
            self._primary = self._spool = None

    def __enter__(self) -> SpoolingStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- aiceberg runs sync ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncReport:
    """What :func:`sync` did: runs sent whole or in part, samples sent, runs still waiting and why."""

    spool: Path
    runs: int = 0
    samples: int = 0
    waiting: int = 0
    reason: str | None = None


def pending(target: str, spool_dir: str | os.PathLike[str] | None = None) -> int:
    """How many runs wait in the local spool for ``target`` (0 when there is no spool)."""
    path = spool_file(target, spool_dir)
    if not path.exists():
        return 0
    with SQLiteStore(path, create=False) as spool:
        return spool.count_runs()


def spools(spool_dir: str | os.PathLike[str] | None = None) -> list[tuple[Path, str, int]]:
    """Every spool of this machine: ``(file, the store it is for (no password), runs waiting)``."""
    folder = Path(spool_dir) if spool_dir is not None else default_spool_dir()
    out = []
    for path in sorted(folder.glob("*.db")):
        note = path.with_suffix(".target")
        where = note.read_text(encoding="utf-8").strip() if note.exists() else "?"
        try:
            with SQLiteStore(path, create=False) as spool:
                out.append((path, where, spool.count_runs()))
        except StoreError:
            continue
    return out


def sync(
    target: str,
    *,
    spool_dir: str | os.PathLike[str] | None = None,
    opener: Callable[[str], RunStore] | None = None,
) -> SyncReport:
    """Send every run waiting in the local spool of ``target`` to it (``aiceberg runs sync``).

    Runs whose owner is gone are first marked ``interrupted`` in the spool. A run still being written
    by a live tracker is sent up to now and stays in the spool for the rest.

    Raises:
        StoreError: the spool cannot be read. (An unreachable server is not an error: the report says
            how many runs still wait, and why.)
    """
    path = spool_file(target, spool_dir)
    if not path.exists():
        return SyncReport(path)
    with SQLiteStore(path, create=False) as spool:
        spool.mark_stale_runs()
        ids = [r.run_id for r in reversed(spool.list_runs())]  # oldest first
        if not ids:
            return SyncReport(path)
        try:
            primary = (opener or PostgresStore)(target)
        except StoreError as exc:
            return SyncReport(path, waiting=len(ids), reason=_reason(exc))
        runs = samples = 0
        try:
            for run_id in ids:
                try:
                    samples += replay_run(spool, primary, run_id)
                except StoreError as exc:
                    return SyncReport(path, runs, samples, spool.count_runs(), _reason(exc))
                runs += 1
        finally:
            primary.close()
        return SyncReport(path, runs, samples, spool.count_runs())
