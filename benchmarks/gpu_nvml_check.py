"""Exercise the real NVML path on an NVIDIA GPU, beside what ``nvidia-smi`` reports.

Run on a machine with an NVIDIA GPU (needs ``pip install 'aiceberg[nvidia]'``; PyTorch for the load):

    python benchmarks/gpu_nvml_check.py [--seconds 30] [--gpu 0]

It opens aiceberg's NVML sensor, samples ``nvidia-smi --query-gpu=power.draw`` every 100 ms in a
subprocess alongside, runs a bf16 matrix-multiply load on the GPU, then prints aiceberg's measured
energy (from the total-energy counter, or integrated power where the GPU has none) beside the energy
integrated from nvidia-smi's power readings, and their difference. It changes no setting of the card.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import subprocess
import sys
import threading
import time


def smi_sampler(gpu: int, out: list[tuple[float, float]], stop: threading.Event) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        ["nvidia-smi", f"--id={gpu}", "--query-gpu=power.draw", "--format=csv,noheader,nounits", "-lms", "100"],
        stdout=subprocess.PIPE, text=True,
    )

    def reader() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if stop.is_set():
                break
            try:
                out.append((time.monotonic(), float(line.strip())))
            except ValueError:
                continue  # "[N/A]" or a header: a gap, not 0 W

    threading.Thread(target=reader, daemon=True).start()
    return proc


def trapezoid_j(samples: list[tuple[float, float]], t0: float, t1: float) -> float:
    pts = [(t, p) for t, p in samples if t0 <= t <= t1]
    return sum((b[0] - a[0]) * (a[1] + b[1]) / 2 for a, b in itertools.pairwise(pts))


def load(seconds: float, gpu: int) -> str:
    try:
        import torch
    except ImportError:
        time.sleep(seconds)
        return "no PyTorch: the GPU stayed idle"
    dev = torch.device(f"cuda:{gpu}")
    a = torch.randn(8192, 8192, device=dev, dtype=torch.bfloat16)
    b = torch.randn(8192, 8192, device=dev, dtype=torch.bfloat16)
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        for _ in range(20):
            a @ b
        torch.cuda.synchronize(dev)
        n += 20
    tflops = n * 2 * 8192**3 / seconds / 1e12
    return f"{n} bf16 matmuls 8192³ in {seconds:.0f} s, about {tflops:.0f} TFLOP/s"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--gpu", type=int, default=0)
    args = ap.parse_args()
    if shutil.which("nvidia-smi") is None:
        print("nvidia-smi not found: run this on a machine with an NVIDIA GPU", file=sys.stderr)
        return 2
    from aiceberg.measure.nvidia import NvmlSensor

    print(subprocess.run(["nvidia-smi", f"--id={args.gpu}", "--query-gpu=name,driver_version,power.limit,"
                          "temperature.gpu", "--format=csv"], capture_output=True, text=True).stdout)
    sensor = NvmlSensor(gpus=[args.gpu])
    dev = sensor.devices[0]
    print(f"aiceberg NVML sensor: {dev.name}, mode {dev.mode} "
          f"({'total-energy counter' if dev.mode == 'energy' else 'power integrated over time'})")
    samples: list[tuple[float, float]] = []
    stop = threading.Event()
    proc = smi_sampler(args.gpu, samples, stop)
    time.sleep(1.0)
    r0 = sensor.read()
    t0 = time.monotonic()
    what = load(args.seconds, args.gpu)
    r1 = sensor.read()
    t1 = time.monotonic()
    time.sleep(0.3)
    stop.set()
    proc.terminate()
    ch = sensor.channels()[0].id
    if ch not in r0.energy_j or ch not in r1.energy_j:
        print(f"aiceberg could not read the GPU: {r1.errors or r0.errors}")
        return 1
    e_aiceberg = r1.energy_j[ch] - r0.energy_j[ch]
    e_smi = trapezoid_j(samples, t0, t1)
    n = sum(1 for t, _ in samples if t0 <= t <= t1)
    dur = t1 - t0
    print(f"load: {what}")
    print(f"{'':<28}{'energy (J)':>12}{'mean power (W)':>16}")
    print(f"{'aiceberg (NVML)':<28}{e_aiceberg:>12.0f}{e_aiceberg / dur:>16.1f}")
    print(f"{'nvidia-smi power.draw':<28}{e_smi:>12.0f}{e_smi / dur:>16.1f}   ({n} samples)")
    if e_smi:
        print(f"difference: {(e_aiceberg - e_smi) / e_smi:+.2%} over {dur:.1f} s")
    sensor.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
