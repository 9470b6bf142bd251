from __future__ import annotations

import json
import sys

import pytest
from tests.fakes.powercap import server
from tests.fakes.procfs import FakeProc
from tests.fakes.pynvml import FakeGpu, FakeNvml, uuid
from tests.measure.test_models import XEON, find, get

from aiceberg.cli import main
from aiceberg.measure.discovery import discover


@pytest.fixture
def proc(tmp_path):
    p = FakeProc(tmp_path / "proc")
    p.write_cpuinfo(XEON, sockets=2)
    return p


def _rows(found):
    return {s.name: s for s in found.statuses}


def test_full_server_uses_rapl_and_nvml_and_no_model(tmp_path, proc):
    server(tmp_path / "pc", sockets=2)
    nvml = FakeNvml([FakeGpu(uuid=uuid(0)), FakeGpu(uuid=uuid(1), energy_mj=None)])
    with discover(
        powercap_root=tmp_path / "pc",
        nvml_module=nvml,
        amdsmi_module=None,
        proc_root=proc.root,
        env={},
        find_hardware=find,
        get_hardware=get,
    ) as found:
        rows = _rows(found)
        assert [s.name for s in found.statuses] == ["rapl", "nvml", "amdsmi", "cpu-model", "memory-model"]
        assert [s.name for s in found.sensors] == ["rapl", "nvml"]
        assert rows["rapl"].status == "measured" and "6 channel(s)" in rows["rapl"].reason
        assert rows["nvml"].status == "measured" and "(power)" in rows["nvml"].reason
        assert rows["cpu-model"].status == "unavailable" and "not needed" in rows["cpu-model"].reason
        assert rows["memory-model"].status == "unavailable" and "not needed" in rows["memory-model"].reason
    assert nvml.initialised == 0  # closed with the discovery


def test_vm_falls_back_to_models_with_the_rapl_fix(tmp_path, proc):
    found = discover(
        powercap_root=tmp_path / "none",
        gpus="none",
        proc_root=proc.root,
        find_hardware=find,
        get_hardware=get,
    )
    rows = _rows(found)
    assert rows["rapl"].status == "unavailable" and rows["rapl"].fix
    assert rows["nvml"].reason == "GPU measurement turned off (gpus='none')"
    assert rows["cpu-model"].status == "modelled"
    assert "Intel Xeon Gold 6248" in rows["cpu-model"].reason and "2 socket(s)" in rows["cpu-model"].reason
    assert rows["cpu-model"].fix == rows["rapl"].fix
    assert rows["memory-model"].status == "modelled" and "0.3725 W/GB" in rows["memory-model"].reason
    assert [s.name for s in found.sensors] == ["cpu-model", "memory-model"]
    assert found.sensors[0].sockets == 2 and found.sensors[0].tdp_w == 150.0
    found.close()
    assert found.sensors == []


def test_unknown_cpu_uses_default_row_and_says_so(tmp_path, proc):
    proc.write_cpuinfo("AMD EPYC", virtual=True)
    found = discover(
        powercap_root=tmp_path / "none",
        gpus="none",
        proc_root=proc.root,
        find_hardware=find,
        get_hardware=get,
    )
    row = _rows(found)["cpu-model"]
    assert row.status == "modelled"
    assert "'AMD EPYC' is not in the reference data" in row.reason and "virtual machine" in row.reason
    assert found.sensors[0].hardware.id == "default-cpu"


def test_rapl_without_dram_adds_only_the_memory_model(tmp_path, proc):
    server(tmp_path / "pc", sockets=1, dram=False)
    found = discover(
        powercap_root=tmp_path / "pc",
        gpus="none",
        proc_root=proc.root,
        find_hardware=find,
        get_hardware=get,
        include_model=True,
    )
    assert [s.name for s in found.sensors] == ["rapl", "memory-model"]
    found = discover(powercap_root=tmp_path / "pc", gpus="none", proc_root=proc.root, include_model=False)
    assert [s.name for s in found.sensors] == ["rapl"]
    assert "turned off" in _rows(found)["memory-model"].reason


def test_missing_nvml_bindings_hint_only_where_a_driver_is(tmp_path, proc, monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", None)
    monkeypatch.setitem(sys.modules, "amdsmi", None)
    kw = dict(powercap_root=tmp_path / "none", proc_root=proc.root, include_model=False, env={})
    row = _rows(discover(**kw))["nvml"]
    assert row.status == "unavailable" and row.fix is None and "no NVIDIA driver" in row.reason
    proc.nvidia_driver()
    row = _rows(discover(**kw))["nvml"]
    assert row.fix == "pip install 'aiceberg[nvidia]'"


def test_doctor_json_and_table(tmp_path, proc, monkeypatch, capsys):
    server(tmp_path / "pc", sockets=1)
    monkeypatch.setenv("AICEBERG_POWERCAP_ROOT", str(tmp_path / "pc"))
    monkeypatch.setenv("AICEBERG_PROC_ROOT", str(proc.root))
    monkeypatch.setitem(sys.modules, "pynvml", None)
    monkeypatch.setitem(sys.modules, "amdsmi", None)
    (proc.root / "modules").write_text("amdgpu 9 0 - Live 0x0\n")  # the driver is loaded: the hint helps
    assert main(["doctor", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["sensor"] for r in rows] == ["rapl", "nvml", "amdsmi", "cpu-model", "memory-model"]
    assert rows[0]["status"] == "measured" and set(rows[0]) == {"sensor", "status", "reason", "fix"}
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["sensor", "status", "reason", "/", "fix"]
    assert "fix: pip install 'aiceberg[amd]'" in out


def test_a_virtual_machine_gets_its_vcpus_share_of_the_host_cpu(tmp_path):
    """8 vCPUs of an EPYC 7763 (128 threads, 280 W): the model charges 8/128 of the package, not all of it."""
    proc = FakeProc(tmp_path / "proc")
    proc.write_cpuinfo("AMD EPYC 7763 64-Core Processor", cpus_per_socket=8, virtual=True)
    with discover(powercap_root=tmp_path / "none", gpus="none", proc_root=proc.root) as found:
        cpu = next(s for s in found.sensors if s.name == "cpu-model")
        assert cpu.share == pytest.approx(8 / 128)
        assert cpu.power_w(1.0) == pytest.approx(280.0 * 8 / 128)
        assert "8 vCPUs of the host CPU's 128 threads" in _rows(found)["cpu-model"].reason


def test_a_virtual_machine_on_an_unknown_cpu_is_an_upper_bound_said_so(tmp_path):
    proc = FakeProc(tmp_path / "proc")
    proc.write_cpuinfo("Mystery CPU 9000", cpus_per_socket=4, virtual=True)
    with discover(powercap_root=tmp_path / "none", gpus="none", proc_root=proc.root) as found:
        cpu = next(s for s in found.sensors if s.name == "cpu-model")
        assert cpu.share == 1.0
        assert "upper bound" in _rows(found)["cpu-model"].reason


@pytest.mark.parametrize(("cpuinfo", "given"), [("AMD EPYC 7R13 Processor", None), ("AMD EPYC", "AMD EPYC 7R13")])
def test_a_cloud_cpu_is_modelled_with_its_own_row_and_this_vms_share(tmp_path, cpuinfo, given):
    """An AWS VM: /proc/cpuinfo names the custom part (or only "AMD EPYC", and the user names it)."""
    from aiceberg.refdata import get_hardware

    p = FakeProc(tmp_path / "proc")
    p.write_cpuinfo(cpuinfo, cpus_per_socket=4, virtual=True)
    row = get_hardware("aws-epyc-7r13")
    with discover(powercap_root=tmp_path / "none", gpus="none", proc_root=p.root, env={}, cpu_model=given,
                  labels={"cpu_model": "--cpu-model"}) as found:
        cpu = next(s for s in found.sensors if s.name == "cpu-model")
        reason = found.status("cpu-model").reason
    assert cpu.tdp_w == row.tdp_w and cpu.share == pytest.approx(4 / row.threads)
    assert "class default" not in reason and f"4 vCPUs of the host CPU's {row.threads} threads" in reason
    assert ("CPU named by --cpu-model" in reason) == (given is not None)
