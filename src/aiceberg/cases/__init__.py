"""The case studies of the seed talk: published inputs and outputs, reproduced and completed.

Each case is a TOML file in ``refdata/data/cases/``: its published inputs, its published figures
(each with where it comes from and which quantity of the engine's result it is), the convention of
the publication (what it includes), and what it left out. A *recipe* turns the inputs into two
footprints: the reproduction under the publication's convention, and the complete iceberg view.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from aiceberg.errors import UnknownNameError
from aiceberg.model.footprint import Footprint

__all__ = ["Case", "CaseResult", "Published", "get_case", "list_cases"]


@dataclass(frozen=True)
class Published:
    metric: str
    value: float
    unit: str
    status: str
    where: str
    of: str


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
        return self.title_fr if lang == "fr" else self.title_en

    def convention(self, lang: str = "en") -> str:
        return self.convention_fr if lang == "fr" else self.convention_en

    def left_out(self, lang: str = "en") -> tuple[str, ...]:
        return self.left_out_fr if lang == "fr" else self.left_out_en

    def run(self) -> CaseResult:
        from aiceberg.cases.recipes import RECIPES

        return RECIPES[self.recipe](self)


@dataclass(frozen=True)
class CaseResult:
    case: Case
    reproduction: Footprint
    complete: Footprint
    reproduced: dict[str, float]
    notes: tuple[str, ...] = ()
    alternatives: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def deviation_pct(self) -> dict[str, float]:
        out = {}
        for p in self.case.published:
            if p.metric in self.reproduced and p.value:
                out[p.metric] = (self.reproduced[p.metric] - p.value) / p.value * 100.0
        return out

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        from aiceberg.explain.render import footprint_dict

        return {
            "name": self.case.name,
            "title": self.case.title(lang),
            "convention": self.case.convention(lang),
            "sources": list(self.case.sources),
            "inputs": self.case.inputs,
            "published": {p.metric: p.value for p in self.case.published},
            "published_detail": {p.metric: {"value": p.value, "unit": p.unit, "status": p.status,
                                            "where": p.where} for p in self.case.published},
            "reproduced": self.reproduced,
            "deviation_pct": self.deviation_pct,
            "alternatives": self.alternatives,
            "unreproduced": [{"metric": u["metric"], "claimed": u["value"], "unit": u["unit"], "where": u["where"],
                              "why": u.get(f"why_{lang}", u.get("why_en", ""))} for u in self.case.unreproduced],
            "notes": list(self.notes),
            "left_out": list(self.case.left_out(lang)),
            **footprint_dict(self.reproduction, lang),
            "complete": footprint_dict(self.complete, lang),
        }


def _load(path: Any) -> Case:
    with path.open("rb") as fh:
        doc = tomllib.load(fh)
    meta = doc["case"]
    published = tuple(
        Published(metric=k, value=float(v["value"]), unit=v["unit"], status=v["status"], where=v["where"],
                  of=v["of"])
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


@cache
def _cases() -> dict[str, Case]:
    from aiceberg.refdata.loader import data_dir

    paths = sorted((data_dir() / "cases").glob("*.toml"))
    return {c.name: c for c in map(_load, paths)}


def list_cases() -> list[Case]:
    return list(_cases().values())


def get_case(name: str) -> Case:
    cases = _cases()
    if name in cases:
        return cases[name]
    import difflib

    close = difflib.get_close_matches(name, list(cases), n=3, cutoff=0.4)
    raise UnknownNameError("case", name, close, "case", ", ".join(cases))
