"""The EU AI Act's energy and computation items (Annex XI, section 1, point 2 (d) and (e)), as the GPAI Code
of Practice's Model Documentation Form (July 2025) asks for them, filled from a :class:`ComplianceInput`.

:func:`eu_form` returns the JSON document (stable keys, ``docs/compliance.md``): each field with its value in
the form's unit, how it was obtained and the words a person reads; two views by recipient (the national
competent authorities get the training-time bucket and the order of magnitude of the computation, the AI
Office the figures); the fields it could not fill, with what the user must provide.
"""

from __future__ import annotations

import math
from typing import Any

from aiceberg import __version__, refdata
from aiceberg.explain.compliance.methodology import methodology
from aiceberg.explain.compliance.source import ComplianceInput, Computation, Energy, Inference, TrainingTime
from aiceberg.i18n import localise, t
from aiceberg.i18n import numbers as N
from aiceberg.model.quantity import Q

__all__ = ["FIELDS", "FORM_VERSION", "MONTH_DAYS", "bucket_of", "eu_form", "flop_text", "mwh_text",
           "order_of_magnitude", "power_of_ten"]

#: The version of the JSON's shape: bumped when a key changes meaning or goes.
FORM_VERSION = 1
#: The items, in the form's order.
FIELDS = ("training_time", "training_computation", "training_energy", "energy_methodology",
          "inference_computation")
#: Who receives each item's view: ``aio`` the AI Office, ``nca`` the national competent authorities.
RECIPIENTS = {"training_time": ("ai_office", "national_authorities"),
              "training_computation": ("ai_office", "national_authorities"),
              "training_energy": ("ai_office", "national_authorities"),
              "energy_methodology": ("ai_office", "national_authorities"),
              "inference_computation": ("ai_office", "national_authorities")}
#: Annex XI, section 1, point 2: which letter each item answers.
ANNEX_XI = {"training_time": "2(d)", "training_computation": "2(d)", "training_energy": "2(e)",
            "energy_methodology": "2(e)", "inference_computation": "2(e)"}
#: A month, in days (a year of 365.25 days over 12).
MONTH_DAYS = 365.25 / 12
#: The form's training-time ranges: (id, upper bound in months).
BUCKETS = (("under-1-month", 1.0), ("1-to-3-months", 3.0), ("3-to-6-months", 6.0), ("over-6-months", math.inf))
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def bucket_of(days: float) -> str:
    """The form's training-time range for ``days`` of wall-clock time."""
    months = days / MONTH_DAYS
    return next(b for b, upper in BUCKETS if months < upper)


def order_of_magnitude(x: float) -> int:
    """The power of ten of ``x`` (``3.9e23`` → 23)."""
    return math.floor(math.log10(x)) if x > 0 else 0


def power_of_ten(exponent: int) -> str:
    """``10²³``: a power of ten, written with superscript digits."""
    return "10" + str(exponent).translate(_SUPERSCRIPT)


def flop_text(flop: float, lang: str = "en", sig: int = 2) -> str:
    """``390 ZFLOP (3.9 × 10²³ FLOP)``: the SI-prefixed figure and the form's own writing, at ``sig``
    significant figures."""
    if flop <= 0:
        return "0 FLOP"
    exponent = order_of_magnitude(flop)
    mantissa = round(flop / 10 ** exponent, sig - 1)
    if mantissa >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    prefixed = N.quantity(flop, "FLOP", lang, sig, with_range=False)
    return f"{prefixed} ({N.number(mantissa, lang, sig)} × {power_of_ten(exponent)} FLOP)"


def mwh_text(kwh: float, lang: str = "en", sig: int = 2) -> str:
    """Energy in MWh, the form's unit, at ``sig`` significant figures (``430 MWh``); a figure below
    1 MWh is followed by the prefix that reads best (``0.000012 MWh (12 Wh)``)."""
    text = f"{N.number(kwh / 1000.0, lang, sig)} MWh"
    if 0 < kwh < 1000.0:
        text += f" ({N.energy(kwh, lang, sig)})"
    return text


def _q(prefix: str, q: Q | None, scale: float = 1.0) -> dict[str, float | None]:
    if q is None:
        return {prefix: None, f"{prefix}_low": None, f"{prefix}_high": None}
    return {prefix: q.central * scale, f"{prefix}_low": q.low * scale, f"{prefix}_high": q.high * scale}


def _obtained(obtained: str, lang: str) -> str:
    return t(f"compliance.obtained.{obtained}", lang)


def _field(name: str, lang: str) -> dict[str, Any]:
    return {"label": t(f"compliance.field.{name}", lang), "annex_xi": ANNEX_XI[name],
            "recipients": list(RECIPIENTS[name])}


def _missing(name: str, provide_key: str, lang: str, reason: Any = "") -> dict[str, Any]:
    return {"filled": False, "obtained": None, "how": localise(reason, lang) if reason else "",
            "provide": t(provide_key, lang)}


def _time(tt: TrainingTime | None, lang: str) -> dict[str, Any]:
    out = _field("training_time", lang)
    if tt is None:
        return {**out, **_missing("training_time", "compliance.provide.training_time", lang),
                "bucket": None, "bucket_label": None, "wall_clock_days": None, "hardware_days": None,
                "hardware": None, "hardware_unit": None}
    days = tt.wall_hours.central / 24.0
    hw_days = tt.device_hours.central / 24.0
    unit = t(f"compliance.hardware_days.{tt.devices}", lang)
    bucket = bucket_of(days)
    return {
        **out, "filled": True, "obtained": tt.obtained, "obtained_label": _obtained(tt.obtained, lang),
        "how": localise(tt.how, lang), "bucket": bucket, "bucket_label": t(f"compliance.bucket.{bucket}", lang),
        **_q("wall_clock_days", tt.wall_hours, 1 / 24.0), **_q("hardware_days", tt.device_hours, 1 / 24.0),
        "hardware": tt.hardware, "hardware_unit": unit,
        "wall_clock_days_text": t("compliance.value.days", lang, days=N.number(days, lang, 3)),
        "hardware_days_text": f"{N.number(hw_days, lang, 3)} {unit}",
    }


def _computation(c: Computation | None, lang: str) -> dict[str, Any]:
    out = _field("training_computation", lang)
    if c is None:
        return {**out, **_missing("training_computation", "compliance.provide.training_computation", lang),
                "flop": None, "flop_low": None, "flop_high": None, "text": None, "order_of_magnitude": None,
                "order_text": None, "significant_figures": None}
    exponent = order_of_magnitude(c.flop.central)
    return {
        **out, "filled": True, "obtained": c.obtained, "obtained_label": _obtained(c.obtained, lang),
        "how": localise(c.how, lang), **_q("flop", c.flop), "significant_figures": 2,
        "text": flop_text(c.flop.central, lang), "order_of_magnitude": exponent,
        "order_text": t("compliance.value.order", lang, power=power_of_ten(exponent)),
        "range_text": "" if c.flop.is_exact else t("compliance.value.flop_range", lang, low=flop_text(
            c.flop.low, lang), high=flop_text(c.flop.high, lang)),
    }


def _energy_figure(e: Energy, lang: str) -> dict[str, Any]:
    return {
        **_q("mwh", e.kwh, 1 / 1000.0), "text": mwh_text(e.kwh.central, lang), "significant_figures": 2,
        "range_text": "" if e.kwh.is_exact else N.span(e.kwh, "kWh", lang),
        "boundary": e.boundary, "boundary_label": t(f"compliance.boundary.{e.boundary}", lang),
        "obtained": e.obtained, "obtained_label": _obtained(e.obtained, lang), "how": localise(e.how, lang),
        "pue": None if e.pue is None else e.pue.central, "pue_sources": list(e.pue_sources),
        **_q("co2e_t", e.co2e_kg, 1 / 1000.0),
    }


def _energy(inp: ComplianceInput, lang: str) -> dict[str, Any]:
    out = _field("training_energy", lang)
    if inp.energy is None:
        reason = inp.energy_na or ""
        return {**out, **_missing("training_energy", "compliance.provide.training_energy", lang, reason),
                "mwh": None, "mwh_low": None, "mwh_high": None,
                "text": "N/A", "na_reason": localise(reason, lang), "boundary": None, "complete": None}
    figure = _energy_figure(inp.energy, lang)
    return {**out, "filled": True, **figure, "na_reason": None,
            "complete": None if inp.complete is None else _energy_figure(inp.complete, lang)}


def _inference(inf: Inference | None, lang: str) -> dict[str, Any]:
    out = _field("inference_computation", lang)
    empty = {"flop": None, "flop_low": None, "flop_high": None, "text": None, "task": None, "hardware": None}
    if inf is None:
        return {**out, **_missing("inference_computation", "compliance.provide.inference", lang), **empty}
    task, hardware = localise(inf.task, lang), localise(inf.hardware, lang)
    row = {**out, "filled": bool(task and hardware), "obtained": inf.obtained,
           "obtained_label": _obtained(inf.obtained, lang), "how": localise(inf.how, lang), **_q("flop", inf.flop),
           "significant_figures": 2, "text": flop_text(inf.flop.central, lang), "task": task or None,
           "hardware": hardware or None}
    if not row["filled"]:
        row["provide"] = t("compliance.provide.inference_task", lang)
    return row


def _views(fields: dict[str, dict[str, Any]], lang: str) -> dict[str, list[dict[str, str]]]:
    """What each recipient reads, item by item, in ``lang``."""
    na = t("compliance.value.not_filled", lang)
    tt, comp, energy, meth, inf = (fields[k] for k in FIELDS)
    energy_text = energy["text"] if energy["filled"] else f"N/A ({energy['na_reason'] or na})"
    if energy["filled"]:
        energy_text += " — " + energy["boundary_label"]
    inf_text = na if inf["text"] is None else t("compliance.value.inference", lang, flop=inf["text"],
                                                   task=inf["task"] or na, hardware=inf["hardware"] or na)
    common = [
        {"field": "training_energy", "label": energy["label"], "value": energy_text},
        {"field": "energy_methodology", "label": meth["label"], "value": meth["text"]},
        {"field": "inference_computation", "label": inf["label"], "value": inf_text},
    ]
    aio_time = na if not tt["filled"] else t("compliance.value.time_aio", lang, days=tt["wall_clock_days_text"],
                                             hardware_days=tt["hardware_days_text"], hardware=tt["hardware"])
    return {
        "ai_office": [{"field": "training_time", "label": tt["label"], "value": aio_time},
                      {"field": "training_computation", "label": comp["label"], "value": comp["text"] or na},
                      *common],
        "national_authorities": [
            {"field": "training_time", "label": tt["label"], "value": tt["bucket_label"] or na},
            {"field": "training_computation", "label": comp["label"], "value": comp["order_text"] or na},
            *common],
    }


def _sources(ids: tuple[str, ...]) -> list[dict[str, Any]]:
    out = []
    for sid in ids:
        src = refdata.get_source(sid)
        out.append({"id": sid, "title": src.title if src else "", "publisher": src.publisher if src else "",
                    "year": src.year if src else None, "url": src.url if src else ""})
    return out


def eu_form(inp: ComplianceInput, lang: str = "en") -> dict[str, Any]:
    """The Model Documentation Form's energy and computation items for ``inp``, in ``lang``.

    The keys are listed in ``docs/compliance.md``; a field that could not be filled has ``filled: false``
    and says what to ``provide``."""
    meth_text = methodology(inp, lang)
    fields = {
        "training_time": _time(inp.time, lang),
        "training_computation": _computation(inp.computation, lang),
        "training_energy": _energy(inp, lang),
        "energy_methodology": {**_field("energy_methodology", lang), "filled": bool(meth_text), "obtained": "generated",
                               "obtained_label": _obtained("generated", lang), "text": meth_text,
                               "words": len(meth_text.split())},
        "inference_computation": _inference(inp.inference, lang),
    }
    missing = [{"field": k, "label": f["label"], "provide": f["provide"]} for k, f in fields.items()
               if not f["filled"] and f.get("provide")]
    ids = tuple(dict.fromkeys((*inp.sources, *inp.intensity_sources, *(inp.energy.pue_sources if inp.energy else ()),
                               "eu-ai-act-2024", "gpai-code-of-practice-2025")))
    return {
        "form": "eu-ai-act-model-documentation",
        "version": FORM_VERSION,
        "language": lang,
        "generator": f"aiceberg {__version__}",
        "title": t("compliance.form.title", lang),
        "subject": {"kind": inp.kind, "name": inp.name, "title": localise(inp.title, lang), "activity": inp.activity},
        "basis": t("compliance.form.basis", lang),
        "fields": fields,
        "views": _views(fields, lang),
        "missing": missing,
        "left_out": [localise(x, lang) for x in inp.left_out],
        "sensors": [{"name": n, "status": s} for n, s in inp.sensors],
        "sources": _sources(ids),
    }
