"""The rules between a calculator's fields, and the names a field must match, checked before the engine
runs so that a form reports every bad field at once, in words about the form (not the command line's
``--hours, --gpu-hours, --flops``). The engine keeps its own checks: whatever slips through here
still comes back from it as an error on a field (``engine.error_of``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiceberg import refdata
from aiceberg.errors import InputError, UnknownNameError
from aiceberg.i18n import Msg
from aiceberg.web.schema import FieldError, ValidationFailed, check_fields

__all__ = ["cross_check", "unknown_name", "validate"]

_TIME = ("hours", "gpu_hours", "flops")
_PER_REQUEST = ("task", "wh_per_request", "parameters_b")


def validate(endpoint: str, data: Any, *, form: bool = False, lang: str = "en") -> dict[str, Any]:
    """Check ``data`` against the endpoint's fields and the rules between them; return the values,
    defaults filled in. Every bad field is reported, each once: its own type and bounds first
    (:func:`aiceberg.web.schema.check_fields`), then the names it must match and the rules between fields.

    Raises:
        ValidationFailed: with one ``FieldError`` per bad field.
    """
    values, errors, given = check_fields(endpoint, data, form=form, lang=lang)
    if isinstance(data, dict):
        bad = {er.field for er in errors}
        errors += cross_check(endpoint, values, given, bad)
    if errors:
        raise ValidationFailed(errors)
    return values


def unknown_name(exc: UnknownNameError) -> Msg:
    """"“Atlantis” is not known; did you mean …?" from the engine's error, in no language yet."""
    if exc.suggestions:
        return Msg("web.error.unknown_name_suggest", name=exc.name, suggestions=", ".join(exc.suggestions))
    return Msg("web.error.unknown_name", name=exc.name)


def cross_check(endpoint: str, values: dict[str, Any], given: set[str], bad: set[str]) -> list[FieldError]:
    """One error per field that breaks a rule or names something unknown; fields in ``bad`` (already
    refused for their type or bounds) are left out, and a rule that needs a refused field is not tried.

    Args:
        values: the fields that passed their own checks, defaults filled in.
        given: the fields the user filled in (valid or not).
    """
    errors: dict[str, FieldError] = {}

    def add(field: str, message: Msg, accepted: Msg | str | None = None) -> None:
        if field not in bad and field not in errors:
            errors[field] = FieldError(field, message, accepted)

    def known(field: str, lookup: Callable[[str, str], Any]) -> None:
        value = values.get(field)
        if field in given and field not in bad and isinstance(value, str):
            try:
                lookup(value, field)
            except UnknownNameError as exc:
                add(field, unknown_name(exc))
            except InputError as exc:
                errors.setdefault(field, FieldError(field, exc.message, exc.accepted_msg))

    def one_of(group: tuple[str, ...], message: str) -> None:
        chosen = [n for n in group if n in given]
        if len(chosen) != 1:
            for name in chosen or group[:1]:
                add(name, Msg(message))

    if endpoint == "training":
        known("hardware", refdata.get_hardware)
        one_of(_TIME, "web.error.one_time")
        if "mfu" in given and "flops" not in given:
            add("mfu", Msg("web.error.mfu_needs_flops"), Msg("web.accepted.mfu"))
    if endpoint in ("inference", "usage"):
        one_of(_PER_REQUEST, "web.error.one_per_request")
        if "parameters_b" in given and "output_tokens" not in given:
            add("output_tokens", Msg("web.error.parameters_need_tokens"), Msg("web.accepted.positive"))
        if "output_tokens" in given and "parameters_b" not in given:
            add("output_tokens", Msg("web.error.tokens_need_parameters"))
        if "device" in given and "device_seconds" not in given:
            add("device_seconds", Msg("web.error.device_needs_seconds"), Msg("web.accepted.positive"))
        if values.get("network") not in (None, "fixed") and "data_gb" not in given:
            add("network", Msg("web.error.network_needs_data"), Msg("web.accepted.network"))
        if "device_seconds" in given and "device" not in given:
            add("device", Msg("web.error.seconds_need_device"), ", ".join(refdata_ids("devices")))
    if endpoint in ("training", "inference", "usage"):
        if "location" in given and "intensity" in given:
            add("intensity", Msg("web.error.location_and_intensity"), Msg("web.accepted.location_or_intensity"))
        known("location", refdata.get_zone)
        _check_pue(values, given, bad, add)
    if endpoint == "my-ai-day":
        known("country", refdata.get_zone)
    return list(errors.values())


def refdata_ids(table: str) -> list[str]:
    return [r.id for r in refdata.load_table(table)]


def _check_pue(values: dict[str, Any], given: set[str], bad: set[str],
               add: Callable[[str, Msg, Msg | str | None], None]) -> None:
    """A PUE given as a class (``hyperscale``, ``google``) must be one the data knows (numbers and ranges
    were checked against their bounds with the other numbers)."""
    value = values.get("pue")
    if "pue" not in given or "pue" in bad or not isinstance(value, str):
        return
    try:
        refdata.get_pue(value, "pue")
    except UnknownNameError as exc:
        add("pue", unknown_name(exc), Msg("web.accepted.pue"))
