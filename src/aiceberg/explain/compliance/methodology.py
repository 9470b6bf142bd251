"""The form's measurement methodology (about 100 words), written from what was actually done: the sensors
that read the energy (or the publication, or the model and its inputs), the boundary (the accelerators alone,
the node, or the facility with its PUE), the complete view beside it, the time covered and the sources."""

from __future__ import annotations

from aiceberg.explain.compliance.source import ComplianceInput
from aiceberg.i18n import localise, t
from aiceberg.i18n import numbers as N

__all__ = ["TARGET_WORDS", "methodology"]

#: The form recommends about 100 words; optional sentences go, last first, past this many.
TARGET_WORDS = 120


def _pue(value: float | None, lang: str) -> str:
    return N.number(value, lang, 3) if value is not None else "—"


def methodology(inp: ComplianceInput, lang: str = "en") -> str:
    """The methodology paragraph for ``inp`` in ``lang`` (empty when there is no energy figure to describe)."""
    e = inp.energy
    if e is None:
        return t("compliance.meth.none", lang, reason=localise(inp.energy_na or "", lang))
    value = N.energy(e.kwh, lang, 3, with_range=not e.kwh.is_exact)
    activity = t(f"compliance.activity.{inp.activity}", lang)
    sentences = [t(f"compliance.meth.lead.{e.obtained}", lang, activity=activity, value=value,
                   how=localise(e.how, lang), title=localise(inp.title, lang))]
    pue = None if e.pue is None else e.pue.central
    sentences.append(t(f"compliance.meth.boundary.{e.boundary}", lang, pue=_pue(pue, lang)))
    optional = []
    c = inp.complete
    if c is not None:
        optional.append(t("compliance.meth.complete", lang, value=N.energy(c.kwh, lang, 3),
                          boundary=t(f"compliance.boundary.{c.boundary}", lang),
                          pue=_pue(None if c.pue is None else c.pue.central, lang)))
    if inp.time is not None:
        optional.append(t("compliance.meth.time", lang, days=N.number(inp.time.wall_hours.central / 24.0, lang, 3),
                          hardware=inp.time.hardware))
    optional.append(t("compliance.meth.no_delegated_act", lang))
    if inp.left_out:
        optional.append(t("compliance.meth.left_out", lang,
                          items="; ".join(localise(x, lang) for x in inp.left_out[:2])))
    ids = tuple(dict.fromkeys((*inp.sources, *e.pue_sources)))
    if ids:
        optional.append(t("compliance.meth.sources", lang, sources=", ".join(ids)))
    while optional and len(" ".join(sentences + optional).split()) > TARGET_WORDS:
        optional.pop()
    return " ".join(sentences + optional)
