"""Deprecated: the old label table and number helpers, now thin wrappers over the one catalog.

Labels live in ``aiceberg/i18n/messages/labels.toml`` (``part.*``, ``heading.*``, ``status.*``) and numbers
are written by :mod:`aiceberg.i18n.numbers`. These names stay only until their last callers (the web
pages) are converted; new code uses ``aiceberg.i18n.t`` and ``aiceberg.i18n.numbers`` directly.
"""

from __future__ import annotations

from aiceberg.i18n import LANGS, has, t
from aiceberg.i18n import check_lang as _check_lang
from aiceberg.i18n import numbers as N

__all__ = ["LANGS", "check_lang", "fmt_energy_kwh", "fmt_exact", "fmt_mass_kg", "fmt_number", "fmt_range", "label"]


def check_lang(lang: str, field: str = "lang") -> str:
    return _check_lang(lang, field)


def _key(key: str) -> str:
    if key.startswith("status:"):
        return "status." + key.split(":", 1)[1]
    for prefix in ("part.", "heading."):
        if has(prefix + key):
            return prefix + key
    return key


def label(key: str, lang: str = "en") -> str:
    """The label of a part (``gpu.dynamic``), a heading (``energy``) or a status (``status:measured``)."""
    k = _key(key)
    return t(k, lang) if has(k) else key.removeprefix("status:")


def fmt_number(x: float, lang: str = "en", sig: int = 3) -> str:
    return N.number(x, lang, sig)


def fmt_exact(x: float, lang: str = "en") -> str:
    return N.exact(x, lang)


def fmt_range(central: float, low: float, high: float, lang: str = "en") -> str:
    if low == central == high:
        return N.number(central, lang)
    return f"{N.number(low, lang)} – {N.number(high, lang)}"


def fmt_mass_kg(kg: float, lang: str = "en") -> str:
    return N.co2e(kg, lang)


def fmt_energy_kwh(kwh: float, lang: str = "en") -> str:
    return N.energy(kwh, lang)
