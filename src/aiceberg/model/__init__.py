"""The footprint engine: pure functions from inputs and sourced factors to a ``Footprint``."""

from aiceberg.model.footprint import CRITERIA, Factor, Footprint, Part, Phase, Status
from aiceberg.model.quantity import Q, QLike, as_q

__all__ = ["CRITERIA", "Factor", "Footprint", "Part", "Phase", "Q", "QLike", "Status", "as_q"]
