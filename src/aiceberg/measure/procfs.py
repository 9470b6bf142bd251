"""Small, cheap readers of ``/proc`` (or ``$AICEBERG_PROC_ROOT``): machine CPU time, process CPU time,
memory size. One ``open``/``read`` per file, no regular expression, no subprocess.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from aiceberg.measure.rapl import read_small_file

__all__ = [
    "ENV_ROOT",
    "CpuTimes",
    "ProcStat",
    "clock_ticks",
    "default_proc_root",
    "read_cpu_times",
    "read_mem_total_gb",
    "read_proc_stat",
    "utilisation",
]

ENV_ROOT = "AICEBERG_PROC_ROOT"


def default_proc_root(root: str | os.PathLike[str] | None = None) -> str:
    """``root``, else ``$AICEBERG_PROC_ROOT``, else ``/proc``."""
    if root is not None:
        return os.fspath(root)
    return os.environ.get(ENV_ROOT) or "/proc"


def clock_ticks() -> int:
    """Clock ticks per second of the times in ``/proc`` (``SC_CLK_TCK``, 100 almost everywhere)."""
    try:
        return int(os.sysconf("SC_CLK_TCK"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 100


@dataclass(frozen=True)
class CpuTimes:
    """The machine's CPU time from the first line of ``/proc/stat``, in clock ticks, all CPUs summed.

    ``busy`` is everything but ``idle`` and ``iowait``; ``total`` leaves out ``guest`` and
    ``guest_nice``, which the kernel already counts in ``user`` and ``nice``.
    """

    busy: int
    total: int


def read_cpu_times(proc_root: str) -> CpuTimes:
    """Parse the ``cpu`` line of ``<proc_root>/stat``. Raises ``OSError`` or ``ValueError``."""
    data = read_small_file(os.path.join(proc_root, "stat"))
    line = data.split(b"\n", 1)[0].split()
    if not line or line[0] != b"cpu":
        raise ValueError("no 'cpu' line in /proc/stat")
    fields = [int(x) for x in line[1:11]]
    fields += [0] * (10 - len(fields))
    user, nice, system, idle, iowait, irq, softirq, steal = fields[:8]
    total = user + nice + system + idle + iowait + irq + softirq + steal
    return CpuTimes(busy=total - idle - iowait, total=total)


def utilisation(before: CpuTimes, after: CpuTimes) -> float | None:
    """Share of the machine's CPU time that was busy between two readings (0–1), ``None`` if no tick."""
    dt = after.total - before.total
    if dt <= 0:
        return None
    return min(1.0, max(0.0, (after.busy - before.busy) / dt))


@dataclass(frozen=True)
class ProcStat:
    """The fields of ``/proc/<pid>/stat`` that attribution needs (times in clock ticks)."""

    pid: int
    ppid: int
    utime: int
    stime: int
    cutime: int
    cstime: int

    @property
    def own_ticks(self) -> int:
        return self.utime + self.stime

    @property
    def children_ticks(self) -> int:
        return self.cutime + self.cstime


def read_proc_stat(proc_root: str, pid: int) -> ProcStat:
    """Parse ``<proc_root>/<pid>/stat``. Raises ``OSError`` (process gone) or ``ValueError``.

    The command name (field 2) may hold spaces and parentheses, so fields are counted from the last
    ``)``.
    """
    data = read_small_file(os.path.join(proc_root, str(pid), "stat"))
    end = data.rfind(b")")
    if end < 0:
        raise ValueError(f"malformed /proc/{pid}/stat")
    rest = data[end + 2 :].split()
    # rest[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
    return ProcStat(
        pid=pid,
        ppid=int(rest[1]),
        utime=int(rest[11]),
        stime=int(rest[12]),
        cutime=int(rest[13]),
        cstime=int(rest[14]),
    )


def read_mem_total_gb(proc_root: str) -> float:
    """``MemTotal`` of ``<proc_root>/meminfo`` in GB (10⁹ bytes). Raises ``OSError``/``ValueError``."""
    data = read_small_file(os.path.join(proc_root, "meminfo"))
    for line in data.split(b"\n"):
        if line.startswith(b"MemTotal:"):
            parts = line.split()
            kib = int(parts[1])
            return kib * 1024 / 1e9
    raise ValueError("no MemTotal in meminfo")
