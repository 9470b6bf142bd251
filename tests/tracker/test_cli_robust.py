"""``aiceberg run`` against what breaks trust: bytes that are not UTF-8, bad intervals, a store that
cannot be opened, Ctrl-C and ``kill -INT``, and what the user knows of the CPU."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from aiceberg.i18n import text_from_json

HARNESS = str(Path(__file__).parent / "cli_harness.py")


def aiceberg(*args: str | bytes, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, HARNESS, *args], env=env, capture_output=True, timeout=timeout)


def _runs(env: dict[str, str]) -> list[dict]:
    return json.loads(aiceberg("runs", "list", "--json", env=env).stdout)


# -- arguments that are not UTF-8 ------------------------------------------------------------------


def test_arguments_that_are_not_utf8_run_and_are_stored_losslessly(env: dict[str, str]) -> None:
    env["LC_ALL"] = env["LANG"] = "C.UTF-8"
    r = aiceberg("run", "--name", b"caf\xe9", "--project", b"p\xff", "--", "printf", "%s|", b"caf\xe9.txt", "plain",
                 env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"caf\xe9.txt|plain|"  # the command ran with its bytes
    [run] = _runs(env)
    assert run["command"] == "printf '%s|' $'caf\\xe9.txt' plain"
    assert run["name"] == "$'caf\\xe9'" and run["project"] == "$'p\\xff'"
    # the stored line gives the bytes back in bash
    again = subprocess.run(["bash", "-c", run["command"]], capture_output=True)
    assert again.stdout == r.stdout


def test_shell_quote_round_trips_every_byte() -> None:
    from aiceberg.measure.recorder import shell_join

    args = [os.fsdecode(bytes(range(1, 256))), "it's", "a b", "", "$HOME", "tab\there"]
    line = shell_join(["printf", "%s\\0", *args])
    out = subprocess.run(["bash", "-c", line], capture_output=True).stdout
    assert out.split(b"\0")[:-1] == [os.fsencode(a) for a in args]


# -- the interval's bounds -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1e308", "1e-6", "inf", "0"])
def test_interval_out_of_bounds_is_one_line_from_every_source(env: dict[str, str], tmp_path: Path,
                                                              value: str) -> None:
    r = aiceberg("run", "--interval", value, "--", "true", env=env)
    lines = r.stderr.decode().strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and "--interval" in lines[0] and "0.01 to 3600" in lines[0]
    r = aiceberg("run", "--", "true", env={**env, "AICEBERG_INTERVAL": value})
    assert r.returncode == 2 and "AICEBERG_INTERVAL" in r.stderr.decode()
    config = Path(env["XDG_CONFIG_HOME"]) / "aiceberg" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"interval_s = {value if value != 'inf' else 'inf'}\n")
    r = aiceberg("run", "--", "true", env=env)
    assert r.returncode == 2 and "config.toml: interval_s" in r.stderr.decode()


# -- a store that cannot be opened -----------------------------------------------------------------


def test_the_command_runs_whatever_happens_to_the_store(env: dict[str, str], tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    out = tmp_path / "run.json"
    r = aiceberg("run", "--db", str(blocker / "runs.db"), "--output-json", str(out), "--",
                 sys.executable, "-c", "print('ran'); raise SystemExit(3)", env=env)
    assert r.returncode == 3 and r.stdout == b"ran\n"
    err = r.stderr.decode()
    assert "the run was not stored" in err
    assert f"not stored (the warning above says why): the run is kept in {out}" in err
    summary = json.loads(out.read_text())
    assert summary["exit_code"] == 3 and summary["energy_kwh"] is not None


# -- signals ---------------------------------------------------------------------------------------

SLEEPER = "import time; print('up', flush=True); time.sleep(30)"


def test_kill_int_to_aiceberg_alone_reaches_the_command_and_the_run_is_interrupted(env: dict[str, str],
                                                                                     tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    proc = subprocess.Popen([sys.executable, HARNESS, "run", "--output-json", str(out), "--",
                             sys.executable, "-c", SLEEPER], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == b"up\n"
    proc.send_signal(signal.SIGINT)  # to aiceberg only, not to its process group
    assert proc.wait(20) == -signal.SIGINT  # the command died from it, so does aiceberg
    data = json.loads(out.read_text())
    assert data["status"] == "interrupted" and data["exit_code"] == 130
    assert data["end_reason"].startswith("SIGINT received")


def _in_a_terminal(argv: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    """Start ``argv`` as the foreground job of a new pseudo-terminal (Ctrl-C goes to its process group)."""
    master, slave = pty.openpty()

    def own_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(argv, env=env, stdin=slave, stdout=slave, stderr=subprocess.PIPE,
                            start_new_session=True, preexec_fn=own_terminal)
    os.close(slave)
    return proc, master


def _read_until(fd: int, token: bytes, limit_s: float = 20.0) -> bytes:
    seen = b""
    deadline = time.monotonic() + limit_s
    while token not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            seen += os.read(fd, 1024)
    return seen


def test_ctrl_c_in_the_terminal_records_an_interrupted_run(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    proc, master = _in_a_terminal([sys.executable, HARNESS, "run", "--output-json", str(out), "--",
                                   sys.executable, "-c", SLEEPER], env)
    try:
        assert b"up" in _read_until(master, b"up")
        os.write(master, b"\x03")  # Ctrl-C: the terminal signals the whole foreground group
        assert proc.wait(20) == -signal.SIGINT
    finally:
        os.close(master)
    data = json.loads(out.read_text())
    assert data["status"] == "interrupted" and data["exit_code"] == 130  # was "failed"
    assert data["end_reason"].startswith("Ctrl-C received")


# -- what the user knows of the CPU ----------------------------------------------------------------


def _fake_vm(tmp_path: Path, env: dict[str, str], model: str = "AMD EPYC") -> None:
    sys.path.insert(0, str(Path(__file__).parents[1]))
    from fakes.procfs import FakeProc

    proc = FakeProc(tmp_path / "proc")
    proc.write_cpuinfo(model, cpus_per_socket=2, virtual=True)
    env["AICEBERG_PROC_ROOT"] = str(tmp_path / "proc")
    env["AICEBERG_POWERCAP_ROOT"] = str(tmp_path / "no-powercap")


def _cpu_sensor(out: Path) -> dict:
    return next(s for s in json.loads(out.read_text())["sensors"] if s["name"] == "cpu-model")


def test_cpu_tdp_and_model_from_the_command_line_the_environment_and_the_config(env: dict[str, str],
                                                                                 tmp_path: Path) -> None:
    _fake_vm(tmp_path, env)
    out = tmp_path / "run.json"
    r = aiceberg("run", "--no-store", "--cpu-tdp-w", "180", "--output-json", str(out), "--", "true", env=env)
    assert r.returncode == 0, r.stderr
    reason = str(text_from_json(_cpu_sensor(out)["reason"]))  # a catalog message, rendered in English
    assert "TDP 180 W" in reason and "TDP given by --cpu-tdp-w" in reason
    r = aiceberg("run", "--no-store", "--output-json", str(out), "--", "true",
                 env={**env, "AICEBERG_CPU_MODEL": "AMD EPYC 7763"})
    reason = str(text_from_json(_cpu_sensor(out)["reason"]))  # a catalog message, rendered in English
    # the model's TDP, and this VM's 2 vCPUs of the host's 128 threads
    assert "AMD EPYC 7763" in reason and "TDP 280 W" in reason and "2 vCPUs of the host CPU's 128 threads" in reason
    config = Path(env["XDG_CONFIG_HOME"]) / "aiceberg" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('cpu_model = "Atlantis 9000"\n')
    r = aiceberg("run", "--", "true", env=env)
    lines = r.stderr.decode().strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and "config.toml: cpu_model" in lines[0]


def test_doctor_says_which_setting_would_sharpen_an_unknown_cpu(env: dict[str, str], tmp_path: Path) -> None:
    _fake_vm(tmp_path, env)
    harness = Path(__file__).parent / "doctor_harness.py"
    r = subprocess.run([sys.executable, str(harness), "doctor", "--json"], env=env, capture_output=True, text=True)
    row = next(x for x in json.loads(r.stdout) if x["sensor"] == "cpu-model")
    assert "'AMD EPYC', which names no model" in row["reason"]
    assert "--cpu-model" in row["fix"] and "--cpu-tdp-w" in row["fix"] and "AICEBERG_CPU_TDP_W" in row["fix"]
    r = subprocess.run([sys.executable, str(harness), "doctor", "--json", "--cpu-model", "amd-epyc-7763"], env=env,
                       capture_output=True, text=True)
    row = next(x for x in json.loads(r.stdout) if x["sensor"] == "cpu-model")
    assert "share" in row["reason"] and "--cpu-tdp-w" not in (row["fix"] or "")
