"""``aiceberg exporter`` and ``aiceberg run --metrics-port`` as people run them: processes, real HTTP."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("prometheus_client", reason="the [prometheus] extra (in [test]) provides prometheus_client")

from test_exporter import parse, value
from tests.fakes.powercap import server

AICEBERG = [sys.executable, "-m", "aiceberg"]


def _first_url(proc: subprocess.Popen[str], deadline_s: float = 60.0) -> str:
    """The URL the exporter prints when it listens (its first line on stdout)."""
    assert proc.stdout is not None
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            line = proc.stdout.readline()
            for word in line.split():
                if word.startswith("http://"):
                    return word
        if proc.poll() is not None:
            break
    proc.kill()
    err = proc.stderr.read() if proc.stderr else ""
    raise AssertionError(f"the exporter printed no URL (exit {proc.poll()}): {err}")


def _scrape(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as r:
        return parse(r.read().decode())


def _until(check, what: str, deadline_s: float = 60.0):  # type: ignore[no-untyped-def]
    end = time.monotonic() + deadline_s
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > end:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.05)


def test_the_exporter_serves_the_nodes_counters_and_stops_on_sigterm(tmp_path: Path, env: dict[str, str]) -> None:
    pc = server(tmp_path / "pc", sockets=1)
    env.update(AICEBERG_POWERCAP_ROOT=str(tmp_path / "pc"), SLURM_JOB_ID="991", SLURM_PROCID="0")
    proc = subprocess.Popen([*AICEBERG, "exporter", "--port", "0", "--interval", "0.05", "--location", "FR"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = _first_url(proc)
        first = _scrape(url)
        assert value(first, "aiceberg_energy_joules_total", device="package-0", job_id="991", rank="0") == 0
        assert value(first, "aiceberg_energy_joules_total", device="package-0", node=socket.gethostname()) == 0
        pc.advance("intel-rapl:0", 7_000_000)
        _until(lambda: value(_scrape(url), "aiceberg_energy_joules_total", device="package-0") == pytest.approx(7.0),
               "the exporter's sampler reads the counter's 7 J")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("port", ["70000", "-1", "http"])
def test_a_bad_port_is_one_line_naming_the_option(port: str, env: dict[str, str]) -> None:
    p = subprocess.run([*AICEBERG, "exporter", "--port", port], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert "--port" in p.stderr and "65535" in p.stderr and "Traceback" not in p.stderr


def test_a_port_in_use_is_refused_before_anything_is_measured(tmp_path: Path, env: dict[str, str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        p = subprocess.run([*AICEBERG, "exporter", "--port", str(port)], env=env, capture_output=True, text=True,
                           timeout=60)
        assert p.returncode == 2
        assert p.stderr.count("\n") == 1 and "--port" in p.stderr and f"127.0.0.1:{port}" in p.stderr
        r = subprocess.run([*AICEBERG, "run", "--metrics-port", str(port), "--", sys.executable, "-c", "pass"],
                           env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and "--metrics-port" in r.stderr and "Traceback" not in r.stderr


def test_without_prometheus_client_the_exporter_says_which_extra(tmp_path: Path, env: dict[str, str]) -> None:
    shadow = tmp_path / "shadow"
    (shadow / "prometheus_client").mkdir(parents=True)
    (shadow / "prometheus_client" / "__init__.py").write_text("raise ImportError('not installed here')\n")
    env["PYTHONPATH"] = os.pathsep.join([str(shadow), env["PYTHONPATH"]])
    p = subprocess.run([*AICEBERG, "exporter", "--port", "0"], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert "pip install 'aiceberg[prometheus]'" in p.stderr and "Traceback" not in p.stderr


def test_the_cli_and_the_package_do_not_import_prometheus_client(env: dict[str, str]) -> None:
    code = ("import sys, aiceberg, aiceberg.cli; aiceberg.cli.build_parser(); "
            "print('prometheus_client' in sys.modules)")
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert p.stdout.strip() == "False", p.stderr


CHILD = """
import os, sys, time, urllib.request
url = os.environ["AICEBERG_METRICS_URL"]
open(os.environ["FAKE_MARK"], "w").close()
while not os.path.exists(os.environ["FAKE_GO"]):
    time.sleep(0.02)
deadline = time.monotonic() + 60
while True:
    body = urllib.request.urlopen(url, timeout=10).read().decode()
    if any(line.startswith("aiceberg_energy_joules_total{") and 'device="package-0"' in line
           and line.endswith(" 4.0") for line in body.splitlines()):
        break
    if time.monotonic() > deadline:
        break
    time.sleep(0.05)
sys.stdout.write(body)
"""


def test_run_serves_the_runs_metrics_while_it_runs(tmp_path: Path, env: dict[str, str]) -> None:
    pc = server(tmp_path / "pc", sockets=1)
    mark, go = tmp_path / "started", tmp_path / "go"
    env.update(AICEBERG_POWERCAP_ROOT=str(tmp_path / "pc"), TORCHELASTIC_RUN_ID="elastic-1", RANK="2",
               FAKE_MARK=str(mark), FAKE_GO=str(go))
    proc = subprocess.Popen(
        [*AICEBERG, "run", "--no-store", "--interval", "0.05", "--metrics-port", "0", "--location", "DE", "--",
         sys.executable, "-c", CHILD], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _until(mark.exists, "the command started")
        pc.advance("intel-rapl:0", 4_000_000)
        go.touch()
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    s = parse(out)
    assert value(s, "aiceberg_energy_joules_total", device="package-0", job_id="elastic-1", rank="2") == 4.0
    assert value(s, "aiceberg_grid_intensity_grams_per_joule", zone="DE") is not None
    assert "Prometheus metrics at http://127.0.0.1:" in err
