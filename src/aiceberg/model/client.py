"""The user's side of the iceberg: network transfer and end-user devices."""

from __future__ import annotations

from aiceberg import refdata
from aiceberg.i18n import Amount, Localised, Msg
from aiceberg.model.embodied import embodied_part
from aiceberg.model.footprint import Factor, Footprint, Part, Status
from aiceberg.model.operational import electricity_part
from aiceberg.model.quantity import Q, QLike, as_q
from aiceberg.model.training import embodied_other


def _name(row: refdata.Device) -> Localised:
    """A device's name in each language the data gives (its id when it has none)."""
    return Localised(en=(row.name_en or row.id).lower(), fr=(row.name_fr or "").lower())


def network_factor(access: str) -> Factor:
    row = refdata.get_network(access)
    return Factor(
        f"network:{row.id}", Msg("factor.network", access=Localised(en=row.name_en or row.id, fr=row.name_fr)),
        Q.from_row(row, "kwh_per_gb"), "kWh/GB",
        Status.PUBLISHED, row.source, row.year,
    )


def network_part(data_gb: QLike, access: str, intensity: Factor) -> tuple[Part, Factor]:
    """Electricity to carry ``data_gb`` over an access network (``fixed``, ``wifi``, ``4g``…)."""
    gb = as_q(data_gb, "data-gb")
    f = network_factor(access)
    part = electricity_part(
        "network", gb * f.value, intensity, status=Status.MODELLED, sources=f.sources,
        detail=Msg("detail.network", data=Amount(gb.central, "GB"), kwh_per_gb=f.value.central, access=access),
    )
    return part, f


def device_parts(
    device: str,
    hours: QLike,
    intensity: Factor,
    *,
    lifetime_years: QLike | None = None,
    daily_use_hours: QLike | None = None,
) -> tuple[list[Part], list[Factor]]:
    """The user's device for ``hours`` of use: its electricity, and its manufacturing share.

    The manufacturing share is allocated by time: over the whole life (``calendar-time``), or over the
    hours actually used (``use-time``, utilisation = daily use hours / 24) when ``daily_use_hours`` is
    given.
    """
    row = refdata.get_device(device)
    h = as_q(hours, "device-hours")
    life = as_q(lifetime_years, "device-lifetime-years", allow_zero=False) if lifetime_years is not None \
        else Q.from_row(row, "lifetime_years")
    emb = Q.from_row(row, "embodied_kgco2e")
    factors = [
        Factor(f"device:{row.id}:embodied", Msg("factor.device_embodied", device=_name(row)), emb, "kgCO2e",
               Status.PUBLISHED, row.source, row.year),
        Factor(f"device:{row.id}:lifetime", Msg("factor.device_lifetime", device=_name(row)), life, "year",
               Status.PUBLISHED if lifetime_years is None else Status.INPUT, row.source, row.year),
    ]
    parts: list[Part] = []
    if row.use_power_w:
        parts.append(electricity_part(
            "devices.use", h * row.use_power_w * 0.001, intensity, status=Status.MODELLED,
            sources=row.source, detail=Msg("detail.device_use", hours=h.central, power=Amount(row.use_power_w, "W"),
                                           device=_name(row)),
        ))
    if daily_use_hours is not None:
        util = as_q(daily_use_hours, "daily-use-hours", allow_zero=False) / 24.0
        rule = "use-time"
    else:
        util, rule = Q.exact(1.0), "calendar-time"
    other, other_sources = embodied_other("devices", row.id)
    parts.append(embodied_part(
        "embodied.devices", emb, h, lifetime_years=life, utilisation=util, rule=rule,
        status=Status.PUBLISHED, sources=tuple(dict.fromkeys(row.source + other_sources)), what=row.id,
        other=other,
    ))
    return parts, factors


def client_footprint(
    *,
    intensity: Factor,
    data_gb: QLike | None = None,
    network: str = "fixed",
    device: str | None = None,
    device_hours: QLike | None = None,
    lifetime_years: QLike | None = None,
    daily_use_hours: QLike | None = None,
) -> Footprint:
    """Network and device parts for one use, as a Footprint (empty when neither is asked for)."""
    parts: list[Part] = []
    factors: list[Factor] = []
    if data_gb is not None:
        p, f = network_part(data_gb, network, intensity)
        parts.append(p)
        factors.append(f)
    if device is not None and device_hours is not None:
        ps, fs = device_parts(device, device_hours, intensity,
                              lifetime_years=lifetime_years, daily_use_hours=daily_use_hours)
        parts += ps
        factors += fs
    return Footprint(parts=tuple(parts), factors=tuple(factors))
