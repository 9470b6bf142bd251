"""``aiceberg runs list|show RUN|export RUN``: the runs in the store."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from aiceberg.units import J_PER_KWH

FORMATS = ("json", "csv", "codecarbon", "model-card")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "runs",
        help="list, show and export the measured runs in the store",
        description="The runs in the store (--db, AICEBERG_DB, or the user's data folder).",
        epilog="examples:\n  aiceberg runs list --json\n  aiceberg runs show 3f2a\n"
        "  aiceberg runs export 3f2a --format codecarbon >> emissions.csv\n"
        "  aiceberg runs export 3f2a --format model-card",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="runs_command", metavar="ACTION")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=None, metavar="PATH", help="the run store")

    lp = sub.add_parser("list", parents=[common], help="the runs, newest first",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        epilog="examples:\n  aiceberg runs list\n  aiceberg runs list --status interrupted --json")
    lp.add_argument("--json", action="store_true", help="print a JSON list of objects")
    lp.add_argument("--limit", type=int, default=None, metavar="N", help="at most N runs")
    lp.add_argument("--status", default=None, choices=("running", "finished", "interrupted", "failed"))
    lp.set_defaults(func=cmd_list)

    sp = sub.add_parser("show", parents=[common], help="one run: energy, footprint, sensors, phases",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        epilog="examples:\n  aiceberg runs show 3f2a\n  aiceberg runs show 3f2a --json")
    sp.add_argument("run", metavar="RUN", help="a run id or a unique prefix of it")
    sp.add_argument("--json", action="store_true", help="print the run's summary as JSON")
    sp.set_defaults(func=cmd_show)

    ep = sub.add_parser("export", parents=[common], help="export a run (JSON, samples CSV, CodeCarbon, model card)",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        epilog="examples:\n  aiceberg runs export 3f2a --format codecarbon > emissions.csv\n"
                        "  aiceberg runs export 3f2a --format codecarbon --no-header >> emissions.csv\n"
                        "  aiceberg runs export 3f2a --format model-card")
    ep.add_argument("run", metavar="RUN", help="a run id or a unique prefix of it")
    ep.add_argument("--format", default="json", choices=FORMATS,
                    help="json: everything; csv: the samples; codecarbon: an emissions.csv row; "
                    "model-card: the Hugging Face co2_eq_emissions block")
    ep.add_argument("--no-header", action="store_true", help="codecarbon: the row only, to append to a file")
    ep.add_argument("--training-type", default="pre-training", choices=("pre-training", "fine-tuning"),
                    help="model-card: the training_type field")
    ep.add_argument("--scope", default="operational", choices=("operational", "total"),
                    help="model-card: use-phase emissions (as CodeCarbon) or aiceberg's whole footprint")
    ep.add_argument("-o", "--output", default=None, metavar="PATH", help="write to PATH instead of stdout")
    ep.set_defaults(func=cmd_export)

    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])


def _store(args: argparse.Namespace) -> Any:
    from aiceberg.config import load_settings
    from aiceberg.store import open_store

    settings = load_settings({"db": args.db}, labels={"db": "--db"})
    return open_store(settings.db)


def _fmt(v: float | None, spec: str) -> str:
    return "—" if v is None else format(v, spec)


def cmd_list(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        runs = store.list_runs(limit=args.limit, status=args.status)
    finally:
        store.close()
    if args.json:
        json.dump([r.to_dict() for r in runs], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if not runs:
        print("no runs yet: try 'aiceberg run -- python -c \"print(1)\"'")
        return 0
    print(
        f"{'run':<12}  {'status':<11}  {'started (UTC)':<19}  {'duration':>9}  {'energy kWh':>11}  "
        f"{'kgCO2e':>9}  command"
    )
    for r in runs:
        print(
            f"{r.run_id[:12]:<12}  {r.status:<11}  {r.started_at[:19].replace('T', ' '):<19}  "
            f"{_fmt(r.duration_s, '8.1f') + 's' if r.duration_s is not None else '—':>9}  "
            f"{_fmt(r.energy_kwh, '11.4g'):>11}  {_fmt(r.co2e_kg, '9.3g'):>9}  {r.command or r.name or ''}"
        )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from aiceberg.explain.exports import summary_text

    store = _store(args)
    try:
        store.mark_stale_runs()
        rec = store.get_run(args.run)
        phases = store.phases(rec.run_id)
    finally:
        store.close()
    summary = rec.summary or {**rec.to_dict(), "sensors": [], "warnings": []}
    if not rec.summary:  # running, or killed before its end: what the store has
        summary["phases"] = [p.__dict__ for p in phases]
    if args.json:
        json.dump(summary, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
        return 0
    print(summary_text(summary))
    if rec.end_reason and not rec.summary:
        print(f"  {rec.end_reason}")
    if rec.command:
        print(f"  command   {rec.command}")
    print(f"  started   {rec.started_at}  on {rec.hostname} (pid {rec.pid})")
    for p in summary.get("phases") or []:
        e = p.get("energy_kwh")
        if e is None and p.get("energy_j") is not None:
            e = p["energy_j"] / J_PER_KWH
        print(f"  phase     {p['name']}: {_fmt(e, '.4g')} kWh")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from aiceberg.explain import exports

    store = _store(args)
    try:
        store.mark_stale_runs()
        rec = store.get_run(args.run)
        summary = rec.summary or {**rec.to_dict(), "sensors": [], "warnings": []}
        if args.format == "json":
            text = json.dumps(
                exports.run_json(rec, store.samples(rec.run_id), store.phases(rec.run_id), store.channels(rec.run_id)),
                indent=2, default=str,
            ) + "\n"
        elif args.format == "csv":
            text = exports.samples_csv(store.samples(rec.run_id))
        elif args.format == "codecarbon":
            text = exports.codecarbon_csv([summary], header=not args.no_header)
        else:
            text = exports.model_card_yaml(summary, training_type=args.training_type, scope=args.scope)
    finally:
        store.close()
    if args.output:
        from aiceberg.errors import InputError

        try:
            with open(args.output, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        except OSError as exc:
            raise InputError("--output", f"cannot write {args.output}: {exc.strerror}") from exc
    else:
        sys.stdout.write(text)
    return 0
