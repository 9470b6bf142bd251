"""``aiceberg tour`` tells the truth: modelled figures are said to be modelled, and a measurement is set
beside the estimate from the TDP only part for part."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aiceberg.config import load_settings
from aiceberg.i18n.numbers import number
from aiceberg.model.run_summary import ChannelReport, RunSummary, SensorReport

HARNESS = str(Path(__file__).parent / "doctor_harness.py")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_with_no_readable_sensor_the_tour_says_so_first_and_compares_nothing(env: dict[str, str], tmp_path: Path,
                                                                             lang: str) -> None:
    env["AICEBERG_POWERCAP_ROOT"] = str(tmp_path / "no-powercap")
    r = subprocess.run([sys.executable, HARNESS, "tour", "--seconds", "0.3", "--lang", lang], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    notice = "Nothing could be measured here" if lang == "en" else "Rien n’a pu être mesuré ici"
    assert notice in out and "aiceberg doctor" in out
    assert out.index(notice) < out.index("cpu-model")  # at the top, before the figures
    # no ratio between a model and itself (it was "Measured … against … estimated from the TDP alone (2.9 ×)")
    assert "against" not in out and "times as much" not in out and "fois plus" not in out
    assert ("no counter measured the CPU" if lang == "en" else "aucun compteur n’a mesuré le processeur") in out


def _summary_with_a_measured_cpu(kwh: float, seconds: float) -> RunSummary:
    chan = ChannelReport(id="rapl:package-0", domain="cpu", label="package-0", energy_kwh=kwh, counted=True, reads=9)
    return RunSummary(run_id="r" * 32, status="finished", started_at="", ended_at="", duration_s=seconds,
                      energy_kwh=kwh, domains_kwh={"cpu": kwh},
                      sensors=(SensorReport("rapl", "measured", kwh, "", (chan,)),),
                      host={"cpu_model": "AMD EPYC 7763 64-Core Processor"})


def test_a_measured_cpu_is_compared_with_the_tdp_estimate_of_the_same_part_and_duration(tmp_path: Path) -> None:
    from aiceberg.cli.tour import _cpu_comparison
    from aiceberg.measure.cpu_model import read_cpuinfo

    sockets = read_cpuinfo().sockets
    settings = load_settings(environ={}, config_file=tmp_path / "none.toml")
    text = _cpu_comparison(_summary_with_a_measured_cpu(0.01, 360.0), settings, "en")
    # 280 W (the EPYC 7763's TDP) × 360 s = 28 Wh per socket, against 10 Wh measured at the same devices
    assert text is not None and "AMD EPYC 7763 (64 cores), 280 W × " in text
    assert f"{28 * sockets} Wh estimated" in text and "10 Wh measured" in text
    assert f"{number(2.8 * sockets)} times as much" in text and "Same part, same boundary" in text
    given = load_settings({"cpu_tdp_w": 100}, environ={}, config_file=tmp_path / "none.toml")
    assert f"{10 * sockets} Wh estimated" in (_cpu_comparison(_summary_with_a_measured_cpu(0.01, 360.0), given,
                                                             "en") or "")


def test_no_comparison_when_the_cpu_was_modelled() -> None:
    from aiceberg.cli.tour import _cpu_comparison

    s = _summary_with_a_measured_cpu(0.01, 360.0)
    modelled = SensorReport("cpu-model", "modelled", 0.01, "", s.sensors[0].channels)
    from dataclasses import replace

    assert _cpu_comparison(replace(s, sensors=(modelled,)), load_settings(environ={}), "en") is None


# English that a French reader must not meet in the tour's measured part (names and commands aside)
ENGLISH_IN_FR = re.compile(r"\b(no readable|the host|virtual machine|is used|reference data|not loaded|"
                           r"channel|modelled|unavailable|warning|built-in|epoch|Generic|world-average|"
                           r"names no model|mount the)\b")


def test_the_french_tour_has_no_english_left_in_its_sensors_warnings_and_names(env: dict[str, str],
                                                                               tmp_path: Path) -> None:
    # before: every sensor's reason, the machine warning and the run's name were English under --lang fr
    env["AICEBERG_POWERCAP_ROOT"] = str(tmp_path / "no-powercap")
    db = tmp_path / "runs.db"
    r = subprocess.run([sys.executable, HARNESS, "tour", "--seconds", "0.3", "--lang", "fr", "--db", str(db)],
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    measured = r.stdout.split("3. ")[0]
    assert not ENGLISH_IN_FR.search(measured), ENGLISH_IN_FR.search(measured)
    assert "Serveur CPU générique" in measured and "aucune zone RAPL" in measured
    r = subprocess.run([sys.executable, HARNESS, "runs", "list", "--db", str(db), "--json"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert [run["name"] for run in json.loads(r.stdout)] == ["petit MLP (charge intégrée)"]
