"""What the GPU backends share: device selection, the reading loop, the energy counters and the power
integration, closing, and the per-process shares the run attribution asks for.

A backend (:mod:`~aiceberg.measure.nvidia`, :mod:`~aiceberg.measure.amd`) subclasses :class:`GpuSensor`
and supplies the driver calls: its energy counter in raw units, its power in watts, how its errors read,
how it shuts down, and which processes run on a device. Per GPU, the energy counter is used where the
device has one (a :class:`~aiceberg.measure.base.ResettingCounter`); otherwise power samples are
integrated by the trapezoid rule (:class:`~aiceberg.measure.base.PowerIntegrator`), whose gap limit
follows the run's sampling interval (:meth:`GpuSensor.set_interval`) and whose missing time each
reading reports.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from aiceberg.errors import SensorUnavailable
from aiceberg.i18n import Msg
from aiceberg.measure.base import (
    Channel,
    EnergyReading,
    Method,
    PowerIntegrator,
    ResettingCounter,
    Text,
    gap_limit,
    joined,
)

__all__ = [
    "GpuDevice",
    "GpuSelection",
    "GpuSensor",
    "GpuShares",
    "parse_visible_devices",
    "select_devices",
    "skipped_text",
]

#: "auto" (the ``*_VISIBLE_DEVICES`` variables, else all), "all", "none", indices / UUIDs, or
#: ``"share:R/N"``: the R-th of N local ranks' share of the devices "auto" gives (``measure/launcher.py``).
GpuSelection = str | Sequence[int | str] | None


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
    if isinstance(selection, str) and selection.startswith("share:"):
        return _share(select_devices(uuids, "auto", env_value), selection)
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


def _share(visible: list[int], selection: str) -> list[int]:
    """Local rank R's share of the ``visible`` devices among N local ranks (``"share:R/N"``): a block of
    ``len(visible) / N`` devices where they divide evenly (rank r uses device r, torchrun's convention),
    every R-th device where they do not, and all of them where there are fewer devices than ranks (each
    rank sees its own GPUs, or ranks share GPUs: the claims of ``measure/node.py`` keep one reader)."""
    try:
        r_text, n_text = selection[len("share:"):].split("/")
        r, n = int(r_text), int(n_text)
    except ValueError:
        return []
    if not 0 <= r < n:
        return []
    if len(visible) < n:
        return list(visible)
    if len(visible) % n == 0:
        k = len(visible) // n
        return visible[r * k:(r + 1) * k]
    return visible[r::n]


@dataclass
class GpuDevice:
    """One opened GPU: the backend's index and handle, and how it is measured."""

    index: int
    uuid: str
    name: str
    handle: Any
    channel_id: str
    mode: Literal["energy", "power"]


@dataclass(frozen=True)
class GpuShares:
    """Per GPU channel, the share (0–1) of its energy that belongs to a process tree, and how it was found.

    ``method`` per channel: ``"utilisation"`` (the driver's per-process utilisation or engine time),
    ``"whole-gpu"`` (a process of the tree runs on it, no usable per-process figure), ``"none"`` (other
    processes run on it, none of the tree), ``"unknown"`` (the driver lists no process at all — e.g. a
    container with its own pid namespace — the share is then ``None`` and the caller decides, never a
    silent 0), or a sentence saying why the driver gives no process information.
    """

    shares: dict[str, float | None]
    method: dict[str, str]


class GpuSensor:
    """The reading side every GPU backend shares (see the module docstring).

    Subclasses set ``name``, call :meth:`_connect` from their constructor, and implement
    ``_open_devices`` (list the driver's GPUs, :func:`select_devices`, :meth:`_add_device` for each
    selected one, then :meth:`_opened`) and the ``_driver_*`` hooks.
    """

    name: str = "gpu"
    method: Method = "measured"
    #: joules per unit of the raw energy counter (NVML: mJ, AMD SMI: µJ)
    energy_unit_j: float = 1.0
    #: the driver's own exception type (``NVMLError``, ``AmdSmiException``), set before :meth:`_connect`
    _error: Any = Exception

    def _connect(self, clock: Callable[[], float], max_gap_s: float, gpus: GpuSelection,
                 env: Mapping[str, str] | None) -> None:
        """Start the driver and open the selected GPUs; the driver is shut down again if that fails.

        Raises:
            SensorUnavailable: the driver does not start (with the backend's reason and fix), or no
                selected GPU can be read.
        """
        self._clock = clock
        self._max_gap_s = max_gap_s
        self.devices: list[GpuDevice] = []
        self.skipped: dict[str, Text] = {}
        self._counters: dict[str, ResettingCounter] = {}
        self._integrators: dict[str, PowerIntegrator] = {}
        self._channels: list[Channel] = []
        try:
            self._driver_init()
        except self._error as exc:
            reason, fix = self._driver_did_not_start(exc)
            raise SensorUnavailable(self.name, reason, fix) from exc
        self._open = True
        try:
            self._open_devices(gpus, os.environ if env is None else env)
        except BaseException:
            self.close()
            raise

    # -- the backend's driver calls ---------------------------------------------------------------

    def _driver_init(self) -> None:
        """Start the driver (raising its own :attr:`_error` when it cannot)."""
        raise NotImplementedError

    def _driver_did_not_start(self, exc: BaseException) -> tuple[Text, Text | None]:
        """(reason, fix) when :meth:`_driver_init` fails."""
        raise NotImplementedError

    def _open_devices(self, gpus: GpuSelection, env: Mapping[str, str]) -> None:
        raise NotImplementedError

    def _driver_errors(self) -> tuple[type[BaseException], ...]:
        """The exceptions a driver call may raise for one device (a gap, not a crash)."""
        return (self._error,)

    def _driver_error_text(self, exc: BaseException) -> str:
        raise NotImplementedError

    def _driver_energy(self, handle: Any) -> float:
        """The device's cumulative energy counter, in ``energy_unit_j`` units."""
        raise NotImplementedError

    def _driver_power_w(self, handle: Any) -> float:
        raise NotImplementedError

    def _driver_no_counter(self, exc: BaseException) -> bool:
        """Whether an error of the energy counter means the device has none (then power is read)."""
        return True

    def _driver_shutdown(self) -> None:
        raise NotImplementedError

    def process_shares(self, pids: Iterable[int], memo: dict[str, Any]) -> GpuShares:
        """The share of each GPU used by ``pids`` since the previous call (``memo`` keeps the state)."""
        raise NotImplementedError

    # -- opening ----------------------------------------------------------------------------------

    def _add_device(self, index: int, uuid: str, name: str, handle: Any) -> None:
        """Open one GPU: its energy counter if it has one, else power samples; else note why not."""
        cid = f"{self.name}:gpu-{index}"
        errors = self._driver_errors()
        mode: Literal["energy", "power"]
        try:
            self._counters[cid] = ResettingCounter(float(self._driver_energy(handle)), self.energy_unit_j)
            mode = "energy"
        except errors as exc:
            if not self._driver_no_counter(exc):
                self.skipped[cid] = self._driver_error_text(exc)
                return
            try:
                watts = float(self._driver_power_w(handle))
            except errors as exc2:
                self.skipped[cid] = Msg("measure.gpu.no_counter_no_power", counter=self._driver_error_text(exc),
                                        power=self._driver_error_text(exc2))
                return
            integ = PowerIntegrator(self._max_gap_s)
            integ.add(self._clock(), watts)
            self._integrators[cid] = integ
            mode = "power"
        self.devices.append(GpuDevice(index, uuid, name, handle, cid, mode))

    def _opened(self, count: int, selected: Sequence[int], variable: str, value: str | None, no_gpu: Msg,
                fix: Text | None = None) -> None:
        """The devices are added: their channels; or, when none could be, why (of ``count`` GPUs the driver
        lists, ``selected`` were chosen by ``variable``'s ``value``; ``no_gpu`` says there are none).

        Raises:
            SensorUnavailable: no GPU, none selected, or none of those selected readable (with ``fix``).
        """
        if not self.devices:
            if not selected:
                raise SensorUnavailable(self.name, Msg("measure.gpu.none_selected", count=count, variable=variable,
                                                       value=repr(value)) if count else no_gpu)
            raise SensorUnavailable(self.name, skipped_text(self.skipped), fix)
        self._channels = [
            Channel(id=d.channel_id, domain="gpu", label=f"{d.name} ({d.mode})", device_index=d.index)
            for d in self.devices
        ]

    def set_interval(self, interval_s: float) -> None:
        """Bridge gaps in power samples up to :func:`~aiceberg.measure.base.gap_limit` of the run's interval."""
        self._max_gap_s = gap_limit(interval_s)
        for integ in self._integrators.values():
            integ.max_gap_s = self._max_gap_s

    def retain(self, keep: Callable[[GpuDevice], bool]) -> list[GpuDevice]:
        """Keep only the devices ``keep`` accepts (a job's claims: another rank measures the others);
        returns the devices dropped. Call before the first read."""
        dropped = [d for d in self.devices if not keep(d)]
        if dropped:
            gone = {d.channel_id for d in dropped}
            self.devices = [d for d in self.devices if d.channel_id not in gone]
            self._channels = [c for c in self._channels if c.id not in gone]
            for cid in gone:
                self._counters.pop(cid, None)
                self._integrators.pop(cid, None)
        return dropped

    @property
    def power_only(self) -> list[GpuDevice]:
        """The devices without an energy counter (their energy is integrated from power samples)."""
        return [d for d in self.devices if d.mode == "power"]

    # -- the Sensor protocol ----------------------------------------------------------------------

    def channels(self) -> list[Channel]:
        return list(self._channels)

    def read(self) -> EnergyReading:
        energy: dict[str, float] = {}
        power: dict[str, float] = {}
        errors: dict[str, Text] = {}
        missing: dict[str, float] = {}
        t = self._clock()
        caught = self._driver_errors()
        for d in self.devices:
            cid = d.channel_id
            try:
                if d.mode == "energy":
                    j = self._counters[cid].joules(float(self._driver_energy(d.handle)))
                    if j is None:
                        errors[cid] = Msg("measure.gpu.backwards")
                        continue
                    energy[cid] = j
                else:
                    integ = self._integrators[cid]
                    w = float(self._driver_power_w(d.handle))
                    power[cid] = w
                    energy[cid] = integ.add(t, w)
                    if integ.missing_s:
                        missing[cid] = integ.missing_s
            except caught as exc:
                errors[cid] = self._driver_error_text(exc)
        return EnergyReading(t_s=t, energy_j=energy, power_w=power, errors=errors, missing_s=missing)

    def close(self) -> None:
        if getattr(self, "_open", False):
            self._open = False
            with contextlib.suppress(Exception):
                self._driver_shutdown()


def skipped_text(skipped: Mapping[str, Text]) -> Msg:
    """``"no GPU could be read: nvml:gpu-0: reason; …"`` for the discovery table."""
    return Msg("measure.gpu.none_readable", devices=joined(Msg("measure.named", name=k, text=v)
                                                          for k, v in skipped.items()))
