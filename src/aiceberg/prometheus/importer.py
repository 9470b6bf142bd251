"""Import what a fleet already measures: Prometheus series → aiceberg runs with the whole iceberg.

For a window (``--from``, ``--to``, ``--step``) and optional label matchers, :func:`import_prometheus`
asks the server for the DCGM exporter's, Kepler's and Scaphandre's node-level series
(:mod:`~aiceberg.prometheus.families`), makes one run per node, turns each device's points into the
store's samples (:mod:`~aiceberg.prometheus.convert`: counter resets handled, gaps kept as gaps), and
gives the run its footprint through the same engine call as a tracked run (PUE, grid intensity,
manufacturing share of the GPUs named by DCGM, else of a generic server). Runs go through the public
store API, so ``aiceberg runs show`` and ``aiceberg report RUN`` work on them.

A run's id follows from the server, the node, the window, the step and the matchers: importing the same
window again finds the runs already there and adds nothing.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from aiceberg.errors import StoreError
from aiceberg.i18n import Msg
from aiceberg.measure.base import Channel, SensorStatus
from aiceberg.measure.sampler import ChannelState
from aiceberg.measure.summary import RunFacts, build_summary, utc_iso
from aiceberg.model import factors
from aiceberg.model.run_records import ChannelRow, NewRun, RunEnd
from aiceberg.model.run_summary import RunSummary
from aiceberg.prometheus.api import PrometheusAPI, Series, Window
from aiceberg.prometheus.convert import Converted, convert, grid_index
from aiceberg.prometheus.families import QUERIES, ImportedChannel, node_channels
from aiceberg.store.base import RunStore
from aiceberg.units import J_PER_KWH

__all__ = ["ImportedRun", "import_prometheus"]

#: Samples written per store transaction.
BATCH = 5000

_DESCRIPTIONS = {
    "dcgm": "NVIDIA DCGM exporter through Prometheus",
    "kepler": "Kepler (node level) through Prometheus",
    "scaphandre": "Scaphandre (host power) through Prometheus",
}


@dataclass
class ImportedRun:
    """One node's run: its summary, what each channel gave, and whether it was there already."""

    run_id: str
    node: str
    summary: RunSummary | None
    channels: list[dict[str, Any]] = field(default_factory=list)
    already: bool = False

    def to_dict(self) -> dict[str, Any]:
        s = self.summary
        return {
            "run_id": self.run_id, "node": self.node, "already_imported": self.already,
            "started_at": None if s is None else s.started_at, "ended_at": None if s is None else s.ended_at,
            "duration_s": None if s is None else s.duration_s, "energy_kwh": None if s is None else s.energy_kwh,
            "co2e_kg": None if s is None or s.co2e_kg is None else
            {"central": s.co2e_kg.central, "low": s.co2e_kg.low, "high": s.co2e_kg.high},
            "channels": self.channels,
            "warnings": [] if s is None else [str(w) for w in s.warnings],
        }


def _run_id(url: str, node: str, window: Window, selector: str, group_by: str | None) -> str:
    key = "\n".join([url, node, repr(window.start), repr(window.end), repr(window.step), selector, group_by or ""])
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _query(template: str, selector: str) -> str:
    return template.format(sel=selector, csel=("," + selector) if selector else "")


def _exists(store: RunStore, run_id: str) -> bool:
    try:
        return store.get_run(run_id).run_id == run_id
    except StoreError:
        return False


def import_prometheus(
    api: PrometheusAPI,
    store: RunStore,
    window: Window,
    *,
    selector: str = "",
    group_by: str | None = None,
    location: str | None = None,
    pue: float | None = None,
    project: str | None = None,
    name: str | None = None,
    command: str | None = None,
    clock: Callable[[], float] = time.time,
) -> list[ImportedRun]:
    """Import the window's node-level energy series into ``store``, one run per node.

    Raises:
        InputError: an unknown ``location`` or a bad ``pue`` (before any query), a server that cannot be
            reached or refuses the query (naming ``url`` or ``selector``).
    """
    factors.grid_intensity(location)  # an unknown zone or a bad PUE fails before anything is asked
    factors.pue(pue)
    found: list[tuple[str, Series]] = []
    for family, template in QUERIES:
        found += [(family, s) for s in api.query_range(_query(template, selector), window)]
    by_node, warnings = node_channels(found, group_by)
    out = []
    for node, chans in by_node.items():
        run_id = _run_id(api.url, node, window, selector, group_by)
        if _exists(store, run_id):
            out.append(ImportedRun(run_id, node, store.get_run(run_id).summary, already=True))
            continue
        node_warnings = [w for w in warnings if w.params.get("node") in (None, node)]
        out.append(_import_node(store, run_id, node, chans, window, node_warnings, location=location, pue=pue,
                                project=project, name=name, command=command, url=api.url, selector=selector,
                                clock=clock))
    return out


def _import_node(store: RunStore, run_id: str, node: str, chans: Sequence[ImportedChannel], window: Window,
                 warnings: list[Msg], *, location: str | None, pue: float | None, project: str | None,
                 name: str | None, command: str | None, url: str, selector: str,
                 clock: Callable[[], float]) -> ImportedRun:
    step = window.step
    indices = [grid_index(t, window.start, step) for c in chans for t in c.points]
    first, last = min(indices), max(indices)
    t0 = window.start + first * step
    duration = (last - first) * step
    converted = {c.id: convert(c, first=first, last=last, start=window.start, step=step) for c in chans}
    states = [_state(c, converted[c.id]) for c in chans]
    facts = RunFacts(
        run_id=run_id, status="finished", started_unix=t0, duration_s=duration, name=name or f"{node} (Prometheus)",
        project=project or "default", command=command, location=location,
        pue=pue, interval_s=step,
        samples=last - first + 1, end_reason="imported from Prometheus", warnings=list(warnings),
    )
    for c in chans:
        resets = converted[c.id].resets
        if resets:
            facts.warnings.append(Msg("prometheus.import.resets", channel=c.id, count=resets))
    families = sorted({c.family for c in chans})
    statuses = [SensorStatus(f, "measured", f"{_DESCRIPTIONS[f]} ({url})") for f in families]
    gpus = [c.gpu_model or "GPU" for c in chans if c.family == "dcgm" and c.included_in is None]
    host = {"hostname": node, "os": None, "python_version": None, "cpu_model": None, "cpu_count": None,
            "ram_total_gb": None, "gpu_count": len(gpus), "gpu_models": gpus}
    used = [s for s in states if s.channel.included_in is None]
    summary = build_summary(facts, states, used, statuses, host=host)
    summary = replace(summary, extra={"imported_from": {
        "kind": "prometheus", "url": url, "selector": selector, "from": utc_iso(window.start),
        "to": utc_iso(window.end), "step_s": step}})
    store.create_run(
        NewRun(run_id=run_id, started_at=utc_iso(t0), started_unix=t0, pid=os.getpid(), hostname=node,
               name=facts.name, project=facts.project, command=command, location=location, interval_s=step,
               flush_every_s=step),
        [ChannelRow(c.id, c.family, c.domain, c.label, "measured") for c in chans],
    )
    rows = sorted((r for c in converted.values() for r in c.rows), key=lambda r: (r.t_s, r.channel_id))
    for k in range(0, len(rows), BATCH):
        batch = rows[k:k + BATCH]
        store.append(run_id, batch, heartbeat_unix=clock(),
                     partial={"duration_s": batch[-1].t_s, "energy_kwh": None})
    store.finish_run(run_id, RunEnd.from_summary(summary))
    return ImportedRun(run_id, node, summary, [_channel_dict(c, converted[c.id]) for c in chans])


def _channel_dict(c: ImportedChannel, conv: Converted) -> dict[str, Any]:
    return {"id": c.id, "family": c.family, "metric": c.metric, "domain": c.domain, "counted": c.included_in is None,
            "included_in": c.included_in, "energy_kwh": None if conv.energy_j is None else conv.energy_j / J_PER_KWH,
            "gaps": conv.gaps, "resets": conv.resets, "missing_s": conv.missing_s}


def _state(c: ImportedChannel, conv: Converted) -> ChannelState:
    """What the summary builder reads of a channel, as a tracked run's sampler would have it."""
    channel = Channel(c.id, c.domain, c.label, c.device_index, c.included_in)  # type: ignore[arg-type]
    return ChannelState(channel, c.family, "measured", base_j=0.0, last_j=conv.energy_j,
                        reads=conv.reads, gaps=conv.gaps, last_error=None if not conv.gaps else _gap_text(conv),
                        missing_s=conv.missing_s)


def _gap_text(conv: Converted) -> str:
    return next(r.error for r in conv.rows if r.error) or ""
