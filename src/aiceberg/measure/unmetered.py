"""Unmetered power: what no counter sees (fans, power-supply losses, disks, network cards, the board).

An optional, sourced correction, always reported as its own part and never folded into a measurement.

Jay et al. compared software power meters with a wattmeter on a whole node and fitted, for a DGX-1
(8 × V100), wall power ≈ 1.164 × (power seen by the counters: RAPL + NVML) + 282 W (M. Jay,
V. Ostapenco, L. Lefèvre, D. Trystram, A.-C. Orgerie, B. Fichel, "An experimental comparison of
software-based power meters: focus on CPU and GPU", CCGrid 2023, pp. 106–118,
doi:10.1109/CCGrid57682.2023.00020). So the unmetered part is

    E_unmetered = (slope − 1) × E_counters + intercept_w × duration × nodes

The fit belongs to that node type: on another machine it is an order of magnitude, not a measurement.
Its two coefficients are the engine's ``unmetered_slope`` and ``unmetered_intercept_w`` (``factors.csv``),
read through ``aiceberg.model.defaults``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiceberg.errors import InputError
from aiceberg.model.defaults import factor_value
from aiceberg.units import J_PER_KWH

if TYPE_CHECKING:
    from aiceberg.measure.sampler import ChannelState

__all__ = ["UNMETERED_SOURCE", "Unmetered", "run_unmetered_kwh", "unmetered_energy"]

UNMETERED_SOURCE = "jay-2023-ccgrid"


@dataclass(frozen=True)
class Unmetered:
    """The unmetered part over a run.

    Attributes:
        energy_j: unmetered energy in joules.
        power_w: its mean power in watts.
        slope, intercept_w: the wall-power fit used.
        source: the source id of the fit.
    """

    energy_j: float
    power_w: float
    slope: float
    intercept_w: float
    source: str = UNMETERED_SOURCE


def unmetered_energy(
    counters_energy_j: float,
    duration_s: float,
    *,
    nodes: int = 1,
    slope: float | None = None,
    intercept_w: float | None = None,
    source: str = UNMETERED_SOURCE,
) -> Unmetered:
    """Unmetered energy for a run whose counters (RAPL + GPU) saw ``counters_energy_j`` joules.

    Args:
        counters_energy_j: energy in joules seen by the counters over the run (all nodes).
        duration_s: the run's duration in seconds.
        nodes: number of nodes (the intercept is per node).
        slope, intercept_w, source: the wall-power fit ``wall = slope × counters + intercept`` (None: the
            sourced ``unmetered_slope`` and ``unmetered_intercept_w``).

    Returns:
        The unmetered part, ``(slope − 1) × E + intercept × duration × nodes``, with its source.

    Raises:
        InputError: a negative energy or duration, or ``nodes`` < 1.
    """
    if counters_energy_j < 0:
        raise InputError("counters_energy_j", f"{counters_energy_j} is negative", "a number ≥ 0")
    if duration_s < 0:
        raise InputError("duration_s", f"{duration_s} is negative", "a number ≥ 0")
    if nodes < 1:
        raise InputError("nodes", f"{nodes} is not a node count", "an integer ≥ 1")
    if slope is None or intercept_w is None:
        slope = factor_value("unmetered_slope") if slope is None else slope
        intercept_w = factor_value("unmetered_intercept_w") if intercept_w is None else intercept_w
    energy = (slope - 1.0) * counters_energy_j + intercept_w * duration_s * nodes
    power = energy / duration_s if duration_s > 0 else 0.0
    return Unmetered(energy_j=energy, power_w=power, slope=slope, intercept_w=intercept_w, source=source)


def run_unmetered_kwh(used: Iterable[ChannelState], duration_s: float) -> float:
    """A run's unmetered part in kWh, from the energy its measured counters saw (modelled channels are
    no counters: the fit does not apply to them)."""
    counters_j = sum(s.last_j or 0.0 for s in used if s.method == "measured")
    return unmetered_energy(counters_j, duration_s).energy_j / J_PER_KWH
