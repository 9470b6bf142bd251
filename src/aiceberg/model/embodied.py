"""Embodied (manufacturing) impacts of hardware, allocated to a job.

How much of a device's manufacturing footprint a job carries is a choice, not a fact, so the rule is
named and explicit. The default, ``use-time``, is the BLOOM study's: the job's device-hours over the
hours the device is expected to be in use during its life (lifetime × 8,760 h × utilisation).
``calendar-time`` ignores utilisation (the device is charged for every hour of its life).
"""

from __future__ import annotations

from collections.abc import Callable

from aiceberg.errors import InputError
from aiceberg.i18n import Amount, Msg
from aiceberg.model.footprint import Part, Phase, Status
from aiceberg.model.quantity import Q
from aiceberg.units import HOURS_PER_YEAR

AllocationRule = Callable[[Q, Q, Q], Q]
#: The kinds of hardware a detail names in words (catalog ``detail.what.*``); others are written as given.
WHAT = ("gpu", "tpu", "cpu", "server", "device")


def _use_time(device_hours: Q, lifetime_years: Q, utilisation: Q) -> Q:
    return device_hours / (lifetime_years * HOURS_PER_YEAR * utilisation)


def _calendar_time(device_hours: Q, lifetime_years: Q, utilisation: Q) -> Q:
    return device_hours / (lifetime_years * HOURS_PER_YEAR)


#: name → rule(device_hours, lifetime_years, utilisation) → share of one device's footprint
ALLOCATION_RULES: dict[str, AllocationRule] = {
    "use-time": _use_time,
    "calendar-time": _calendar_time,
}


def allocation_share(
    device_hours: Q, lifetime_years: Q, utilisation: Q, rule: str = "use-time"
) -> Q:
    """The number of devices' worth of manufacturing footprint that ``device_hours`` carry."""
    try:
        fn = ALLOCATION_RULES[rule]
    except KeyError:
        raise InputError("allocation", f"unknown rule {rule!r}", ", ".join(ALLOCATION_RULES)) from None
    return fn(device_hours, lifetime_years, utilisation)


def embodied_part(
    name: str,
    per_device_kg: Q,
    device_hours: Q,
    *,
    lifetime_years: Q,
    utilisation: Q,
    rule: str = "use-time",
    status: Status,
    sources: tuple[str, ...] = (),
    what: str = "device",
) -> Part:
    """The manufacturing footprint of ``device_hours`` of a device whose making emitted ``per_device_kg``."""
    share = allocation_share(device_hours, lifetime_years, utilisation, rule)
    params = {"per_device": Amount(per_device_kg.central, "kg CO2e"), "hours": device_hours.central,
              "what": Msg(f"detail.what.{what}") if what in WHAT else what, "years": lifetime_years.central}
    detail = (Msg("detail.embodied_use_time", utilisation=Amount(utilisation.central * 100, "%"), **params)
              if rule == "use-time" else Msg("detail.embodied_calendar_time", **params))
    return Part(
        name=name,
        energy_kwh=Q.zero(),
        impacts={"gwp": per_device_kg * share},
        status=status,
        sources=sources,
        visible=False,
        phase=Phase.MANUFACTURING,
        detail=detail,
    )
