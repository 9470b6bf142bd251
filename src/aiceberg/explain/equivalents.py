"""Relatable equivalents of a footprint: flights, a person's electricity, forest area, car km…

Each equivalent divides the footprint by a sourced factor from ``refdata/data/equivalents.csv``
(or, for a person's electricity, ``electricity_per_capita.csv``) and keeps the range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiceberg import refdata
from aiceberg.errors import InputError
from aiceberg.model.quantity import Q

DEFAULT_COUNTRY = "FR"


@dataclass(frozen=True)
class EquivalentValue:
    id: str
    value: Q
    unit: str
    label_en: str
    label_fr: str
    sources: tuple[str, ...]
    basis: str  # what it divides: "co2e" or "energy"

    def label(self, lang: str = "en") -> str:
        return self.label_fr if lang == "fr" else self.label_en

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {"value": self.value.central, "low": self.value.low, "high": self.value.high,
                "unit": self.unit, "label": self.label(lang), "sources": list(self.sources),
                "basis": self.basis}


def country_of(fp: object, default: str = DEFAULT_COUNTRY) -> str:
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


def _eq(row_id: str) -> refdata.Equivalent:
    return refdata.get_equivalent(row_id)


def equivalents(co2e_kg: Q | float, energy_kwh: Q | float | None = None,
                country: str = DEFAULT_COUNTRY) -> dict[str, EquivalentValue]:
    """Equivalents of ``co2e_kg`` (and of ``energy_kwh`` for the energy-based ones), keyed by stable id."""
    co2 = co2e_kg if isinstance(co2e_kg, Q) else Q.exact(float(co2e_kg))
    out: dict[str, EquivalentValue] = {}

    flight = _eq("paris_new_york_round_trip")
    out["paris_new_york_round_trips"] = EquivalentValue(
        "paris_new_york_round_trips", co2 / flight.value, "round trips",
        "Paris–New York round trips (one passenger)", "allers-retours Paris–New York (un passager)",
        flight.source, "co2e")

    forest = _eq("forest_sequestration_kg_per_m2_year")
    area = co2 / forest.value
    out["forest_m2"] = EquivalentValue(
        "forest_m2", area, "m²", "m² of forest absorbing this CO2 in a year",
        "m² de forêt pour absorber ce CO2 en un an", forest.source, "co2e")
    out["forest_hectares"] = EquivalentValue(
        "forest_hectares", area / 10_000.0, "ha", "hectares of forest for a year",
        "hectares de forêt pendant un an", forest.source, "co2e")
    pitch = _eq("football_pitch_m2")
    out["football_pitches"] = EquivalentValue(
        "football_pitches", area / pitch.value, "pitches",
        f"football pitches of forest ({pitch.value:,.0f} m² each) for a year",
        f"terrains de football de forêt ({pitch.value:,.0f} m² chacun) pendant un an".replace(",", "\u202f"),
        forest.source + pitch.source, "co2e")
    paris = _eq("paris_area_m2")
    out["paris_areas"] = EquivalentValue(
        "paris_areas", area / paris.value, "× Paris", "times the area of Paris, in forest, for a year",
        "fois la surface de Paris, en forêt, pendant un an", forest.source + paris.source, "co2e")
    car = _eq("car_km")
    out["car_km"] = EquivalentValue("car_km", co2 / car.value, "km", "km by car", "km en voiture",
                                    car.source, "co2e")
    tree = _eq("tree_month")
    out["tree_months"] = EquivalentValue("tree_months", co2 / tree.value, "tree-months",
                                         "months of a tree's CO2 uptake", "mois d'absorption d'un arbre",
                                         tree.source, "co2e")
    if energy_kwh is not None:
        energy = energy_kwh if isinstance(energy_kwh, Q) else Q.exact(float(energy_kwh))
        per_capita = refdata.get_per_capita(country)
        if per_capita is None:
            raise InputError("country", f"no electricity-per-person figure for {country!r}",
                             "an ISO country code present in 'aiceberg data electricity_per_capita'")
        zone = refdata.find("zones", country)
        name_en = zone.name_en if zone else country
        name_fr = zone.name_fr or name_en if zone else country
        out["person_years_electricity"] = EquivalentValue(
            "person_years_electricity", energy / per_capita.kwh_per_person_year, "person-years",
            f"years of a person's electricity in {name_en} ({per_capita.basis})",
            f"années de l'électricité d'une personne en {name_fr} ({_fr_basis(per_capita.basis)})",
            per_capita.source, "energy")
        charge = _eq("smartphone_charge_kwh")
        out["smartphone_charges"] = EquivalentValue(
            "smartphone_charges", energy / charge.value, "charges", "smartphone charges",
            "recharges de smartphone", charge.source, "energy")
    return out


def _fr_basis(basis: str) -> str:
    return {"consumption": "consommation", "generation": "production"}.get(basis, basis)
