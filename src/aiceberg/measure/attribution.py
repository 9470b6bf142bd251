"""Attribution: the tracked process tree's share of the machine's CPU and GPU energy.

CPU: the CPU time of the process and its descendants (``utime + stime`` of each live process, plus
``cutime + cstime`` for children that ended between two samples) over the machine's CPU time from
``/proc/stat``. GPU: per-process SM utilisation from NVML where the driver gives it (AMD SMI's
per-process engine time lives in ``amd.py``), else the whole of each GPU on which one of the processes
runs.

The tracker calls ``ProcessTreeCpu.sample()`` and ``CpuShareMeter.sample()`` each interval; both are
cheap (one small file per process of the tree, plus its ``children`` files).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aiceberg.measure.gpu import GpuShares
from aiceberg.measure.procfs import (
    CpuTimes,
    ProcStat,
    clock_ticks,
    default_proc_root,
    read_cpu_times,
    read_proc_stat,
)
from aiceberg.measure.rapl import read_small_file

__all__ = [
    "CpuShare",
    "CpuShareMeter",
    "GpuShares",
    "ProcessTreeCpu",
    "cpu_share",
    "gpu_shares",
    "list_children",
]


def list_children(proc_root: str, pid: int) -> list[int] | None:
    """Child pids of ``pid`` from ``<proc_root>/<pid>/task/*/children``; ``None`` if the kernel lacks
    them (``CONFIG_PROC_CHILDREN``) or the process is gone."""
    task_dir = os.path.join(proc_root, str(pid), "task")
    try:
        tids = os.listdir(task_dir)
    except OSError:
        return None
    out: list[int] = []
    found = False
    for tid in tids:
        try:
            data = read_small_file(os.path.join(task_dir, tid, "children"))
        except OSError:
            continue
        found = True
        out.extend(int(x) for x in data.split())
    return out if found else None


def _scan_children(proc_root: str) -> dict[int, list[int]]:
    """ppid → children, by reading every ``<proc_root>/<pid>/stat`` (the slow fallback)."""
    tree: dict[int, list[int]] = {}
    try:
        entries = os.listdir(proc_root)
    except OSError:
        return tree
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            st = read_proc_stat(proc_root, int(entry))
        except (OSError, ValueError, IndexError):
            continue
        tree.setdefault(st.ppid, []).append(st.pid)
    return tree


class ProcessTreeCpu:
    """Cumulative CPU seconds of a process and its descendants since this object was created.

    Each live process of the tree adds the growth of its ``utime + stime``; a child that ended and was
    reaped appears in its parent's ``cutime + cstime``, of which only the part not already counted
    while the child was alive is added (this also catches children that lived less than one interval).

    Args:
        pid: the root of the tree (the tracked process).
        proc_root: default ``$AICEBERG_PROC_ROOT`` or ``/proc``.
        ticks_per_s: clock ticks per second (default ``os.sysconf('SC_CLK_TCK')``).
    """

    def __init__(self, pid: int, *, proc_root: str | None = None, ticks_per_s: int | None = None) -> None:
        self.pid = pid
        self.proc_root = default_proc_root(proc_root)
        self.ticks_per_s = ticks_per_s or clock_ticks()
        self._prev: dict[int, ProcStat] = {}
        self._pending: dict[int, int] = {}  # ppid → ticks of ended children already counted
        self._ticks = 0
        self._use_children_files: bool | None = None
        self._prev = self._snapshot()  # baseline: time before tracking does not count

    @property
    def cpu_s(self) -> float:
        """CPU seconds of the tree since creation (as of the last ``sample()``)."""
        return self._ticks / self.ticks_per_s

    def _tree_pids(self) -> list[int]:
        root = self.proc_root
        if self._use_children_files is not False:
            pids, stack = [], [self.pid]
            ok = True
            while stack:
                p = stack.pop()
                kids = list_children(root, p)
                if kids is None:
                    if not os.path.exists(os.path.join(root, str(p))):
                        continue  # ended between two reads
                    ok = False
                    break
                pids.append(p)
                stack.extend(kids)
            if ok:
                self._use_children_files = True
                return pids
            self._use_children_files = False
        children = _scan_children(root)
        pids, stack = [], [self.pid]
        while stack:
            p = stack.pop()
            pids.append(p)
            stack.extend(children.get(p, ()))
        return pids

    def _snapshot(self) -> dict[int, ProcStat]:
        snap: dict[int, ProcStat] = {}
        for p in self._tree_pids():
            try:
                snap[p] = read_proc_stat(self.proc_root, p)
            except (OSError, ValueError, IndexError):
                continue
        return snap

    def sample(self) -> float:
        """Read the tree now; returns the cumulative CPU seconds since creation."""
        cur = self._snapshot()
        prev = self._prev
        for pid, gone in prev.items():
            if pid not in cur:  # ended: its parent's cutime will include what we counted
                self._pending[gone.ppid] = self._pending.get(gone.ppid, 0) + gone.own_ticks + gone.children_ticks
        added = 0
        for pid, st in cur.items():
            old = prev.get(pid)
            if old is None:
                added += st.own_ticks + st.children_ticks  # a new process: all its time is ours
                continue
            added += max(0, st.own_ticks - old.own_ticks)
            grown = st.children_ticks - old.children_ticks
            if grown > 0:
                already = self._pending.pop(pid, 0)
                added += max(0, grown - already)
                if already > grown:
                    self._pending[pid] = already - grown
        self._ticks += added
        self._prev = cur
        return self.cpu_s

    @property
    def pids(self) -> list[int]:
        """The live pids of the tree at the last ``sample()``."""
        return list(self._prev)


@dataclass(frozen=True)
class CpuShare:
    """The tree's share of the machine's CPU over an interval.

    Attributes:
        of_busy: tree CPU time / machine busy CPU time (0–1): for the CPU's dynamic energy.
        of_capacity: tree CPU time / machine total CPU time, idle included (0–1): for a share of
            idle power proportional to the capacity held.
    """

    of_busy: float | None
    of_capacity: float | None


def cpu_share(tree_delta_s: float, before: CpuTimes, after: CpuTimes, ticks_per_s: int) -> CpuShare:
    """The share of the machine's CPU time that ``tree_delta_s`` seconds represent between two readings.

    ``None`` where the machine's time did not advance. Values are clamped to 0–1 (tick rounding can
    make the tree's time exceed the machine's by a tick).
    """
    busy_s = (after.busy - before.busy) / ticks_per_s
    total_s = (after.total - before.total) / ticks_per_s

    def ratio(den: float) -> float | None:
        return min(1.0, max(0.0, tree_delta_s / den)) if den > 0 else None

    return CpuShare(of_busy=ratio(busy_s), of_capacity=ratio(total_s))


class CpuShareMeter:
    """Calls ``ProcessTreeCpu`` and ``/proc/stat`` together; ``sample()`` gives the last interval's share."""

    def __init__(self, pid: int, *, proc_root: str | None = None, ticks_per_s: int | None = None) -> None:
        self.proc_root = default_proc_root(proc_root)
        self.tree = ProcessTreeCpu(pid, proc_root=self.proc_root, ticks_per_s=ticks_per_s)
        self._machine = read_cpu_times(self.proc_root)
        self._tree_s = 0.0

    def sample(self) -> CpuShare:
        tree_s = self.tree.sample()
        machine = read_cpu_times(self.proc_root)
        share = cpu_share(tree_s - self._tree_s, self._machine, machine, self.tree.ticks_per_s)
        self._tree_s, self._machine = tree_s, machine
        return share


def gpu_shares(
    nvml: Any,
    devices: Iterable[Any],
    pids: Iterable[int],
    last_seen_us: Mapping[str, int] | None = None,
) -> tuple[GpuShares, dict[str, int]]:
    """Share of each GPU used by ``pids``, from NVML.

    Args:
        nvml: the ``pynvml`` module (``NvmlSensor.nvml``).
        devices: ``NvmlSensor.devices`` (each with ``handle`` and ``channel_id``).
        pids: the tree's pids (``ProcessTreeCpu``'s live processes). In a container with its own pid
            namespace NVML reports host pids: they will not match, and the whole-GPU rule applies
            only if the driver reports container pids.
        last_seen_us: per channel, the timestamp returned by the previous call (only newer samples
            are used).

    Returns:
        The shares, and the timestamps to pass next time.
    """
    tree = set(pids)
    error = getattr(nvml, "NVMLError", Exception)
    shares: dict[str, float | None] = {}
    method: dict[str, str] = {}
    seen: dict[str, int] = dict(last_seen_us or {})
    for d in devices:
        cid = d.channel_id
        try:
            samples = nvml.nvmlDeviceGetProcessUtilization(d.handle, seen.get(cid, 0))
        except error:
            samples = []
        total = sum(float(s.smUtil) for s in samples)
        if samples:
            seen[cid] = max(int(s.timeStamp) for s in samples)
        if total > 0:
            mine = sum(float(s.smUtil) for s in samples if int(s.pid) in tree)
            shares[cid] = min(1.0, mine / total)
            method[cid] = "utilisation"
            continue
        try:
            running = nvml.nvmlDeviceGetComputeRunningProcesses(d.handle)
        except error:
            running = []
        if any(int(p.pid) in tree for p in running):
            shares[cid], method[cid] = 1.0, "whole-gpu"
        elif running:
            shares[cid], method[cid] = 0.0, "none"
        else:
            shares[cid], method[cid] = None, "unknown"
    return GpuShares(shares, method), seen
