"""The result type: a Footprint made of named Parts, each with energy, impacts, range, status, sources.

A part is one piece of the iceberg — ``gpu.dynamic``, ``idle``, ``cooling_overhead``, ``embodied.gpu``,
``network``… Its impacts are keyed by criterion (:data:`CRITERIA`: ``gwp`` in kgCO2e, primary energy ``pe``
in MJ, abiotic resource depletion ``adpe`` in kgSbeq, ``water`` consumed in L). A criterion with no sourced
factor for a part is absent from its impacts: the part lists it as ``not_assessed`` and a total over such
parts says it is incomplete, never counting it as 0. The *visible* tip of the iceberg is the operational
electricity of the compute itself; everything else is *submerged*.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from aiceberg.i18n import Localised, Msg
from aiceberg.model.quantity import Q
from aiceberg.model.sci import Sci, sci_from_parts

__all__ = ["CRITERIA", "Factor", "Footprint", "Part", "Phase", "Status", "Text"]

#: A text a person reads: a catalog message or a name the data gives in each language (rendered in the
#: reader's language by the layer that prints, ``aiceberg.i18n.localise``), or plain text (read back from
#: JSON, given by a caller).
Text = Msg | Localised | str

#: Impact criteria: id → unit. ``gwp``: global warming potential; ``pe``: primary energy; ``adpe``: abiotic
#: resource depletion (elements, antimony equivalent); ``water``: water consumed (on site by the data centre,
#: off site to generate its electricity).
CRITERIA: Mapping[str, str] = MappingProxyType(
    {"gwp": "kgCO2e", "pe": "MJ", "adpe": "kgSbeq", "water": "L"}
)


class Status(StrEnum):
    """How a number was obtained, from the strongest to the weakest evidence."""

    MEASURED = "measured"  # read from a sensor during the run
    PUBLISHED = "published"  # taken from a publication as is
    INPUT = "input"  # given by the user
    DERIVED = "derived"  # arithmetic on published figures
    MODELLED = "modelled"  # computed by a model from reference data (TDP, utilisation…)
    DEFAULT = "default"  # a documented default stands in for an unknown value

    @classmethod
    def weakest(cls, statuses: Iterable[Status]) -> Status:
        order = list(cls)
        return max(statuses, key=order.index, default=cls.DEFAULT)


class Phase(StrEnum):
    """The life-cycle phase a part belongs to."""

    USE = "use"
    MANUFACTURING = "manufacturing"


@dataclass(frozen=True)
class Factor:
    """One factor used in a computation, for the provenance table."""

    id: str
    name: Text
    value: Q
    unit: str
    status: Status
    sources: tuple[str, ...] = ()
    year: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": str(self.name),
            "value": self.value.central,
            "low": self.value.low,
            "high": self.value.high,
            "unit": self.unit,
            "status": str(self.status),
            "year": self.year,
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class Part:
    """One named part of a footprint.

    Attributes:
        name: a stable dotted id (``gpu.dynamic``, ``embodied.server``).
        energy_kwh: electricity this part stands for (0 for manufacturing parts).
        impacts: criterion id → quantity (``gwp`` in kgCO2e…); a criterion without a factor is absent.
        status: how it was obtained.
        sources: ids of the sources (see ``aiceberg.refdata.sources``).
        visible: True for the operational electricity of the compute itself (the iceberg's tip).
        phase: use or manufacturing.
        detail: a one-line account of the computation with its units: a catalog message (``detail.*``)
            that the layer that prints renders in the reader's language, or plain text.
    """

    name: str
    energy_kwh: Q
    impacts: Mapping[str, Q]
    status: Status
    sources: tuple[str, ...] = ()
    visible: bool = False
    phase: Phase = Phase.USE
    detail: Text = ""

    @property
    def co2e_kg(self) -> Q:
        return self.impacts.get("gwp", Q.zero())

    @property
    def not_assessed(self) -> tuple[str, ...]:
        """The criteria of :data:`CRITERIA` this part has no factor for."""
        return tuple(c for c in CRITERIA if c not in self.impacts)

    def scaled(self, factor: Q | float) -> Part:
        return replace(
            self,
            energy_kwh=self.energy_kwh * factor,
            impacts={k: v * factor for k, v in self.impacts.items()},
        )

    def merged(self, other: Part) -> Part:
        """The sum of two parts of the same name (a criterion one of them does not assess is not assessed)."""
        keys = [k for k in self.impacts if k in other.impacts]
        return replace(
            self,
            energy_kwh=self.energy_kwh + other.energy_kwh,
            impacts={k: self.impacts[k] + other.impacts[k] for k in keys},
            status=Status.weakest((self.status, other.status)),
            sources=_unique(self.sources + other.sources),
            detail=Msg("detail.and", first=self.detail, second=other.detail) if self.detail and other.detail
            else self.detail or other.detail,
        )

    def to_dict(self) -> dict[str, Any]:
        gwp = self.co2e_kg
        return {
            "name": self.name,
            "energy_kwh": self.energy_kwh.central,
            "energy_kwh_low": self.energy_kwh.low,
            "energy_kwh_high": self.energy_kwh.high,
            "co2e_kg": gwp.central,
            "co2e_kg_low": gwp.low,
            "co2e_kg_high": gwp.high,
            "status": str(self.status),
            "visible": self.visible,
            "phase": str(self.phase),
            "sources": list(self.sources),
            "detail": str(self.detail),
            "impacts": {c: _q_dict(q, CRITERIA.get(c, "")) for c, q in self.impacts.items()},
            "not_assessed": list(self.not_assessed),
        }


@dataclass(frozen=True)
class Footprint:
    """A set of parts, with the factors behind them and any warning the user must see.

    A warning is a catalog message (:class:`~aiceberg.i18n.Msg`, rendered in the reader's language by the
    layer that prints) or, for text the code cannot know in advance, an English string.
    """

    parts: tuple[Part, ...]
    title: Text = ""
    factors: tuple[Factor, ...] = ()
    warnings: tuple[Msg | str, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)

    # totals ------------------------------------------------------------------------------------
    @property
    def energy_kwh(self) -> Q:
        """Total electricity, every use-phase part included (compute, idle, PUE overhead, network…)."""
        return sum((p.energy_kwh for p in self.parts), Q.zero())

    @property
    def co2e_kg(self) -> Q:
        return self.impact("gwp")

    def impact(self, criterion: str) -> Q:
        """The total of ``criterion`` over the parts that assess it (see :meth:`not_assessed_by`)."""
        return sum((p.impacts.get(criterion, Q.zero()) for p in self.parts), Q.zero())

    def not_assessed_by(self, criterion: str) -> tuple[str, ...]:
        """The names of the parts without a factor for ``criterion``: its total is incomplete when any."""
        return tuple(p.name for p in self.parts if criterion not in p.impacts)

    def impacts_dict(self) -> dict[str, dict[str, Any]]:
        """Every criterion's total with its range and unit, ``complete`` and the parts that do not assess it."""
        out = {}
        for c, u in CRITERIA.items():
            missing = self.not_assessed_by(c)
            out[c] = {**_q_dict(self.impact(c), u), "complete": not missing, "not_assessed": list(missing)}
        return out

    @property
    def status(self) -> Status:
        return Status.weakest(p.status for p in self.parts)

    @property
    def sources(self) -> tuple[str, ...]:
        return _unique(s for p in self.parts for s in p.sources)

    def part(self, name: str) -> Part | None:
        return next((p for p in self.parts if p.name == name), None)

    def names(self) -> list[str]:
        return [p.name for p in self.parts]

    # the iceberg -------------------------------------------------------------------------------
    @property
    def visible(self) -> Footprint:
        """The tip: the operational electricity of the compute itself."""
        return replace(self, parts=tuple(p for p in self.parts if p.visible))

    @property
    def submerged(self) -> Footprint:
        """Everything else: overheads, idle, manufacturing, network, devices."""
        return replace(self, parts=tuple(p for p in self.parts if not p.visible))

    def submerged_share(self) -> float:
        total = self.co2e_kg.central
        return self.submerged.co2e_kg.central / total if total else 0.0

    # algebra -----------------------------------------------------------------------------------
    def __add__(self, other: Footprint) -> Footprint:
        if not isinstance(other, Footprint):
            return NotImplemented
        merged: dict[str, Part] = {}
        for p in self.parts + other.parts:
            merged[p.name] = merged[p.name].merged(p) if p.name in merged else p
        return Footprint(
            parts=tuple(merged.values()),
            title=Msg("title.plus", first=self.title, second=other.title) if self.title and other.title
            else self.title or other.title,
            factors=_unique_factors(self.factors + other.factors),
            warnings=_unique(self.warnings + other.warnings),
            meta={**self.meta, **other.meta},
        )

    def scaled(self, factor: Q | float, title: Text | None = None) -> Footprint:
        """This footprint × ``factor`` (e.g. a per-request footprint × the number of requests)."""
        return replace(
            self, parts=tuple(p.scaled(factor) for p in self.parts), title=title or self.title
        )

    def with_parts(self, names: Iterable[str]) -> Footprint:
        keep = set(names)
        return replace(self, parts=tuple(p for p in self.parts if p.name in keep))

    def sci(self, unit: str | None = None, r: Q | float | None = None, boundary: str | None = None) -> Sci:
        """The Software Carbon Intensity of this footprint (``aiceberg.model.sci``): per ``r`` units of ``unit``
        (default: the footprint's own functional unit, ``meta["sci"]``, else one of its kind's — a request,
        a training run…), within ``boundary`` (default: its kind's)."""
        own = self.meta.get("sci") or {}
        if r is None:
            r = own.get("r")
        if r is None and unit is None and "requests" in self.meta:  # an inference footprint × its requests
            n = float(self.meta["requests"])
            r = Q(n, float(self.meta.get("requests_low", n)), float(self.meta.get("requests_high", n)))
        return sci_from_parts(self.parts, kind=str(self.meta.get("kind", "")), unit=unit or own.get("unit"),
                              r=r, boundary=boundary or own.get("boundary"), left_out=self.meta.get("left_out", ()))

    def compare(self, other: Footprint) -> float:
        """How many times ``other``'s central GWP this footprint's central GWP is."""
        theirs = other.co2e_kg.central
        if theirs == 0:
            raise ZeroDivisionError("cannot compare with a footprint of 0 kgCO2e")
        return self.co2e_kg.central / theirs

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The JSON form; catalog warnings are rendered in ``lang``."""
        energy, gwp = self.energy_kwh, self.co2e_kg
        return {
            "title": str(self.title),
            "energy_kwh": energy.central,
            "energy_kwh_low": energy.low,
            "energy_kwh_high": energy.high,
            "co2e_kg": gwp.central,
            "co2e_kg_low": gwp.low,
            "co2e_kg_high": gwp.high,
            "visible_co2e_kg": self.visible.co2e_kg.central,
            "submerged_co2e_kg": self.submerged.co2e_kg.central,
            "status": str(self.status),
            "impacts": self.impacts_dict(),
            "sci": self.sci().to_dict(lang) if self.parts else None,
            "parts": [p.to_dict() for p in self.parts],
            "factors": [f.to_dict() for f in self.factors],
            "warnings": [w.render(lang) if isinstance(w, Msg) else w for w in self.warnings],
            "sources": list(self.sources),
        }


def _q_dict(q: Q, unit: str) -> dict[str, Any]:
    return {"value": q.central, "low": q.low, "high": q.high, "unit": unit}


def _unique(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(items))


def _unique_factors(factors: Iterable[Factor]) -> tuple[Factor, ...]:
    return tuple({f.id: f for f in factors}.values())
