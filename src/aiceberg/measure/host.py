"""The machine a run happens on, as the footprint and the exports describe it."""

from __future__ import annotations

import os
import platform
import socket
from collections.abc import Iterable
from typing import Any

from aiceberg.measure.base import Channel
from aiceberg.measure.cpu_model import read_cpuinfo
from aiceberg.measure.procfs import read_mem_total_gb


def host_info(channels: Iterable[Channel] = (), proc_root: str = "/proc") -> dict[str, Any]:
    """Hostname, OS, CPU model (from ``/proc/cpuinfo`` directly), memory and the GPUs being measured."""
    gpus = [c.label for c in channels if c.domain == "gpu"]
    try:
        cpu_model = read_cpuinfo(proc_root).model_name
    except (OSError, ValueError):
        cpu_model = None
    try:
        ram_gb: float | None = read_mem_total_gb(proc_root)
    except (OSError, ValueError, IndexError):
        ram_gb = None
    return {
        "hostname": socket.gethostname(),
        "os": platform.platform(),
        "python_version": platform.python_version(),
        "cpu_model": cpu_model,
        "cpu_count": os.cpu_count(),
        "ram_total_gb": ram_gb,
        "gpu_count": len(gpus),
        "gpu_models": gpus,
    }
