"""``aiceberg tour``: the main job on the embedded defaults.

It measures a short built-in training workload on this machine (a small neural network trained in pure
Python, no download), stores the run, prints its footprint with the sensors used and why others were
not, beside the estimate the engine would have made without measuring, then reproduces the BLOOM case.
"""

from __future__ import annotations

import argparse

EXAMPLES = """\
examples:
  aiceberg tour
  aiceberg tour --location FR --lang fr
  aiceberg tour --seconds 10 --db /tmp/runs.db
  aiceberg tour --no-measure            only the estimate and the BLOOM case
"""

_TEXT = {
    "en": {
        "measure": "1. Measured on this machine: a small neural network trained for about {s:g} s",
        "estimate": "2. The same run estimated without measuring (reference TDP of {cpu})",
        "compare": "Measured {m} against {e} estimated from the TDP alone ({r:.2g} ×).",
        "bloom": "3. A published case, reproduced and completed: BLOOM",
        "stored": "Stored as run {rid}: aiceberg runs show {rid} · aiceberg report {rid}",
        "example": "1. An estimate: 8 × NVIDIA A100 for 24 hours in France",
    },
    "fr": {
        "measure": "1. Mesuré sur cette machine : un petit réseau de neurones entraîné environ {s:g} s",
        "estimate": "2. La même exécution estimée sans mesure (TDP de référence de {cpu})",
        "compare": "Mesuré {m} contre {e} estimé d'après le seul TDP ({r:.2g} ×).",
        "bloom": "3. Un cas publié, reproduit et complété : BLOOM",
        "stored": "Enregistré sous l'identifiant {rid} : aiceberg runs show {rid} · aiceberg report {rid}",
        "example": "1. Une estimation : 8 × NVIDIA A100 pendant 24 heures en France",
    },
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tour", help="the main job: measure a tiny training here, estimate it, explain BLOOM",
                       description="The main job on the embedded defaults: measures a short built-in "
                       "training workload on this machine, stores the run, shows its footprint and the sensors "
                       "used beside the estimate made without measuring, then reproduces the BLOOM case.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", default="5", help="how long the built-in workload trains (default 5)")
    p.add_argument("--location", metavar="ZONE", help="where this machine's electricity comes from "
                   "(default: AICEBERG_LOCATION or the configuration, else the world average with a warning)")
    p.add_argument("--db", help="run store (default: AICEBERG_DB or the user's data folder)")
    p.add_argument("--no-measure", action="store_true", help="skip the measurement (estimate and case only)")
    p.add_argument("--lang", default="en", help="en (default) or fr")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aiceberg.cases import get_case
    from aiceberg.cli.common import parse_q
    from aiceberg.explain.case_text import case_text
    from aiceberg.explain.i18n import check_lang
    from aiceberg.explain.render import footprint_text
    from aiceberg.model.training import estimate_training

    lang = check_lang(args.lang, "--lang")
    text = _TEXT[lang]
    seconds = parse_q(args.seconds, "--seconds")
    if isinstance(seconds, tuple):
        seconds = seconds[1]
    if args.no_measure:
        print(text["example"] + "\n")
        print(footprint_text(estimate_training("a100", count=8, hours=24, location="FR"), lang))
    else:
        _measure(args, float(seconds), lang, text)
    print("\n\n" + text["bloom"] + "\n")
    print(case_text(get_case("bloom-training").run(), lang))
    return 0


def _measure(args: argparse.Namespace, seconds: float, lang: str, text: dict[str, str]) -> None:
    import warnings

    from aiceberg import refdata
    from aiceberg.config import load_settings
    from aiceberg.explain.exports import summary_text
    from aiceberg.explain.i18n import fmt_mass_kg
    from aiceberg.explain.render import footprint_text
    from aiceberg.measure.workload import measure_tiny_training
    from aiceberg.model.training import estimate_training

    settings = load_settings({"location": args.location, "db": args.db},
                             labels={"location": "--location", "db": "--db"})
    print(text["measure"].format(s=seconds) + "\n")
    with warnings.catch_warnings():  # the summary lists them once
        warnings.simplefilter("ignore")
        result, _report = measure_tiny_training(seconds, settings=settings, location=settings.location)
    summary = result.to_dict()
    print(summary_text(summary))
    if result.footprint is not None:
        print()
        print(footprint_text(result.footprint, lang, with_equivalents=False))
    host = summary.get("host") or {}
    cpu = refdata.find_hardware(str(host.get("cpu_model") or "")) or refdata.get_hardware("default-cpu")
    estimate = estimate_training(cpu.id, count=1, hours=max(result.duration_s, 1e-3) / 3600.0,
                                 location=settings.location, pue=settings.pue, server=None,
                                 title=f"1 × {cpu.name}, {result.duration_s:.1f} s")
    print("\n" + text["estimate"].format(cpu=cpu.name) + "\n")
    print(footprint_text(estimate, lang, with_equivalents=False))
    if result.footprint is not None and estimate.co2e_kg.central:
        m, e = result.footprint.co2e_kg.central, estimate.co2e_kg.central
        print("\n" + text["compare"].format(m=fmt_mass_kg(m, lang), e=fmt_mass_kg(e, lang), r=m / e))
    if summary.get("stored", True) and summary.get("run_id"):
        print("\n" + text["stored"].format(rid=str(summary["run_id"])[:12]))
