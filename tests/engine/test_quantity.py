"""Interval arithmetic of Q: ranges always contain the central value, and bad input is refused."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiceberg.errors import InputError
from aiceberg.model.quantity import Q, as_q

finite = st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False)


@st.composite
def quantities(draw):
    a, b, c = sorted(draw(st.tuples(finite, finite, finite)))
    return Q(b, a, c)


@given(quantities(), quantities())
def test_sum_and_product_keep_the_central_value_inside_the_range(x, y):
    for r in (x + y, x * y):
        assert r.low <= r.central <= r.high


@given(quantities(), quantities())
def test_sum_adds_bounds(x, y):
    s = x + y
    assert math.isclose(s.low, x.low + y.low, rel_tol=1e-12, abs_tol=1e-9)
    assert math.isclose(s.high, x.high + y.high, rel_tol=1e-12, abs_tol=1e-9)


def test_division_swaps_bounds():
    q = Q(10, 8, 12) / Q(2, 1, 4)
    assert (q.low, q.central, q.high) == (2, 5, 12)


def test_division_by_a_range_reaching_zero_is_refused():
    with pytest.raises(ZeroDivisionError):
        Q(1, 1, 1) / Q(1, 0, 2)


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "12", None, True, (3, 2, 1), (1, 2)])
def test_as_q_rejects_bad_values_naming_the_field(bad):
    with pytest.raises(InputError) as err:
        as_q(bad, "hours")
    assert err.value.field == "hours"


def test_as_q_zero_refused_where_it_makes_no_sense():
    with pytest.raises(InputError):
        as_q(0, "count", allow_zero=False)
    assert as_q(0, "idle").central == 0


def test_minus_clips_at_zero():
    assert Q(5, 4, 6).minus(Q(10, 9, 11)) == Q(0, 0, 0)
