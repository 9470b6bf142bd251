"""A tiny exporter that serves the DCGM exporter's, Kepler's and Scaphandre's metric names in Prometheus's
text exposition format, with values the test sets, and counts how often each state was scraped.

``FleetExporter().set({...})`` replaces what ``/metrics`` serves; ``wait_scrapes(n)`` returns once the
current state has been served ``n`` times (to whoever scrapes it), with the wall times of those scrapes,
so a test moves on when Prometheus has stored the state, without fixed sleeps.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: name → (type, help)
TYPES = {
    "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION": ("counter", "Total energy consumption since boot (in mJ)."),
    "DCGM_FI_DEV_POWER_USAGE": ("gauge", "Power draw (in W)."),
    "kepler_node_cpu_joules_total": ("counter", "Energy consumption of cpu at node level in joules"),
    "kepler_node_cpu_active_joules_total": ("counter", "Energy consumption of cpu in active state in joules"),
    "kepler_node_package_joules_total": ("counter", "Aggregated package energy (Kepler < 0.10)"),
    "scaph_host_power_microwatts": ("gauge", "Power measurement on the whole host, in microwatts"),
}

#: a state: name → [(labels, value)]
State = Mapping[str, Sequence[tuple[Mapping[str, str], float]]]


def exposition(state: State) -> str:
    lines = []
    for name, samples in state.items():
        kind, text = TYPES[name]
        lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
        for labels, value in samples:
            inner = ",".join(f'{k}="{v}"' for k, v in labels.items())
            lines.append(f"{name}{{{inner}}} {value!r}" if inner else f"{name} {value!r}")
    return "\n".join(lines) + "\n"


class FleetExporter:
    """``/metrics`` on 127.0.0.1 (a free port), serving the state the test sets."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._body = b""
        self._served: list[float] = []  # wall times the current state was served
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with outer._lock:
                    body = outer._body
                    outer._served.append(time.time())
                    outer._lock.notify_all()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.address = f"127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def set(self, state: State) -> None:
        with self._lock:
            self._body = exposition(state).encode()
            self._served = []

    def wait_scrapes(self, n: int, deadline_s: float = 90.0) -> list[float]:
        """The wall times of the first ``n`` scrapes of the current state (waits for them)."""
        end = time.monotonic() + deadline_s
        with self._lock:
            while len(self._served) < n:
                left = end - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"the fake exporter was scraped {len(self._served)} times, not {n}")
                self._lock.wait(left)
            return list(self._served[:n])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
