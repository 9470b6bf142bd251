"""What the project's SVG pictures share: the frame of a picture, its ink and font, and one palette of
the parts' families for the iceberg, the charts and the reports' tables.

A part belongs to a family by its dotted name (``gpu.dynamic`` → compute, ``embodied.gpu`` → embodied);
each family has one hue, and the further parts of a family are drawn a shade darker.
"""

from __future__ import annotations

from html import escape

__all__ = ["FAMILIES", "FAMILY_COLOURS", "FONT", "GRID", "INK", "MUTED", "family_of", "part_colour", "shorten",
           "svg_open"]

FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'
INK, MUTED, GRID = "#1b2a4a", "#5a6b80", "#dfe6ee"


def svg_open(width: float, height: float, title: str, cls: str) -> str:
    """The opening ``<svg>`` tag of an accessible picture (``role="img"``, its title), up to its content."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{escape(title, quote=True)}" '
            f'class="{cls}" {FONT}><title>{escape(title)}</title>')


def shorten(text: str, n: int) -> str:
    """``text`` cut to ``n`` characters with an ellipsis."""
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


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
