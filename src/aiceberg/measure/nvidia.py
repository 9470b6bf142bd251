"""NVIDIA GPUs through NVML (``nvidia-ml-py``, extra ``[nvidia]``, imported only when the sensor opens).

Per GPU, the total-energy counter (``nvmlDeviceGetTotalEnergyConsumption``, millijoules, Volta and
newer) where the GPU has one; otherwise power samples (``nvmlDeviceGetPowerUsage``, milliwatts)
integrated over time by the trapezoid rule. Each GPU is its own channel (``nvml:gpu-<index>``).
``CUDA_VISIBLE_DEVICES`` is respected, in both its index and ``GPU-<uuid>`` forms.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

from aiceberg.errors import MissingExtraError, SensorUnavailable
from aiceberg.measure.base import Channel, EnergyReading, Method, PowerIntegrator, ResettingCounter

__all__ = [
    "GpuSelection",
    "NvmlDevice",
    "NvmlSensor",
    "load_nvml",
    "nvml_error_text",
    "parse_visible_devices",
    "select_devices",
]

#: "auto" (the ``*_VISIBLE_DEVICES`` variables, else all), "all", "none", or indices / UUIDs.
GpuSelection = str | Sequence[int | str] | None

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

_NVML_FIXES = {
    "NVML_ERROR_LIBRARY_NOT_FOUND": "install the NVIDIA driver (libnvidia-ml.so.1); in a container, start it "
    "with the NVIDIA Container Toolkit (docker run --gpus all)",
    "NVML_ERROR_DRIVER_NOT_LOADED": "load the NVIDIA kernel driver ('nvidia-smi' must work)",
    "NVML_ERROR_NO_PERMISSION": "run as a user allowed to open /dev/nvidia* (e.g. in the 'video' group)",
    "NVML_ERROR_LIB_RM_VERSION_MISMATCH": "the NVML library and the kernel driver differ: reload the "
    "driver or reboot after a driver update",
    "NVML_ERROR_GPU_IS_LOST": "the GPU fell off the bus: see 'dmesg' for Xid errors; "
    "a reset or reboot is needed",
    "NVML_ERROR_RESET_REQUIRED": "the GPU needs a reset ('nvidia-smi -r') or a reboot",
    "NVML_ERROR_FUNCTION_NOT_FOUND": "the driver is older than the bindings: update the NVIDIA driver",
    "NVML_ERROR_NOT_SUPPORTED": "this GPU or driver does not report it",
    "NVML_ERROR_TIMEOUT": "the driver did not answer in time; retry, and check 'nvidia-smi'",
}


def load_nvml() -> ModuleType:
    """Import ``pynvml`` (from nvidia-ml-py). Raises ``SensorUnavailable`` with the install hint."""
    try:
        return importlib.import_module("pynvml")
    except ImportError:
        missing = MissingExtraError("NVIDIA GPU measurement", "nvidia", ["nvidia-ml-py"])
        raise SensorUnavailable(
            "nvml", "the NVML bindings (nvidia-ml-py) are not installed", INSTALL_FIX
        ) from missing


def _code_name(nvml: Any, value: int | None) -> str | None:
    for name, default in _NVML_CODES.items():
        if value is not None and getattr(nvml, name, default) == value:
            return name
    return None


def nvml_error_text(nvml: Any, exc: BaseException) -> tuple[str, str | None]:
    """(reason, fix) for an ``NVMLError``: the code's name and message, and what to do about it."""
    value = getattr(exc, "value", None)
    name = _code_name(nvml, value)
    message = str(exc) or (name or "NVML error")
    label = f"{name} ({value})" if name else f"NVML error {value}"
    return f"{label}: {message}", _NVML_FIXES.get(name or "")


def _is_code(nvml: Any, exc: BaseException, name: str) -> bool:
    return getattr(exc, "value", None) == getattr(nvml, name, _NVML_CODES[name])


def parse_visible_devices(value: str | None) -> list[int | str] | None:
    """Parse a ``CUDA_VISIBLE_DEVICES``-style value: ``None`` when unset (all devices visible).

    Entries are indices (``"0,2"``) or UUIDs (``"GPU-8f3e…"``, a unique prefix is enough). As CUDA
    does, the list stops at the first entry that is neither (``"0,1,-1,2"`` → ``[0, 1]``).
    """
    if value is None:
        return None
    out: list[int | str] = []
    for token in value.split(","):
        token = token.strip()
        if not token:
            continue
        if token.isdigit():
            out.append(int(token))
        elif token.upper().startswith(("GPU-", "MIG-")):
            out.append(token)
        else:
            break
    return out


def _norm_uuid(uuid: str) -> str:
    u = uuid.strip().lower()
    for prefix in ("gpu-", "mig-"):
        if u.startswith(prefix):
            u = u[len(prefix) :]
    return u.replace("-", "")


def select_devices(uuids: Sequence[str], selection: GpuSelection, env_value: str | None) -> list[int]:
    """Positions (into ``uuids``) of the devices to measure, in the order asked.

    Args:
        uuids: the UUID of each device, in the backend's order.
        selection: ``"auto"`` (use ``env_value``), ``"all"``, ``"none"``/``None``, or indices/UUIDs.
        env_value: the value of the ``*_VISIBLE_DEVICES`` variable, for ``"auto"``.
    """
    if selection is None or selection == "none":
        return []
    if selection == "all":
        return list(range(len(uuids)))
    if selection == "auto":
        wanted = parse_visible_devices(env_value)
        if wanted is None:
            return list(range(len(uuids)))
    elif isinstance(selection, str):
        wanted = parse_visible_devices(selection) or []
    else:
        wanted = list(selection)
    normed = [_norm_uuid(u) for u in uuids]
    positions: list[int] = []
    for item in wanted:
        if isinstance(item, int):
            if not 0 <= item < len(uuids):
                break
            pos = item
        else:
            key = _norm_uuid(item)
            matches = [i for i, u in enumerate(normed) if key and u.startswith(key)]
            if len(matches) != 1:
                break
            pos = matches[0]
        if pos not in positions:
            positions.append(pos)
    return positions


def _text(value: Any) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


@dataclass
class NvmlDevice:
    """One opened GPU: NVML index, handle, and how it is measured."""

    index: int
    uuid: str
    name: str
    handle: Any
    channel_id: str
    mode: Literal["energy", "power"]


class NvmlSensor:
    """Cumulative energy of each selected NVIDIA GPU since the sensor opened.

    Args:
        nvml: the ``pynvml`` module, or a stand-in with the same functions (default: imported now).
        gpus: ``"auto"`` (``CUDA_VISIBLE_DEVICES``, else all), ``"all"``, ``"none"``, or indices/UUIDs.
        env: the environment to read ``CUDA_VISIBLE_DEVICES`` from (default ``os.environ``).
        clock: monotonic clock in seconds.
        max_gap_s: in power mode, the longest run of failed samples bridged by interpolation.

    Raises:
        SensorUnavailable: bindings missing, NVML cannot start, or no selected GPU can be read.
    """

    name = "nvml"
    method: Method = "measured"

    def __init__(
        self,
        nvml: ModuleType | Any | None = None,
        *,
        gpus: GpuSelection = "auto",
        env: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_gap_s: float = 10.0,
    ) -> None:
        self.nvml = nvml if nvml is not None else load_nvml()
        self._clock = clock
        env = os.environ if env is None else env
        error = getattr(self.nvml, "NVMLError", Exception)
        try:
            self.nvml.nvmlInit()
        except error as exc:
            reason, fix = nvml_error_text(self.nvml, exc)
            raise SensorUnavailable("nvml", f"NVML did not start: {reason}", fix) from exc
        self._open = True
        try:
            self._open_devices(gpus, env, error, max_gap_s)
        except BaseException:
            self.close()
            raise

    def _open_devices(self, gpus: GpuSelection, env: Mapping[str, str], error: Any, max_gap_s: float) -> None:
        nvml = self.nvml
        count = int(nvml.nvmlDeviceGetCount())
        handles = [nvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
        uuids = [_text(nvml.nvmlDeviceGetUUID(h)) for h in handles]
        positions = select_devices(uuids, gpus, env.get("CUDA_VISIBLE_DEVICES"))
        self.devices: list[NvmlDevice] = []
        self.skipped: dict[str, str] = {}
        self._counters: dict[str, ResettingCounter] = {}
        self._integrators: dict[str, PowerIntegrator] = {}
        for i in positions:
            h = handles[i]
            cid = f"nvml:gpu-{i}"
            name = _text(nvml.nvmlDeviceGetName(h))
            try:
                mj = int(nvml.nvmlDeviceGetTotalEnergyConsumption(h))
                self._counters[cid] = ResettingCounter(mj, 1e-3)  # mJ
                mode: Literal["energy", "power"] = "energy"
            except error as exc:
                if not _is_code(nvml, exc, "NVML_ERROR_NOT_SUPPORTED"):
                    self.skipped[cid] = nvml_error_text(nvml, exc)[0]
                    continue
                try:
                    mw = float(nvml.nvmlDeviceGetPowerUsage(h))
                except error as exc2:
                    self.skipped[cid] = "no energy counter, and power: " + nvml_error_text(nvml, exc2)[0]
                    continue
                integ = PowerIntegrator(max_gap_s)
                integ.add(self._clock(), mw / 1000.0)
                self._integrators[cid] = integ
                mode = "power"
            self.devices.append(NvmlDevice(i, uuids[i], name, h, cid, mode))
        if not self.devices:
            if not positions:
                visible = env.get("CUDA_VISIBLE_DEVICES")
                why = f"no GPU selected ({count} found; CUDA_VISIBLE_DEVICES={visible!r})"
                raise SensorUnavailable("nvml", why if count else "NVML found no NVIDIA GPU")
            raise SensorUnavailable(
                "nvml", "no GPU could be read: " + "; ".join(f"{k}: {v}" for k, v in self.skipped.items())
            )
        self._channels = [
            Channel(id=d.channel_id, domain="gpu", label=f"{d.name} ({d.mode})", device_index=d.index)
            for d in self.devices
        ]
        self._error = error

    def channels(self) -> list[Channel]:
        return list(self._channels)

    def read(self) -> EnergyReading:
        nvml = self.nvml
        energy: dict[str, float] = {}
        power: dict[str, float] = {}
        errors: dict[str, str] = {}
        t = self._clock()
        for d in self.devices:
            cid = d.channel_id
            try:
                if d.mode == "energy":
                    j = self._counters[cid].joules(int(nvml.nvmlDeviceGetTotalEnergyConsumption(d.handle)))
                    if j is None:
                        errors[cid] = "energy counter went backwards (driver reloaded?)"
                        continue
                    energy[cid] = j
                else:
                    w = float(nvml.nvmlDeviceGetPowerUsage(d.handle)) / 1000.0
                    power[cid] = w
                    energy[cid] = self._integrators[cid].add(t, w)
            except self._error as exc:
                errors[cid] = nvml_error_text(nvml, exc)[0]
        return EnergyReading(t_s=t, energy_j=energy, power_w=power, errors=errors)

    def close(self) -> None:
        if getattr(self, "_open", False):
            self._open = False
            with contextlib.suppress(Exception):
                self.nvml.nvmlShutdown()
