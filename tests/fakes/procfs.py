"""A fake ``/proc``: ``stat``, ``meminfo``, ``cpuinfo``, ``driver/nvidia`` and process files."""

from __future__ import annotations

from pathlib import Path

XEON_CPUINFO_ENTRY = """processor\t: {n}
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 106
model name\t: {model}
physical id\t: {socket}
core id\t\t: {n}
flags\t\t: fpu vme de pse tsc msr{extra}

"""


class FakeProc:
    """Build ``/proc``-shaped files under ``root``. CPU times are in clock ticks."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.user = self.system = self.idle = self.iowait = 0
        self.write_stat()
        self.write_meminfo(64 * 1024 * 1024)  # 64 GiB in kB

    def write_stat(self) -> None:
        line = f"cpu  {self.user} 0 {self.system} {self.idle} {self.iowait} 0 0 0 0 0\n"
        (self.root / "stat").write_text(line + "cpu0 0 0 0 0 0 0 0 0 0 0\nintr 0\nctxt 0\n")

    def cpu_ticks(self, busy: int, idle: int) -> None:
        """Advance the machine's CPU time by ``busy`` and ``idle`` ticks."""
        self.user += busy
        self.idle += idle
        self.write_stat()

    def write_meminfo(self, total_kb: int) -> None:
        (self.root / "meminfo").write_text(f"MemTotal:       {total_kb} kB\nMemFree:        1000 kB\n")

    def write_cpuinfo(
        self, model: str | None, sockets: int = 1, cpus_per_socket: int = 2, virtual: bool = False
    ) -> None:
        parts = []
        n = 0
        for s in range(sockets):
            for _ in range(cpus_per_socket):
                entry = XEON_CPUINFO_ENTRY.format(
                    n=n, model=model or "", socket=s, extra=" hypervisor" if virtual else ""
                )
                if model is None:
                    entry = entry.replace("model name\t: \n", "")
                parts.append(entry)
                n += 1
        (self.root / "cpuinfo").write_text("".join(parts))

    def nvidia_driver(self) -> None:
        (self.root / "driver" / "nvidia").mkdir(parents=True, exist_ok=True)

    def process(
        self,
        pid: int,
        ppid: int,
        utime: int = 0,
        stime: int = 0,
        cutime: int = 0,
        cstime: int = 0,
        comm: str = "python",
        children: list[int] | None = None,
    ) -> None:
        """Write ``<pid>/stat`` and ``<pid>/task/<pid>/children`` (CONFIG_PROC_CHILDREN)."""
        d = self.root / str(pid)
        (d / "task" / str(pid)).mkdir(parents=True, exist_ok=True)
        fields = ["S", str(ppid), str(pid), str(pid), "0", "-1", "4194304"] + ["0"] * 4
        fields += [str(utime), str(stime), str(cutime), str(cstime), "20", "0", "1", "0", "100"]
        (d / "stat").write_text(f"{pid} ({comm}) " + " ".join(fields) + "\n")
        kids = " ".join(str(c) for c in (children or []))
        (d / "task" / str(pid) / "children").write_text(kids + (" " if kids else ""))

    def end(self, pid: int) -> None:
        """The process is gone (reaped)."""
        import shutil

        shutil.rmtree(self.root / str(pid))
