"""Inference in batches: a million requests at once, each with its range, and their total.

:func:`estimate_inference_batch` takes arrays (one value per request, or one value for all) and evaluates the
same model as :func:`aiceberg.model.inference.estimate_inference`: the LLM model is
:func:`aiceberg.model.llm.llm_core` itself, run on numpy arrays; the data centre's overhead, the grid's
impacts and the manufacturing share are the same products of the same factors. ``tests/engine/test_batch.py``
checks, on random rows, that each row equals the per-call estimate (energy and GWP, with their ranges).

Ranges: a column is exact (one array) or ranged (a ``(low, central, high)`` triple of arrays, or a cell
``LOW:CENTRAL:HIGH`` in a file). The model is monotonic in each input, so each row's low end is the model at
the low corner of its inputs and factors, and the high end at the high corner (:func:`aiceberg.model.llm.corner`);
the total's ends are the sums of the rows' ends. When every row input is exact the LLM model runs once, not
three times: only the factors (intensity, PUE, manufacturing) carry the range.

An absent optional value in a row is ``NaN`` (an empty cell): no latency cap, the latency regression, no time to
first token, a dense model. numpy is imported here only (extra ``[analysis]``): ``import aiceberg`` stays light.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiceberg import refdata
from aiceberg.errors import InputError, MissingExtraError
from aiceberg.i18n import Msg
from aiceberg.model import factors as F
from aiceberg.model.defaults import factor
from aiceberg.model.footprint import Factor, Footprint, Part, Phase, Status, Text
from aiceberg.model.inference import BOUNDARIES, DEFAULT_LLM_HARDWARE, DEFAULT_LLM_SERVER
from aiceberg.model.inputs import BOUNDS, refuse_unused
from aiceberg.model.llm import corner, llm_constants, llm_core
from aiceberg.model.quantity import Q
from aiceberg.model.training import hardware_embodied, hardware_embodied_other, lifetime_factor
from aiceberg.units import HOURS_PER_YEAR

__all__ = ["LLM_COLUMNS", "NUMERIC_COLUMNS", "TEXT_COLUMNS", "BatchResult", "estimate_inference_batch", "numpy"]

#: Per-request numeric inputs a batch takes per row (API names, as the flags without dashes).
LLM_COLUMNS = ("parameters_b", "active_parameters_b", "output_tokens", "latency_s", "tokens_per_s", "ttft_s")
NUMERIC_COLUMNS = (*LLM_COLUMNS, "wh_per_request", "requests", "intensity_g_per_kwh", "pue")
#: Per-request text inputs a batch takes per row.
TEXT_COLUMNS = ("hardware", "location")
_OPTIONAL = frozenset({"active_parameters_b", "latency_s", "tokens_per_s", "ttft_s"})


def numpy() -> Any:
    """The numpy module, or ``MissingExtraError`` with the install hint."""
    try:
        import numpy as np
    except ImportError:
        raise MissingExtraError("batch estimates", "analysis", ["numpy"]) from None
    return np


Triple = tuple[Any, Any, Any]


@dataclass(frozen=True)
class BatchResult:
    """Per-request figures (arrays; ``(low, central, high)``) and their total as a :class:`Footprint`."""

    rows: int
    energy_kwh: Triple
    co2e_kg: Triple
    total: Footprint
    extra: Mapping[str, Any] = field(default_factory=dict)

    def columns(self) -> dict[str, Any]:
        """The per-row output: ``energy_kwh`` and ``co2e_kg`` with their ``_low`` and ``_high`` (and the GPU
        count and generation latency for the LLM model)."""
        out: dict[str, Any] = {}
        for name, (lo, c, hi) in (("energy_kwh", self.energy_kwh), ("co2e_kg", self.co2e_kg)):
            out[name], out[f"{name}_low"], out[f"{name}_high"] = c, lo, hi
        return {**out, **self.extra}

    def to_dict(self) -> dict[str, Any]:
        """The total's JSON (``Footprint.to_dict``) with the number of rows and requests."""
        return {**self.total.to_dict(), "rows": self.rows, "requests": self.total.meta.get("requests")}


def estimate_inference_batch(
    *,
    parameters_b: Any = None,
    output_tokens: Any = None,
    active_parameters_b: Any = None,
    latency_s: Any = None,
    tokens_per_s: Any = None,
    ttft_s: Any = None,
    hardware: Any = None,
    wh_per_request: Any = None,
    boundary: str | None = None,
    requests: Any = None,
    location: Any = None,
    intensity_g_per_kwh: Any = None,
    pue: Any = None,
    wue: Any = None,
    embodied: bool = True,
    server: str | None = None,
    lifetime_years: Any = None,
    title: str = "",
) -> BatchResult:
    """Many inference requests at once (see the module). Each per-request input is one value for every row, a
    ``(low, central, high)`` triple, an array (one value per row) or a triple of arrays; ``hardware`` and
    ``location`` may be arrays of names. Exactly one per-request source: the LLM model (``parameters_b`` and
    ``output_tokens``) or a figure (``wh_per_request``, with its ``boundary``). ``requests``: how many times
    each row happened (default 1). ``wue``, ``server`` and ``lifetime_years`` apply to every row."""
    np = numpy()
    given = [n for n, v in (("wh_per_request", wh_per_request), ("parameters_b", parameters_b)) if v is not None]
    if len(given) != 1:
        raise InputError("wh_per_request", Msg("input.per_request_source", given=", ".join(given)) if given
                         else Msg("input.per_request_source_none"), Msg("accepted.per_request_source"))
    raw = {"parameters_b": parameters_b, "output_tokens": output_tokens, "active_parameters_b": active_parameters_b,
           "latency_s": latency_s, "tokens_per_s": tokens_per_s, "ttft_s": ttft_s, "wh_per_request": wh_per_request,
           "requests": requests, "intensity_g_per_kwh": intensity_g_per_kwh}
    n = _rows(np, {**raw, "hardware": hardware, "location": location, "pue": pue})
    cols = {k: _column(np, k, v, n) for k, v in raw.items() if v is not None}
    if intensity_g_per_kwh is not None and location is not None:
        raise InputError("location", Msg("input.location_and_intensity"), Msg("accepted.location_or_intensity"))
    grid = _Grid(np, location, cols.pop("intensity_g_per_kwh", None), n)
    warnings: tuple[Any, ...] = ()
    if parameters_b is None:
        refuse_unused({k: raw[k] for k in LLM_COLUMNS if k != "parameters_b"} | {"hardware": hardware,
                      "server": server, "lifetime_years": lifetime_years}, Msg("input.needs.llm"))
        if boundary is not None and boundary not in BOUNDARIES:
            raise InputError("boundary", Msg("input.unknown_value", value=boundary),
                             Msg("accepted.one_of", values=", ".join(BOUNDARIES)))
        if boundary is None:
            boundary = "it" if pue is not None else "facility"
            warnings = () if pue is not None else (Msg("engine.boundary_assumed"),)
        if boundary == "facility":
            refuse_unused({"wue": wue}, Msg("engine.needs.it_boundary"))
            if pue is not None:
                raise InputError("pue", Msg("input.pue_with_facility"), Msg("accepted.pue_with_facility"))
    else:
        refuse_unused({"boundary": boundary}, Msg("input.needs.figure"))
    pue_f, pue_col = _pue(np, pue, n)
    wue_f = None
    if grid.mix_complete("water") and boundary != "facility":
        wue_f = F.wue(wue, pue_f)
    else:
        refuse_unused({"wue": wue}, Msg("engine.needs.location_for_water"))
    mult = cols.pop("requests", None)
    if parameters_b is not None:
        parts, rows_e, rows_g, extra, factors, more = _llm(np, cols, hardware, n, grid, pue_f, pue_col, wue_f,
                                                           embodied, server, lifetime_years)
        warnings += more
        left_out: list[str] = []
    else:
        parts, rows_e, rows_g, factors, _ = _figure(cols["wh_per_request"], boundary, pue, grid, pue_f, pue_col,
                                                    wue_f)
        extra, left_out = {}, ["embodied impacts of the servers (a per-request figure names no hardware)"]
    if mult is not None:
        rows_e = _ends(lambda e, m: e * m, rows_e, mult)
        rows_g = _ends(lambda g, m: g * m, rows_g, mult)
    sums = _Sums(np, mult, n)
    total_requests = _sum(np, mult, n)
    own = [pue_f] if boundary != "facility" else []
    total = Footprint(
        parts=tuple(p.finish(sums) for p in parts),
        title=title or Msg("engine.title.batch", rows=n),
        factors=tuple(grid.factors + own + ([wue_f] if wue_f and parts_have_overhead(parts) else []) + factors),
        warnings=tuple(dict.fromkeys(grid.warnings + warnings)),
        meta={"kind": "inference", "batch": True, "rows": n, "requests": total_requests[1],
              "requests_low": total_requests[0], "requests_high": total_requests[2], "left_out": left_out},
    )
    return BatchResult(n, rows_e, rows_g, total, extra)


def parts_have_overhead(parts: list[Any]) -> bool:
    return any(p.name == "cooling_overhead" for p in parts)


# -- inputs ---------------------------------------------------------------------------------------------------
def _rows(np: Any, values: Mapping[str, Any]) -> int:
    """The number of rows: the length of the array inputs (which must agree), 1 when all are scalars."""
    lengths = {}
    for name, v in values.items():
        if v is None or isinstance(v, (str, int, float)):
            continue
        arrays = v if isinstance(v, tuple) and len(v) == 3 and not np.isscalar(v[0]) else (v,)
        if isinstance(v, tuple) and len(v) == 3 and all(np.isscalar(x) for x in v):
            continue  # a (low, central, high) triple for every row
        for a in arrays:
            lengths[name] = len(a)
    if len(set(lengths.values())) > 1:
        name = next(iter(lengths))
        raise InputError(name, Msg("engine.batch.lengths", lengths=", ".join(f"{k} {v}" for k, v in lengths.items())))
    return next(iter(lengths.values()), 1)


def _column(np: Any, name: str, value: Any, n: int) -> Triple:
    """``value`` as three float arrays of length ``n`` (the same array thrice when exact), checked against
    ``BOUNDS``; NaN is an absent value, allowed only in the optional columns."""
    if isinstance(value, tuple) and len(value) == 3:
        lo, c, hi = (np.broadcast_to(np.asarray(x, dtype=float), (n,)) for x in value)
    else:
        c = np.broadcast_to(np.asarray(value, dtype=float), (n,))
        lo = hi = c
    b = BOUNDS[name]
    for end in {id(a): a for a in (lo, c, hi)}.values():
        if name not in _OPTIONAL and not b.whole and _within(np, end, b):
            continue  # the fast path: two reductions, no mask
        nan = np.isnan(end)
        if name not in _OPTIONAL and nan.any():
            _refuse(np, name, nan, end, Msg("engine.batch.missing"))
        with np.errstate(invalid="ignore"):
            low_ok = end >= b.minimum if b.inclusive else end > b.minimum
            bad = ~nan & ~(np.isfinite(end) & low_ok & (end <= b.maximum))
            if b.whole:
                bad |= ~nan & (end != np.floor(end))
        if bad.any():
            _refuse(np, name, bad, end, None)
    if lo is not c:
        with np.errstate(invalid="ignore"):
            disorder = (lo > c) | (c > hi)
        if disorder.any():
            i = int(np.argmax(disorder))
            raise InputError(name, Msg("engine.batch.row", row=i + 1, reason=Msg(
                "input.range_order_of", low=float(lo[i]), central=float(c[i]), high=float(hi[i]))), b.accepted())
    return lo, c, hi


def _within(np: Any, values: Any, b: Any) -> bool:
    """Whether every value lies within the bound (False on a NaN: the slow path then names the row)."""
    if values.size == 0:
        return True
    low, high = float(np.min(values)), float(np.max(values))
    return (low >= b.minimum if b.inclusive else low > b.minimum) and high <= b.maximum and math.isfinite(high)


def _refuse(np: Any, name: str, mask: Any, values: Any, reason: Msg | None) -> None:
    i = int(np.argmax(mask))
    why = reason or Msg("input.out_of_bounds", value=repr(float(values[i])))
    raise InputError(name, Msg("engine.batch.row", row=i + 1, reason=why), BOUNDS[name].accepted())


def _names(np: Any, value: Any, n: int) -> tuple[list[str], Any]:
    """Distinct names and, per row, the index of its name (a name for all rows: one name, all zeros)."""
    if value is None or isinstance(value, str):
        return [value or ""], np.zeros(n, dtype=np.intp)
    uniq, inverse = np.unique(np.asarray(value, dtype=str), return_inverse=True)
    return [str(u) for u in uniq], inverse.reshape(n)


class _Grid:
    """The electricity of each row: intensity (g/kWh) and the mix's other impacts per kWh, at each end."""

    def __init__(self, np: Any, location: Any, given: Triple | None, n: int) -> None:
        self.factors: list[Factor] = []
        self.warnings: tuple[Any, ...] = ()
        self.mix: dict[str, Triple] = {}
        if given is not None:  # a number per row or for all: no zone, no mix
            self.intensity = given
            self.factors.append(Factor("intensity", Msg("factor.intensity_given"), _q_of(np, given), "gCO2e/kWh",
                                       Status.INPUT))
            return
        names, idx = _names(np, location, n)
        found = [F.grid_intensity(name or None) for name in names]
        self.warnings = tuple(w for _, ws in found for w in ws)
        per_zone = [f for f, _ in found]
        mixes = [F.mix_factors(f) for f in per_zone]
        for f, m in zip(per_zone, mixes, strict=True):
            self.factors += [f, *m.values()]
            self.warnings += F.mix_warnings(f)
        self.intensity = _gather(np, [f.value for f in per_zone], idx)
        for criterion in F.MIX_CRITERIA:
            if all(criterion in m for m in mixes):
                self.mix[criterion] = _gather(np, [m[criterion].value for m in mixes], idx)

    def mix_complete(self, criterion: str) -> bool:
        return criterion in self.mix


def _gather(np: Any, qs: list[Q], idx: Any) -> Triple:
    """Per row, the ends of the quantity its index points to (a scalar when there is one quantity)."""
    if len(qs) == 1:
        return qs[0].as_tuple()
    return tuple(np.array([q.as_tuple()[i] for q in qs])[idx] for i in range(3))


def _fill(np: Any, col: Triple, value: Any) -> Triple:
    """``col`` with its NaN (absent) cells replaced by ``value`` (a number, or the same end of another column)."""
    if col[0] is col[1] is col[2] and (np.isscalar(value) or value[0] is value[1] is value[2]):
        x = np.where(np.isnan(col[1]), value if np.isscalar(value) else value[1], col[1])
        return x, x, x
    return tuple(np.where(np.isnan(a), value if np.isscalar(value) else value[i], a)
                 for i, a in enumerate(col))


def _pue(np: Any, pue: Any, n: int) -> tuple[Factor, Triple]:
    if pue is None or isinstance(pue, str) or (isinstance(pue, tuple) and all(np.isscalar(x) for x in pue)) \
            or np.isscalar(pue):
        f = F.pue(pue)
        return f, f.value.as_tuple()
    col = _column(np, "pue", pue, n)
    return Factor("pue", Msg("factor.pue_given"), _q_of(np, col), "1", Status.INPUT), col


def _q_of(np: Any, col: Triple) -> Q:
    """A summary of a per-row quantity for the provenance table: its smallest low, mean central, largest high."""
    lo, c, hi = (np.asarray(x, dtype=float) for x in col)
    return Q(float(np.mean(c)), float(np.min(lo)), float(np.max(hi)))


def _sum(np: Any, col: Triple | None, n: int) -> tuple[float, float, float]:
    if col is None:
        return (float(n),) * 3
    lo, c, hi = (float(np.sum(x)) for x in col)
    return lo, c, hi


# -- the models -----------------------------------------------------------------------------------------------
class _Sums:
    """Σ over the rows of an array (× the rows' request counts), each computed once: a part's total over a
    factor that is one number for every row is that number × the sum of its base, not a sum of products."""

    def __init__(self, np: Any, mult: Triple | None, n: int) -> None:
        self.np, self.mult, self.n = np, mult, n
        self.cache: dict[tuple[int, int], float] = {}

    def of(self, base: Any, coef: Any, end: int) -> float:
        np = self.np
        if np.isscalar(coef):
            key = (id(base), end)
            if key not in self.cache:
                m = None if self.mult is None else self.mult[end]
                if np.isscalar(base):
                    self.cache[key] = float(base) * (self.n if m is None else float(np.sum(m)))
                else:
                    self.cache[key] = float(np.sum(base) if m is None else np.dot(base, m))
            return self.cache[key] * float(coef)
        prod = base * coef
        return float(np.sum(prod) if self.mult is None else np.dot(np.broadcast_to(prod, (self.n,)), self.mult[end]))


#: A sum over the rows of ``base × coef`` at each end (either may be an array or a number).
_Term = tuple[Triple, Triple]
_ONE: Triple = (1.0, 1.0, 1.0)


@dataclass
class _Part:
    """A part being built: its energy and impacts as terms over the rows, totalled by :meth:`finish`."""

    name: str
    energy: list[_Term]
    impacts: dict[str, list[_Term]]
    status: Status
    sources: tuple[str, ...]
    visible: bool = False
    phase: Phase = Phase.USE
    detail: Text = ""

    def finish(self, sums: _Sums) -> Part:
        def total(terms: list[_Term]) -> Q:
            ends = [sum(sums.of(base[i], coef[i], i) for base, coef in terms) for i in range(3)]
            return Q(ends[1], min(ends[0], ends[1]), max(ends[2], ends[1]))

        return Part(self.name, total(self.energy), {c: total(v) for c, v in self.impacts.items()}, self.status,
                    tuple(dict.fromkeys(self.sources)), self.visible, self.phase, self.detail)


def _electric(name: str, energy: Triple, grid: _Grid, factor: Triple = _ONE, **kw: Any) -> _Part:
    """A part of electricity ``energy × factor`` (kWh) drawn from ``grid``, with every criterion its mix has."""
    scaled = tuple(i * 0.001 * f for i, f in zip(grid.intensity, factor, strict=True))
    impacts = {"gwp": [(energy, scaled)]}
    for c, m in grid.mix.items():
        impacts[c] = [(energy, tuple(x * f for x, f in zip(m, factor, strict=True)))]
    kw["sources"] = tuple(kw.get("sources", ())) + tuple(s for f in grid.factors for s in f.sources)
    return _Part(name, [(energy, factor)], impacts, **kw)


def _overhead(it: Triple, pue: Triple, grid: _Grid, pue_f: Factor, wue_f: Factor | None) -> _Part:
    """(PUE − 1) × the IT electricity, and the on-site water WUE × the IT electricity."""
    part = _electric("cooling_overhead", it, grid, tuple(p - 1 for p in pue), status=Status.weakest(
        (pue_f.status, Status.DERIVED)), sources=pue_f.sources, detail=Msg("engine.detail.batch_overhead"))
    if wue_f is not None and "water" in part.impacts:
        part.impacts["water"].append((it, wue_f.value.as_tuple()))
        part.sources += wue_f.sources
    return part


def _llm(np: Any, cols: dict[str, Triple], hardware: Any, n: int, grid: _Grid, pue_f: Factor, pue: Triple,
         wue_f: Factor | None, embodied: bool, server: str | None, lifetime_years: Any) -> tuple[Any, ...]:
    if "output_tokens" not in cols:
        raise InputError("output_tokens", Msg("input.llm_needs_tokens"), BOUNDS["output_tokens"].accepted())
    if "latency_s" in cols and "tokens_per_s" in cols:
        raise InputError("tokens_per_s", Msg("input.latency_and_throughput"), Msg("accepted.latency_or_throughput"))
    if not embodied:
        refuse_unused({"server": server, "lifetime_years": lifetime_years}, Msg("input.needs.embodied"))
    k = llm_constants()
    names, idx = _names(np, DEFAULT_LLM_HARDWARE if hardware is None else hardware, n)
    hws = [refdata.get_hardware(h or DEFAULT_LLM_HARDWARE) for h in names]
    warnings: tuple[Any, ...] = tuple(Msg("engine.llm_gpu_memory_default", hardware=h.name, memory=k.gpu_memory_gb)
                                      for h in hws if not h.memory_gb)
    memory = _gather(np, [Q.exact(h.memory_gb or k.gpu_memory_gb) for h in hws], idx)[1]
    params = cols["parameters_b"]
    active = cols.get("active_parameters_b")
    if active is not None:
        with np.errstate(invalid="ignore"):
            above = np.zeros(n, dtype=bool)
            for a, p in zip(active, params, strict=True):
                above |= a > p
        if above.any():
            i = int(np.argmax(above))
            raise InputError("active_parameters_b", Msg("engine.batch.row", row=i + 1,
                             reason=Msg("input.active_above_total")), Msg("accepted.active_parameters"))
    inputs = {
        "parameters_b": params, "output_tokens": cols["output_tokens"],
        "active_parameters_b": params if active is None else _fill(np, active, params),
        "latency_s": _fill(np, cols["latency_s"], math.inf) if "latency_s" in cols else (math.inf,) * 3,
        "tokens_per_s": cols.get("tokens_per_s", (math.nan,) * 3),
        "ttft_s": _fill(np, cols["ttft_s"], 0.0) if "ttft_s" in cols else (0.0,) * 3,
    }
    exact = all(v[0] is v[1] is v[2] for v in inputs.values())
    with np.errstate(invalid="ignore", divide="ignore"):
        ends = []
        for end in (1,) if exact else (0, 1, 2):
            v = {name: corner(col, end, name) for name, col in inputs.items()}
            ends.append(llm_core(v["parameters_b"], v["output_tokens"], v["active_parameters_b"], memory,
                                 v["latency_s"], v["tokens_per_s"], v["ttft_s"], k, np))
    cores: Any = tuple(ends * 3 if exact else ends)
    src = factor("llm_gpu_energy_alpha").sources
    gpu_e = _ends(lambda c: c.gpu_kwh, cores)
    srv_e = _ends(lambda c: c.server_kwh, cores)
    gpu = _electric("gpu.dynamic", gpu_e, grid, status=Status.MODELLED, sources=src, visible=True,
                    detail=Msg("engine.detail.batch_llm_gpu"))
    host = _electric("host", srv_e, grid, status=Status.MODELLED, sources=src,
                     detail=Msg("engine.detail.batch_llm_server"))
    it = _ends(lambda g, s: g + s, gpu_e, srv_e)
    parts = [gpu, host]
    energy = _ends(lambda e, p: e * p, it, pue)
    gwp = _ends(lambda e, i: e * (i * 0.001), energy, grid.intensity)
    factors = [Factor("llm_model", Msg("factor.llm_model"), Q.exact(k.batch),
                      "requests per batch", Status.MODELLED, src, 2025)]
    if pue_f.value.high > 1 or wue_f is not None:
        parts.append(_overhead(it, pue, grid, pue_f, wue_f))
    if embodied:
        life = lifetime_factor(lifetime_years)
        factors.append(life)
        srv = refdata.get_hardware(server or DEFAULT_LLM_SERVER, "server")
        held = _ends(lambda c: c.gpu_hours, cores)
        per_hour = tuple(1.0 / (life.value.as_tuple()[2 - i] * HOURS_PER_YEAR) for i in range(3))
        coef_total: Triple = (0.0, 0.0, 0.0)
        for name, units, per_gpu in (("embodied.gpu", hws, 1.0), ("embodied.server", [srv] * len(hws),
                                                                    1.0 / k.server_gpus)):
            found = [hardware_embodied(u) for u in units]
            others = [hardware_embodied_other(u) for u in units]
            warnings += tuple(f[3] for f in found if f[3])
            impacts: dict[str, list[_Term]] = {}
            for crit, per_unit in [("gwp", [f[0] for f in found])] + [
                    (c, [o[0][c] for o in others]) for c in ("pe", "adpe") if all(c in o[0] for o in others)]:
                per = _gather(np, per_unit, idx)
                impacts[crit] = [(held, tuple(per[i] * per_gpu * per_hour[i] for i in range(3)))]
            coef_total = tuple(t + x for t, x in zip(coef_total, impacts["gwp"][0][1], strict=True))
            sources = tuple(x for f in found for x in f[2]) + tuple(x for o in others for x in o[1]) + life.sources
            parts.append(_Part(name, [], impacts, Status.weakest(f[1] for f in found), sources,
                               phase=Phase.MANUFACTURING, detail=Msg(f"engine.detail.batch_{name.replace('.', '_')}")))
        gwp = _ends(lambda g, h, c: g + h * c, gwp, held, coef_total)
    extra = {"gpus": cores[1].gpus, "latency_s": cores[1].latency_s}
    return parts, energy, gwp, extra, factors, warnings


def _ends(fn: Any, *triples: Triple) -> Triple:
    """``fn`` at each end of its inputs, once when every input is the same at the three ends (exact rows)."""
    if all(t[0] is t[1] is t[2] for t in triples):
        x = fn(*(t[1] for t in triples))
        return x, x, x
    return fn(*(t[0] for t in triples)), fn(*(t[1] for t in triples)), fn(*(t[2] for t in triples))


def _figure(wh: Triple, boundary: str | None, pue_given: Any, grid: _Grid, pue_f: Factor, pue: Triple,
            wue_f: Factor | None) -> tuple[Any, ...]:
    """A given electricity per request (Wh) in each row, with its boundary (``it``: the PUE is added)."""
    warnings: tuple[Any, ...] = ()
    if boundary == "it":
        pass
    it = _ends(lambda x: x / 1000.0, wh)
    parts = [_electric("inference.compute", it, grid, status=Status.INPUT, sources=(), visible=True,
                       detail=Msg("engine.detail.batch_figure", boundary=Msg(f"factor.boundary.{boundary}")))]
    if boundary == "it" and (pue_f.value.high > 1 or wue_f is not None):
        parts.append(_overhead(it, pue, grid, pue_f, wue_f))
    energy = _ends(lambda e, p: e * p, it, pue) if boundary == "it" else it
    gwp = _ends(lambda e, i: e * (i * 0.001), energy, grid.intensity)
    return parts, energy, gwp, [], warnings
