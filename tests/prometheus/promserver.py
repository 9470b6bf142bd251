"""A real Prometheus server for the tests: Debian's ``prometheus`` binary on free ports, scraping every second.

The tests start it themselves (``PrometheusServer(...)`` as a context manager), wait until its query API
answers (polling, no fixed sleep), and read series back through ``/api/v1/query``. Without the binary
the tests that need it are skipped, saying how to get it; ``.ci/run`` installs it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

SKIP_REASON = ("Debian's prometheus server is not installed (apt-get install -y prometheus, as .ci/run does); "
               "the tests that scrape with a real Prometheus are skipped")


def prometheus_binary() -> str | None:
    return os.environ.get("AICEBERG_TEST_PROMETHEUS") or shutil.which("prometheus")


def require_prometheus() -> str:
    binary = prometheus_binary()
    if binary is None:
        pytest.skip(SKIP_REASON)
    return binary


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(targets: Sequence[tuple[str, Mapping[str, str]]]) -> str:
    lines = ["global:", "  scrape_interval: 1s", "  scrape_timeout: 1s", "scrape_configs:",
             "  - job_name: aiceberg-test", "    static_configs:"]
    for address, labels in targets:
        lines.append(f"      - targets: [{json.dumps(address)}]")
        if labels:
            lines.append("        labels:")
            lines += [f"          {k}: {json.dumps(v)}" for k, v in labels.items()]
    return "\n".join(lines) + "\n"


class PrometheusServer:
    """``prometheus`` scraping ``targets`` (``(host:port, {label: value})``) every second, in ``folder``."""

    def __init__(self, folder: Path, targets: Sequence[tuple[str, Mapping[str, str]]]) -> None:
        self.binary = require_prometheus()
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "prometheus.yml").write_text(_config(targets))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> PrometheusServer:
        log = open(self.folder / "prometheus.log", "wb")
        self._log = log
        self.proc = subprocess.Popen(
            [self.binary, f"--config.file={self.folder / 'prometheus.yml'}",
             f"--storage.tsdb.path={self.folder / 'data'}", f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=log, stderr=subprocess.STDOUT,
        )
        self.wait_for(lambda: self._answers(), "Prometheus answers its query API", deadline_s=120)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def log(self) -> str:
        return (self.folder / "prometheus.log").read_text(errors="replace")[-3000:]

    def _answers(self) -> bool:
        try:
            return self.api("query", query="1")["resultType"] == "scalar"
        except (OSError, ValueError):
            return False

    def api(self, endpoint: str, **params: str) -> Any:
        url = f"{self.url}/api/v1/{endpoint}?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=10) as r:
            body = json.load(r)
        if body.get("status") != "success":
            raise ValueError(body)
        return body["data"]

    def value(self, expr: str) -> float | None:
        """The value of an instant query that gives one series (None when it gives none)."""
        result = self.api("query", query=expr)["result"]
        if not result:
            return None
        assert len(result) == 1, result
        return float(result[0]["value"][1])

    def wait_for(self, check: Callable[[], Any], what: str, deadline_s: float = 90.0) -> Any:
        """Poll ``check`` until it gives something true; fail naming ``what`` after ``deadline_s``."""
        end = time.monotonic() + deadline_s
        while True:
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"prometheus exited ({self.proc.returncode}): {self.log()}")
            try:
                got = check()
            except (OSError, ValueError, urllib.error.URLError):
                got = None
            if got:
                return got
            if time.monotonic() > end:
                raise AssertionError(f"never happened: {what}\n{self.log()}")
            time.sleep(0.1)
