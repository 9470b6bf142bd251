"""The iceberg's geometry: where each part's band lies, its AREA its share of the GWP.

The silhouette is a polygon whose left and right edges are piecewise linear in height. The visible tip
(the compute's own electricity) rises above the waterline; the submerged parts (PUE overhead, idle,
manufacturing, network, devices…) are stacked below it as horizontal bands, in the order of
:data:`~aiceberg.explain.svg.FAMILIES`. Each band's top and bottom are solved so that the integral
of the silhouette's width over the band — which is exactly the area of the band's polygon — equals the
part's share of the total. The whole picture is scaled by one ``(sx, sy)`` pair, and an affine scaling
keeps area ratios, so the proportions hold on screen. ``iceberg.py`` draws it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from aiceberg.explain.svg import FAMILIES, family_of, part_colour
from aiceberg.model.footprint import Footprint, Part

__all__ = ["Band", "IcebergLayout", "iceberg_layout", "polygon_area"]

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
