"""Formatting shared by the HTML and Markdown reports (numbers, ranges, shares, units, cells).

Every number goes through :mod:`aiceberg.i18n.numbers`: a total and its range in the same unit, no
scientific notation, each language's typography.
"""

from __future__ import annotations

import re

from aiceberg import __version__
from aiceberg.explain.render import deviation, unit_label
from aiceberg.i18n import localise
from aiceberg.i18n import numbers as N
from aiceberg.model.quantity import Q

__all__ = ["anchor", "deviation", "energy", "energy_range", "mass", "mass_range", "num_range", "pct", "text",
           "unit_label", "version"]


def mass(q: Q, lang: str) -> str:
    """The central emissions, at their prefix: ``12.3 t CO2e``."""
    return N.co2e(q.central, lang)


def mass_range(q: Q, lang: str) -> str:
    """The range of emissions in the unit of their central value: ``10 – 20 t CO2e`` (empty when exact)."""
    return N.span(q, "kg CO2e", lang)


def energy(q: Q, lang: str) -> str:
    """The central electricity at its prefix (``828 MWh``), or a dash for a part without electricity."""
    return N.energy(q.central, lang) if q.central else "–"


def energy_range(q: Q, lang: str) -> str:
    """The range of electricity in the unit of its central value (empty when exact)."""
    return N.span(q, "kWh", lang)


def num_range(q: Q, lang: str, unit: str = "") -> str:
    """The range of a number (empty when exact): ``146 – 172``."""
    return N.span(q, unit, lang)


def pct(x: float, total: float, lang: str) -> str:
    """``x`` as a share of ``total``: ``42 %``, ``< 0.1 %``."""
    if not total:
        return ""
    return N.percent(x / total * 100, lang)


def text(value: object, lang: str) -> str:
    """A text that may be a catalog message (rendered in ``lang``) or plain data (as it is)."""
    return localise(value, lang)


def anchor(source_id: str) -> str:
    """A safe HTML id for a source id."""
    return "src-" + re.sub(r"[^A-Za-z0-9_.-]+", "-", source_id)


def version() -> str:
    return str(__version__)
