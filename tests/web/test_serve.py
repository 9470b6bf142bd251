"""``aiceberg serve`` as a user starts it: the port it prints is the one it serves, a taken port is one
line, binding beyond this machine warns."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
from contextlib import contextmanager

import pytest

from aiceberg.cli.serve import allowed_hosts, bind, is_loopback


@contextmanager
def _serve(*args: str, env_db: str):
    env = {**os.environ, "AICEBERG_DB": env_db}
    proc = subprocess.Popen([sys.executable, "-m", "aiceberg", "serve", *args], env=env, stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True)
    lines: list[str] = []
    try:
        for line in proc.stderr:  # ends when the server stops, or prints its address
            lines.append(line)
            if "serving on" in line:
                break
        yield proc, lines
    finally:
        proc.terminate()
        proc.wait(30)


def test_port_0_prints_the_port_it_serves(tmp_path):
    with _serve("--port", "0", env_db=str(tmp_path / "none.db")) as (_, lines):
        url = re.search(r"serving on (http://127\.0\.0\.1:(\d+))", lines[-1])
        assert url and url.group(2) != "0"
        assert urllib.request.urlopen(url.group(1) + "/", timeout=30).status == 200
    assert len(lines) == 1  # on 127.0.0.1: no warning


def test_a_taken_port_is_one_line_and_exit_2(tmp_path):
    sock = bind("127.0.0.1", 0)
    try:
        port = str(sock.getsockname()[1])
        p = subprocess.run([sys.executable, "-m", "aiceberg", "serve", "--port", port], capture_output=True, text=True,
                           env={**os.environ, "AICEBERG_DB": str(tmp_path / "none.db")}, timeout=60)
    finally:
        sock.close()
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and f"cannot listen on 127.0.0.1 port {port}" in p.stderr


@pytest.mark.parametrize("port", ["http", "-1", "65536"])
def test_a_bad_port_is_one_line(port):
    p = subprocess.run([sys.executable, "-m", "aiceberg", "serve", "--port", port], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "0 to 65535" in p.stderr


def test_binding_beyond_loopback_warns(tmp_path):
    with _serve("--host", "0.0.0.0", "--port", "0", env_db=str(tmp_path / "none.db")) as (_, lines):
        assert len(lines) == 2
        assert "0.0.0.0 is reachable from other machines" in lines[0]
        port = re.search(r":(\d+) \(", lines[1]).group(1)
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30).status == 200


def test_names_the_app_answers_to():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("127.1.2.3")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10") and not is_loopback("example.org")
    assert allowed_hosts("192.168.1.10", ["ai.example.org"]) == ["192.168.1.10", "ai.example.org"]
    import socket

    assert socket.gethostname() in allowed_hosts("0.0.0.0", [])
