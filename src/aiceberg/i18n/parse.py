"""Numbers and ranges typed by people: one rule per language, shared by the CLI, the web and the settings.

English (``en``)
    ``.`` is the decimal mark. ``,`` only groups thousands, and only as a valid grouping
    (``1,234,567.5``): ``1,5`` is refused with a hint, since in English it is neither 1.5 nor 15.
French (``fr``)
    ``,`` is the decimal mark (``1,5``); ``.`` is read as one too, since French never groups with a dot
    (a text with both is refused). ``,`` never groups.
Both languages
    A space, a no-break space (U+00A0) or a narrow no-break space (U+202F) may group thousands, only as a
    valid grouping (``1 234 567``); ``_`` may separate digits, as in Python (``1_000_000``); an optional
    sign; an exponent ``e``/``E`` (``3.14e23``, ``3,14e23``); ASCII digits only; no ``nan`` or ``inf``;
    at most 64 characters. A range is ``LOW:CENTRAL:HIGH`` (``20:24:30``, ``1,5:2:2,5`` in French), with
    LOW ≤ CENTRAL ≤ HIGH.

The sign is kept: ``-3`` is a number, which the field's bounds then refuse with the accepted values
(``aiceberg.model.inputs``). Errors are the project's :class:`~aiceberg.errors.InputError`, naming the
field the caller gives, with catalog messages (``input.toml``).
"""

from __future__ import annotations

import math
import re

from aiceberg.errors import InputError
from aiceberg.i18n.catalog import LANGS, Msg

__all__ = ["MAX_LENGTH", "RANGE_PATTERN", "parse_number", "parse_number_or_range", "parse_whole"]

#: The longest text read as a number (a longer one is refused before any work).
MAX_LENGTH = 64

#: How a range is written, in both languages.
RANGE_PATTERN = {"en": "LOW:CENTRAL:HIGH", "fr": "BAS:CENTRAL:HAUT"}

_SPACES = (" ", "\u00a0", "\u202f")
_DIGITS = re.compile(r"[0-9]+(?:_[0-9]+)*")
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")  # with the grouping mark made ',' first
_EXPONENT = re.compile(r"[+-]?[0-9]+")


def _lang(lang: str) -> str:
    return lang if lang in LANGS else LANGS[0]


def _accepted(lang: str) -> Msg:
    return Msg(f"accepted.number_{_lang(lang)}")


def _bad(field: str, text: str, lang: str, key: str = "input.not_a_number") -> InputError:
    return InputError(field, Msg(key, value=text), _accepted(lang))


def _mantissa(text: str, lang: str) -> str | None:
    """``text`` (no sign, no exponent) as Python's float syntax, or None when it breaks the language's rule."""
    grouping: tuple[str, ...]
    if lang == "fr":
        if "," in text and "." in text:
            return None
        decimal = "," if "," in text else "."
        grouping = _SPACES
    else:
        decimal, grouping = ".", (",", *_SPACES)
    whole, sep, frac = text.partition(decimal)
    if sep and decimal in frac:
        return None
    marks = {ch for ch in whole if ch in grouping}
    if len(marks) > 1:
        return None
    if marks:
        (mark,) = marks
        if "_" in whole or not _GROUPED.fullmatch(whole.replace(mark, ",")):
            return None
        whole = whole.replace(mark, "")
    if not whole and not frac:
        return None
    for part in (whole, frac):
        if part and not _DIGITS.fullmatch(part):
            return None
    return f"{whole or '0'}.{frac or '0'}".replace("_", "")


def parse_number(text: str, field: str, lang: str = "en") -> float:
    """The number written in ``text`` under ``lang``'s rule (see the module), or ``InputError`` naming ``field``."""
    lang = _lang(lang)
    raw = str(text)
    s = raw.strip()
    if not s:
        raise InputError(field, Msg("input.empty"), _accepted(lang))
    if len(s) > MAX_LENGTH:
        raise InputError(field, Msg("input.too_long", length=MAX_LENGTH), _accepted(lang))
    sign = ""
    if s[0] in "+-":
        sign, s = s[0], s[1:]
    mantissa, e, exponent = s.replace("E", "e").partition("e")
    if e and not _EXPONENT.fullmatch(exponent):
        raise _bad(field, raw.strip(), lang)
    body = _mantissa(mantissa, lang)
    if body is None:
        if lang == "en" and re.fullmatch(r"[0-9]+,[0-9]+", mantissa):
            # "1,5": a decimal comma in English; say which mark to use rather than guess
            raise InputError(field, Msg("input.decimal_comma", value=raw.strip(), dot=mantissa.replace(",", ".")),
                             _accepted(lang))
        raise _bad(field, raw.strip(), lang)
    value = float(f"{sign}{body}e{exponent}" if e else f"{sign}{body}")
    if not math.isfinite(value):
        raise InputError(field, Msg("input.not_finite", value=raw.strip()), _accepted(lang))
    return value


def parse_whole(text: str, field: str, lang: str = "en") -> int:
    """A whole number (``8``, ``1,000``, ``1e6``), or ``InputError``: ``2.5`` is refused, not rounded."""
    value = parse_number(text, field, lang)
    if value != math.floor(value):
        raise InputError(field, Msg("input.not_whole", value=str(text).strip()), Msg("accepted.whole"))
    return int(value)


def parse_number_or_range(text: str, field: str, lang: str = "en") -> float | tuple[float, float, float]:
    """A number, or a range ``LOW:CENTRAL:HIGH`` as the tuple ``(low, central, high)``.

    Raises:
        InputError: not a number, not three numbers, or not ordered LOW ≤ CENTRAL ≤ HIGH.
    """
    lang = _lang(lang)
    parts = str(text).split(":")
    if len(parts) == 1:
        return parse_number(parts[0], field, lang)
    if len(parts) != 3:
        raise InputError(field, Msg("input.not_a_range", value=str(text).strip(), pattern=RANGE_PATTERN[lang]),
                         Msg("accepted.number_or_range", pattern=RANGE_PATTERN[lang]))
    lo, c, hi = (parse_number(p, field, lang) for p in parts)
    if not lo <= c <= hi:
        raise InputError(field, Msg("input.range_order", value=str(text).strip(), pattern=RANGE_PATTERN[lang]),
                         Msg("accepted.number_or_range", pattern=RANGE_PATTERN[lang]))
    return (lo, c, hi)
