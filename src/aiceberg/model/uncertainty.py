"""Uncertain inputs, one formula for three number types, Monte Carlo and global sensitivity.

A model written once with ``+``, ``*`` and ``/`` (and :meth:`Ops.call` for a monotone function) runs on
three kinds of numbers:

* ``float`` — the central value (:data:`FLOAT`);
* :class:`~aiceberg.model.quantity.Q` — the range, by interval arithmetic (:data:`RANGE`): exact when every
  input appears once, and never narrower than the model at the ends of its inputs;
* numpy arrays — one value per Monte Carlo sample (:func:`array_ops`, extra ``[analysis]``).

Each uncertain input is a :class:`Dist`: exact, ``uniform`` (low, high), ``triangular`` (low, mode = central,
high: how a ``LOW:CENTRAL:HIGH`` range is drawn) or ``lognormal`` (median = central, known within a
``ratio``: 95 % of draws lie between central / ratio and central × ratio). Inputs are drawn independently;
two parts of a model that use the same factor read the same input, so they stay correlated (one draw).

Sensitivity (:func:`sobol`): Sobol indices by Saltelli's scheme (matrices A, B and the k matrices A with
column i from B), first order after Saltelli et al. 2010 and total order after Jansen 1999, on
N × (k + 2) evaluations of the vectorised model; the percentile bootstrap gives their confidence intervals.

numpy is imported only when sampling; without it :class:`~aiceberg.errors.MissingExtraError` names the extra.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiceberg.errors import MissingExtraError
from aiceberg.model.quantity import Q

__all__ = ["DISTRIBUTIONS", "FLOAT", "RANGE", "Dist", "Ops", "Sobol", "array_ops", "numpy", "percentiles",
           "percentiles_of", "sample", "sobol"]

#: The shapes an uncertain input may take (besides an exact value).
DISTRIBUTIONS: tuple[str, ...] = ("triangular", "uniform", "lognormal")

#: z of the 97.5th percentile of the normal law: a lognormal "within a ratio r" has σ = ln r / Z95.
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Dist:
    """An uncertain input: ``kind`` (``exact`` or one of :data:`DISTRIBUTIONS`) and its low, central, high.

    For ``lognormal``, low and high are central / ratio and central × ratio (the 2.5th and 97.5th
    percentiles); for ``uniform`` the central value is the middle unless given.
    """

    kind: str
    central: float
    low: float
    high: float

    @classmethod
    def exact(cls, value: float) -> Dist:
        return cls("exact", value, value, value)

    @classmethod
    def of_q(cls, q: Q, kind: str = "triangular") -> Dist:
        """A factor's range drawn as ``kind`` (triangular by default); an exact one stays exact."""
        return cls.exact(q.central) if q.is_exact else cls(kind, q.central, q.low, q.high)

    @classmethod
    def lognormal(cls, central: float, ratio: float) -> Dist:
        return cls("lognormal", central, central / ratio, central * ratio)

    @property
    def is_exact(self) -> bool:
        return self.kind == "exact" or self.low == self.high

    @property
    def ratio(self) -> float:
        """A lognormal's ratio (high / central)."""
        return self.high / self.central if self.central else 1.0

    def q(self) -> Q:
        return Q(self.central, self.low, self.high)

    def shifted(self, offset: float) -> Dist:
        """The same law moved by ``offset`` (a PUE as its overhead, PUE − 1); a lognormal moves its ends."""
        return Dist(self.kind, self.central + offset, self.low + offset, self.high + offset)

    def draw(self, rng: Any, n: int) -> Any:
        """``n`` independent draws with numpy's generator ``rng``."""
        np = numpy()
        if self.is_exact:
            return np.full(n, self.central)
        if self.kind == "uniform":
            return rng.uniform(self.low, self.high, n)
        if self.kind == "lognormal":
            return rng.lognormal(math.log(self.central), math.log(self.ratio) / Z95, n)
        # triangular by its inverse distribution function (several times faster than rng.triangular)
        a, c, b = self.low, self.central, self.high
        u = rng.random(n)
        split = (c - a) / (b - a)
        return np.where(u < split, a + np.sqrt(u * (b - a) * (c - a)), b - np.sqrt((1.0 - u) * (b - a) * (b - c)))


# -- one formula, three number types -----------------------------------------------------------------

class _FloatMath:
    """The few functions a model may call, on floats (numpy offers the same names on arrays)."""

    log1p = staticmethod(math.log1p)
    expm1 = staticmethod(math.expm1)
    log2 = staticmethod(math.log2)
    ceil = staticmethod(math.ceil)

    @staticmethod
    def where(cond: Any, a: Any, b: Any) -> Any:
        return a if cond else b

    @staticmethod
    def maximum(a: Any, b: Any) -> Any:
        return max(a, b)

    @staticmethod
    def minimum(a: Any, b: Any) -> Any:
        return min(a, b)


class Ops:
    """How a model computes with one number type: ``call(fn, *args)`` applies ``fn(*args, xp=...)``, a
    function written once with the names of :class:`_FloatMath` (``xp.log1p``, ``xp.where``…).

    On ranges (:data:`RANGE`), ``fn`` must increase with each argument: it is evaluated at the low ends,
    the central values and the high ends.
    """

    name = "float"

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        return fn(*args, xp=_FloatMath)

    def value(self, dist: Dist) -> Any:
        return dist.central


class _RangeOps(Ops):
    name = "range"

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        ends = [[a.low, a.central, a.high] if isinstance(a, Q) else [a, a, a] for a in args]
        lo, c, hi = (float(fn(*(e[i] for e in ends), xp=_FloatMath)) for i in range(3))
        return Q(c, lo, hi)

    def value(self, dist: Dist) -> Any:
        return dist.q()


class _ArrayOps(Ops):
    name = "array"

    def __init__(self, np: Any) -> None:
        self.np = np

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        return fn(*args, xp=self.np)


FLOAT: Ops = Ops()
RANGE: Ops = _RangeOps()


def numpy() -> Any:
    """The numpy module, or :class:`MissingExtraError` naming the ``[analysis]`` extra."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is in [analysis] and [test]
        raise MissingExtraError("Monte Carlo sampling and sensitivity", "analysis", ("numpy",)) from None
    return np


def array_ops() -> Ops:
    """The backend on numpy arrays (one value per sample)."""
    return _ArrayOps(numpy())


# -- Monte Carlo ---------------------------------------------------------------------------------------

def sample(dists: Mapping[str, Dist], n: int, seed: int | None = 0) -> dict[str, Any]:
    """``n`` draws of each uncertain input (exact ones stay floats), reproducible for a given ``seed``.

    Inputs are drawn in the order of their ids (sorted), so adding an input to a model leaves the draws of
    the others as they were only when it sorts after them; the same ``seed`` and the same inputs always
    give the same draws.
    """
    np = numpy()
    rng = np.random.default_rng(seed)
    return {k: d.central if d.is_exact else d.draw(rng, n) for k, d in sorted(dists.items())}


def percentiles(values: Any, qs: Sequence[float] = (5, 50, 95)) -> dict[str, float]:
    """``{"p5": …, "p50": …, "p95": …, "mean": …}`` of a sample."""
    return percentiles_of([values], qs)[0]


def percentiles_of(samples: Sequence[Any], qs: Sequence[float] = (5, 50, 95)) -> list[dict[str, float]]:
    """:func:`percentiles` of several samples of one size at once (one pass over a 2-D array)."""
    np = numpy()
    arr = np.asarray(np.broadcast_arrays(*samples), dtype=float)
    pct = np.percentile(arr, list(qs), axis=-1)
    means = arr.mean(axis=-1)
    return [{**{f"p{q:g}": float(pct[j][i]) for j, q in enumerate(qs)}, "mean": float(means[i])}
            for i in range(len(samples))]


@dataclass(frozen=True)
class Sobol:
    """Sobol indices of one output: input id → (first order, total order, total order's 95 % interval)."""

    first: Mapping[str, float]
    total: Mapping[str, float]
    total_ci: Mapping[str, tuple[float, float]]
    samples: int
    evaluations: int

    def ranked(self) -> list[str]:
        """Input ids from the one that drives the variance most (total order) to the least."""
        return sorted(self.total, key=lambda k: -self.total[k])


def sobol(model: Callable[[Mapping[str, Any]], Any], dists: Mapping[str, Dist], n: int = 4096,
          seed: int | None = 0, bootstrap: int = 200) -> Sobol:
    """Sobol indices of ``model`` (a function of ``{input id: array}`` returning one array) over the
    uncertain inputs of ``dists`` (exact ones are passed as floats).

    Saltelli's scheme: two independent sample matrices A and B (``n`` rows each), and for each input i the
    matrix A with column i taken from B; ``n × (k + 2)`` evaluations in one vectorised call. First order
    ``S_i = mean(f_B (f_ABi − f_A)) / V`` (Saltelli et al. 2010), total order ``ST_i = mean((f_A −
    f_ABi)²) / (2V)`` (Jansen 1999), V the variance of f over A and B.
    """
    np = numpy()
    rng = np.random.default_rng(seed)
    names = sorted(k for k, d in dists.items() if not d.is_exact)
    fixed = {k: d.central for k, d in dists.items() if d.is_exact}
    k = len(names)
    if k == 0:
        return Sobol({}, {}, {}, n, 0)
    a = {name: dists[name].draw(rng, n) for name in names}
    b = {name: dists[name].draw(rng, n) for name in names}
    # one stacked evaluation: A, B, then AB_1 … AB_k
    blocks = {name: np.concatenate([a[name], b[name]] + [b[name] if j == name else a[name] for j in names])
              for name in names}
    y = np.asarray(model({**fixed, **blocks}), dtype=float)
    if y.shape == ():
        y = np.full(n * (k + 2), float(y))
    ya, yb = y[:n], y[n:2 * n]
    yab = y[2 * n:].reshape(k, n)
    var = float(np.var(np.concatenate([ya, yb])))
    if var <= 0:
        zero = dict.fromkeys(names, 0.0)
        return Sobol(zero, zero, {nm: (0.0, 0.0) for nm in names}, n, len(y))
    first = {nm: float(np.mean(yb * (yab[i] - ya)) / var) for i, nm in enumerate(names)}
    total_terms = (ya - yab) ** 2  # k × n
    total = {nm: float(np.mean(total_terms[i]) / (2 * var)) for i, nm in enumerate(names)}
    ci: dict[str, tuple[float, float]] = {}
    if bootstrap:
        idx = rng.integers(0, n, size=(bootstrap, n))
        both = np.concatenate([ya[idx], yb[idx]], axis=1)
        vars_b = both.var(axis=1)
        for i, nm in enumerate(names):
            st = total_terms[i][idx].mean(axis=1) / (2 * np.where(vars_b > 0, vars_b, 1.0))
            lo, hi = np.percentile(st, [2.5, 97.5])
            ci[nm] = (float(lo), float(hi))
    return Sobol(first, total, ci, n, len(y))
