"""Formatting shared by the HTML and Markdown reports (numbers, ranges, shares, cells)."""

from __future__ import annotations

import re

from aiceberg import __version__
from aiceberg.explain.i18n import fmt_energy_kwh, fmt_mass_kg, fmt_number
from aiceberg.model.quantity import Q

__all__ = ["anchor", "energy", "mass", "mass_range", "num_range", "pct", "version"]


def mass(q: Q, lang: str) -> str:
    return fmt_mass_kg(q.central, lang)


def mass_range(q: Q, lang: str) -> str:
    if q.is_exact:
        return ""
    return f"{fmt_mass_kg(q.low, lang)} – {fmt_mass_kg(q.high, lang)}"


def energy(q: Q, lang: str) -> str:
    return fmt_energy_kwh(q.central, lang) if q.central else "–"


def num_range(q: Q, lang: str) -> str:
    if q.is_exact:
        return ""
    return f"{fmt_number(q.low, lang)} – {fmt_number(q.high, lang)}"


def pct(x: float, total: float, lang: str) -> str:
    if not total:
        return ""
    v = x / total * 100
    if 0 < v < 0.1:
        return "< 0,1 %" if lang == "fr" else "< 0.1 %"
    return f"{fmt_number(v, lang, 2)} %"


def anchor(source_id: str) -> str:
    """A safe HTML id for a source id."""
    return "src-" + re.sub(r"[^A-Za-z0-9_.-]+", "-", source_id)


def version() -> str:
    return str(__version__)
