from __future__ import annotations

from dataclasses import dataclass

import pytest
from tests.fakes import FakeClock
from tests.fakes.procfs import FakeProc

from aiceberg.errors import InputError
from aiceberg.i18n import Msg
from aiceberg.measure.cpu_model import CpuModelSensor, read_cpuinfo, resolve_cpu
from aiceberg.measure.memory import MemoryModelSensor
from aiceberg.measure.unmetered import unmetered_energy

XEON = "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz"


@dataclass(frozen=True)
class Hw:
    id: str
    name: str
    tdp_w: float | None
    idle_w: float | None
    kind: str = "cpu"
    source: tuple[str, ...] = ("intel-ark",)


ROWS = {
    XEON.lower(): Hw("intel-xeon-gold-6248", "Intel Xeon Gold 6248", 150.0, 30.0),
    "default-cpu": Hw("default-cpu", "Default CPU", 100.0, 25.0, source=("default-src",)),
}


def find(name):
    return ROWS.get(name.lower())


def get(name):
    return ROWS[name]


def test_read_cpuinfo_model_sockets_and_hypervisor(tmp_path):
    proc = FakeProc(tmp_path)
    proc.write_cpuinfo(XEON, sockets=2, cpus_per_socket=4)
    info = read_cpuinfo(str(tmp_path))
    assert (info.model_name, info.sockets, info.logical_cpus, info.virtual) == (XEON, 2, 8, False)
    proc.write_cpuinfo("AMD EPYC", sockets=4, cpus_per_socket=1, virtual=True)
    info = read_cpuinfo(str(tmp_path))
    assert (info.model_name, info.sockets, info.virtual) == ("AMD EPYC", 1, True)  # vSockets ignored
    proc.write_cpuinfo(None)
    assert read_cpuinfo(str(tmp_path)).model_name is None


def test_resolve_cpu_known_and_unknown():
    hw, note = resolve_cpu(XEON, find=find, get=get)
    assert hw.id == "intel-xeon-gold-6248" and note is None
    hw, note = resolve_cpu("AMD EPYC 7999 48-Core Processor", find=find, get=get)
    assert hw.id == "default-cpu" and note == Msg("measure.cpu.unknown_model", name="'AMD EPYC 7999 48-Core Processor'",
                                                  default="default-cpu")
    assert "is not in the reference data" in str(note) and "(default-cpu)" in str(note)
    hw, note = resolve_cpu(None, find=find, get=get)
    assert hw.id == "default-cpu" and "/proc/cpuinfo names no CPU model" in str(note)


@pytest.mark.parametrize("name,row", [
    ("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", "aws-xeon-platinum-8375c"),
    ("AMD EPYC 7R13 48-Core Processor", "aws-epyc-7r13"),  # /proc/cpuinfo's words; the data has "AMD EPYC 7R13"
    ("AMD EPYC 7763 64-Core Processor", "amd-epyc-7763"),
    ("Intel(R) Xeon(R) CPU E5-2698 v4 @ 2.20GHz", "intel-xeon-e5-2698-v4"),
    ("  intel(r)  xeon(r) gold 6248   cpu @ 2.50ghz ", "intel-xeon-gold-6248"),
])
def test_a_cpuinfo_model_name_resolves_without_its_noise(name, row):
    hw, note = resolve_cpu(name)
    assert (hw.id, note) == (row, None)


@pytest.mark.parametrize("name", ["Intel(R) Xeon(R) CPU @ 2.60GHz", "AMD EPYC"])
def test_a_cpu_name_without_a_model_says_so_and_how_to_name_it(name):
    # Google Cloud's Intel VMs report only "Intel(R) Xeon(R) CPU @ 2.60GHz": no model to look up
    hw, note = resolve_cpu(name)
    assert hw.id == "default-cpu" and note is not None and note.key == "measure.cpu.no_model"
    assert "which names no model" in str(note) and "sans nommer de modèle" in note.render("fr")


def test_cpu_model_energy_follows_utilisation(tmp_path):
    proc = FakeProc(tmp_path)
    clock = FakeClock()
    s = CpuModelSensor(ROWS[XEON.lower()], sockets=2, proc_root=str(tmp_path), clock=clock)
    assert s.method == "modelled" and s.channels()[0].sources == ("intel-ark",)
    # 10 s at 25 % then 10 s at 100 %: P = 2 × (30 + 120 × u) → 120 W then 300 W
    clock.advance(10)
    proc.cpu_ticks(busy=250, idle=750)
    r1 = s.read()
    assert r1.power_w["model:cpu"] == pytest.approx(120.0)
    clock.advance(10)
    proc.cpu_ticks(busy=1000, idle=0)
    r2 = s.read()
    assert r2.energy_j["model:cpu"] == pytest.approx(1200.0 + 3000.0, rel=1e-9)


def test_cpu_model_without_idle_uses_given_fraction_and_gap(tmp_path):
    proc = FakeProc(tmp_path)
    clock = FakeClock()
    hw = Hw("x", "X", 200.0, None)
    s = CpuModelSensor(
        hw, proc_root=str(tmp_path), idle_fraction=0.25, extra_sources=("default-src",), clock=clock
    )
    assert (s.idle_w, s.channels()[0].sources) == (50.0, ("intel-ark", "default-src"))
    (tmp_path / "stat").unlink()
    clock.advance(1)
    r = s.read()
    assert r.energy_j == {} and "model:cpu" in r.errors  # a gap, never 0 J
    proc.write_stat()
    proc.cpu_ticks(busy=0, idle=100)
    clock.advance(1)
    assert s.read().energy_j["model:cpu"] == pytest.approx(100.0)  # 2 s at idle 50 W


def test_memory_model(tmp_path):
    proc = FakeProc(tmp_path)
    proc.write_meminfo(125_000_000)  # kB → 128 GB
    clock = FakeClock()
    s = MemoryModelSensor(proc_root=str(tmp_path), clock=clock)
    assert s.memory_gb == pytest.approx(128.0)
    assert s.power == pytest.approx(128.0 * 0.3725)
    clock.advance(3600)
    r = s.read()
    assert r.energy_j["model:dram"] == pytest.approx(0.3725 * 128 * 3600)
    assert s.channels()[0].sources == ("lannelongue-2021-green-algorithms",)
    assert MemoryModelSensor(16.0, clock=clock).power == pytest.approx(5.96)


def test_unmetered_jay_2023():
    # 1 h at 2 kW seen by the counters on one DGX-1-like node
    u = unmetered_energy(2000.0 * 3600, 3600)
    assert u.energy_j == pytest.approx((0.164 * 2000 + 282) * 3600)
    assert u.power_w == pytest.approx(610.0)
    assert u.source == "jay-2023-ccgrid"
    assert unmetered_energy(0, 10, nodes=4).energy_j == pytest.approx(282 * 10 * 4)
    with pytest.raises(InputError, match="duration_s"):
        unmetered_energy(1.0, -1)
    with pytest.raises(InputError, match="nodes"):
        unmetered_energy(1.0, 1, nodes=0)
