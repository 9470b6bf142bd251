"""AMD GPUs through AMD SMI (the ``amdsmi`` Python package, extra ``[amd]``, imported when opened).

Per GPU, the energy accumulator (``amdsmi_get_energy_count``: a counter times its resolution in µJ)
where it is supported; otherwise socket power (``amdsmi_get_power_info``, watts) integrated by the
trapezoid rule. Visibility follows ``ROCR_VISIBLE_DEVICES``, then ``HIP_VISIBLE_DEVICES``, then
``CUDA_VISIBLE_DEVICES`` (indices or UUIDs), as the ROCm runtime does.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

from aiceberg.errors import MissingExtraError, SensorUnavailable
from aiceberg.measure.base import Channel, EnergyReading, Method, PowerIntegrator, ResettingCounter
from aiceberg.measure.nvidia import GpuSelection, select_devices

__all__ = ["AmdDevice", "AmdSmiSensor", "load_amdsmi", "visible_env"]

INSTALL_FIX = "pip install 'aiceberg[amd]' (with ROCm's amdgpu driver installed)"
DRIVER_FIX = (
    "check that the amdgpu driver is loaded ('amd-smi list' must work) and that the user is in the "
    "'render' and 'video' groups"
)
_POWER_KEYS = ("average_socket_power", "current_socket_power", "socket_power")


def load_amdsmi() -> ModuleType:
    """Import ``amdsmi``. Raises ``SensorUnavailable`` with the install hint."""
    try:
        return importlib.import_module("amdsmi")
    except ImportError:
        missing = MissingExtraError("AMD GPU measurement", "amd", ["amdsmi"])
        raise SensorUnavailable(
            "amdsmi", "the AMD SMI bindings (amdsmi) are not installed", INSTALL_FIX
        ) from missing


def visible_env(env: Mapping[str, str]) -> str | None:
    """The visibility variable the ROCm runtime would use."""
    for var in ("ROCR_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES", "CUDA_VISIBLE_DEVICES"):
        if var in env:
            return env[var]
    return None


def _error_text(exc: BaseException) -> str:
    code = None
    getter = getattr(exc, "get_error_code", None)
    if callable(getter):
        try:
            code = getter()
        except Exception:
            code = None
    code = code if code is not None else getattr(exc, "err_code", None)
    text = str(exc) or exc.__class__.__name__
    return f"AMD SMI error {code}: {text}" if code is not None else f"AMD SMI error: {text}"


def _energy_uj(info: Mapping[str, Any]) -> float:
    acc = info.get("energy_accumulator", info.get("power"))
    return float(acc) * float(info["counter_resolution"])


def _power_w(info: Mapping[str, Any]) -> float:
    for key in _POWER_KEYS:
        value = info.get(key)
        if isinstance(value, int | float) and value >= 0:
            return float(value)
    raise ValueError("no socket power in amdsmi_get_power_info")


@dataclass
class AmdDevice:
    """One opened AMD GPU."""

    index: int
    uuid: str
    name: str
    handle: Any
    channel_id: str
    mode: Literal["energy", "power"]


class AmdSmiSensor:
    """Cumulative energy of each selected AMD GPU since the sensor opened.

    Args:
        amdsmi: the ``amdsmi`` module or a stand-in (default: imported now).
        gpus: ``"auto"``, ``"all"``, ``"none"``, or indices/UUIDs (see ``nvidia.select_devices``).
        env: environment for the visibility variables (default ``os.environ``).
        clock: monotonic clock in seconds.
        max_gap_s: in power mode, the longest run of failed samples bridged by interpolation.

    Raises:
        SensorUnavailable: bindings missing, AMD SMI cannot start, or no selected GPU can be read.
    """

    name = "amdsmi"
    method: Method = "measured"

    def __init__(
        self,
        amdsmi: ModuleType | Any | None = None,
        *,
        gpus: GpuSelection = "auto",
        env: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_gap_s: float = 10.0,
    ) -> None:
        self.amdsmi = amdsmi if amdsmi is not None else load_amdsmi()
        self._clock = clock
        self._error: Any = getattr(self.amdsmi, "AmdSmiException", Exception)
        env = os.environ if env is None else env
        try:
            self.amdsmi.amdsmi_init()
        except self._error as exc:
            raise SensorUnavailable(
                "amdsmi", f"AMD SMI did not start: {_error_text(exc)}", DRIVER_FIX
            ) from exc
        self._open = True
        try:
            self._open_devices(gpus, env, max_gap_s)
        except BaseException:
            self.close()
            raise

    def _open_devices(self, gpus: GpuSelection, env: Mapping[str, str], max_gap_s: float) -> None:
        smi = self.amdsmi
        try:
            handles = list(smi.amdsmi_get_processor_handles())
            uuids = [str(smi.amdsmi_get_gpu_device_uuid(h)) for h in handles]
        except self._error as exc:
            raise SensorUnavailable("amdsmi", f"cannot list GPUs: {_error_text(exc)}", DRIVER_FIX) from exc
        positions = select_devices(uuids, gpus, visible_env(env))
        self.devices: list[AmdDevice] = []
        self.skipped: dict[str, str] = {}
        self._counters: dict[str, ResettingCounter] = {}
        self._integrators: dict[str, PowerIntegrator] = {}
        for i in positions:
            h = handles[i]
            cid = f"amdsmi:gpu-{i}"
            try:
                name = str(smi.amdsmi_get_gpu_asic_info(h).get("market_name") or f"AMD GPU {i}")
            except self._error:
                name = f"AMD GPU {i}"
            mode: Literal["energy", "power"]
            try:
                uj = _energy_uj(smi.amdsmi_get_energy_count(h))
                self._counters[cid] = ResettingCounter(uj, 1e-6)  # µJ
                mode = "energy"
            except (self._error, KeyError, TypeError, ValueError) as exc:
                try:
                    w = _power_w(smi.amdsmi_get_power_info(h))
                except (self._error, KeyError, TypeError, ValueError) as exc2:
                    self.skipped[cid] = f"energy: {_error_text(exc)}; power: {_error_text(exc2)}"
                    continue
                integ = PowerIntegrator(max_gap_s)
                integ.add(self._clock(), w)
                self._integrators[cid] = integ
                mode = "power"
            self.devices.append(AmdDevice(i, uuids[i], name, h, cid, mode))
        if not self.devices:
            if not positions:
                raise SensorUnavailable(
                    "amdsmi", "no AMD GPU selected" if handles else "AMD SMI found no AMD GPU"
                )
            raise SensorUnavailable(
                "amdsmi",
                "no GPU could be read: " + "; ".join(f"{k}: {v}" for k, v in self.skipped.items()),
                DRIVER_FIX,
            )
        self._channels = [
            Channel(id=d.channel_id, domain="gpu", label=f"{d.name} ({d.mode})", device_index=d.index)
            for d in self.devices
        ]

    def channels(self) -> list[Channel]:
        return list(self._channels)

    def read(self) -> EnergyReading:
        smi = self.amdsmi
        energy: dict[str, float] = {}
        power: dict[str, float] = {}
        errors: dict[str, str] = {}
        t = self._clock()
        for d in self.devices:
            cid = d.channel_id
            try:
                if d.mode == "energy":
                    j = self._counters[cid].joules(_energy_uj(smi.amdsmi_get_energy_count(d.handle)))
                    if j is None:
                        errors[cid] = "energy counter went backwards (driver reset?)"
                        continue
                    energy[cid] = j
                else:
                    w = _power_w(smi.amdsmi_get_power_info(d.handle))
                    power[cid] = w
                    energy[cid] = self._integrators[cid].add(t, w)
            except (self._error, KeyError, TypeError, ValueError) as exc:
                errors[cid] = _error_text(exc)
        return EnergyReading(t_s=t, energy_j=energy, power_w=power, errors=errors)

    def close(self) -> None:
        if getattr(self, "_open", False):
            self._open = False
            with contextlib.suppress(Exception):
                self.amdsmi.amdsmi_shut_down()
