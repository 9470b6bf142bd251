"""``aiceberg doctor``: which sensors work here, which do not, why, and how to fix them.

It reads the same settings as ``aiceberg run`` (``--cpu-tdp-w``, ``--cpu-model``, their variables and
configuration keys, the powercap root, the interval), so the table is what a run would get, and says
for a modelled CPU what the user could give to sharpen it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import textwrap
from typing import Any

HELP = "show which energy sensors work on this machine, and how to fix the others"


def register(subparsers: Any) -> None:
    from aiceberg.cli.run import add_cpu_options

    parser = subparsers.add_parser(
        "doctor",
        help=HELP,
        description="Show" + HELP.removeprefix("show") + ". Tries RAPL (powercap), NVML, AMD SMI, then the CPU and "
        "memory models.",
        epilog="examples:\n  aiceberg doctor\n  aiceberg doctor --json\n  aiceberg doctor --gpus 0,2\n"
        "  aiceberg doctor --cpu-model 'AMD EPYC 7763'",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print the table as a JSON list of objects")
    parser.add_argument(
        "--gpus",
        default="auto",
        help="GPUs to try: auto (CUDA_VISIBLE_DEVICES, else all), all, none, or a list like 0,2",
    )
    parser.add_argument("--interval", default=None, metavar="S",
                        help="the sampling interval a run would use (default: AICEBERG_INTERVAL or 1)")
    add_cpu_options(parser)
    parser.add_argument("--lang", default="en", help="en (default) or fr")
    parser.set_defaults(func=run)


def _rows(args: argparse.Namespace, lang: str = "en") -> list[dict[str, Any]]:
    """The discovery table, its reasons and fixes in ``lang``."""
    from aiceberg.cli.run import cli_settings, setting_labels
    from aiceberg.i18n import localise
    from aiceberg.measure.discovery import discover

    settings = cli_settings({"interval_s": args.interval, "cpu_tdp_w": args.cpu_tdp_w, "cpu_model": args.cpu_model})
    gpus: Any = args.gpus
    if gpus not in ("auto", "all", "none"):
        gpus = [int(g) if g.strip().isdigit() else g.strip() for g in gpus.split(",") if g.strip()]
    labels = setting_labels(settings)
    with discover(powercap_root=settings.powercap_root, gpus=gpus, cpu_tdp_w=settings.cpu_tdp_w,
                  cpu_model=settings.cpu_model, labels=labels, interval_s=settings.interval_s) as found:
        return [
            {"sensor": s.name, "status": s.status, "reason": localise(s.reason, lang),
             "fix": None if s.fix is None else localise(s.fix, lang)} for s in found.statuses
        ]


def run(args: argparse.Namespace) -> int:
    from aiceberg.i18n import check_lang, t

    lang = check_lang(args.lang, "--lang")
    rows = _rows(args, lang)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    from aiceberg.explain.render import status_label

    width = max(60, min(shutil.get_terminal_size((100, 20)).columns, 140))
    shown = {r["status"]: status_label(r["status"], lang) for r in rows}
    heads = (t("doctor.sensor", lang), t("doctor.status", lang), t("doctor.reason", lang))
    name_w = max(len(heads[0]), *(len(r["sensor"]) for r in rows))
    status_w = max(len(heads[1]), *(len(v) for v in shown.values()))
    indent = " " * (name_w + status_w + 4)
    print(f"{heads[0]:<{name_w}}  {heads[1]:<{status_w}}  {heads[2]}")
    fix_label = t("doctor.fix", lang)
    for r in rows:
        head = f"{r['sensor']:<{name_w}}  {shown[r['status']]:<{status_w}}  "
        body = textwrap.wrap(r["reason"], width - len(indent)) or [""]
        print(head + body[0])
        for line in body[1:]:
            print(indent + line)
        if r["fix"]:
            pad = " " * (len(fix_label) + 1)
            for i, line in enumerate(textwrap.wrap(f"{fix_label} {r['fix']}", width - len(indent))):
                print(indent + line if i == 0 else indent + pad + line)
    if not any(r["status"] == "measured" for r in rows):
        print("\n" + t("doctor.nothing_measured", lang))
    return 0
