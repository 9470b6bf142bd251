"""Predict a whole run's energy from its first phases (Carbontracker's best-loved feature).

Pure functions, no clock and no sensor: the tracker gives the energies and durations of the completed
phases and the number of phases expected in total.

The central prediction is ``done + remaining × mean(completed)``. The range uses the smallest and largest
completed phase, widened by ``20 % / sqrt(n)`` so that a prediction made after one phase is wide and
narrows as phases complete: ``low = done + remaining × min × (1 − w)``,
``high = done + remaining × max × (1 + w)``. The result is the typed
:class:`~aiceberg.model.run_summary.Prediction`, each total a :class:`~aiceberg.model.quantity.Q`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from aiceberg.errors import InputError
from aiceberg.model.quantity import Q
from aiceberg.model.run_summary import Prediction

__all__ = ["Prediction", "predict"]

WIDEN = 0.2


def _bounds(done: float, per_phase: Sequence[float], remaining: int, n: int) -> Q:
    w = WIDEN / math.sqrt(n)
    mean = sum(per_phase) / n
    central = done + remaining * mean
    low = done + remaining * min(per_phase) * (1 - w)
    high = done + remaining * max(per_phase) * (1 + w)
    return Q(central, min(low, central), max(high, central))


def predict(
    phase_energies_kwh: Sequence[float],
    phase_durations_s: Sequence[float],
    total: int,
    *,
    elapsed_s: float | None = None,
    energy_so_far_kwh: float | None = None,
) -> Prediction | None:
    """Predict the totals of a run of ``total`` phases from its completed phases.

    Args:
        phase_energies_kwh: the energy of each completed phase, in kWh.
        phase_durations_s: the duration of each completed phase, in seconds.
        total: the number of phases the run will have (> 0).
        elapsed_s: the run's duration so far (defaults to the sum of the phases): time outside phases
            (set-up) counts as done.
        energy_so_far_kwh: the run's energy so far (defaults to the sum of the phases).

    Returns:
        ``None`` when no phase is complete yet.
    """
    if total <= 0:
        raise InputError("total_phases", f"{total!r} is not a valid number of phases", "an integer > 0")
    if len(phase_energies_kwh) != len(phase_durations_s):
        raise ValueError("need one duration per phase energy")
    n = len(phase_energies_kwh)
    if n == 0:
        return None
    remaining = max(total - n, 0)
    done_e = sum(phase_energies_kwh) if energy_so_far_kwh is None else energy_so_far_kwh
    done_t = sum(phase_durations_s) if elapsed_s is None else elapsed_s
    return Prediction(
        completed=n, total=total,
        energy_kwh=_bounds(done_e, phase_energies_kwh, remaining, n),
        duration_s=_bounds(done_t, phase_durations_s, remaining, n),
    )
