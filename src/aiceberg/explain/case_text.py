"""A case study for people: published beside reproduced, the convention, then the complete iceberg.

:func:`case_rows` is the one table of a case (metric names in words, published figures exactly as
published, the reproduction at the precision that compares with them, the deviation, where each figure
comes from), in the reader's language; the terminal (:func:`case_text`), the reports and the web's case
pages all lay it out. :func:`case_dict` is the JSON form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from aiceberg.cases import CaseResult, Published
from aiceberg.explain.render import (
    colon,
    deviation,
    footprint_dict,
    footprint_text,
    render_table,
    status_label,
    unit_label,
)
from aiceberg.i18n import Localised, has, localise, t
from aiceberg.i18n import numbers as N

__all__ = ["CaseRow", "case_dict", "case_notes", "case_rows", "case_text", "metric_name", "unreproduced_lines"]


def metric_name(metric: str, lang: str = "en") -> str:
    """A published metric's name in words (``dynamic_co2e_kg`` → "Emissions of the GPUs' electricity")."""
    key = f"case.metric.{metric}"
    return t(key, lang) if has(key) else metric


def _significant(x: float) -> int:
    """How many significant digits a published figure shows (``24690`` → 4, ``0.5`` → 1, ``433196`` → 6)."""
    digits = re.sub(r"[^0-9]", "", N.exact(x)).lstrip("0")
    if float(x) == int(x):
        digits = digits.rstrip("0")
    return max(len(digits), 1)


@dataclass(frozen=True)
class CaseRow:
    """One published figure beside its reproduction, every cell already in the reader's language."""

    metric: str
    name: str
    unit: str
    published: str
    reproduced: str
    deviation: str
    status: str
    where: str


def _row(p: Published, result: CaseResult, lang: str) -> CaseRow:
    got = result.reproduced.get(p.metric)
    dev = result.deviation_pct.get(p.metric)
    # the reproduction at one digit more than the publication shows: enough to compare, no float noise
    sig = min(max(_significant(p.value) + 1, 3), N.MAX_SIG)
    return CaseRow(
        metric=p.metric, name=metric_name(p.metric, lang), unit=unit_label(p.unit, lang),
        published=N.exact(p.value, lang), reproduced="–" if got is None else N.number(got, lang, sig),
        deviation="" if dev is None else deviation(dev, lang), status=status_label(p.status, lang),
        where=p.where_in(lang),
    )


def case_rows(result: CaseResult, lang: str = "en") -> list[CaseRow]:
    """The published figures of a case beside their reproduction, in ``lang``."""
    return [_row(p, result, lang) for p in result.case.published]


def case_notes(result: CaseResult, lang: str = "en") -> list[str]:
    """What the reproduction needed to say, in ``lang``."""
    return [localise(n, lang) for n in result.notes]


def unreproduced_lines(result: CaseResult, lang: str = "en") -> list[str]:
    """Each published figure that could not be reproduced, with where it comes from and why."""
    out = []
    for u in result.case.unreproduced:
        why = Localised(en=u.get("why_en", ""), fr=u.get("why_fr", "")).render(lang)
        where = Localised(en=u["where"], fr=u.get("where_fr", "")).render(lang)
        out.append(f"{colon(t('case.not_reproduced', lang), lang)} {N.exact(u['value'], lang)} "
                   f"{unit_label(u['unit'], lang)} — {colon(where, lang)} {why}")
    return out


def _alternatives(result: CaseResult, lang: str) -> list[str]:
    out = []
    for aid, values in result.alternatives.items():
        key = f"case.alternative.{aid}"
        head = t(key, lang) if has(key) else aid
        out.append(f"{colon(head, lang)} " + ", ".join(f"{metric_name(k, lang)} = {N.number(v, lang, 5)}"
                                                     for k, v in values.items()))
    return out


def ratio_text(result: CaseResult, lang: str = "en") -> str:
    """"The complete iceberg is 1.16 × the published figure." (empty when the reproduction is 0)."""
    repro = result.reproduction.co2e_kg.central
    if not repro:
        return ""
    return t("case.ratio", lang, ratio=N.number(result.complete.co2e_kg.central / repro, lang))


def case_dict(result: CaseResult, lang: str = "en") -> dict[str, Any]:
    """The JSON form of a case: published beside reproduced, the deviation, and both footprints.

    Numbers stay numbers; ``rows`` carries the same table in words for a page to show as it is.
    """
    case = result.case
    return {
        "name": case.name,
        "title": case.title(lang),
        "convention": case.convention(lang),
        "sources": list(case.sources),
        "inputs": case.inputs,
        "published": {p.metric: p.value for p in case.published},
        "published_detail": {p.metric: {"value": p.value, "unit": p.unit, "status": p.status,
                                        "where": p.where_in(lang), "name": metric_name(p.metric, lang)}
                             for p in case.published},
        "rows": [row.__dict__ for row in case_rows(result, lang)],
        "reproduced": result.reproduced,
        "deviation_pct": result.deviation_pct,
        "alternatives": result.alternatives,
        "unreproduced": [{"metric": u["metric"], "claimed": u["value"], "unit": u["unit"], "where": u["where"],
                          "why": u.get(f"why_{lang}", u.get("why_en", ""))} for u in case.unreproduced],
        "notes": case_notes(result, lang),
        "left_out": list(case.left_out(lang)),
        **footprint_dict(result.reproduction, lang),
        "complete": footprint_dict(result.complete, lang),
    }


def case_text(result: CaseResult, lang: str = "en", country: str | None = None) -> str:
    """The case for a terminal: the table, what was not reproduced, notes, what is left out, the complete view."""
    case = result.case
    title = case.title(lang)
    out = [title, "=" * len(title), "", f"{colon(t('heading.convention', lang), lang)} {case.convention(lang)}", ""]
    rows = [[t("heading.metric", lang), t("heading.published", lang), t("heading.reproduced", lang),
             t("heading.deviation", lang), "", t("heading.sources", lang)]]
    for r in case_rows(result, lang):
        rows.append([f"{r.name} ({r.unit})", r.published, r.reproduced, r.deviation, r.status, r.where])
    out.append(render_table(rows, {1, 2, 3}))
    for line in _alternatives(result, lang) + unreproduced_lines(result, lang):
        out += ["", line]
    notes = case_notes(result, lang)
    if notes:
        out.append("")
        out += [f"  · {n}" for n in notes]
    out.append("")
    out.append(colon(t("heading.left_out", lang), lang))
    out += [f"  - {x}" for x in case.left_out(lang)]
    out.append("")
    heading = t("heading.complete", lang)
    out.append(heading)
    out.append("-" * len(heading))
    complete = result.complete
    out.append(footprint_text(complete.__class__(parts=complete.parts, title="", factors=complete.factors,
                                                  warnings=complete.warnings, meta=complete.meta), lang, country))
    ratio = ratio_text(result, lang)
    if ratio:
        out += ["", ratio]
    return "\n".join(out)
