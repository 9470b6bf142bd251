"""The iceberg picture: one SVG drawn by the project, where every part's AREA is its share of the GWP.

The silhouette is a polygon whose left and right edges are piecewise linear in height. The visible tip
(the compute's own electricity) rises above the waterline; the submerged parts (PUE overhead, idle,
manufacturing, network, devices…) are stacked below it as horizontal bands. Each band's top and bottom
are solved so that the integral of the silhouette's width over the band — which is exactly the area
of the band's polygon — equals the part's share of the total. The whole picture is scaled by one
``(sx, sy)`` pair, and an affine scaling keeps area ratios, so the proportions hold on screen.

Public API (reused by the web app):

* :func:`iceberg_svg` — the SVG string;
* :func:`iceberg_layout` — the geometry (bands with their polygons), for tests and other renderers;
* :func:`family_of` / :data:`FAMILY_COLOURS` — the colour family of a part.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from aiceberg.explain.render import colon, part_label
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

#: Part families, in the order they are stacked from the waterline down.
FAMILIES: tuple[str, ...] = ("compute", "overhead", "idle", "network", "devices", "embodied", "other")

#: Base colour of each family (the tip is ice; below, one hue per family).
FAMILY_COLOURS: dict[str, str] = {
    "compute": "#f7fcff",
    "overhead": "#4fc3c8",
    "idle": "#8ea9e0",
    "network": "#f0b552",
    "devices": "#f08c80",
    "embodied": "#b592e0",
    "other": "#b7c3cf",
}

_FAMILY_PREFIXES: tuple[tuple[str, str], ...] = (
    ("embodied.", "embodied"),
    ("devices", "devices"),
    ("network", "network"),
    ("idle", "idle"),
    ("cooling_overhead", "overhead"),
    ("unmetered", "overhead"),
    ("gpu.", "compute"),
    ("tpu.", "compute"),
    ("cpu.", "compute"),
    ("inference.", "compute"),
    ("ai.", "compute"),
    ("host", "compute"),
    ("memory", "compute"),
)


def family_of(part_name: str) -> str:
    """The colour family of a part name: compute, overhead, idle, network, devices, embodied or other."""
    for prefix, fam in _FAMILY_PREFIXES:
        if part_name.startswith(prefix):
            return fam
    return "other"


def _mix(hex_colour: str, towards: str, t: float) -> str:
    a = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(towards[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))


def part_colour(part_name: str, index_in_family: int = 0, *, visible: bool = False) -> str:
    """The fill colour of a part: its family's colour, a shade darker for each further part of the family."""
    fam = family_of(part_name)
    base = FAMILY_COLOURS[fam]
    if fam == "compute":
        if visible:
            return _mix(base, "#9ccbe8", min(0.22 * index_in_family, 0.8))
        base = "#cfe3f1"  # compute that is not the tip (e.g. host servers): pale ice, under water
    return _mix(base, "#1b2a4a", min(0.18 * index_in_family, 0.6))


# -- geometry ------------------------------------------------------------------------------------

# Submerged silhouette: (depth, left x, right x), depth 0 at the waterline, 1 at the bottom; x in units
# of the picture's shape width.
_BODY: tuple[tuple[float, float, float], ...] = (
    (0.00, -0.47, 0.48),
    (0.10, -0.51, 0.50),
    (0.32, -0.54, 0.51),
    (0.55, -0.48, 0.53),
    (0.76, -0.37, 0.41),
    (0.91, -0.19, 0.22),
    (1.00, -0.04, 0.06),
)
# Tip silhouette: (height as a fraction of the tip's height, left, right) in units of its base width.
_TIP: tuple[tuple[float, float, float], ...] = (
    (0.00, -0.50, 0.50),
    (0.22, -0.43, 0.40),
    (0.45, -0.33, 0.33),
    (0.58, -0.30, 0.19),
    (0.80, -0.12, 0.10),
    (1.00, -0.03, 0.02),
)
_TIP_ASPECT = 0.75  # height / base width of the tip when it is not capped
_TIP_SHIFT = -0.02  # the tip's centre, relative to the body's


def polygon_area(points: Sequence[tuple[float, float]]) -> float:
    """The area of a simple polygon (shoelace formula), always >= 0."""
    s = 0.0
    n = len(points)
    for i in range(n):
        x1, y1 = points[i]
        x2, y2 = points[(i + 1) % n]
        s += x1 * y2 - x2 * y1
    return abs(s) / 2.0


class _Profile:
    """A silhouette with piecewise-linear edges over a coordinate ``s`` in [0, length]."""

    def __init__(self, rows: Sequence[tuple[float, float, float]], s_scale: float, x_scale: float,
                 x_shift: float = 0.0) -> None:
        self.s = [r[0] * s_scale for r in rows]
        self.left = [r[1] * x_scale + x_shift for r in rows]
        self.right = [r[2] * x_scale + x_shift for r in rows]
        self.length = self.s[-1]

    def edges(self, s: float) -> tuple[float, float]:
        for i in range(len(self.s) - 1):
            s0, s1 = self.s[i], self.s[i + 1]
            if s <= s1 or i == len(self.s) - 2:
                t = 0.0 if s1 == s0 else (s - s0) / (s1 - s0)
                return (self.left[i] + (self.left[i + 1] - self.left[i]) * t,
                        self.right[i] + (self.right[i + 1] - self.right[i]) * t)
        return self.left[-1], self.right[-1]  # pragma: no cover

    def width(self, s: float) -> float:
        lo, hi = self.edges(s)
        return hi - lo

    def area(self, a: float = 0.0, b: float | None = None) -> float:
        b = self.length if b is None else b
        pts = [a, *[x for x in self.s if a < x < b], b]
        return sum((pts[i + 1] - pts[i]) * (self.width(pts[i]) + self.width(pts[i + 1])) / 2
                   for i in range(len(pts) - 1))

    def solve(self, start: float, target: float) -> float:
        """The ``s`` beyond ``start`` where the area from ``start`` reaches ``target``."""
        remaining = target
        pos = start
        for i in range(len(self.s) - 1):
            s1 = self.s[i + 1]
            if s1 <= pos:
                continue
            w0 = self.width(pos)
            w1 = self.width(s1)
            seg = (s1 - pos) * (w0 + w1) / 2
            if seg >= remaining:
                k = (w1 - w0) / (s1 - pos) if s1 > pos else 0.0
                if abs(k) < 1e-12:
                    return pos + remaining / w0
                return pos + (-w0 + math.sqrt(max(w0 * w0 + 2 * k * remaining, 0.0))) / k
            remaining -= seg
            pos = s1
        return self.length

    def band(self, a: float, b: float, to_xy) -> list[tuple[float, float]]:
        """The polygon of the band between ``a`` and ``b``, through every breakpoint between them."""
        ss = [a, *[x for x in self.s if a < x < b], b]
        left = [to_xy(self.edges(s)[0], s) for s in ss]
        right = [to_xy(self.edges(s)[1], s) for s in reversed(ss)]
        return left + right


@dataclass(frozen=True)
class Band:
    """One part drawn in the iceberg.

    Attributes:
        part: the part.
        share: its share of the total central GWP (0–1).
        points: the polygon, in SVG pixels.
        anchor: where its leader line starts (right edge, mid-height), in pixels.
        colour: its fill.
        family: its colour family.
    """

    part: Part
    share: float
    points: tuple[tuple[float, float], ...]
    anchor: tuple[float, float]
    colour: str
    family: str

    @property
    def area(self) -> float:
        return polygon_area(self.points)


@dataclass(frozen=True)
class IcebergLayout:
    """The geometry of an iceberg picture, in SVG pixels."""

    width: float
    height: float
    waterline_y: float
    bands: tuple[Band, ...]
    outline: tuple[tuple[float, float], ...]
    label_x: float
    total_co2e_kg: float


def _ordered(fp: Footprint) -> tuple[list[Part], list[Part]]:
    parts = [p for p in fp.parts if p.co2e_kg.central > 0]
    tip = [p for p in parts if p.visible]
    sub = [p for p in parts if not p.visible]
    sub.sort(key=lambda p: FAMILIES.index(family_of(p.name)))  # stable: keeps the footprint's order
    return tip, sub


def iceberg_layout(fp: Footprint, *, width: float = 760, height: float = 520) -> IcebergLayout:
    """Solve the iceberg's geometry: one band per part with a GWP > 0, area ∝ its central share."""
    total = sum(p.co2e_kg.central for p in fp.parts if p.co2e_kg.central > 0)
    tip_parts, sub_parts = _ordered(fp)
    top, bottom = 34.0, 18.0
    avail = height - top - bottom
    min_sky = 0.2 * avail
    sx = 0.40 * width  # pixels per unit of width
    cx = 0.29 * width
    if total <= 0:
        return IcebergLayout(width, height, top + min_sky, (), (), 0.60 * width, 0.0)

    v_share = sum(p.co2e_kg.central for p in tip_parts) / total
    body = _Profile(_BODY, 1.0, 1.0)
    body_area = body.area()
    body_top_width = body.width(0.0)
    tip_unit = _Profile(_TIP, 1.0, 1.0)
    f = tip_unit.area()  # area of a tip of base 1 and height 1
    tip_area = 1.0  # no submerged part: only the tip
    if sub_parts:
        tip_area = body_area * v_share / (1 - v_share) if v_share < 1 else 0.0
    tip_h = tip_b = 0.0
    if tip_parts and tip_area > 0:
        tip_b = math.sqrt(tip_area / (_TIP_ASPECT * f))
        cap = body_top_width * 0.97 if sub_parts else 0.8
        if tip_b > cap:
            tip_b = cap
        tip_h = tip_area / (tip_b * f)
    depth = 1.0 if sub_parts else 0.0
    sy = min(avail / (tip_h + depth), (avail - min_sky) / depth if depth else math.inf)
    waterline = top + avail - depth * sy

    def body_xy(x: float, s: float) -> tuple[float, float]:
        return (cx + x * sx, waterline + s * sy)

    def tip_xy(x: float, s: float) -> tuple[float, float]:
        return (cx + x * sx, waterline - s * sy)

    tip = _Profile(_TIP, tip_h, tip_b, _TIP_SHIFT) if tip_h > 0 else None
    bands: list[Band] = []
    # the tip: stacked from the waterline up
    fam_count: dict[str, int] = {}
    if tip is not None:
        pos = 0.0
        tip_total = sum(p.co2e_kg.central for p in tip_parts)
        for i, p in enumerate(tip_parts):
            end = tip.length if i == len(tip_parts) - 1 else tip.solve(pos, tip.area() * p.co2e_kg.central / tip_total)
            pts = tip.band(pos, end, tip_xy)
            mid = (pos + end) / 2
            anchor = tip_xy(tip.edges(mid)[1], mid)
            fam = family_of(p.name)
            n = fam_count.get(fam + "^", 0)
            fam_count[fam + "^"] = n + 1
            bands.append(Band(p, p.co2e_kg.central / total, tuple(pts), anchor,
                              part_colour(p.name, n, visible=True), fam))
            pos = end
    if sub_parts:
        pos = 0.0
        sub_total = sum(p.co2e_kg.central for p in sub_parts)
        for i, p in enumerate(sub_parts):
            end = body.length if i == len(sub_parts) - 1 else body.solve(pos, body_area * p.co2e_kg.central / sub_total)
            pts = body.band(pos, end, body_xy)
            mid = (pos + end) / 2
            anchor = body_xy(body.edges(mid)[1], mid)
            fam = family_of(p.name)
            n = fam_count.get(fam, 0)
            fam_count[fam] = n + 1
            bands.append(Band(p, p.co2e_kg.central / total, tuple(pts), anchor, part_colour(p.name, n), fam))
            pos = end
    # outline: clockwise around the whole shape
    ol: list[tuple[float, float]] = []
    if tip is not None:
        ol += [tip_xy(tip.left[i], tip.s[i]) for i in range(len(tip.s))]
        ol += [tip_xy(tip.right[i], tip.s[i]) for i in reversed(range(len(tip.s)))]
    if sub_parts:
        ol += [body_xy(body.right[i], body.s[i]) for i in range(len(body.s))]
        ol += [body_xy(body.left[i], body.s[i]) for i in reversed(range(len(body.s)))]
    label_x = cx + 0.56 * sx + 24
    return IcebergLayout(width, height, waterline, tuple(bands), tuple(ol), label_x, total)


# -- drawing -------------------------------------------------------------------------------------

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
