"""How long writing a report takes: the BLOOM case and an estimate, HTML/Markdown/JSON (median of N).

Target: under 1 s per report. Run: ``python benchmarks/report_speed.py [N]``. Each figure is given in wall
time and in CPU time (``time.process_time``): on a machine shared with other work the wall time swings, the
CPU time much less.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _median_s(fn, n: int) -> tuple[float, float, float]:
    """(median wall, max wall, median CPU) seconds of ``n`` calls."""
    wall, cpu = [], []
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), max(wall), statistics.median(cpu)


def main(n: int = 20) -> int:
    t0 = time.perf_counter()
    from aiceberg.cases import get_case
    from aiceberg.explain.report import (
        case_input,
        html_report,
        json_report,
        markdown_report,
        report_data,
    )
    from aiceberg.model.training import estimate_training

    import_s = time.perf_counter() - t0
    out = Path(tempfile.mkdtemp()) / "r.html"

    def bloom_html() -> None:
        src = case_input(get_case("bloom-training").run(), "en")
        out.write_text(html_report(src.fp, lang="en", **src.kwargs()), encoding="utf-8")

    est = estimate_training("a100", count=8, hours=24, location="FR")

    def estimate_html() -> None:
        out.write_text(html_report(est, lang="fr"), encoding="utf-8")

    t0, c0 = time.perf_counter(), time.process_time()
    bloom_html()  # first report: reference data loaded, the case studies computed once
    first_s, first_cpu = time.perf_counter() - t0, time.process_time() - c0
    rows = [("first report (cold caches), BLOOM HTML", first_s, first_s, first_cpu)]
    rows.append(("BLOOM case, HTML", *_median_s(bloom_html, n)))
    rows.append(("estimate (8 × A100, 24 h), HTML, fr", *_median_s(estimate_html, n)))
    rows.append(("estimate, Markdown", *_median_s(lambda: markdown_report(est, lang="en"), n)))
    rows.append(("estimate, JSON", *_median_s(lambda: json_report(est, lang="en"), n)))
    rows.append(("estimate, gather only (report_data)", *_median_s(lambda: report_data(est, lang="en"), n)))
    size = out.stat().st_size
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; median of {n}")
    print(f"import of aiceberg.explain.report: {import_s * 1000:.1f} ms")
    print(f"{'report':<42} {'median ms':>10} {'max ms':>9} {'CPU ms':>9}")
    for name, med, mx, cpu in rows:
        print(f"{name:<42} {med * 1000:>10.1f} {mx * 1000:>9.1f} {cpu * 1000:>9.1f}")
    print(f"HTML size (estimate): {size / 1024:.1f} KiB; target < 1 s per report: "
          f"{'met' if max(r[1] for r in rows) < 1.0 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
