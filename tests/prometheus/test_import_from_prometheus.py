"""``aiceberg import prometheus`` against a real Prometheus fed by a small exporter that serves the DCGM
exporter's, Kepler's and Scaphandre's metric names, with values the test drives: a counter reset, a gap,
devices that two exporters both measure. The expected energies follow from the values served alone
(the series hold each value for several scrapes, so where the query's grid falls does not change them)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fleet import FleetExporter
from promserver import PrometheusServer, require_prometheus

from aiceberg.prometheus.convert import GAP
from aiceberg.store import open_store

pytestmark = pytest.mark.slow
AICEBERG = [sys.executable, "-m", "aiceberg"]

H100 = "NVIDIA H100 80GB HBM3"


def gpu(n: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"gpu": str(n), "UUID": f"GPU-{n}aaa", "device": f"nvidia{n}", "modelName": H100, "Hostname": "node-a",
            **(extra or {})}


def node_a(*, gpu0_mj: float | None, gpu1_w: float | None, package: float, dram: float, core: float) -> dict:
    state: dict = {
        "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION": [] if gpu0_mj is None else [(gpu(0), gpu0_mj)],
        "DCGM_FI_DEV_POWER_USAGE": [(gpu(0), 300.0)] + ([] if gpu1_w is None else [(gpu(1), gpu1_w)]),
        "kepler_node_cpu_joules_total": [({"zone": "package", "path": "/sys/class/powercap/intel-rapl:0"}, package),
                                         ({"zone": "dram", "path": "/sys/class/powercap/intel-rapl:0:1"}, dram),
                                         ({"zone": "core", "path": "/sys/class/powercap/intel-rapl:0:0"}, core)],
        "kepler_node_cpu_active_joules_total": [({"zone": "package"}, package * 0.6)],
        "scaph_host_power_microwatts": [({}, 90_000_000.0)],
    }
    return {k: v for k, v in state.items() if v}


def node_b(*, host_uw: float | None) -> dict:
    return {} if host_uw is None else {"scaph_host_power_microwatts": [({}, host_uw)]}


def phase(a: FleetExporter, b: FleetExporter, state_a: dict, state_b: dict, scrapes: int = 3) -> list[float]:
    """Serve a state until both exporters were scraped ``scrapes`` times; the scrape times of each."""
    a.set(state_a)
    b.set(state_b)
    ta, tb = a.wait_scrapes(scrapes), b.wait_scrapes(scrapes)
    return [max(x, y) for x, y in zip(ta, tb, strict=True)]


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Prometheus scraping two fake nodes through five states; (its URL, from, to)."""
    require_prometheus()
    a, b = FleetExporter(), FleetExporter()
    folder = tmp_path_factory.mktemp("prom")
    try:
        with PrometheusServer(folder, [(a.address, {"node": "node-a"}), (b.address, {"node": "node-b"})]) as prom:
            start = phase(a, b, node_a(gpu0_mj=1_000_000, gpu1_w=200, package=5000, dram=100, core=4000),
                          node_b(host_uw=120_000_000))
            phase(a, b, node_a(gpu0_mj=1_600_000, gpu1_w=200, package=5300, dram=150, core=4200),
                  node_b(host_uw=120_000_000))
            # a gap: GPU 0's counter, GPU 1's power and node-b's host power are not served at all
            phase(a, b, node_a(gpu0_mj=None, gpu1_w=None, package=5300, dram=150, core=4200), node_b(host_uw=None),
                  scrapes=4)
            # GPU 0's counter restarted (a driver reload): 50 J since then
            phase(a, b, node_a(gpu0_mj=50_000, gpu1_w=200, package=5500, dram=150, core=4200),
                  node_b(host_uw=120_000_000))
            end = phase(a, b, node_a(gpu0_mj=250_000, gpu1_w=200, package=5500, dram=150, core=4200),
                        node_b(host_uw=120_000_000))
            yield prom.url, start[1], end[1]
    finally:
        a.close()
        b.close()


def rfc3339(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def run_import(url: str, start: float, end: float, db: Path, env: dict[str, str], *extra: str):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [*AICEBERG, "import", "prometheus", "--url", url, "--from", rfc3339(start), "--to", f"{end:.3f}",
         "--step", "1s", "--location", "FR", "--pue", "1.2", "--db", str(db), *extra],
        env=env, capture_output=True, text=True, timeout=300)


def test_dcgm_kepler_and_scaphandre_series_become_one_run_per_node(fleet, tmp_path: Path, env: dict[str, str]) -> None:
    url, start, end = fleet
    db = tmp_path / "runs.db"
    p = run_import(url, start, end, db, env, "--json")
    assert p.returncode == 0, p.stderr
    runs = {r["node"]: r for r in json.loads(p.stdout)}
    assert sorted(runs) == ["node-a", "node-b"]
    a = {c["id"]: c for c in runs["node-a"]["channels"]}
    # GPU 0's power gauge gives way to its counter; Kepler's active part is not added to its total
    assert sorted(a) == ["dcgm:gpu-0", "dcgm:gpu-1", "kepler:core", "kepler:dram", "kepler:package",
                         "scaphandre:host"]

    # GPU 0: +600 J, then a reset counted from 0 (50 J), then +200 J; the gap before the reset is covered
    assert a["dcgm:gpu-0"]["energy_kwh"] * 3.6e6 == pytest.approx(850.0, rel=1e-9)
    assert a["dcgm:gpu-0"]["resets"] == 1 and a["dcgm:gpu-0"]["gaps"] >= 1
    # Kepler: the package's and the DRAM's increases; the core is inside the package, Scaphandre's host too
    assert a["kepler:package"]["energy_kwh"] * 3.6e6 == pytest.approx(500.0, rel=1e-9)
    assert a["kepler:dram"]["energy_kwh"] * 3.6e6 == pytest.approx(50.0, rel=1e-9)
    assert a["kepler:core"]["counted"] is False and a["kepler:core"]["included_in"] == "kepler:package"
    assert a["scaphandre:host"]["counted"] is False and a["scaphandre:host"]["included_in"] == "kepler:package"
    # GPU 1 has only its power: 200 W over the time its points cover; the gap is missing time, not 0 W
    g1 = a["dcgm:gpu-1"]
    duration = runs["node-a"]["duration_s"]
    assert g1["gaps"] >= 1 and g1["missing_s"] >= 2
    assert g1["energy_kwh"] * 3.6e6 == pytest.approx(200.0 * (duration - g1["missing_s"]), rel=1e-9)
    counted = sum(c["energy_kwh"] for c in a.values() if c["counted"])
    assert runs["node-a"]["energy_kwh"] == pytest.approx(counted, rel=1e-9)

    b = {c["id"]: c for c in runs["node-b"]["channels"]}
    host = b["scaphandre:host"]
    assert host["counted"] and host["gaps"] >= 1 and host["missing_s"] >= 2
    assert host["energy_kwh"] * 3.6e6 == pytest.approx(120.0 * (runs["node-b"]["duration_s"] - host["missing_s"]),
                                                       rel=1e-9)

    store = open_store(db)
    try:
        rec = store.get_run(runs["node-a"]["run_id"])
        assert rec.status == "finished" and rec.hostname == "node-a" and rec.location == "FR"
        samples = [s for s in store.samples(rec.run_id) if s.channel_id == "dcgm:gpu-0"]
        gaps = [s for s in samples if s.energy_j is None]
        assert gaps and all(s.error == GAP for s in gaps)  # a gap is a gap, never 0 J
        values = [s.energy_j for s in samples if s.energy_j is not None]
        assert values == sorted(values)  # the cumulative energy never goes down, reset or not
        assert rec.summary is not None and rec.summary.footprint is not None
        parts = {part.name for part in rec.summary.footprint.parts}
        assert {"gpu.dynamic", "cpu.dynamic", "memory", "embodied.gpu"} <= parts  # the whole iceberg
        assert any(f.id.startswith("intensity:FR") for f in rec.summary.footprint.factors)
        assert rec.summary.pue == 1.2
    finally:
        store.close()

    report = subprocess.run([*AICEBERG, "report", runs["node-a"]["run_id"][:12], "--db", str(db), "--json", "-"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert report.returncode == 0, report.stderr
    assert "embodied" in report.stdout and "node-a" in report.stdout

    again = run_import(url, start, end, db, env, "--json")
    assert again.returncode == 0, again.stderr
    assert all(r["already_imported"] for r in json.loads(again.stdout))
    store = open_store(db)
    try:
        assert store.count_runs() == 2
    finally:
        store.close()


def test_the_text_output_and_a_selector(fleet, tmp_path: Path, env: dict[str, str]) -> None:
    url, start, end = fleet
    p = run_import(url, start, end, tmp_path / "runs.db", env, "--selector", 'node="node-b"', "--lang", "fr")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].startswith("node-b\u202f: ") and "node-a" not in p.stdout
    assert "aiceberg report" in lines[-1]


def test_a_refused_selector_names_the_option(fleet, tmp_path: Path, env: dict[str, str]) -> None:
    url, start, end = fleet
    p = run_import(url, start, end, tmp_path / "runs.db", env, "--selector", 'node=~"("')
    assert p.returncode == 2 and "--selector" in p.stderr and "Traceback" not in p.stderr
