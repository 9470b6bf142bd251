"""The calculators' calls into the engine, shared by the HTML pages and the JSON API (no web framework)."""

from __future__ import annotations

from functools import cache
from typing import Any

from aiceberg.cases import get_case
from aiceberg.errors import InputError, UnknownNameError
from aiceberg.explain.daily import daily_dict
from aiceberg.explain.render import footprint_dict
from aiceberg.model.daily import my_ai_day
from aiceberg.model.footprint import Footprint
from aiceberg.model.inference import estimate_inference, estimate_usage
from aiceberg.model.training import estimate_training
from aiceberg.web.schema import FieldError, fields_of

__all__ = ["api_field", "compute", "error_of", "result_dict"]

_ALIASES = {"device_hours": "device_seconds", "device_lifetime_years": "device_years",
            "intensity": "location", "intensity_g_per_kwh": "intensity",
            "requests_per_user_per_day": "requests_per_day"}


def api_field(endpoint: str, engine_field: str) -> str:
    """The API's name for a field the engine names (``--hours`` → ``hours``): the field of that name,
    else its alias (an ``intensity`` error goes to ``location`` where there is no intensity field)."""
    name = engine_field.lstrip("-").replace("-", "_")
    known = {f.name for f in fields_of(endpoint)}
    if name in known:
        return name
    name = _ALIASES.get(name, name)
    return name if name in known else "body"


def error_of(endpoint: str, exc: Exception, lang: str = "en") -> FieldError:
    """A ``FieldError`` for an engine error, in ``lang`` where a translation is known."""
    if isinstance(exc, InputError):
        field = api_field(endpoint, exc.field)
        accepted = exc.accepted
        if lang == "fr":
            if isinstance(exc, UnknownNameError):
                msg = f"« {exc.name} » est inconnu"
                if exc.suggestions:
                    msg += " ; vouliez-vous dire " + ", ".join(exc.suggestions) + " ?"
            elif "exactly one" in exc.reason:
                msg = "donnez une seule de ces valeurs, pas plusieurs ni aucune (" + exc.reason + ")"
            elif exc.field == "intensity" and "not both" in exc.reason:
                msg = "donnez l'origine de l'électricité ou une intensité, pas les deux : videz l'origine"
                accepted = "une intensité en gCO2e/kWh sans origine, ou une origine sans intensité"
            elif exc.field == "mfu" and "with flops" in exc.reason.lower():
                msg = "le MFU ne sert qu'avec des FLOPs"
                accepted = "des FLOPs avec lui, ou pas de MFU"
            else:
                msg = "valeur refusée : " + exc.reason
        else:
            msg = exc.reason
        return FieldError(field, msg, accepted)
    msg = "la combinaison de valeurs est hors des bornes du modèle" if lang == "fr" else \
        "the values are out of the model's bounds"
    return FieldError("body", f"{msg} ({exc})", None)


def _common(v: dict[str, Any]) -> dict[str, Any]:
    """Where the electricity comes from (a location or an explicit intensity), the PUE, manufacturing."""
    location, intensity = v.get("location"), v.get("intensity")
    if location is not None and intensity is not None:
        raise InputError("intensity", "give a location or an intensity, not both: empty the location",
                         "an intensity in gCO2e/kWh with no location, or a location with no intensity")
    return {"location": location, "intensity_g_per_kwh": intensity, "pue": v.get("pue"),
            "embodied": v.get("embodied", True)}


def compute(endpoint: str, v: dict[str, Any]) -> Any:
    """Run a calculator on validated values: a ``Footprint``, or a ``DailyResult`` for my-ai-day.

    Raises:
        InputError: the engine refused a value.
    """
    if endpoint == "training":
        if v["mfu"] is not None and v["flops"] is None:
            raise InputError("mfu", "the MFU is used with FLOPs only", "FLOPs with it, or no MFU")
        return estimate_training(v["hardware"], count=v["count"], hours=v["hours"], gpu_hours=v["gpu_hours"],
                                 flops=v["flops"], mfu=v["mfu"], power_w=v["power_w"], title="Training",
                                 **_common(v))
    if endpoint in ("inference", "usage"):
        per = {"wh_per_request": v["wh_per_request"], "task": v["task"], "parameters_b": v["parameters_b"],
               "output_tokens": v["output_tokens"], "data_gb": v["data_gb"], "network": v["network"] or "fixed",
               "device": v["device"], "device_seconds": v["device_seconds"], **_common(v)}
        if per["device"] is not None and per["device_seconds"] is None:
            raise InputError("device_seconds", "the device needs the seconds of use per request", "a number > 0")
        if endpoint == "inference":
            return estimate_inference(requests=v["requests"], title="Inference", **per)
        return estimate_usage(users=v["users"], requests_per_user_per_day=v["requests_per_day"], days=v["days"],
                              title="Usage at scale", **per)
    if endpoint == "my-ai-day":
        return my_ai_day(prompts_per_day=float(v["prompts_per_day"]), images_per_day=float(v["images_per_day"]),
                         video_hours_per_day=float(v["video_hours_per_day"]), chatbot=v["chatbot"],
                         device=v["device"], device_years=None if v["device_years"] is None
                         else float(v["device_years"]), other_devices=tuple(v["other_devices"] or ()),
                         network=v["network"], country=v["country"])
    raise KeyError(endpoint)


def result_dict(endpoint: str, result: Any, lang: str) -> dict[str, Any]:
    """The JSON answer: ``footprint_dict`` (the CLI's contract), or the my-ai-day result's dict."""
    if isinstance(result, Footprint):
        return footprint_dict(result, lang)
    return daily_dict(result, lang)


@cache
def case_result(name: str) -> Any:
    """A case's result, computed once per process."""
    return get_case(name).run()
