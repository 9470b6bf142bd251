"""Parsers never crash: any text given to a numeric or name option gives exit 0 or a one-line exit 2."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiceberg.cli import main
from aiceberg.cli.common import parse_count, parse_q
from aiceberg.errors import InputError

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)


@settings(max_examples=300)
@given(text)
def test_parse_q_returns_a_number_a_range_or_the_projects_error(s):
    try:
        v = parse_q(s, "--x")
    except InputError as exc:
        assert exc.field == "--x"
        return
    assert isinstance(v, float | tuple)


@settings(max_examples=200)
@given(text)
def test_parse_count_returns_a_whole_number_or_the_projects_error(s):
    try:
        v = parse_count(s, "--count")
    except InputError:
        return
    assert isinstance(v, int) and v >= 1


OPTIONS = ["--hours", "--count", "--power-w", "--pue", "--location", "--hardware", "--intensity",
           "--lifetime-years", "--utilisation", "--memory-gb", "--lang"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(OPTIONS), text.filter(lambda s: not s.startswith("-")))
def test_estimate_training_never_shows_a_traceback(capsys, option, value):
    argv = {"--hardware": "a100", "--hours": "10", "--location": "FR"}
    argv[option] = value
    flat = ["estimate", "training", *[x for kv in argv.items() for x in kv], "--json"]
    try:
        code = main(flat)
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    _, err = capsys.readouterr()
    assert code in (0, 2)
    if code == 2:
        assert len(err.strip().splitlines()) == 1
        assert "Traceback" not in err


@pytest.mark.parametrize("value", ["1e400", "-0", "0x10", "1:2", "3:2:1", "٣", "1_000", " 5 "])
def test_odd_numbers(capsys, value):
    code = main(["estimate", "training", "--hardware", "a100", "--hours", value, "--location", "FR", "--json"])
    capsys.readouterr()
    assert code in (0, 2)
