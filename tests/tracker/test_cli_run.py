"""``aiceberg run`` and ``aiceberg runs`` in a subprocess (the other sub-commands left out)."""

from __future__ import annotations

import csv
import io
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from aiceberg.explain.exports import CODECARBON_COLUMNS

HARNESS = str(Path(__file__).parent / "cli_harness.py")


def aiceberg(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, HARNESS, *args], env=env, capture_output=True, text=True, timeout=timeout)


def test_exit_code_and_stdout_pass_through(env: dict[str, str]) -> None:
    code = "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"
    r = aiceberg("run", "--", sys.executable, "-c", code, env=env)
    assert r.returncode == 3
    assert r.stdout == "out\n"  # aiceberg writes nothing on stdout
    assert r.stderr.startswith("err\n")
    assert "failed" in r.stderr


def test_a_command_killed_by_a_signal_kills_aiceberg_with_it(env: dict[str, str]) -> None:
    r = aiceberg("run", "--", "sh", "-c", "kill -USR1 $$", env=env)
    assert r.returncode == -signal.SIGUSR1


def test_sigterm_to_aiceberg_reaches_the_command_and_closes_the_run(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    proc = subprocess.Popen(
        [sys.executable, HARNESS, "run", "--interval", "0.05", "--output-json", str(out), "--",
         sys.executable, "-c", "import time; print('up', flush=True); time.sleep(30)"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline() == "up\n"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(20) == -signal.SIGTERM  # the command died from SIGTERM, so does aiceberg
    data = json.loads(out.read_text())
    assert data["status"] == "interrupted" and data["exit_code"] == 143


def test_output_json_contract(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    r = aiceberg("run", "--interval", "0.1", "--output-json", str(out), "--", sys.executable, "-c", "pass", env=env)
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    for key in ("run_id", "duration_s", "energy_kwh", "co2e_kg", "exit_code", "sensors"):
        assert key in data
    assert data["exit_code"] == 0 and data["duration_s"] > 0
    assert data["sensors"]
    for s in data["sensors"]:
        assert set(s) >= {"name", "status", "energy_kwh", "reason"}
        assert s["status"] in {"measured", "modelled", "partial", "unavailable"}
        assert s["reason"]
        if s["status"] == "unavailable":
            assert s["energy_kwh"] is None


def test_measured_rapl_from_a_fake_powercap_tree(env: dict[str, str], tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parents[1]))
    from fakes.powercap import server

    server(tmp_path / "powercap", sockets=1, dram=True, energy_uj=1000)
    env["AICEBERG_POWERCAP_ROOT"] = str(tmp_path / "powercap")
    out = tmp_path / "run.json"
    r = aiceberg("run", "--output-json", str(out), "--", sys.executable, "-c", "pass", env=env)
    assert r.returncode == 0, r.stderr
    sensors = {s["name"]: s for s in json.loads(out.read_text())["sensors"]}
    assert sensors["rapl"]["status"] == "measured"
    assert sensors["rapl"]["energy_kwh"] == 0.0  # a counter that did not move: 0 J measured


@pytest.mark.parametrize(
    ("args", "field"),
    [(["--interval", "0"], "--interval"), (["--interval", "abc"], "--interval"), (["--pue", "0.5"], "--pue"),
     (["--idle-baseline", "-1"], "--idle-baseline")],
)
def test_bad_input_is_one_line_naming_the_field(env: dict[str, str], args: list[str], field: str) -> None:
    r = aiceberg("run", *args, "--", "true", env=env)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0] and "Traceback" not in r.stderr


def test_unknown_location_is_one_line_naming_the_field(env: dict[str, str]) -> None:
    from aiceberg.errors import ReferenceDataError

    try:
        from aiceberg import refdata

        refdata.get_zone("FR")
    except ReferenceDataError:
        pytest.skip("the zones reference data is not there yet")
    r = aiceberg("run", "--location", "Atlantis", "--", "true", env=env)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "--location" in lines[0]


def test_env_interval_error_names_the_variable(env: dict[str, str]) -> None:
    env["AICEBERG_INTERVAL"] = "-1"
    r = aiceberg("run", "--", "true", env=env)
    assert r.returncode == 2 and "AICEBERG_INTERVAL" in r.stderr


def test_runs_list_show_export(env: dict[str, str]) -> None:
    r = aiceberg("run", "--interval", "0.1", "--name", "first", "--", sys.executable, "-c", "pass", env=env)
    assert r.returncode == 0, r.stderr
    listing = json.loads(aiceberg("runs", "list", "--json", env=env).stdout)
    assert len(listing) == 1
    row = listing[0]
    assert set(row) >= {"run_id", "status", "started_at", "duration_s", "energy_kwh"}
    assert row["status"] == "finished"
    rid = row["run_id"][:8]
    show = aiceberg("runs", "show", rid, env=env)
    assert show.returncode == 0 and "sensors" in show.stdout
    cc = aiceberg("runs", "export", rid, "--format", "codecarbon", env=env)
    assert cc.returncode == 0, cc.stderr
    rows = list(csv.DictReader(io.StringIO(cc.stdout)))
    assert tuple(rows[0].keys()) == CODECARBON_COLUMNS and len(rows) == 1
    assert float(rows[0]["duration"]) > 0
    full = json.loads(aiceberg("runs", "export", rid, "--format", "json", env=env).stdout)
    assert full["samples"] and full["channels"]
    samples = aiceberg("runs", "export", rid, "--format", "csv", env=env).stdout
    assert samples.startswith("t_s,channel_id,energy_j,power_w,error\n")
    missing = aiceberg("runs", "show", "nosuchrun", env=env)
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1


def test_the_command_marks_phases_through_its_phase_file(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    script = (
        'for i in 1 2 3; do echo "epoch $i" >> "$AICEBERG_PHASE_FILE"; sleep 0.3; done; '
        'printf "tail without newline" >> "$AICEBERG_PHASE_FILE"'
    )
    r = aiceberg("run", "--total-phases", "3", "--output-json", str(out), "--", "sh", "-c", script, env=env)
    assert r.returncode == 0, r.stderr
    summary = json.loads(out.read_text())
    names = [p["name"] for p in summary["phases"]]
    assert names == ["epoch 1", "epoch 2", "epoch 3"]  # an unfinished last line is no phase
    # the run finished: its own figure replaces the prediction, none is kept nor printed
    assert summary["prediction"] is None
    assert "predicted" not in r.stderr


def test_total_phases_must_be_a_whole_number(env: dict[str, str]) -> None:
    r = aiceberg("run", "--total-phases", "0", "--", "true", env=env)
    assert r.returncode == 2 and "--total-phases" in r.stderr


def test_mark_phase_is_a_no_op_outside_aiceberg_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from aiceberg.measure.phase_file import ENV_PHASE_FILE, PhaseFileReader, mark_phase

    monkeypatch.delenv(ENV_PHASE_FILE, raising=False)
    assert mark_phase("x") is False
    path = tmp_path / "phases"
    path.write_text("")
    monkeypatch.setenv(ENV_PHASE_FILE, str(path))
    reader = PhaseFileReader(str(path))
    assert mark_phase("  epoch\n 1 ") is True
    with path.open("a") as fh:
        fh.write("half")
    assert reader.new_phases() == ["epoch 1"]
    with path.open("a") as fh:
        fh.write(" done\n")
    assert reader.new_phases() == ["half done"]
