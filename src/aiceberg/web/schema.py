"""One description of each calculator's fields: used to validate forms and JSON, draw the forms and
write the OpenAPI document. No web framework is imported here.

Every word a person reads is a catalog message (``aiceberg.i18n``, keys ``web.field.*``, ``web.hint.*``,
``web.error.*``, ``web.accepted.*``), rendered in the reader's language by the page or the API.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiceberg import refdata
from aiceberg.errors import InputError
from aiceberg.i18n import Msg
from aiceberg.i18n.parse import parse_number, parse_number_or_range
from aiceberg.model import daily
from aiceberg.model.defaults import factor
from aiceberg.model.inputs import BOUNDS, Bound
from aiceberg.refdata import follows_data

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
        bound: the accepted numbers (``aiceberg.model.inputs.Bound``); ``shared``: the engine's own
            bound for this input (``BOUNDS``), so the web refuses what the engine refuses, in its words.
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
    bound: Bound | None = None
    shared: bool = False
    required: bool = False
    ranged: bool = False

    def accepted(self, form: bool = False) -> Msg | str:
        """What the field accepts (a catalog message; a list of choices is the same in every language).

        A field bounded by the engine's table says it in the engine's words (``Bound.accepted``), with how
        a range is written in a form or in JSON."""
        if self.choices is not None:
            return ", ".join(self.choices)
        if self.kind == "string" and self.ranged:  # the PUE: a number, a range or a class
            return Msg("web.accepted.pue")
        if self.bound is not None and self.shared:
            out = self.bound.accepted()
            if self.ranged:
                out = Msg("web.accepted.range_form" if form else "web.accepted.range_json", base=out)
            return out
        if self.bound is not None:
            what = Msg("web.accepted.integer" if self.bound.whole else "web.accepted.number")
            return Msg("web.accepted.between", what=what, op="≥" if self.bound.inclusive else ">",
                       min=self.bound.minimum, max=self.bound.maximum)
        if self.kind in ("number", "integer"):
            return Msg("web.accepted.number")
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
            if self.bound is not None:
                num["minimum" if self.bound.inclusive else "exclusiveMinimum"] = self.bound.minimum
                num["maximum"] = self.bound.maximum
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


@follows_data  # a cache emptied when the reference data changes (refdata.set_data_dir)
def _ids(table: str) -> tuple[str, ...]:
    return tuple(r.id for r in refdata.load_table(table))


def _f(name: str, kind: str, label: str | None = None, hint: Msg | str | None = None, **kw: Any) -> Field:
    """A field whose label is ``web.field.<label or name>`` and whose help is ``web.hint.<hint>``."""
    hint_msg = Msg(f"web.hint.{hint}") if isinstance(hint, str) else hint
    return Field(name, kind, Msg(f"web.field.{label or name}"), hint_msg, **kw)


def _n(name: str, engine_name: str | None = None, **kw: Any) -> Field:
    """A number the engine takes, bounded by the engine's table (``BOUNDS[engine_name or name]``): a whole
    number for a count, else a number that also takes a range."""
    bound = BOUNDS[engine_name or name]
    kind = "integer" if bound.whole else "number"
    return _f(name, kind, bound=bound, shared=True, ranged=not bound.whole, **kw)


def _lang() -> Field:
    return _f("lang", "string", default="en", choices=("en", "fr"))


def _location(default: str) -> list[Field]:
    return [_f("location", "string", hint="location", form_default=default, suggest="zones"),
            _n("intensity", "intensity_g_per_kwh", hint="intensity")]


def _pue() -> Field:
    default = refdata.get_pue("unknown").pue
    return _f("pue", "string", hint=Msg("web.hint.pue", default=default), suggest="pue", ranged=True,
              bound=BOUNDS["pue"], shared=True)


def _embodied() -> Field:
    return _f("embodied", "boolean", default=True)


def _per_request(default_task: str) -> list[Field]:
    return [
        _f("task", "string", hint="task", form_default=default_task, choices=_ids("inference")),
        _n("wh_per_request"), _n("parameters_b"), _n("output_tokens"),
    ]


def _client() -> list[Field]:
    return [
        _n("data_gb"),
        _f("network", "string", "access_network", default="fixed", choices=_ids("network")),
        _f("device", "string", "user_device", choices=_ids("devices")),
        _n("device_seconds"),
    ]


def _mfu_hint() -> Msg:
    q = factor("mfu").value
    return Msg("web.hint.mfu", central=q.central, low=q.low, high=q.high)


@follows_data  # a cache emptied when the reference data changes (refdata.set_data_dir)
def _endpoints() -> dict[str, tuple[Field, ...]]:
    training = (
        _f("hardware", "string", hint="hardware", form_default="a100", suggest="hardware", required=True),
        _n("count", default=1, form_default=8),
        _n("hours", hint="hours", form_default=24),
        _n("gpu_hours"),
        _n("flops", hint="flops"),
        _n("mfu", hint=_mfu_hint()),
        _n("power_w", hint="power_w"),
        *_location("FR"), _pue(), _embodied(), _lang(),
    )
    inference = (*_per_request("chatgpt-gpt4o-query-epoch"),
                 _n("requests", default=1, form_default=1000),
                 *_location("US"), _pue(), *_client(), _embodied(), _lang())
    usage = (_n("users", form_default=100e6),
             _n("requests_per_day", "requests_per_user_per_day", form_default=10),
             _n("days", default=1, form_default=30),
             *_per_request("bloom-api-request"),
             *_location("US"), _pue(), *_client(), _embodied(), _lang())
    devices = _ids("devices")
    my_day = (
        _f("prompts_per_day", "number", default=10.0, bound=Bound(0, 1e4, inclusive=True)),
        _f("chatbot", "string", hint="chatbot", default="spread", choices=("spread", *daily.CHATBOT_FIGURES)),
        _f("images_per_day", "number", default=1.0, bound=Bound(0, 1e4, inclusive=True)),
        _f("video_hours_per_day", "number", default=1.0, bound=Bound(0, 24, inclusive=True)),
        _f("device", "string", "main_device", default="smartphone", choices=devices),
        _f("device_years", "number", hint="device_years", bound=Bound(0.1, 50, inclusive=True)),
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


def _number_error(f: Field, exc: InputError, form: bool) -> FieldError:
    """A number the parser refused: its words (a decimal comma in English says so), the field's accepted values."""
    return FieldError(f.name, exc.message, f.accepted(form))


def _in_bounds(f: Field, values: tuple[float, ...], form: bool) -> FieldError | None:
    for x in values:
        if not math.isfinite(x):
            return FieldError(f.name, Msg("web.error.not_finite"), f.accepted(form))
        if f.bound is not None and not f.bound.contains(x):
            low = x < f.bound.minimum or (x == f.bound.minimum and not f.bound.inclusive)
            key = "web.error.too_small" if low else "web.error.too_large" if x > f.bound.maximum \
                else "web.error.not_whole"
            return FieldError(f.name, Msg(key, value=x), f.accepted(form))
    return None


def _looks_numeric(text: str) -> bool:
    return bool(re.match(r"\s*[-+]?[0-9.,]", text)) or ":" in text


def _check_value(f: Field, value: Any, form: bool, lang: str) -> tuple[Any, FieldError | None]:
    def bad(msg: Msg) -> tuple[Any, FieldError]:
        return None, FieldError(f.name, msg, f.accepted(form))

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
    if f.kind in ("number", "integer") or (f.ranged and isinstance(value, str) and _looks_numeric(value)):
        parsed: Any = value
        if isinstance(value, str) and (form or f.kind == "string"):
            try:  # the language's rule: "1,5" is 1.5 in French, refused with a hint in English
                parsed = (parse_number_or_range if f.ranged else parse_number)(value, f.name, lang)
            except InputError as exc:
                return None, _number_error(f, exc, form)
        if isinstance(parsed, list) and f.ranged:
            if len(parsed) != 3:
                return bad(Msg("web.error.range_count", n=len(parsed)))
            if any(isinstance(x, bool) or not isinstance(x, (int, float)) for x in parsed):
                return bad(Msg("web.error.range_numbers"))
            parsed = tuple(float(x) for x in parsed)
        if isinstance(parsed, tuple):
            err = _in_bounds(f, parsed, form)
            if err is None and not parsed[0] <= parsed[1] <= parsed[2]:
                err = FieldError(f.name, Msg("web.error.range_order", low=parsed[0], central=parsed[1],
                                             high=parsed[2]), f.accepted(form))
            return (None, err) if err else (parsed, None)
        if isinstance(parsed, bool) or not isinstance(parsed, (int, float)):
            return bad(Msg("web.error.expected_number"))
        err = _in_bounds(f, (float(parsed),), form)
        if err:
            return None, err
        if f.kind == "integer":
            if parsed != math.floor(parsed):
                return bad(Msg("web.error.not_whole", value=parsed))
            return int(parsed), None
        return parsed, None
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


def _neutral(x: float) -> str:
    """A number as both languages read it: digits and a decimal point, no grouping (``1.5``, ``100000000``)."""
    return str(int(x)) if x == int(x) and abs(x) < 1e15 else repr(float(x))


def neutral_query(endpoint: str, query: Sequence[tuple[str, str]], lang: str) -> list[tuple[str, str]]:
    """The form's parameters with each number typed under ``lang``'s rule rewritten so that both languages
    read it (``1,5`` → ``1.5``): the language switch keeps the result, not a number the other refuses."""
    numeric = {f.name for f in fields_of(endpoint) if f.kind in ("number", "integer") or f.ranged}
    out = []
    for key, text in query:
        if key in numeric and text.strip():
            try:
                value = parse_number_or_range(text, key, lang)
            except InputError:
                pass  # not a number here either (a PUE class, a typo): kept as typed
            else:
                text = ":".join(map(_neutral, value)) if isinstance(value, tuple) else _neutral(value)
        out.append((key, text))
    return out


def check_fields(endpoint: str, data: Any, *, form: bool = False,
                 lang: str = "en") -> tuple[dict[str, Any], list[FieldError], set[str]]:
    """Check each field of ``data`` alone (type, bounds, range); return the good values (defaults filled
    in), one error per bad field, and the fields the user gave. The rules between fields and the names
    to match come next: :func:`aiceberg.web.checks.validate` runs both.

    ``form`` data comes as strings, read under ``lang``'s rule for numbers (``aiceberg.i18n.parse``: a
    decimal comma in French, a point in English; empty means missing); JSON data must have the right
    types. Unknown fields are refused.
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
        v, err = _check_value(f, value, form, lang)
        if err:
            errors.append(err)
        else:
            out[name] = v
    return out, errors, given
