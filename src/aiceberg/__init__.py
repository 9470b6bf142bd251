"""aiceberg: the whole iceberg of an AI workload's environmental footprint.

Measure what runs, estimate what cannot be measured, explain it. The core imports nothing heavy:
the engine, the reference data and the tracker load on first use.

>>> import aiceberg
>>> fp = aiceberg.estimate_training("a100", count=8, hours=24, location="FR")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name → module that defines it; imported on first access (PEP 562)
_LAZY = {
    "Footprint": "aiceberg.model.footprint",
    "Part": "aiceberg.model.footprint",
    "Status": "aiceberg.model.footprint",
    "Q": "aiceberg.model.quantity",
    "estimate_training": "aiceberg.model.training",
    "estimate_inference": "aiceberg.model.inference",
    "estimate_usage": "aiceberg.model.inference",
    "estimate_inference_batch": "aiceberg.model.batch",
    "estimate_federated": "aiceberg.model.federated",
    "estimate_centralised": "aiceberg.model.federated",
    "equivalents": "aiceberg.model.equivalents",
    "track": "aiceberg.tracking",
    "mark_phase": "aiceberg.measure.phase_file",
    "Run": "aiceberg.tracking",
    "RunResult": "aiceberg.tracking",
    "get_job": "aiceberg.jobs",
    "get_case": "aiceberg.cases",
    "list_cases": "aiceberg.cases",
    "AicebergError": "aiceberg.errors",
    "InputError": "aiceberg.errors",
    "UnknownNameError": "aiceberg.errors",
    "SensorError": "aiceberg.errors",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> object:  # no `typing` import: it costs ~10 ms
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'aiceberg' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
