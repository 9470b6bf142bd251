"""Uncertain quantities: a central value with a low/high range.

Every number aiceberg computes carries its range. Quantities here are physical amounts that are never
negative (energy, emissions, hours, power, intensities), so interval arithmetic stays simple: a sum
adds the bounds, a product multiplies them (low × low, high × high), a quotient divides the low by the
other's high. Inputs may be given as a number, a ``(low, central, high)`` triple or a ``Q``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from aiceberg.errors import InputError
from aiceberg.i18n import Msg

__all__ = ["Q", "QLike", "as_q"]


@dataclass(frozen=True, slots=True)
class Q:
    """A non-negative quantity ``central`` within ``[low, high]``."""

    central: float
    low: float
    high: float

    def __post_init__(self) -> None:
        # one chained comparison holds exactly when all three are finite, >= 0 and in order (NaN fails it)
        if not 0.0 <= self.low <= self.central <= self.high < math.inf:
            self._refuse()

    def _refuse(self) -> None:
        for v in (self.low, self.central, self.high):
            if not math.isfinite(v) or v < 0:
                raise ValueError(f"a quantity must be finite and >= 0, got {v!r}")
        raise ValueError(f"need low <= central <= high, got {self.low}, {self.central}, {self.high}")

    # construction ------------------------------------------------------------------------------
    @classmethod
    def exact(cls, value: float) -> Q:
        return cls(value, value, value)

    @classmethod
    def around(cls, central: float, rel_low: float, rel_high: float | None = None) -> Q:
        """``central`` with a relative range, e.g. ``Q.around(400, 0.1)`` is 360–400–440."""
        rel_high = rel_low if rel_high is None else rel_high
        return cls(central, central * (1 - rel_low), central * (1 + rel_high))

    @classmethod
    def zero(cls) -> Q:
        return _ZERO

    @classmethod
    def from_row(cls, row: object, column: str = "value", *, rel_range: float | None = None) -> Q:
        """The quantity a reference-data row gives in ``column``, ``column_low`` and ``column_high``.

        A missing bound is the central value; when both are missing and ``rel_range`` is given, the range
        is ``central × (1 ± rel_range)`` (a documented default spread, e.g. ±15 % on a grid intensity).
        """
        central = getattr(row, column)
        if central is None:
            raise ValueError(f"{type(row).__name__} {getattr(row, 'id', '')!r} has no {column}")
        low = getattr(row, f"{column}_low", None)
        high = getattr(row, f"{column}_high", None)
        if low is None and high is None and rel_range is not None:
            return cls.around(central, rel_range)
        return cls(central, central if low is None else low, central if high is None else high)

    # arithmetic --------------------------------------------------------------------------------
    # A number operand is used as ``Q.exact(number)`` would be (the same checks, the same arithmetic), without
    # building that Q: these run tens of times per estimate.
    def __add__(self, other: object) -> Q:
        if isinstance(other, Q):
            return Q(self.central + other.central, self.low + other.low, self.high + other.high)
        v = _scalar(other)
        if v is None:
            return NotImplemented
        return Q(self.central + v, self.low + v, self.high + v)

    __radd__ = __add__

    def __mul__(self, other: object) -> Q:
        if isinstance(other, Q):
            return Q(self.central * other.central, self.low * other.low, self.high * other.high)
        v = _scalar(other)
        if v is None:
            return NotImplemented
        return Q(self.central * v, self.low * v, self.high * v)

    __rmul__ = __mul__

    def __truediv__(self, other: object) -> Q:
        if isinstance(other, Q):
            c, lo, hi = other.central, other.low, other.high
        else:
            v = _scalar(other)
            if v is None:
                return NotImplemented
            c = lo = hi = v
        if lo == 0:
            raise ZeroDivisionError("division by a quantity whose range reaches 0")
        return Q(self.central / c, self.low / hi, self.high / lo)

    def minus(self, other: Q) -> Q:
        """The difference of two quantities, clipped at 0 (used for 'rest of' parts)."""
        c = max(self.central - other.central, 0.0)
        return Q(c, min(max(self.low - other.high, 0.0), c), max(self.high - other.low, c))

    # inspection --------------------------------------------------------------------------------
    @property
    def is_exact(self) -> bool:
        return self.low == self.central == self.high

    def rel_range(self) -> tuple[float, float]:
        """The range as fractions of the central value: ``(-0.1, +0.2)``."""
        if self.central == 0:
            return (0.0, 0.0)
        return (self.low / self.central - 1, self.high / self.central - 1)

    def as_tuple(self) -> tuple[float, float, float]:
        return (self.low, self.central, self.high)

    def __float__(self) -> float:
        return self.central

    def __repr__(self) -> str:
        if self.is_exact:
            return f"Q({self.central:g})"
        return f"Q({self.central:g} [{self.low:g}, {self.high:g}])"


_ZERO = Q(0.0, 0.0, 0.0)

QLike = Q | float | int | tuple[float, float, float]


def _scalar(value: object) -> float | None:
    """A number operand as a float, checked as :meth:`Q.exact` checks it; ``None`` for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    v = float(value)
    if not 0.0 <= v < math.inf:
        Q.exact(v)  # raises its error
    return v


def as_q(value: QLike, field: str = "value", *, allow_zero: bool = True) -> Q:
    """Turn a user's number or ``(low, central, high)`` triple into a ``Q``, or raise ``InputError``.

    Args:
        value: a number, a ``(low, central, high)`` triple, or a ``Q``.
        field: the name reported in the error.
        allow_zero: whether 0 is acceptable (a count of GPUs is not; an idle power may be).
    """
    accepted = Msg("accepted.number_min", op="≥" if allow_zero else ">", low=0)
    if isinstance(value, Q):
        q = value
    elif isinstance(value, bool):
        raise InputError(field, Msg("input.not_a_number", value=value), accepted)
    elif isinstance(value, (int, float)):
        v = float(value)
        if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
            raise InputError(field, Msg("input.out_of_bounds", value=repr(value)), accepted)
        q = Q.exact(v)
    elif isinstance(value, (tuple, list)) and len(value) == 3:
        try:
            lo, c, hi = (float(x) for x in value)
        except (TypeError, ValueError):
            raise InputError(field, Msg("input.not_a_range_of", value=repr(value)), accepted) from None
        if not all(math.isfinite(x) and x >= 0 for x in (lo, c, hi)):
            raise InputError(field, Msg("input.out_of_bounds", value=repr(value)), accepted)
        if not lo <= c <= hi:
            raise InputError(field, Msg("input.range_order_of", low=lo, central=c, high=hi), accepted)
        q = Q(c, lo, hi)
    else:
        raise InputError(field, Msg("input.not_a_number", value=value), accepted)
    if not allow_zero and q.low == 0:
        raise InputError(field, Msg("input.out_of_bounds", value=repr(value)), accepted)
    return q
