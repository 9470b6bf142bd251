"""Which equivalents to show a person, at which scale, and in which words.

The arithmetic is the engine's (:mod:`aiceberg.model.equivalents`: every equivalent, with its range);
here only the choice: a ladder of everyday things, each at the scale that reads best (metres or km by
car, minutes or hours of video, days or years of a person's electricity), kept only when its value is
readable — between :data:`READABLE_MIN` and :data:`READABLE_MAX`. A 0.1 g run is "1.5 minutes of
video streaming", not "0.000000442 Paris–New York round trips"; BLOOM's 25 t is "63 round trips".
The JSON output keeps every value; text, reports and pages show the readable ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aiceberg.i18n import t
from aiceberg.model.equivalents import DEFAULT_COUNTRY, EquivalentValue, country_of, equivalents
from aiceberg.model.quantity import Q

__all__ = [
    "DEFAULT_COUNTRY",
    "LADDER",
    "READABLE_MAX",
    "READABLE_MIN",
    "EquivalentValue",
    "Shown",
    "country_of",
    "equivalent_dict",
    "equivalents",
    "headline",
    "readable",
]

#: The smallest value worth reading ("0.5 smartphone charges"); below it an equivalent is not shown.
READABLE_MIN = 0.5
#: The largest value worth reading; above it the number says less than the footprint itself.
READABLE_MAX = 1_000_000.0


@dataclass(frozen=True)
class Scale:
    """One way to show an equivalent: its id in the engine's output, a multiplier and the label's key."""

    id: str
    times: float
    key: str


#: The ladder, in order of preference: each rung is one everyday thing, with its scales from the
#: smallest unit to the largest. The first rungs are the ones a reader pictures best.
LADDER: tuple[tuple[Scale, ...], ...] = (
    (Scale("paris_new_york_round_trips", 1.0, "equivalents.paris_new_york_round_trips"),),
    (Scale("person_years_electricity", 365.0, "equivalents.person_days_electricity"),
     Scale("person_years_electricity", 1.0, "equivalents.person_years_electricity")),
    (Scale("car_km", 1000.0, "equivalents.car_m"), Scale("car_km", 1.0, "equivalents.car_km")),
    (Scale("video_streaming_hours", 60.0, "equivalents.video_streaming_minutes"),
     Scale("video_streaming_hours", 1.0, "equivalents.video_streaming_hours")),
    (Scale("smartphone_charges", 1.0, "equivalents.smartphone_charges"),),
    (Scale("forest_m2", 1.0, "equivalents.forest_m2"), Scale("forest_hectares", 1.0, "equivalents.forest_hectares"),
     Scale("paris_areas", 1.0, "equivalents.paris_areas")),
    (Scale("tree_months", 1.0, "equivalents.tree_months"),),
)


@dataclass(frozen=True)
class Shown:
    """An equivalent at the scale chosen for a reader: its value (with range), label and sources."""

    id: str
    key: str
    value: Q
    source: EquivalentValue

    @property
    def sources(self) -> tuple[str, ...]:
        return self.source.sources

    def label(self, lang: str = "en") -> str:
        return t(self.key, lang, **self.source.params)


def _readable(x: float) -> bool:
    return READABLE_MIN <= x <= READABLE_MAX


def _at(scale: Scale, ev: EquivalentValue) -> Shown:
    return Shown(ev.id, scale.key, ev.value * scale.times, ev)


def readable(eq: Mapping[str, EquivalentValue], limit: int | None = None) -> list[Shown]:
    """The rungs of the ladder whose value reads well, each at its best scale, in order of preference.

    The best scale is the largest unit whose value is at least 1 ("2.5 km", not "2,500 m"), else the
    smallest one when it is at least :data:`READABLE_MIN` ("0.6 m"); a rung none of whose scales is
    readable is left out.
    """
    out: list[Shown] = []
    for rung in LADDER:
        options = [_at(s, eq[s.id]) for s in rung if s.id in eq]
        fitting = [o for o in options if _readable(o.value.central)]
        if not fitting:
            continue
        at_least_one = [o for o in fitting if o.value.central >= 1.0]
        out.append(at_least_one[-1] if at_least_one else fitting[0])
        if limit is not None and len(out) >= limit:
            break
    return out


def headline(eq: Mapping[str, EquivalentValue], n: int = 4) -> list[Shown]:
    """The ``n`` equivalents for a report's headline: the first readable rungs of the ladder."""
    return readable(eq, n)


def equivalent_dict(ev: EquivalentValue, lang: str = "en") -> dict[str, Any]:
    """The JSON form of one equivalent (every one is kept in JSON, readable or not)."""
    return {"value": ev.value.central, "low": ev.value.low, "high": ev.value.high, "unit": ev.unit,
            "label": ev.label(lang), "sources": list(ev.sources), "basis": ev.basis}


def shown_dict(s: Shown, lang: str = "en") -> dict[str, Any]:
    """The JSON form of an equivalent chosen for a reader: its id, scale's label and value with range."""
    return {"id": s.id, "value": s.value.central, "low": s.value.low, "high": s.value.high,
            "label": s.label(lang), "sources": list(s.sources)}


def for_footprint(co2e_kg: Q, energy_kwh: Q | None, country: str) -> dict[str, EquivalentValue]:
    """Every equivalent of a footprint's totals; none for a footprint of 0 (nothing to compare)."""
    return equivalents(co2e_kg, energy_kwh, country) if co2e_kg.central > 0 else {}


def ids(shown: Iterable[Shown]) -> list[str]:
    return [s.id for s in shown]
