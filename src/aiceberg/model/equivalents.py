"""Equivalents of a footprint: how many of an everyday thing (a smartphone charge, a km by car…) it equals.

Pure arithmetic on sourced factors: each equivalent divides the footprint's CO2e (or its electricity)
by a factor of ``refdata/data/equivalents.csv`` (a person's yearly electricity comes from
``electricity_per_capita.csv``, an hour of video streaming from ``inference.csv``: one figure, one place)
and keeps the range.
Which equivalents to show a person, at which scale, and their wording belong to
:mod:`aiceberg.explain.equivalents`; their labels are catalog messages (``equivalents.<id>``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiceberg import refdata
from aiceberg.errors import InputError
from aiceberg.i18n import Localised, Msg
from aiceberg.model.footprint import Footprint
from aiceberg.model.quantity import Q

__all__ = ["BASES", "DEFAULT_COUNTRY", "EquivalentValue", "country_of", "equivalents"]

#: Whose per-person electricity an equivalent uses when nothing says better.
DEFAULT_COUNTRY = "FR"
#: What an equivalent divides: the footprint's CO2e (kg) or its electricity (kWh).
BASES = ("co2e", "energy")
#: An hour of video streaming, whole chain (device, network, data centre): ``inference.csv``'s row.
VIDEO_FIGURE = "video-streaming-hour"


@dataclass(frozen=True)
class EquivalentValue:
    """How many of one everyday thing a footprint equals, with its range.

    Attributes:
        id: stable id (``car_km``, ``smartphone_charges``…), the key of the JSON output.
        value: how many, with the footprint's range carried through.
        unit: the unit of ``value`` (``km``, ``charges``…).
        basis: ``co2e`` or ``energy``: what was divided.
        sources: ids of the sources of the factor.
        params: what the label needs (the country of a person's electricity…).
    """

    id: str
    value: Q
    unit: str
    basis: str
    sources: tuple[str, ...]
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> Msg:
        """The label as a catalog message (``equivalents.<id>``), rendered in the reader's language."""
        return Msg(f"equivalents.{self.id}", **self.params)

    def label(self, lang: str = "en") -> str:
        return self.message.render(lang)


def country_of(fp: Footprint | object, default: str = DEFAULT_COUNTRY) -> str:
    """The country whose per-person electricity suits a footprint: that of its grid zone, else ``default``.

    The zone is read from the grid-intensity factor the engine recorded (``intensity:FR``,
    ``intensity:aws:us-east-1`` → US, ``intensity:US-CA`` → US).
    """
    for f in getattr(fp, "factors", ()):
        if f.id.startswith("intensity:"):
            zone = refdata.find("zones", f.id.split(":", 1)[1])
            if zone is not None:
                iso2 = (zone.location or zone.id).split("-")[0]
                if refdata.get_per_capita(iso2) is not None:
                    return iso2
    return default


def _factor(row_id: str) -> refdata.Equivalent:
    return refdata.get_equivalent(row_id)


def _as_q(x: Q | float) -> Q:
    return x if isinstance(x, Q) else Q.exact(float(x))


def equivalents(co2e_kg: Q | float, energy_kwh: Q | float | None = None,
                country: str = DEFAULT_COUNTRY) -> dict[str, EquivalentValue]:
    """Every equivalent of ``co2e_kg`` (and of ``energy_kwh`` for the electricity-based ones), by id.

    Raises:
        InputError: ``country`` has no electricity-per-person figure (only when ``energy_kwh`` is given).
    """
    co2 = _as_q(co2e_kg)
    out: dict[str, EquivalentValue] = {}

    def add(eid: str, value: Q, unit: str, of: str, sources: tuple[str, ...], **params: Any) -> None:
        out[eid] = EquivalentValue(eid, value, unit, of, tuple(dict.fromkeys(sources)), params)

    flight = _factor("paris_new_york_round_trip")
    add("paris_new_york_round_trips", co2 / flight.value, "round trips", "co2e", flight.source)
    forest = _factor("forest_sequestration_kg_per_m2_year")
    area = co2 / forest.value
    add("forest_m2", area, "m²", "co2e", forest.source)
    add("forest_hectares", area / _factor("hectare_m2").value, "ha", "co2e", forest.source)
    pitch = _factor("football_pitch_m2")
    add("football_pitches", area / pitch.value, "pitches", "co2e", forest.source + pitch.source,
        pitch_m2=pitch.value)
    paris = _factor("paris_area_m2")
    add("paris_areas", area / paris.value, "× Paris", "co2e", forest.source + paris.source)
    car = _factor("car_km")
    add("car_km", co2 / car.value, "km", "co2e", car.source)
    tree = _factor("tree_month")
    add("tree_months", co2 / tree.value, "tree-months", "co2e", tree.source)
    if energy_kwh is not None:
        energy = _as_q(energy_kwh)
        per_capita = refdata.get_per_capita(country)
        if per_capita is None:
            raise InputError("country", Msg("equivalents.no_per_capita", country=country),
                             Msg("equivalents.no_per_capita_accepted"))
        zone = refdata.find("zones", country)
        name = Localised(en=zone.name_en, fr=zone.name_fr) if zone is not None else Localised(en=country)
        add("person_years_electricity", energy / per_capita.kwh_per_person_year, "person-years", "energy",
            per_capita.source, country=name, basis=Msg(f"equivalents.basis.{per_capita.basis}"))
        charge = _factor("smartphone_charge_kwh")
        add("smartphone_charges", energy / charge.value, "charges", "energy", charge.source)
        video = refdata.get_inference_figure(VIDEO_FIGURE)  # Wh per hour of streaming, whole chain
        add("video_streaming_hours", energy / (video.wh_per_request / 1000.0), "h", "energy", tuple(video.source))
    return out
