"""The records a tracked run is written as: what the measuring layer hands over and the store keeps.

They live in the engine layer, beside :mod:`~aiceberg.model.run_summary`, because the tracker (which
makes them) and the store (which keeps them) are independent of each other: the tracker writes to a
sink it is given (``aiceberg.measure.recorder.RunSink``), which a store satisfies without either
importing the other. ``aiceberg.store.base`` re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiceberg.model.quantity import Q
from aiceberg.model.run_summary import JobInfo, RunSummary

__all__ = ["ChannelRow", "JobInfo", "NewRun", "PhaseRow", "RunEnd", "SampleRow"]


@dataclass(frozen=True)
class NewRun:
    """What is known of a run when it starts."""

    run_id: str
    started_at: str  # ISO 8601, UTC
    started_unix: float
    pid: int
    hostname: str
    name: str | None = None
    project: str = "default"
    command: str | None = None
    location: str | None = None
    interval_s: float = 1.0
    flush_every_s: float = 5.0
    job: JobInfo | None = None  # the distributed job the run is a rank or node of


@dataclass(frozen=True)
class ChannelRow:
    """A channel read during a run; ``counted``: whether its energy is part of the run's total (a RAPL
    ``core`` inside its package is not; ``None``: not recorded, a run stored before aiceberg said)."""

    channel_id: str
    sensor: str
    domain: str
    label: str
    method: str  # measured | modelled
    counted: bool | None = None


@dataclass(frozen=True, slots=True)
class SampleRow:
    """One reading of one channel: cumulative joules since the run started, or a gap.

    Attributes:
        t_s: seconds since the run started (monotonic clock).
        channel_id: the channel.
        energy_j: cumulative joules since the run started; ``None`` for a gap.
        power_w: instantaneous power where the sensor gives one.
        error: why the reading failed (a gap), else ``None``.
    """

    t_s: float
    channel_id: str
    energy_j: float | None
    power_w: float | None = None
    error: str | None = None


@dataclass(frozen=True)
class PhaseRow:
    """A named phase: ``end_s`` and ``energy_j`` are ``None`` while it runs."""

    index: int
    name: str
    start_s: float
    end_s: float | None = None
    energy_j: float | None = None


@dataclass(frozen=True)
class RunEnd:
    """How a run ended: what the store's ``finish_run`` records.

    ``energy_kwh`` and ``co2e_kg`` are kept as columns so that lists need not read the summary;
    :meth:`from_summary` takes them (and everything else) from the tracker's summary. ``summary`` is
    ``None`` only for a run closed without one (interrupted before its end).
    """

    status: str
    ended_at: str
    duration_s: float
    exit_code: int | None = None
    end_reason: str | None = None
    energy_kwh: float | None = None
    co2e_kg: Q | None = None
    summary: RunSummary | None = None

    @classmethod
    def from_summary(cls, summary: RunSummary) -> RunEnd:
        """The end of a run as its summary tells it."""
        return cls(
            status=summary.status, ended_at=summary.ended_at or summary.started_at, duration_s=summary.duration_s,
            exit_code=summary.exit_code, end_reason=summary.end_reason, energy_kwh=summary.energy_kwh,
            co2e_kg=summary.co2e_kg, summary=summary,
        )
