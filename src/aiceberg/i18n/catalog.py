"""Loading the message catalog and rendering a key in a language (see the package's docstring)."""

from __future__ import annotations

import os
from types import MappingProxyType

# a module import, used at call time: ``errors`` renders its messages with this catalog
from aiceberg import errors
from aiceberg.i18n.numbers import plain

TYPE_CHECKING = False  # `typing` costs ~10 ms at import; this module is imported by every error
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

__all__ = ["LANGS", "Localised", "Msg", "check_lang", "has", "keys", "load", "localise", "t"]

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
        """``{"code": key, "params": {...}}`` for JSON: numbers stay numbers, nested messages become text."""
        return {"code": self.key,
                "params": {k: str(v) if callable(getattr(v, "render", None)) else v for k, v in self.params.items()}}
