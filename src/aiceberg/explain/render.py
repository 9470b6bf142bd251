"""Render a Footprint as the JSON contract of the CLI, or as a readable text table (EN/FR).

Every word comes from the catalog (``part.*``, ``heading.*``, ``status.*``), every number from
:mod:`aiceberg.i18n.numbers`.
"""

from __future__ import annotations

import re
from typing import Any

from aiceberg.explain.criteria import criteria_lines, sci_lines
from aiceberg.explain.equivalents import (
    country_of,
    equivalent_dict,
    equivalents,
    for_footprint,
    readable,
    shown_dict,
)
from aiceberg.i18n import has, localise, t
from aiceberg.i18n import numbers as N
from aiceberg.model.footprint import Footprint

__all__ = ["colon", "deviation", "footprint_dict", "footprint_text", "part_label", "render_table", "status_label",
           "unit_label"]


def part_label(name: str, lang: str = "en") -> str:
    """The label of a part (``gpu.dynamic`` → "GPU electricity (compute)"); an unknown name as it is."""
    key = f"part.{name}"
    return t(key, lang) if has(key) else name


def status_label(status: object, lang: str = "en") -> str:
    """How a number was obtained, in words (``measured`` → "mesuré")."""
    key = f"status.{status}"
    return t(key, lang) if has(key) else str(status)


def unit_label(unit: str, lang: str = "en") -> str:
    """A unit as the data writes it, in the reader's words where the language has its own
    (``round trips`` → ``allers-retours``); symbols (``kWh``, ``kgCO2e``) as they are."""
    key = "unit." + re.sub(r"[^a-z0-9-]+", "_", unit.lower()).strip("_")
    return t(key, lang) if has(key) else unit


def deviation(pct_value: float, lang: str = "en") -> str:
    """A reproduction's deviation from the published figure: ``+0.06 %``."""
    return N.percent(pct_value, lang, 2, signed=True)


def colon(text: str, lang: str = "en") -> str:
    """``text`` followed by a colon, with the French space before it."""
    return t("punct.colon", lang, text=text)


def footprint_dict(fp: Footprint, lang: str = "en", country: str | None = None) -> dict[str, Any]:
    """The JSON contract: totals with ranges, parts, equivalents, factors, warnings.

    ``equivalents`` keeps every equivalent (by id); ``equivalents_shown`` lists, in order, those a reader
    is shown (readable values, each at its best scale). ``country``: whose per-person electricity the
    equivalents use (default: the footprint's grid zone).
    """
    country = country or country_of(fp)
    out = fp.to_dict()
    for p, part in zip(out["parts"], fp.parts, strict=True):
        p["label"] = part_label(p["name"], lang)
        p["detail"] = localise(part.detail, lang)
    eq = equivalents(fp.co2e_kg, fp.energy_kwh, country)
    out["equivalents"] = {k: equivalent_dict(v, lang) for k, v in eq.items()}
    out["equivalents_shown"] = [shown_dict(s, lang) for s in readable(eq)]
    out["warnings"] = [localise(w, lang) for w in fp.warnings]
    out["left_out"] = [localise(x, lang) for x in fp.meta.get("left_out", ())]
    out["meta"] = {k: v for k, v in fp.meta.items() if k not in ("left_out", "per_request")}
    if "per_request" in fp.meta:
        out["per_request"] = fp.meta["per_request"]
    return out


def render_table(rows: list[list[str]], align_right: set[int] | None = None) -> str:
    """Plain-text columns: the first row is the header, underlined; ``align_right`` columns are numbers."""
    align_right = align_right or set()
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, r in enumerate(rows):
        cells = [c.rjust(widths[i]) if i in align_right else c.ljust(widths[i]) for i, c in enumerate(r)]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _share(x: float, total: float, lang: str) -> str:
    return N.percent(x / total * 100, lang) if total else ""


def footprint_text(fp: Footprint, lang: str = "en", country: str | None = None,
                   with_equivalents: bool = True) -> str:
    """A readable report: parts with ranges and status, the iceberg split, equivalents, warnings."""
    country = country or country_of(fp)
    total = fp.co2e_kg
    rows = [[t("heading.part", lang), t("heading.energy", lang), t("heading.co2e", lang), t("heading.range", lang),
             "%", t("heading.status", lang)]]
    for p in fp.parts:
        g = p.co2e_kg
        rows.append([
            ("▲ " if p.visible else "▼ ") + part_label(p.name, lang),
            N.energy(p.energy_kwh.central, lang) if p.energy_kwh.central else "–",
            N.co2e(g.central, lang),
            N.span(g, "kg CO2e", lang),
            _share(g.central, total.central, lang),
            status_label(p.status, lang),
        ])
    rows.append([t("heading.total", lang), N.energy(fp.energy_kwh.central, lang), N.co2e(total.central, lang),
                 N.span(total, "kg CO2e", lang), N.percent(100, lang) if total.central else "", ""])
    title = localise(fp.title, lang)
    out = [title, "=" * len(title)] if title else []
    out.append(render_table(rows, {1, 2, 4}))
    vis, sub = fp.visible.co2e_kg.central, fp.submerged.co2e_kg.central
    out.append("")
    out.append(f"▲ {colon(t('heading.visible', lang), lang)} {N.co2e(vis, lang)} ({_share(vis, total.central, lang)})")
    out.append(f"▼ {colon(t('heading.submerged', lang), lang)} {N.co2e(sub, lang)} "
               f"({_share(sub, total.central, lang)})")
    if fp.parts:  # the other criteria and the SCI (explain/criteria.py)
        out += ["", *criteria_lines(fp, lang), "", *sci_lines(fp, lang)]
    if with_equivalents and total.central > 0:
        shown = readable(for_footprint(total, fp.energy_kwh, country))
        if shown:
            out.append("")
            out.append(colon(t("heading.equivalents", lang), lang))
            for s in shown:
                v = s.value
                rng = N.span(v, "", lang)
                out.append(f"  {N.number(v.central, lang):>12}  {s.label(lang)}" + (f"  ({rng})" if rng else ""))
    left_out = fp.meta.get("left_out", ())
    if left_out:
        out.append("")
        out.append(colon(t("heading.left_out", lang), lang))
        out += [f"  - {localise(x, lang)}" for x in left_out]
    if fp.warnings:
        out.append("")
        out.append(colon(t("heading.warnings", lang), lang))
        out += [f"  ! {localise(w, lang)}" for w in fp.warnings]
    srcs = fp.sources
    if srcs:
        out.append("")
        out.append(f"{colon(t('heading.sources', lang), lang)} " + ", ".join(srcs)
                   + f"  ({t('heading.sources_hint', lang)})")
    return "\n".join(out)
