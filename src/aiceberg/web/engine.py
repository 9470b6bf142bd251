"""The calculators' calls into the engine, shared by the HTML pages and the JSON API (no web framework)."""

from __future__ import annotations

from typing import Any

from aiceberg.cases import get_case
from aiceberg.errors import InputError, UnknownNameError
from aiceberg.explain.daily import daily_dict
from aiceberg.explain.render import footprint_dict
from aiceberg.i18n import Msg, t
from aiceberg.model.daily import my_ai_day
from aiceberg.model.footprint import Footprint
from aiceberg.model.inference import estimate_inference, estimate_usage
from aiceberg.model.training import estimate_training
from aiceberg.refdata import follows_data
from aiceberg.web.checks import unknown_name
from aiceberg.web.schema import FieldError, fields_of

__all__ = ["api_field", "compute", "error_of", "result_dict"]

#: The engine's names of the parameters the calculators pass under another name (the keyword the
#: engine's function takes, or the name its error gives), and the calculator's field they come from.
#: Every other field has the engine's name.
ENGINE_NAMES = {"intensity_g_per_kwh": "intensity", "requests_per_user_per_day": "requests_per_day",
                "device_hours": "device_seconds", "device_lifetime_years": "device_years"}


def api_field(endpoint: str, engine_field: str) -> str:
    """The calculator's field that an engine error names (``--hours`` or ``hours`` → ``hours``,
    ``intensity_g_per_kwh`` → ``intensity``); ``body`` when no field of the calculator matches."""
    name = engine_field.lstrip("-").replace("-", "_")
    name = ENGINE_NAMES.get(name, name)
    return name if name in {f.name for f in fields_of(endpoint)} else "body"


def error_of(endpoint: str, exc: Exception) -> FieldError:
    """A ``FieldError`` for an error of the engine: its catalog message (rendered later in the reader's
    language) on the calculator's field; an unknown name in the web's words, with the suggestions."""
    if isinstance(exc, UnknownNameError):
        return FieldError(api_field(endpoint, exc.field), unknown_name(exc), exc.accepted_msg)
    if isinstance(exc, InputError):
        return FieldError(api_field(endpoint, exc.field), exc.message, exc.accepted_msg)
    return FieldError("body", Msg("web.error.out_of_bounds", detail=str(exc) or type(exc).__name__))


def _common(v: dict[str, Any]) -> dict[str, Any]:
    """Where the electricity comes from (a location or an explicit intensity), the PUE, manufacturing."""
    return {"location": v.get("location"), "intensity_g_per_kwh": v.get("intensity"), "pue": v.get("pue"),
            "embodied": v.get("embodied", True)}


def _title(endpoint: str, v: dict[str, Any]) -> str:
    """The calculator's name in the request's language: the result's title."""
    return t(f"web.{endpoint}", v.get("lang") or "en")


def compute(endpoint: str, v: dict[str, Any]) -> Any:
    """Run a calculator on validated values (``schema.validate``, which also checked the rules between
    fields): a ``Footprint``, or a ``DailyResult`` for my-ai-day.

    Raises:
        InputError: the engine refused a value.
    """
    if endpoint == "training":
        return estimate_training(v["hardware"], count=v["count"], hours=v["hours"], gpu_hours=v["gpu_hours"],
                                 flops=v["flops"], mfu=v["mfu"], power_w=v["power_w"], title=_title("training", v),
                                 **_common(v))
    if endpoint in ("inference", "usage"):
        per = {"wh_per_request": v["wh_per_request"], "task": v["task"], "parameters_b": v["parameters_b"],
               "output_tokens": v["output_tokens"], "data_gb": v["data_gb"],
               # the form always sends an access network; the engine refuses one without data to carry
               "network": (v["network"] or "fixed") if v["data_gb"] is not None else None,
               "device": v["device"], "device_seconds": v["device_seconds"], **_common(v)}
        if endpoint == "inference":
            return estimate_inference(requests=v["requests"], title=_title("inference", v), **per)
        return estimate_usage(users=v["users"], requests_per_user_per_day=v["requests_per_day"], days=v["days"],
                              title=_title("usage", v), **per)
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


@follows_data  # a cache emptied when the reference data changes (refdata.set_data_dir)
def case_result(name: str) -> Any:
    """A case's result, computed once per process."""
    return get_case(name).run()
