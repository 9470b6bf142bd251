"""The one table of bounds on the engine's numeric inputs, and the checks that apply it.

Every numeric input of the estimates has a sane range here, named by its Python API name (``hours``,
``wh_per_request``). The engine checks each value it is given against it, so the Python API, the
command line and the web refuse the same values with the same words; the web's forms and OpenAPI
document draw their limits from it (:func:`bound_kwargs`).

The limits are wide enough for any real workload (ten million hours, 10³² FLOPs, a PUE of 10) and
narrow enough that no combination of them overflows a float or prints a 300-digit number. Where a value
divides (MFU, lifetime, utilisation, tokens per second), its lower limit keeps the quotient finite.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from aiceberg.errors import InputError
from aiceberg.i18n import Msg
from aiceberg.model.quantity import Q, QLike

__all__ = ["BOUNDS", "Bound", "bound_kwargs", "check_q", "check_whole", "refuse_unused"]


@dataclass(frozen=True)
class Bound:
    """The accepted values of one input: ``minimum`` < value (≤ when ``inclusive``) ≤ ``maximum``.

    ``whole``: a count (requests, devices, users), refused when it has a fractional part.
    """

    minimum: float
    maximum: float
    inclusive: bool = False
    whole: bool = False
    unit: str = ""

    def contains(self, value: float) -> bool:
        low_ok = value >= self.minimum if self.inclusive else value > self.minimum
        return math.isfinite(value) and low_ok and value <= self.maximum and (
            not self.whole or value == math.floor(value))

    def accepted(self) -> Msg:
        """``a number > 0 and ≤ 10,000,000`` (or ``a whole number ≥ 1 …``), as a catalog message."""
        key = "accepted.whole_between" if self.whole else "accepted.number_between"
        op = "≥" if self.inclusive else ">"
        return Msg(key, op=op, low=_readable(self.minimum), high=_readable(self.maximum))


def _readable(x: float) -> float | str:
    """A limit for a sentence: a large power of ten as ``10⁷``, else the number (the catalog formats it)."""
    if x >= 1e7:
        exponent = round(math.log10(x))
        if 10.0 ** exponent == x:
            return "10" + str(exponent).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return int(x) if x == int(x) else x


_B = Bound
#: API name → its bound. Units as in the API's names (hours in h, powers in W, intensity in gCO2e/kWh…).
BOUNDS: Mapping[str, Bound] = MappingProxyType({
    # training
    "count": _B(1, 1e7, inclusive=True, whole=True, unit="device"),
    "devices_per_server": _B(1, 1024, inclusive=True, whole=True, unit="device"),
    "hours": _B(0, 1e7, unit="h"),
    "gpu_hours": _B(0, 1e12, unit="h"),
    "flops": _B(0, 1e32, unit="FLOP"),
    "mfu": _B(0.001, 1, inclusive=True, unit="1"),
    "power_w": _B(0, 1e5, unit="W"),
    "host_power_w": _B(0, 1e5, unit="W"),
    "memory_gb": _B(0, 1e9, unit="GB"),
    "idle_power_w": _B(0, 1e9, unit="W"),
    "idle_kwh": _B(0, 1e12, unit="kWh"),
    "utilisation": _B(0.01, 1, inclusive=True, unit="1"),
    "embodied_kgco2e": _B(0, 1e6, unit="kgCO2e"),
    # where and how
    "intensity_g_per_kwh": _B(0, 1e4, inclusive=True, unit="gCO2e/kWh"),
    "pue": _B(1, 10, inclusive=True, unit="1"),
    "wue": _B(0, 20, inclusive=True, unit="L/kWh"),
    "lifetime_years": _B(0.1, 50, inclusive=True, unit="year"),
    # inference and usage
    "wh_per_request": _B(0, 1e7, unit="Wh"),
    "parameters_b": _B(0, 1e5, unit="billion parameters"),
    "active_parameters_b": _B(0, 1e5, unit="billion parameters"),
    "output_tokens": _B(0, 1e7, unit="token"),
    "latency_s": _B(0, 1e6, unit="s"),
    "tokens_per_s": _B(0.01, 1e7, inclusive=True, unit="token/s"),
    "ttft_s": _B(0, 1e5, inclusive=True, unit="s"),
    "requests": _B(1, 1e15, inclusive=True, whole=True, unit="request"),
    "users": _B(1, 1e10, inclusive=True, whole=True, unit="user"),
    "requests_per_user_per_day": _B(0, 1e6, unit="request/day"),
    "days": _B(0, 1e5, unit="day"),
    "data_gb": _B(0, 1e6, inclusive=True, unit="GB"),
    "device_seconds": _B(0, 1e7, unit="s"),
    # federated learning (model/federated.py)
    "clients_per_round": _B(1, 1e10, inclusive=True, whole=True, unit="client"),
    "rounds": _B(1, 1e7, inclusive=True, whole=True, unit="round"),
    "local_epochs": _B(0, 1e4, unit="epoch"),
    "epoch_seconds": _B(0, 1e7, unit="s"),
    "model_mb": _B(0, 1e7, unit="MB"),
    "device_power_w": _B(0, 1e4, unit="W"),
    "upload_mbps": _B(0.001, 1e6, inclusive=True, unit="Mbit/s"),
    "download_mbps": _B(0.001, 1e6, inclusive=True, unit="Mbit/s"),
    "router_w": _B(0, 1e4, inclusive=True, unit="W"),
    "idle_w": _B(0, 1e4, inclusive=True, unit="W"),
    "server_seconds_per_round": _B(0, 1e7, inclusive=True, unit="s"),
    "storage_days": _B(0, 1e5, unit="day"),
    # amounts (equivalents, reports)
    "co2e_kg": _B(0, 1e15, inclusive=True, unit="kgCO2e"),
    "energy_kwh": _B(0, 1e15, inclusive=True, unit="kWh"),
})


def bound_kwargs(name: str) -> dict[str, Any]:
    """``{"minimum", "maximum", "exclusive"}`` of ``BOUNDS[name]``, the shape of the web's field description."""
    b = BOUNDS[name]
    return {"minimum": b.minimum, "maximum": b.maximum, "exclusive": not b.inclusive}


def check_q(field: str, value: QLike, bound: str | None = None) -> Q:
    """``value`` (a number, a ``(low, central, high)`` triple or a ``Q``) as a ``Q`` whose three values lie
    within ``BOUNDS[bound or field]``; else ``InputError`` naming ``field`` with the accepted values."""
    b = BOUNDS[bound or field]
    if isinstance(value, Q):
        values: tuple[Any, ...] = value.as_tuple()
    elif isinstance(value, (tuple, list)):
        if len(value) != 3:
            raise InputError(field, Msg("input.not_a_range_of", value=repr(value)), b.accepted())
        values = tuple(value)
    else:
        values = (value,)
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise InputError(field, Msg("input.not_a_number", value=v), b.accepted())
        if not b.contains(float(v)):
            key = "input.not_whole" if b.whole and math.isfinite(v) and b.minimum <= v <= b.maximum \
                else "input.out_of_bounds"
            raise InputError(field, Msg(key, value=_shown(v)), b.accepted())
    if len(values) == 1:
        return Q.exact(float(values[0]))
    lo, c, hi = (float(v) for v in values)
    if not lo <= c <= hi:
        raise InputError(field, Msg("input.range_order_of", low=lo, central=c, high=hi), b.accepted())
    return Q(c, lo, hi)


def check_whole(field: str, value: Any, bound: str | None = None) -> int:
    """A count (``count``, ``devices_per_server``) as an ``int`` within its bound, else ``InputError``."""
    q = check_q(field, value, bound)
    if not q.is_exact:
        raise InputError(field, Msg("input.no_range"), BOUNDS[bound or field].accepted())
    return int(q.central)


def _shown(v: float) -> str:
    """A refused value for the message: short, never 300 digits (``1e+308`` stays as typed by Python)."""
    return repr(v) if not isinstance(v, float) or abs(v) < 1e15 else f"{v:.3g}"


def refuse_unused(given: Mapping[str, Any], needs: Msg) -> None:
    """``InputError`` on the first of ``given`` (API name → value) that is not None: each applies only in a
    case that does not hold (``needs``, in words: ``Msg("input.needs.flops")``). An option given but unused
    is an error, never silently ignored."""
    for name, value in given.items():
        if value is not None:
            raise InputError(name, Msg("input.unused", needs=needs))
