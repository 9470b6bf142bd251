"""A distributed job's footprint, counted once: ``aiceberg jobs show``, ``aiceberg report --job``, the API.

The ranks of a job each store a run (``measure/node.py``): one rank per node at a time also reads the
node's sensors (its run has the role ``node``), and each GPU is read by one process. So adding the
*counted* channels of every run of the job counts each joule once. For a run killed before its summary,
its channels' last flushed readings stand for it (:meth:`~aiceberg.store.jobs.JobQueries.channel_energies`):
nothing it flushed is lost.

The footprint is computed once per node by the engine (:func:`~aiceberg.model.measured.measured_footprint`:
the node's electricity by domain, PUE, grid, and the manufacturing share of the node's machine and GPUs
over the node's time), then added across nodes: the runs' own footprints are not added, since each would
carry a share of the same machine.

What the store cannot know is said, not guessed (:attr:`JobSummary.notes`): runs still open (the job
runs, or they were killed, or their node has not synced its spool yet), ranks or nodes the launcher
announced that never reached this store, and time when no rank read a node's sensors (a rank that held
them died, and the next one took over): a gap, never 0 J.

This module sits beside :mod:`aiceberg.tracking`, above the measuring layer and the store: it reads the
store and calls the engine; reports receive what it computes (``explain`` never fetches).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from aiceberg.errors import StoreError
from aiceberg.i18n import Msg
from aiceberg.model.footprint import Footprint
from aiceberg.model.measured import measured_footprint
from aiceberg.model.quantity import Q
from aiceberg.model.run_summary import ChannelReport, JobInfo, RunSummary, SensorReport, q_to_flat
from aiceberg.store import RunRecord, RunStore, open_for_reading
from aiceberg.store.jobs import JobRow
from aiceberg.store.util import now_iso
from aiceberg.units import J_PER_KWH

__all__ = ["JobRow", "JobSummary", "NodePart", "RunPart", "get_job", "job_summary", "list_jobs"]

#: Time without a reader shorter than this is below what the runs' clocks tell apart (s).
UNREAD_NOTED_S = 1e-3


@dataclass(frozen=True)
class Reading:
    """A counted channel of a run: what it read in all (kWh), its domain, and whether it was measured."""

    channel_id: str
    domain: str
    label: str
    energy_kwh: float
    method: str


@dataclass(frozen=True)
class RunPart:
    """One run of the job, as the per-node breakdown lists it.

    ``from_samples``: the run ended without its summary (killed): its channels' last flushed readings.
    """

    run_id: str
    role: str
    step: str | None
    rank: int | None
    local_rank: int | None
    status: str
    started_unix: float
    duration_s: float
    readings: tuple[Reading, ...]
    from_samples: bool = False

    @property
    def energy_kwh(self) -> float | None:
        return sum(r.energy_kwh for r in self.readings) if self.readings else None

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "role": self.role, "step": self.step, "rank": self.rank,
                "local_rank": self.local_rank, "status": self.status, "duration_s": self.duration_s,
                "energy_kwh": self.energy_kwh, "channels": [r.channel_id for r in self.readings],
                "from_samples": self.from_samples}


@dataclass(frozen=True)
class NodePart:
    """A node of the job: its runs, its electricity by domain, and the time its sensors were read.

    ``read_s``: the time some run of the job read the node's sensors; ``unread_s``: the rest of the
    node's time (between a rank that died and the one that took over), whose energy is unknown.
    """

    node: str
    runs: tuple[RunPart, ...]
    domains_kwh: dict[str, float]
    gpus: tuple[str, ...]
    started_unix: float
    ended_unix: float
    read_s: float
    unread_s: float
    footprint: Footprint | None = None

    @property
    def energy_kwh(self) -> float | None:
        return sum(self.domains_kwh.values()) if self.domains_kwh else None

    @property
    def duration_s(self) -> float:
        return max(self.ended_unix - self.started_unix, 0.0)

    @property
    def ranks(self) -> list[tuple[str | None, int]]:
        return sorted({(r.step, r.rank) for r in self.runs if r.rank is not None}, key=lambda k: (str(k[0]), k[1]))

    def to_dict(self) -> dict[str, Any]:
        co2e = None if self.footprint is None else self.footprint.co2e_kg
        return {"node": self.node, "energy_kwh": self.energy_kwh, **q_to_flat("co2e_kg", co2e),
                "domains_kwh": dict(self.domains_kwh), "gpus": list(self.gpus),
                "ranks": [r for _, r in self.ranks], "duration_s": self.duration_s, "read_s": self.read_s,
                "unread_s": self.unread_s, "runs": [r.to_dict() for r in self.runs]}


@dataclass(frozen=True)
class JobSummary:
    """A job's total, each joule counted once, with its per-node breakdown and what is not known.

    Attributes:
        energy_kwh: the electricity the job's sensors read (at the devices, before PUE).
        co2e_kg: the whole footprint with its range (``footprint``: its parts, factors and sources).
        ranks, nodes: how many ranks and nodes reported to this store; world_size, nodes_expected: how
            many the launcher announced (``None``: it did not say).
        complete: no run still open, and every rank and node the launcher announced reported (time when no
            rank read a node is another matter: ``NodePart.unread_s`` and the notes).
        notes: what the total leaves out or cannot know, for people.
    """

    job_id: str
    launcher: str | None
    steps: tuple[str, ...]
    status: str
    started_unix: float
    ended_unix: float
    nodes: tuple[NodePart, ...]
    runs: int
    ranks: int
    world_size: int | None
    nodes_expected: int | None
    location: str | None
    pue: float | None
    footprint: Footprint | None
    notes: tuple[Msg, ...] = ()
    complete: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def energy_kwh(self) -> float | None:
        values = [n.energy_kwh for n in self.nodes if n.energy_kwh is not None]
        return sum(values) if values else None

    @property
    def co2e_kg(self) -> Q | None:
        return None if self.footprint is None else self.footprint.co2e_kg

    @property
    def duration_s(self) -> float:
        return max(self.ended_unix - self.started_unix, 0.0)

    @property
    def domains_kwh(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for n in self.nodes:
            for domain, kwh in n.domains_kwh.items():
                out[domain] = out.get(domain, 0.0) + kwh
        return out

    def as_run_summary(self) -> RunSummary:
        """The whole job as one run's summary (the documents that take a run: ``aiceberg jobs export``,
        ``report --job --format …``): its energy and footprint counted once, every node's GPUs, its time
        from the first reading to the last, its sensors by what they read. Its ``job.role`` is ``job``,
        which the documents check (``explain.compliance.job_compliance``): never a rank's summary."""
        readings = [(r, run) for n in self.nodes for run in n.runs for r in run.readings]
        by_method: dict[str, list[ChannelReport]] = {}
        for r, _run in readings:
            by_method.setdefault(r.method, []).append(ChannelReport(
                id=r.channel_id, domain=r.domain, label=r.label, energy_kwh=r.energy_kwh, counted=True))
        sensors = tuple(SensorReport(name=f"job:{m}", status=m, energy_kwh=sum(c.energy_kwh or 0.0 for c in chans),
                                     channels=tuple(chans)) for m, chans in by_method.items())
        gpus = [r.label for r, _ in readings if r.domain == "gpu"]
        host = {"hostname": ", ".join(n.node for n in self.nodes), "gpu_models": gpus, "gpu_count": len(gpus),
                "nodes": len(self.nodes)}
        first = self.nodes[0] if self.nodes else None
        job = JobInfo(job_id=self.job_id, node=first.node if first else "", role="job",
                      launcher=self.launcher or "none", step=self.steps[0] if len(self.steps) == 1 else None,
                      world_size=self.world_size, nodes=len(self.nodes))
        return RunSummary(
            run_id=self.job_id, status=self.status, started_at=now_iso(self.started_unix),
            ended_at=now_iso(self.ended_unix), duration_s=self.duration_s, name=f"job {self.job_id}",
            energy_kwh=self.energy_kwh, co2e_kg=self.co2e_kg, location=self.location, pue=self.pue,
            domains_kwh=self.domains_kwh, sensors=sensors, host=host, footprint=self.footprint, job=job,
            warnings=self.notes,
        )

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The JSON of ``aiceberg jobs show --json``: the job's total, counted once, and its nodes."""
        return {
            "job_id": self.job_id, "launcher": self.launcher, "steps": list(self.steps), "status": self.status,
            "complete": self.complete, "started_at": now_iso(self.started_unix), "ended_at": now_iso(self.ended_unix),
            "duration_s": self.duration_s, "energy_kwh": self.energy_kwh, **q_to_flat("co2e_kg", self.co2e_kg),
            "domains_kwh": self.domains_kwh, "nodes": len(self.nodes), "ranks": self.ranks, "runs": self.runs,
            "world_size": self.world_size, "nodes_expected": self.nodes_expected, "location": self.location,
            "pue": self.pue, "per_node": [n.to_dict() for n in self.nodes],
            "notes": [m.render(lang) for m in self.notes],
            "footprint": None if self.footprint is None else self.footprint.to_dict(lang),
            **self.extra,
        }


# -- from the store's records ----------------------------------------------------------------------


def _nested(channel_id: str) -> bool:
    """For a run stored without ``counted``: a RAPL sub-zone (``rapl:package-0:core``) is inside its package."""
    return channel_id.startswith("rapl:") and channel_id.count(":") >= 2 and not channel_id.endswith(":dram")


def _readings(rec: RunRecord, store: RunStore) -> tuple[tuple[Reading, ...], bool]:
    """The counted channels of a run: from its summary, else from its last flushed samples."""
    if rec.summary is not None:
        out = []
        for sensor in rec.summary.sensors:
            method = "modelled" if sensor.status == "modelled" else "measured"
            for c in sensor.channels:
                if c.counted and c.energy_kwh is not None:
                    out.append(Reading(c.id, c.domain, c.label, c.energy_kwh, method))
        return tuple(out), False
    out = []
    for ce in store.channel_energies(rec.run_id):
        ch = ce.channel
        counted = ch.counted if ch.counted is not None else not _nested(ch.channel_id)
        if counted and ce.energy_j is not None and ch.method in ("measured", "modelled"):
            out.append(Reading(ch.channel_id, ch.domain, ch.label, ce.energy_j / J_PER_KWH, ch.method))
    return tuple(out), True


def _union(intervals: Iterable[tuple[float, float]]) -> float:
    total, end = 0.0, None
    start = 0.0
    for a, b in sorted(intervals):
        if end is None or a > end:
            if end is not None:
                total += end - start
            start, end = a, b
        else:
            end = max(end, b)
    if end is not None:
        total += end - start
    return total


def _common(values: Iterable[Any]) -> Any:
    counts = Counter(v for v in values if v is not None)
    return counts.most_common(1)[0][0] if counts else None


def _node_part(name: str, records: Sequence[RunRecord], store: RunStore, location: str | None,
               pue: float | None) -> tuple[NodePart, list[Msg]]:
    runs: list[RunPart] = []
    domains: dict[str, float] = {}
    methods: dict[str, str] = {}
    gpus: list[str] = []
    gpu_labels: list[str] = []
    cpu_model = None
    for rec in records:
        readings, from_samples = _readings(rec, store)
        runs.append(RunPart(rec.run_id, rec.role or "rank", rec.step, rec.rank, rec.local_rank, rec.status,
                            rec.started_unix, rec.duration_s or 0.0, readings, from_samples))
        for r in readings:
            domains[r.domain] = domains.get(r.domain, 0.0) + r.energy_kwh
            if methods.get(r.domain) != "measured":
                methods[r.domain] = r.method
            if r.domain == "gpu" and r.channel_id not in gpus:
                gpus.append(r.channel_id)
                gpu_labels.append(r.label)
        if rec.summary is not None and cpu_model is None:
            cpu_model = rec.summary.host.get("cpu_model")
    node_runs = [(r.started_unix, r.started_unix + r.duration_s) for r in runs if r.role == "node"]
    # the node's time runs from its first reading (ranks that started a moment before the one that won
    # the node were not yet at work) to the end of its last run
    start = min(a for a, _ in node_runs) if node_runs else min(r.started_unix for r in runs)
    end = max(r.started_unix + r.duration_s for r in runs)
    read = _union((max(a, start), max(b, start)) for a, b in node_runs)
    unread = max(end - start - read, 0.0)
    notes: list[Msg] = []
    if unread > UNREAD_NOTED_S:
        notes.append(Msg("jobs.note.unread", node=name, seconds=unread))
    fp = None
    if domains:
        host = {"hostname": name, "gpu_models": gpu_labels, "gpu_count": len(gpu_labels), "cpu_model": cpu_model}
        fp = measured_footprint(domains, duration_s=end - start, location=location, pue=pue, host=host,
                                statuses=methods)
    return NodePart(name, tuple(runs), domains, tuple(gpus), start, end, read, unread, fp), notes


def job_summary(job_id: str, store: RunStore, *, runs: Collection[str] | None = None) -> JobSummary:
    """The job's total from ``store`` (see the module's docstring).

    Args:
        runs: only these runs of the job (their ids): one training of a job that ran several (a framework's
            callback gathers its trackers' runs), the rest of the job left out. ``None``: every run.

    Raises:
        StoreError: no run of the store belongs to ``job_id`` (or none of ``runs`` does: ``jobs.no_job``), or
            the store cannot be read.
    """
    records = store.job_runs(job_id)
    if runs is not None:
        wanted = set(runs)
        records = [r for r in records if r.run_id in wanted]
        if not records:
            raise StoreError(Msg("jobs.no_job", job=job_id, where=getattr(store, "where", "")))
    location = _common(r.location for r in records)
    pue = _common(r.summary.pue for r in records if r.summary is not None)
    by_node: dict[str, list[RunRecord]] = {}
    for rec in records:
        by_node.setdefault(rec.node or rec.hostname, []).append(rec)
    nodes: list[NodePart] = []
    notes: list[Msg] = []
    for name in sorted(by_node):
        part, node_notes = _node_part(name, by_node[name], store, location, pue)
        nodes.append(part)
        notes.extend(node_notes)
    footprint = None
    for part in nodes:
        if part.footprint is not None:
            footprint = part.footprint if footprint is None else footprint + part.footprint
    if footprint is not None:
        footprint = replace(footprint, title=Msg("jobs.title", job=job_id),
                            meta={"kind": "job", "job_id": job_id, "nodes": len(nodes)})
    steps = tuple(dict.fromkeys(str(r.step) for r in records if r.step is not None))
    ranks = len({(r.step, r.rank) for r in records if r.rank is not None})
    world = max((r.world_size for r in records if r.world_size is not None), default=None)
    expected_nodes = max((r.nodes for r in records if r.nodes is not None), default=None)
    running = [r for r in records if r.status == "running"]
    killed = [r for r in records if r.status != "running" and r.summary is None]
    if running:
        notes.insert(0, Msg("jobs.note.running", count=len(running)))
    if killed:
        notes.append(Msg("jobs.note.from_samples", count=len(killed)))
    by_step = Counter(r.step for r in records if r.rank is not None and r.role in ("rank", "node"))
    seen = max((len({r.rank for r in records if r.step == s and r.rank is not None}) for s in by_step), default=0)
    by_node_scope = any(r.summary is not None and r.summary.job is not None and r.summary.job.scope == "node"
                        for r in records)
    if world is not None and seen < world:  # a node's tracker may measure ranks that do not track themselves
        notes.append(Msg("jobs.note.ranks_by_node" if by_node_scope else "jobs.note.ranks_missing",
                         seen=seen, expected=world))
    if expected_nodes is not None and len(nodes) < expected_nodes:
        notes.append(Msg("jobs.note.nodes_missing", seen=len(nodes), expected=expected_nodes))
    if world is None and expected_nodes is None:
        notes.append(Msg("jobs.note.size_unknown"))
    if len({r.location for r in records}) > 1:
        notes.append(Msg("jobs.note.locations", location=str(location)))
    statuses = {r.status for r in records}
    status = next((s for s in ("running", "failed", "interrupted") if s in statuses), "finished")
    complete = (not running and (world is None or seen >= world or by_node_scope)
                and (expected_nodes is None or len(nodes) >= expected_nodes))
    return JobSummary(
        job_id=records[0].job_id or job_id, launcher=_common(r.launcher for r in records), steps=steps,
        status=status, started_unix=min(n.started_unix for n in nodes), ended_unix=max(n.ended_unix for n in nodes),
        nodes=tuple(nodes), runs=len(records), ranks=ranks, world_size=world, nodes_expected=expected_nodes,
        location=location, pue=pue, footprint=footprint, notes=tuple(notes), complete=complete,
    )


def _store(store: RunStore | str | os.PathLike[str] | None) -> tuple[RunStore, bool]:
    if store is None or isinstance(store, str | os.PathLike):
        return open_for_reading(store), True
    return store, False


def get_job(job_id: str, *, store: RunStore | str | os.PathLike[str] | None = None,
            runs: Collection[str] | None = None) -> JobSummary:
    """A job's total, counted once, from ``store`` (a store, a path or URL; ``None``: the configured one);
    ``runs``: only these runs of it (:func:`job_summary`).

    ``aiceberg.get_job("123").to_dict()`` is the JSON of ``aiceberg jobs show 123 --json``.
    """
    opened, own = _store(store)
    try:
        return job_summary(job_id, opened, runs=runs)
    finally:
        if own:
            opened.close()


def list_jobs(*, store: RunStore | str | os.PathLike[str] | None = None, limit: int | None = None,
              offset: int = 0) -> list[JobRow]:
    """The jobs in ``store``, newest first."""
    opened, own = _store(store)
    try:
        return opened.list_jobs(limit=limit, offset=offset)
    finally:
        if own:
            opened.close()
