"""One description of each calculator's fields: used to validate forms and JSON, draw the forms and
write the OpenAPI document. No web framework is imported here.

Every word a person reads is a catalog message (``aiceberg.i18n``, keys ``web.field.*``, ``web.hint.*``,
``web.error.*``, ``web.accepted.*``), rendered in the reader's language by the page or the API.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from aiceberg import refdata
from aiceberg.i18n import Msg
from aiceberg.model import daily
from aiceberg.model.defaults import factor

__all__ = ["NAMES", "Field", "FieldError", "ValidationFailed", "check_fields", "fields_of", "label_of"]

MAX_TEXT = 120
MAX_ITEMS = 10


@dataclass(frozen=True)
class Field:
    """One input field.

    Attributes:
        kind: ``number``, ``integer``, ``string``, ``boolean`` or ``array`` (of ``choices``).
        label / hint: catalog messages: the form's label and the help under the field.
        choices: the accepted values (an enum), or None.
        suggest: a table whose ids are suggested (``hardware``, ``zones``) without restricting.
        minimum / maximum: bounds of a number; ``exclusive`` makes the minimum strict.
        default: the value used when the field is missing (None: left to the engine).
        form_default: the value the empty form shows (a worked example), else ``default``.
        ranged: a number that also accepts a range: ``LOW:CENTRAL:HIGH`` in a form, ``[low, central,
            high]`` in JSON (validated to the tuple ``(low, central, high)``). On a text field (the PUE),
            the text ``LOW:CENTRAL:HIGH`` is accepted in forms and JSON.
    """

    name: str
    kind: str
    label: Msg
    hint: Msg | None = None
    default: Any = None
    form_default: Any = None
    choices: tuple[str, ...] | None = None
    suggest: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive: bool = False
    required: bool = False
    ranged: bool = False

    def accepted(self, form: bool = False) -> Msg | str:
        """What the field accepts (a catalog message; a list of choices is the same in every language)."""
        if self.choices is not None:
            return ", ".join(self.choices)
        if self.kind in ("number", "integer"):
            what = Msg("web.accepted.integer" if self.kind == "integer" else "web.accepted.number")
            op = ">" if self.exclusive else "≥"
            if self.minimum is not None and self.maximum is not None:
                out = Msg("web.accepted.between", what=what, op=op, min=self.minimum, max=self.maximum)
            elif self.minimum is not None:
                out = Msg("web.accepted.at_least", what=what, op=op, min=self.minimum)
            elif self.maximum is not None:
                out = Msg("web.accepted.at_most", what=what, max=self.maximum)
            else:
                out = what
            if self.ranged:
                out = Msg("web.accepted.or_range_form" if form else "web.accepted.or_range_json", base=out)
            return out
        if self.kind == "boolean":
            return "true, false"
        return Msg("web.accepted.text", max=MAX_TEXT)

    def json_schema(self) -> dict[str, Any]:
        s: dict[str, Any]
        if self.kind == "array":
            s = {"type": "array", "items": {"type": "string", "enum": list(self.choices or ())},
                 "maxItems": MAX_ITEMS, "uniqueItems": False}
        elif self.choices is not None:
            s = {"type": "string", "enum": list(self.choices)}
        elif self.kind in ("number", "integer"):
            num: dict[str, Any] = {"type": self.kind}
            if self.minimum is not None:
                num["exclusiveMinimum" if self.exclusive else "minimum"] = self.minimum
            if self.maximum is not None:
                num["maximum"] = self.maximum
            s = num if not self.ranged else {"oneOf": [
                num, {"type": "array", "items": dict(num), "minItems": 3, "maxItems": 3,
                      "description": "a range [low, central, high], low ≤ central ≤ high"}]}
        elif self.kind == "boolean":
            s = {"type": "boolean"}
        else:
            s = {"type": "string", "minLength": 1, "maxLength": MAX_TEXT}
        if self.default is not None:
            s["default"] = list(self.default) if isinstance(self.default, tuple) else self.default
        s["description"] = self.label.render("en") + (f". {self.hint.render('en')}" if self.hint else "") + (
            ". A number, or a range [low, central, high]" if self.ranged and self.kind == "number" else
            ". A range is the text LOW:CENTRAL:HIGH" if self.ranged else "")
        return s


@dataclass(frozen=True)
class FieldError:
    """What is wrong with one field (named by its API name) and what it accepts, rendered later."""

    field: str
    message: Msg | str
    accepted: Msg | str | None = None

    def text(self, lang: str) -> str:
        return _render(self.message, lang)

    def accepted_text(self, lang: str) -> str | None:
        return None if self.accepted is None else _render(self.accepted, lang)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The API's form: the field, the message and the accepted values in ``lang``, and the message's
        catalog key (``code``; ``null`` for an English text from below that has no key yet)."""
        return {"field": self.field, "message": self.text(lang), "accepted": self.accepted_text(lang),
                "code": self.message.key if isinstance(self.message, Msg) else None}


def _render(x: Msg | str, lang: str) -> str:
    return x.render(lang) if isinstance(x, Msg) else str(x)


class ValidationFailed(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.text('en')}" for e in errors))


@cache
def _ids(table: str) -> tuple[str, ...]:
    return tuple(r.id for r in refdata.load_table(table))


def _f(name: str, kind: str, label: str | None = None, hint: Msg | str | None = None, **kw: Any) -> Field:
    """A field whose label is ``web.field.<label or name>`` and whose help is ``web.hint.<hint>``."""
    hint_msg = Msg(f"web.hint.{hint}") if isinstance(hint, str) else hint
    return Field(name, kind, Msg(f"web.field.{label or name}"), hint_msg, **kw)


def _lang() -> Field:
    return _f("lang", "string", default="en", choices=("en", "fr"))


def _location(default: str) -> list[Field]:
    return [_f("location", "string", hint="location", form_default=default, suggest="zones"),
            _f("intensity", "number", hint="intensity", minimum=0, maximum=1e4, ranged=True)]


def _pue() -> Field:
    default = refdata.get_pue("unknown").pue
    return _f("pue", "string", hint=Msg("web.hint.pue", default=default), suggest="pue", ranged=True)


def _embodied() -> Field:
    return _f("embodied", "boolean", default=True)


def _per_request(default_task: str) -> list[Field]:
    return [
        _f("task", "string", hint="task", form_default=default_task, choices=_ids("inference")),
        _f("wh_per_request", "number", minimum=0, exclusive=True, maximum=1e7, ranged=True),
        _f("parameters_b", "number", minimum=0, exclusive=True, maximum=1e5, ranged=True),
        _f("output_tokens", "number", minimum=0, exclusive=True, maximum=1e7, ranged=True),
    ]


def _client() -> list[Field]:
    return [
        _f("data_gb", "number", minimum=0, maximum=1e6, ranged=True),
        _f("network", "string", "access_network", default="fixed", choices=_ids("network")),
        _f("device", "string", "user_device", choices=_ids("devices")),
        _f("device_seconds", "number", minimum=0, exclusive=True, maximum=1e7, ranged=True),
    ]


def _mfu_hint() -> Msg:
    q = factor("mfu").value
    return Msg("web.hint.mfu", central=q.central, low=q.low, high=q.high)


@cache
def _endpoints() -> dict[str, tuple[Field, ...]]:
    training = (
        _f("hardware", "string", hint="hardware", form_default="a100", suggest="hardware", required=True),
        _f("count", "integer", default=1, form_default=8, minimum=1, maximum=1e7),
        _f("hours", "number", hint="hours", form_default=24, minimum=0, exclusive=True, maximum=1e7, ranged=True),
        _f("gpu_hours", "number", minimum=0, exclusive=True, maximum=1e12, ranged=True),
        _f("flops", "number", hint="flops", minimum=0, exclusive=True, maximum=1e32, ranged=True),
        _f("mfu", "number", hint=_mfu_hint(), minimum=0, exclusive=True, maximum=1, ranged=True),
        _f("power_w", "number", hint="power_w", minimum=0, exclusive=True, maximum=1e5, ranged=True),
        *_location("FR"), _pue(), _embodied(), _lang(),
    )
    inference = (*_per_request("chatgpt-gpt4o-query-epoch"),
                 _f("requests", "number", default=1, form_default=1000, minimum=0, exclusive=True, maximum=1e15),
                 *_location("US"), _pue(), *_client(), _embodied(), _lang())
    usage = (_f("users", "number", form_default=100e6, minimum=0, exclusive=True, maximum=1e10),
             _f("requests_per_day", "number", form_default=10, minimum=0, exclusive=True, maximum=1e6, ranged=True),
             _f("days", "number", default=1, form_default=30, minimum=0, exclusive=True, maximum=1e5, ranged=True),
             *_per_request("bloom-api-request"),
             *_location("US"), _pue(), *_client(), _embodied(), _lang())
    devices = _ids("devices")
    my_day = (
        _f("prompts_per_day", "number", default=10.0, minimum=0, maximum=1e4),
        _f("chatbot", "string", hint="chatbot", default="spread", choices=("spread", *daily.CHATBOT_FIGURES)),
        _f("images_per_day", "number", default=1.0, minimum=0, maximum=1e4),
        _f("video_hours_per_day", "number", default=1.0, minimum=0, maximum=24),
        _f("device", "string", "main_device", default="smartphone", choices=devices),
        _f("device_years", "number", hint="device_years", minimum=0.1, maximum=50),
        _f("other_devices", "array", default=(), choices=devices),
        _f("network", "string", "connection", default="wifi", choices=daily.NETWORKS),
        _f("country", "string", hint="country", default="FR", suggest="zones"),
        _lang(),
    )
    return {"training": training, "inference": inference, "usage": usage, "my-ai-day": my_day}


NAMES = ("training", "inference", "usage", "my-ai-day")


def fields_of(endpoint: str) -> tuple[Field, ...]:
    return _endpoints()[endpoint]


def label_of(endpoint: str, name: str) -> Msg:
    """The form's label of the field an API name names: the one place where an API name becomes words."""
    for f in fields_of(endpoint):
        if f.name == name:
            return f.label
    return Msg("web.field.body")


_NUM = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def parse_number(text: str) -> float | None:
    """A number typed in a form: ``1.5``, ``1,5`` (French), ``100 000``, ``1e6``, ``-3``; None if not one
    (a negative number is a number: the field's bounds then refuse it, saying so)."""
    t = text.strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace("_", "")
    if not _NUM.match(t):
        return None
    v = float(t.replace(",", "."))
    return v if math.isfinite(v) else None


def _check_value(f: Field, value: Any, form: bool) -> tuple[Any, FieldError | None]:
    def bad(msg: Msg) -> tuple[Any, FieldError]:
        return None, FieldError(f.name, msg, f.accepted(form))

    if f.ranged and f.kind == "number" and (isinstance(value, list) or (form and isinstance(value, str)
                                                                        and ":" in value)):
        return _check_range(f, value, form)
    if f.ranged and f.kind == "string" and isinstance(value, str) and ":" in value:
        return _check_range(f, value, True)

    if f.kind == "array":
        items = value if isinstance(value, list) else None
        if items is None or not all(isinstance(x, str) for x in items):
            return bad(Msg("web.error.expected_list"))
        if len(items) > MAX_ITEMS:
            return bad(Msg("web.error.too_many_items", n=MAX_ITEMS))
        for x in items:
            if f.choices is not None and x not in f.choices:
                return bad(Msg("web.error.unknown_value", value=x[:MAX_TEXT]))
        return tuple(items), None
    if f.kind in ("number", "integer"):
        if form and isinstance(value, str):
            v = parse_number(value)
            if v is None:
                return bad(Msg("web.error.not_a_number", value=value[:MAX_TEXT]))
            value = int(v) if f.kind == "integer" and v.is_integer() else v
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return bad(Msg("web.error.expected_number"))
        if f.kind == "integer" and not isinstance(value, int):
            return bad(Msg("web.error.not_whole", value=value) if math.isfinite(value)
                       else Msg("web.error.not_finite"))
        if not math.isfinite(value):
            return bad(Msg("web.error.not_finite"))
        bound = _bound_error(f, value)
        return (None, FieldError(f.name, bound, f.accepted(form))) if bound else (value, None)
    if f.kind == "boolean":
        if form and isinstance(value, str):
            low = value.strip().lower()
            if low in ("1", "true", "on", "yes", "oui"):
                return True, None
            if low in ("0", "false", "off", "no", "non"):
                return False, None
        if not isinstance(value, bool):
            return bad(Msg("web.error.expected_bool"))
        return value, None
    if not isinstance(value, str):
        return bad(Msg("web.error.expected_text", max=MAX_TEXT))
    value = value.strip()
    if not value or len(value) > MAX_TEXT:
        return bad(Msg("web.error.expected_text", max=MAX_TEXT))
    if f.choices is not None and value not in f.choices:
        return bad(Msg("web.error.unknown_value", value=value))
    return value, None


def _bound_error(f: Field, value: float) -> Msg | None:
    if f.minimum is not None and (value <= f.minimum if f.exclusive else value < f.minimum):
        return Msg("web.error.too_small", value=value)
    if f.maximum is not None and value > f.maximum:
        return Msg("web.error.too_large", value=value)
    return None


def _check_range(f: Field, value: str | list[Any], text: bool) -> tuple[Any, FieldError | None]:
    """A range: the text ``LOW:CENTRAL:HIGH`` (forms; French decimal commas accepted) or a JSON array
    ``[low, central, high]``; the tuple ``(low, central, high)``, each within the field's bounds."""
    def bad(msg: Msg) -> tuple[Any, FieldError]:
        return None, FieldError(f.name, msg, f.accepted(text))

    if isinstance(value, str):
        parts = value.split(":")
        if len(parts) != 3:
            return bad(Msg("web.error.not_a_range", value=value[:MAX_TEXT]))
        nums: list[float] = []
        for part in parts:
            v = parse_number(part)
            if v is None:
                return bad(Msg("web.error.range_part", part=part.strip()[:MAX_TEXT], value=value[:MAX_TEXT]))
            nums.append(v)
    else:
        if len(value) != 3:
            return bad(Msg("web.error.range_count", n=len(value)))
        if any(isinstance(x, bool) or not isinstance(x, (int, float)) for x in value):
            return bad(Msg("web.error.range_numbers"))
        nums = [float(x) for x in value]
    if not all(math.isfinite(x) for x in nums):
        return bad(Msg("web.error.not_finite"))
    for x in nums:
        bound = _bound_error(f, x)
        if bound:
            return None, FieldError(f.name, bound, f.accepted(text))
    lo, c, hi = nums
    if not lo <= c <= hi:
        return bad(Msg("web.error.range_order", low=lo, central=c, high=hi))
    return (lo, c, hi), None


def check_fields(endpoint: str, data: Any, *, form: bool = False) -> tuple[dict[str, Any], list[FieldError], set[str]]:
    """Check each field of ``data`` alone (type, bounds, range); return the good values (defaults filled
    in), one error per bad field, and the fields the user gave. The rules between fields and the names
    to match come next: :func:`aiceberg.web.checks.validate` runs both.

    ``form`` data comes as strings (numbers typed with a comma accepted, empty means missing);
    JSON data must have the right types. Unknown fields are refused.
    """
    fields = {f.name: f for f in fields_of(endpoint)}
    if not isinstance(data, dict):
        return {}, [FieldError("body", Msg("web.error.expected_object"), Msg("web.accepted.object"))], set()
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    given: set[str] = set()
    for key in data:
        if key not in fields:
            errors.append(FieldError(str(key)[:MAX_TEXT], Msg("web.error.unknown_field"), ", ".join(fields)))
    for name, f in fields.items():
        value = data.get(name)
        if not form and name in data and value is None:
            errors.append(FieldError(name, Msg("web.error.null"), f.accepted(form)))
            given.add(name)
            continue
        if form and isinstance(value, str) and not value.strip():
            value = None
        if form and f.kind == "array" and value is None:
            value = []
        if value is None:
            if f.required:
                errors.append(FieldError(name, Msg("web.error.required"), f.accepted(form)))
            out[name] = f.default
            continue
        if f.kind != "array" or value:
            given.add(name)
        v, err = _check_value(f, value, form)
        if err:
            errors.append(err)
        else:
            out[name] = v
    return out, errors, given
