"""The one accessor of the engine's sourced constants, read from ``refdata/data/factors.csv``.

Every constant of a model (memory power per GB, the LLM regressions, the unmetered-power fit, default
lifetimes…) is a row of ``factors.csv`` with its unit, range and sources; code reads it here, by id,
and never writes the number again. Values follow the data folder (``refdata.set_data_dir``).
"""

from __future__ import annotations

from aiceberg import refdata
from aiceberg.i18n import Localised, Msg
from aiceberg.model.footprint import Factor, Status
from aiceberg.model.quantity import Q

__all__ = ["factor", "factor_value"]


def factor(factor_id: str, status: Status = Status.DEFAULT) -> Factor:
    """The engine constant ``factor_id`` as a ``Factor`` with its range and sources."""
    return _factor(factor_id, status)


def factor_value(factor_id: str) -> float:
    """The central value of the engine constant ``factor_id``, in the unit ``factors.csv`` gives it."""
    return _factor(factor_id, Status.DEFAULT).value.central


@refdata.follows_data
def _factor(factor_id: str, status: Status) -> Factor:
    row = refdata.get("factors", factor_id, field="factor", what=Msg("input.what.factor"))
    return Factor(f"factor:{row.id}", Localised(en=row.name_en or row.id, fr=row.name_fr), Q.from_row(row, "value"),
                  row.unit, status, row.source, row.year)
