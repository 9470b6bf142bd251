"""Inference and usage at scale: a per-request footprint, multiplied by the requests.

The per-request electricity comes from one of three places, in this order of strength:
a measured figure (``wh_per_request``), a published task average (``task``, from
``refdata/data/inference.csv``), or the LLM model from parameters and output tokens
(``aiceberg.model.llm``: EcoLogits' regressions on the ML.ENERGY leaderboard, 2025, see ``factors.csv``).

A per-request figure has a *boundary*: ``it`` (the servers' electricity alone: the data centre's overhead,
the PUE, is added) or ``facility`` (the overhead is already in it: no PUE is added). A published figure's
boundary is in ``inference.csv``; a given one's is ``boundary``, else ``it`` when a PUE is given with it
and ``facility`` (the figure taken as it is, with a warning saying so) when none is.
"""

from __future__ import annotations

from dataclasses import replace

from aiceberg import refdata
from aiceberg.errors import InputError
from aiceberg.i18n import Amount, Localised, Msg
from aiceberg.model import factors as F
from aiceberg.model.client import client_footprint
from aiceberg.model.defaults import factor, factor_value
from aiceberg.model.embodied import embodied_part
from aiceberg.model.footprint import Factor, Footprint, Part, Status, Text
from aiceberg.model.inputs import BOUNDS, check_q, refuse_unused
from aiceberg.model.llm import llm_request
from aiceberg.model.operational import electricity_part, pue_overhead_part
from aiceberg.model.quantity import Q, QLike
from aiceberg.model.training import hardware_embodied, hardware_embodied_other, lifetime_factor

__all__ = ["BOUNDARIES", "estimate_inference", "estimate_usage", "llm_request", "requests_from_usage",
           "scaled_per_request"]

DEFAULT_LLM_HARDWARE = "nvidia-h100-sxm5-80gb"
DEFAULT_LLM_SERVER = "default-server"
#: A per-request figure's boundary: what it includes.
BOUNDARIES = ("it", "facility")


def estimate_inference(
    *,
    wh_per_request: QLike | None = None,
    task: str | None = None,
    boundary: str | None = None,
    parameters_b: QLike | None = None,
    active_parameters_b: QLike | None = None,
    output_tokens: QLike | None = None,
    hardware: str | None = None,
    latency_s: QLike | None = None,
    tokens_per_s: QLike | None = None,
    ttft_s: QLike | None = None,
    server: str | None = None,
    requests: QLike = 1,
    pue: QLike | str | None = None,
    location: str | None = None,
    intensity_g_per_kwh: QLike | None = None,
    wue: QLike | str | None = None,
    embodied: bool = True,
    lifetime_years: QLike | None = None,
    data_gb: QLike | None = None,
    network: str | None = None,
    device: str | None = None,
    device_seconds: QLike | None = None,
    title: str = "",
) -> Footprint:
    """The footprint of ``requests`` inference requests (1 by default: the per-request footprint).

    Give exactly one source of per-request electricity: ``wh_per_request`` (measured; its ``boundary``,
    ``it`` or ``facility``), ``task`` (a published figure) or ``parameters_b`` + ``output_tokens`` (the LLM
    model, with ``active_parameters_b``, ``hardware``, a measured ``latency_s`` or ``tokens_per_s`` and
    ``ttft_s``, the ``server`` model and its ``lifetime_years`` for the manufacturing share). Network
    transfer (``data_gb`` per request over ``network``, default ``fixed``) and the user's device
    (``device`` used for ``device_seconds`` per request) are added when given. ``wue``: the data centre's
    on-site water (L per kWh of IT electricity, or an operator; default: the PUE's operator, else the sourced
    average). An input that the chosen source does not use is refused, never ignored.
    """
    n_req = check_q("requests", requests)
    given = [n for n, v in (("wh_per_request", wh_per_request), ("task", task), ("parameters_b", parameters_b))
             if v is not None]
    if len(given) != 1:
        raise InputError("wh_per_request", Msg("input.per_request_source", given=", ".join(given)) if given
                         else Msg("input.per_request_source_none"), Msg("accepted.per_request_source"))
    intensity, warnings = F.grid_intensity(location, intensity_g_per_kwh)
    warnings += F.mix_warnings(intensity)
    factors: list[Factor] = [intensity, *F.mix_factors(intensity).values()]
    parts: list[Part] = []
    left_out: list[Msg] = []

    if parameters_b is None:
        refuse_unused({"active_parameters_b": active_parameters_b, "output_tokens": output_tokens,
                       "hardware": hardware, "latency_s": latency_s, "tokens_per_s": tokens_per_s,
                       "ttft_s": ttft_s, "server": server, "lifetime_years": lifetime_years},
                      Msg("input.needs.llm"))
        f, facility, note = _per_request_figure(wh_per_request, task, boundary, pue)
        warnings += (note,) if note else ()
        factors.append(f)
        it = f.value * 0.001
        origin = (Msg("detail.given", boundary=Msg(f"factor.boundary.{'facility' if facility else 'it'}"))
                  if wh_per_request is not None else f.name)
        parts.append(electricity_part("inference.compute", it, intensity, status=f.status, sources=f.sources,
                                      visible=True, detail=Msg("detail.wh_per_request",
                                                               energy=Amount(f.value.central, "Wh"), factor=origin)))
        if embodied:
            left_out.append(Msg("left_out.server_embodied_per_request"))
    else:
        refuse_unused({"boundary": boundary}, Msg("input.needs.figure"))
        facility = False
        llm_parts, llm_factors, llm_warnings = _llm_parts(
            parameters_b, active_parameters_b, output_tokens, hardware, latency_s, tokens_per_s, ttft_s,
            server, embodied, lifetime_years, intensity)
        parts += llm_parts
        factors += llm_factors
        warnings += llm_warnings
        it = sum((p.energy_kwh for p in llm_parts), Q.zero())
    if not facility:
        pue_f = F.pue(pue)
        wue_f = F.onsite_water(wue, pue_f, intensity)
        factors.insert(1, pue_f)
        if pue_f.value.high > 1 or wue is not None:
            parts.append(pue_overhead_part(it, pue_f, intensity, wue_f))
            factors += [wue_f] if wue_f else []
    else:
        refuse_unused({"wue": wue}, Msg("engine.needs.it_boundary"))
    client = _client(intensity, data_gb, network, device, device_seconds)
    per_request = Footprint(
        parts=tuple(parts) + client.parts,
        title=title or Msg("title.inference"),
        factors=tuple(factors) + client.factors,
        warnings=warnings,
        meta={"kind": "inference", "left_out": left_out},
    )
    return _times(per_request, n_req)


def _times(per_request: Footprint, n: Q, title: Text | None = None, **meta: object) -> Footprint:
    """The per-request footprint × ``n`` requests, keeping the per-request figures in ``meta``."""
    if n.is_exact and n.central == 1 and not meta:
        return per_request
    fp = scaled_per_request(per_request, n, title)
    return Footprint(parts=fp.parts, title=fp.title, factors=fp.factors, warnings=fp.warnings,
                     meta={**fp.meta, "requests": n.central, "per_request": per_request.to_dict(), **meta})


#: Per-request details that say "per request" themselves, and their text without it (the scaled line
#: says it once, at its head).
_SAID_ONCE = {"detail.wh_per_request": "detail.wh_each"}


def scaled_per_request(per_request: Footprint, n: Q | float, title: Text | None = None) -> Footprint:
    """``per_request`` × ``n`` requests, each calculation line saying it is per request (the part's
    columns are for every request): "per request: 3.75 Wh (given…); × 3,000,000,000 requests"."""
    fp = per_request.scaled(n, title)
    q = n if isinstance(n, Q) else Q.exact(float(n))
    meta = {**fp.meta, "requests": q.central, "requests_low": q.low, "requests_high": q.high}  # its SCI's R
    return replace(fp, meta=meta,
                   parts=tuple(replace(p, detail=Msg("detail.per_request", detail=_once(p.detail), requests=q.central))
                               if p.detail else p for p in fp.parts))


def _once(detail: Text) -> Text:
    key = getattr(detail, "key", None)
    if isinstance(detail, Msg) and key in _SAID_ONCE:
        return Msg(_SAID_ONCE[key], **detail.params)
    return detail


def _per_request_figure(
    wh_per_request: QLike | None, task: str | None, boundary: str | None, pue: QLike | str | None
) -> tuple[Factor, bool, Msg | None]:
    """The per-request factor, whether it includes the data centre's overhead, and a warning if assumed."""
    if boundary is not None and boundary not in BOUNDARIES:
        raise InputError("boundary", Msg("input.unknown_value", value=boundary),
                         Msg("accepted.one_of", values=", ".join(BOUNDARIES)))
    note = None
    if wh_per_request is not None:
        wh = check_q("wh_per_request", wh_per_request)
        if boundary is None:
            boundary = "it" if pue is not None else "facility"
            note = None if pue is not None else Msg("engine.boundary_assumed")
        f = Factor("wh_per_request", Msg("factor.wh_per_request_given", boundary=Msg(f"factor.boundary.{boundary}")),
                   wh, "Wh", Status.INPUT)
    else:
        row = refdata.get_inference_figure(task or "")
        if boundary is not None and boundary != row.boundary:
            raise InputError("boundary", Msg("input.boundary_of_figure", figure=row.id, boundary=row.boundary),
                             Msg("accepted.boundary_of_figure", boundary=row.boundary))
        boundary = row.boundary
        st = Status(row.status) if row.status in Status._value2member_map_ else Status.PUBLISHED
        f = Factor(f"inference:{row.id}", Localised(en=row.name_en or row.id, fr=row.name_fr),
                   Q.from_row(row, "wh_per_request"), "Wh", st, row.source, row.year)
    facility = boundary == "facility"
    if facility and pue is not None:
        raise InputError("pue", Msg("input.pue_with_facility"), Msg("accepted.pue_with_facility"))
    return f, facility, note


def _llm_parts(
    parameters_b: QLike, active_parameters_b: QLike | None, output_tokens: QLike | None, hardware: str | None,
    latency_s: QLike | None, tokens_per_s: QLike | None, ttft_s: QLike | None, server: str | None,
    embodied: bool, lifetime_years: QLike | None, intensity: Factor,
) -> tuple[list[Part], list[Factor], tuple[Msg, ...]]:
    """The LLM model's parts for one request: GPUs, the server's share, and their manufacturing."""
    if output_tokens is None:
        raise InputError("output_tokens", Msg("input.llm_needs_tokens"), BOUNDS["output_tokens"].accepted())
    if latency_s is not None and tokens_per_s is not None:
        raise InputError("tokens_per_s", Msg("input.latency_and_throughput"), Msg("accepted.latency_or_throughput"))
    if not embodied:
        refuse_unused({"server": server, "lifetime_years": lifetime_years}, Msg("input.needs.embodied"))
    params = check_q("parameters_b", parameters_b)
    active = None if active_parameters_b is None else check_q("active_parameters_b", active_parameters_b)
    if active is not None and any(a > p for a, p in zip(active.as_tuple(), params.as_tuple(), strict=True)):
        raise InputError("active_parameters_b", Msg("input.active_above_total"), Msg("accepted.active_parameters"))
    tokens = check_q("output_tokens", output_tokens)
    hw = refdata.get_hardware(hardware or DEFAULT_LLM_HARDWARE)
    warnings: tuple[Msg, ...] = ()
    if not hw.memory_gb:
        warnings += (Msg("engine.llm_gpu_memory_default", hardware=hw.name,
                         memory=factor_value("llm_gpu_memory_gb")),)
    r = llm_request(params, tokens, active, hw.memory_gb,
                    latency_s=None if latency_s is None else check_q("latency_s", latency_s),
                    tokens_per_s=None if tokens_per_s is None else check_q("tokens_per_s", tokens_per_s),
                    ttft_s=None if ttft_s is None else check_q("ttft_s", ttft_s))
    src = factor("llm_gpu_energy_alpha").sources
    factors = [Factor("llm_model", Msg("factor.llm_model"), Q.exact(r.batch),
                      "requests per batch", Status.MODELLED, src, 2025)]
    gpus = Amount(r.gpus, "", with_range=not r.gpus.is_exact)
    parts = [electricity_part(
        "gpu.dynamic", r.gpu_kwh, intensity, status=Status.MODELLED, sources=src, visible=True,
        detail=Msg("detail.llm_gpu", tokens=tokens.central, parameters=params.central, gpus=gpus, hardware=hw.name),
    )]
    how = "measured_latency" if latency_s is not None and r.capped else \
        "measured_throughput" if tokens_per_s is not None else "modelled_latency"
    parts.append(electricity_part(
        "host", r.server_kwh, intensity, status=Status.MODELLED, sources=src,
        detail=Msg("detail.llm_server", seconds=r.latency_s.central, how=Msg(f"detail.latency.{how}"),
                   batch=r.batch),
    ))
    if embodied:
        life = lifetime_factor(lifetime_years)
        factors.append(life)
        per_dev, st, s2, note = hardware_embodied(hw)
        other, o2 = hardware_embodied_other(hw)
        warnings += (note,) if note else ()
        # the GPUs are held for the latency, shared by the batch
        parts.append(embodied_part("embodied.gpu", per_dev, r.gpu_hours, lifetime_years=life.value,
                                   utilisation=Q.exact(1.0), rule="calendar-time", status=st,
                                   sources=_unique(s2 + o2 + life.sources), what="gpu", other=other))
        srv = refdata.get_hardware(server or DEFAULT_LLM_SERVER, "server")
        per_srv, st, s3, _ = hardware_embodied(srv)
        other, o3 = hardware_embodied_other(srv)
        parts.append(embodied_part("embodied.server", per_srv, r.gpu_hours / factor_value("llm_server_gpus"),
                                   lifetime_years=life.value, utilisation=Q.exact(1.0), rule="calendar-time",
                                   status=st, sources=_unique(s3 + o3 + life.sources), what="server", other=other))
    return parts, factors, warnings


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _client(intensity: Factor, data_gb: QLike | None, network: str | None, device: str | None,
            device_seconds: QLike | None) -> Footprint:
    if data_gb is None:
        refuse_unused({"network": network}, Msg("input.needs.data_gb"))
    if device_seconds is None:
        refuse_unused({"device": device}, Msg("input.needs.device_seconds"))
    if device is None:
        refuse_unused({"device_seconds": device_seconds}, Msg("input.needs.device"))
    return client_footprint(
        intensity=intensity, data_gb=None if data_gb is None else check_q("data_gb", data_gb),
        network=network or "fixed", device=device,
        device_hours=None if device_seconds is None else check_q("device_seconds", device_seconds) / 3600.0)


def requests_from_usage(
    users: QLike | None = None,
    requests_per_user_per_day: QLike | None = None,
    days: QLike | None = None,
    requests: QLike | None = None,
) -> Q:
    """The number of requests: ``users × requests per user per day × days``, or ``requests`` directly."""
    if requests is not None:
        refuse_unused({"users": users, "requests_per_user_per_day": requests_per_user_per_day, "days": days},
                      Msg("input.needs.no_requests"))
        return check_q("requests", requests)
    if users is None or requests_per_user_per_day is None:
        raise InputError("users", Msg("input.usage_needs"), Msg("accepted.usage"))
    return (check_q("users", users) * check_q("requests_per_user_per_day", requests_per_user_per_day)
            * check_q("days", 1 if days is None else days))


def estimate_usage(
    *,
    users: QLike | None = None,
    requests_per_user_per_day: QLike | None = None,
    days: QLike | None = None,
    requests: QLike | None = None,
    title: str = "",
    **per_request: object,
) -> Footprint:
    """Usage at scale: the per-request footprint (see ``estimate_inference``) × the number of requests."""
    n = requests_from_usage(users, requests_per_user_per_day, days, requests)
    one = estimate_inference(**per_request)  # type: ignore[arg-type]
    return _times(one, n, title or Msg("title.usage"), kind="usage", requests_low=n.low, requests_high=n.high)
