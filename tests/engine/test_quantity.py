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
def test_sum_product_quotient_and_difference_contain_every_corner(x, y):
    # Q.__post_init__ already keeps low <= central <= high; what arithmetic must add is that the bounds hold
    # every value the operation takes at the ends of its operands
    ops = [(x + y, lambda a, b: a + b), (x * y, lambda a, b: a * b), (x.minus(y), lambda a, b: max(a - b, 0.0))]
    if y.low >= 1e-3:  # a quotient by a range reaching (almost) 0 is refused or overflows
        ops.append((x / y, lambda a, b: a / b))
    for result, op in ops:
        for a in (x.low, x.central, x.high):
            for b in (y.low, y.central, y.high):
                v = op(a, b)
                slack = 1e-9 * max(abs(v), result.high, 1e-300)
                assert result.low - slack <= v <= result.high + slack


def test_from_row_reads_a_rows_range_and_fills_what_is_missing():
    class Row:
        id = "r"
        value, value_low, value_high = 10.0, None, 12.0
        other, other_low, other_high = 4.0, None, None

    assert Q.from_row(Row(), "value") == Q(10, 10, 12)
    assert Q.from_row(Row(), "other") == Q.exact(4)
    assert Q.from_row(Row(), "other", rel_range=0.25) == Q(4, 3, 5)
    assert Q.from_row(Row(), "value", rel_range=0.25) == Q(10, 10, 12)  # a stated bound wins over the default


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
