"""A ``pynvml`` that several processes share: the fake NVML of ``tests/fakes`` with its GPUs' energy
counters in files, so that simulated ranks (subprocesses) read the same GPUs and a test moves them.

``$AICEBERG_FAKE_NVML_DIR`` holds ``gpus.json`` (``[{"uuid": …, "name": …}, …]``, NVML's order) and one
``gpu-<index>.mj`` per GPU (its total-energy counter in millijoules). Put this folder first on
``PYTHONPATH`` and ``import pynvml`` finds it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from tests.fakes.pynvml import FakeGpu, FakeNvml

_DIR = Path(os.environ.get("AICEBERG_FAKE_NVML_DIR", "."))


class _FileNvml(FakeNvml):
    def nvmlDeviceGetTotalEnergyConsumption(self, h: FakeGpu) -> int:
        self._check(h, "nvmlDeviceGetTotalEnergyConsumption")
        index = self.gpus.index(h)
        return int((_DIR / f"gpu-{index}.mj").read_text())


def _gpus() -> list[FakeGpu]:
    try:
        items = json.loads((_DIR / "gpus.json").read_text())
    except OSError:
        return []
    return [FakeGpu(name=g["name"], uuid=g["uuid"]) for g in items]


_nvml = _FileNvml(_gpus())
NVMLError = _nvml.NVMLError
for _name in dir(_nvml):
    if _name.startswith(("nvml", "NVML_")):
        globals()[_name] = getattr(_nvml, _name)
