"""The iceberg picture: one SVG drawn by the project, where every part's AREA is its share of the GWP.

The geometry (the silhouette, each part's band solved for its area) is ``iceberg_layout.py``'s, the
families and colours ``svg.py``'s; this module draws them: the bands, the waterline, and the labels
in a column at the right that never overlap.

Public API (reused by the web app):

* :func:`iceberg_svg` — the SVG string;
* :func:`iceberg_layout` — the geometry (bands with their polygons), for tests and other renderers;
* :func:`family_of` / :data:`FAMILY_COLOURS` — the colour family of a part.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from aiceberg.explain.iceberg_layout import Band, IcebergLayout, iceberg_layout, polygon_area
from aiceberg.explain.render import colon, part_label
from aiceberg.explain.svg import FAMILIES, FAMILY_COLOURS, family_of, part_colour
from aiceberg.i18n import numbers as N
from aiceberg.i18n import t as tr
from aiceberg.model.footprint import Footprint, Part

__all__ = [
    "FAMILIES",
    "FAMILY_COLOURS",
    "Band",
    "IcebergLayout",
    "family_of",
    "iceberg_layout",
    "iceberg_svg",
    "part_colour",
    "polygon_area",
]


def _wrap(text: str, width: int) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    if cur:
        lines.append(cur)
    return lines[:3] or [""]


def _pts(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:.2f},{y:.2f}" for x, y in points)


def _share_text(share: float, lang: str) -> str:
    return N.percent(share * 100, lang)


def _range_text(p: Part, lang: str) -> str:
    """The part's range in the unit of its central value (empty when exact)."""
    return N.span(p.co2e_kg, "kg CO2e", lang)


#: Vertical room a label's text takes: lines of the name, lines of the figures, and the gap below.
_NAME_LINE, _DETAIL_LINE, _LABEL_GAP = 15.0, 14.0, 8.0


def _place_labels(desired: Sequence[float], heights: Sequence[float], lo: float, hi: float) -> list[float]:
    """Tops of label blocks near ``desired`` that never overlap, within [lo, hi] when they fit.

    A vertical relaxation: in the order of ``desired``, each block goes down to at least the previous
    block's bottom; if the column then runs past ``hi``, it is pushed back up from the bottom, never above
    ``lo``. Blocks that cannot fit between ``lo`` and ``hi`` run past ``hi`` (the caller grows the canvas).
    The result is in the order of the inputs.
    """
    order = sorted(range(len(desired)), key=lambda i: desired[i])
    ys = [0.0] * len(desired)
    prev = lo
    for i in order:  # push down
        ys[i] = max(desired[i], prev)
        prev = ys[i] + heights[i]
    nxt = hi
    for i in reversed(order):  # push up from the bottom
        ys[i] = min(ys[i], nxt - heights[i])
        nxt = ys[i]
    prev = lo
    for i in order:  # but never above lo: what does not fit runs past hi
        ys[i] = max(ys[i], prev)
        prev = ys[i] + heights[i]
    return ys


def _column_room(heights: Sequence[float], lo: float, hi: float) -> float:
    """How far a column of blocks of ``heights`` overflows [lo, hi] (0 if it fits)."""
    return max(0.0, sum(heights) - (hi - lo))


def iceberg_svg(fp: Footprint, lang: str = "en", *, width: int = 760, height: int = 520,
                id_prefix: str = "ib", title: str | None = None,
                labels: Mapping[str, str] | None = None) -> str:
    """The iceberg of ``fp`` as a standalone SVG string (no script, no external resource).

    The labels sit in a column at the right, each joined to its band by a leader line; they never
    overlap. When a column needs more room than the picture leaves it, the canvas grows (more sky
    above, more sea below), so the SVG can be taller than ``height``; the iceberg keeps its size.

    Args:
        fp: the footprint; parts with a central GWP of 0 are not drawn (they stay in the tables).
        lang: ``en`` or ``fr``.
        width, height: size in pixels of the picture (the SVG scales with its ``viewBox``).
        id_prefix: prefix of the ids inside the SVG, to put several on one page.
        title: the accessible title (default: "The iceberg of this footprint").
        labels: part name → label, for parts whose label is not the catalog's ``part.<name>``.
    """
    t = {k: tr(f"report.iceberg_{k}", lang) for k in ("visible", "submerged", "title", "desc", "empty")}
    lay = iceberg_layout(fp, width=width, height=height)
    names = labels or {}

    def name_of(part_name: str) -> str:
        return names.get(part_name) or part_label(part_name, lang)

    pid = escape(id_prefix, quote=True)
    title_text = title or t["title"]
    vis = sum(b.part.co2e_kg.central for b in lay.bands if b.part.visible)
    sub = lay.total_co2e_kg - vis
    desc = (f"{t['desc']} {colon(t['visible'], lang)} {N.co2e(vis, lang)} "
            f"({_share_text(vis / lay.total_co2e_kg, lang)}); {colon(t['submerged'], lang)} {N.co2e(sub, lang)} "
            f"({_share_text(sub / lay.total_co2e_kg, lang)})." if lay.total_co2e_kg else t["empty"])

    # the labels: their text, then their places (which may grow the canvas: dy more sky, extra more sea)
    chars = max(int((width - lay.label_x - 16) / 8.0), 18)
    blocks = []
    for b in lay.bands:
        p = b.part
        name_lines = _wrap(name_of(p.name), chars)
        detail = f"{N.co2e(p.co2e_kg.central, lang)} · {_share_text(b.share, lang)}"
        rng = _range_text(p, lang)
        lines2 = [detail] + ([tr("report.range_of", lang, range=rng)] if rng else [])
        h = _NAME_LINE * len(name_lines) + _DETAIL_LINE * len(lines2) + _LABEL_GAP
        blocks.append((b, name_lines, lines2, h))
    tip_blocks = [x for x in blocks if x[0].part.visible]
    sub_blocks = [x for x in blocks if not x[0].part.visible]
    wl0 = lay.waterline_y
    tip_lo = 32.0
    dy = _column_room([x[3] for x in tip_blocks], tip_lo, wl0 - 4)
    wl = wl0 + dy
    sub_lo, sub_hi = wl + 34, height + dy - 4
    extra = _column_room([x[3] for x in sub_blocks], sub_lo, sub_hi)
    full_h = height + dy + extra
    placed: list[tuple[tuple[Band, list[str], list[str], float], float]] = []
    for group, lo, hi in ((tip_blocks, tip_lo, wl - 4), (sub_blocks, sub_lo, sub_hi + extra)):
        if group:
            desired = [g[0].anchor[1] + dy - g[3] / 2 + 6 for g in group]
            placed += zip(group, _place_labels(desired, [g[3] for g in group], lo, hi), strict=True)

    def shifted(points: Sequence[tuple[float, float]]) -> str:
        return _pts([(x, y + dy) for x, y in points])

    fh = f"{full_h:.2f}".rstrip("0").rstrip(".")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {fh}" width="{width}" '
        f'height="{fh}" role="img" aria-labelledby="{pid}-title {pid}-desc" class="aiceberg-iceberg" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">',
        f'<title id="{pid}-title">{escape(title_text)}</title>',
        f'<desc id="{pid}-desc">{escape(desc)}</desc>',
        "<defs>",
        f'<linearGradient id="{pid}-sky" x1="0" y1="0" x2="0" y2="1">'
        '<stop offset="0" stop-color="#dff0fb"/><stop offset="1" stop-color="#f7fbfe"/></linearGradient>',
        f'<linearGradient id="{pid}-sea" x1="0" y1="0" x2="0" y2="1">'
        '<stop offset="0" stop-color="#1d6fa5"/><stop offset="1" stop-color="#08223f"/></linearGradient>',
        "</defs>",
        f'<rect x="0" y="0" width="{width}" height="{wl:.2f}" fill="url(#{pid}-sky)"/>',
        f'<rect x="0" y="{wl:.2f}" width="{width}" height="{full_h - wl:.2f}" fill="url(#{pid}-sea)"/>',
    ]
    if not lay.bands:
        out.append(f'<text x="{width / 2}" y="{wl - 12:.1f}" text-anchor="middle" fill="#1b2a4a" '
                   f'font-size="15">{escape(t["empty"])}</text></svg>')
        return "".join(out)
    # the bands
    out.append('<g class="bands" stroke="#ffffff" stroke-width="1" stroke-linejoin="round">')
    for b in lay.bands:
        p = b.part
        rng = _range_text(p, lang)
        hover = f"{colon(name_of(p.name), lang)} {N.co2e(p.co2e_kg.central, lang)} ({_share_text(b.share, lang)})"
        if rng:
            hover += ", " + tr("report.range_of", lang, range=rng)
        out.append(
            f'<polygon points="{shifted(b.points)}" fill="{b.colour}" data-part="{escape(p.name, quote=True)}" '
            f'data-share="{b.share:.6f}" class="band fam-{b.family}"><title>{escape(hover)}</title></polygon>'
        )
    out.append("</g>")
    out.append(f'<polygon points="{shifted(lay.outline)}" fill="none" stroke="#2d5d86" stroke-width="1.6" '
               'stroke-linejoin="round" class="outline"/>')
    # the waterline: a light wave across the picture, over the ice
    waves = []
    step = 24
    x = 0.0
    waves.append(f"M0,{wl:.2f}")
    while x < width:
        waves.append(f"q{step / 4:.1f},-3 {step / 2:.1f},0 t{step / 2:.1f},0")
        x += step
    out.append(f'<path d="{" ".join(waves)}" fill="none" stroke="#bfe3f7" stroke-width="2" opacity="0.9"/>')
    out.append(f'<rect x="0" y="{wl:.2f}" width="{width}" height="6" fill="#ffffff" opacity="0.18"/>')
    # the split: headings of the label column, one above and one below the waterline
    tv = f"▲ {colon(t['visible'], lang)} {N.co2e(vis, lang)} · {_share_text(vis / lay.total_co2e_kg, lang)}"
    ts = f"▼ {colon(t['submerged'], lang)} {N.co2e(sub, lang)} · {_share_text(sub / lay.total_co2e_kg, lang)}"
    out.append(f'<text x="{lay.label_x - 1:.1f}" y="22" font-size="14" font-weight="700" fill="#12324f" '
               f'class="split-visible">{escape(tv)}</text>')
    out.append(f'<text x="{lay.label_x - 1:.1f}" y="{wl + 24:.1f}" font-size="14" font-weight="700" '
               f'fill="#ffffff" class="split-submerged">{escape(ts)}</text>')
    # the labels, in a column at the right, with leader lines from the bands
    for (b, name_lines, lines2, h), y in placed:
        under = not b.part.visible
        fill = "#ffffff" if under else "#12324f"
        halo = "#0b2f52" if under else "#f3f9fd"
        ax, ay = b.anchor[0], b.anchor[1] + dy
        ty = y + 12
        out.append(f'<path d="M{ax:.1f},{ay:.1f} L{lay.label_x - 14:.1f},{ty - 4:.1f} L{lay.label_x - 4:.1f},'
                   f'{ty - 4:.1f}" fill="none" stroke="{fill}" stroke-width="1" opacity="0.75" class="leader"/>')
        out.append(f'<circle cx="{ax:.1f}" cy="{ay:.1f}" r="2.5" fill="{fill}"/>')
        out.append(f'<rect x="{lay.label_x - 1:.1f}" y="{ty - 11:.1f}" width="9" height="9" rx="2" '
                   f'fill="{b.colour}" stroke="{fill}" stroke-width="0.8"/>')
        out.append(f'<g class="label" data-part="{escape(b.part.name, quote=True)}" data-y="{y:.1f}" '
                   f'data-h="{h - _LABEL_GAP:.1f}" fill="{fill}" '
                   f'stroke="{halo}" stroke-width="3" paint-order="stroke" stroke-linejoin="round">')
        yy = ty
        for line in name_lines:
            out.append(f'<text x="{lay.label_x + 13:.1f}" y="{yy:.1f}" font-size="13" font-weight="700">'
                       f'{escape(line)}</text>')
            yy += _NAME_LINE
        for line in lines2:
            out.append(f'<text x="{lay.label_x + 13:.1f}" y="{yy:.1f}" font-size="12">{escape(line)}</text>')
            yy += _DETAIL_LINE
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)
