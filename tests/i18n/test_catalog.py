"""The one message catalog: every key in both languages, the same placeholders, French typography,
and every key the code names exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from aiceberg.errors import InputError
from aiceberg.i18n import LANGS, Msg, check_lang, keys, t
from aiceberg.i18n.catalog import load

SRC = Path(__file__).resolve().parents[2] / "src" / "aiceberg"
NNBSP = "\u202f"


def _fields(template: str) -> list[tuple[str, str | None, str]]:
    return [(name, conv, spec) for _, name, spec, conv in string.Formatter().parse(template) if name is not None]


@pytest.mark.parametrize("key", keys())
def test_every_key_has_both_languages_and_the_same_placeholders(key: str) -> None:
    texts = load()[key]
    assert set(texts) == set(LANGS)
    fields = {lang: sorted(name for name, _, _ in _fields(texts[lang])) for lang in LANGS}
    assert fields["fr"] == fields["en"], f"{key}: placeholders differ between languages"
    for lang in LANGS:
        assert texts[lang].strip() or key.endswith(".empty"), f"{key}: empty {lang} text"
        for name, _, spec in _fields(texts[lang]):
            assert not spec, f"{key} ({lang}): {{{name}:{spec}}} — numbers are formatted by the catalog, no spec"


def _prose(text: str) -> str:
    """The text without its placeholders, URLs, and colons glued to a word on both sides (times 12:30, ratios
    1:2, syntax such as BAS:CENTRAL:HAUT or aws:us-east-1), where : ; ? ! are not prose."""
    text = re.sub(r"\{[^{}]*\}", "", text)
    text = re.sub(r"\b[a-z][a-z+]*://\S+", "", text)
    return re.sub(r"(?<=\w):(?=\w)", "", text)


@pytest.mark.parametrize("key", keys())
def test_french_texts_put_a_narrow_no_break_space_before_high_punctuation(key: str) -> None:
    fr = _prose(load()[key]["fr"])
    for m in re.finditer(r"[:;?!]", fr):
        before = fr[: m.start()]
        if not before:  # a text that starts with the sign continues another one
            continue
        context = fr[max(0, m.start() - 20) : m.end()]
        assert before.endswith(NNBSP), f"{key}: {context!r} needs U+202F before {m.group()!r}"


def test_every_key_the_code_names_is_in_the_catalog() -> None:
    pattern = re.compile(r"""(?:\bt|\bMsg)\(\s*["']([a-z][a-z0-9_]*\.[a-z0-9_.:-]+)["']""")
    named = {(p.relative_to(SRC), k) for p in SRC.rglob("*.py") for k in pattern.findall(p.read_text("utf-8"))}
    missing = sorted(f"{path}: {key}" for path, key in named if key not in load())
    assert not missing, "keys used in the code but absent from the catalog:\n" + "\n".join(missing)


def test_a_message_renders_in_each_language_and_numbers_follow_the_language() -> None:
    msg = Msg("input.unknown_language", value="de")
    assert str(msg) == t("input.unknown_language", "en", value="de")
    assert msg.render("fr") != msg.render("en")
    assert Msg("input.unknown_language", value="de") == msg
    err = InputError("hours", msg, "en, fr")
    assert str(err).startswith("hours: ")
    assert err.render("fr", "--hours").startswith(f"--hours{NNBSP}: ")


def test_an_unknown_language_is_an_input_error_naming_the_field_and_the_choices() -> None:
    with pytest.raises(InputError) as info:
        check_lang("de", "--lang")
    assert info.value.field == "--lang"
    assert info.value.accepted == ", ".join(LANGS)
