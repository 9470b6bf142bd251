"""One voice: the message catalog for the CLI, reports and the web, in English and French.

Every sentence a person reads comes from the catalog: ``t("input.unknown_language", lang, value="de")``. Code that
cannot know the reader's language (the engine, the sensors, an error raised deep down) carries a
:class:`Msg` — a key and its parameters — and the layer that prints renders it in the reader's language.

The catalog lives in ``aiceberg/i18n/messages/*.toml``, one file per area of the product, each key with
its English and French text side by side::

    ["input.unknown_language"]
    en = "unknown language {value!r}"
    fr = "langue inconnue {value!r}"

French texts put a narrow no-break space (U+202F) before ``: ; ? !``. Placeholders are
``str.format`` fields (``{value}``); a number passed as a parameter is written with the
language's number format (:mod:`aiceberg.i18n.numbers`). Files load on first use, once.
``tests/i18n`` walks every key in both languages and checks placeholders and French typography.

This package sits below every layer (like ``errors`` and ``units``): any layer may import it, it
imports none of them.
"""

from __future__ import annotations

from aiceberg.i18n.catalog import (
    LANGS,
    Localised,
    Msg,
    check_lang,
    has,
    keys,
    localise,
    t,
    text_from_json,
    text_to_json,
)
from aiceberg.i18n.numbers import Amount

__all__ = ["LANGS", "Amount", "Localised", "Msg", "check_lang", "has", "keys", "localise", "t", "text_from_json",
           "text_to_json"]
