"""``aiceberg doctor``: which sensors work here, which do not, why, and how to fix them."""

from __future__ import annotations

import argparse
import json
import shutil
import textwrap
from typing import Any

HELP = "show which energy sensors work on this machine, and how to fix the others"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help=HELP,
        description=HELP + ". Tries RAPL (powercap), NVML, AMD SMI, then the CPU and memory models.",
        epilog="examples:\n  aiceberg doctor\n  aiceberg doctor --json\n  aiceberg doctor --gpus 0,2",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print the table as a JSON list of objects")
    parser.add_argument(
        "--gpus",
        default="auto",
        help="GPUs to try: auto (CUDA_VISIBLE_DEVICES, else all), all, none, or a list like 0,2",
    )
    parser.set_defaults(func=run)


def _rows(args: argparse.Namespace) -> list[dict[str, Any]]:
    from aiceberg.measure.discovery import discover

    gpus: Any = args.gpus
    if gpus not in ("auto", "all", "none"):
        gpus = [int(g) if g.strip().isdigit() else g.strip() for g in gpus.split(",") if g.strip()]
    with discover(gpus=gpus) as found:
        return [
            {"sensor": s.name, "status": s.status, "reason": s.reason, "fix": s.fix} for s in found.statuses
        ]


def run(args: argparse.Namespace) -> int:
    rows = _rows(args)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    width = max(60, min(shutil.get_terminal_size((100, 20)).columns, 140))
    name_w = max(len(r["sensor"]) for r in rows)
    status_w = max(len(r["status"]) for r in rows)
    indent = " " * (name_w + status_w + 4)
    print(f"{'sensor':<{name_w}}  {'status':<{status_w}}  reason / fix")
    for r in rows:
        head = f"{r['sensor']:<{name_w}}  {r['status']:<{status_w}}  "
        body = textwrap.wrap(r["reason"], width - len(indent)) or [""]
        print(head + body[0])
        for line in body[1:]:
            print(indent + line)
        if r["fix"]:
            for i, line in enumerate(textwrap.wrap("fix: " + r["fix"], width - len(indent))):
                print(indent + line if i == 0 else indent + "     " + line)
    return 0
