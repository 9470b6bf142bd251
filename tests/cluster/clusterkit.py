"""Simulated ranks on fake nodes: the harness of the cluster tests.

A :class:`FakeNode` is a fake powercap tree (two packages with their ``core`` and ``dram``) and a folder of
fake NVML GPUs (``fakenvml/pynvml.py``), both moved by the test. :meth:`FakeNode.start_rank` starts
``rank.py`` in a subprocess with a launcher's environment: it tracks itself with ``aiceberg.track`` into
the store the test gives, prints its run id, and stops when the test's stop file appears.

Nothing here sleeps for a fixed time to let things happen: :func:`wait_for` polls the store (or a
process) until a condition holds, with a generous limit that only bounds a failure.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.powercap import server  # noqa: E402

UJ = 1_000_000  # µJ per J
J_PER_KWH = 3.6e6
#: the Slurm cluster of ``scripts/start-slurm`` (read at import: the tests' fixture removes AICEBERG_*)
SLURM_CONF = os.environ.get("AICEBERG_TEST_SLURM_CONF", "").strip()


def wait_for(what: str, check: Callable[[], Any], timeout_s: float = 120.0, every_s: float = 0.05) -> Any:
    """Poll ``check`` until it returns something true; fail naming ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except Exception as exc:  # the store may be between two writes
            last = exc
        else:
            if last:
                return last
        time.sleep(every_s)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def gpu_uuid(n: int) -> str:
    return f"GPU-{n:08x}-1111-2222-3333-{n:012x}"


class FakeNode:
    """A machine: a fake powercap tree and fake NVML GPUs, under ``root``."""

    def __init__(self, root: Path, name: str, gpus: int = 0) -> None:
        self.root = root
        self.name = name
        self.powercap = server(root / "powercap", sockets=2)
        self.nvml = root / "nvml"
        self.nvml.mkdir(parents=True, exist_ok=True)
        (self.nvml / "gpus.json").write_text(json.dumps(
            [{"uuid": gpu_uuid(i), "name": "NVIDIA A100-SXM4-40GB"} for i in range(gpus)]))
        self.gpu_mj = [0] * gpus
        for i in range(gpus):
            (self.nvml / f"gpu-{i}.mj").write_text("0")

    def add_package_j(self, socket_index: int, joules: float, *, core_j: float = 0.0, dram_j: float = 0.0) -> None:
        """Energy drawn by a package (its core, inside it, and its DRAM, beside it)."""
        self.powercap.advance(f"intel-rapl:{socket_index}", int(joules * UJ))
        self.powercap.advance(f"intel-rapl:{socket_index}:0", int(core_j * UJ))
        self.powercap.advance(f"intel-rapl:{socket_index}:1", int(dram_j * UJ))

    def add_gpu_j(self, index: int, joules: float) -> None:
        self.gpu_mj[index] += int(joules * 1000)
        path = self.nvml / f"gpu-{index}.mj"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(str(self.gpu_mj[index]))
        os.replace(tmp, path)  # a reader never sees a half-written counter

    def env(self, base: Mapping[str, str], **launcher: str) -> dict[str, str]:
        env = {k: v for k, v in base.items() if not k.startswith(("AICEBERG_", "SLURM", "OMPI_", "PMI", "RANK"))}
        env.update(
            PYTHONPATH=os.pathsep.join([str(HERE / "fakenvml"), str(ROOT / "src")]),
            AICEBERG_POWERCAP_ROOT=str(self.powercap.root), AICEBERG_FAKE_NVML_DIR=str(self.nvml),
            AICEBERG_NODE=self.name, AICEBERG_INTERVAL="0.05", AICEBERG_FLUSH_EVERY="0.1",
        )
        env.update(launcher)
        return env


class Ranks:
    """The simulated ranks of one test: started, read, killed and stopped together."""

    def __init__(self, tmp: Path, store: str) -> None:
        self.stop_file = tmp / "stop"
        self.store = store
        self.runtime = tmp / "runtime"
        self.procs: list[subprocess.Popen[str]] = []
        self.started: list[dict[str, Any]] = []

    def start(self, node: FakeNode, base: Mapping[str, str], **launcher: str) -> subprocess.Popen[str]:
        env = node.env(base, **launcher)
        env.update(AICEBERG_DB=self.store, AICEBERG_RUNTIME_DIR=str(self.runtime), RANK_STOP_FILE=str(self.stop_file),
                   RANK_STOP_ME=str(self.stop_file.with_name(f"stop-{len(self.procs)}")))
        proc = subprocess.Popen([sys.executable, str(HERE / "rank.py")], env=env, stdout=subprocess.PIPE, text=True)
        self.procs.append(proc)
        return proc

    def ready(self) -> list[dict[str, Any]]:
        """Each rank's first line: its run id, role and pid (in the order started)."""
        self.started = []
        for proc in self.procs:
            line = proc.stdout.readline() if proc.stdout is not None else ""
            assert line, f"a rank exited before it started (code {proc.wait()})"
            self.started.append(json.loads(line))
        return self.started

    def kill(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)
        proc = next(p for p in self.procs if p.pid == pid)
        proc.wait()

    def stop(self) -> list[int]:
        self.stop_file.touch()
        return [p.wait(timeout=120) for p in self.procs]

    def stop_in_order(self) -> list[int]:
        """Stop the ranks that read no node first, then the node's readers: no handover at the end."""
        roles = {s["pid"]: s["role"] for s in self.started}
        order = sorted(range(len(self.procs)), key=lambda i: roles.get(self.procs[i].pid) == "node")
        codes: dict[int, int] = {}
        for i in order:
            self.stop_file.with_name(f"stop-{i}").touch()
            codes[i] = self.procs[i].wait(timeout=120)
        return [codes[i] for i in range(len(self.procs))]

    def close(self) -> None:
        self.stop_file.touch()
        for p in self.procs:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


@contextmanager
def ranks(tmp: Path, store: str) -> Iterator[Ranks]:
    r = Ranks(tmp, store)
    try:
        yield r
    finally:
        r.close()


def job_rows(store: Any, job_id: str) -> list[Any]:
    return list(store.job_runs(job_id))


def energies_j(store: Any, job_id: str) -> dict[str, float | None]:
    """Each run's energy so far (its last flush), in J."""
    return {r.run_id: None if r.energy_kwh is None else r.energy_kwh * J_PER_KWH for r in store.job_runs(job_id)}


class Proxy:
    """A TCP forwarder to ``target`` that the test opens and closes: a server the node can or cannot reach."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._server: socket.socket | None = None
        self._conns: list[socket.socket] = []

    def up(self) -> None:
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", self.port))
        srv.listen(64)
        self._server = srv
        threading.Thread(target=self._accept, args=(srv,), daemon=True).start()

    def _accept(self, srv: socket.socket) -> None:
        while True:
            try:
                client, _ = srv.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def down(self) -> None:
        if self._server is not None:
            with suppress(OSError):
                self._server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
            self._server.close()
            self._server = None
        for c in self._conns:
            with suppress(OSError):
                c.close()
        self._conns = []
