"""A real Prometheus scrapes the exporter; the series it stored are read back through its HTTP API and
compared with what the fake powercap counters say."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("prometheus_client", reason="the [prometheus] extra (in [test]) provides prometheus_client")

from promserver import PrometheusServer, require_prometheus
from tests.fakes.powercap import server

from aiceberg.config import load_settings
from aiceberg.measure.exporter import NodeExporter
from aiceberg.measure.job_context import JobContext
from aiceberg.measure.rapl import RaplSensor

pytestmark = pytest.mark.slow
PKG = 'aiceberg_energy_joules_total{device="package-0",job_id="j-1",rank="0",node="n1"}'


def test_prometheus_stores_the_counters_the_fake_hardware_gives(tmp_path: Path) -> None:
    require_prometheus()
    pc = server(tmp_path / "pc", sockets=1)
    settings = load_settings({"interval_s": 0.1, "location": "FR", "pue": 1.2})
    exporter = NodeExporter(settings, sensors=[RaplSensor(tmp_path / "pc")], port=0,
                            job=JobContext("j-1", 0, "n1"))
    try:
        with PrometheusServer(tmp_path / "prom", [(f"127.0.0.1:{exporter.server.port}", {})]) as prom:  # type: ignore[union-attr]
            prom.wait_for(lambda: prom.value(PKG) == 0, "the first scrape (0 J)")
            pc.advance("intel-rapl:0", 12_500_000)
            pc.advance("intel-rapl:0:1", 2_000_000)
            prom.wait_for(lambda: prom.value(PKG) == pytest.approx(12.5), "12.5 J stored for package-0")
            assert prom.value('aiceberg_energy_joules_total{device="package-0:dram"}') == pytest.approx(2.0)
            assert prom.value('aiceberg_energy_joules_total{device="package-0:core"}') is None  # inside the package
            assert prom.value('sum(aiceberg_energy_joules_total{node="n1"})') == pytest.approx(14.5)

            pc.make_unreadable("intel-rapl:0")  # a gap: up 0, errors counted, the counter waits
            prom.wait_for(lambda: prom.value('aiceberg_sensor_up{device="package-0"}') == 0, "the gap is seen")
            assert prom.value(PKG) == pytest.approx(12.5)
            assert prom.value('aiceberg_read_errors_total{device="package-0"}') >= 1
            assert prom.value('aiceberg_power_watts{device="package-0"}') is None

            pc.make_readable("intel-rapl:0", 20_000_000)
            prom.wait_for(lambda: prom.value(PKG) == pytest.approx(20.0), "20 J after the gap")
            assert prom.value('aiceberg_sensor_up{device="package-0"}') == 1
            g_per_j = exporter.basis.g_per_j
            assert prom.value('aiceberg_co2e_grams_total{device="package-0"}') == pytest.approx(20.0 * g_per_j)
            # what Prometheus stored never went down: no counter reset in the whole series
            assert prom.value(f"resets({PKG}[10m])") == 0
            assert prom.value('resets(aiceberg_co2e_grams_total{device="package-0"}[10m])') == 0
    finally:
        exporter.close()
