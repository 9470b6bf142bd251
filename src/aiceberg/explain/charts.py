"""Small SVG charts drawn by the project (no plotting library, no network, a few kB each).

* :func:`bars_svg` — horizontal bars with range whiskers (the breakdown of a footprint:
  :func:`breakdown_svg`);
* :func:`log_compare_svg` — figures on a log scale (a footprint beside the case studies:
  :func:`comparison_entries` then :func:`log_compare_svg`);
* :func:`power_svg` — power over time per device with phase bands (a measured run:
  :func:`power_series` turns the store's cumulative-energy samples into power).

Every text is escaped; every function returns one ``<svg>`` string.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from aiceberg.cases import list_cases
from aiceberg.explain.render import colon, part_label
from aiceberg.explain.svg import GRID, INK, MUTED, family_of, part_colour, shorten, svg_open
from aiceberg.i18n import Localised, t
from aiceberg.i18n import numbers as N
from aiceberg.model.footprint import Footprint
from aiceberg.model.quantity import Q
from aiceberg.refdata import follows_data

__all__ = [
    "Bar",
    "CompareEntry",
    "bars_svg",
    "breakdown_svg",
    "case_figures",
    "comparison_entries",
    "log_compare_svg",
    "power_series",
    "power_svg",
]

_PALETTE = ("#1f77b4", "#d9480f", "#2b8a3e", "#862e9c", "#c2255c", "#0b7285", "#e67700", "#5c940d")


# -- bars with whiskers --------------------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    """One bar: a label, a quantity (central with its range), a colour and the text shown beside it."""

    label: str
    value: Q
    colour: str = "#4c8cbf"
    text: str = ""


def bars_svg(bars: Sequence[Bar], *, title: str, width: int = 720, label_width: int = 250) -> str:
    """Horizontal bars on a linear scale from 0, each with a whisker from its low to its high."""
    row_h, top, bottom = 30, 8, 26
    height = top + row_h * max(len(bars), 1) + bottom
    x0, x1 = label_width, width - 150
    vmax = max((b.value.high for b in bars), default=0.0) or 1.0

    def sx(v: float) -> float:
        return x0 + (x1 - x0) * v / vmax

    out = [svg_open(width, height, title, "aiceberg-bars")]
    for i in range(5):
        gx = x0 + (x1 - x0) * i / 4
        out.append(f'<line x1="{gx:.1f}" y1="{top}" x2="{gx:.1f}" y2="{height - bottom}" stroke="{GRID}"/>')
    for i, b in enumerate(bars):
        y = top + i * row_h
        cy = y + row_h / 2
        q = b.value
        hover = f"{b.label}: {b.text}"
        out.append(f'<g class="bar"><title>{escape(hover)}</title>')
        out.append(f'<text x="{x0 - 8}" y="{cy + 4:.1f}" text-anchor="end" font-size="12.5" fill="{INK}">'
                   f'{escape(shorten(b.label, int(label_width / 6.6)))}</text>')
        out.append(f'<rect x="{x0}" y="{y + 7}" width="{max(sx(q.central) - x0, 0.5):.1f}" height="{row_h - 14}" '
                   f'rx="2" fill="{b.colour}" stroke="#3d5a7a" stroke-width="0.6"/>')
        if not q.is_exact:
            lo, hi = sx(q.low), sx(q.high)
            out.append(f'<path d="M{lo:.1f},{cy:.1f}H{hi:.1f}M{lo:.1f},{cy - 6:.1f}V{cy + 6:.1f}'
                       f'M{hi:.1f},{cy - 6:.1f}V{cy + 6:.1f}" stroke="{INK}" stroke-width="1.3" fill="none" '
                       'class="whisker"/>')
        out.append(f'<text x="{max(sx(q.high), sx(q.central)) + 8:.1f}" y="{cy + 4:.1f}" font-size="12" '
                   f'fill="{INK}">{escape(b.text)}</text></g>')
    out.append("</svg>")
    return "".join(out)


def breakdown_svg(fp: Footprint, lang: str = "en", *, width: int = 720, title: str | None = None) -> str:
    """The footprint's parts as bars of kgCO2e with their ranges, in the footprint's order."""
    total = fp.co2e_kg.central
    fam_n: dict[str, int] = {}
    bars = []
    for p in fp.parts:
        fam = family_of(p.name) + ("^" if p.visible else "")
        n = fam_n.get(fam, 0)
        fam_n[fam] = n + 1
        g = p.co2e_kg
        share = f" · {N.percent(g.central / total * 100, lang)}" if total else ""
        bars.append(Bar(part_label(p.name, lang), g, part_colour(p.name, n, visible=p.visible),
                        N.co2e(g.central, lang) + share))
    heading = title or t("report.chart_breakdown", lang)
    return bars_svg(bars, title=heading, width=width)


# -- log-scale comparison ------------------------------------------------------------------------

@dataclass(frozen=True)
class CompareEntry:
    """One row of the comparison: a complete figure (with range) and, for a case, its published figure."""

    key: str
    label: str
    complete: Q
    published: float | None = None
    highlight: bool = False


@follows_data  # computed once per data folder: after refdata.set_data_dir the figures are the new data's
def case_figures() -> tuple[tuple[str, str, str, Q, float | None], ...]:
    """Each case: ``(name, title_en, title_fr, complete GWP, published total GWP or None)``, computed once."""
    out = []
    for case in list_cases():
        result = case.run()
        published = next((p.value for p in case.published if p.of == "total:co2e"), None)
        out.append((case.name, case.title_en, case.title_fr, result.complete.co2e_kg, published))
    return tuple(out)


def comparison_entries(fp: Footprint, lang: str = "en", *, name: str = "", case_name: str | None = None
                       ) -> list[CompareEntry]:
    """``fp`` (highlighted, first) beside every case study, sorted by complete figure.

    Args:
        fp: the footprint to place.
        name: its label (default: "This footprint").
        case_name: when ``fp`` is itself a case, that case is highlighted instead of repeated.
    """
    entries = []
    for cname, ten, tfr, complete, published in case_figures():
        entries.append(CompareEntry(cname, Localised(en=ten, fr=tfr).render(lang), complete, published,
                                    highlight=cname == case_name))
    if case_name is None or case_name not in {e.key for e in entries}:
        mine = name or t("report.this_footprint", lang)
        entries.append(CompareEntry("this", mine, fp.co2e_kg, None, highlight=True))
    entries.sort(key=lambda e: (not e.highlight, -e.complete.central))
    return entries


def _decade_label(exp: int, lang: str) -> str:
    """A decade of the log axis in kg, at its prefix: ``1 g``, ``100 kg``, ``10 kt``."""
    return N.mass(10.0 ** exp, lang)


def log_compare_svg(entries: Sequence[CompareEntry], lang: str = "en", *, width: int = 720,
                    title: str | None = None) -> str:
    """Complete figures (dot and range) and published figures (open diamond) on one log scale in kgCO2e."""
    title = title or t("report.chart_compare", lang)
    values = [v for e in entries for v in (e.complete.low, e.complete.central, e.complete.high, e.published or 0)
              if v and v > 0]
    row_h, top, bottom, label_w = 30, 10, 52, 300
    height = top + row_h * max(len(entries), 1) + bottom
    out = [svg_open(width, height, title, "aiceberg-compare")]
    if not values:
        out.append(f'<text x="10" y="30" font-size="13" fill="{INK}">–</text></svg>')
        return "".join(out)
    lo_e = math.floor(math.log10(min(values)))
    hi_e = math.ceil(math.log10(max(values)))
    if hi_e == lo_e:
        hi_e += 1
    x0, x1 = label_w, width - 24

    def sx(v: float) -> float:
        v = max(v, 10.0 ** lo_e)
        return x0 + (x1 - x0) * (math.log10(v) - lo_e) / (hi_e - lo_e)

    y_axis = top + row_h * len(entries)
    step = max(1, math.ceil((hi_e - lo_e) / 8))
    for k in range(lo_e, hi_e + 1):
        gx = sx(10.0 ** k)
        out.append(f'<line x1="{gx:.1f}" y1="{top}" x2="{gx:.1f}" y2="{y_axis}" stroke="{GRID}"/>')
        if (k - lo_e) % step == 0:
            out.append(f'<text x="{gx:.1f}" y="{y_axis + 15}" text-anchor="middle" font-size="11" '
                       f'fill="{MUTED}">{escape(_decade_label(k, lang))}</text>')
    for i, e in enumerate(entries):
        cy = top + i * row_h + row_h / 2
        colour = "#d9480f" if e.highlight else "#1f5f8b"
        weight = ' font-weight="700"' if e.highlight else ""
        if e.highlight:
            out.append(f'<rect x="2" y="{cy - row_h / 2 + 2:.1f}" width="{width - 4}" height="{row_h - 4}" '
                       'rx="4" fill="#fff1e6"/>')
        hover = f"{colon(e.label, lang)} {N.co2e(e.complete.central, lang)}"
        if e.published:
            hover += f" ({t('report.published_value', lang, value=N.co2e(e.published, lang))})"
        out.append(f'<g class="entry" data-key="{escape(e.key, quote=True)}"><title>{escape(hover)}</title>')
        out.append(f'<text x="{x0 - 10}" y="{cy + 4:.1f}" text-anchor="end" font-size="12" fill="{INK}"'
                   f'{weight}>{escape(shorten(e.label, 42))}</text>')
        q = e.complete
        if not q.is_exact:
            out.append(f'<line x1="{sx(q.low):.1f}" y1="{cy:.1f}" x2="{sx(q.high):.1f}" y2="{cy:.1f}" '
                       f'stroke="{colour}" stroke-width="3" stroke-linecap="round" opacity="0.45"/>')
        out.append(f'<circle cx="{sx(q.central):.1f}" cy="{cy:.1f}" r="5.5" fill="{colour}"/>')
        if e.published:
            px = sx(e.published)
            out.append(f'<path d="M{px:.1f},{cy - 6:.1f}L{px + 6:.1f},{cy:.1f}L{px:.1f},{cy + 6:.1f}'
                       f'L{px - 6:.1f},{cy:.1f}Z" fill="#ffffff" stroke="{INK}" stroke-width="1.4"/>')
        out.append("</g>")
    ly = y_axis + 36
    lc = t("report.legend_complete", lang)
    lp = t("report.legend_published", lang)
    out.append(f'<circle cx="{x0 + 6}" cy="{ly - 4}" r="5" fill="#1f5f8b"/><text x="{x0 + 16}" y="{ly}" '
               f'font-size="11.5" fill="{INK}">{escape(lc)}</text>')
    px = x0 + 250
    out.append(f'<path d="M{px},{ly - 10}L{px + 6},{ly - 4}L{px},{ly + 2}L{px - 6},{ly - 4}Z" fill="#fff" '
               f'stroke="{INK}" stroke-width="1.4"/><text x="{px + 12}" y="{ly}" font-size="11.5" '
               f'fill="{INK}">{escape(lp)}</text>')
    out.append("</svg>")
    return "".join(out)


# -- power over time -----------------------------------------------------------------------------

def power_series(samples: Iterable[Any], channels: Iterable[Any] = ()) -> dict[str, list[tuple[float, float]]]:
    """Power over time per channel, from the store's samples (cumulative joules, or gaps).

    Args:
        samples: objects with ``t_s``, ``channel_id``, ``energy_j`` (cumulative, ``None`` for a gap) and
            ``power_w`` (optional); e.g. ``aiceberg.store.SampleRow``.
        channels: objects with ``channel_id`` and ``label`` (``ChannelRow``), to name the series.

    Returns:
        ``{label: [(t_s, power_w), …]}``: power is the difference of cumulative energy over the
        interval; where there is no counter, the sensor's instantaneous power; a gap breaks nothing
        (the next good reading covers it) and is never a zero.
    """
    names = {getattr(c, "channel_id", None): (getattr(c, "label", "") or getattr(c, "channel_id", ""))
             for c in channels}
    last: dict[str, tuple[float, float]] = {}
    out: dict[str, list[tuple[float, float]]] = {}
    for s in samples:
        cid = s.channel_id
        key = names.get(cid) or cid
        series = out.setdefault(key, [])
        if s.energy_j is not None:
            prev = last.get(cid)
            last[cid] = (s.t_s, s.energy_j)
            if prev is not None and s.t_s > prev[0]:
                series.append((s.t_s, max(s.energy_j - prev[1], 0.0) / (s.t_s - prev[0])))
                continue
        if getattr(s, "power_w", None) is not None:
            series.append((s.t_s, float(s.power_w)))
    return {k: v for k, v in out.items() if v}


def _downsample(points: Sequence[tuple[float, float]], n: int) -> list[tuple[float, float]]:
    if len(points) <= n:
        return list(points)
    size = len(points) / n
    out = []
    for i in range(n):
        chunk = points[int(i * size): max(int((i + 1) * size), int(i * size) + 1)]
        out.append((sum(p[0] for p in chunk) / len(chunk), sum(p[1] for p in chunk) / len(chunk)))
    return out


def _nice_step(span: float, n: int = 5) -> float:
    raw = span / n if span > 0 else 1.0
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag  # pragma: no cover


def power_svg(series: Mapping[str, Sequence[tuple[float, float]]],
              phases: Sequence[tuple[str, float, float | None]] = (), lang: str = "en", *,
              width: int = 720, height: int = 280, max_points: int = 400, title: str | None = None) -> str:
    """Power (W) over time (s or min) per device, with the run's phases as shaded bands.

    ``series`` maps a device label to ``(t_s, power_w)`` points; ``phases`` are ``(name, start_s, end_s)``
    (``end_s`` None: until the end). Each series is averaged down to ``max_points`` to stay light.
    """
    title = title or t("report.chart_power", lang)
    left, right, top, bottom = 58, 16, 26, 58
    pts_all = [p for s in series.values() for p in s]
    out = [svg_open(width, height, title, "aiceberg-power")]
    if not pts_all:
        out.append(f'<text x="10" y="30" font-size="13" fill="{INK}">–</text></svg>')
        return "".join(out)
    t_end = max([p[0] for p in pts_all] + [ph[2] or 0 for ph in phases])
    t_start = min([p[0] for p in pts_all] + [ph[1] for ph in phases] + [0.0])
    pmax = max(p[1] for p in pts_all) or 1.0
    minutes = (t_end - t_start) > 600
    tdiv = 60.0 if minutes else 1.0
    ystep = _nice_step(pmax)
    ytop = math.ceil(pmax / ystep) * ystep
    x0, x1, y0, y1 = left, width - right, height - bottom, top

    def sx(t: float) -> float:
        return x0 + (x1 - x0) * (t - t_start) / ((t_end - t_start) or 1.0)

    def sy(w: float) -> float:
        return y0 - (y0 - y1) * w / ytop

    for i, (name, a, b) in enumerate(phases):
        xa, xb = sx(a), sx(b if b is not None else t_end)
        fill = "#eef4fa" if i % 2 == 0 else "#fbf3e6"
        out.append(f'<g class="phase"><title>{escape(name)}</title><rect x="{xa:.1f}" y="{y1}" '
                   f'width="{max(xb - xa, 0.5):.1f}" height="{y0 - y1}" fill="{fill}"/>'
                   f'<line x1="{xa:.1f}" y1="{y1}" x2="{xa:.1f}" y2="{y0}" stroke="#9fb3c8" stroke-dasharray="3 3"/>'
                   f'<text x="{xa + 4:.1f}" y="{y1 - 8}" font-size="11.5" fill="{MUTED}">'
                   f'{escape(shorten(name, max(int((xb - xa) / 6.5), 3)))}</text></g>')
    v = 0.0
    while v <= ytop + 1e-9:
        gy = sy(v)
        out.append(f'<line x1="{x0}" y1="{gy:.1f}" x2="{x1}" y2="{gy:.1f}" stroke="{GRID}"/>'
                   f'<text x="{x0 - 6}" y="{gy + 4:.1f}" text-anchor="end" font-size="11" fill="{MUTED}">'
                   f'{escape(N.number(v, lang))}</text>')
        v += ystep
    tstep = _nice_step((t_end - t_start) / tdiv, 6)
    tv = math.ceil(t_start / tdiv / tstep) * tstep
    while tv <= t_end / tdiv + 1e-9:
        gx = sx(tv * tdiv)
        out.append(f'<text x="{gx:.1f}" y="{y0 + 15}" text-anchor="middle" font-size="11" fill="{MUTED}">'
                   f'{escape(N.number(tv, lang))}</text>')
        tv += tstep
    out.append(f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="{INK}"/>')
    unit_t = t("report.axis_time_min" if minutes else "report.axis_time_s", lang)
    out.append(f'<text x="{(x0 + x1) / 2:.1f}" y="{y0 + 32}" text-anchor="middle" font-size="11.5" '
               f'fill="{INK}">{escape(unit_t)}</text>')
    out.append(f'<text x="14" y="{(y0 + y1) / 2:.1f}" transform="rotate(-90 14 {(y0 + y1) / 2:.1f})" '
               f'text-anchor="middle" font-size="11.5" fill="{INK}">W</text>')
    lx = x0
    for i, (name, pts) in enumerate(series.items()):
        colour = _PALETTE[i % len(_PALETTE)]
        d = " ".join(f"{sx(t):.1f},{sy(w):.1f}" for t, w in _downsample(sorted(pts), max_points))
        out.append(f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="1.8" '
                   f'stroke-linejoin="round" class="series"><title>{escape(name)}</title></polyline>')
        out.append(f'<rect x="{lx}" y="{height - 14}" width="14" height="4" fill="{colour}"/>'
                   f'<text x="{lx + 18}" y="{height - 8}" font-size="11.5" fill="{INK}">'
                   f'{escape(shorten(name, 28))}</text>')
        lx += 28 + 7 * min(len(name), 28)
    out.append("</svg>")
    return "".join(out)
