"""The run store's interface, and the records it keeps and gives back.

A store keeps *runs* (one row per tracked run, with its status and its typed summary), the *channels*
each run read, the *samples* (cumulative joules of each channel at each reading, or the reason of a gap)
and the *phases*. The tracker writes samples incrementally, so a run killed with SIGKILL keeps
everything up to its last flush. A ``running`` run whose owner process is dead (same host) or whose
heartbeat is stale is marked ``interrupted`` by :meth:`RunStore.mark_stale_runs`, which only the
command line calls: reading never writes.

Writes are idempotent, so that a run kept in the local spool can be sent again safely: a sample is
keyed by its run, its time and its channel; a run by its id; a phase by its run and index.

The store does not compute footprints: it keeps what the tracker gives it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

from aiceberg.model.quantity import Q

# the records a run is written as live below both the tracker and the store (measure ⟂ store)
from aiceberg.model.run_records import ChannelRow, JobInfo, NewRun, PhaseRow, RunEnd, SampleRow
from aiceberg.model.run_summary import PhaseSummary, RunSummary
from aiceberg.units import J_PER_KWH

if TYPE_CHECKING:
    from aiceberg.i18n import Msg
    from aiceberg.store.jobs import ChannelEnergy, JobRow

__all__ = [
    "STATUSES",
    "ChannelRow",
    "JobInfo",
    "NewRun",
    "PhaseRow",
    "PowerSeries",
    "RunEnd",
    "RunRecord",
    "RunRow",
    "RunStatus",
    "RunStore",
    "SampleRow",
]

RunStatus = Literal["running", "finished", "interrupted", "failed"]
STATUSES: tuple[str, ...] = ("running", "finished", "interrupted", "failed")


@dataclass(frozen=True)
class PowerSeries:
    """A channel's power over a run, averaged down to a few hundred points.

    Each point is ``(t_s, power_w)``: the mean power over one slice of the run (the difference of the
    cumulative energy over the slice's time), at the middle of the slice. A slice without a good reading
    has no point (a gap is never a zero); the next point covers it.
    """

    channel_id: str
    label: str
    domain: str
    points: tuple[tuple[float, float], ...]


class RunColumns:
    """What a run's columns tell, the same for a row of a list (:class:`RunRow`) and a whole run
    (:class:`RunRecord`): both have the columns of ``runs`` as attributes."""

    __slots__ = ()

    @property
    def co2e(self: Any) -> Q | None:
        """The footprint with its range (the central value alone for runs stored before ranges were kept)."""
        if self.co2e_kg is None:
            return None
        c = self.co2e_kg
        lo = c if self.co2e_kg_low is None else min(self.co2e_kg_low, c)
        hi = c if self.co2e_kg_high is None else max(self.co2e_kg_high, c)
        return Q(c, lo, hi)

    def to_dict(self: Any) -> dict[str, Any]:
        """The fields ``aiceberg runs list --json`` prints."""
        return {
            "run_id": self.run_id, "status": self.status, "started_at": self.started_at, "ended_at": self.ended_at,
            "duration_s": self.duration_s, "energy_kwh": self.energy_kwh, "co2e_kg": self.co2e_kg,
            "co2e_kg_low": self.co2e_kg_low, "co2e_kg_high": self.co2e_kg_high, "exit_code": self.exit_code,
            "name": self.name, "project": self.project, "command": self.command, "location": self.location,
            "hostname": self.hostname, "pid": self.pid, "end_reason": self.end_reason, "job_id": self.job_id,
            "step": self.step, "rank": self.rank, "node": self.node, "role": self.role,
        }

    def new_run(self: Any) -> NewRun:
        """What was known of this run when it started (to create it again elsewhere)."""
        return NewRun(
            run_id=self.run_id, started_at=self.started_at, started_unix=self.started_unix, pid=self.pid,
            hostname=self.hostname, name=self.name, project=self.project, command=self.command,
            location=self.location, interval_s=self.interval_s, flush_every_s=self.flush_every_s, job=self.job,
        )

    @property
    def job(self: Any) -> JobInfo | None:
        """The job this run is part of, if any."""
        if self.job_id is None:
            return None
        return JobInfo(job_id=self.job_id, node=self.node or self.hostname, role=self.role or "rank",
                       launcher=self.launcher or "none", step=self.step, rank=self.rank, local_rank=self.local_rank,
                       world_size=self.world_size, nodes=self.nodes)


class _RunRow(NamedTuple):
    """The columns of a run, in the order ``sql.ROW_COLUMNS`` selects them."""

    run_id: str
    status: str
    started_at: str
    ended_at: str | None
    duration_s: float | None
    energy_kwh: float | None
    co2e_kg: float | None
    exit_code: int | None
    name: str | None
    project: str
    command: str | None
    location: str | None
    pid: int
    hostname: str
    heartbeat_unix: float | None
    end_reason: str | None
    interval_s: float
    started_unix: float = 0.0
    flush_every_s: float = 5.0
    co2e_kg_low: float | None = None
    co2e_kg_high: float | None = None
    job_id: str | None = None
    step: str | None = None
    rank: int | None = None
    local_rank: int | None = None
    world_size: int | None = None
    nodes: int | None = None
    node: str | None = None
    role: str | None = None
    launcher: str | None = None


class RunRow(_RunRow, RunColumns):
    """A run as lists show it: its columns, never its summary (see :class:`RunRecord`).

    A named tuple, so that a list of 20,000 runs costs little to build.
    """

    __slots__ = ()


@dataclass(frozen=True)
class RunRecord(RunColumns):
    """A run with its summary: what :meth:`RunStore.get_run` gives back (the columns of :class:`RunRow`, then
    ``summary``).

    ``summary`` is the tracker's typed summary (``None`` while the run is running, or for a run killed
    before its end); a summary stored by aiceberg 0.1.0 (version 1) reads as well.
    """

    run_id: str
    status: str
    started_at: str
    ended_at: str | None
    duration_s: float | None
    energy_kwh: float | None
    co2e_kg: float | None
    exit_code: int | None
    name: str | None
    project: str
    command: str | None
    location: str | None
    pid: int
    hostname: str
    heartbeat_unix: float | None
    end_reason: str | None
    interval_s: float
    started_unix: float = 0.0
    flush_every_s: float = 5.0
    co2e_kg_low: float | None = None
    co2e_kg_high: float | None = None
    job_id: str | None = None
    step: str | None = None
    rank: int | None = None
    local_rank: int | None = None
    world_size: int | None = None
    nodes: int | None = None
    node: str | None = None
    role: str | None = None
    launcher: str | None = None
    summary: RunSummary | None = None

    def end(self) -> RunEnd | None:
        """How the run ended, as recorded (``None`` while it runs)."""
        if self.status == "running":
            return None
        return RunEnd(
            status=self.status, ended_at=self.ended_at or self.started_at, duration_s=self.duration_s or 0.0,
            exit_code=self.exit_code, end_reason=self.end_reason, energy_kwh=self.energy_kwh, co2e_kg=self.co2e,
            summary=self.summary,
        )

    def as_summary(self, phases: Sequence[PhaseRow] = ()) -> RunSummary:
        """The summary, or for a run without one (running, killed) what the store knows of it."""
        if self.summary is not None:
            return self.summary
        return RunSummary(
            run_id=self.run_id, status=self.status, started_at=self.started_at, ended_at=self.ended_at,
            duration_s=self.duration_s or 0.0, name=self.name, project=self.project, end_reason=self.end_reason,
            command=self.command, exit_code=self.exit_code, energy_kwh=self.energy_kwh, co2e_kg=self.co2e,
            location=self.location, interval_s=self.interval_s, job=self.job,
            phases=tuple(
                PhaseSummary(p.name, p.start_s, p.end_s, None if p.energy_j is None else p.energy_j / J_PER_KWH)
                for p in phases
            ),
        )


class RunStore(Protocol):
    """What the tracker, the command line, reports and the web need from a store."""

    def create_run(self, run: NewRun, channels: Sequence[ChannelRow]) -> None:
        """Record a new ``running`` run and its channels (a run already there only gains missing channels)."""
        ...

    def append(
        self,
        run_id: str,
        samples: Sequence[SampleRow],
        phases: Sequence[PhaseRow] = (),
        *,
        heartbeat_unix: float,
        partial: dict[str, Any] | None = None,
    ) -> None:
        """Add samples, upsert phases, refresh the heartbeat, in one short transaction.

        A sample already stored (same run, time and channel) is left as it is. ``partial`` (optional) is
        the running summary (``duration_s``, ``energy_kwh``), so that a run killed later still lists its
        figures up to this flush.
        """
        ...

    def finish_run(self, run_id: str, end: RunEnd) -> None:
        """Close a run with its final figures and summary."""
        ...

    def get_run(self, run_id: str) -> RunRecord:
        """One run with its summary, by its id or a unique prefix of it (``StoreError`` otherwise)."""
        ...

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
        """Runs, newest first, a page at a time; never their summaries. Dates are ``YYYY-MM-DD``, inclusive."""
        ...

    def count_runs(
        self,
        *,
        status: str | None = None,
        hostname: str | None = None,
        started_from: str | None = None,
        started_to: str | None = None,
    ) -> int:
        """How many runs :meth:`list_runs` would give without a limit."""
        ...

    def hostnames(self) -> list[str]:
        """The hosts runs were measured on, sorted."""
        ...

    def channels(self, run_id: str) -> list[ChannelRow]:
        """The channels of a run, in the order they were recorded."""
        ...

    def samples(self, run_id: str) -> list[SampleRow]:
        """The samples of a run, in time order (then channel order)."""
        ...

    def iter_samples(self, run_id: str, *, batch: int = 10_000) -> Iterator[SampleRow]:
        """The samples of a run in time order, read ``batch`` at a time (constant memory)."""
        ...

    def series(self, run_id: str, *, max_points: int = 400) -> list[PowerSeries]:
        """Each channel's power over the run, averaged down to at most ``max_points`` points.

        Its cost follows ``max_points`` and the number of channels, not the run's length.
        """
        ...

    def phases(self, run_id: str) -> list[PhaseRow]:
        """The phases of a run, in order."""
        ...

    def mark_stale_runs(self) -> list[str]:
        """Mark ``running`` runs whose owner is gone as ``interrupted``; return their ids."""
        ...

    def list_jobs(self, *, limit: int | None = None, offset: int = 0) -> list[JobRow]:
        """The distributed jobs whose runs are here, newest first (:mod:`aiceberg.store.jobs`)."""
        ...

    def count_jobs(self) -> int:
        """How many jobs :meth:`list_jobs` would give without a limit."""
        ...

    def job_runs(self, job_id: str) -> list[RunRecord]:
        """Every run of a job, oldest first, with their summaries (``StoreError`` when there is none)."""
        ...

    def channel_energies(self, run_id: str) -> list[ChannelEnergy]:
        """Each channel of a run with its last good reading (a run killed before its summary)."""
        ...

    def stored_at(self, run_id: str) -> Msg:
        """Where the run's data went, for the person who ran it (never a password)."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...
