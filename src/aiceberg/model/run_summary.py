"""The typed record of a measured run: what the tracker produces, the store keeps and reports read.

One record, built on :class:`~aiceberg.model.quantity.Q` where a figure has a range, serialised only
at the edges: :meth:`RunSummary.to_dict` is the ``--output-json`` contract (``docs/tracking.md``) and
the form the store keeps, with ``version`` so that a store written by an older release still reads
(:meth:`RunSummary.from_dict` reads version 1, the untyped dict of aiceberg 0.1.0, and versions 2 to 4).

It lives in the engine layer because both the measuring layer (which builds it) and the store (which
keeps it) need it, and neither may import the other. Texts a person reads (warnings, a sensor's reason)
are catalog messages (:class:`~aiceberg.i18n.Msg`) where the code knows them, else English strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from aiceberg import i18n
from aiceberg.i18n import Msg, numbers, t
from aiceberg.model.footprint import Footprint
from aiceberg.model.footprint_json import footprint_from_dict, footprint_to_dict
from aiceberg.model.quantity import Q

__all__ = [
    "SUMMARY_VERSION",
    "Attribution",
    "ChannelReport",
    "IdleSummary",
    "JobInfo",
    "PhaseSummary",
    "Prediction",
    "RunSummary",
    "SensorReport",
    "Text",
    "q_from_flat",
    "q_to_flat",
    "text_from_json",
    "text_to_json",
]

#: The version of :meth:`RunSummary.to_dict`'s shape. 1: the untyped dict of 0.1.0 (no ``version`` key);
#: 2: typed, texts as catalog messages whose parameters were stored as English text; 3: those parameters
#: tagged (a message, a name in each language, an amount with its unit) and the footprint's texts kept as
#: messages too (``footprint.texts``), so that a stored summary renders in any language; 4: a run of a
#: distributed job says which (``job``).
SUMMARY_VERSION = 4

_STATUSES = frozenset({"running", "finished", "interrupted", "failed"})

#: A text for people: a catalog message, or (for what the code cannot know in advance) an English string.
Text = Msg | str


def text_to_json(text: Text) -> Any:
    """A text for people as JSON: a catalog message as ``{"code", "params"}`` with its parameters tagged
    (:meth:`aiceberg.i18n.Msg.to_dict`), so that it renders in any language when read back."""
    return i18n.text_to_json(text)


def text_from_json(data: Any) -> Text:
    """The inverse of :func:`text_to_json`; reads version 2's untagged parameters (plain English text) too."""
    text = i18n.text_from_json(data)
    return text if isinstance(text, Msg) else str(text)


def q_to_flat(prefix: str, q: Q | None) -> dict[str, float | None]:
    """``{prefix: central, prefix_low: low, prefix_high: high}`` (``None`` three times for no value)."""
    if q is None:
        return {prefix: None, f"{prefix}_low": None, f"{prefix}_high": None}
    return {prefix: q.central, f"{prefix}_low": q.low, f"{prefix}_high": q.high}


def q_from_flat(data: Mapping[str, Any], prefix: str) -> Q | None:
    """The inverse of :func:`q_to_flat`; a missing bound is the central value."""
    c = data.get(prefix)
    if c is None:
        return None
    c = float(c)
    lo = data.get(f"{prefix}_low")
    hi = data.get(f"{prefix}_high")
    lo = c if lo is None else min(float(lo), c)
    hi = c if hi is None else max(float(hi), c)
    return Q(c, lo, hi)


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


# -- text for people: the one number policy (aiceberg.i18n.numbers), a total and its range in one unit ---


def energy_text(kwh: Q | float, lang: str = "en") -> str:
    """``840 Wh (700 – 1,020 Wh)``: the total and its range in the unit chosen for the total."""
    return numbers.energy(kwh, lang, with_range=True)


def co2e_text(kg: Q | float, lang: str = "en") -> str:
    """``300 g CO2e (200 – 500 g CO2e)``."""
    return numbers.co2e(kg, lang, with_range=True)


def duration_text(seconds: Q | float, lang: str = "en") -> str:
    """``36 s``, ``12.5 min``, ``1.2 h (1 – 1.5 h)``: :func:`aiceberg.i18n.numbers.duration`'s units, with
    the range in the unit of the central value."""
    if not isinstance(seconds, Q) or seconds.is_exact:
        return numbers.duration(float(seconds), lang)
    c = seconds.central
    scale, unit = (1.0, "s") if c < 120 else (60.0, "min") if c < 7200 else (3600.0, "h")
    return numbers.quantity(Q(c / scale, seconds.low / scale, seconds.high / scale), unit, lang)


@dataclass(frozen=True)
class ChannelReport:
    """One channel of a sensor, as the run read it."""

    id: str
    domain: str
    label: str
    energy_kwh: float | None
    counted: bool
    reads: int = 0
    gaps: int = 0
    last_error: Text | None = None
    missing_s: float = 0.0  # time no reading covers (a power-only channel read too rarely)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "domain": self.domain, "label": self.label, "energy_kwh": self.energy_kwh,
            "counted": self.counted, "reads": self.reads, "gaps": self.gaps,
            "last_error": None if self.last_error is None else text_to_json(self.last_error),
            "missing_s": self.missing_s,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ChannelReport:
        return cls(
            id=str(d["id"]), domain=str(d.get("domain", "")), label=str(d.get("label", "")),
            energy_kwh=_opt_float(d.get("energy_kwh")), counted=bool(d.get("counted", False)),
            reads=int(d.get("reads") or 0), gaps=int(d.get("gaps") or 0),
            last_error=None if d.get("last_error") is None else text_from_json(d["last_error"]),
            missing_s=float(d.get("missing_s") or 0.0),
        )


@dataclass(frozen=True)
class SensorReport:
    """A sensor tried for the run: used (measured, modelled, partial) or why not (unavailable…)."""

    name: str
    status: str
    energy_kwh: float | None
    reason: Text = ""
    channels: tuple[ChannelReport, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "status": self.status, "energy_kwh": self.energy_kwh,
            "reason": text_to_json(self.reason), "channels": [c.to_dict() for c in self.channels],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SensorReport:
        return cls(
            name=str(d["name"]), status=str(d.get("status", "")), energy_kwh=_opt_float(d.get("energy_kwh")),
            reason=text_from_json(d.get("reason") or ""),
            channels=tuple(ChannelReport.from_dict(c) for c in d.get("channels") or ()),
        )


@dataclass(frozen=True)
class PhaseSummary:
    """A named phase of the run: ``end_s`` and ``energy_kwh`` are ``None`` while it is open."""

    name: str
    start_s: float
    end_s: float | None = None
    energy_kwh: float | None = None

    @property
    def duration_s(self) -> float | None:
        return None if self.end_s is None else self.end_s - self.start_s

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "start_s": self.start_s, "end_s": self.end_s, "duration_s": self.duration_s,
                "energy_kwh": self.energy_kwh}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PhaseSummary:
        return cls(name=str(d["name"]), start_s=float(d.get("start_s") or 0.0), end_s=_opt_float(d.get("end_s")),
                   energy_kwh=_opt_float(d.get("energy_kwh")))


@dataclass(frozen=True)
class IdleSummary:
    """The idle baseline measured before the workload, and the static/dynamic split it gives."""

    baseline_s: float
    power_w: float
    static_energy_kwh: float
    dynamic_energy_kwh: float

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> IdleSummary:
        return cls(*(float(d[k]) for k in ("baseline_s", "power_w", "static_energy_kwh", "dynamic_energy_kwh")))


@dataclass(frozen=True)
class Attribution:
    """The share of the machine's energy attributed to the tracked process tree."""

    energy_kwh: float | None
    cpu_share: float | None = None
    cpu_time_s: float | None = None
    cpu_basis: str = ""
    cpu_error: str | None = None
    gpu_methods: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"energy_kwh": self.energy_kwh, "cpu_share": self.cpu_share, "cpu_time_s": self.cpu_time_s,
                "cpu_basis": self.cpu_basis, "cpu_error": self.cpu_error, "gpu_methods": dict(self.gpu_methods)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Attribution:
        return cls(energy_kwh=_opt_float(d.get("energy_kwh")), cpu_share=_opt_float(d.get("cpu_share")),
                   cpu_time_s=_opt_float(d.get("cpu_time_s")), cpu_basis=str(d.get("cpu_basis") or ""),
                   cpu_error=d.get("cpu_error"), gpu_methods=dict(d.get("gpu_methods") or {}))


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


#: What a run of a job measured: ``node``, the node's sensors (RAPL, memory, the CPU model; and the GPUs
#: no rank owns), possibly beside its own GPUs; ``rank``, only the GPUs the rank owns; ``job``, the whole
#: job counted once (``aiceberg.jobs.JobSummary.as_run_summary``: never a stored run's).
JOB_ROLES = ("node", "rank", "job")


@dataclass(frozen=True)
class JobInfo:
    """The job a run belongs to, and its place in it (``docs/cluster.md``).

    Attributes:
        job_id: the job (Slurm's job id, torchrun's run id, the PMIx namespace, or the one given).
        node: the node's name. role: ``node``, ``rank`` or ``job`` (:data:`JOB_ROLES`).
        launcher: ``torchrun``, ``accelerate``, ``slurm``, ``mpi`` or ``none``.
        step: Slurm's step (``0``, ``batch``…); rank, local_rank: the process's rank in the job and on its
            node; world_size: the job's (the step's) number of ranks; nodes: its number of nodes, where the
            launcher says; scope: ``rank`` (its own GPUs) or ``node`` (every GPU of the job on its node, for
            ranks that do not track themselves).
    """

    job_id: str
    node: str
    role: str = "rank"
    launcher: str = "none"
    step: str | None = None
    rank: int | None = None
    local_rank: int | None = None
    world_size: int | None = None
    nodes: int | None = None
    scope: str = "rank"  # rank: its own GPUs; node: every GPU of the job on its node, for all its ranks

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> JobInfo:
        return cls(job_id=str(d["job_id"]), node=str(d.get("node") or ""), role=str(d.get("role") or "rank"),
                   launcher=str(d.get("launcher") or "none"), step=None if d.get("step") is None else str(d["step"]),
                   rank=_opt_int(d.get("rank")), local_rank=_opt_int(d.get("local_rank")),
                   world_size=_opt_int(d.get("world_size")), nodes=_opt_int(d.get("nodes")),
                   scope=str(d.get("scope") or "rank"))


@dataclass(frozen=True)
class Prediction:
    """The predicted totals of a run from its completed phases, each with its range.

    Attributes:
        completed: phases completed so far; total: phases expected.
        energy_kwh: electricity at the devices (before PUE); duration_s: the whole run's duration.
        co2e_kg: the whole footprint, where the engine could compute it.
    """

    completed: int
    total: int
    energy_kwh: Q
    duration_s: Q
    co2e_kg: Q | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"completed": self.completed, "total": self.total, **q_to_flat("energy_kwh", self.energy_kwh),
                **q_to_flat("duration_s", self.duration_s), **q_to_flat("co2e_kg", self.co2e_kg)}

    def render(self, lang: str = "en") -> str:
        """One sentence: ``after 2 of 10 phases, the whole run: 0.84 kWh (…) over 1.2 h (…), 300 g CO2e (…)``."""
        params = dict(completed=self.completed, total=self.total, energy=energy_text(self.energy_kwh, lang),
                      duration=duration_text(self.duration_s, lang))
        if self.co2e_kg is None:
            return t("measure.prediction", lang, **params)
        return t("measure.prediction.co2e", lang, **params, co2e=co2e_text(self.co2e_kg, lang))

    def __str__(self) -> str:
        return self.render()

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Prediction:
        energy = q_from_flat(d, "energy_kwh")
        duration = q_from_flat(d, "duration_s")
        if energy is None or duration is None:
            raise ValueError("a prediction needs energy_kwh and duration_s")
        return cls(completed=int(d["completed"]), total=int(d["total"]), energy_kwh=energy, duration_s=duration,
                   co2e_kg=q_from_flat(d, "co2e_kg"))


@dataclass(frozen=True)
class RunSummary:
    """Everything a finished (or interrupted) run reports.

    ``energy_kwh`` is the electricity at the devices the sensors saw (no PUE); ``co2e_kg`` the whole
    footprint with its range; ``footprint`` the engine's parts, factors and warnings.
    """

    run_id: str
    status: str
    started_at: str
    ended_at: str | None
    duration_s: float
    name: str | None = None
    project: str = "default"
    end_reason: str | None = None
    command: str | None = None
    exit_code: int | None = None
    energy_kwh: float | None = None
    co2e_kg: Q | None = None
    location: str | None = None
    pue: float | None = None
    interval_s: float = 1.0
    samples: int = 0
    domains_kwh: Mapping[str, float] = field(default_factory=dict)
    sensors: tuple[SensorReport, ...] = ()
    attribution: Attribution | None = None
    idle: IdleSummary | None = None
    phases: tuple[PhaseSummary, ...] = ()
    prediction: Prediction | None = None
    host: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[Text, ...] = ()
    footprint: Footprint | None = None
    job: JobInfo | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def render(self, lang: str = "en") -> str:
        """A few lines for people: how it ended, the energy and how it was obtained, the footprint,
        the warnings (the full text with every sensor is ``aiceberg runs show``)."""
        status = t(f"measure.status.{self.status}", lang) if self.status in _STATUSES else self.status
        lines = [t("measure.summary.head", lang, run=self.run_id[:12], status=status,
                   duration=duration_text(self.duration_s, lang))]
        if self.energy_kwh is None:
            lines.append(t("measure.summary.no_energy", lang))
        else:
            used = {s.status for s in self.sensors if any(c.counted for c in s.channels)}
            how = "measured" if used <= {"measured"} else "modelled" if "measured" not in used else "mixed"
            lines.append(t("measure.summary.energy", lang, energy=energy_text(self.energy_kwh, lang),
                           how=t(f"measure.how.{how}", lang)))
        if self.co2e_kg is not None:
            where = (t("measure.summary.location", lang, location=self.location) if self.location
                     else t("measure.summary.location_unknown", lang))
            lines.append(t("measure.summary.footprint", lang, co2e=co2e_text(self.co2e_kg, lang), where=where))
        for w in self.warnings:
            lines.append(t("measure.summary.warning", lang, text=w.render(lang) if isinstance(w, Msg) else w))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``--output-json``, the store): flat ``x``, ``x_low``, ``x_high`` for ranges."""
        out: dict[str, Any] = {
            "version": SUMMARY_VERSION,
            "run_id": self.run_id, "name": self.name, "project": self.project, "status": self.status,
            "end_reason": self.end_reason, "command": self.command, "started_at": self.started_at,
            "ended_at": self.ended_at, "duration_s": self.duration_s, "exit_code": self.exit_code,
            "energy_kwh": self.energy_kwh, **q_to_flat("co2e_kg", self.co2e_kg),
            "location": self.location, "pue": self.pue, "interval_s": self.interval_s, "samples": self.samples,
            "domains_kwh": dict(self.domains_kwh),
            "sensors": [s.to_dict() for s in self.sensors],
            "attribution": None if self.attribution is None else self.attribution.to_dict(),
            "idle": None if self.idle is None else self.idle.to_dict(),
            "phases": [p.to_dict() for p in self.phases],
            "prediction": None if self.prediction is None else self.prediction.to_dict(),
            "host": dict(self.host),
            "warnings": [text_to_json(w) for w in self.warnings],
            "footprint": None if self.footprint is None else footprint_to_dict(self.footprint),
            "job": None if self.job is None else self.job.to_dict(),
        }
        out.update(self.extra)
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RunSummary:
        """Read a summary of version 1 (0.1.0's dict), 2, 3 or 4; unknown keys are kept in ``extra``."""
        version = int(d.get("version", 1))
        if version > SUMMARY_VERSION:
            raise ValueError(f"run summary version {version} is newer than this aiceberg ({SUMMARY_VERSION})")
        known = {f for f in cls.__dataclass_fields__} | {"version", "co2e_kg_low", "co2e_kg_high"}
        fp = d.get("footprint")
        pred = d.get("prediction")
        return cls(
            run_id=str(d["run_id"]), status=str(d.get("status", "")), started_at=str(d.get("started_at", "")),
            ended_at=d.get("ended_at"), duration_s=float(d.get("duration_s") or 0.0), name=d.get("name"),
            project=str(d.get("project") or "default"), end_reason=d.get("end_reason"), command=d.get("command"),
            exit_code=d.get("exit_code"), energy_kwh=_opt_float(d.get("energy_kwh")),
            co2e_kg=q_from_flat(d, "co2e_kg"), location=d.get("location"), pue=_opt_float(d.get("pue")),
            interval_s=float(d.get("interval_s") or 1.0), samples=int(d.get("samples") or 0),
            domains_kwh={k: float(v) for k, v in (d.get("domains_kwh") or {}).items()},
            sensors=tuple(SensorReport.from_dict(s) for s in d.get("sensors") or ()),
            attribution=None if not d.get("attribution") else Attribution.from_dict(d["attribution"]),
            idle=None if not d.get("idle") else IdleSummary.from_dict(d["idle"]),
            phases=tuple(PhaseSummary.from_dict(p) for p in d.get("phases") or ()),
            prediction=None if not pred else Prediction.from_dict(pred),
            host=dict(d.get("host") or {}),
            warnings=tuple(text_from_json(w) for w in d.get("warnings") or ()),
            footprint=None if not fp else footprint_from_dict(fp),
            job=None if not d.get("job") else JobInfo.from_dict(d["job"]),
            extra=MappingProxyType({k: v for k, v in d.items() if k not in known}),
        )
