"""A measured run becomes a Footprint: measured parts stay measured, nothing invented, machine embodied."""

import pytest

from aiceberg.model.footprint import Status
from aiceberg.model.measured import measured_footprint


def test_measured_domains_become_visible_parts_with_their_status():
    fp = measured_footprint({"cpu": 0.010, "gpu": 0.100, "dram": 0.002}, duration_s=3600, location="FR",
                            pue=1.0, host={"gpu_models": ["NVIDIA H100 80GB HBM3 (energy)"]},
                            statuses={"cpu": "measured", "gpu": "measured", "dram": "modelled"})
    assert fp.part("gpu.dynamic").energy_kwh.central == pytest.approx(0.100)
    assert fp.part("gpu.dynamic").status == Status.MEASURED
    assert fp.part("memory").status == Status.MODELLED
    assert fp.visible.energy_kwh.central == pytest.approx(0.112)
    assert "cooling_overhead" not in fp.names()  # PUE 1.0: no overhead invented
    assert not fp.warnings  # the NVML name resolved to a reference GPU


def test_idle_baseline_is_reported_apart_without_changing_the_total():
    fp = measured_footprint({"cpu": 0.010}, duration_s=60, location="FR", pue=1.0, host={}, idle_kwh=0.004,
                            embodied=False)
    assert fp.part("idle").energy_kwh.central == pytest.approx(0.004)
    assert fp.part("cpu.dynamic").energy_kwh.central == pytest.approx(0.006)
    assert fp.energy_kwh.central == pytest.approx(0.010)


def test_pue_and_grid_apply_to_all_measured_electricity():
    fp = measured_footprint({"cpu": 1.0, "gpu": 3.0}, duration_s=3600, location="FR", pue=1.5, host={},
                            embodied=False)
    assert fp.energy_kwh.central == pytest.approx(6.0)
    assert fp.part("cooling_overhead").energy_kwh.central == pytest.approx(2.0)


def test_unknown_location_and_machine_are_warned_not_hidden():
    fp = measured_footprint({"cpu": 0.01}, duration_s=60, location=None, pue=None, host={})
    text = " ".join(map(str, fp.warnings))
    assert "world-average" in text and "machine type unknown" in text
    assert fp.part("embodied.server") is not None


def test_an_unknown_gpu_uses_the_class_default_with_a_warning():
    fp = measured_footprint({"gpu": 0.01}, duration_s=60, location="FR", pue=1.0,
                            host={"gpu_models": ["Mystery Accelerator 9000"]})
    assert any("Mystery" in str(w) for w in fp.warnings)
    assert fp.part("embodied.gpu").status == Status.DEFAULT


def test_unmetered_correction_is_its_own_modelled_part_with_its_source():
    fp = measured_footprint({"gpu": 1.0}, duration_s=3600, location="FR", pue=1.2, host={}, embodied=False,
                            unmetered_kwh=0.5)
    part = fp.part("unmetered")
    assert part.energy_kwh.central == pytest.approx(0.5)
    assert part.status == Status.MODELLED and "jay-2023-ccgrid" in part.sources
    assert not part.visible
    assert fp.part("gpu.dynamic").energy_kwh.central == pytest.approx(1.0)  # the measurement is untouched
    assert fp.part("cooling_overhead").energy_kwh.central == pytest.approx(0.2 * 1.5)
