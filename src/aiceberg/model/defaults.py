"""The engine's sourced constants, read from ``refdata/data/factors.csv``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from aiceberg import refdata
from aiceberg.model.footprint import Factor, Status
from aiceberg.model.quantity import Q


def factor(factor_id: str, status: Status = Status.DEFAULT) -> Factor:
    """The engine constant ``factor_id`` as a ``Factor`` with its range and sources."""
    return _factor(refdata.data_dir(), factor_id, status)


@cache
def _factor(data_dir: Path, factor_id: str, status: Status) -> Factor:
    # keyed by the data folder, so that pointing the loader elsewhere is never served stale values
    row = refdata.get("factors", factor_id, field="factor", what="engine factor")
    lo = row.value if row.value_low is None else row.value_low
    hi = row.value if row.value_high is None else row.value_high
    return Factor(
        f"factor:{row.id}", row.name_en or row.id, Q(row.value, lo, hi), row.unit, status, row.source, row.year
    )
