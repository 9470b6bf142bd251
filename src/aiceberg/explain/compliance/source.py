"""What a compliance document is about, as the documents need it: a training's energy at a stated boundary,
its time, its computation, the benchmarked inference computation, the sensors or sources behind them, and
the energy of each life-cycle activity (for the SBOMs).

A :class:`ComplianceInput` is built from data the caller fetched (:mod:`.builders`); the documents
(:mod:`.eu_form`, :mod:`.cyclonedx`, :mod:`.spdx`, :mod:`.model_card`) read it and fetch nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from aiceberg.i18n import Localised, Msg
from aiceberg.model.footprint import Footprint, Part
from aiceberg.model.quantity import Q

__all__ = [
    "BOUNDARIES",
    "OBTAINED",
    "Activity",
    "ComplianceInput",
    "Computation",
    "Energy",
    "Inference",
    "TrainingTime",
    "boundary_of",
    "parts_energy",
]

#: A text for people: a catalog message, a name in each language, or plain text.
Text = Msg | Localised | str

#: How a figure was obtained, from the strongest evidence to the weakest.
OBTAINED: tuple[str, ...] = ("measured", "published", "input", "modelled", "estimated_from_compute",
                             "estimated_from_parameters", "estimated_from_hardware_time")

#: What an energy figure covers: the accelerators alone, the whole node (CPUs, memory, idle, host), or the
#: facility (the node's electricity × the data centre's PUE).
BOUNDARIES: tuple[str, ...] = ("gpu", "node", "facility")

#: Parts of a footprint that are the electricity of the compute devices themselves.
_DEVICE_PARTS = ("gpu.dynamic", "tpu.dynamic", "inference.compute")
#: Parts whose electricity is the user's side or the network, never a training's.
_NOT_TRAINING = ("network", "devices.use")


@dataclass(frozen=True)
class Energy:
    """An electricity figure (kWh) at a boundary, how it was obtained, and the CO2e of that electricity.

    Attributes:
        kwh: the energy, with its range.
        boundary: one of :data:`BOUNDARIES`.
        obtained: one of :data:`OBTAINED`.
        how: one sentence saying how (a catalog message rendered in the reader's language).
        co2e_kg: the emissions of this electricity (use phase only), where known.
        pue: the PUE applied (facility boundary), or the one known beside a narrower boundary.
        pue_sources: where the PUE comes from.
    """

    kwh: Q
    boundary: str
    obtained: str
    how: Msg | str = ""
    co2e_kg: Q | None = None
    pue: Q | None = None
    pue_sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrainingTime:
    """Wall-clock hours and device-hours of a training, with the devices they are counted on."""

    wall_hours: Q
    device_hours: Q
    hardware: str  # "384 × NVIDIA A100 SXM4 80GB" (devices named as the data or the host names them)
    devices: str  # "gpu", "tpu", "cpu" or "node": what a hardware-day counts
    obtained: str
    how: Msg | str = ""


@dataclass(frozen=True)
class Computation:
    """Floating-point operations (FLOP) with their range, and how they were obtained."""

    flop: Q
    obtained: str
    how: Msg | str = ""


@dataclass(frozen=True)
class Inference:
    """The benchmarked computation of inference: FLOP for a task, on a hardware."""

    flop: Q
    task: Text
    hardware: Text
    obtained: str
    how: Msg | str = ""


@dataclass(frozen=True)
class Activity:
    """One life-cycle activity's electricity and its emissions (for CycloneDX and SPDX).

    ``kind`` is CycloneDX's activity name (``training``, ``fine-tuning``, ``inference``, ``deployment``,
    ``data-preparation``, ``other``); ``phase`` names aiceberg's own phase where it differs.
    """

    kind: str
    energy: Energy
    phase: str = ""
    embodied_co2e_kg: Q | None = None


@dataclass(frozen=True)
class ComplianceInput:
    """Everything the compliance documents read, from a run, a job, an estimate, a case or a scenario.

    Attributes:
        kind: ``run``, ``job``, ``estimate``, ``case`` or ``scenario``.
        name: its id or file stem; title: what people call it.
        activity: what the main figure is the energy of: ``training``, ``fine-tuning`` or ``inference``.
        energy: the main energy figure (the strongest evidence, at its own boundary); ``None`` when unknown.
        complete: aiceberg's complete view of the same electricity (facility boundary), where it differs.
        energy_na: why the energy is not available (a message), when ``energy`` is ``None``.
        time / computation / inference: the form's other items, ``None`` when not known.
        co2e_kg: the whole footprint (embodied share included); operational_co2e_kg: the use phase.
        sensors: (name, status) of each sensor used (runs and jobs).
        sources: ids of the sources behind the figures (``aiceberg data sources ID``).
        location: the grid zone id (``FR``, ``aws:us-east-1``) or ``None``; location_name: its name.
        intensity: gCO2e/kWh with its sources.
        hardware_names: the devices' names, for the model card's ``hardware_used``.
        activities: each life-cycle activity's electricity (the SBOMs' entries).
        left_out: what the figures do not include (texts).
        parameters: the model's parameters, where known.
        created: when the underlying measurement or estimate ended (ISO 8601), where known.
    """

    kind: str
    name: str
    title: Text
    activity: str = "training"
    energy: Energy | None = None
    complete: Energy | None = None
    energy_na: Msg | str | None = None
    time: TrainingTime | None = None
    computation: Computation | None = None
    inference: Inference | None = None
    co2e_kg: Q | None = None
    operational_co2e_kg: Q | None = None
    sensors: tuple[tuple[str, str], ...] = ()
    sources: tuple[str, ...] = ()
    location: str | None = None
    location_name: Text = ""
    intensity_g_per_kwh: Q | None = None
    intensity_sources: tuple[str, ...] = ()
    hardware_names: tuple[str, ...] = ()
    activities: tuple[Activity, ...] = ()
    left_out: tuple[Text, ...] = ()
    parameters: float | None = None
    created: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def boundary_of(parts: Iterable[Part]) -> str:
    """The boundary that a set of use-phase parts covers: ``facility`` with a PUE overhead part, ``node``
    with any electricity beyond the devices' own (host, memory, idle, CPU), else ``gpu``."""
    names = {p.name for p in parts if p.energy_kwh.high > 0}
    if "cooling_overhead" in names:
        return "facility"
    if names - set(_DEVICE_PARTS):
        return "node"
    return "gpu"


def parts_energy(fp: Footprint, *, with_overhead: bool = True) -> tuple[Q, Q, tuple[Part, ...]]:
    """(kWh, use-phase kgCO2e, the parts counted) of a training's electricity: every use-phase part but the
    network and the users' devices; without the PUE overhead part when ``with_overhead`` is false."""
    chosen = tuple(p for p in fp.parts if str(p.phase) == "use" and p.name not in _NOT_TRAINING
                   and (with_overhead or p.name != "cooling_overhead"))
    kwh = sum((p.energy_kwh for p in chosen), Q.zero())
    co2 = sum((p.co2e_kg for p in chosen), Q.zero())
    return kwh, co2, chosen
