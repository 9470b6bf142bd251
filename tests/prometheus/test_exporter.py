"""The exporter's series: names, units, labels, gaps and counters, from fake powercap trees whose
counters the tests move, on a clock the tests move."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("prometheus_client", reason="the [prometheus] extra (in [test]) provides prometheus_client")

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from tests.fakes import FakeClock
from tests.fakes.powercap import MAX_RANGE_UJ, server

from aiceberg import refdata
from aiceberg.measure.exporter import SamplerCollector, co2e_basis, serve_sampler
from aiceberg.measure.job_context import JobContext, job_context
from aiceberg.measure.memory import MemoryModelSensor
from aiceberg.measure.rapl import RaplSensor
from aiceberg.measure.sampler import Sampler
from aiceberg.model import factors

JOB = JobContext(job_id="4242", rank=3, node="node-7")
Series = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Series:
    out: Series = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(series: Series, name: str, **labels: str) -> float | None:
    """The one sample of ``name`` whose labels include ``labels`` (None when there is none)."""
    found = [v for (n, lab), v in series.items() if n == name and labels.items() <= dict(lab).items()]
    assert len(found) <= 1, f"{name}{labels}: {len(found)} series"
    return found[0] if found else None


class Rig:
    """A fake powercap server (one socket: package, core, dram), its RAPL sensor, a sampler and a registry."""

    def __init__(self, root: Path, *, location: str = "FR", pue: float = 1.2, dram: bool = True,
                 start_uj: int = 0, extra: tuple = ()) -> None:
        self.pc = server(root, sockets=1, dram=dram, energy_uj=start_uj)
        self.clock = FakeClock()
        self.rapl = RaplSensor(root, clock=self.clock)
        self.sampler = Sampler([self.rapl, *extra], self.clock)
        self.sampler.start_clock()
        self.sampler.sample()
        self.basis = co2e_basis(location, pue)
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(SamplerCollector(self.sampler, self.basis, JOB))

    def tick(self, seconds: float = 1.0) -> None:
        self.clock.advance(seconds)
        self.sampler.sample()

    def scrape(self) -> Series:
        return parse(generate_latest(self.registry).decode())


def test_the_energy_counters_are_the_fake_counters_in_joules_without_counting_a_core_twice(tmp_path: Path) -> None:
    rig = Rig(tmp_path / "pc")
    rig.pc.advance("intel-rapl:0", 30_000_000)
    rig.pc.advance("intel-rapl:0:0", 20_000_000)  # the core, inside the package
    rig.pc.advance("intel-rapl:0:1", 5_000_000)
    rig.tick(2.0)
    s = rig.scrape()
    assert value(s, "aiceberg_energy_joules_total", device="package-0") == pytest.approx(30.0)
    assert value(s, "aiceberg_energy_joules_total", device="package-0:dram", component="dram") == pytest.approx(5.0)
    assert value(s, "aiceberg_energy_joules_total", device="package-0:core") is None
    assert value(s, "aiceberg_power_watts", device="package-0") == pytest.approx(15.0)
    assert value(s, "aiceberg_power_watts", device="package-0:dram") == pytest.approx(2.5)
    labels = dict(next(lab for (n, lab) in s if n == "aiceberg_energy_joules_total"))
    assert labels == {"component": "cpu", "device": "package-0", "sensor": "rapl", "status": "measured",
                      "node": "node-7", "job_id": "4242", "rank": "3"}
    assert value(s, "aiceberg_samples_total") == 2


def test_co2e_is_the_energy_times_the_zones_intensity_and_the_pue(tmp_path: Path) -> None:
    rig = Rig(tmp_path / "pc", location="FR", pue=1.2)
    rig.pc.advance("intel-rapl:0", 3_600_000_000)  # 3,600 J = 1 Wh
    rig.tick()
    s = rig.scrape()
    fr = refdata.get_zone("FR").intensity_g_per_kwh
    expected = 3600.0 / 3.6e6 * fr * 1.2
    assert value(s, "aiceberg_co2e_grams_total", device="package-0") == pytest.approx(expected)
    assert value(s, "aiceberg_pue_ratio") == pytest.approx(1.2)
    assert value(s, "aiceberg_grid_intensity_grams_per_joule", zone="FR") == pytest.approx(fr / 3.6e6)
    text = generate_latest(rig.registry).decode()
    help_line = next(line for line in text.splitlines() if line.startswith("# HELP aiceberg_co2e_grams_total"))
    assert "PUE (1.2)" in help_line and "FR" in help_line and "manufacturing" in help_line


def test_without_a_location_the_world_average_is_used_and_said(tmp_path: Path) -> None:
    basis = co2e_basis(None, None)
    world, warnings = factors.grid_intensity(None)
    assert basis.intensity_g_per_kwh == world.value.central and basis.warnings == warnings and warnings
    assert basis.pue == factors.pue(None).value.central


def test_a_failed_read_is_a_gap_the_counter_waits_and_says_so(tmp_path: Path) -> None:
    rig = Rig(tmp_path / "pc")
    rig.pc.advance("intel-rapl:0", 10_000_000)
    rig.tick()
    rig.pc.make_unreadable("intel-rapl:0")
    rig.tick()
    s = rig.scrape()
    assert value(s, "aiceberg_energy_joules_total", device="package-0") == pytest.approx(10.0)  # not 0, not gone
    assert value(s, "aiceberg_sensor_up", device="package-0") == 0
    assert value(s, "aiceberg_read_errors_total", device="package-0") == 1
    assert value(s, "aiceberg_power_watts", device="package-0") is None  # no power while the read fails
    assert value(s, "aiceberg_sensor_up", device="package-0:dram") == 1
    rig.pc.make_readable("intel-rapl:0", 16_000_000)  # 6 J more, spent over the gap and the next second
    rig.tick()
    s = rig.scrape()
    assert value(s, "aiceberg_energy_joules_total", device="package-0") == pytest.approx(16.0)
    assert value(s, "aiceberg_sensor_up", device="package-0") == 1
    assert value(s, "aiceberg_read_errors_total", device="package-0") == 1
    assert value(s, "aiceberg_power_watts", device="package-0") == pytest.approx(3.0)  # 6 J over 2 s


def test_a_counter_that_wraps_keeps_counting_up(tmp_path: Path) -> None:
    rig = Rig(tmp_path / "pc", start_uj=MAX_RANGE_UJ - 1_000_000)
    rig.pc.advance("intel-rapl:0", 3_000_000)  # past the top: the raw counter restarts near 0
    assert rig.pc.energy("intel-rapl:0") < 3_000_000
    rig.tick()
    assert value(rig.scrape(), "aiceberg_energy_joules_total", device="package-0") == pytest.approx(3.0)


def test_modelled_channels_carry_the_status_modelled(tmp_path: Path) -> None:
    clock = FakeClock()
    memory = MemoryModelSensor(64.0, clock=clock)
    rig = Rig(tmp_path / "pc", dram=False, extra=(memory,))
    clock.advance(10.0)  # the model's own clock, started with the rig's at the same time
    rig.tick(10.0)
    s = rig.scrape()
    assert value(s, "aiceberg_energy_joules_total", component="dram", status="modelled") == pytest.approx(
        memory.power * 10.0)
    assert value(s, "aiceberg_energy_joules_total", component="cpu", status="measured") == 0


def test_a_scrape_reads_no_sensor(tmp_path: Path) -> None:
    rig = Rig(tmp_path / "pc")
    reads: list[int] = []
    original = rig.rapl.read

    def counting_read():  # type: ignore[no-untyped-def]
        reads.append(1)
        return original()

    rig.rapl.read = counting_read  # type: ignore[method-assign]
    for _ in range(5):
        rig.scrape()
    assert reads == []
    rig.tick()
    assert reads == [1]


def test_metrics_are_served_over_http(tmp_path: Path) -> None:
    rig = Rig(tmp_path / "pc")
    rig.pc.advance("intel-rapl:0", 2_000_000)
    rig.tick()
    srv = serve_sampler(rig.sampler, port=0, location="FR", job=JOB)
    try:
        with urllib.request.urlopen(srv.url, timeout=10) as response:
            assert response.headers["Content-Type"].startswith("text/plain")
            s = parse(response.read().decode())
    finally:
        srv.close()
    assert value(s, "aiceberg_energy_joules_total", device="package-0") == pytest.approx(2.0)
    assert value(s, "process_cpu_seconds_total") is not None  # the exporter's own cost, for Prometheus too


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, (None, None)),
        ({"SLURM_JOB_ID": "77", "SLURM_PROCID": "5"}, ("77", 5)),
        ({"TORCHELASTIC_RUN_ID": "abc", "RANK": "2", "SLURM_PROCID": "9"}, ("abc", 2)),
        ({"AICEBERG_JOB_ID": "mine", "SLURM_JOB_ID": "77", "OMPI_COMM_WORLD_RANK": "4"}, ("mine", 4)),
        ({"PMIX_RANK": "1", "RANK": ""}, (None, 1)),
        ({"RANK": "not-a-number", "PMI_RANK": "6"}, (None, 6)),
    ],
)
def test_the_job_context_comes_from_the_launchers_environment(env: dict[str, str], expected: tuple) -> None:
    ctx = job_context(env, hostname="host-a")
    assert (ctx.job_id, ctx.rank) == expected
    assert ctx.node == "host-a"
    assert job_context({"SLURMD_NODENAME": "gpu12"}, hostname="host-a").node == "gpu12"
