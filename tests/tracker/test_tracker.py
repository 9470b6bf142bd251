"""The tracker with fake sensors on an injected clock: energy from counters, gaps, phases, prediction,
idle baseline, typed results. Time moves only when a test advances it; no test sleeps."""

from __future__ import annotations

import shlex
import sys
import warnings
from pathlib import Path

import pytest
from fake_sensor import CounterSensor
from tests.fakes import FakeClock

from aiceberg.errors import InputError
from aiceberg.i18n import Msg
from aiceberg.measure.base import Channel
from aiceberg.measure.prediction import predict
from aiceberg.model.quantity import Q
from aiceberg.model.run_summary import Prediction, RunSummary
from aiceberg.store import open_store
from aiceberg.tracking import Run, track
from aiceberg.units import J_PER_KWH

FAST = {"interval_s": 1.0, "flush_every_s": 5.0, "location": None}


def quiet_run(clock: FakeClock, **kw) -> Run:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Run(clock=clock, **{**FAST, **kw}).start()


def tick(clock: FakeClock, seconds: float, step: float = 1.0) -> None:
    for _ in range(round(seconds / step)):
        clock.advance(step)


def test_energy_from_a_counter_at_a_known_rate(tmp_path: Path) -> None:
    clock = FakeClock()
    sensor = CounterSensor(power_w=123.0, clock=clock)
    run = quiet_run(clock, sensors=[sensor], store=tmp_path / "r.db")
    tick(clock, 10)
    result = run.stop()
    assert result.duration_s == pytest.approx(10.0)
    assert result.energy_kwh == pytest.approx(1230.0 / J_PER_KWH, rel=1e-12)
    assert isinstance(result.summary, RunSummary)
    rapl = result.summary.sensors[0]
    assert rapl.status == "measured" and rapl.energy_kwh == pytest.approx(1230.0 / J_PER_KWH, rel=1e-12)
    assert rapl.channels[0].reads == 12  # the baseline, ten ticks and the last reading
    assert not sensor.closed  # sensors passed in belong to the caller
    store = open_store(tmp_path / "r.db")
    samples = store.samples(result.run_id)
    # the last reading is at the last tick's instant (the fake clock stands still): the store keeps one
    assert [s.t_s for s in samples] == [float(t) for t in range(11)]
    store.close()


def test_counter_energy_does_not_depend_on_the_interval() -> None:
    # counter deltas, not power × time: a coarse interval gives the same energy
    clock = FakeClock()
    run = quiet_run(clock, sensors=[CounterSensor(power_w=80.0, clock=clock)], store=False, interval_s=10.0)
    tick(clock, 3)
    result = run.stop()
    assert result.summary.samples == 2  # no tick of the 10 s interval fell in the 3 s
    assert result.energy_kwh == pytest.approx(240.0 / J_PER_KWH, rel=1e-12)


def test_a_failed_read_is_a_gap_never_zero(tmp_path: Path) -> None:
    clock = FakeClock()
    db = tmp_path / "r.db"
    run = quiet_run(clock, sensors=[CounterSensor(power_w=50.0, fail_every=2, clock=clock)], store=db)
    tick(clock, 6)
    result = run.stop()
    store = open_store(db)
    samples = store.samples(result.run_id)
    gaps = [s for s in samples if s.error]
    # reads 2, 4, 6 and 8 failed; read 8 (at stop) shares its instant with read 7's good one, which the store keeps
    assert len(gaps) == 3 and all(s.energy_j is None for s in gaps)
    good = [s for s in samples if not s.error]
    assert [s.energy_j for s in good] == pytest.approx([50.0 * s.t_s for s in good])
    # the counter bridges the gaps: the energy is still the whole run's
    assert result.energy_kwh == pytest.approx(300.0 / J_PER_KWH, rel=1e-12)
    assert result.summary.sensors[0].reason == Msg("measure.sensor.counter_gaps", gaps=4)
    store.close()


def test_measured_domain_wins_over_modelled_and_included_channels_are_not_added() -> None:
    clock = FakeClock()

    class Nested(CounterSensor):
        def channels(self):
            return [Channel("pkg", "cpu", "package"), Channel("core", "cpu", "core", included_in="pkg")]

        def read(self):
            r = super().read()
            e = next(iter(r.energy_j.values()), None)
            return type(r)(r.t_s, {"pkg": e, "core": e / 2} if e is not None else {}, errors=r.errors)

    run = quiet_run(clock, sensors=[Nested("rapl", 100.0, clock=clock),
                                    CounterSensor("cpu-model", 999.0, method="modelled", clock=clock)], store=False)
    tick(clock, 4)
    result = run.stop()
    assert result.energy_kwh == pytest.approx(400.0 / J_PER_KWH, rel=1e-12)
    model = next(s for s in result.summary.sensors if s.name == "cpu-model")
    assert model.reason == Msg("measure.sensor.not_counted")


def test_context_manager_decorator_and_failure(tmp_path: Path) -> None:
    clock = FakeClock()
    db = tmp_path / "r.db"
    sensors = [CounterSensor(clock=clock)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with track(sensors=sensors, store=db, clock=clock, **FAST) as run:
            clock.advance(1.0)
        assert run.result is not None and run.result.status == "finished"

        @track(sensors=sensors, store=db, name="decorated", clock=clock, **FAST)
        def work(x: int) -> int:
            return x * 2

        assert work(21) == 42

        with pytest.raises(ValueError), track(sensors=sensors, store=db, clock=clock, **FAST):
            raise ValueError("boom")
    store = open_store(db)
    runs = store.list_runs()
    assert sorted(r.status for r in runs) == ["failed", "finished", "finished"]
    assert next(r for r in runs if r.status == "failed").end_reason == "ValueError: boom"
    assert any(r.name == "decorated" for r in runs)
    store.close()


def test_phases_and_prediction() -> None:
    clock = FakeClock()
    seen: list[Prediction] = []
    run = quiet_run(clock, sensors=[CounterSensor(power_w=100.0, clock=clock)], store=False, total_phases=4,
                    on_prediction=seen.append)
    for i in range(2):
        with run.phase(f"epoch {i + 1}"):
            tick(clock, 10)
    pred = run.prediction()
    result = run.stop()
    assert len(seen) == 2 and seen[-1] == pred
    assert [p.name for p in result.summary.phases] == ["epoch 1", "epoch 2"]
    assert result.summary.phases[0].energy_kwh == pytest.approx(1000.0 / J_PER_KWH, rel=1e-12)
    assert pred is not None and pred.completed == 2 and pred.total == 4
    assert isinstance(pred.energy_kwh, Q) and isinstance(pred.duration_s, Q)
    assert pred.energy_kwh.central == pytest.approx(4000.0 / J_PER_KWH, rel=1e-12)  # 4 phases of 1000 J
    assert pred.duration_s.central == pytest.approx(40.0)
    assert pred.energy_kwh.low < pred.energy_kwh.central < pred.energy_kwh.high
    assert pred.co2e_kg is not None and pred.co2e_kg.low <= pred.co2e_kg.central <= pred.co2e_kg.high


def test_no_prediction_once_the_run_has_ended() -> None:
    """The finished run's own figure replaces the prediction: none after the end, none kept in its summary."""
    clock = FakeClock()
    seen: list[Prediction] = []
    run = quiet_run(clock, sensors=[CounterSensor(power_w=100.0, clock=clock)], store=False, total_phases=3,
                    on_prediction=seen.append)
    for i in range(3):
        run.phase(f"epoch {i + 1}")
        tick(clock, 5)
    result = run.stop()  # closes epoch 3: no prediction after the end
    assert [p.completed for p in seen] == [1, 2]
    assert result.summary.prediction is None and result.to_dict()["prediction"] is None
    assert run.prediction() is None
    assert "predict" not in str(result).lower()


def test_an_interrupted_run_keeps_its_last_prediction() -> None:
    clock = FakeClock()
    run = quiet_run(clock, sensors=[CounterSensor(power_w=100.0, clock=clock)], store=False, total_phases=10)
    for i in range(3):
        run.phase(f"epoch {i + 1}")
        tick(clock, 5)
    result = run.stop(status="interrupted", end_reason="SIGINT")
    pred = result.summary.prediction
    assert pred is not None and (pred.completed, pred.total) == (2, 10)
    assert pred.energy_kwh.central == pytest.approx(5000.0 / J_PER_KWH, rel=1e-9)


def test_prediction_function() -> None:
    assert predict([], [], 10) is None
    p = predict([1.0], [10.0], 10)
    assert p is not None and p.energy_kwh.central == pytest.approx(10.0)
    assert p.energy_kwh.low < 10.0 < p.energy_kwh.high  # one phase: a wide range
    q = predict([1.0, 1.0, 1.0, 1.0], [10.0] * 4, 10)
    assert q is not None
    assert (q.energy_kwh.high - q.energy_kwh.low) < (p.energy_kwh.high - p.energy_kwh.low)
    with pytest.raises(InputError, match="total_phases"):
        predict([1.0], [1.0], 0)


def test_results_print_as_sentences_not_dataclasses() -> None:
    p = Prediction(completed=2, total=10, energy_kwh=Q(0.84, 0.7, 1.02), duration_s=Q(4320.0, 3600.0, 5400.0),
                   co2e_kg=Q(0.3, 0.2, 0.5))
    text = str(p)
    assert "Prediction(" not in text and "Q(" not in text
    # a total and its range in one unit, chosen for the total
    assert text.startswith("after 2 of 10 phases, the whole run: 840 Wh (700 – 1")
    assert " over 72 min (60 – 90 min)" in text and text.endswith(", 300 g CO2e (200 – 500 g CO2e)")
    assert p.render("fr").startswith("après 2 phases sur 10, l’exécution entière\u202f: 840 Wh (700 – 1")
    clock = FakeClock()
    run = quiet_run(clock, sensors=[CounterSensor(power_w=100.0, clock=clock)], store=False, location="FR")
    tick(clock, 36)
    result = run.stop()
    text = str(result)
    assert "RunSummary(" not in text and "RunResult(" not in text
    assert text.splitlines()[0] == f"run {result.run_id[:12]} finished in 36 s"
    assert "1 Wh at the devices" in text  # 100 W × 36 s


def test_idle_baseline_splits_static_and_dynamic() -> None:
    clock = FakeClock()
    run = quiet_run(clock, sensors=[CounterSensor(power_w=40.0, clock=clock)], store=False, idle_baseline_s=5)
    tick(clock, 10)
    result = run.stop()
    idle = result.summary.idle
    assert idle is not None and idle.power_w == pytest.approx(40.0, rel=1e-12)
    assert idle.static_energy_kwh == pytest.approx(400.0 / J_PER_KWH, rel=1e-9)
    assert idle.static_energy_kwh + idle.dynamic_energy_kwh == pytest.approx(result.energy_kwh, rel=1e-9)


def test_unknown_location_warns_visibly_and_bad_options_name_their_field() -> None:
    clock = FakeClock()
    with pytest.warns(UserWarning, match="world-average"):
        run = Run(sensors=[CounterSensor(clock=clock)], store=False, clock=clock).start()
    result = run.stop()
    assert any("world-average" in str(w) for w in result.summary.warnings)
    for bad in (0, 1e-6, 1e308, float("nan")):
        with pytest.raises(InputError, match="interval_s"):
            Run(sensors=[], store=False, interval_s=bad)
    with pytest.raises(InputError, match="total_phases"):
        Run(sensors=[], store=False, total_phases=0)
    with pytest.raises(InputError, match="cpu_tdp_w"):
        Run(sensors=[], store=False, cpu_tdp_w=-5)


def test_runs_tracked_from_python_record_their_command() -> None:
    clock = FakeClock()
    run = quiet_run(clock, sensors=[CounterSensor(clock=clock)], store=False)
    result = run.stop()
    assert result.summary.command == shlex.join(sys.argv)
    assert quiet_run(clock, sensors=[], store=False, command="make train").stop().summary.command == "make train"


def test_a_store_that_cannot_be_opened_does_not_stop_the_run(tmp_path: Path) -> None:
    clock = FakeClock()
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    run = quiet_run(clock, sensors=[CounterSensor(power_w=10.0, clock=clock)], store=blocker / "runs.db")
    tick(clock, 6)
    result = run.stop()
    assert result.stored_in is None
    assert result.energy_kwh == pytest.approx(60.0 / J_PER_KWH, rel=1e-12)
    assert any(isinstance(w, Msg) and w.key == "measure.store.open_failed" for w in result.summary.warnings)


def test_a_store_that_fails_to_write_keeps_the_samples_for_the_next_flush(tmp_path: Path) -> None:
    clock = FakeClock()
    real = open_store(tmp_path / "r.db")

    class Flaky:
        fail = True

        def __getattr__(self, name):
            return getattr(real, name)

        def append(self, *a, **kw):
            if self.fail:
                raise OSError("disk full")
            return real.append(*a, **kw)

    flaky = Flaky()
    run = quiet_run(clock, sensors=[CounterSensor(power_w=10.0, clock=clock)], store=flaky, flush_every_s=2.0)
    tick(clock, 4)  # two flushes refused
    flaky.fail = False
    tick(clock, 2)  # the next one writes everything
    result = run.stop()
    assert [s.t_s for s in real.samples(result.run_id)] == [float(t) for t in range(7)]  # one per instant
    assert not any(isinstance(w, Msg) and w.key == "measure.store.write_failed" for w in result.summary.warnings)
    real.close()


def test_the_sampler_survives_a_failing_flush() -> None:
    clock = FakeClock()

    class Broken:
        def create_run(self, *a, **kw): ...
        def append(self, *a, **kw):
            raise RuntimeError("broken")
        def finish_run(self, *a, **kw): ...
        def close(self): ...

    run = quiet_run(clock, sensors=[CounterSensor(power_w=10.0, clock=clock)], store=Broken(), flush_every_s=1.0)
    tick(clock, 5)
    result = run.stop()
    assert result.summary.samples == 7  # the thread kept ticking
    assert any(isinstance(w, Msg) and w.key == "measure.store.write_failed" for w in result.summary.warnings)


def test_unmetered_setting_adds_the_jay_correction_from_measured_counters(tmp_path: Path) -> None:
    """1.164 × counters + 282 W: over a run, 0.164 × E + 282 W × t goes to its own part."""
    from aiceberg.config import load_settings

    settings = load_settings({"unmetered": True, "location": "FR"}, environ={}, config_file=tmp_path / "none.toml")
    clock = FakeClock()
    run = quiet_run(clock, sensors=[CounterSensor(power_w=100.0, clock=clock)], store=False, settings=settings,
                    location="FR")
    tick(clock, 10)
    result = run.stop()
    expected = (0.164 * 1000.0 + 282.0 * 10.0) / J_PER_KWH
    assert result.footprint.part("unmetered").energy_kwh.central == pytest.approx(expected, rel=1e-9)
    assert result.footprint.part("cpu.dynamic").energy_kwh.central == pytest.approx(result.energy_kwh)


def test_attribution_reports_both_machine_and_tracked_share() -> None:
    """A real run (the system clock, the real /proc): the thread and the process-tree accounting together."""
    import time

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = Run(sensors=[CounterSensor(power_w=100.0)], store=False, interval_s=0.05, flush_every_s=0.1).start()
    t = time.process_time()
    while time.process_time() - t < 0.3:  # burn CPU in this process
        pass
    result = run.stop()
    attr = result.summary.attribution
    assert attr is not None and attr.cpu_share is not None and 0 < attr.cpu_share <= 1
    assert attr.energy_kwh is not None and 0 < attr.energy_kwh <= result.energy_kwh


def test_the_measuring_layer_writes_to_a_sink_it_is_given(tmp_path: Path) -> None:
    """measure ⟂ store: the tracker cannot open a store itself; aiceberg.track gives it the configured one."""
    from aiceberg.measure import tracker as measure_tracker

    clock = FakeClock()
    with pytest.raises(ValueError, match="cannot open a store itself"):
        measure_tracker.Run(sensors=[], store=tmp_path / "r.db")
    with pytest.raises(ValueError, match="cannot open a store itself"):
        measure_tracker.Run(sensors=[])  # the configured store needs an opener too
    store = open_store(tmp_path / "given.db")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = measure_tracker.Run(sensors=[CounterSensor(clock=clock)], store=store, clock=clock, **FAST)
        result = run.start().stop()
    assert result.stored_in is not None and store.get_run(result.run_id).status == "finished"
    store.close()


def test_the_command_of_a_python_run_when_argv_has_no_script(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from aiceberg.measure.result import default_command

    python = os.path.basename(sys.executable)
    monkeypatch.setattr(sys, "argv", ["-c", "print('a b')"])
    assert default_command() == f"{python} -c 'print('\"'\"'a b'\"'\"')'"
    monkeypatch.setattr(sys, "argv", [""])  # the interactive interpreter
    assert default_command() == python
