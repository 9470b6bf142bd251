"""Resolve the factors a computation needs — grid intensity, PUE, hardware power — into ``Factor``s.

Each resolver takes what the user gave (a zone name, an explicit number, nothing) and returns a
``Factor`` with its value as a range, its status and its sources, plus any warning to show.
"""

from __future__ import annotations

import math

from aiceberg import refdata
from aiceberg.errors import InputError
from aiceberg.model.footprint import Factor, Status
from aiceberg.model.quantity import Q, QLike, as_q

#: Relative range applied to a grid intensity whose row has no low/high of its own: annual averages
#: move by about this much from one year to the next (methodology: docs/methodology.md).
DEFAULT_INTENSITY_REL_RANGE = 0.15

#: Range of the average power of a busy device around its TDP, when no measured power is given:
#: a device rarely averages its TDP; Patterson et al. 2021 measured 330 W per V100 (TDP 300 W) with
#: the host's share included. Methodology: docs/methodology.md.
DEFAULT_POWER_REL_RANGE = (0.4, 0.1)

WORLD = "WORLD"

NO_LOCATION_WARNING = (
    "location unknown: the world-average grid intensity is used, with a wide range; "
    "give --location, AICEBERG_LOCATION or 'location' in the config file"
)


def _row_q(central: float, low: float | None, high: float | None, rel: float) -> Q:
    if low is None and high is None:
        return Q.around(central, rel)
    return Q(central, central if low is None else low, central if high is None else high)


def grid_intensity(
    location: str | None = None,
    intensity_g_per_kwh: QLike | None = None,
    *,
    field: str = "location",
) -> tuple[Factor, tuple[str, ...]]:
    """The carbon intensity of the electricity, in gCO2e/kWh, and warnings.

    Args:
        location: an ISO country code, country name or cloud region (``aws:us-east-1``).
        intensity_g_per_kwh: an explicit intensity, which wins over ``location``.
    """
    if location is not None and intensity_g_per_kwh is not None:
        raise InputError(field, "give a location or an intensity, not both", "one of the two")
    if intensity_g_per_kwh is not None:
        value = as_q(intensity_g_per_kwh, "intensity")
        return Factor("intensity", "grid carbon intensity (given)", value, "gCO2e/kWh", Status.INPUT), ()
    warnings: tuple[str, ...] = ()
    if location is None or not str(location).strip():
        location = WORLD
        warnings = (NO_LOCATION_WARNING,)
    zone = refdata.get_zone(location, field)
    value = _row_q(
        zone.intensity_g_per_kwh, zone.intensity_g_per_kwh_low, zone.intensity_g_per_kwh_high,
        DEFAULT_INTENSITY_REL_RANGE,
    )
    name = f"grid carbon intensity, {zone.name_en or zone.id} ({zone.basis or 'basis unstated'})"
    status = Status.DEFAULT if zone.id == WORLD else Status.PUBLISHED
    factor = Factor(f"intensity:{zone.id}", name, value, "gCO2e/kWh", status, zone.source, zone.year)
    return factor, warnings


def pue(value: QLike | str | None = None, *, field: str = "pue") -> Factor:
    """The power usage effectiveness: a number (>= 1), a data-centre class or provider, or the default."""
    if value is None:
        row = refdata.get_pue("unknown", field)
        return _pue_factor(row, Status.DEFAULT)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return _pue_factor(refdata.get_pue(value, field), Status.PUBLISHED)
        value = number
    q = as_q(value, field, allow_zero=False)
    if q.low < 1 or math.isnan(q.central):
        raise InputError(field, f"{value!r} is below 1", "a number >= 1 (1.0 = no overhead), or a class")
    return Factor("pue", "power usage effectiveness (given)", q, "1", Status.INPUT)


def _pue_factor(row: refdata.Pue, status: Status) -> Factor:
    q = _row_q(row.pue, row.pue_low, row.pue_high, 0.0)
    return Factor(f"pue:{row.id}", f"PUE, {row.name_en or row.id}", q, "1", status, row.source, row.year)


def device_power(
    hw: refdata.Hardware, power_w: QLike | None, *, field: str = "power-w"
) -> Factor:
    """The average power of one device: given, or the reference TDP with a default range."""
    if power_w is not None:
        q = as_q(power_w, field, allow_zero=False)
        return Factor(f"power:{hw.id}", f"average power of {hw.name} (given)", q, "W", Status.INPUT)
    if hw.tdp_w is None:
        raise InputError(field, f"no reference power for {hw.name}; give the average power", "a number > 0")
    lo, hi = DEFAULT_POWER_REL_RANGE
    q = Q(hw.tdp_w, hw.tdp_w * (1 - lo), hw.tdp_w * (1 + hi))
    return Factor(
        f"power:{hw.id}", f"average power of {hw.name} (TDP)", q, "W", Status.MODELLED, hw.source, hw.year
    )
