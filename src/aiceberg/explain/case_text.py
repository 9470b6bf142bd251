"""A case study as text: published beside reproduced, the convention, then the complete iceberg."""

from __future__ import annotations

from typing import Any

from aiceberg.cases import CaseResult
from aiceberg.explain.i18n import fmt_exact, fmt_number, label
from aiceberg.explain.render import footprint_dict, footprint_text, render_table

__all__ = ["case_dict", "case_text"]


def case_dict(result: CaseResult, lang: str = "en") -> dict[str, Any]:
    """The JSON form of a case: published beside reproduced, the deviation, and both footprints."""
    case = result.case
    return {
        "name": case.name,
        "title": case.title(lang),
        "convention": case.convention(lang),
        "sources": list(case.sources),
        "inputs": case.inputs,
        "published": {p.metric: p.value for p in case.published},
        "published_detail": {p.metric: {"value": p.value, "unit": p.unit, "status": p.status,
                                        "where": p.where} for p in case.published},
        "reproduced": result.reproduced,
        "deviation_pct": result.deviation_pct,
        "alternatives": result.alternatives,
        "unreproduced": [{"metric": u["metric"], "claimed": u["value"], "unit": u["unit"], "where": u["where"],
                          "why": u.get(f"why_{lang}", u.get("why_en", ""))} for u in case.unreproduced],
        "notes": list(result.notes),
        "left_out": list(case.left_out(lang)),
        **footprint_dict(result.reproduction, lang),
        "complete": footprint_dict(result.complete, lang),
    }


def case_text(result: CaseResult, lang: str = "en", country: str | None = None) -> str:
    case = result.case
    title = case.title(lang)
    out = [title, "=" * len(title), "", f"{label('convention', lang)}: {case.convention(lang)}", ""]
    rows = [[label("metric", lang), label("published", lang), label("reproduced", lang), label("deviation", lang),
             "", label("sources", lang)]]
    dev = result.deviation_pct
    for p in case.published:
        got = result.reproduced.get(p.metric)
        rows.append([
            f"{p.metric} ({p.unit})",
            fmt_exact(p.value, lang),
            fmt_exact(got, lang) if got is not None else "–",
            (f"{dev[p.metric]:+.2f} %".replace(".", "," if lang == "fr" else ".")) if p.metric in dev else "",
            label(f"status:{p.status}", lang),
            p.where,
        ])
    out.append(render_table(rows, {1, 2, 3}))
    for name, values in result.alternatives.items():
        out.append("")
        out.append(f"{name}: " + ", ".join(f"{k} = {fmt_number(v, lang, 5)}" for k, v in values.items()))
    for u in case.unreproduced:
        why = u.get(f"why_{lang}", u.get("why_en", ""))
        head = {"en": "Not reproduced", "fr": "Non reproduit"}[lang]
        out.append("")
        out.append(f"{head}: {fmt_exact(u['value'], lang)} {u['unit']} — {u['where']}: {why}")
    if result.notes:
        out.append("")
        out += [f"  · {n}" for n in result.notes]
    out.append("")
    out.append(f"{label('left_out', lang)}:")
    out += [f"  - {x}" for x in case.left_out(lang)]
    out.append("")
    heading = label("complete", lang)
    out.append(heading)
    out.append("-" * len(heading))
    complete = result.complete
    out.append(footprint_text(complete.__class__(parts=complete.parts, title="", factors=complete.factors,
                                                  warnings=complete.warnings, meta=complete.meta), lang, country))
    ratio = complete.co2e_kg.central / result.reproduction.co2e_kg.central
    out.append("")
    msg = {"en": f"The complete iceberg is {fmt_number(ratio, lang)} × the published figure.",
           "fr": f"L'iceberg complet représente {fmt_number(ratio, lang)} × le chiffre publié."}[lang]
    out.append(msg)
    return "\n".join(out)
