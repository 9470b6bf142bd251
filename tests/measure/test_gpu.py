from __future__ import annotations

import sys

import pytest
from tests.fakes import FakeClock
from tests.fakes import amdsmi as famd
from tests.fakes import pynvml as fnvml
from tests.fakes.amdsmi import FakeAmdGpu, FakeAmdSmi
from tests.fakes.pynvml import FakeGpu, FakeNvml, uuid

from aiceberg.errors import MissingExtraError, SensorUnavailable
from aiceberg.i18n.numbers import NNBSP
from aiceberg.measure.amd import AmdSmiSensor
from aiceberg.measure.nvidia import NvmlSensor, parse_visible_devices, select_devices

# -- visibility ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", []),
        ("0,2", [0, 2]),
        (" 1 , 0 ", [1, 0]),
        ("0,1,-1,2", [0, 1]),  # CUDA stops at the first invalid entry
        ("GPU-abc,3", ["GPU-abc", 3]),
    ],
)
def test_parse_visible_devices(value, expected):
    assert parse_visible_devices(value) == expected


def test_select_devices_indices_uuids_and_prefixes():
    uuids = [uuid(0), uuid(1), uuid(2)]
    assert select_devices(uuids, "auto", None) == [0, 1, 2]
    assert select_devices(uuids, "auto", "2,0") == [2, 0]
    assert select_devices(uuids, "auto", uuid(1)) == [1]
    assert select_devices(uuids, "auto", uuid(2)[:14] + ",0") == [2, 0]  # unique prefix
    assert select_devices(uuids, "auto", "GPU-0000,1") == []  # ambiguous prefix stops the list
    assert select_devices(uuids, "auto", "1,7,0") == [1]  # index out of range stops the list
    assert select_devices(uuids, "none", "0") == []
    assert select_devices(uuids, [2], "0") == [2]


# -- NVML -----------------------------------------------------------------------------------------


def test_energy_counter_per_gpu_with_cuda_visible_devices():
    gpus = [FakeGpu(uuid=uuid(i), energy_mj=1_000_000 * i) for i in range(3)]
    nvml = FakeNvml(gpus)
    s = NvmlSensor(nvml, env={"CUDA_VISIBLE_DEVICES": f"2,{uuid(0)}"})
    assert [c.id for c in s.channels()] == ["nvml:gpu-2", "nvml:gpu-0"]
    assert all(d.mode == "energy" for d in s.devices)
    gpus[2].energy_mj += 250_000  # 250 J
    gpus[0].energy_mj += 400_500
    gpus[1].energy_mj += 999_999  # not visible
    r = s.read()
    assert r.energy_j == {"nvml:gpu-2": pytest.approx(250.0), "nvml:gpu-0": pytest.approx(400.5)}
    s.close()
    s.close()
    assert nvml.initialised == 0 and nvml.shutdowns == 1


def test_power_integration_when_no_counter_matches_known_rate():
    clock = FakeClock()
    gpu = FakeGpu(energy_mj=None, power_mw=200_000)
    s = NvmlSensor(FakeNvml([gpu]), env={}, clock=clock)
    assert s.devices[0].mode == "power" and "(power)" in s.channels()[0].label
    # a ramp from 200 W to 300 W over 100 s, sampled every second: trapezoid is exact for a ramp
    for k in range(1, 101):
        clock.advance(1.0)
        gpu.power_mw = 200_000 + 1_000 * k
        r = s.read()
    assert r.energy_j["nvml:gpu-0"] == pytest.approx(25_000.0, rel=0.01)
    assert r.energy_j["nvml:gpu-0"] == pytest.approx(25_000.0, rel=1e-9)
    assert r.power_w["nvml:gpu-0"] == pytest.approx(300.0)


def test_error_mid_run_is_a_gap_and_the_counter_recovers():
    gpu = FakeGpu(energy_mj=0)
    s = NvmlSensor(FakeNvml([gpu]), env={})
    gpu.energy_mj = 10_000
    assert s.read().energy_j["nvml:gpu-0"] == pytest.approx(10.0)
    gpu.fail["nvmlDeviceGetTotalEnergyConsumption"] = fnvml.NVML_ERROR_GPU_IS_LOST
    gpu.energy_mj = 20_000
    r = s.read()
    assert r.energy_j == {}
    assert r.errors["nvml:gpu-0"].startswith("NVML_ERROR_GPU_IS_LOST (15): GPU is lost")
    gpu.fail.clear()
    gpu.energy_mj = 30_000
    assert s.read().energy_j["nvml:gpu-0"] == pytest.approx(30.0)


def test_power_gap_is_bridged_when_short_and_dropped_when_long():
    clock = FakeClock()
    gpu = FakeGpu(energy_mj=None, power_mw=100_000)
    s = NvmlSensor(FakeNvml([gpu]), env={}, clock=clock, max_gap_s=5.0)
    clock.advance(1)
    s.read()  # 100 J
    gpu.fail["nvmlDeviceGetPowerUsage"] = fnvml.NVML_ERROR_UNKNOWN
    clock.advance(1)
    assert "nvml:gpu-0" in s.read().errors
    gpu.fail.clear()
    clock.advance(1)
    assert s.read().energy_j["nvml:gpu-0"] == pytest.approx(300.0)  # 2 s bridged at 100 W
    gpu.fail["nvmlDeviceGetPowerUsage"] = fnvml.NVML_ERROR_UNKNOWN
    clock.advance(30)
    s.read()
    gpu.fail.clear()
    clock.advance(1)
    assert s.read().energy_j["nvml:gpu-0"] == pytest.approx(300.0)  # 31 s gap: left out, not 0 W
    assert s._integrators["nvml:gpu-0"].missing_s == pytest.approx(31.0)


def test_counter_going_backwards_keeps_the_total():
    gpu = FakeGpu(energy_mj=50_000)
    s = NvmlSensor(FakeNvml([gpu]), env={})
    gpu.energy_mj = 80_000
    assert s.read().energy_j["nvml:gpu-0"] == pytest.approx(30.0)
    gpu.energy_mj = 1_000  # driver reloaded
    assert "backwards" in str(s.read().errors["nvml:gpu-0"])
    gpu.energy_mj = 6_000
    assert s.read().energy_j["nvml:gpu-0"] == pytest.approx(35.0)


def test_init_errors_are_translated_with_a_fix():
    with pytest.raises(SensorUnavailable) as info:
        NvmlSensor(FakeNvml([], init_error=fnvml.NVML_ERROR_DRIVER_NOT_LOADED), env={})
    assert "NVML_ERROR_DRIVER_NOT_LOADED" in str(info.value.reason)
    assert "nvidia-smi" in str(info.value.fix)
    with pytest.raises(SensorUnavailable) as info:
        NvmlSensor(FakeNvml([], init_error=fnvml.NVML_ERROR_LIBRARY_NOT_FOUND), env={})
    assert "libnvidia-ml" in str(info.value.fix)
    # in the reader's language, the driver's own words kept
    fr = info.value.render("fr")
    assert fr.startswith(f"nvml: NVML n’a pas démarré{NNBSP}: NVML_ERROR_LIBRARY_NOT_FOUND")
    assert "installez le pilote NVIDIA" in fr and "install the" not in fr


def test_an_unreadable_gpu_is_said_in_french_too():
    lost = {"nvmlDeviceGetPowerUsage": fnvml.NVML_ERROR_GPU_IS_LOST}
    nvml = FakeNvml([FakeGpu(uuid=uuid(0), energy_mj=None, fail=lost)])
    with pytest.raises(SensorUnavailable) as info:
        NvmlSensor(nvml, env={})
    fr = info.value.render("fr")
    assert "aucun GPU n’a pu être lu" in fr and "pas de compteur d’énergie" in fr and "GPU could" not in fr


def test_no_gpu_selected_and_unreadable_gpu():
    nvml = FakeNvml([FakeGpu(uuid=uuid(0))])
    with pytest.raises(SensorUnavailable, match="no GPU selected"):
        NvmlSensor(nvml, env={"CUDA_VISIBLE_DEVICES": ""})
    assert nvml.initialised == 0  # shut down again
    bad = FakeGpu(energy_mj=None, fail={"nvmlDeviceGetPowerUsage": fnvml.NVML_ERROR_NO_PERMISSION})
    with pytest.raises(SensorUnavailable, match="NO_PERMISSION"):
        NvmlSensor(FakeNvml([bad]), env={})
    ok = FakeGpu(uuid=uuid(1))
    s = NvmlSensor(FakeNvml([bad, ok]), env={})
    assert [c.id for c in s.channels()] == ["nvml:gpu-1"] and "nvml:gpu-0" in s.skipped


def test_missing_bindings_give_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", None)  # makes `import pynvml` fail
    with pytest.raises(SensorUnavailable) as info:
        NvmlSensor(env={})
    assert str(info.value.fix) == "pip install 'aiceberg[nvidia]'"
    assert isinstance(info.value.__cause__, MissingExtraError)


# -- AMD SMI --------------------------------------------------------------------------------------


@pytest.mark.parametrize("new_keys", [True, False])
def test_amd_energy_counter(new_keys):
    gpus = [
        FakeAmdGpu(uuid=f"u{i}", energy_acc=1000, resolution_uj=15.3, new_keys=new_keys) for i in range(2)
    ]
    smi = FakeAmdSmi(gpus)
    s = AmdSmiSensor(smi, env={})
    assert [c.id for c in s.channels()] == ["amdsmi:gpu-0", "amdsmi:gpu-1"]
    assert s.channels()[0].label.startswith("AMD Instinct MI250X")
    gpus[1].energy_acc += 1_000_000  # × 15.3 µJ = 15.3 J
    r = s.read()
    assert r.energy_j == {"amdsmi:gpu-0": 0.0, "amdsmi:gpu-1": pytest.approx(15.3)}
    s.close()
    assert smi.shutdowns == 1


def test_amd_power_fallback_rate_and_visibility():
    clock = FakeClock()
    gpus = [FakeAmdGpu(uuid="aa", energy_acc=None, power_w=250.0), FakeAmdGpu(uuid="bb", energy_acc=None)]
    s = AmdSmiSensor(
        FakeAmdSmi(gpus), env={"ROCR_VISIBLE_DEVICES": "0", "CUDA_VISIBLE_DEVICES": "1"}, clock=clock
    )
    assert [d.mode for d in s.devices] == ["power"] and s.channels()[0].id == "amdsmi:gpu-0"
    for _ in range(10):
        clock.advance(1.0)
        r = s.read()
    assert r.energy_j["amdsmi:gpu-0"] == pytest.approx(2500.0, rel=0.01)


def test_amd_error_mid_run_and_init_error():
    gpu = FakeAmdGpu(energy_acc=0, resolution_uj=1.0)
    s = AmdSmiSensor(FakeAmdSmi([gpu]), env={})
    gpu.fail["amdsmi_get_energy_count"] = famd.AMDSMI_STATUS_NO_PERM
    r = s.read()
    assert r.energy_j == {} and "AMD SMI error 10" in r.errors["amdsmi:gpu-0"]
    with pytest.raises(SensorUnavailable) as info:
        AmdSmiSensor(FakeAmdSmi([], init_error=famd.AMDSMI_STATUS_DRIVER_NOT_LOADED), env={})
    assert "render" in str(info.value.fix)


def test_amd_missing_bindings(monkeypatch):
    monkeypatch.setitem(sys.modules, "amdsmi", None)
    with pytest.raises(SensorUnavailable) as info:
        AmdSmiSensor(env={})
    assert "aiceberg[amd]" in str(info.value.fix)


def test_resetting_counter_keeps_the_total_across_a_driver_reload():
    from aiceberg.measure.base import ResettingCounter

    c = ResettingCounter(5_000, 1e-3)  # mJ
    assert c.joules(7_000) == pytest.approx(2.0)
    assert c.joules(100) is None  # reloaded: a gap, never a negative or zero energy
    assert c.joules(1_100) == pytest.approx(3.0)  # 2 J before + 1 J after


# -- the shared reader, power-only channels in a run, per-process attribution ---------------------


def test_both_backends_are_one_gpu_reader():
    from aiceberg.measure.gpu import GpuSensor

    assert isinstance(NvmlSensor(FakeNvml([FakeGpu()]), env={}), GpuSensor)
    assert isinstance(AmdSmiSensor(FakeAmdSmi([FakeAmdGpu()]), env={}), GpuSensor)


def _run_with(sensor, clock, interval_s):
    import warnings

    from aiceberg.measure.tracker import Run

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Run(sensors=[sensor], store=False, clock=clock, interval_s=interval_s, flush_every_s=interval_s,
                   location=None, attach_pid=False).start()


@pytest.mark.parametrize("make", ["nvml", "amd"])
def test_a_power_only_gpu_read_every_30_s_is_integrated(make):
    """Pre-Volta NVIDIA and some AMD have no energy counter: read every 30 s, the gap limit follows the
    interval (it was a fixed 10 s, and such a run recorded 0 J without a word)."""
    from aiceberg.units import J_PER_KWH

    clock = FakeClock()
    if make == "nvml":
        sensor = NvmlSensor(FakeNvml([FakeGpu(energy_mj=None, power_mw=200_000)]), env={}, clock=clock)
    else:
        sensor = AmdSmiSensor(FakeAmdSmi([FakeAmdGpu(energy_acc=None, power_w=200.0)]), env={}, clock=clock)
    run = _run_with(sensor, clock, 30.0)
    for _ in range(4):
        clock.advance(30.0)
    result = run.stop()
    assert result.energy_kwh == pytest.approx(200.0 * 120 / J_PER_KWH, rel=1e-12)
    gpu = result.summary.sensors[0]
    assert gpu.status == "measured" and gpu.channels[0].missing_s == 0.0


def test_time_without_a_power_reading_is_a_gap_on_the_sensor_not_zero():
    from aiceberg.i18n import Msg
    from aiceberg.units import J_PER_KWH

    clock = FakeClock()
    gpu = FakeGpu(energy_mj=None, power_mw=100_000)
    run = _run_with(NvmlSensor(FakeNvml([gpu]), env={}, clock=clock), clock, 1.0)
    for _ in range(10):
        clock.advance(1.0)  # 10 s integrated
    gpu.fail["nvmlDeviceGetPowerUsage"] = fnvml.NVML_ERROR_GPU_IS_LOST
    for _ in range(30):
        clock.advance(1.0)  # 30 failed reads: longer than the 10 s limit
    gpu.fail.clear()
    for _ in range(5):
        clock.advance(1.0)
    result = run.stop()
    rep = result.summary.sensors[0]
    assert rep.status == "partial"
    assert rep.channels[0].missing_s == pytest.approx(31.0)  # from the last good reading to the next
    assert result.energy_kwh == pytest.approx(100.0 * (45 - 31) / J_PER_KWH, rel=1e-12)
    assert Msg("measure.warning.missing_time", sensor="nvml", seconds=31.0) in result.summary.warnings
    assert result.to_dict()["sensors"][0]["channels"][0]["missing_s"] == pytest.approx(31.0)


def test_doctor_says_what_a_power_only_gpu_means_for_the_interval():
    from aiceberg.measure.discovery import discover

    with discover(powercap_root="/nonexistent", nvml_module=FakeNvml([FakeGpu(energy_mj=None)]),
                  amdsmi_module=FakeAmdSmi([]), include_model=False, env={}, interval_s=30.0) as found:
        row = found.status("nvml")
    assert row is not None and row.status == "measured"
    assert "no energy counter" in str(row.reason) and "longer than 120 s is reported as missing time" in str(row.reason)


def test_amd_attribution_per_process_from_engine_time():
    gpus = [FakeAmdGpu(uuid="a"), FakeAmdGpu(uuid="b"), FakeAmdGpu(uuid="c")]
    s = AmdSmiSensor(FakeAmdSmi(gpus), env={})
    memo: dict = {}
    gpus[0].processes = [famd.process(100, gfx_ns=1_000), famd.process(200, gfx_ns=3_000)]
    gpus[1].processes = [famd.process(100, gfx_ns=None)]  # listed, no engine time
    gpus[2].processes = []
    first = s.process_shares([100, 101], memo)
    assert first.shares == {"amdsmi:gpu-0": 0.25, "amdsmi:gpu-1": 1.0, "amdsmi:gpu-2": None}
    assert first.method == {"amdsmi:gpu-0": "utilisation", "amdsmi:gpu-1": "whole-gpu", "amdsmi:gpu-2": "unknown"}
    gpus[0].processes = [famd.process(100, gfx_ns=4_000), famd.process(200, gfx_ns=4_000)]  # +3000 vs +1000
    assert s.process_shares([100], memo).shares["amdsmi:gpu-0"] == 0.75


def test_amd_without_process_information_says_why():
    gpu = FakeAmdGpu(fail={"amdsmi_get_gpu_process_list": famd.AMDSMI_STATUS_NO_PERM})
    s = AmdSmiSensor(FakeAmdSmi([gpu]), env={})
    shares = s.process_shares([1], {})
    assert shares.shares == {"amdsmi:gpu-0": None}
    assert shares.method["amdsmi:gpu-0"].startswith("no process information from AMD SMI (AMD SMI error 10")


def test_run_attribution_recognises_amd_gpus_by_type():
    """An AMD GPU used to get "whole-gpu" always (attribution looked for an ``nvml`` attribute)."""
    import os

    from aiceberg.measure.run_attribution import RunAttributor
    from aiceberg.measure.sampler import ChannelState

    gpu = FakeAmdGpu()
    s = AmdSmiSensor(FakeAmdSmi([gpu]), env={})
    me = os.getpid()
    gpu.processes = [famd.process(me, gfx_ns=2_000), famd.process(1, gfx_ns=6_000)]
    attr = RunAttributor(me, [s])
    assert attr.gpu_sensors == [s]
    st = ChannelState(s.channels()[0], s.name, s.method, last_j=0.0)
    attr.update([st])
    gpu.processes = [famd.process(me, gfx_ns=4_000), famd.process(1, gfx_ns=12_000)]
    st.last_j = 100.0
    attr.update([st])
    assert attr.gpu_methods["amdsmi:gpu-0"] == "utilisation"
    assert attr.attributed_j == pytest.approx(25.0)  # 2000 of the window's 8000 ns of graphics engine time
