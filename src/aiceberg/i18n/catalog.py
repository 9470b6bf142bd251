"""Loading the message catalog and rendering a key in a language (see the package's docstring)."""

from __future__ import annotations

import os
from types import MappingProxyType

# a module import, used at call time: ``errors`` renders its messages with this catalog
from aiceberg import errors
from aiceberg.i18n.numbers import Amount, plain

TYPE_CHECKING = False  # `typing` costs ~10 ms at import; this module is imported by every error
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

__all__ = ["LANGS", "Localised", "Msg", "check_lang", "has", "keys", "load", "localise", "param_from_json",
           "param_to_json", "t", "text_from_json", "text_to_json"]

#: The languages every key must have, in the order of preference (the first is the fallback).
LANGS: tuple[str, ...] = ("en", "fr")

_FOLDER = os.path.join(os.path.dirname(__file__), "messages")
_CATALOG: dict[str, Mapping[str, str]] | None = None


class CatalogError(Exception):
    """A catalog file that breaks the rules (a key twice, a language missing). A bug, not user input."""


def load() -> Mapping[str, Mapping[str, str]]:
    """Every key of every ``messages/*.toml`` file, ``key → {lang: text}`` (loaded once)."""
    global _CATALOG
    if _CATALOG is None:
        import tomllib  # only when a text is first needed

        merged: dict[str, Mapping[str, str]] = {}
        for name in sorted(os.listdir(_FOLDER)):
            if not name.endswith(".toml"):
                continue
            with open(os.path.join(_FOLDER, name), "rb") as f:
                data = tomllib.load(f)
            for key, texts in data.items():
                if key in merged:
                    raise CatalogError(f"{name}: the key {key!r} is defined twice")
                if not isinstance(texts, dict) or any(lang not in texts for lang in LANGS):
                    raise CatalogError(f"{name}: {key!r} needs a text for each of {', '.join(LANGS)}")
                merged[key] = MappingProxyType({lang: str(texts[lang]) for lang in LANGS})
        _CATALOG = merged
    return _CATALOG


def keys() -> list[str]:
    """Every key of the catalog, sorted."""
    return sorted(load())


def has(key: str) -> bool:
    return key in load()


def check_lang(lang: str, field: str = "lang") -> str:
    """``lang`` when it is a catalog language, else the project's input error naming ``field``."""
    if lang not in LANGS:
        raise errors.InputError(field, Msg("input.unknown_language", value=lang), ", ".join(LANGS))
    return lang


def t(key: str, lang: str = "en", /, **params: Any) -> str:
    """The text of ``key`` in ``lang``, its placeholders filled with ``params``.

    A parameter that is itself a :class:`Msg` (or a :class:`Localised` text, or an
    :class:`~aiceberg.i18n.numbers.Amount`) is rendered in the same language; a number is written
    with the language's number format (so templates put no format spec on a field: ``{value}``, not
    ``{value:.2f}``). An unknown key raises ``KeyError``: every text must be in the
    catalog (the tests walk them all).
    """
    texts = load()[key]
    template = texts.get(lang) or texts[LANGS[0]]
    if not params:
        return template
    return template.format_map({k: _param(v, lang) for k, v in params.items()})


def localise(value: Any, lang: str = "en") -> str:
    """A text that may be a catalog message: a :class:`Msg` (or :class:`Localised`, ``Amount``) rendered in
    ``lang``, anything else as it is (``str``)."""
    render = getattr(value, "render", None)
    return render(lang) if callable(render) else str(value)


def _param(value: Any, lang: str) -> Any:
    render = getattr(value, "render", None)
    if callable(render):  # a Msg, a Localised name, an Amount (aiceberg.i18n.numbers)
        return render(lang)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return plain(value, lang)


class Localised:
    """A text that the data gives in each language (a country's name, a device's, a case's title).

    ``Localised(en="Germany", fr="Allemagne")`` as a message parameter is written in the reader's
    language; a language it lacks falls back to English. ``str()`` is the English text.
    """

    __slots__ = ("texts",)
    texts: Mapping[str, str]

    def __init__(self, **texts: str) -> None:
        object.__setattr__(self, "texts", MappingProxyType({k: v for k, v in texts.items() if v}))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Localised text is immutable")

    def render(self, lang: str = "en") -> str:
        return self.texts.get(lang) or self.texts.get(LANGS[0], "")

    def __str__(self) -> str:
        return self.render(LANGS[0])

    def __repr__(self) -> str:
        return "Localised(" + ", ".join(f"{k}={v!r}" for k, v in self.texts.items()) + ")"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Localised) and dict(self.texts) == dict(other.texts)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.texts.items())))


class Msg:
    """A catalog key and its parameters, rendered later in the reader's language.

    ``str(msg)`` is the English text, so a ``Msg`` can stand wherever a string used to. Immutable and
    comparable; a plain class rather than a dataclass to keep the import of this module light.
    """

    __slots__ = ("key", "params")
    key: str
    params: Mapping[str, Any]

    def __init__(self, key: str, /, **params: Any) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "params", MappingProxyType(params))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Msg is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Msg):
            return NotImplemented
        return self.key == other.key and dict(self.params) == dict(other.params)

    def __hash__(self) -> int:
        return hash((self.key, tuple(sorted((k, repr(v)) for k, v in self.params.items()))))

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.params.items())
        return f"Msg({self.key!r}{args})"

    def render(self, lang: str = "en") -> str:
        return t(self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.render(LANGS[0])

    def to_dict(self) -> dict[str, Any]:
        """``{"code": key, "params": {...}}`` for JSON, read back by :meth:`from_dict`: numbers and strings stay
        as they are; a parameter that renders in a language is tagged so that it comes back rendering in any
        (``{"msg": {...}}``, ``{"localised": {"en": …, "fr": …}}``, ``{"amount": {...}}``, see
        :func:`param_to_json`)."""
        return {"code": self.key, "params": {k: param_to_json(v) for k, v in self.params.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Msg:
        """The message :meth:`to_dict` wrote (a parameter stored as plain text, as before the tags, stays text)."""
        return cls(str(data["code"]), **{str(k): param_from_json(v) for k, v in dict(data.get("params") or {}).items()})


class _Range:
    """The low, central and high values of a range read back from JSON (what an ``Amount`` needs of a ``Q``)."""

    __slots__ = ("central", "high", "low")

    def __init__(self, central: float, low: float, high: float) -> None:
        self.central, self.low, self.high = central, low, high

    def __repr__(self) -> str:
        return f"({self.low!r}, {self.central!r}, {self.high!r})"

    def __eq__(self, other: object) -> bool:  # equal to the Q it was written from
        ends = tuple(getattr(other, a, None) for a in ("central", "low", "high"))
        return ends == (self.central, self.low, self.high)

    def __hash__(self) -> int:
        return hash((self.central, self.low, self.high))


def param_to_json(value: Any) -> Any:
    """A message parameter as JSON: a :class:`Msg` → ``{"msg": {"code", "params"}}``, a :class:`Localised`
    text → ``{"localised": {lang: text}}``, an :class:`~aiceberg.i18n.numbers.Amount` → ``{"amount": {"value"
    (a number, or ``{"low", "central", "high"}``), "unit", "sig", "with_range"}}``; a list or tuple item by
    item; anything else (numbers, strings) as it is, or its English text when it renders otherwise."""
    if isinstance(value, Msg):
        return {"msg": value.to_dict()}
    if isinstance(value, Localised):
        return {"localised": dict(value.texts)}
    if isinstance(value, Amount):
        v = value.value
        if all(hasattr(v, a) for a in ("low", "central", "high")):
            v = {"low": float(v.low), "central": float(v.central), "high": float(v.high)}
        return {"amount": {"value": v, "unit": value.unit, "sig": value.sig, "with_range": value.with_range}}
    if isinstance(value, (list, tuple)):
        return [param_to_json(x) for x in value]
    if callable(getattr(value, "render", None)):
        return str(value)
    return value


def param_from_json(data: Any) -> Any:
    """The inverse of :func:`param_to_json`."""
    if isinstance(data, list):
        return tuple(param_from_json(x) for x in data)
    if not isinstance(data, dict) or len(data) != 1:
        return data
    (tag, body), = data.items()
    if tag == "msg" and isinstance(body, dict) and "code" in body:
        return Msg.from_dict(body)
    if tag == "localised" and isinstance(body, dict):
        return Localised(**{str(k): str(v) for k, v in body.items()})
    if tag == "amount" and isinstance(body, dict):
        v = body.get("value")
        if isinstance(v, dict):
            v = _Range(float(v["central"]), float(v["low"]), float(v["high"]))
        return Amount(v, str(body.get("unit", "")), sig=int(body.get("sig", 3)),
                      with_range=bool(body.get("with_range", False)))
    return data


def text_to_json(text: Any) -> Any:
    """A text for people as JSON: a :class:`Msg` as ``{"code", "params"}`` (:meth:`Msg.to_dict`), a
    :class:`Localised` one as ``{"localised": {...}}``, a string as it is."""
    if isinstance(text, Msg):
        return text.to_dict()
    if isinstance(text, Localised):
        return {"localised": dict(text.texts)}
    return text if text is None or isinstance(text, str) else str(text)


def text_from_json(data: Any) -> Any:
    """The inverse of :func:`text_to_json`: a :class:`Msg`, a :class:`Localised` text or a string."""
    if isinstance(data, dict):
        if isinstance(data.get("code"), str):
            return Msg.from_dict(data)
        if isinstance(data.get("localised"), dict):
            return param_from_json(data)
    return data if data is None or isinstance(data, str) else str(data)
