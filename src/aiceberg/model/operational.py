"""Operational impacts: electricity × PUE × grid intensity."""

from __future__ import annotations

from aiceberg.i18n import Amount, Msg
from aiceberg.model.footprint import Factor, Part, Status, Text
from aiceberg.model.quantity import Q


def electricity_part(
    name: str,
    energy_kwh: Q,
    intensity: Factor,
    *,
    status: Status,
    sources: tuple[str, ...] = (),
    visible: bool = False,
    detail: Text = "",
) -> Part:
    """A part for ``energy_kwh`` of electricity drawn at a grid of ``intensity`` (gCO2e/kWh)."""
    gwp = energy_kwh * intensity.value * 0.001
    return Part(
        name=name,
        energy_kwh=energy_kwh,
        impacts={"gwp": gwp},
        status=status,
        sources=tuple(dict.fromkeys(sources + intensity.sources)),
        visible=visible,
        detail=detail,
    )


def pue_overhead_part(it_energy_kwh: Q, pue: Factor, intensity: Factor) -> Part:
    """The data centre's overhead (cooling, power distribution) on top of the IT energy: (PUE − 1) × E."""
    overhead = Q(pue.value.central - 1, pue.value.low - 1, pue.value.high - 1)
    energy = it_energy_kwh * overhead
    return electricity_part(
        "cooling_overhead",
        energy,
        intensity,
        status=Status.weakest((pue.status, Status.DERIVED)),
        sources=pue.sources,
        detail=Msg("detail.pue", pue=pue.value.central, energy=Amount(it_energy_kwh.central, "kWh")),
    )
