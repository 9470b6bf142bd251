"""Software Carbon Intensity: ISO/IEC 21031:2024 (Green Software Foundation SCI specification 1.1.0).

    SCI = ((E × I) + M) per R

``E`` the electricity of all the hardware the software reserved (kWh, with the data centre's overhead where
the boundary includes it), ``I`` a *location-based* grid intensity (gCO2e/kWh; market-based measures —
certificates, PPAs, offsets — are excluded by the specification, and aiceberg's intensities are all
location-based), ``M`` the embodied emissions of that hardware allocated to the software (gCO2e):

    M = TE × (TiR / EL) × (RR / ToR)

total embodied emissions × time reserved / expected lifespan × resources reserved / total resources; ``R``
the functional unit (a request, a token, a user, a training run…). The specification's worked example:
1,000 kg, a 4-year life and 1 hour reserved give 1000 × 1/(4 × 365 × 24) kg, around 28 g.

The formulas (:func:`sci_score`, :func:`embodied_share`) are generic over floats, :class:`Q` and numpy arrays
(the scenario's Monte Carlo calls them on arrays). :func:`sci_of` reads a footprint: ``E`` its electricity,
``O = E × I`` the carbon of its use-phase parts (so a footprint whose parts draw from several grids has the
energy-weighted ``I``), ``M`` the carbon of its manufacturing parts, with the boundary stated.

**Boundaries.** The GSF's *SCI for AI* draft names two: ``consumer`` — the operation of a model, per token,
image or inference (what a served request draws: its compute, the data centre, the servers' manufacturing,
and the network and devices when counted) — and ``provider`` — what makes the model: data, training and end
of life, per parameter, training token or FLOP, or per training run. A measured run is the SCI's own
``software`` boundary (the hardware it reserved). Each :class:`Sci` lists what its figure includes and what
lies outside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aiceberg.i18n import Msg, localise
from aiceberg.model.quantity import Q
from aiceberg.units import HOURS_PER_YEAR

__all__ = ["BOUNDARIES", "DEFAULT_UNITS", "Sci", "embodied_share", "sci_from_parts", "sci_score"]

#: Boundary → (what it covers, the stages of an AI system's life that lie outside it), as catalog messages.
BOUNDARIES: Mapping[str, tuple[Msg, tuple[Msg, ...]]] = {
    "consumer": (Msg("engine.sci.boundary.consumer"),
                 (Msg("engine.sci.stage.data"), Msg("engine.sci.stage.training"), Msg("engine.sci.stage.end_of_life"))),
    "provider": (Msg("engine.sci.boundary.provider"), (Msg("engine.sci.stage.inference"),)),
    "software": (Msg("engine.sci.boundary.software"), ()),
}
#: Footprint kind → (boundary, functional unit) when the caller names none.
DEFAULT_UNITS: Mapping[str, tuple[str, str]] = {
    "inference": ("consumer", "request"),
    "usage": ("consumer", "request"),
    "training": ("provider", "training run"),
    "federated": ("provider", "training run"),
    "run": ("software", "run"),
}


def sci_score(energy_kwh: Any, intensity_g_per_kwh: Any, embodied_g: Any, functional_units: Any) -> Any:
    """``((E × I) + M) / R`` in gCO2e per unit, on floats, :class:`Q` or arrays alike."""
    return (energy_kwh * intensity_g_per_kwh + embodied_g) / functional_units


def embodied_share(total_embodied: Any, time_reserved: Any, expected_lifespan: Any, resources_reserved: Any = 1.0,
                   total_resources: Any = 1.0) -> Any:
    """``M = TE × (TiR / EL) × (RR / ToR)``: the embodied emissions a software carries (in TE's unit; the times
    in one unit, the resources in one unit)."""
    return total_embodied * (time_reserved / expected_lifespan) * (resources_reserved / total_resources)


def embodied_share_hours(total_embodied: Any, hours_reserved: Any, lifespan_years: Any) -> Any:
    """:func:`embodied_share` with the time reserved in hours and the lifespan in years (8,760 h each)."""
    return embodied_share(total_embodied, hours_reserved, lifespan_years * HOURS_PER_YEAR)


@dataclass(frozen=True)
class Sci:
    """An SCI score with what it is made of: ``value`` gCO2e per ``unit``; ``r`` units; ``energy_kwh`` (E),
    ``intensity_g_per_kwh`` (I, location-based), ``operational_g`` (E × I), ``embodied_g`` (M); the
    ``boundary`` and what it ``includes`` (the footprint's parts) and ``excludes`` (stages outside it and
    what the estimate left out)."""

    value: Q
    unit: str
    r: Q
    energy_kwh: Q
    intensity_g_per_kwh: Q
    operational_g: Q
    embodied_g: Q
    boundary: str
    includes: tuple[str, ...]
    excludes: tuple[Any, ...]

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The JSON form; the boundary's description and what lies outside it in ``lang``."""
        def q(x: Q) -> dict[str, float]:
            return {"value": x.central, "low": x.low, "high": x.high}

        return {
            "value": self.value.central, "low": self.value.low, "high": self.value.high,
            "unit": f"gCO2e per {self.unit}", "per": self.unit, "r": q(self.r),
            "energy_kwh": q(self.energy_kwh), "intensity_g_per_kwh": q(self.intensity_g_per_kwh),
            "operational_g": q(self.operational_g), "embodied_g": q(self.embodied_g),
            "boundary": self.boundary, "boundary_description": localise(BOUNDARIES[self.boundary][0], lang),
            "includes": list(self.includes), "excludes": [localise(x, lang) for x in self.excludes],
            "standard": "ISO/IEC 21031:2024 (GSF SCI 1.1.0)",
        }


def sci_from_parts(parts: Iterable[Any], *, kind: str = "", unit: str | None = None, r: Q | float | None = None,
                   boundary: str | None = None, left_out: Iterable[Any] = ()) -> Sci:
    """The SCI of a footprint's parts (objects with ``energy_kwh``, ``co2e_kg``, ``phase``, ``name``): ``E`` their
    electricity, ``O`` the carbon of the use-phase ones, ``M`` of the manufacturing ones; ``R`` is ``r`` units of
    ``unit`` (default for the ``kind``: one request, one training run…). Each end of the score is the model at
    the same end of O, M and R (all grow together)."""
    default_boundary, default_unit = DEFAULT_UNITS.get(kind, ("software", "run"))
    boundary = boundary or default_boundary
    if boundary not in BOUNDARIES:
        raise ValueError(f"unknown SCI boundary {boundary!r}; known: {', '.join(BOUNDARIES)}")
    parts = list(parts)
    energy = sum((p.energy_kwh for p in parts), Q.zero())
    operational = sum((p.co2e_kg for p in parts if str(p.phase) != "manufacturing"), Q.zero()) * 1000.0
    embodied = sum((p.co2e_kg for p in parts if str(p.phase) == "manufacturing"), Q.zero()) * 1000.0
    units = r if isinstance(r, Q) else Q.exact(float(1.0 if r is None else r))
    if units.low <= 0:
        raise ValueError("the functional unit count R must be > 0")
    ends = [(o + m) / u for o, m, u in zip(operational.as_tuple(), embodied.as_tuple(), units.as_tuple(),
                                          strict=True)]
    intensity = [o / e if e else 0.0 for o, e in zip(operational.as_tuple(), energy.as_tuple(), strict=True)]
    return Sci(
        value=_ordered(ends), unit=unit or default_unit, r=units, energy_kwh=energy,
        intensity_g_per_kwh=_ordered(intensity), operational_g=operational, embodied_g=embodied, boundary=boundary,
        includes=tuple(p.name for p in parts), excludes=tuple(dict.fromkeys((*BOUNDARIES[boundary][1], *left_out))),
    )


def _ordered(ends: list[float]) -> Q:
    lo, c, hi = ends
    return Q(c, min(lo, c, hi), max(lo, c, hi))
