"""Numbers for people, in English and French: the one formatting policy of the project.

Every number a person reads (CLI, reports, web, catalog messages) is written by this module:

* **no scientific notation** in text meant for people: ``0.000219`` kWh is written ``0.219 Wh``, and a
  count of ``1.08e6`` is ``1,080,000``;
* **significant digits chosen for the magnitude and the range**: three by default, more when the low,
  central and high values of a range would otherwise read the same;
* **SI prefixes** for the project's units: energy (mWh, Wh, kWh, MWh, GWh, TWh), mass (pg, ng, µg, mg, g,
  kg, t, kt, Mt: a request's abiotic depletion of 4.05e-14 kg Sb eq reads "40.5 pg Sb eq"), power (mW, W,
  kW, MW), data (kB, MB, GB, TB), operations (TFLOP … ZFLOP), primary energy (J … PJ) and water (mL, L, m³);
* **a total and its range in one unit**: ``0.293 Wh (0.204 – 0.463 Wh)``, never ``0.293 Wh (0.000204 –
  0.000463 kWh)``;
* **published figures exactly as published** (:func:`exact`): ``24,690``, not ``24,700``;
* **each language's typography**: ``1,234.5`` in English, ``1 234,5`` in French (decimal comma, narrow
  no-break space U+202F between thousands and before ``%``).

The API is small: :func:`number`, :func:`exact`, :func:`percent`, :func:`quantity` (a value or a ``Q``
with a unit), with :func:`energy`, :func:`mass`, :func:`co2e`, :func:`power` for the project's canonical
units (kWh, kg, W), :func:`span` for a range alone and :func:`duration` for seconds. :class:`Amount` is a
value with its unit to pass as a catalog parameter: the catalog writes it with :func:`quantity` in the
reader's language.

This module sits below every layer (it imports nothing of the project): a ``Q`` is recognised by its
``low``/``central``/``high`` attributes.
"""

from __future__ import annotations

import math

TYPE_CHECKING = False  # `typing` costs ~10 ms at import; the catalog imports this module
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "NNBSP",
    "Amount",
    "co2e",
    "duration",
    "energy",
    "exact",
    "mass",
    "number",
    "percent",
    "plain",
    "power",
    "quantity",
    "scaled",
    "span",
]

#: U+202F NARROW NO-BREAK SPACE: French thousands separator, and the space before ``: ; ? ! %``.
NNBSP = "\u202f"
#: The dash between the ends of a range (with a space on each side).
DASH = "–"
#: Most significant digits the policy ever shows (a range that needs more is shown at this precision).
MAX_SIG = 6

# unit family: (base symbol, its prefixed symbols with their factor relative to the base)
_FAMILIES: dict[str, tuple[tuple[str, float], ...]] = {
    "Wh": (("mWh", 1e-3), ("Wh", 1.0), ("kWh", 1e3), ("MWh", 1e6), ("GWh", 1e9), ("TWh", 1e12)),
    "g": (("pg", 1e-12), ("ng", 1e-9), ("µg", 1e-6), ("mg", 1e-3), ("g", 1.0), ("kg", 1e3), ("t", 1e6), ("kt", 1e9),
          ("Mt", 1e12)),
    "W": (("mW", 1e-3), ("W", 1.0), ("kW", 1e3), ("MW", 1e6), ("GW", 1e9)),
    "B": (("kB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("PB", 1e15)),
    "FLOP": (("FLOP", 1.0), ("kFLOP", 1e3), ("MFLOP", 1e6), ("GFLOP", 1e9), ("TFLOP", 1e12), ("PFLOP", 1e15),
             ("EFLOP", 1e18), ("ZFLOP", 1e21), ("YFLOP", 1e24)),
    # primary energy and water (the engine's other criteria)
    "J": (("J", 1.0), ("kJ", 1e3), ("MJ", 1e6), ("GJ", 1e9), ("TJ", 1e12), ("PJ", 1e15)),
    # no "thousand m³" (words in a unit would stay English in French text): 12,300 m³ reads as well
    "L": (("mL", 1e-3), ("L", 1.0), ("m³", 1e3)),
}
# a unit as written by the code → (family, its factor relative to the family's base)
_UNITS: dict[str, tuple[str, float]] = {sym: (fam, f) for fam, rows in _FAMILIES.items() for sym, f in rows}


#: Each language's typography: (thousands separator, decimal mark, space before %).
TYPOGRAPHY: dict[str, tuple[str, str, str]] = {
    "en": (",", ".", " "),
    "fr": (NNBSP, ",", NNBSP),
}


def _localise(text: str, lang: str) -> str:
    """``1,234.5`` (as Python writes it) in the language's typography: ``1 234,5`` in French."""
    thousands, decimal, _ = TYPOGRAPHY.get(lang, TYPOGRAPHY["en"])
    return text.replace(",", "\x00").replace(".", decimal).replace("\x00", thousands)


def _decimals(x: float, sig: int) -> int:
    """How many decimals show ``sig`` significant digits of ``x`` (0 for numbers of ``sig`` digits or more)."""
    if x == 0:
        return 0
    return max(sig - 1 - math.floor(math.log10(abs(x))), 0)


def _rounded(x: float, sig: int) -> float:
    """``x`` rounded to ``sig`` significant digits (the integer part too: 1,082,990 → 1,080,000)."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, sig - 1 - math.floor(math.log10(abs(x))))


def _text(x: float, sig: int) -> str:
    """``x`` at ``sig`` significant digits, without the zeros that end a decimal part (``1.50`` → ``1.5``)."""
    r = _rounded(x, sig)
    text = f"{r:,.{_decimals(r, sig)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _special(x: float) -> str | None:
    if math.isnan(x):
        return DASH
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    return None


def number(x: float, lang: str = "en", sig: int = 3) -> str:
    """``x`` to ``sig`` significant digits with the language's separators: ``1,080,000``, ``0.000219``."""
    x = float(x)
    special = _special(x)
    if special is not None:
        return special
    return _localise(_text(x, sig), lang)


def plain(x: float, lang: str = "en", sig: int = 3) -> str:
    """``x`` for a sentence: a whole number in full (a count: ``230,768``), others as :func:`number`."""
    if isinstance(x, int) or (math.isfinite(x) and x == int(x) and abs(x) < 1e15):
        return _localise(f"{int(x):,}", lang)
    return number(x, lang, sig)


def exact(x: float, lang: str = "en") -> str:
    """A published figure as published: every digit it has, no rounding, no exponent (``44,347,000``)."""
    x = float(x)
    special = _special(x)
    if special is not None:
        return special
    if x == int(x) and abs(x) < 1e18:
        return _localise(f"{int(x):,}", lang)
    text = repr(x)  # the shortest text that reads back as x: its published digits
    if "e" in text or "E" in text:
        from decimal import Decimal  # only for the rare published figure below 1e-4

        text = format(Decimal(text), "f")
    whole, _, frac = text.partition(".")
    return _localise(f"{int(whole):,}" + ("." + frac if frac else "") if whole != "-0" else "-0." + frac, lang)


def percent(pct: float, lang: str = "en", sig: int = 2, *, signed: bool = False) -> str:
    """A percentage (``pct`` already × 100): ``12 %``, ``0.35 %``, ``< 0.1 %``, ``100 %``; ``signed``
    for a deviation, to two decimals (``+0.06 %``, ``-0.11 %``, ``+12.50 %``)."""
    space = TYPOGRAPHY.get(lang, TYPOGRAPHY["en"])[2]
    if signed:
        sign = "+" if pct >= 0 else "-"
        return f"{sign}{_localise(f'{abs(pct):,.2f}', lang)}{space}%"
    if 0 < pct < 0.1:
        return f"< {_localise('0.1', lang)}{space}%"
    if 99.5 <= pct <= 100.0:
        return f"100{space}%"
    return f"{number(pct, lang, sig if pct < 100 else 3)}{space}%"


def _is_range(q: Any) -> bool:
    return all(hasattr(q, a) for a in ("low", "central", "high"))


def _split(unit: str) -> tuple[str, str]:
    """A unit as the code writes it → (its prefixed symbol, what follows): ``kgCO2e`` → (``kg``, ``CO2e``).

    Only plain units of the project's families are scaled (``kWh``, ``kg CO2e``, ``kgCO2e``, ``W``, ``GB``);
    a compound unit (``kWh/GB``, ``gCO2e/kWh``) is written as it is.
    """
    if unit in _UNITS:
        return unit, ""
    head, sep, tail = unit.partition(" ")
    if sep and head in _UNITS and "/" not in tail:
        return head, tail
    if unit.endswith("CO2e") and unit[:-4] in _UNITS and _UNITS[unit[:-4]][0] == "g":
        return unit[:-4], "CO2e"
    return unit, ""


def scaled(value: float, unit: str, *, anchor: float | None = None) -> tuple[float, str]:
    """``value`` in ``unit``, moved to the SI prefix that suits ``anchor`` (default: the value itself).

    ``scaled(0.000219, "kWh")`` → ``(0.219, "Wh")``; units outside the project's families come back as
    they are. The prefix is the largest one under which ``anchor`` is at least 1 (the smallest one for
    tinier values), so a total and its range share the prefix chosen for the total.
    """
    sym, tail = _split(unit)
    if sym not in _UNITS or not (anchor if anchor is not None else value):
        return value, unit  # nothing to scale, or zero: written in the unit given
    family, factor = _UNITS[sym]
    base_value = value * factor
    ref = abs((value if anchor is None else anchor) * factor)
    rows = _FAMILIES[family]
    chosen = rows[0]
    for row in rows:
        # the base unit and the prefixes below it hold down to a tenth: 0.293 Wh, 0.734 mg, but 56.7 mWh
        threshold = 0.1 * row[1] if row[1] <= 1.0 and row is not rows[0] else row[1]
        if ref >= threshold * (1 - 1e-12):
            chosen = row
    new_sym, new_factor = chosen
    return base_value / new_factor, new_sym + (" " + tail if tail else "")


def _distinct_sig(values: list[float], sig: int) -> int:
    """At least ``sig`` digits, more (up to :data:`MAX_SIG`) until distinct values read differently."""
    distinct = sorted(set(values))
    while sig < MAX_SIG and len({_text(v, sig) for v in distinct}) < len(distinct):
        sig += 1
    return sig


def quantity(q: Any, unit: str, lang: str = "en", sig: int = 3, *, with_range: bool = True) -> str:
    """A value (or a ``Q``) with its unit, at the SI prefix that suits it, and its range in the same unit.

    ``quantity(Q(0.000293, 0.000204, 0.000463), "kWh")`` → ``0.293 Wh (0.204 – 0.463 Wh)``.
    """
    if _is_range(q):
        central, low, high = float(q.central), float(q.low), float(q.high)
    else:
        central = low = high = float(q)
    if unit == "%":
        return percent(central, lang, sig)
    if not math.isfinite(central):
        return f"{number(central, lang)} {unit}"
    anchor = central or high
    c, u = scaled(central, unit, anchor=anchor)
    if not with_range or low == high == central:
        return f"{number(c, lang, sig)} {u}".rstrip()
    lo, _ = scaled(low, unit, anchor=anchor)
    hi, _ = scaled(high, unit, anchor=anchor)
    s = _distinct_sig([lo, c, hi], sig)
    if _text(lo, s) == _text(hi, s):  # a range that reads as one value (rounding noise) is no range
        return f"{number(c, lang, sig)} {u}".rstrip()
    return f"{number(c, lang, s)} {u} ({number(lo, lang, s)} {DASH} {number(hi, lang, s)} {u})".replace(" )", ")")


def span(q: Any, unit: str = "", lang: str = "en", sig: int = 3) -> str:
    """The range of ``q`` alone, in the unit that suits its central value: ``0.204 – 0.463 Wh``.

    An exact quantity (low = high) gives an empty string: there is no range to show.
    """
    central, low, high = float(q.central), float(q.low), float(q.high)
    if low == high:
        return ""
    anchor = central or high
    c, u = scaled(central, unit, anchor=anchor)
    lo, _ = scaled(low, unit, anchor=anchor)
    hi, _ = scaled(high, unit, anchor=anchor)
    s = _distinct_sig([lo, c, hi], sig)
    if _text(lo, s) == _text(hi, s):  # rounding noise around one value: no range to show
        return ""
    return f"{number(lo, lang, s)} {DASH} {number(hi, lang, s)} {u}".rstrip()


def energy(kwh: Any, lang: str = "en", sig: int = 3, *, with_range: bool = False) -> str:
    """Electricity given in kWh (a value or a ``Q``), at its SI prefix: ``219 Wh``, ``179 GWh``."""
    return quantity(kwh, "kWh", lang, sig, with_range=with_range)


def mass(kg: Any, lang: str = "en", sig: int = 3, *, with_range: bool = False) -> str:
    """A mass given in kg, at its prefix: ``442 mg``, ``12.3 t``."""
    return quantity(kg, "kg", lang, sig, with_range=with_range)


def co2e(kg: Any, lang: str = "en", sig: int = 3, *, with_range: bool = False) -> str:
    """Emissions given in kgCO2e: ``12.3 t CO2e`` (with the range in the same unit when asked)."""
    return quantity(kg, "kg CO2e", lang, sig, with_range=with_range)


def power(w: Any, lang: str = "en", sig: int = 3, *, with_range: bool = False) -> str:
    """A power given in W: ``350 W``, ``1.2 kW``."""
    return quantity(w, "W", lang, sig, with_range=with_range)


def duration(seconds: float, lang: str = "en") -> str:
    """Seconds for people: ``42.5 s``, ``12.5 min``, ``3.25 h``, ``2.5 d`` (SI symbols, the same in French)."""
    s = float(seconds)
    special = _special(s)
    if special is not None:
        return special
    if s < 120:
        return f"{number(s, lang)} s"
    if s < 7200:
        return f"{number(s / 60, lang)} min"
    if s < 3 * 86400:
        return f"{number(s / 3600, lang)} h"
    return f"{number(s / 86400, lang)} d"


class Amount:
    """A value (or a ``Q``) with its unit, for a catalog message: written with :func:`quantity` when rendered.

    ``Amount(0.000219, "kWh")`` as a message parameter reads ``0.219 Wh`` in English and ``0,219 Wh`` in
    French. ``str(amount)`` is the English text.
    """

    __slots__ = ("sig", "unit", "value", "with_range")

    def __init__(self, value: Any, unit: str, *, sig: int = 3, with_range: bool = False) -> None:
        self.value = value
        self.unit = unit
        self.sig = sig
        self.with_range = with_range

    def render(self, lang: str = "en") -> str:
        return quantity(self.value, self.unit, lang, self.sig, with_range=self.with_range)

    def __str__(self) -> str:
        return self.render("en")

    def __repr__(self) -> str:
        return f"Amount({self.value!r}, {self.unit!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Amount):
            return NotImplemented
        return (self.value, self.unit, self.sig, self.with_range) == (other.value, other.unit, other.sig,
                                                                       other.with_range)

    def __hash__(self) -> int:
        return hash((repr(self.value), self.unit, self.sig, self.with_range))
