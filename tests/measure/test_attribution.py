from __future__ import annotations

import os

import pytest
from tests.fakes.procfs import FakeProc
from tests.fakes.pynvml import FakeGpu, FakeNvml, ProcessInfo, UtilSample, uuid

from aiceberg.measure.attribution import CpuShareMeter, ProcessTreeCpu, cpu_share, gpu_shares
from aiceberg.measure.nvidia import NvmlSensor
from aiceberg.measure.procfs import CpuTimes, read_proc_stat


def test_proc_stat_with_spaces_and_parens_in_the_name(tmp_path):
    proc = FakeProc(tmp_path)
    proc.process(42, 1, utime=7, stime=3, cutime=5, cstime=1, comm="my (weird) name")
    st = read_proc_stat(str(tmp_path), 42)
    assert (st.ppid, st.utime, st.stime, st.cutime, st.cstime) == (1, 7, 3, 5, 1)


def test_tree_cpu_time_counts_children_once(tmp_path):
    proc = FakeProc(tmp_path)
    proc.process(10, 1, utime=500, stime=100)  # before tracking: not counted
    tree = ProcessTreeCpu(10, proc_root=str(tmp_path), ticks_per_s=100)
    assert tree.sample() == 0.0
    # the root works 50 ticks and starts child 11, which works 30 ticks
    proc.process(10, 1, utime=550, stime=100, children=[11])
    proc.process(11, 10, utime=20, stime=10)
    assert tree.sample() == pytest.approx(0.8)
    # the child works 40 more ticks (20 of them after our last sample), ends, and is reaped
    proc.end(11)
    proc.process(10, 1, utime=550, stime=100, cutime=60, cstime=10)
    assert tree.sample() == pytest.approx(1.2)  # 0.8 + the 40 ticks we had not seen
    # a short-lived child that we never saw, reaped: only cutime tells
    proc.process(10, 1, utime=550, stime=100, cutime=85, cstime=10)
    assert tree.sample() == pytest.approx(1.45)
    assert tree.pids == [10]


def test_tree_falls_back_to_scanning_without_children_files(tmp_path):
    proc = FakeProc(tmp_path)
    proc.process(10, 1, utime=0, children=[])
    os.remove(tmp_path / "10" / "task" / "10" / "children")
    tree = ProcessTreeCpu(10, proc_root=str(tmp_path), ticks_per_s=100)
    proc.process(12, 10, utime=30)
    os.remove(tmp_path / "12" / "task" / "12" / "children")
    proc.process(13, 1, utime=999)  # not ours
    assert tree.sample() == pytest.approx(0.3)


def test_cpu_share_and_meter(tmp_path):
    share = cpu_share(2.0, CpuTimes(0, 0), CpuTimes(busy=400, total=800), ticks_per_s=100)
    assert (share.of_busy, share.of_capacity) == (0.5, 0.25)
    assert cpu_share(1.0, CpuTimes(5, 5), CpuTimes(5, 5), 100).of_busy is None
    proc = FakeProc(tmp_path)
    proc.process(10, 1)
    meter = CpuShareMeter(10, proc_root=str(tmp_path), ticks_per_s=100)
    proc.process(10, 1, utime=100)
    proc.cpu_ticks(busy=400, idle=400)
    s = meter.sample()
    assert (s.of_busy, s.of_capacity) == (0.25, 0.125)


def test_gpu_shares_from_utilisation_whole_gpu_and_unknown():
    g0 = FakeGpu(uuid=uuid(0), samples=[UtilSample(100, 5, 60), UtilSample(200, 6, 20)])
    g1 = FakeGpu(uuid=uuid(1), processes=[ProcessInfo(100)])
    g2 = FakeGpu(uuid=uuid(2), processes=[ProcessInfo(999)])
    g3 = FakeGpu(uuid=uuid(3))
    nvml = FakeNvml([g0, g1, g2, g3])
    sensor = NvmlSensor(nvml, env={})
    shares, seen = gpu_shares(sensor.nvml, sensor.devices, [100, 101])
    assert shares.shares == {"nvml:gpu-0": 0.75, "nvml:gpu-1": 1.0, "nvml:gpu-2": 0.0, "nvml:gpu-3": None}
    assert shares.method == {
        "nvml:gpu-0": "utilisation",
        "nvml:gpu-1": "whole-gpu",
        "nvml:gpu-2": "none",
        "nvml:gpu-3": "unknown",
    }
    assert seen["nvml:gpu-0"] == 6
    # only newer samples are used next time
    g0.samples.append(UtilSample(200, 9, 50))
    shares, _ = gpu_shares(sensor.nvml, sensor.devices, [100], seen)
    assert shares.shares["nvml:gpu-0"] == 0.0 and shares.method["nvml:gpu-0"] == "utilisation"
