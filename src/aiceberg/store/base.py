"""The run store's small interface, and the rows it keeps.

A store keeps *runs* (one row per tracked run, with its status and its summary), the *channels* each
run read, the *samples* (cumulative joules of each channel at each reading, or the reason of a gap)
and the *phases*. The tracker writes samples incrementally, so a run killed with SIGKILL keeps
everything up to its last flush; the next time a store is opened or listed, a ``running`` run whose
owner process is dead (same host) or whose heartbeat is stale is marked ``interrupted``.

The store does not compute footprints: it keeps what the tracker gives it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

# the records a run is written as live below both the tracker and the store (measure ⟂ store)
from aiceberg.model.run_records import ChannelRow, NewRun, PhaseRow, SampleRow

__all__ = [
    "STATUSES",
    "ChannelRow",
    "NewRun",
    "PhaseRow",
    "RunRecord",
    "RunStatus",
    "RunStore",
    "SampleRow",
]

RunStatus = Literal["running", "finished", "interrupted", "failed"]
STATUSES: tuple[str, ...] = ("running", "finished", "interrupted", "failed")


@dataclass(frozen=True)
class RunRecord:
    """A run as the store holds it. ``summary`` is the tracker's result (see ``docs/tracking.md``)."""

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
    summary: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The fields ``aiceberg runs list --json`` prints."""
        return {
            "run_id": self.run_id,
            "status": self.status,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "duration_s": self.duration_s,
            "energy_kwh": self.energy_kwh,
            "co2e_kg": self.co2e_kg,
            "exit_code": self.exit_code,
            "name": self.name,
            "project": self.project,
            "command": self.command,
            "location": self.location,
            "hostname": self.hostname,
            "pid": self.pid,
            "end_reason": self.end_reason,
        }


class RunStore(Protocol):
    """What the tracker and the CLI need from a store (SQLite now, PostgreSQL later)."""

    def create_run(self, run: NewRun, channels: Sequence[ChannelRow]) -> None:
        """Record a new ``running`` run and its channels."""
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

        ``partial`` (optional) is the running summary (``duration_s``, ``energy_kwh``), so that a run
        killed later still lists its figures up to this flush.
        """
        ...

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
        """Close a run with its final figures."""
        ...

    def get_run(self, run_id: str) -> RunRecord:
        """One run, by its id or a unique prefix of it (``StoreError`` otherwise)."""
        ...

    def list_runs(self, *, limit: int | None = None, status: str | None = None) -> list[RunRecord]:
        """Runs, newest first (stale ``running`` runs are marked ``interrupted`` first)."""
        ...

    def channels(self, run_id: str) -> list[ChannelRow]:
        """The channels of a run."""
        ...

    def samples(self, run_id: str) -> list[SampleRow]:
        """The samples of a run, in time order."""
        ...

    def phases(self, run_id: str) -> list[PhaseRow]:
        """The phases of a run, in order."""
        ...

    def mark_stale_runs(self) -> list[str]:
        """Mark ``running`` runs whose owner is gone as ``interrupted``; return their ids."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...
