"""A case study's data: its published inputs and figures, and the result of reproducing it.

Each case is a TOML file in ``refdata/data/cases/``: its published inputs, its published figures
(each with where it comes from and which quantity of the engine's result it is), the convention of
the publication (what it includes), and what it left out.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiceberg.i18n import Localised, Msg
from aiceberg.model.footprint import Footprint

__all__ = ["RECIPES", "Case", "CaseResult", "Published", "load_case"]

#: Recipe name → the function that runs a case (filled by :mod:`aiceberg.cases.recipes`, which
#: ``aiceberg.cases`` imports).
RECIPES: dict[str, Callable[[Case], CaseResult]] = {}


@dataclass(frozen=True)
class Published:
    """A figure as its publication gives it: ``value`` exactly as published, in ``unit``; ``where`` says
    where it comes from (``where_fr`` in French), ``of`` which quantity of the engine's result it is."""

    metric: str
    value: float
    unit: str
    status: str
    where: str
    of: str
    where_fr: str = ""

    def where_in(self, lang: str = "en") -> str:
        return Localised(en=self.where, fr=self.where_fr).render(lang)


@dataclass(frozen=True)
class Case:
    name: str
    title_en: str
    title_fr: str
    recipe: str
    sources: tuple[str, ...]
    convention_en: str
    convention_fr: str
    left_out_en: tuple[str, ...]
    left_out_fr: tuple[str, ...]
    inputs: dict[str, Any]
    complete: dict[str, Any]
    published: tuple[Published, ...]
    unreproduced: tuple[dict[str, Any], ...] = ()

    def title(self, lang: str = "en") -> str:
        return Localised(en=self.title_en, fr=self.title_fr).render(lang)

    def convention(self, lang: str = "en") -> str:
        return Localised(en=self.convention_en, fr=self.convention_fr).render(lang)

    def left_out(self, lang: str = "en") -> tuple[str, ...]:
        return {"en": self.left_out_en, "fr": self.left_out_fr}.get(lang) or self.left_out_en

    def run(self) -> CaseResult:
        """The reproduction under the publication's convention, and the complete iceberg view."""
        return RECIPES[self.recipe](self)


@dataclass(frozen=True)
class CaseResult:
    case: Case
    reproduction: Footprint
    complete: Footprint
    reproduced: dict[str, float]
    #: what the reproduction needed to say (catalog messages, ``case.note.*``)
    notes: tuple[Msg | str, ...] = ()
    #: other readings of the publication: id (its label is ``case.alternative.<id>``) → metric → value
    alternatives: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def deviation_pct(self) -> dict[str, float]:
        out = {}
        for p in self.case.published:
            if p.metric in self.reproduced and p.value:
                out[p.metric] = (self.reproduced[p.metric] - p.value) / p.value * 100.0
        return out


def load_case(path: Path) -> Case:
    """A case from its TOML file."""
    with path.open("rb") as fh:
        doc = tomllib.load(fh)
    meta = doc["case"]
    published = tuple(
        Published(metric=k, value=float(v["value"]), unit=v["unit"], status=v["status"], where=v["where"],
                  of=v["of"], where_fr=v.get("where_fr", ""))
        for k, v in doc.get("published", {}).items()
    )
    return Case(
        name=meta["name"], title_en=meta["title_en"], title_fr=meta["title_fr"], recipe=meta["recipe"],
        sources=tuple(meta["sources"]), convention_en=meta["convention_en"],
        convention_fr=meta["convention_fr"], left_out_en=tuple(meta.get("left_out_en", ())),
        left_out_fr=tuple(meta.get("left_out_fr", ())), inputs=dict(doc.get("inputs", {})),
        complete=dict(doc.get("complete", {})), published=published,
        unreproduced=tuple({"metric": k, **v} for k, v in doc.get("unreproduced", {}).items()),
    )
