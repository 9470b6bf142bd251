"""Importing what a fleet already measures from Prometheus: DCGM exporter, Kepler and Scaphandre series
become aiceberg runs with the whole iceberg (``aiceberg import prometheus``, ``docs/prometheus.md``).

It composes the measuring layer's summary builder, the engine and the store, like :mod:`aiceberg.tracking`
(the two sit side by side in the layers contract). Only the standard library talks to Prometheus
(``urllib``). Serving metrics *to* Prometheus is :mod:`aiceberg.measure.exporter`.
"""

from __future__ import annotations

from aiceberg.prometheus.api import PrometheusAPI, Window, parse_selector, parse_step, parse_time, parse_window
from aiceberg.prometheus.importer import ImportedRun, import_prometheus

__all__ = ["ImportedRun", "PrometheusAPI", "Window", "import_prometheus", "parse_selector", "parse_step",
           "parse_time", "parse_window"]
