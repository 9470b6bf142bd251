"""AMD GPUs through AMD SMI (the ``amdsmi`` Python package, extra ``[amd]``, imported when opened).

Per GPU, the energy accumulator (``amdsmi_get_energy_count``: a counter times its resolution in µJ)
where it is supported; otherwise socket power (``amdsmi_get_power_info``, watts) integrated by the
trapezoid rule (the reading itself is shared with NVIDIA: ``measure/gpu.py``). Run attribution uses
each process's graphics engine time (``amdsmi_get_gpu_process_list``). Visibility follows
``ROCR_VISIBLE_DEVICES``, then ``HIP_VISIBLE_DEVICES``, then ``CUDA_VISIBLE_DEVICES`` (indices or
UUIDs), as the ROCm runtime does.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterable, Mapping
from types import ModuleType
from typing import Any

from aiceberg.errors import MissingExtraError, SensorUnavailable
from aiceberg.i18n import Msg
from aiceberg.measure.base import MIN_GAP_S, Method, Text
from aiceberg.measure.gpu import GpuDevice, GpuSelection, GpuSensor, GpuShares, select_devices

__all__ = ["AmdDevice", "AmdSmiSensor", "load_amdsmi", "visible_env"]

INSTALL_FIX = Msg("measure.amd.install_fix", command="pip install 'aiceberg[amd]'")
DRIVER_FIX = Msg("measure.amd.driver_fix")
_POWER_KEYS = ("average_socket_power", "current_socket_power", "socket_power")


def load_amdsmi() -> ModuleType:
    """Import ``amdsmi``. Raises ``SensorUnavailable`` with the install hint."""
    try:
        return importlib.import_module("amdsmi")
    except ImportError:
        missing = MissingExtraError("AMD GPU measurement", "amd", ["amdsmi"])
        raise SensorUnavailable("amdsmi", Msg("measure.amd.not_installed"), INSTALL_FIX) from missing


_VISIBLE = ("ROCR_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES", "CUDA_VISIBLE_DEVICES")


def visible_env(env: Mapping[str, str]) -> str | None:
    """The value of the visibility variable the ROCm runtime would use."""
    return env.get(_visible_var(env))


def _visible_var(env: Mapping[str, str]) -> str:
    return next((var for var in _VISIBLE if var in env), _VISIBLE[0])


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


def _energy_raw(info: Mapping[str, Any]) -> float:
    """The accumulator times its resolution: µJ."""
    acc = info.get("energy_accumulator", info.get("power"))
    return float(acc) * float(info["counter_resolution"])


def _power_w(info: Mapping[str, Any]) -> float:
    for key in _POWER_KEYS:
        value = info.get(key)
        if isinstance(value, int | float) and value >= 0:
            return float(value)
    raise ValueError("no socket power in amdsmi_get_power_info")


#: One opened AMD GPU (the shared :class:`~aiceberg.measure.gpu.GpuDevice`).
AmdDevice = GpuDevice

_DRIVER_ERRORS = (KeyError, TypeError, ValueError)


class AmdSmiSensor(GpuSensor):
    """Cumulative energy of each selected AMD GPU since the sensor opened.

    Args:
        amdsmi: the ``amdsmi`` module or a stand-in (default: imported now).
        gpus: ``"auto"``, ``"all"``, ``"none"``, or indices/UUIDs (see ``gpu.select_devices``).
        env: environment for the visibility variables (default ``os.environ``).
        clock: monotonic clock in seconds.
        max_gap_s: in power mode, the longest run of failed samples bridged by interpolation (the
            tracker sets it from its interval, :meth:`set_interval`).

    Raises:
        SensorUnavailable: bindings missing, AMD SMI cannot start, or no selected GPU can be read.
    """

    name = "amdsmi"
    method: Method = "measured"
    energy_unit_j = 1e-6  # µJ

    def __init__(
        self,
        amdsmi: ModuleType | Any | None = None,
        *,
        gpus: GpuSelection = "auto",
        env: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_gap_s: float = MIN_GAP_S,
    ) -> None:
        self.amdsmi = amdsmi if amdsmi is not None else load_amdsmi()
        self._error = getattr(self.amdsmi, "AmdSmiException", Exception)
        self._connect(clock, max_gap_s, gpus, env)

    def _open_devices(self, gpus: GpuSelection, env: Mapping[str, str]) -> None:
        smi = self.amdsmi
        try:
            handles = list(smi.amdsmi_get_processor_handles())
            uuids = [str(smi.amdsmi_get_gpu_device_uuid(h)) for h in handles]
        except self._error as exc:
            raise SensorUnavailable("amdsmi", Msg("measure.amd.cannot_list", reason=_error_text(exc)),
                                    DRIVER_FIX) from exc
        positions = select_devices(uuids, gpus, visible_env(env))
        for i in positions:
            h = handles[i]
            try:
                name = str(smi.amdsmi_get_gpu_asic_info(h).get("market_name") or f"AMD GPU {i}")
            except self._error:
                name = f"AMD GPU {i}"
            self._add_device(i, uuids[i], name, h)
        self._opened(len(handles), positions, _visible_var(env), visible_env(env), Msg("measure.amd.no_gpu"),
                     DRIVER_FIX)

    # -- driver calls -----------------------------------------------------------------------------

    def _driver_init(self) -> None:
        self.amdsmi.amdsmi_init()

    def _driver_did_not_start(self, exc: BaseException) -> tuple[Text, Text | None]:
        return Msg("measure.amd.did_not_start", reason=_error_text(exc)), DRIVER_FIX

    def _driver_errors(self) -> tuple[type[BaseException], ...]:
        return (self._error, *_DRIVER_ERRORS)

    def _driver_error_text(self, exc: BaseException) -> str:
        return _error_text(exc)

    def _driver_energy(self, handle: Any) -> float:
        return _energy_raw(self.amdsmi.amdsmi_get_energy_count(handle))

    def _driver_power_w(self, handle: Any) -> float:
        return _power_w(self.amdsmi.amdsmi_get_power_info(handle))

    def _driver_shutdown(self) -> None:
        self.amdsmi.amdsmi_shut_down()

    def _processes(self, handle: Any) -> list[Mapping[str, Any]]:
        """The processes on a GPU, as AMD SMI describes them (ROCm 6.1+: dicts; before: handles to ask about)."""
        smi = self.amdsmi
        out = []
        for item in smi.amdsmi_get_gpu_process_list(handle) or ():
            out.append(item if isinstance(item, Mapping) else smi.amdsmi_get_gpu_process_info(handle, item))
        return out

    def process_shares(self, pids: Iterable[int], memo: dict[str, Any]) -> GpuShares:
        """Each GPU's share used by ``pids``: their part of the graphics engine time (``engine_usage.gfx``,
        ns, cumulative per process) since the previous call; the whole GPU when a process of the tree runs
        on it without engine time; the reason when AMD SMI gives no process information."""
        tree = set(pids)
        before: dict[str, dict[int, float]] = memo.setdefault("gfx_ns", {})
        shares: dict[str, float | None] = {}
        method: dict[str, str] = {}
        caught: tuple[type[BaseException], ...] = (*self._driver_errors(), AttributeError)
        for d in self.devices:
            cid = d.channel_id
            try:
                procs = self._processes(d.handle)
            except caught as exc:
                why = _error_text(exc) if not isinstance(exc, AttributeError) else "not in this amdsmi version"
                shares[cid], method[cid] = None, f"no process information from AMD SMI ({why})"
                continue
            if not procs:
                shares[cid], method[cid] = None, "unknown"
                continue
            usage = {int(p.get("pid", -1)): _gfx_ns(p) for p in procs}
            last = before.get(cid, {})
            delta = {pid: max(0.0, ns - last.get(pid, 0.0)) for pid, ns in usage.items() if ns is not None}
            before[cid] = {pid: ns for pid, ns in usage.items() if ns is not None}
            total = sum(delta.values())
            if total > 0:
                shares[cid] = min(1.0, sum(v for pid, v in delta.items() if pid in tree) / total)
                method[cid] = "utilisation"
            elif tree & set(usage):
                shares[cid], method[cid] = 1.0, "whole-gpu"
            else:
                shares[cid], method[cid] = 0.0, "none"
        return GpuShares(shares, method)


def _gfx_ns(process: Mapping[str, Any]) -> float | None:
    engine = process.get("engine_usage")
    value = engine.get("gfx") if isinstance(engine, Mapping) else None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
