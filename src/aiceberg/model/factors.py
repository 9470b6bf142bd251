"""Resolve the factors a computation needs — grid intensity and the other impacts of the electricity mix,
PUE, on-site water, hardware power — into ``Factor``s.

Each resolver takes what the user gave (a zone name, an explicit number, nothing) and returns a
``Factor`` with its value as a range, its status and its sources, plus any warning to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from aiceberg import refdata
from aiceberg.errors import InputError
from aiceberg.i18n import Localised, Msg
from aiceberg.i18n.parse import parse_number_or_range
from aiceberg.model.footprint import Factor, Status
from aiceberg.model.inputs import check_q, refuse_unused
from aiceberg.model.quantity import Q, QLike

#: Relative range applied to a grid intensity whose row has no low/high of its own: annual averages
#: move by about this much from one year to the next (methodology: docs/methodology.md).
DEFAULT_INTENSITY_REL_RANGE = 0.15

#: Range of the average power of a busy device around its TDP, when no measured power is given:
#: a device rarely averages its TDP; Patterson et al. 2021 measured 330 W per V100 (TDP 300 W) with
#: the host's share included. Methodology: docs/methodology.md.
DEFAULT_POWER_REL_RANGE = (0.4, 0.1)

WORLD = "WORLD"

#: The warning of a footprint computed without a location (``engine.toml``).
NO_LOCATION_WARNING = Msg("engine.no_location")


def grid_intensity(
    location: str | None = None,
    intensity_g_per_kwh: QLike | None = None,
    *,
    field: str = "location",
) -> tuple[Factor, tuple[Msg | str, ...]]:
    """The carbon intensity of the electricity, in gCO2e/kWh, and warnings.

    Args:
        location: an ISO country code, country name or cloud region (``aws:us-east-1``).
        intensity_g_per_kwh: an explicit intensity, which wins over ``location``.
    """
    if location is not None and intensity_g_per_kwh is not None:
        raise InputError(field, Msg("input.location_and_intensity"), Msg("accepted.location_or_intensity"))
    if intensity_g_per_kwh is not None:
        value = check_q("intensity_g_per_kwh", intensity_g_per_kwh)
        return Factor("intensity", Msg("factor.intensity_given"), value, "gCO2e/kWh", Status.INPUT), ()
    warnings: tuple[Msg | str, ...] = ()
    if location is None or not str(location).strip():
        location = WORLD
        warnings = (NO_LOCATION_WARNING,)
    zone = refdata.get_zone(location, field)
    value = Q.from_row(zone, "intensity_g_per_kwh", rel_range=DEFAULT_INTENSITY_REL_RANGE)
    name = Msg("factor.intensity_zone", zone=Localised(en=zone.name_en or zone.id, fr=zone.name_fr),
               basis=Msg(f"factor.basis.{zone.basis}" if zone.basis in ("lifecycle", "combustion") else
                         "factor.basis.unstated"))
    status = Status.DEFAULT if zone.id == WORLD else Status.PUBLISHED
    factor = Factor(f"intensity:{zone.id}", name, value, "gCO2e/kWh", status, zone.source, zone.year)
    return factor, warnings


def pue(value: QLike | str | None = None, *, field: str = "pue") -> Factor:
    """The power usage effectiveness: a number (>= 1), a data-centre class or provider, or the default."""
    if value is None:
        row = refdata.get_pue("unknown", field)
        return _pue_factor(row, Status.DEFAULT)
    if isinstance(value, str):
        if not any(ch.isdigit() for ch in value):
            return _pue_factor(refdata.get_pue(value, field), Status.PUBLISHED)
        value = parse_number_or_range(value, field)
    q = check_q(field, value, "pue")
    return Factor("pue", Msg("factor.pue_given"), q, "1", Status.INPUT)


def _pue_factor(row: refdata.Pue, status: Status) -> Factor:
    q = Q.from_row(row, "pue")
    name = Msg("factor.pue_named", name=Localised(en=row.name_en or row.id, fr=row.name_fr))
    return Factor(f"pue:{row.id}", name, q, "1", status, row.source, row.year)


def device_power(
    hw: refdata.Hardware, power_w: QLike | None, *, field: str = "power_w"
) -> Factor:
    """The average power of one device: given, or the reference TDP with a default range."""
    if power_w is not None:
        q = check_q(field, power_w, "power_w")
        return Factor(f"power:{hw.id}", Msg("factor.power_given", hardware=hw.name), q, "W", Status.INPUT)
    if hw.tdp_w is None:
        raise InputError(field, Msg("input.no_tdp", hardware=hw.name), Msg("accepted.power"))
    lo, hi = DEFAULT_POWER_REL_RANGE
    q = Q(hw.tdp_w, hw.tdp_w * (1 - lo), hw.tdp_w * (1 + hi))
    return Factor(
        f"power:{hw.id}", Msg("factor.power_tdp", hardware=hw.name), q, "W", Status.MODELLED, hw.source, hw.year
    )


#: The electricity mix's impacts besides carbon: criterion → (column of ``electricity_mixes.csv``, unit, name).
MIX_CRITERIA = {
    "pe": ("pe_mj_per_kwh", "MJ/kWh", "primary energy"),
    "adpe": ("adpe_kgsbeq_per_kwh", "kgSbeq/kWh", "abiotic resource depletion"),
    "water": ("water_l_per_kwh", "L/kWh", "water consumed off site to generate"),
}


def mix_factors(intensity: Factor) -> Mapping[str, Factor]:
    """The primary energy, abiotic depletion and off-site water of a kWh from the zone of ``intensity`` (a
    factor from :func:`grid_intensity`), criterion → ``Factor``; empty for an intensity given as a number
    (no zone, so no sourced mix: those criteria are then not assessed). A subnational zone or a cloud region
    takes its country's mix."""
    zone_id = intensity.id.removeprefix("intensity:") if intensity.id.startswith("intensity:") else None
    return _mix_of_zone(zone_id) if zone_id else MappingProxyType({})


def mix_warnings(intensity: Factor) -> tuple[Msg, ...]:
    """A warning when the world average stands in for a criterion of the zone's mix."""
    world = [c for c, f in mix_factors(intensity).items() if f.status == Status.DEFAULT and f.id.endswith(":world")]
    if not world or intensity.id == f"intensity:{WORLD}":
        return ()
    return (Msg("engine.mix_world_default", zone=intensity.id.removeprefix("intensity:"), criteria=", ".join(world)),)


@refdata.follows_data
def _mix_of_zone(zone_id: str) -> Mapping[str, Factor]:
    zone = refdata.find("zones", zone_id)
    key = zone_id if zone is None else (zone.id if zone.kind in ("world", "country") else zone.location or zone.id)
    row = refdata.find("electricity_mixes", key)
    if row is None:
        return MappingProxyType({})
    place = Localised(en=row.id, fr=row.id) if zone is None else Localised(en=zone.name_en or zone.id,
                                                                           fr=zone.name_fr or zone.name_en)
    out = {}
    for criterion in MIX_CRITERIA:
        column, unit, _ = MIX_CRITERIA[criterion]
        world = getattr(row, criterion + "_basis") == "world"
        name = Msg(f"engine.factor.mix_{criterion}{'_world' if world else ''}", zone=place)
        out[criterion] = Factor(f"mix:{criterion}:{row.id}" + (":world" if world else ""), name,
                                Q.exact(getattr(row, column)), unit,
                                Status.DEFAULT if world else Status.PUBLISHED, row.source, row.year)
    return MappingProxyType(out)


def wue(value: QLike | str | None = None, pue_factor: Factor | None = None, *, field: str = "wue") -> Factor:
    """The data centre's on-site water usage effectiveness, L per kWh of IT electricity: a number, an operator
    (``google``, ``aws``, ``azure``…, see ``wue.csv``), or — when None — the operator of ``pue_factor`` when
    ``wue.csv`` knows it, else the documented default."""
    if value is None:
        operator = pue_factor.id.removeprefix("pue:") if pue_factor is not None and ":" in pue_factor.id else ""
        row = refdata.find("wue", operator) if operator else None
        if row is not None:
            return _wue_factor(row, Status.PUBLISHED)
        return _wue_factor(refdata.get("wue", "unknown", field=field, what=Msg("engine.what.wue")), Status.DEFAULT)
    if isinstance(value, str):
        if not any(ch.isdigit() for ch in value):
            row = refdata.get("wue", value, field=field, what=Msg("engine.what.wue"),
                              hint=Msg("accepted.one_of", values=", ".join(r.id for r in refdata.load_table("wue"))))
            return _wue_factor(row, Status.PUBLISHED)
        value = parse_number_or_range(value, field)
    return Factor("wue", Msg("engine.factor.wue_given"), check_q(field, value, "wue"), "L/kWh",
                  Status.INPUT)


def onsite_water(value: QLike | str | None, pue_factor: Factor, intensity: Factor) -> Factor | None:
    """The on-site WUE of :func:`wue` where the water of the grid is known too (a zone's mix), else None; a
    WUE given where it is not (an intensity given as a number) is refused, not ignored."""
    if "water" in mix_factors(intensity):
        return wue(value, pue_factor)
    refuse_unused({"wue": value}, Msg("engine.needs.location_for_water"))
    return None


def _wue_factor(row: refdata.Wue, status: Status) -> Factor:
    return Factor(f"wue:{row.id}", Msg("engine.factor.wue_named", name=Localised(en=row.name_en or row.id,
                                                                                  fr=row.name_fr or row.name_en)),
                  Q.from_row(row, "wue_l_per_kwh"), "L/kWh", status, row.source, row.year)
