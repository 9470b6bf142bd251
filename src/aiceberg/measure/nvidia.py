"""NVIDIA GPUs through NVML (``nvidia-ml-py``, extra ``[nvidia]``, imported only when the sensor opens).

Per GPU, the total-energy counter (``nvmlDeviceGetTotalEnergyConsumption``, millijoules, Volta and
newer) where the GPU has one; otherwise power samples (``nvmlDeviceGetPowerUsage``, milliwatts)
integrated over time by the trapezoid rule (the reading itself is shared with AMD:
``measure/gpu.py``). Each GPU is its own channel (``nvml:gpu-<index>``).
``CUDA_VISIBLE_DEVICES`` is respected, in both its index and ``GPU-<uuid>`` forms.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterable, Mapping
from types import ModuleType
from typing import Any

from aiceberg.errors import MissingExtraError, SensorUnavailable
from aiceberg.i18n import Msg
from aiceberg.measure.attribution import gpu_shares
from aiceberg.measure.base import MIN_GAP_S, Method, Text
from aiceberg.measure.gpu import (
    GpuDevice,
    GpuSelection,
    GpuSensor,
    GpuShares,
    parse_visible_devices,
    select_devices,
)

__all__ = [
    "GpuSelection",
    "NvmlDevice",
    "NvmlSensor",
    "load_nvml",
    "nvml_error_text",
    "parse_visible_devices",
    "select_devices",
]

INSTALL_FIX = "pip install 'aiceberg[nvidia]'"

# NVML return codes (nvml.h); the module's own constants win when present.
_NVML_CODES = {
    "NVML_ERROR_UNINITIALIZED": 1,
    "NVML_ERROR_NOT_SUPPORTED": 3,
    "NVML_ERROR_NO_PERMISSION": 4,
    "NVML_ERROR_NOT_FOUND": 6,
    "NVML_ERROR_DRIVER_NOT_LOADED": 9,
    "NVML_ERROR_TIMEOUT": 10,
    "NVML_ERROR_LIBRARY_NOT_FOUND": 12,
    "NVML_ERROR_FUNCTION_NOT_FOUND": 13,
    "NVML_ERROR_GPU_IS_LOST": 15,
    "NVML_ERROR_RESET_REQUIRED": 16,
    "NVML_ERROR_LIB_RM_VERSION_MISMATCH": 18,
    "NVML_ERROR_UNKNOWN": 999,
}

#: The codes whose fix the catalog gives (``measure.nvml.fix.<code>``).
_NVML_FIXES = frozenset({
    "NVML_ERROR_LIBRARY_NOT_FOUND", "NVML_ERROR_DRIVER_NOT_LOADED", "NVML_ERROR_NO_PERMISSION",
    "NVML_ERROR_LIB_RM_VERSION_MISMATCH", "NVML_ERROR_GPU_IS_LOST", "NVML_ERROR_RESET_REQUIRED",
    "NVML_ERROR_FUNCTION_NOT_FOUND", "NVML_ERROR_NOT_SUPPORTED", "NVML_ERROR_TIMEOUT",
})


def load_nvml() -> ModuleType:
    """Import ``pynvml`` (from nvidia-ml-py). Raises ``SensorUnavailable`` with the install hint."""
    try:
        return importlib.import_module("pynvml")
    except ImportError:
        missing = MissingExtraError("NVIDIA GPU measurement", "nvidia", ["nvidia-ml-py"])
        raise SensorUnavailable("nvml", Msg("measure.nvml.not_installed"), INSTALL_FIX) from missing


def _code_name(nvml: Any, value: int | None) -> str | None:
    for name, default in _NVML_CODES.items():
        if value is not None and getattr(nvml, name, default) == value:
            return name
    return None


def nvml_error_text(nvml: Any, exc: BaseException) -> tuple[str, Msg | None]:
    """(reason, fix) for an ``NVMLError``: the code's name and the driver's message (its own words), and
    what to do about it (a catalog message)."""
    value = getattr(exc, "value", None)
    name = _code_name(nvml, value)
    message = str(exc) or (name or "NVML error")
    label = f"{name} ({value})" if name else f"NVML error {value}"
    return f"{label}: {message}", Msg(f"measure.nvml.fix.{name}") if name in _NVML_FIXES else None


def _is_code(nvml: Any, exc: BaseException, name: str) -> bool:
    return getattr(exc, "value", None) == getattr(nvml, name, _NVML_CODES[name])


def _text(value: Any) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


#: One opened GPU (the shared :class:`~aiceberg.measure.gpu.GpuDevice`).
NvmlDevice = GpuDevice


class NvmlSensor(GpuSensor):
    """Cumulative energy of each selected NVIDIA GPU since the sensor opened.

    Args:
        nvml: the ``pynvml`` module, or a stand-in with the same functions (default: imported now).
        gpus: ``"auto"`` (``CUDA_VISIBLE_DEVICES``, else all), ``"all"``, ``"none"``, or indices/UUIDs.
        env: the environment to read ``CUDA_VISIBLE_DEVICES`` from (default ``os.environ``).
        clock: monotonic clock in seconds.
        max_gap_s: in power mode, the longest run of failed samples bridged by interpolation (the
            tracker sets it from its interval, :meth:`set_interval`).

    Raises:
        SensorUnavailable: bindings missing, NVML cannot start, or no selected GPU can be read.
    """

    name = "nvml"
    method: Method = "measured"
    energy_unit_j = 1e-3  # mJ

    def __init__(
        self,
        nvml: ModuleType | Any | None = None,
        *,
        gpus: GpuSelection = "auto",
        env: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_gap_s: float = MIN_GAP_S,
    ) -> None:
        self.nvml = nvml if nvml is not None else load_nvml()
        self._error = getattr(self.nvml, "NVMLError", Exception)
        self._connect(clock, max_gap_s, gpus, env)

    def _open_devices(self, gpus: GpuSelection, env: Mapping[str, str]) -> None:
        nvml = self.nvml
        count = int(nvml.nvmlDeviceGetCount())
        handles = [nvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
        uuids = [_text(nvml.nvmlDeviceGetUUID(h)) for h in handles]
        visible = env.get("CUDA_VISIBLE_DEVICES")
        positions = select_devices(uuids, gpus, visible)
        for i in positions:
            self._add_device(i, uuids[i], _text(nvml.nvmlDeviceGetName(handles[i])), handles[i])
        self._opened(count, positions, "CUDA_VISIBLE_DEVICES", visible, Msg("measure.nvml.no_gpu"))

    # -- driver calls -----------------------------------------------------------------------------

    def _driver_init(self) -> None:
        self.nvml.nvmlInit()

    def _driver_did_not_start(self, exc: BaseException) -> tuple[Text, Text | None]:
        reason, fix = nvml_error_text(self.nvml, exc)
        return Msg("measure.nvml.did_not_start", reason=reason), fix

    def _driver_error_text(self, exc: BaseException) -> str:
        return nvml_error_text(self.nvml, exc)[0]

    def _driver_energy(self, handle: Any) -> float:
        return int(self.nvml.nvmlDeviceGetTotalEnergyConsumption(handle))

    def _driver_power_w(self, handle: Any) -> float:
        return float(self.nvml.nvmlDeviceGetPowerUsage(handle)) / 1000.0  # mW

    def _driver_no_counter(self, exc: BaseException) -> bool:
        return _is_code(self.nvml, exc, "NVML_ERROR_NOT_SUPPORTED")

    def _driver_shutdown(self) -> None:
        self.nvml.nvmlShutdown()

    def process_shares(self, pids: Iterable[int], memo: dict[str, Any]) -> GpuShares:
        """Per-process SM utilisation from NVML (:func:`~aiceberg.measure.attribution.gpu_shares`)."""
        shares, seen = gpu_shares(self.nvml, self.devices, pids, memo.get("last_seen"))
        memo["last_seen"] = seen
        return shares
