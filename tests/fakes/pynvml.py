"""An NVML stand-in shaped like nvidia-ml-py's ``pynvml`` module.

``FakeNvml`` has the functions and constants the sensors use; pass an instance where ``pynvml`` is
expected (``NvmlSensor(FakeNvml(...))``, ``discover(nvml_module=...)``). Each ``FakeGpu`` holds its
counter (``energy_mj``: ``None`` = no counter, pre-Volta) and power (``power_mw``), which a test moves;
``fail`` makes the next calls raise ``NVMLError`` with a given code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NVML_SUCCESS = 0
NVML_ERROR_UNINITIALIZED = 1
NVML_ERROR_INVALID_ARGUMENT = 2
NVML_ERROR_NOT_SUPPORTED = 3
NVML_ERROR_NO_PERMISSION = 4
NVML_ERROR_NOT_FOUND = 6
NVML_ERROR_DRIVER_NOT_LOADED = 9
NVML_ERROR_TIMEOUT = 10
NVML_ERROR_LIBRARY_NOT_FOUND = 12
NVML_ERROR_FUNCTION_NOT_FOUND = 13
NVML_ERROR_GPU_IS_LOST = 15
NVML_ERROR_RESET_REQUIRED = 16
NVML_ERROR_LIB_RM_VERSION_MISMATCH = 18
NVML_ERROR_UNKNOWN = 999

_STRINGS = {
    NVML_ERROR_UNINITIALIZED: "Uninitialized",
    NVML_ERROR_INVALID_ARGUMENT: "Invalid Argument",
    NVML_ERROR_NOT_SUPPORTED: "Not Supported",
    NVML_ERROR_NO_PERMISSION: "Insufficient Permissions",
    NVML_ERROR_NOT_FOUND: "Not Found",
    NVML_ERROR_DRIVER_NOT_LOADED: "Driver Not Loaded",
    NVML_ERROR_TIMEOUT: "Timeout",
    NVML_ERROR_LIBRARY_NOT_FOUND: "NVML Shared Library Not Found",
    NVML_ERROR_FUNCTION_NOT_FOUND: "Function Not Found",
    NVML_ERROR_GPU_IS_LOST: "GPU is lost",
    NVML_ERROR_RESET_REQUIRED: "GPU requires restart",
    NVML_ERROR_LIB_RM_VERSION_MISMATCH: "RM has detected an NVML/RM version mismatch.",
    NVML_ERROR_UNKNOWN: "Unknown Error",
}


class NVMLError(Exception):
    """Like ``pynvml.NVMLError``: ``.value`` is the NVML return code; ``str()`` its message."""

    def __init__(self, value: int) -> None:
        self.value = value
        super().__init__(value)

    def __str__(self) -> str:
        return _STRINGS.get(self.value, f"Unknown Error ({self.value})")


@dataclass
class ProcessInfo:
    pid: int
    usedGpuMemory: int = 0


@dataclass
class UtilSample:
    pid: int
    timeStamp: int
    smUtil: int
    memUtil: int = 0
    encUtil: int = 0
    decUtil: int = 0


@dataclass
class FakeGpu:
    """One GPU. ``energy_mj=None``: no total-energy counter (NOT_SUPPORTED), as before Volta."""

    name: str = "NVIDIA A100-SXM4-40GB"
    uuid: str = "GPU-00000000-0000-0000-0000-000000000000"
    energy_mj: int | None = 0
    power_mw: int = 100_000
    processes: list[ProcessInfo] = field(default_factory=list)
    samples: list[UtilSample] = field(default_factory=list)
    #: function name → error code raised by that call (``"*"``: every call on this GPU).
    fail: dict[str, int] = field(default_factory=dict)
    calls: int = 0


class FakeNvml:
    """The ``pynvml`` stand-in. ``init_error``: the code ``nvmlInit`` raises (e.g. no driver)."""

    NVMLError = NVMLError

    def __init__(self, gpus: list[FakeGpu] | None = None, init_error: int | None = None) -> None:
        self.gpus = gpus or []
        self.init_error = init_error
        self.initialised = 0
        self.shutdowns = 0
        for name, value in globals().items():
            if name.startswith("NVML_"):
                setattr(self, name, value)

    # library
    def nvmlInit(self) -> None:
        if self.init_error is not None:
            raise NVMLError(self.init_error)
        self.initialised += 1

    def nvmlShutdown(self) -> None:
        if not self.initialised:
            raise NVMLError(NVML_ERROR_UNINITIALIZED)
        self.initialised -= 1
        self.shutdowns += 1

    def _check(self, gpu: FakeGpu, fn: str) -> None:
        if not self.initialised:
            raise NVMLError(NVML_ERROR_UNINITIALIZED)
        gpu.calls += 1
        code = gpu.fail.get(fn, gpu.fail.get("*"))
        if code is not None:
            raise NVMLError(code)

    # devices (a handle is the FakeGpu itself)
    def nvmlDeviceGetCount(self) -> int:
        return len(self.gpus)

    def nvmlDeviceGetHandleByIndex(self, index: int) -> FakeGpu:
        if not 0 <= index < len(self.gpus):
            raise NVMLError(NVML_ERROR_INVALID_ARGUMENT)
        return self.gpus[index]

    def nvmlDeviceGetName(self, h: FakeGpu) -> str:
        return h.name

    def nvmlDeviceGetUUID(self, h: FakeGpu) -> str:
        return h.uuid

    def nvmlDeviceGetTotalEnergyConsumption(self, h: FakeGpu) -> int:
        self._check(h, "nvmlDeviceGetTotalEnergyConsumption")
        if h.energy_mj is None:
            raise NVMLError(NVML_ERROR_NOT_SUPPORTED)
        return h.energy_mj

    def nvmlDeviceGetPowerUsage(self, h: FakeGpu) -> int:
        self._check(h, "nvmlDeviceGetPowerUsage")
        return h.power_mw

    def nvmlDeviceGetComputeRunningProcesses(self, h: FakeGpu) -> list[ProcessInfo]:
        self._check(h, "nvmlDeviceGetComputeRunningProcesses")
        return list(h.processes)

    def nvmlDeviceGetProcessUtilization(self, h: FakeGpu, last_seen: int) -> list[UtilSample]:
        self._check(h, "nvmlDeviceGetProcessUtilization")
        fresh = [s for s in h.samples if s.timeStamp > last_seen]
        if not fresh:
            raise NVMLError(NVML_ERROR_NOT_FOUND)  # what NVML does when no sample is newer
        return fresh


def uuid(n: int) -> str:
    """A well-formed GPU UUID for fake GPU ``n``."""
    return f"GPU-{n:08x}-1111-2222-3333-{n:012x}"
