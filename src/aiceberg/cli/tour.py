"""``aiceberg tour``: the main job on the embedded defaults.

It measures a short built-in training workload on this machine (a small neural network trained in pure
Python, no download), stores the run, prints its footprint with the sensors used and why others were
not, then reproduces the BLOOM case. When a counter measured the CPU, it sets that measurement beside
the estimate from the CPU's TDP alone, part for part (the same CPU, the same duration, electricity at
the devices); when every sensor is modelled it says so first, and what would make it a measurement.
"""

from __future__ import annotations

import argparse
from typing import Any

EXAMPLES = """\
examples:
  aiceberg tour
  aiceberg tour --location FR --lang fr
  aiceberg tour --seconds 10 --db /tmp/runs.db
  aiceberg tour --cpu-model "AMD EPYC 7763"   a CPU that /proc/cpuinfo does not name
  aiceberg tour --no-measure            only the estimate and the BLOOM case
"""


def register(sub: argparse._SubParsersAction) -> None:
    from aiceberg.cli.run import add_cpu_options

    p = sub.add_parser("tour", help="the main job: measure a tiny training here, estimate it, explain BLOOM",
                       description="The main job on the embedded defaults: measures a short built-in "
                       "training workload on this machine, stores the run, shows its footprint and the sensors "
                       "used (and, where a counter measured the CPU, the estimate from its TDP alone beside "
                       "it), then reproduces the BLOOM case.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", default="5", help="how long the built-in workload trains, 0.1 to 600 (default 5)")
    p.add_argument("--location", metavar="ZONE", help="where this machine's electricity comes from "
                   "(default: AICEBERG_LOCATION or the configuration, else the world average with a warning)")
    p.add_argument("--db", help="run store (default: AICEBERG_DB or the user's data folder)")
    add_cpu_options(p)
    p.add_argument("--no-measure", action="store_true", help="skip the measurement (estimate and case only)")
    p.add_argument("--lang", default="en", help="en (default) or fr")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aiceberg.cases import get_case
    from aiceberg.cli.run import _float_arg
    from aiceberg.explain.case_text import case_text
    from aiceberg.explain.render import footprint_text
    from aiceberg.i18n import check_lang, t
    from aiceberg.model.training import estimate_training

    lang = check_lang(args.lang, "--lang")
    seconds = _float_arg(args.seconds, "--seconds", minimum=0.1, maximum=600.0)
    if args.no_measure:
        print(t("tour.example", lang) + "\n")
        print(footprint_text(estimate_training("a100", count=8, hours=24, location="FR"), lang))
    else:
        _measure(args, float(seconds or 5.0), lang)
    print("\n\n" + t("tour.bloom", lang) + "\n")
    print(case_text(get_case("bloom-training").run(), lang))
    return 0


def _measured(summary: Any, domains: tuple[str, ...] | None = None) -> list[Any]:
    """The sensors whose counters measured (part of) the run, in ``domains`` if given."""
    return [s for s in summary.sensors if s.status in ("measured", "partial")
            and any(c.counted and (domains is None or c.domain in domains) for c in s.channels)]


def _measure(args: argparse.Namespace, seconds: float, lang: str) -> None:
    import warnings

    from aiceberg.cli.run import cli_settings, setting_labels
    from aiceberg.explain.exports import summary_text
    from aiceberg.explain.render import footprint_text
    from aiceberg.i18n import t
    from aiceberg.measure.workload import measure_tiny_training
    from aiceberg.tracking import open_run_store

    settings = cli_settings({"location": args.location, "db": args.db, "cpu_tdp_w": args.cpu_tdp_w,
                             "cpu_model": args.cpu_model})
    print(t("tour.measure", lang, seconds=seconds) + "\n")
    with warnings.catch_warnings():  # the summary lists them once
        warnings.simplefilter("ignore")
        result, _report = measure_tiny_training(seconds, settings=settings, location=settings.location,
                                                labels=setting_labels(settings), open_store=open_run_store,
                                                lang=lang)
    summary = result.summary
    if not _measured(summary):
        print(t("tour.all_modelled", lang) + "\n")
    print(summary_text(result.to_dict(), lang))
    if result.footprint is not None:
        print()
        print(footprint_text(result.footprint, lang, with_equivalents=False))
    comparison = _cpu_comparison(summary, settings, lang)
    print("\n" + (comparison or t("tour.no_comparison", lang)))
    if result.stored_in:
        print("\n" + t("tour.stored", lang, run=result.run_id[:12]))


def _cpu_comparison(summary: Any, settings: Any, lang: str) -> str | None:
    """The CPU's measured electricity beside the estimate from its TDP alone, when a counter measured it:
    the same part (the CPU packages), the same duration, the same boundary (at the devices, before the
    data centre's overhead and the manufacturing share, which would apply alike to both)."""
    from aiceberg import refdata
    from aiceberg.i18n import t
    from aiceberg.i18n.numbers import duration, energy, number
    from aiceberg.measure.cpu_model import read_cpuinfo, resolve_given_cpu
    from aiceberg.units import J_PER_KWH

    cpu_domains = ("cpu", "psys")
    if not _measured(summary, cpu_domains):
        return None
    measured = sum(v for d, v in summary.domains_kwh.items() if d in cpu_domains)
    if settings.cpu_model:
        cpu = resolve_given_cpu(settings.cpu_model)
    else:
        cpu = refdata.find_hardware(str(summary.host.get("cpu_model") or "")) or refdata.get_hardware("default-cpu")
    tdp = settings.cpu_tdp_w or cpu.tdp_w
    try:
        sockets = read_cpuinfo().sockets
    except OSError:
        sockets = 1
    estimated = tdp * sockets * summary.duration_s / J_PER_KWH
    if measured <= 0 or estimated <= 0:
        return t("tour.compare_none", lang, measured=energy(measured, lang))
    return t("tour.compare", lang, cpu=cpu.name, tdp=tdp, sockets=sockets,
             duration=duration(summary.duration_s, lang), measured=energy(measured, lang),
             estimated=energy(estimated, lang), ratio=number(estimated / measured, lang))
