"""One rule per language for numbers people type, shared by the CLI, the settings and the web."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiceberg.cli import main
from aiceberg.config import load_settings
from aiceberg.errors import InputError
from aiceberg.i18n.parse import parse_number, parse_number_or_range, parse_whole

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(("text", "lang", "value"), [
    ("1.5", "en", 1.5), ("1,500", "en", 1500.0), ("1,234,567.25", "en", 1234567.25), ("1 500", "en", 1500.0),
    ("1_000_000", "en", 1e6), ("3.14e23", "en", 3.14e23), ("1E-3", "en", 1e-3), (".5", "en", 0.5), ("5.", "en", 5.0),
    ("-3", "en", -3.0), (" +7 ", "en", 7.0),
    ("1,5", "fr", 1.5), ("1,500", "fr", 1.5), ("1.5", "fr", 1.5), (f"1{NNBSP}234{NNBSP}567,25", "fr", 1234567.25),
    (f"1{NBSP}500", "fr", 1500.0), ("3,14e23", "fr", 3.14e23), ("1_000", "fr", 1000.0),
])
def test_accepted_numbers(text, lang, value):
    assert parse_number(text, "hours", lang) == value


@pytest.mark.parametrize(("text", "lang"), [
    ("1,5", "en"), ("1,50", "en"), ("12,34,567", "en"), ("1 23", "en"), ("1,234.5.6", "en"), ("1.000,5", "fr"),
    ("1,2,3", "fr"), ("nan", "en"), ("inf", "en"), ("-inf", "fr"), ("0x10", "en"), ("\u0663", "en"), ("1e400", "en"),
    ("", "en"), ("  ", "fr"), ("1__0", "en"), ("_1", "en"), ("1e", "en"), ("e5", "en"), ("--5", "en"),
    ("1" * 65, "en"), ("1,000_000", "en"),
])
def test_refused_numbers_name_the_field(text, lang):
    with pytest.raises(InputError) as err:
        parse_number(text, "hours", lang)
    assert err.value.field == "hours"
    assert "\n" not in err.value.render(lang)


def test_a_decimal_comma_in_english_says_which_mark_to_use():
    with pytest.raises(InputError) as err:
        parse_number("1,5", "hours", "en")
    assert "1.5" in str(err.value) and "decimal" in str(err.value)


def test_ranges_in_both_languages():
    assert parse_number_or_range("20:24:30", "hours") == (20, 24, 30)
    assert parse_number_or_range("1,5:2:2,5", "hours", "fr") == (1.5, 2, 2.5)
    for bad in ("30:24:20", "1:2", "1:2:3:4", "a:b:c"):
        with pytest.raises(InputError):
            parse_number_or_range(bad, "hours")


def test_whole_numbers_are_not_rounded():
    assert parse_whole("1,000", "count") == 1000 and parse_whole("1e3", "count") == 1000
    with pytest.raises(InputError, match="not a whole number"):
        parse_whole("2.5", "count")


@given(st.floats(min_value=0, max_value=1e300, allow_nan=False))
def test_python_writing_of_a_number_reads_back_in_both_languages(x):
    text = repr(x)
    assert parse_number(text, "x", "en") == x
    assert parse_number(text.replace(".", ","), "x", "fr") == x


@given(st.text(max_size=30))
def test_any_text_is_a_finite_number_or_the_projects_error(s):
    for lang in ("en", "fr"):
        try:
            v = parse_number_or_range(s, "x", lang)
        except InputError as exc:
            assert exc.field == "x"
            continue
        assert all(math.isfinite(x) for x in (v if isinstance(v, tuple) else (v,)))


def test_the_command_line_reads_numbers_in_its_language(capsys):
    assert main(["estimate", "training", "--hardware", "a100", "--hours", "1,5", "--location", "FR",
                 "--lang", "fr", "--json"]) == 0
    fr = capsys.readouterr().out
    assert main(["estimate", "training", "--hardware", "a100", "--hours", "1.5", "--location", "FR", "--json"]) == 0
    en = capsys.readouterr().out
    assert '"wall_hours": 1.5' in fr and '"wall_hours": 1.5' in en
    assert main(["estimate", "training", "--hardware", "a100", "--hours", "1,5", "--location", "FR"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--hours" in err and "1.5" in err


def test_the_settings_read_the_environment_with_the_same_rule(tmp_path):
    env = {"HOME": str(tmp_path), "AICEBERG_INTERVAL": "0.5"}
    assert load_settings(environ=env, config_file=tmp_path / "none.toml").interval_s == 0.5
    with pytest.raises(InputError) as err:
        load_settings(environ={**env, "AICEBERG_INTERVAL": "0,5"}, config_file=tmp_path / "none.toml")
    assert err.value.field == "AICEBERG_INTERVAL" and "0.5" in str(err.value)
