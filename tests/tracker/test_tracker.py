"""The tracker with fake sensors: energy from counters, gaps, phases, prediction, idle baseline."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import pytest
from fake_sensor import CounterSensor

from aiceberg.errors import InputError
from aiceberg.measure.base import Channel
from aiceberg.measure.prediction import predict
from aiceberg.measure.tracker import Run, track
from aiceberg.store import open_store
from aiceberg.units import J_PER_KWH

FAST = {"interval_s": 0.02, "flush_every_s": 0.1, "location": None}


def quiet_run(**kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Run(**{**FAST, **kw}).start()


def test_energy_from_a_counter_at_a_known_rate_within_one_percent(tmp_path: Path) -> None:
    sensor = CounterSensor(power_w=123.0)
    run = quiet_run(sensors=[sensor], store=tmp_path / "r.db")
    time.sleep(0.5)
    result = run.stop()
    expected_kwh = 123.0 * result.duration_s / J_PER_KWH
    assert result.energy_kwh == pytest.approx(expected_kwh, rel=0.01)
    assert result.summary["sensors"][0]["status"] == "measured"
    assert result.summary["sensors"][0]["energy_kwh"] == pytest.approx(expected_kwh, rel=0.01)
    assert not sensor.closed  # sensors passed in belong to the caller


def test_counter_energy_does_not_depend_on_the_interval(tmp_path: Path) -> None:
    # counter deltas, not power × time: a very coarse interval gives the same energy
    run = quiet_run(sensors=[CounterSensor(power_w=80.0)], store=False, interval_s=10.0)
    time.sleep(0.3)
    result = run.stop()
    assert result.energy_kwh == pytest.approx(80.0 * result.duration_s / J_PER_KWH, rel=0.01)


def test_a_failed_read_is_a_gap_never_zero(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    run = quiet_run(sensors=[CounterSensor(power_w=50.0, fail_every=2)], store=db)
    time.sleep(0.3)
    result = run.stop()
    store = open_store(db)
    samples = store.samples(result.run_id)
    gaps = [s for s in samples if s.error]
    assert gaps and all(s.energy_j is None for s in gaps)
    assert all(s.energy_j is not None and s.energy_j >= 0 for s in samples if not s.error)
    # the counter bridges the gaps: the energy is still the whole run's
    assert result.energy_kwh == pytest.approx(50.0 * result.duration_s / J_PER_KWH, rel=0.02)
    assert "failed reads" in result.summary["sensors"][0]["reason"]
    store.close()


def test_measured_domain_wins_over_modelled_and_included_channels_are_not_added() -> None:
    class Nested(CounterSensor):
        def channels(self):
            return [
                Channel("pkg", "cpu", "package"),
                Channel("core", "cpu", "core", included_in="pkg"),
            ]

        def read(self):
            r = super().read()
            e = next(iter(r.energy_j.values()), None)
            return type(r)(r.t_s, {"pkg": e, "core": e / 2} if e is not None else {}, errors=r.errors)

    run = quiet_run(
        sensors=[Nested("rapl", 100.0), CounterSensor("cpu-model", 999.0, method="modelled")], store=False
    )
    time.sleep(0.2)
    result = run.stop()
    assert result.energy_kwh == pytest.approx(100.0 * result.duration_s / J_PER_KWH, rel=0.02)
    model = next(s for s in result.summary["sensors"] if s["name"] == "cpu-model")
    assert "not counted" in model["reason"]


def test_context_manager_decorator_and_failure(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    sensors = [CounterSensor()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with track(sensors=sensors, store=db, **FAST) as run:
            time.sleep(0.05)
        assert run.result is not None and run.result.status == "finished"

        @track(sensors=sensors, store=db, name="decorated", **FAST)
        def work(x: int) -> int:
            return x * 2

        assert work(21) == 42

        with pytest.raises(ValueError), track(sensors=sensors, store=db, **FAST):
            raise ValueError("boom")
    store = open_store(db)
    runs = store.list_runs()
    assert [r.status for r in runs] == ["failed", "finished", "finished"]
    assert runs[0].end_reason == "ValueError: boom"
    assert runs[1].name == "decorated"
    store.close()


def test_phases_and_prediction() -> None:
    seen = []
    run = quiet_run(sensors=[CounterSensor(power_w=100.0)], store=False, total_phases=4,
                    on_prediction=seen.append)
    for i in range(2):
        with run.phase(f"epoch {i + 1}"):
            time.sleep(0.1)
    pred = run.prediction()
    result = run.stop()
    assert len(seen) == 2
    phases = result.summary["phases"]
    assert [p["name"] for p in phases] == ["epoch 1", "epoch 2"]
    per_phase = phases[0]["energy_kwh"]
    assert per_phase == pytest.approx(100.0 * phases[0]["duration_s"] / J_PER_KWH, rel=0.05)
    assert pred is not None and pred.completed == 2 and pred.total == 4
    assert pred.energy_kwh_low <= pred.energy_kwh <= pred.energy_kwh_high
    assert pred.energy_kwh == pytest.approx(4 * per_phase, rel=0.1)
    assert result.summary["prediction"]["total"] == 4


def test_prediction_function() -> None:
    assert predict([], [], 10) is None
    p = predict([1.0], [10.0], 10)
    assert p is not None and p.energy_kwh == pytest.approx(10.0)
    assert p.energy_kwh_low < 10.0 < p.energy_kwh_high  # one phase: a wide range
    q = predict([1.0, 1.0, 1.0, 1.0], [10.0] * 4, 10)
    assert q is not None and (q.energy_kwh_high - q.energy_kwh_low) < (p.energy_kwh_high - p.energy_kwh_low)
    with pytest.raises(InputError, match="total_phases"):
        predict([1.0], [1.0], 0)


def test_idle_baseline_splits_static_and_dynamic() -> None:
    run = quiet_run(sensors=[CounterSensor(power_w=40.0)], store=False, idle_baseline_s=0.1)
    time.sleep(0.2)
    result = run.stop()
    idle = result.summary["idle"]
    assert idle["power_w"] == pytest.approx(40.0, rel=0.05)
    assert idle["static_energy_kwh"] + idle["dynamic_energy_kwh"] == pytest.approx(result.energy_kwh, rel=1e-6)


def test_unknown_location_warns_visibly_and_bad_options_name_their_field() -> None:
    with pytest.warns(UserWarning, match="world-average"):
        run = Run(sensors=[CounterSensor()], store=False, interval_s=0.05).start()
    result = run.stop()
    assert any("world-average" in w for w in result.summary["warnings"])
    with pytest.raises(InputError, match="interval_s"):
        Run(sensors=[], store=False, interval_s=0)
    with pytest.raises(InputError, match="total_phases"):
        Run(sensors=[], store=False, total_phases=0)


def test_attribution_reports_both_machine_and_tracked_share() -> None:
    run = quiet_run(sensors=[CounterSensor(power_w=100.0)], store=False)
    t = time.process_time()
    while time.process_time() - t < 0.3:  # burn CPU in this process
        pass
    result = run.stop()
    attr = result.summary["attribution"]
    assert attr["cpu_share"] is not None and 0 < attr["cpu_share"] <= 1
    assert 0 < attr["energy_kwh"] <= result.energy_kwh


def test_unmetered_setting_adds_the_jay_correction_from_measured_counters(tmp_path: Path) -> None:
    """1.164 × counters + 282 W: over a run, 0.164 × E + 282 W × t goes to its own part."""
    from aiceberg.config import load_settings

    settings = load_settings({"unmetered": True, "location": "FR", "interval_s": 0.02, "flush_every_s": 0.1},
                             environ={}, config_file=tmp_path / "none.toml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = Run(sensors=[CounterSensor(power_w=100.0)], store=False, settings=settings).start()
    time.sleep(0.3)
    result = run.stop()
    expected = 0.164 * result.energy_kwh + 282.0 * result.duration_s / J_PER_KWH
    assert result.footprint.part("unmetered").energy_kwh.central == pytest.approx(expected, rel=0.05)
    assert result.footprint.part("cpu.dynamic").energy_kwh.central == pytest.approx(result.energy_kwh)
