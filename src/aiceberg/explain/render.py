"""Render a Footprint as the JSON contract of the CLI, or as a readable text table (EN/FR)."""

from __future__ import annotations

from typing import Any

from aiceberg.explain.equivalents import country_of, equivalents
from aiceberg.explain.i18n import fmt_energy_kwh, fmt_mass_kg, fmt_number, label
from aiceberg.model.footprint import Footprint


def footprint_dict(fp: Footprint, lang: str = "en", country: str | None = None) -> dict[str, Any]:
    """The JSON contract: totals with ranges, parts, equivalents, factors, warnings.

    ``country``: whose per-person electricity the equivalents use (default: the footprint's grid zone).
    """
    country = country or country_of(fp)
    out = fp.to_dict()
    for p in out["parts"]:
        p["label"] = label(p["name"], lang)
    eq = equivalents(fp.co2e_kg, fp.energy_kwh, country)
    out["equivalents"] = {k: v.to_dict(lang) for k, v in eq.items()}
    out["left_out"] = list(fp.meta.get("left_out", ()))
    out["meta"] = {k: v for k, v in fp.meta.items() if k not in ("left_out", "per_request")}
    if "per_request" in fp.meta:
        out["per_request"] = fp.meta["per_request"]
    return out


def _pct(x: float, total: float, lang: str) -> str:
    if not total:
        return ""
    return f"{fmt_number(x / total * 100, lang, 2)} %"


def render_table(rows: list[list[str]], align_right: set[int] | None = None) -> str:
    align_right = align_right or set()
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, r in enumerate(rows):
        cells = [c.rjust(widths[i]) if i in align_right else c.ljust(widths[i]) for i, c in enumerate(r)]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def footprint_text(fp: Footprint, lang: str = "en", country: str | None = None,
                   with_equivalents: bool = True) -> str:
    """A readable report: parts with ranges and status, the iceberg split, equivalents, warnings."""
    country = country or country_of(fp)
    total = fp.co2e_kg
    rows = [[label("part", lang), label("energy", lang), label("co2e", lang), label("range", lang), "%",
             label("status", lang)]]
    for p in fp.parts:
        g = p.co2e_kg
        rows.append([
            ("▲ " if p.visible else "▼ ") + label(p.name, lang),
            fmt_energy_kwh(p.energy_kwh.central, lang) if p.energy_kwh.central else "–",
            fmt_mass_kg(g.central, lang),
            f"{fmt_mass_kg(g.low, lang)} – {fmt_mass_kg(g.high, lang)}" if not g.is_exact else "",
            _pct(g.central, total.central, lang),
            label(f"status:{p.status}", lang),
        ])
    rows.append([label("total", lang), fmt_energy_kwh(fp.energy_kwh.central, lang), fmt_mass_kg(total.central, lang),
                 f"{fmt_mass_kg(total.low, lang)} – {fmt_mass_kg(total.high, lang)}" if not total.is_exact else "",
                 "100 %", ""])
    out = [fp.title, "=" * len(fp.title)] if fp.title else []
    out.append(render_table(rows, {1, 2, 4}))
    vis, sub = fp.visible.co2e_kg.central, fp.submerged.co2e_kg.central
    out.append("")
    colon = "\u202f:" if lang == "fr" else ":"
    out.append(f"▲ {label('visible', lang)}{colon} {fmt_mass_kg(vis, lang)} ({_pct(vis, total.central, lang)})")
    out.append(f"▼ {label('submerged', lang)}{colon} {fmt_mass_kg(sub, lang)} ({_pct(sub, total.central, lang)})")
    if with_equivalents and total.central > 0:
        out.append("")
        out.append(label("equivalents", lang) + colon)
        for e in equivalents(total, fp.energy_kwh, country).values():
            v = e.value
            if v.central < 0.01:  # "0.0000004 × Paris" tells nobody anything; --json keeps them all
                continue
            rng = "" if v.is_exact else f" ({fmt_number(v.low, lang)} – {fmt_number(v.high, lang)})"
            out.append(f"  {fmt_number(v.central, lang):>12}{rng}  {e.label(lang)}")
    left_out = fp.meta.get("left_out", ())
    if left_out:
        out.append("")
        out.append(label("left_out", lang) + ":")
        out += [f"  - {x}" for x in left_out]
    if fp.warnings:
        out.append("")
        out.append(label("warnings", lang) + ":")
        out += [f"  ! {w}" for w in fp.warnings]
    srcs = fp.sources
    if srcs:
        out.append("")
        out.append(f"{label('sources', lang)}: " + ", ".join(srcs) + "  (aiceberg data sources SEARCH)")
    return "\n".join(out)
