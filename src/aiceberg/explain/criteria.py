"""More than carbon, and the SCI, in words: the rows the text output and the reports show.

:func:`criteria_rows` gives, for each criterion of the footprint (carbon, primary energy, abiotic
depletion, water), its total with its range, and whether it is complete — or the parts that have no factor
for it (counted as "not assessed", never as 0). :func:`sci_rows` gives the Software Carbon Intensity with
what it is made of and its boundary. The renderers (``explain/render.py``, ``explain/report/html.py`` and
``markdown.py``) lay them out; the numbers follow the one number policy.
"""

from __future__ import annotations

from typing import Any

from aiceberg.i18n import has, t
from aiceberg.i18n import numbers as N
from aiceberg.model.footprint import CRITERIA, Footprint

__all__ = ["DISPLAY_UNITS", "criteria_lines", "criteria_rows", "sci_lines", "sci_rows"]

#: How each criterion's unit is written for people (the number policy picks the prefix).
DISPLAY_UNITS = {"gwp": "kg CO2e", "pe": "MJ", "adpe": "kg Sb eq", "water": "L"}


def _part_names(names: Any, lang: str) -> str:
    """The parts' labels (as ``render.part_label`` writes them: ``part.<name>``, else the name)."""
    return ", ".join(t(f"part.{n}", lang) if has(f"part.{n}") else n for n in names)


def criteria_rows(fp: Footprint, lang: str = "en") -> list[tuple[str, str, str]]:
    """``(criterion, total with its range, completeness)`` for each criterion, in the reader's language."""
    rows = []
    for c in CRITERIA:
        missing = fp.not_assessed_by(c)
        label = t(f"engine.criterion.{c}", lang)
        if len(missing) == len(fp.parts):
            rows.append((label, "–", t("engine.criterion.none", lang)))
            continue
        total = N.quantity(fp.impact(c), DISPLAY_UNITS[c], lang)
        done = t("engine.criterion.complete", lang) if not missing else \
            t("engine.criterion.incomplete", lang, parts=_part_names(missing, lang))
        rows.append((label, total, done))
    return rows


def sci_rows(fp: Footprint, lang: str = "en") -> list[tuple[str, str]]:
    """The SCI's figure and what it is made of, ``(label, value)``, in the reader's language."""
    s = fp.sci()
    d = s.to_dict(lang)
    unit = t(f"engine.sci.unit.{s.unit}", lang) if _known_unit(s.unit) else s.unit
    return [
        (t("engine.sci.value", lang), t("engine.sci.per", lang, value=N.quantity(s.value, "g CO2e", lang), unit=unit)),
        (t("engine.sci.r", lang), f"{N.number(s.r.central, lang)} × {unit}"),
        (t("engine.sci.e", lang), N.quantity(s.energy_kwh, "kWh", lang)),
        (t("engine.sci.i", lang), N.quantity(s.intensity_g_per_kwh, "gCO2e/kWh", lang)),
        (t("engine.sci.m", lang), N.quantity(s.embodied_g, "g CO2e", lang)),
        (t("engine.sci.boundary", lang), t("detail.named", lang, name=t(f"engine.sci.name.{s.boundary}", lang),
                                           text=d["boundary_description"])),
        (t("engine.sci.excludes", lang), ", ".join(d["excludes"]) or "–"),
    ]


def _known_unit(unit: str) -> bool:
    return has(f"engine.sci.unit.{unit}")


def criteria_lines(fp: Footprint, lang: str = "en") -> list[str]:
    """The criteria as lines of plain text (the text output of ``aiceberg estimate``)."""
    rows = criteria_rows(fp, lang)
    width = max(len(r[0]) for r in rows)
    return [t("engine.criteria.heading", lang)] + [f"  {a:<{width}}  {b}  ({c})" for a, b, c in rows]


def sci_lines(fp: Footprint, lang: str = "en") -> list[str]:
    """The SCI as plain text: its figure and boundary on one line."""
    s = fp.sci()
    unit = t(f"engine.sci.unit.{s.unit}", lang) if _known_unit(s.unit) else s.unit
    return [t("engine.sci.line", lang, value=N.quantity(s.value, "g CO2e", lang), unit=unit,
              boundary=t(f"engine.sci.name.{s.boundary}", lang))]

