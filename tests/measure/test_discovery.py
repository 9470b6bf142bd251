from __future__ import annotations

import json
import re
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
        assert rows["rapl"].status == "measured" and "6 channel(s)" in str(rows["rapl"].reason)
        assert rows["nvml"].status == "measured" and "(power samples)" in str(rows["nvml"].reason)
        assert rows["cpu-model"].status == "unavailable" and "not needed" in str(rows["cpu-model"].reason)
        assert rows["memory-model"].status == "unavailable" and "not needed" in str(rows["memory-model"].reason)
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
    assert str(rows["nvml"].reason) == "GPU measurement turned off (gpus='none')"
    assert rows["cpu-model"].status == "modelled"
    assert "Intel Xeon Gold 6248" in str(rows["cpu-model"].reason) and "2 socket(s)" in str(rows["cpu-model"].reason)
    assert rows["cpu-model"].fix == rows["rapl"].fix
    assert rows["memory-model"].status == "modelled" and "0.3725 W/GB" in str(rows["memory-model"].reason)
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
    assert "'AMD EPYC', which names no model" in str(row.reason) and "virtual machine" in str(row.reason)
    # what a user can do: the settings, not the installed package's data (that is for contributors)
    fix = str(row.fix)
    assert "--cpu-model" in fix and "--cpu-tdp-w" in fix and "AICEBERG_CPU_MODEL" in fix
    assert "contributors add a missing model to" in fix
    fr = row.reason.render("fr") + row.fix.render("fr")
    assert "sans nommer de modèle" in fr and "machine virtuelle" in fr and "virtual machine" not in fr
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
    assert "turned off" in str(_rows(found)["memory-model"].reason)


def test_missing_nvml_bindings_hint_only_where_a_driver_is(tmp_path, proc, monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", None)
    monkeypatch.setitem(sys.modules, "amdsmi", None)
    kw = dict(powercap_root=tmp_path / "none", proc_root=proc.root, include_model=False, env={})
    row = _rows(discover(**kw))["nvml"]
    assert row.status == "unavailable" and row.fix is None and "no NVIDIA driver" in str(row.reason)
    proc.nvidia_driver()
    row = _rows(discover(**kw))["nvml"]
    assert str(row.fix) == "pip install 'aiceberg[nvidia]'"


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
        assert "8 vCPUs of the host CPU's 128 threads" in str(_rows(found)["cpu-model"].reason)


def test_a_virtual_machine_on_an_unknown_cpu_is_an_upper_bound_said_so(tmp_path):
    proc = FakeProc(tmp_path / "proc")
    proc.write_cpuinfo("Mystery CPU 9000", cpus_per_socket=4, virtual=True)
    with discover(powercap_root=tmp_path / "none", gpus="none", proc_root=proc.root) as found:
        cpu = next(s for s in found.sensors if s.name == "cpu-model")
        assert cpu.share == 1.0
        assert "upper bound" in str(_rows(found)["cpu-model"].reason)


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
        reason = str(found.status("cpu-model").reason)
    assert cpu.tdp_w == row.tdp_w and cpu.share == pytest.approx(4 / row.threads)
    assert "class default" not in reason and f"4 vCPUs of the host CPU's {row.threads} threads" in reason
    assert ("CPU named by --cpu-model" in reason) == (given is not None)


# words that only an English sentence has: none may be left in a French table
ENGLISH = re.compile(r"\b(the|not|no|is|are|of|with|and|channels?|measures?|reference|readable|unreadable|"
                     r"virtual machine|turned|needed|samples|counter|denied|driver here|found|selected)\b")


@pytest.mark.parametrize("case", ["vm", "server", "denied"])
def test_doctor_says_every_reason_and_fix_in_french(tmp_path, case, monkeypatch, capsys):
    # the discovery's reasons and the backends' errors were English strings even with --lang fr
    proc = FakeProc(tmp_path / "proc")
    if case == "vm":  # a Google Cloud Intel VM: no RAPL, no GPU, a CPU name without a model
        proc.write_cpuinfo("Intel(R) Xeon(R) CPU @ 2.60GHz", virtual=True)
        root = tmp_path / "none"
    else:
        proc.write_cpuinfo(XEON, sockets=2)
        root = tmp_path / "pc"
        server(root, sockets=2)
        if case == "denied":
            for f in root.glob("intel-rapl:*/energy_uj"):
                f.chmod(0)
            monkeypatch.setattr("aiceberg.measure.rapl.read_small_file", _denied)
    proc.nvidia_driver()
    monkeypatch.setenv("AICEBERG_POWERCAP_ROOT", str(root))
    monkeypatch.setenv("AICEBERG_PROC_ROOT", str(proc.root))
    monkeypatch.setitem(sys.modules, "pynvml", None)
    monkeypatch.setitem(sys.modules, "amdsmi", None)
    assert main(["doctor", "--json", "--lang", "fr"]) == 0
    rows = json.loads(capsys.readouterr().out)
    for r in rows:
        text = re.sub(r"'[^']*'|«[^»]*»|\([^()]*_[^()]*\)|\S*[/=_]\S*|nvidia-ml-py|Intel Xeon Gold 6248", "",
                      f"{r['reason']} {r['fix'] or ''}")  # names, commands, paths and settings are not words
        assert not ENGLISH.search(text), (r["sensor"], ENGLISH.search(text), text)
    if case == "vm":
        cpu = next(r for r in rows if r["sensor"] == "cpu-model")
        assert "sans nommer de modèle" in cpu["reason"] and "--cpu-model" in cpu["fix"]
    assert main(["doctor", "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["capteur", "état", "raison", "/", "remède"]
    assert ("modélisé" if case == "vm" else "mesuré") in out and "unavailable" not in out


def _denied(path: str) -> bytes:
    if path.endswith("energy_uj"):
        raise PermissionError(13, "Permission denied", path)
    with open(path, "rb") as f:
        return f.read()
