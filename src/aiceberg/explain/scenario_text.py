"""A scenario's result as text for the terminal, from its JSON form (``aiceberg.scenario.result_dict``).

Every word comes from the catalog (``scenario.text.*``), every number from :mod:`aiceberg.i18n.numbers`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiceberg.explain.render import colon, render_table
from aiceberg.i18n import numbers as N
from aiceberg.i18n import t
from aiceberg.model.quantity import Q

__all__ = ["compare_rows", "compare_text", "federated_lines", "flat_q", "scenario_text", "unit_label"]


def flat_q(d: Mapping[str, Any], key: str) -> Q | None:
    """The ``Q`` of a flat ``key``, ``key_low``, ``key_high`` (None when ``key`` is null)."""
    if d.get(key) is None:
        return None
    c = float(d[key])
    return Q(c, float(d.get(f"{key}_low", c)), float(d.get(f"{key}_high", c)))


def unit_label(unit: str, lang: str) -> str:
    """The reporting unit in words: "per request", "par requête"."""
    return t(f"scenario.unit.{unit}", lang)


def _co2e(q: Q | None, lang: str) -> str:
    return "–" if q is None else N.co2e(q, lang, with_range=True)


def _energy(q: Q | None, lang: str) -> str:
    return "–" if q is None or not q.high else N.energy(q, lang, with_range=True)


def compare_rows(d: Mapping[str, Any], lang: str) -> list[list[str]]:
    """The allocation comparison as rows: kind, variant, total, per unit (the current one marked)."""
    rows = []
    unit = d.get("unit", "whole-life")
    for c in d.get("comparison", ()):
        per = c.get("per_unit_co2e_kg")
        rows.append([t(f"scenario.text.kind.{c['kind']}", lang), ("● " if c["current"] else "  ") + c["label"],
                     N.co2e(c["co2e_kg"], lang),
                     "–" if per is None else N.co2e(per, lang) + " " + unit_label(unit, lang)])
    return rows


def federated_lines(d: Mapping[str, Any], lang: str) -> list[str]:
    """The federated phase beside the same model trained centrally, in words (none without a counterpart)."""
    fl = d.get("federated")
    if not fl:
        return []
    r, e = fl["ratio"]["co2e"], fl["ratio"]["energy"]
    out = [t("scenario.text.federated", lang, federated=N.co2e(flat_q(fl["federated"], "co2e_kg"), lang),
             centralised=N.co2e(flat_q(fl["centralised"], "co2e_kg"), lang), ratio=N.number(r["value"], lang),
             low=N.number(r["low"], lang), high=N.number(r["high"], lang), energy_ratio=N.number(e["value"], lang))]
    if fl.get("samples"):
        p = fl["samples"]["co2e_ratio"]
        out.append(t("scenario.text.federated_samples", lang, p5=N.number(p["p5"], lang),
                     p50=N.number(p["p50"], lang), p95=N.number(p["p95"], lang)))
    return out


def scenario_text(d: Mapping[str, Any], lang: str = "en") -> str:
    """The result for people: phases with ranges, the published figure, percentiles, what drives the
    variance, the comparison, what can be done, warnings."""
    title = d.get("title") or d.get("scenario", "")
    out = [title, "=" * len(title)]
    if d.get("description"):
        out.append(d["description"])
    period = flat_q(d["period_days"], "value")
    head = [t("scenario.text.period", lang, days=N.number(period.central, lang) if period else "–")]
    if d.get("requests"):
        head.append(t("scenario.text.requests", lang, requests=N.plain(round(d["requests"]["value"]), lang)))
    head.append(t("scenario.text.unit", lang, unit=unit_label(d["unit"], lang)))
    out.append(" · ".join(head))
    pub = d.get("published")
    if pub:
        dev = pub.get("deviation_pct")
        out += ["", t("scenario.text.published", lang, published=N.co2e(pub["co2e_kg"], lang, 5),
                      reproduced=N.co2e(pub["reproduced_co2e_kg"], lang, 5),
                      deviation=N.percent(dev, lang, signed=True) if dev is not None else "–",
                      where=pub.get(f"where_{lang}") or pub.get("where_en") or pub.get("source") or "")]
    total = flat_q(d["total"], "co2e_kg")
    rows = [[t("scenario.text.phase", lang), t("heading.energy", lang), t("heading.co2e", lang), "%",
             t("scenario.text.allocation", lang)]]
    notes: list[str] = []
    for ph in d["phases"]:
        c = flat_q(ph, "co2e_kg")
        alloc = ph.get("allocation")
        alloc_text = ", ".join(alloc) if isinstance(alloc, list) else (alloc or "")
        if c is None:
            rows.append([ph["label"], "–", t("scenario.text.not_counted", lang), "", ""])
            notes.append(f"  - {colon(ph['label'], lang)} {ph['not_counted']}")
            continue
        share = N.percent(ph["share"] * 100, lang) if ph.get("share") is not None else ""
        rows.append([ph["label"], _energy(flat_q(ph, "energy_kwh"), lang), _co2e(c, lang), share, alloc_text])
    rows.append([t("heading.total", lang), _energy(flat_q(d["total"], "energy_kwh"), lang), _co2e(total, lang),
                 N.percent(100, lang) if total and total.central else "", ""])
    per = d.get("per_unit")
    if per:
        rows.append([t("scenario.text.per_unit", lang, unit=unit_label(d["unit"], lang)),
                     _energy(flat_q(per, "energy_kwh"), lang), _co2e(flat_q(per, "co2e_kg"), lang), "", ""])
    out += ["", render_table(rows, {3})]
    vis, sub = d["total"]["visible_co2e_kg"], d["total"]["submerged_co2e_kg"]
    if total and total.central:
        out.append(f"▲ {colon(t('heading.visible', lang), lang)} {N.co2e(vis, lang)} "
                   f"({N.percent(vis / total.central * 100, lang)}) · ▼ {colon(t('heading.submerged', lang), lang)} "
                   f"{N.co2e(sub, lang)} ({N.percent(sub / total.central * 100, lang)})")
    fed = federated_lines(d, lang)
    if fed:
        out += ["", *fed]
    for boundary, sci in d.get("sci", {}).items():
        q = flat_q({"v": sci["value"], "v_low": sci["low"], "v_high": sci["high"]}, "v")
        out.append(t("scenario.text.sci", lang, boundary=t(f"scenario.text.sci_{boundary}", lang),
                     value=N.quantity(q, "g CO2e", lang, with_range=True), unit=unit_label(d["unit"], lang)))
    if notes:
        out += ["", colon(t("scenario.text.not_counted_head", lang), lang), *notes]
    samples = d.get("samples")
    if samples:
        p = samples["total"]["co2e_kg"]
        out += ["", t("scenario.text.samples", lang, n=N.plain(samples["n"], lang), seed=samples["seed"],
                      p5=N.co2e(p["p5"], lang), p50=N.co2e(p["p50"], lang), p95=N.co2e(p["p95"], lang))]
        if samples.get("per_unit"):
            q = samples["per_unit"]["co2e_kg"]
            out.append("  " + t("scenario.text.samples_unit", lang, unit=unit_label(d["unit"], lang),
                                 p5=N.co2e(q["p5"], lang), p50=N.co2e(q["p50"], lang), p95=N.co2e(q["p95"], lang)))
    sens = d.get("sensitivity")
    if sens:
        out += ["", colon(t("scenario.text.sensitivity", lang), lang)]
        for i, s in enumerate(sens["indices"][:8], 1):
            out.append(f"  {i}. {s['label']} — " + t("scenario.text.index", lang,
                                                      total=N.number(max(s["total_order"], 0.0), lang, 2),
                                                      first=N.number(max(s["first_order"], 0.0), lang, 2)))
    elif d.get("tornado"):
        out += ["", colon(t("scenario.text.tornado", lang), lang)]
        for b in d["tornado"][:6]:
            out.append(f"  - {colon(b['label'], lang)} {N.co2e(b['co2e_kg_at_low'], lang)} … "
                       f"{N.co2e(b['co2e_kg_at_high'], lang)}")
    if d.get("comparison"):
        out += ["", colon(t("scenario.text.compare", lang), lang),
                render_table([[t("scenario.text.kind", lang), t("scenario.text.variant", lang),
                               t("heading.co2e", lang), t("scenario.text.per_unit_head", lang)],
                              *compare_rows(d, lang)], {2, 3})]
    if d.get("actions"):
        out += ["", colon(t("scenario.text.actions", lang), lang)]
        out += [f"  → {a['action']}" for a in d["actions"]]
    if d.get("warnings"):
        out += ["", colon(t("heading.warnings", lang), lang)] + [f"  ! {w}" for w in d["warnings"]]
    if d.get("sources"):
        out += ["", f"{colon(t('heading.sources', lang), lang)} " + ", ".join(d["sources"])
                + f"  ({t('heading.sources_hint', lang)})"]
    return "\n".join(out)


def compare_text(a: Mapping[str, Any], b: Mapping[str, Any], lang: str = "en") -> str:
    """Two scenarios side by side: each phase, the total, the per-unit figures, and B over A."""
    names = [p["name"] for p in a["phases"]] + [p["name"] for p in b["phases"] if p["name"] not in
                                                 {q["name"] for q in a["phases"]}]
    pa = {p["name"]: p for p in a["phases"]}
    pb = {p["name"]: p for p in b["phases"]}
    rows = [[t("scenario.text.phase", lang), a.get("scenario", "A"), b.get("scenario", "B")]]

    def cell(p: Mapping[str, Any] | None) -> str:
        if p is None:
            return ""
        q = flat_q(p, "co2e_kg")
        return t("scenario.text.not_counted", lang) if q is None else N.co2e(q, lang, with_range=True)

    for name in names:
        label = (pa.get(name) or pb[name])["label"]
        rows.append([label, cell(pa.get(name)), cell(pb.get(name))])
    rows.append([t("heading.total", lang), cell(a["total"]), cell(b["total"])])
    for d, i in ((a, 1), (b, 2)):
        if d.get("per_unit"):
            row = ["", "", ""]
            row[0] = t("scenario.text.per_unit_head", lang)
            row[i] = N.co2e(flat_q(d["per_unit"], "co2e_kg"), lang, with_range=True) + " " + unit_label(d["unit"], lang)
            rows.append(row)
    out = [render_table(rows, {1, 2})]
    ca, cb = a["total"]["co2e_kg"], b["total"]["co2e_kg"]
    if ca:
        out += ["", t("scenario.text.ratio", lang, a=a.get("scenario", "A"), b=b.get("scenario", "B"),
                      ratio=N.number(cb / ca, lang))]
    return "\n".join(out)
