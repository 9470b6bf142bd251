"""A scenario's charts, drawn by the project as SVG: the tornado ("which assumption decides this number"),
the distribution of the Monte Carlo total, and the per-phase iceberg's footprint.

Every text is escaped; every function returns one ``<svg>`` string (or a ``Footprint`` for the iceberg).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from aiceberg.explain.render import part_label
from aiceberg.explain.svg import INK, MUTED, shorten, svg_open
from aiceberg.i18n import numbers as N
from aiceberg.i18n import t
from aiceberg.model.footprint import Footprint, Part, Phase, Status
from aiceberg.model.quantity import Q

__all__ = ["TornadoRow", "histogram_svg", "phase_footprint", "ranked_inputs", "tornado_svg"]

_LOW, _HIGH = "#2b8a3e", "#d9480f"


@dataclass(frozen=True)
class TornadoRow:
    """One input: its words, its low and high value as text, and the total with it at each end."""

    label: str
    low_text: str
    high_text: str
    at_low: float
    at_high: float


def tornado_svg(rows: Sequence[TornadoRow], base: float, lang: str = "en", *, width: int = 760,
                label_width: int = 300, title: str | None = None) -> str:
    """Horizontal bars around the central total: each input moved alone to its low end (green) and its
    high end (orange), the largest swing on top."""
    title = title or t("scenario.report.tornado", lang)
    row_h, top, bottom = 30, 26, 30
    height = top + row_h * max(len(rows), 1) + bottom
    values = [base] + [v for r in rows for v in (r.at_low, r.at_high)]
    vmin, vmax = min(values), max(values)
    pad = (vmax - vmin) * 0.08 or abs(base) * 0.1 or 1.0
    vmin, vmax = vmin - pad, vmax + pad
    x0, x1 = label_width, width - 20

    def sx(v: float) -> float:
        return x0 + (x1 - x0) * (v - vmin) / (vmax - vmin)

    out = [svg_open(width, height, title, "aiceberg-tornado")]
    bx = sx(base)
    out.append(f'<text x="{bx:.1f}" y="14" text-anchor="middle" font-size="11.5" fill="{MUTED}">'
               f'{escape(N.co2e(base, lang))}</text>')
    for i, r in enumerate(rows):
        y = top + i * row_h
        cy = y + row_h / 2
        hover = f"{r.label}: {r.low_text} → {N.co2e(r.at_low, lang)}; {r.high_text} → {N.co2e(r.at_high, lang)}"
        out.append(f'<g class="bar"><title>{escape(hover)}</title>')
        out.append(f'<text x="{x0 - 8}" y="{cy + 4:.1f}" text-anchor="end" font-size="12" fill="{INK}">'
                   f'{escape(shorten(r.label, int(label_width / 7.6)))}</text>')
        for v, colour in ((r.at_low, _LOW), (r.at_high, _HIGH)):
            a, b = sorted((bx, sx(v)))
            out.append(f'<rect x="{a:.1f}" y="{y + 6}" width="{max(b - a, 0.8):.1f}" height="{row_h - 12}" '
                       f'fill="{colour}" opacity="0.8"/>')
        out.append("</g>")
    out.append(f'<line x1="{bx:.1f}" y1="{top - 4}" x2="{bx:.1f}" y2="{height - bottom + 4}" stroke="{INK}" '
               'stroke-width="1.2"/>')
    ly = height - 10
    out.append(f'<rect x="{x0}" y="{ly - 9}" width="12" height="10" fill="{_LOW}"/><text x="{x0 + 16}" y="{ly}" '
               f'font-size="11.5" fill="{INK}">{escape(t("scenario.report.at_low", lang))}</text>')
    out.append(f'<rect x="{x0 + 200}" y="{ly - 9}" width="12" height="10" fill="{_HIGH}"/><text x="{x0 + 216}" '
               f'y="{ly}" font-size="11.5" fill="{INK}">{escape(t("scenario.report.at_high", lang))}</text>')
    out.append("</svg>")
    return "".join(out)


def histogram_svg(counts: Sequence[int], edges: Sequence[float], marks: Mapping[str, float], lang: str = "en", *,
                  width: int = 760, height: int = 240, title: str | None = None) -> str:
    """The distribution of the Monte Carlo total (kgCO2e), with the percentiles of ``marks`` as lines."""
    title = title or t("scenario.report.distribution", lang)
    left, right, top, bottom = 20, 20, 24, 40
    out = [svg_open(width, height, title, "aiceberg-histogram")]
    if not counts:
        return "".join(out) + "</svg>"
    lo, hi = edges[0], edges[-1]
    cmax = max(counts) or 1

    def sx(v: float) -> float:
        return left + (width - left - right) * (v - lo) / ((hi - lo) or 1.0)

    base_y = height - bottom
    for c, a, b in zip(counts, edges[:-1], edges[1:], strict=True):
        h = (base_y - top) * c / cmax
        out.append(f'<rect x="{sx(a):.1f}" y="{base_y - h:.1f}" width="{max(sx(b) - sx(a) - 1, 0.5):.1f}" '
                   f'height="{h:.1f}" fill="#4c8cbf"/>')
    out.append(f'<line x1="{left}" y1="{base_y}" x2="{width - right}" y2="{base_y}" stroke="{INK}"/>')
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        anchor = "start" if k == 0 else "end" if k == 4 else "middle"
        out.append(f'<text x="{sx(v):.1f}" y="{base_y + 16}" text-anchor="{anchor}" font-size="11" '
                   f'fill="{MUTED}">{escape(N.co2e(v, lang))}</text>')
    for name, v in marks.items():
        x = sx(v)
        out.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{base_y}" stroke="{INK}" '
                   'stroke-dasharray="4 3"/>')
        out.append(f'<text x="{x + 3:.1f}" y="{top - 8}" font-size="11" fill="{INK}">{escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def phase_footprint(parts: Sequence[tuple[str, Q, Q, bool]], phase_labels: Mapping[str, str],
                    lang: str = "en") -> tuple[Footprint, dict[str, str]]:
    """The scenario's parts (``phase.part`` → kWh, kgCO2e, visible) as a Footprint for the iceberg, and the
    labels of its parts ("final training: GPU electricity"). A part keeps its engine name after its phase
    (``gpu.dynamic@training``), so the iceberg colours it by its family."""
    fps: list[Part] = []
    labels: dict[str, str] = {}
    for key, energy, co2e, visible in parts:
        phase, part = key.split(".", 1)
        name = f"{part}@{phase}"
        manufacturing = part.startswith("embodied")
        fps.append(Part(name, energy, {"gwp": co2e}, Status.MODELLED, visible=visible,
                        phase=Phase.MANUFACTURING if manufacturing else Phase.USE))
        labels[name] = t("scenario.report.part", lang, phase=phase_labels.get(phase, phase),
                         part=t(f"scenario.part.{part}", lang) if part in _OWN_PARTS else part_label(part, lang))
    return Footprint(tuple(fps)), labels


#: Parts that only scenarios have (their words are in scenario.toml).
_OWN_PARTS = {"storage", "end_of_life"}


def ranked_inputs(d: Mapping[str, Any], lang: str = "en", n: int = 10) -> list[TornadoRow]:
    """The tornado's rows from the result's JSON: the ``n`` inputs with the largest swing."""
    out = []
    inputs = {i["id"]: i for i in d.get("inputs", ())}
    for b in d.get("tornado", ())[:n]:
        unit = inputs.get(b["id"], {}).get("unit", "")
        out.append(TornadoRow(b["label"], N.quantity(b["low"], unit, lang), N.quantity(b["high"], unit, lang),
                              b["co2e_kg_at_low"], b["co2e_kg_at_high"]))
    return out
