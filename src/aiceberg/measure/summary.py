"""The summary builder: a stopped run's channel states, phases and settings → a typed
:class:`~aiceberg.model.run_summary.RunSummary`, with its Footprint from the engine (one call).

Every sensor tried is reported: used (``measured``, ``modelled``, or ``partial`` when a power-only
channel has time no reading covers) or why not. Texts the code writes are catalog messages
(``measure.*`` keys), rendered later in the reader's language.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiceberg.i18n import Msg
from aiceberg.measure.host import host_info
from aiceberg.measure.phases import with_footprint
from aiceberg.measure.sampler import ChannelState, Sampler
from aiceberg.model.measured import measured_footprint
from aiceberg.model.run_summary import (
    Attribution,
    ChannelReport,
    IdleSummary,
    PhaseSummary,
    Prediction,
    RunSummary,
    SensorReport,
    Text,
)
from aiceberg.units import J_PER_KWH

if TYPE_CHECKING:
    from aiceberg.measure.base import SensorStatus
    from aiceberg.model.footprint import Footprint

__all__ = ["RunFacts", "build_summary", "footprint_for", "footprint_so_far", "predicted_footprint", "sensor_reports",
           "utc_iso"]

log = logging.getLogger("aiceberg.tracker")


def utc_iso(unix: float) -> str:
    """``2025-01-31T12:00:00.123Z``."""
    return datetime.fromtimestamp(unix, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def footprint_for(
    domains_kwh: Mapping[str, float],
    *,
    duration_s: float,
    location: str | None,
    pue: float | None,
    host: Mapping[str, Any],
    idle_kwh: float | None = None,
    statuses: Mapping[str, str] | None = None,
    unmetered_kwh: float | None = None,
) -> Footprint:
    """Turn measured energies into a Footprint through the engine: the one call the tracker makes."""
    return measured_footprint(
        domains_kwh, duration_s=duration_s, location=location, pue=pue, host=host, idle_kwh=idle_kwh,
        statuses=statuses, unmetered_kwh=unmetered_kwh,
    )


def footprint_so_far(sampler: Sampler, *, location: str | None, pue: float | None) -> Footprint | None:
    """The footprint of what a running sampler measured so far (as of its last sample), with the run's
    factors, as its summary's will be; ``None`` where the engine cannot compute one (logged): a figure
    asked for while the workload runs must never break it."""
    try:
        return footprint_for(
            sampler.domains_kwh(), duration_s=sampler.elapsed_s(), location=location, pue=pue,
            host=host_info(st.channel for st in sampler.states.values()),
        )
    except Exception:
        log.debug("footprint so far failed", exc_info=True)
        return None


def predicted_footprint(pred: Prediction, sampler: Sampler, *, location: str | None,
                        pue: float | None) -> Prediction:
    """``pred`` with the footprint of each of its ends: the run's energy mix so far scaled to it, through
    the engine with the run's factors; ``pred`` as it is where that fails (a prediction must never break
    the workload)."""
    host = host_info(st.channel for st in sampler.states.values())
    try:
        return with_footprint(
            pred, sampler.domains_kwh(),
            lambda domains, t: footprint_for(domains, duration_s=t, location=location, pue=pue, host=host),
        )
    except Exception:
        log.debug("footprint of the prediction failed", exc_info=True)
        return pred


def _why(key: str, reason: Text, **params: Any) -> Msg:
    """A sensor's reason: the discovery's own (``reason``, where there is one) with what the run saw."""
    return Msg(f"{key}.why", reason=reason, **params) if reason else Msg(key, **params)


def sensor_reports(
    states: Sequence[ChannelState], used: set[str], statuses: Sequence[SensorStatus]
) -> tuple[SensorReport, ...]:
    """One report per sensor read (its channels, energy, status and reason), then one per sensor that
    discovery tried and could not use."""
    by_sensor: dict[str, list[ChannelState]] = {}
    for st in states:
        by_sensor.setdefault(st.sensor, []).append(st)
    found = {s.name: s for s in statuses}
    out: list[SensorReport] = []
    for name, chans in by_sensor.items():
        first = found.get(name)
        why: Text = first.reason if first is not None and first.reason else ""
        channels = tuple(
            ChannelReport(
                id=st.channel.id, domain=st.channel.domain, label=st.channel.label,
                energy_kwh=None if st.last_j is None else st.last_j / J_PER_KWH, counted=st.channel.id in used,
                reads=st.reads, gaps=st.gaps, last_error=st.last_error, missing_s=st.missing_s,
            )
            for st in chans
        )
        counted = [c for c, st in zip(channels, chans, strict=True) if c.counted]
        status = chans[0].method
        energy: float | None = sum(c.energy_kwh or 0.0 for c in counted)
        gaps = sum(c.gaps for c in counted)
        missing = sum(c.missing_s for c in counted)
        reason: Text
        if not counted:
            reason = _why("measure.sensor.not_counted", why)
        elif all(c.energy_kwh is None for c in channels):
            status, energy = "unavailable", None
            reason = Msg("measure.sensor.all_failed", error=chans[0].last_error or "")
        elif missing > 0:
            status = "partial"
            reason = _why("measure.sensor.missing_time", why, seconds=round(missing, 1), gaps=gaps)
        else:
            kind = "counter" if status == "measured" else "modelled"
            key = f"measure.sensor.{kind}_gaps" if gaps else f"measure.sensor.{kind}"
            reason = _why(key, why, gaps=gaps) if gaps else _why(key, why)
        out.append(SensorReport(name=name, status=status, energy_kwh=energy, reason=reason, channels=channels))
    for s in statuses:
        if s.name not in by_sensor:
            out.append(SensorReport(
                name=s.name, status=s.status, energy_kwh=None,
                reason=Msg("measure.sensor.with_fix", reason=s.reason, fix=s.fix) if s.fix else s.reason,
            ))
    return tuple(out)


@dataclass
class RunFacts:
    """What the tracker knows of a stopped run, for :func:`build_summary`."""

    run_id: str
    status: str
    started_unix: float
    duration_s: float
    name: str | None
    project: str
    command: str | None
    location: str | None
    pue: float | None
    interval_s: float
    samples: int
    exit_code: int | None = None
    end_reason: str | None = None
    idle_baseline_s: float = 0.0
    idle_power_w: Mapping[str, float] = field(default_factory=dict)
    unmetered_kwh: float | None = None
    warnings: list[Text] = field(default_factory=list)


def build_summary(
    facts: RunFacts,
    states: Sequence[ChannelState],
    used: Sequence[ChannelState],
    statuses: Sequence[SensorStatus],
    *,
    host: Mapping[str, Any],
    phases: tuple[PhaseSummary, ...] = (),
    prediction: Prediction | None = None,
    attribution: Attribution | None = None,
) -> RunSummary:
    """The run's summary, its footprint computed once by the engine."""
    duration = facts.duration_s
    domains: dict[str, float] = {}
    for s in used:
        if s.last_j is not None:
            domains[s.channel.domain] = domains.get(s.channel.domain, 0.0) + s.last_j / J_PER_KWH
    energy_kwh = sum(domains.values()) if domains else None
    used_ids = {s.channel.id for s in used}
    warnings: list[Text] = list(facts.warnings)
    idle: IdleSummary | None = None
    idle_kwh = None
    if facts.idle_power_w:
        idle_w = sum(w for ch, w in facts.idle_power_w.items() if ch in used_ids)
        idle_kwh = min(idle_w * duration / J_PER_KWH, energy_kwh or 0.0)
        idle = IdleSummary(baseline_s=facts.idle_baseline_s, power_w=idle_w, static_energy_kwh=idle_kwh,
                           dynamic_energy_kwh=max((energy_kwh or 0.0) - idle_kwh, 0.0))
    fp: Footprint | None = None
    if domains:
        try:
            fp = footprint_for(
                domains, duration_s=duration, location=facts.location, pue=facts.pue, host=host,
                idle_kwh=idle_kwh, statuses={s.channel.domain: s.method for s in used},
                unmetered_kwh=facts.unmetered_kwh,
            )
        except Exception as exc:
            log.debug("footprint failed", exc_info=True)
            warnings.append(Msg("measure.warning.footprint_failed", error=str(exc)))
    else:
        warnings.append(Msg("measure.warning.no_energy"))
    reports = sensor_reports(states, used_ids, statuses)
    for rep in reports:
        if rep.status == "partial":
            missing = sum(c.missing_s for c in rep.channels if c.counted)
            warnings.append(Msg("measure.warning.missing_time", sensor=rep.name, seconds=round(missing, 1)))
    if fp is not None:
        warnings.extend(fp.warnings)
    return RunSummary(
        run_id=facts.run_id, status=facts.status, started_at=utc_iso(facts.started_unix),
        ended_at=utc_iso(facts.started_unix + duration), duration_s=duration, name=facts.name,
        project=facts.project, end_reason=facts.end_reason, command=facts.command, exit_code=facts.exit_code,
        energy_kwh=energy_kwh, co2e_kg=None if fp is None else fp.co2e_kg, location=facts.location,
        pue=facts.pue, interval_s=facts.interval_s, samples=facts.samples, domains_kwh=domains,
        sensors=reports, attribution=attribution, idle=idle, phases=phases, prediction=prediction,
        host=dict(host), warnings=tuple(dict.fromkeys(warnings)), footprint=fp,
    )
