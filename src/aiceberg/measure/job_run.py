"""A tracked run's place in a distributed job, for the tracker.

Which job the run belongs to (the one given, else the launcher's environment, ``launcher.py``), what it
reads of it (``node``: the node's sensors, and GPUs; ``rank``: only the GPUs its rank owns), the node it
takes over when the rank that read the node ends or dies, and the job's fields in what the run stores and
in its summary. The locks, the claims and the node's election themselves are ``node.py``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from aiceberg.errors import InputError
from aiceberg.i18n import Msg
from aiceberg.measure.discovery import Discovery
from aiceberg.measure.launcher import JobContext, detect
from aiceberg.measure.node import JobMember, job_info, job_warnings, open_job_sensors, with_job
from aiceberg.model.run_summary import JobInfo, RunSummary

__all__ = ["JOB_SCOPES", "JobLink", "job_context"]

#: What a process of a job measures besides the node's sensors (if it holds them).
JOB_SCOPES = ("rank", "node")


def job_context(job: JobContext | bool | None, job_id: str | None) -> JobContext | None:
    """The job a run belongs to: the one given, else the launcher's (``job_id`` names it), else none."""
    if job is False:
        return None
    ctx = job if isinstance(job, JobContext) else detect(job_id=job_id)
    if job_id is not None and isinstance(job, JobContext):
        ctx = ctx.with_job_id(job_id)
    return ctx if ctx.in_job else None


class JobLink:
    """One run's part in its job (``ctx`` is ``None`` outside a job: every method then does nothing).

    Args:
        job: the job context; ``None`` reads the launcher's environment; ``False``: no job.
        job_id: the job's id where the launcher does not say or says otherwise.
        scope: ``rank`` (the GPUs its rank owns) or ``node`` (every GPU of the job on the node).
        takeover: for the node's run a rank starts on taking the node over, that rank's member.
    """

    def __init__(self, job: JobContext | bool | None, job_id: str | None, scope: str = "rank",
                 takeover: JobMember | None = None) -> None:
        self.ctx: JobContext | None = job_context(job, job_id)
        if scope not in JOB_SCOPES:
            raise InputError("job_scope", f"{scope!r} is not accepted", "'rank' or 'node'")
        self.scope = scope
        self.role: str | None = None  # ``node`` or ``rank`` once the sensors are open
        self.member: JobMember | None = None
        self.takeover = takeover

    def open_sensors(self, run_id: str, options: Mapping[str, Any],
                     discover_fn: Callable[..., Discovery]) -> tuple[Discovery, list[Msg]]:
        """The sensors this run of the job reads (``discover_fn(**options)`` narrowed to its share), and
        what it must say (a node taken over, ranks that could not meet, a made-up job id)."""
        assert self.ctx is not None
        self.member, self.role, found = open_job_sensors(
            self.ctx, run_id, options, takeover=self.takeover, scope=self.scope, discover_fn=discover_fn)
        return found, job_warnings(self.ctx, self.member or self.takeover, self.role)

    def info(self) -> JobInfo | None:
        """What the store keeps of the run's job (``None`` outside a job)."""
        return None if self.ctx is None else job_info(self.ctx, self.role or "rank", self.scope)

    def watch(self, start_node_run: Callable[[JobMember], Any], interval_s: float) -> None:
        """A rank that does not read its node tries for it each interval (at most every 5 s): on taking it
        over, ``start_node_run(member)`` starts the node's run."""
        if self.member is not None and self.role == "rank":
            self.member.watch(start_node_run, min(max(interval_s, 0.05), 5.0))

    def flushed(self, wall_unix: float) -> None:
        """A flush was written: the node's reader notes when, for a successor's account of what no one read."""
        holder = self.member or self.takeover
        if self.role == "node" and holder is not None:
            holder.heartbeat(wall_unix)

    def close(self) -> None:
        """The node's run this rank took over ends with it; the locks go."""
        if self.member is not None:
            self.member.close(lambda node_run: node_run.stop(end_reason="the rank that read the node ended"))

    def summary(self, summary: RunSummary) -> RunSummary:
        """The run's summary with its job (unchanged outside a job)."""
        return summary if self.ctx is None else with_job(summary, self.ctx, self.role or "rank", self.scope)
