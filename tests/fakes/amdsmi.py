"""An AMD SMI stand-in shaped like the ``amdsmi`` Python package.

``FakeAmdSmi`` has the functions the sensor uses; each ``FakeAmdGpu`` has an energy accumulator
(``energy_acc``: ``None`` = not supported) with its resolution in µJ, and a socket power in W.
"""

from __future__ import annotations

from dataclasses import dataclass, field

AMDSMI_STATUS_NOT_SUPPORTED = 2
AMDSMI_STATUS_NO_PERM = 10
AMDSMI_STATUS_DRIVER_NOT_LOADED = 48


class AmdSmiException(Exception):
    """Base of amdsmi's exceptions."""


class AmdSmiLibraryException(AmdSmiException):
    def __init__(self, err_code: int) -> None:
        self.err_code = err_code
        super().__init__(f"Error code:\n\t{err_code} | {_TEXT.get(err_code, 'unknown')}")

    def get_error_code(self) -> int:
        return self.err_code


_TEXT = {
    AMDSMI_STATUS_NOT_SUPPORTED: "Feature not supported",
    AMDSMI_STATUS_NO_PERM: "Permission Denied",
    AMDSMI_STATUS_DRIVER_NOT_LOADED: "Driver not loaded",
}


@dataclass
class FakeAmdGpu:
    uuid: str = "8cff73bf-0000-1000-80e9-b2a5a5b3ea2a"
    market_name: str = "AMD Instinct MI250X"
    energy_acc: int | None = 0
    resolution_uj: float = 15.3
    power_w: float | str = 300.0
    new_keys: bool = True  # ROCm ≥ 6.1 says "energy_accumulator"; older "power"
    fail: dict[str, int] = field(default_factory=dict)
    processes: list[dict] = field(default_factory=list)


def process(pid: int, gfx_ns: int | None = 0, name: str = "python") -> dict:
    """One entry of ``amdsmi_get_gpu_process_list`` as ROCm 6.1+ gives it (engine times in ns)."""
    engine = {"gfx": gfx_ns, "enc": 0} if gfx_ns is not None else {"gfx": "N/A", "enc": "N/A"}
    return {"name": name, "pid": pid, "mem": 0, "engine_usage": engine,
            "memory_usage": {"gtt_mem": 0, "cpu_mem": 0, "vram_mem": 0}, "cu_occupancy": "N/A"}


class FakeAmdSmi:
    AmdSmiException = AmdSmiException
    AmdSmiLibraryException = AmdSmiLibraryException

    def __init__(self, gpus: list[FakeAmdGpu] | None = None, init_error: int | None = None) -> None:
        self.gpus = gpus or []
        self.init_error = init_error
        self.initialised = False
        self.shutdowns = 0

    def amdsmi_init(self, flags: int = 0) -> None:
        if self.init_error is not None:
            raise AmdSmiLibraryException(self.init_error)
        self.initialised = True

    def amdsmi_shut_down(self) -> None:
        self.initialised = False
        self.shutdowns += 1

    def _check(self, gpu: FakeAmdGpu, fn: str) -> None:
        code = gpu.fail.get(fn, gpu.fail.get("*"))
        if code is not None:
            raise AmdSmiLibraryException(code)

    def amdsmi_get_processor_handles(self) -> list[FakeAmdGpu]:
        return list(self.gpus)

    def amdsmi_get_gpu_device_uuid(self, h: FakeAmdGpu) -> str:
        return h.uuid

    def amdsmi_get_gpu_asic_info(self, h: FakeAmdGpu) -> dict:
        return {"market_name": h.market_name, "vendor_id": "0x1002"}

    def amdsmi_get_energy_count(self, h: FakeAmdGpu) -> dict:
        self._check(h, "amdsmi_get_energy_count")
        if h.energy_acc is None:
            raise AmdSmiLibraryException(AMDSMI_STATUS_NOT_SUPPORTED)
        key = "energy_accumulator" if h.new_keys else "power"
        return {key: h.energy_acc, "counter_resolution": h.resolution_uj, "timestamp": 0}

    def amdsmi_get_gpu_process_list(self, h: FakeAmdGpu) -> list[dict]:
        self._check(h, "amdsmi_get_gpu_process_list")
        return [dict(p) for p in h.processes]

    def amdsmi_get_power_info(self, h: FakeAmdGpu) -> dict:
        self._check(h, "amdsmi_get_power_info")
        return {"average_socket_power": h.power_w, "gfx_voltage": 800, "power_limit": 500}
