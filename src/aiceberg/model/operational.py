"""Operational impacts: electricity × PUE × the impacts of a kWh of the grid (carbon, primary energy, abiotic
depletion, water), and the data centre's own water.

A part's carbon is its electricity × the grid intensity. Its other criteria come from the electricity mix of
the intensity's zone (``electricity_mixes.csv``, :func:`aiceberg.model.factors.mix_factors`); an intensity given
as a bare number names no zone, so those criteria are then not assessed (absent), never 0. The data centre's
on-site water (WUE × IT electricity, Li et al. 2023; EcoLogits' model) belongs to the facility, with its
overhead: the ``cooling_overhead`` part carries it.
"""

from __future__ import annotations

from aiceberg.i18n import Amount, Msg
from aiceberg.model import factors as F
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
    """A part for ``energy_kwh`` of electricity drawn at a grid of ``intensity`` (gCO2e/kWh), with the other
    impacts of that grid's mix where its zone has them."""
    impacts = {"gwp": energy_kwh * intensity.value * 0.001}
    mix = F.mix_factors(intensity)
    mix_sources: tuple[str, ...] = ()
    for criterion, f in mix.items():
        impacts[criterion] = energy_kwh * f.value
        mix_sources += f.sources
    return Part(
        name=name,
        energy_kwh=energy_kwh,
        impacts=impacts,
        status=status,
        sources=tuple(dict.fromkeys(sources + intensity.sources + mix_sources)),
        visible=visible,
        detail=detail,
    )


def pue_overhead_part(it_energy_kwh: Q, pue: Factor, intensity: Factor, wue: Factor | None = None) -> Part:
    """The data centre's overhead (cooling, power distribution) on top of the IT energy: (PUE − 1) × E, and the
    water it consumes on site, ``wue`` × E (default: the operator of ``pue`` if known, else the sourced
    average). The on-site water is added only where the off-site water of the mix is known too."""
    overhead = Q(pue.value.central - 1, pue.value.low - 1, pue.value.high - 1)
    energy = it_energy_kwh * overhead
    part = electricity_part(
        "cooling_overhead",
        energy,
        intensity,
        status=Status.weakest((pue.status, Status.DERIVED)),
        sources=pue.sources,
        detail=Msg("detail.pue", pue=pue.value.central, energy=Amount(it_energy_kwh.central, "kWh")),
    )
    if "water" not in part.impacts:
        return part
    w = wue if wue is not None else F.wue(None, pue)
    impacts = {**part.impacts, "water": part.impacts["water"] + it_energy_kwh * w.value}
    return Part(part.name, part.energy_kwh, impacts, Status.weakest((part.status, w.status)),
                tuple(dict.fromkeys(part.sources + w.sources)), part.visible, part.phase,
                Msg("detail.and", first=part.detail, second=Msg("engine.detail.onsite_water", wue=w.value.central,
                                                                   factor=w.name)))
