"""Embodied (manufacturing) impacts of hardware, allocated to a job.

How much of a device's manufacturing footprint a job carries is a choice, not a fact, so the rule is
named and explicit. The default, ``use-time``, is the BLOOM study's: the job's device-hours over the
hours the device is expected to be in use during its life (lifetime × 8,760 h × utilisation).
``calendar-time`` ignores utilisation (the device is charged for every hour of its life).

Scenarios of a whole service (``aiceberg.scenario``) choose among four rules per phase, on what the phase
knows of its use of the devices (:class:`DeviceUse`, numbers of any type: float, ``Q`` or numpy arrays):
``use-time`` and ``calendar-time`` as above on the hours the phase holds the devices, ``share-of-device-time``
on the hours they are busy for it (a request's GPU time, a phone's seconds of use) over the hours they are
busy in their life, and ``share-of-requests`` on its requests over all those the fleet serves in its life.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class DeviceUse:
    """What a phase knows of its use of some devices (any number type).

    Attributes:
        held_hours: device-hours the phase holds them (reserved, busy or not).
        busy_hours: device-hours they compute for the phase.
        requests: the requests the phase serves (0 for a phase without requests).
        fleet: how many devices (held hours over the phase's calendar hours).
        fleet_requests_per_year: the requests the fleet serves in a year, for every service it runs.
    """

    held_hours: Any
    busy_hours: Any
    requests: Any = 0.0
    fleet: Any = 1.0
    fleet_requests_per_year: Any = 1.0


def _use_rule_use_time(u: DeviceUse, life: Any, util: Any) -> Any:
    return u.held_hours / (life * HOURS_PER_YEAR * util)


def _use_rule_calendar(u: DeviceUse, life: Any, util: Any) -> Any:
    return u.held_hours / (life * HOURS_PER_YEAR)


def _use_rule_device_time(u: DeviceUse, life: Any, util: Any) -> Any:
    return u.busy_hours / (life * HOURS_PER_YEAR * util)


def _use_rule_requests(u: DeviceUse, life: Any, util: Any) -> Any:
    return u.fleet * u.requests / (life * u.fleet_requests_per_year)


#: name → rule(use, lifetime_years, utilisation) → devices' worth of manufacturing, for scenarios
USE_RULES: dict[str, Callable[[DeviceUse, Any, Any], Any]] = {
    "use-time": _use_rule_use_time,
    "calendar-time": _use_rule_calendar,
    "share-of-device-time": _use_rule_device_time,
    "share-of-requests": _use_rule_requests,
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
    other: Mapping[str, Q] | None = None,
) -> Part:
    """The manufacturing footprint of ``device_hours`` of a device whose making emitted ``per_device_kg``; its
    ``other`` criteria (criterion → impact per device, e.g. ``{"pe": Q(MJ)}``) are shared by the same rule.
    A criterion with no figure for the device is absent: not assessed."""
    share = allocation_share(device_hours, lifetime_years, utilisation, rule)
    params = {"per_device": Amount(per_device_kg.central, "kg CO2e"), "hours": device_hours.central,
              "what": Msg(f"detail.what.{what}") if what in WHAT else what, "years": lifetime_years.central}
    detail = (Msg("detail.embodied_use_time", utilisation=Amount(utilisation.central * 100, "%"), **params)
              if rule == "use-time" else Msg("detail.embodied_calendar_time", **params))
    return Part(
        name=name,
        energy_kwh=Q.zero(),
        impacts={"gwp": per_device_kg * share, **{c: v * share for c, v in (other or {}).items()}},
        status=status,
        sources=sources,
        visible=False,
        phase=Phase.MANUFACTURING,
        detail=detail,
    )
