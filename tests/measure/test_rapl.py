from __future__ import annotations

import errno
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.fakes import FakeClock
from tests.fakes.powercap import MAX_RANGE_UJ, FakePowercap, laptop, server

from aiceberg.errors import SensorUnavailable
from aiceberg.measure.base import top_level
from aiceberg.measure.rapl import ENV_ROOT, RaplSensor, read_small_file


def test_two_socket_server_channels_and_nesting(tmp_path):
    server(tmp_path, sockets=2)
    s = RaplSensor(tmp_path)
    ch = {c.id: c for c in s.channels()}
    assert set(ch) == {
        "rapl:package-0",
        "rapl:package-0:core",
        "rapl:package-0:dram",
        "rapl:package-1",
        "rapl:package-1:core",
        "rapl:package-1:dram",
    }
    assert ch["rapl:package-1:core"].included_in == "rapl:package-1"
    assert ch["rapl:package-0:dram"].included_in is None  # dram is beside the package, not in it
    assert ch["rapl:package-0:dram"].domain == "dram"
    assert ch["rapl:package-1"].device_index == 1
    assert sorted(c.id for c in top_level(s.channels())) == [
        "rapl:package-0",
        "rapl:package-0:dram",
        "rapl:package-1",
        "rapl:package-1:dram",
    ]


def test_energy_at_known_rate_matches(tmp_path):
    pc = server(tmp_path, sockets=2, energy_uj=5_000_000)
    clock = FakeClock()
    s = RaplSensor(tmp_path, clock=clock)
    # package-0 at 120 W, package-1 at 80 W, dram at 10 W, for 60 s sampled every second
    for _ in range(60):
        clock.advance(1.0)
        pc.advance("intel-rapl:0", 120_000_000)
        pc.advance("intel-rapl:1", 80_000_000)
        pc.advance("intel-rapl:0:1", 10_000_000)
        r = s.read()
    assert r.errors == {}
    assert r.energy_j["rapl:package-0"] == pytest.approx(7200.0, rel=1e-9)
    assert r.energy_j["rapl:package-1"] == pytest.approx(4800.0, rel=1e-9)
    assert r.energy_j["rapl:package-0:dram"] == pytest.approx(600.0, rel=1e-9)
    assert r.energy_j["rapl:package-1:core"] == 0.0  # a counter that did not move is a true 0
    assert r.t_s == clock.t


def test_wrap_around_uses_max_energy_range(tmp_path):
    pc = FakePowercap(tmp_path)
    pc.add_zone("intel-rapl:0", "package-0", energy_uj=MAX_RANGE_UJ - 1_000_000)
    s = RaplSensor(tmp_path)
    pc.advance("intel-rapl:0", 3_000_000)  # wraps: now 1_999_999
    assert pc.energy("intel-rapl:0") == 1_999_999
    r = s.read()
    assert r.energy_j["rapl:package-0"] == pytest.approx(3.0, abs=1e-9)
    pc.advance("intel-rapl:0", 2_000_000)
    assert s.read().energy_j["rapl:package-0"] == pytest.approx(5.0, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(start=st.integers(0, 1000), steps=st.lists(st.integers(0, 10**9), min_size=1, max_size=20))
def test_wrap_property_total_equals_sum_of_steps(tmp_path_factory, start, steps):
    root = tmp_path_factory.mktemp("pc")
    top = 10**9 + 7  # a small range so that wraps are frequent
    pc = FakePowercap(root)
    pc.add_zone("intel-rapl:0", "package-0", energy_uj=start, max_range_uj=top)
    s = RaplSensor(root)
    for step in steps:  # at most one wrap per interval, as with 1 s sampling
        pc.advance("intel-rapl:0", step)
        r = s.read()
    assert r.energy_j["rapl:package-0"] == pytest.approx(sum(steps) * 1e-6, abs=1e-9)


def test_backwards_without_max_range_is_a_gap_not_a_jump(tmp_path):
    pc = FakePowercap(tmp_path)
    pc.add_zone("intel-rapl:0", "package-0", energy_uj=9_000_000, max_range_uj=None)
    s = RaplSensor(tmp_path)
    pc.set_energy("intel-rapl:0", 4_000_000)
    r = s.read()
    assert "rapl:package-0" not in r.energy_j
    assert "backwards" in str(r.errors["rapl:package-0"])
    pc.set_energy("intel-rapl:0", 6_000_000)
    assert s.read().energy_j["rapl:package-0"] == pytest.approx(2.0)


def test_laptop_psys_and_mmio_are_not_double_counted(tmp_path):
    laptop(tmp_path)
    s = RaplSensor(tmp_path)
    ids = {c.id: c for c in s.channels()}
    assert set(ids) == {"rapl:package-0", "rapl:package-0:core", "rapl:package-0:uncore", "rapl:psys"}
    assert ids["rapl:psys"].domain == "psys" and ids["rapl:psys"].device_index is None
    assert ids["rapl:package-0"].included_in == "rapl:psys"
    assert [c.id for c in top_level(s.channels())] == ["rapl:psys"]


def test_file_that_disappears_mid_run_is_a_gap_then_recovers(tmp_path):
    pc = server(tmp_path, sockets=1, dram=False)
    s = RaplSensor(tmp_path)
    pc.advance("intel-rapl:0", 1_000_000)
    assert s.read().energy_j["rapl:package-0"] == pytest.approx(1.0)
    pc.remove_energy_file("intel-rapl:0")
    r = s.read()
    assert "rapl:package-0" not in r.energy_j  # a gap, never 0 J
    assert "FileNotFoundError" in r.errors["rapl:package-0"]
    assert r.energy_j["rapl:package-0:core"] == 0.0
    pc.set_energy("intel-rapl:0", 4_000_000)  # back, the counter moved on meanwhile
    assert s.read().energy_j["rapl:package-0"] == pytest.approx(4.0)  # energy over the gap kept


def test_unreadable_zone_mid_run_even_as_root(tmp_path):
    pc = server(tmp_path, sockets=1, dram=False)
    s = RaplSensor(tmp_path)
    pc.make_unreadable("intel-rapl:0")
    r = s.read()
    assert set(r.errors) == {"rapl:package-0"} and "IsADirectoryError" in r.errors["rapl:package-0"]


def _denying(paths: set[str]):
    """A reader that fails like Linux ≥ 5.10 for non-root users: EACCES on the given energy_uj files."""

    def read(path: str) -> bytes:
        if path in paths or (path.endswith("energy_uj") and "*" in paths):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return read_small_file(path)

    return read


def test_permission_denied_everywhere_says_how_to_grant_access(tmp_path):
    server(tmp_path, sockets=2)
    with pytest.raises(SensorUnavailable) as info:
        RaplSensor(tmp_path, read_file=_denying({"*"}))
    assert "6 RAPL zone(s)" in str(info.value.reason)
    assert "Linux 5.10" in str(info.value.fix) and "udev" in str(info.value.fix) and "chmod" in str(info.value.fix)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file; the injected reader covers it")
def test_permission_denied_by_the_kernel(tmp_path):  # pragma: no cover - runs for non-root users
    pc = server(tmp_path, sockets=1, dram=False)
    for z in ("intel-rapl:0", "intel-rapl:0:0"):
        os.chmod(pc.path(z) / "energy_uj", 0)
    with pytest.raises(SensorUnavailable) as info:
        RaplSensor(tmp_path)
    assert "Linux 5.10" in str(info.value.fix)


def test_some_zones_denied_are_skipped_and_reported(tmp_path):
    server(tmp_path, sockets=1)
    denied = str(tmp_path / "intel-rapl:0:1" / "energy_uj")
    s = RaplSensor(tmp_path, read_file=_denying({denied}))
    assert [c.id for c in s.channels()] == ["rapl:package-0", "rapl:package-0:core"]
    assert {k: str(v) for k, v in s.skipped.items()} == {"intel-rapl:0:1": "permission denied"}


def test_no_zone_and_root_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_ROOT, str(tmp_path / "nothing"))
    with pytest.raises(SensorUnavailable) as info:
        RaplSensor()
    assert str(tmp_path / "nothing") in str(info.value.reason) and ENV_ROOT in str(info.value.fix)
    server(tmp_path / "pc", sockets=1)
    monkeypatch.setenv(ENV_ROOT, str(tmp_path / "pc"))
    assert len(RaplSensor().channels()) == 3
