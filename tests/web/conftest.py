"""Fixtures of the web tests: a run store with a few runs (one named ``<script>``), the app, a client."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# The web stack, Starlette's test client (httpx2), the fuzzer and the OpenAPI validator are in the [test]
# extra: the web tests need them and fail with an ImportError without them, never skip in silence.


def make_store(path: Path) -> Path:
    """A SQLite run store with three finished runs on two hosts and one running run."""
    from aiceberg.model.run_summary import RunSummary
    from aiceberg.model.training import estimate_training
    from aiceberg.store import ChannelRow, NewRun, RunEnd, open_store

    store = open_store(path)
    fp = estimate_training("a100", count=1, hours=0.5, location="FR")
    specs = [
        ("run-aaaa-0001", "<script>alert(1)</script>", "2024-03-01T10:00:00+00:00", "gpu-node-1"),
        ("run-bbbb-0002", "fine-tune bert", "2024-05-10T09:30:00+00:00", "gpu-node-2"),
        ("run-cccc-0003", "eval", "2024-05-12T18:00:00+00:00", "gpu-node-1"),
    ]
    for rid, name, started, host in specs:
        store.create_run(NewRun(run_id=rid, started_at=started, started_unix=0.0, pid=1, hostname=host,
                                name=name, command="python train.py --name '<b>x</b>'", location="FR"),
                         [ChannelRow("gpu0", "nvml", "gpu", "GPU 0", "measured")])
        summary = RunSummary(run_id=rid, status="finished", started_at=started, ended_at=started, duration_s=1800.0,
                             exit_code=0, end_reason="exit code 0", energy_kwh=fp.energy_kwh.central,
                             co2e_kg=fp.co2e_kg, footprint=fp)
        store.finish_run(rid, RunEnd.from_summary(summary))
    store.create_run(NewRun(run_id="run-dddd-0004", started_at="2024-06-01T00:00:00+00:00", started_unix=0.0,
                            pid=1, hostname="gpu-node-2", name="still running"), [])
    store.close()
    return path


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("store") / "runs.db")


@pytest.fixture(scope="session")
def app(store_path: Path):
    from aiceberg.web import create_app

    return create_app(str(store_path))


@pytest.fixture(scope="session")
def client(app):
    from starlette.testclient import TestClient

    with TestClient(app, base_url="http://localhost") as c:
        yield c


@pytest.fixture(autouse=True)
def _no_user_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for k in list(os.environ):
        if k.startswith("AICEBERG_"):
            monkeypatch.delenv(k)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@contextlib.contextmanager
def serving(app) -> Iterator[str]:
    """``app`` served by uvicorn on a free port of 127.0.0.1 in a thread; yields its base URL."""
    import uvicorn

    from aiceberg.cli.serve import bind

    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    th = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    th.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:  # waiting for start-up, not timing anything
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        th.join(10)
        sock.close()


@pytest.fixture(scope="session")
def serve():
    """:func:`serving`, for the tests that need a real server (streams, concurrency, a browser)."""
    return serving
