"""One description of each calculator's fields: used to validate forms and JSON, draw the forms and
write the OpenAPI document. No web framework is imported here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from aiceberg import refdata
from aiceberg.model import daily

__all__ = ["ENDPOINTS", "Field", "FieldError", "ValidationFailed", "fields_of", "validate"]

MAX_TEXT = 120


@dataclass(frozen=True)
class Field:
    """One input field.

    Attributes:
        kind: ``number``, ``integer``, ``string``, ``boolean`` or ``array`` (of ``choices``).
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
    en: str
    fr: str
    help_en: str = ""
    help_fr: str = ""
    default: Any = None
    form_default: Any = None
    choices: tuple[str, ...] | None = None
    suggest: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive: bool = False
    required: bool = False
    ranged: bool = False

    def label(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en

    def help(self, lang: str) -> str:
        return self.help_fr if lang == "fr" else self.help_en

    def accepted(self, lang: str = "en", form: bool = False) -> str:
        fr = lang == "fr"
        if self.choices is not None:
            return ", ".join(self.choices)
        if self.kind in ("number", "integer"):
            what = ("un nombre entier" if fr else "a whole number") if self.kind == "integer" else \
                ("un nombre" if fr else "a number")
            lo = "" if self.minimum is None else (" > " if self.exclusive else " ≥ ") + f"{self.minimum:g}"
            hi = "" if self.maximum is None else " ≤ " + f"{self.maximum:g}"
            out = what + lo + (" et" if fr and lo and hi else (" and" if lo and hi else "")) + hi
            if self.ranged:
                out += _range_words(lang, form)
            return out
        if self.kind == "boolean":
            return "true, false"
        return f"{'un texte de' if fr else 'a text of'} 1–{MAX_TEXT} {'caractères' if fr else 'characters'}"

    def json_schema(self) -> dict[str, Any]:
        s: dict[str, Any]
        if self.kind == "array":
            s = {"type": "array", "items": {"type": "string", "enum": list(self.choices or ())},
                 "maxItems": 10, "uniqueItems": False}
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
        s["description"] = self.en + (f". {self.help_en}" if self.help_en else "") + (
            ". A number, or a range [low, central, high]" if self.ranged and self.kind == "number" else
            ". A range is the text LOW:CENTRAL:HIGH" if self.ranged else "")
        return s


def _range_words(lang: str, form: bool) -> str:
    if form:
        return ", ou une fourchette BAS:CENTRAL:HAUT" if lang == "fr" else ", or a range LOW:CENTRAL:HIGH"
    return ", ou une fourchette [bas, central, haut]" if lang == "fr" else ", or a range [low, central, high]"


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    accepted: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "message": self.message, "accepted": self.accepted}


class ValidationFailed(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))


@cache
def _ids(table: str) -> tuple[str, ...]:
    return tuple(r.id for r in refdata.load_table(table))


def _lang() -> Field:
    return Field("lang", "string", "Language", "Langue", default="en", choices=("en", "fr"))


def _location(default: str) -> list[Field]:
    return [
        Field("location", "string", "Where the electricity comes from", "Origine de l'électricité",
              "a country code (FR), a country name or a cloud region (aws:us-east-1); or empty it and give "
              "an intensity",
              "un code pays (FR), un nom de pays ou une région cloud (aws:us-east-1) ; ou videz-le et donnez "
              "une intensité",
              form_default=default, suggest="zones"),
        Field("intensity", "number", "or: grid carbon intensity (gCO2e/kWh)",
              "ou : intensité carbone de l'électricité (gCO2e/kWh)",
              "instead of the location, not with it", "à la place de l'origine, pas avec elle",
              minimum=0, maximum=1e4, ranged=True),
    ]


def _pue() -> Field:
    return Field("pue", "string", "Data-centre PUE", "PUE du centre de données",
                 "a number ≥ 1, a range LOW:CENTRAL:HIGH, or a class: hyperscale, on-premise, google, aws… "
                 "(empty: the average, 1.58)",
                 "un nombre ≥ 1, une fourchette BAS:CENTRAL:HAUT, ou une classe : hyperscale, on-premise, google, "
                 "aws… (vide : la moyenne, 1,58)",
                 suggest="pue", ranged=True)


def _embodied() -> Field:
    return Field("embodied", "boolean", "Count the manufacturing", "Compter la fabrication", default=True)


def _per_request(default_task: str) -> list[Field]:
    return [
        Field("task", "string", "Published per-request figure", "Chiffre publié par requête",
              "give exactly one of: a published figure, Wh per request, or an LLM size",
              "donnez un seul de : un chiffre publié, des Wh par requête, ou la taille d'un LLM",
              form_default=default_task, choices=_ids("inference")),
        Field("wh_per_request", "number", "or: electricity per request (Wh)", "ou : électricité par requête (Wh)",
              minimum=0, exclusive=True, maximum=1e7, ranged=True),
        Field("parameters_b", "number", "or: LLM parameters (billions)", "ou : paramètres du LLM (milliards)",
              minimum=0, exclusive=True, maximum=1e5, ranged=True),
        Field("output_tokens", "number", "LLM output tokens per request", "Tokens générés par requête (LLM)",
              minimum=0, exclusive=True, maximum=1e7, ranged=True),
    ]


def _client() -> list[Field]:
    return [
        Field("data_gb", "number", "Data per request over the network (GB)", "Données par requête sur le réseau (Go)",
              minimum=0, maximum=1e6, ranged=True),
        Field("network", "string", "Access network", "Réseau d'accès", default="fixed",
              choices=_ids("network")),
        Field("device", "string", "User's device", "Appareil de l'utilisateur", choices=_ids("devices")),
        Field("device_seconds", "number", "Seconds on the device per request", "Secondes sur l'appareil par requête",
              minimum=0, exclusive=True, maximum=1e7, ranged=True),
    ]


@cache
def _endpoints() -> dict[str, tuple[Field, ...]]:
    training = (
        Field("hardware", "string", "Hardware", "Matériel", "a GPU, TPU or CPU name (a100, h100, tpu-v4…)",
              "un nom de GPU, TPU ou CPU (a100, h100, tpu-v4…)", form_default="a100", suggest="hardware",
              required=True),
        Field("count", "integer", "Number of devices", "Nombre d'appareils", default=1, form_default=8,
              minimum=1, maximum=1e7),
        Field("hours", "number", "Hours (wall clock)", "Heures (durée réelle)",
              "give exactly one of hours, device-hours or FLOPs",
              "donnez un seul de : heures, heures-appareil ou FLOPs",
              form_default=24, minimum=0, exclusive=True, maximum=1e7, ranged=True),
        Field("gpu_hours", "number", "or: device-hours in total", "ou : heures-appareil au total",
              minimum=0, exclusive=True, maximum=1e12, ranged=True),
        Field("flops", "number", "or: training compute (FLOPs in total)",
              "ou : calcul de l'entraînement (FLOPs au total)",
              "e.g. 3.14e23 (GPT-3); time = FLOPs / (peak × MFU)", "ex. 3,14e23 (GPT-3) ; durée = FLOPs / (pic × MFU)",
              minimum=0, exclusive=True, maximum=1e32, ranged=True),
        Field("mfu", "number", "Model FLOPs utilisation (with FLOPs)", "Taux d'utilisation des FLOPs, MFU (avec FLOPs)",
              "a fraction; empty: 0.31 (0.21–0.46), published large runs",
              "une fraction ; vide : 0,31 (0,21–0,46), grands entraînements publiés",
              minimum=0, exclusive=True, maximum=1, ranged=True),
        Field("power_w", "number", "Average power per device (W)", "Puissance moyenne par appareil (W)",
              "empty: its TDP, modelled", "vide : son TDP, modélisé", minimum=0, exclusive=True, maximum=1e5,
              ranged=True),
        *_location("FR"), _pue(), _embodied(), _lang(),
    )
    inference = (*_per_request("chatgpt-gpt4o-query-epoch"),
                 Field("requests", "number", "Number of requests", "Nombre de requêtes", default=1,
                       form_default=1000, minimum=0, exclusive=True, maximum=1e15),
                 *_location("US"), _pue(), *_client(), _embodied(), _lang())
    usage = (Field("users", "number", "Users", "Utilisateurs", form_default=100e6, minimum=0, exclusive=True,
                   maximum=1e10),
             Field("requests_per_day", "number", "Requests per user per day", "Requêtes par utilisateur et par jour",
                   form_default=10, minimum=0, exclusive=True, maximum=1e6, ranged=True),
             Field("days", "number", "Days", "Jours", default=1, form_default=30, minimum=0, exclusive=True,
                   maximum=1e5, ranged=True),
             *_per_request("bloom-api-request"),
             *_location("US"), _pue(), *_client(), _embodied(), _lang())
    devices = _ids("devices")
    my_day = (
        Field("prompts_per_day", "number", "Chatbot prompts per day", "Questions à un chatbot par jour",
              default=10.0, minimum=0, maximum=1e4),
        Field("chatbot", "string", "Chatbot figure", "Chiffre du chatbot",
              "spread: the median of the published figures, with their range",
              "spread : la médiane des chiffres publiés, avec leur fourchette",
              default="spread", choices=("spread", *daily.CHATBOT_FIGURES)),
        Field("images_per_day", "number", "Images generated per day", "Images générées par jour", default=1.0,
              minimum=0, maximum=1e4),
        Field("video_hours_per_day", "number", "Hours of recommended video per day",
              "Heures de vidéo recommandée par jour", default=1.0, minimum=0, maximum=24),
        Field("device", "string", "Your main device", "Votre appareil principal", default="smartphone",
              choices=devices),
        Field("device_years", "number", "Years you keep it", "Années pendant lesquelles vous le gardez",
              "empty: the usual lifetime (2.5 years for a smartphone)",
              "vide : la durée de vie habituelle (2,5 ans pour un smartphone)", minimum=0.1, maximum=50),
        Field("other_devices", "array", "Other devices you own", "Autres appareils que vous possédez",
              default=(), choices=devices),
        Field("network", "string", "Connection", "Connexion", default="wifi", choices=daily.NETWORKS),
        Field("country", "string", "Your country", "Votre pays", "for your electricity (ISO code: FR, DE, US…)",
              "pour votre électricité (code ISO : FR, DE, US…)", default="FR", suggest="zones"),
        _lang(),
    )
    return {"training": training, "inference": inference, "usage": usage, "my-ai-day": my_day}


class _Endpoints(dict):  # lazily filled mapping, so importing this module reads no data
    def __missing__(self, key: str) -> tuple[Field, ...]:
        return _endpoints()[key]


ENDPOINTS: dict[str, tuple[Field, ...]] = _Endpoints()
NAMES = ("training", "inference", "usage", "my-ai-day")


def fields_of(endpoint: str) -> tuple[Field, ...]:
    return _endpoints()[endpoint]


_NUM = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def parse_number(text: str) -> float | None:
    """A number typed in a form: ``1.5``, ``1,5`` (French), ``100 000``, ``1e6``, ``-3``; None if not one
    (a negative number is a number: the field's bounds then refuse it, saying so)."""
    t = text.strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace("_", "")
    if not _NUM.match(t):
        return None
    v = float(t.replace(",", "."))
    return v if math.isfinite(v) else None


def _msg(lang: str, en: str, fr: str) -> str:
    return fr if lang == "fr" else en


def _check_value(f: Field, value: Any, lang: str, form: bool) -> tuple[Any, FieldError | None]:
    def bad(en: str, fr: str) -> tuple[Any, FieldError]:
        return None, FieldError(f.name, _msg(lang, en, fr), f.accepted(lang, form))

    if f.ranged and f.kind == "number" and (isinstance(value, list) or (form and isinstance(value, str)
                                                                        and ":" in value)):
        return _check_range(f, value, lang, form)
    if f.ranged and f.kind == "string" and isinstance(value, str) and ":" in value:
        return _check_range(f, value, lang, True)

    if f.kind == "array":
        items = value if isinstance(value, list) else None
        if items is None or not all(isinstance(x, str) for x in items):
            return bad("expected a list of names", "une liste de noms est attendue")
        if len(items) > 10:
            return bad("at most 10 items", "10 éléments au plus")
        for x in items:
            if f.choices is not None and x not in f.choices:
                return bad(f"unknown value {x!r}", f"valeur inconnue « {x} »")
        return tuple(items), None
    if f.kind in ("number", "integer"):
        if form and isinstance(value, str):
            v = parse_number(value)
            if v is None:
                return bad(f"{value!r} is not a number", f"« {value} » n'est pas un nombre")
            value = int(v) if f.kind == "integer" and v.is_integer() else v
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return bad("expected a number", "un nombre est attendu")
        if f.kind == "integer" and not isinstance(value, int):
            return bad(f"{value!r} is not a whole number", f"{value} n'est pas un nombre entier")
        if not math.isfinite(value):
            return bad("not a finite number", "nombre non fini")
        bound = _bound_error(f, value, lang)
        if bound:
            return None, FieldError(f.name, bound, f.accepted(lang, form))
        return value, None
    if f.kind == "boolean":
        if form and isinstance(value, str):
            low = value.strip().lower()
            if low in ("1", "true", "on", "yes", "oui"):
                return True, None
            if low in ("0", "false", "off", "no", "non"):
                return False, None
        if not isinstance(value, bool):
            return bad("expected true or false", "vrai ou faux est attendu")
        return value, None
    if not isinstance(value, str):
        return bad("expected a text", "un texte est attendu")
    value = value.strip()
    if not value or len(value) > MAX_TEXT:
        return bad("expected a text of 1 to 120 characters", "un texte de 1 à 120 caractères est attendu")
    if f.choices is not None and value not in f.choices:
        return bad(f"unknown value {value!r}", f"valeur inconnue « {value} »")
    return value, None


def _bound_error(f: Field, value: float, lang: str) -> str | None:
    if f.minimum is not None and (value <= f.minimum if f.exclusive else value < f.minimum):
        return _msg(lang, f"{value:g} is too small", f"{value:g} est trop petit")
    if f.maximum is not None and value > f.maximum:
        return _msg(lang, f"{value:g} is too large", f"{value:g} est trop grand")
    return None


def _check_range(f: Field, value: str | list[Any], lang: str, text: bool) -> tuple[Any, FieldError | None]:
    """A range: the text ``LOW:CENTRAL:HIGH`` (forms; French decimal commas accepted) or a JSON array
    ``[low, central, high]``; the tuple ``(low, central, high)``, each within the field's bounds."""
    def bad(en: str, fr: str) -> tuple[Any, FieldError]:
        return None, FieldError(f.name, _msg(lang, en, fr), f.accepted(lang, text))

    if isinstance(value, str):
        parts = value.split(":")
        if len(parts) != 3:
            return bad(f"{value!r} is not a range LOW:CENTRAL:HIGH (3 numbers)",
                       f"« {value} » n'est pas une fourchette BAS:CENTRAL:HAUT (3 nombres)")
        nums: list[float] = []
        for part in parts:
            v = parse_number(part)
            if v is None:
                return bad(f"{part.strip()!r} in {value!r} is not a number",
                           f"« {part.strip()} » dans « {value} » n'est pas un nombre")
            nums.append(v)
    else:
        if len(value) != 3:
            return bad(f"a range is 3 numbers [low, central, high], not {len(value)}",
                       f"une fourchette est faite de 3 nombres [bas, central, haut], pas de {len(value)}")
        if any(isinstance(x, bool) or not isinstance(x, (int, float)) for x in value):
            return bad("a range is 3 numbers [low, central, high]",
                       "une fourchette est faite de 3 nombres [bas, central, haut]")
        nums = [float(x) for x in value]
    if not all(math.isfinite(x) for x in nums):
        return bad("not a finite number", "nombre non fini")
    for x in nums:
        bound = _bound_error(f, x, lang)
        if bound:
            return None, FieldError(f.name, bound, f.accepted(lang, text))
    lo, c, hi = nums
    if not lo <= c <= hi:
        return bad(f"the range {lo:g}, {c:g}, {hi:g} is not ordered: low ≤ central ≤ high is needed",
                   f"la fourchette {lo:g}, {c:g}, {hi:g} n'est pas ordonnée : il faut bas ≤ central ≤ haut")
    return (lo, c, hi), None


def validate(endpoint: str, data: Any, *, form: bool = False, lang: str = "en") -> dict[str, Any]:
    """Check ``data`` against the endpoint's fields; return the values, defaults filled in.

    ``form`` data comes as strings (numbers typed with a comma accepted, empty means missing);
    JSON data must have the right types. Unknown fields are refused.

    Raises:
        ValidationFailed: with one ``FieldError`` per bad field.
    """
    fields = {f.name: f for f in fields_of(endpoint)}
    if not isinstance(data, dict):
        raise ValidationFailed([FieldError("body", _msg(lang, "expected a JSON object", "un objet JSON est attendu"),
                                           "an object with the fields of the OpenAPI document")])
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    for key in data:
        if key not in fields:
            errors.append(FieldError(str(key)[:MAX_TEXT], _msg(lang, "unknown field", "champ inconnu"),
                                     ", ".join(fields)))
    for name, f in fields.items():
        value = data.get(name)
        if not form and name in data and value is None:
            errors.append(FieldError(name, _msg(lang, "null is not accepted: leave the field out",
                                                "null n'est pas accepté : omettez le champ"), f.accepted(lang, form)))
            continue
        if form and isinstance(value, str) and not value.strip():
            value = None
        if form and f.kind == "array" and value is None:
            value = []
        if value is None:
            if f.required:
                errors.append(FieldError(name, _msg(lang, "this field is required", "ce champ est obligatoire"),
                                         f.accepted(lang, form)))
            out[name] = f.default
            continue
        v, err = _check_value(f, value, lang, form)
        if err:
            errors.append(err)
        else:
            out[name] = v
    if errors:
        raise ValidationFailed(errors)
    return out
