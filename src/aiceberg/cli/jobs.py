"""``aiceberg jobs list|show JOB``: distributed jobs, their ranks and nodes counted once (``docs/cluster.md``).

``show`` adds the job's runs up (:func:`aiceberg.jobs.job_summary`): the node's sensors read once per
node, each GPU once; ``--sacct`` puts Slurm's own figure beside it. Like ``runs``, reading opens an
existing store without creating anything and then marks the runs whose owner is gone as ``interrupted``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from aiceberg.cli.compliance import DOCUMENTS, add_export_options

#: Jobs that ``aiceberg jobs list`` shows without --limit or --all.
PAGE = 100


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "jobs", help="distributed jobs (torchrun, Slurm, MPI): every rank and node counted once",
        description="The jobs whose ranks were measured (aiceberg run or aiceberg.track in each rank): the node's "
        "sensors read once per node, each GPU once, whatever the number of ranks.",
        epilog="examples:\n  aiceberg jobs list\n  aiceberg jobs show 4242\n  aiceberg jobs show 4242 --json\n"
        "  aiceberg jobs show 4242 --sacct        Slurm's own figure beside aiceberg's\n"
        "  aiceberg report --job 4242 --html job.html",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="jobs_command", metavar="ACTION")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=None, metavar="PATH",
                        help="the run store (a SQLite file or a postgresql:// URL)")
    common.add_argument("--lang", default="en", help="language: en (default) or fr")

    lp = sub.add_parser("list", parents=[common], help="the jobs, newest first")
    lp.add_argument("--json", action="store_true", help="print a JSON list of objects")
    lp.add_argument("--limit", type=int, default=None, metavar="N", help=f"at most N jobs (default {PAGE})")
    lp.add_argument("--offset", type=int, default=0, metavar="N", help="skip the N newest jobs first")
    lp.add_argument("--all", action="store_true", help="every job (no page)")
    lp.set_defaults(func=cmd_list)

    sp = sub.add_parser("show", parents=[common], help="one job: its total counted once, per node, and what is unknown",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        epilog="examples:\n  aiceberg jobs show 4242\n  aiceberg jobs show 4242 --json --sacct")
    sp.add_argument("job", metavar="JOB", help="the job's id (Slurm's job id, torchrun's --rdzv-id, or --job-id's)")
    sp.add_argument("--json", action="store_true", help="print the job's total and its per-node breakdown as JSON")
    sp.add_argument("--sacct", action="store_true",
                    help="add Slurm's own figure (sacct's ConsumedEnergyRaw, where the site collects it); it is "
                    "per node: the job's only on nodes given to it whole")
    sp.set_defaults(func=cmd_show)

    ep = sub.add_parser("export", parents=[common], help="the job as a document: JSON, or a compliance document "
                        "(EU AI Act form, CycloneDX, SPDX, model card) of its total counted once",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        epilog="examples:\n  aiceberg jobs export 4242 --format eu-ai-act --flops 3.1e21\n"
                        "  aiceberg jobs export 4242 --format cyclonedx -o bom.json")
    ep.add_argument("job", metavar="JOB", help="the job's id")
    ep.add_argument("--format", default="json", choices=("json", *DOCUMENTS),
                    help="json: what 'jobs show --json' prints; eu-ai-act, cyclonedx, spdx, model-card: the "
                    "compliance documents (docs/compliance.md)")
    ep.add_argument("-o", "--output", default=None, metavar="PATH", help="write to PATH instead of stdout")
    add_export_options(ep)
    ep.set_defaults(func=cmd_export)

    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])


def _open(args: argparse.Namespace) -> Any:
    from aiceberg.cli.runs import _open as open_runs
    from aiceberg.config import load_settings

    return open_runs(load_settings({"db": args.db}, labels={"db": "--db"}))


def _job(args: argparse.Namespace) -> Any:
    """The job ``args.job`` names, read from the store (``jobs show``, ``jobs export``)."""
    from aiceberg.jobs import job_summary

    store = _open(args)
    try:
        return job_summary(args.job, store)
    finally:
        store.close()


def _count(value: int | None, field: str, minimum: int) -> int | None:
    from aiceberg.errors import InputError

    if value is not None and value < minimum:
        raise InputError(field, f"{value!r} is not accepted", f"an integer >= {minimum}")
    return value


def cmd_list(args: argparse.Namespace) -> int:
    from aiceberg.cli.runs import _num
    from aiceberg.i18n import check_lang, t

    lang = check_lang(args.lang, "--lang")
    limit = None if args.all else (_count(args.limit, "limit", 1) or PAGE)
    offset = _count(args.offset, "offset", 0) or 0
    store = _open(args)
    try:
        jobs = store.list_jobs(limit=limit, offset=offset)
        total = len(jobs) + offset if limit is None or len(jobs) < limit else store.count_jobs()
    finally:
        store.close()
    if offset + len(jobs) < total:
        print("aiceberg: " + t("jobs.list.more", lang, first=offset + 1, last=offset + len(jobs), total=total),
              file=sys.stderr)
    if args.json:
        json.dump([j.to_dict() for j in jobs], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if not jobs:
        print(t("jobs.list.none", lang))
        return 0
    print(f"{'job':<24}  {'launcher':<10}  {'started (UTC)':<19}  {'nodes':>5}  {'ranks':>5}  {'open':>4}  "
          f"{'energy kWh':>11}")
    for j in jobs:
        print(f"{j.job_id[:24]:<24}  {j.launcher or '':<10}  {j.started_at[:19].replace('T', ' '):<19}  "
              f"{j.nodes:>5}  {j.ranks:>5}  {j.running:>4}  {_num(j.energy_kwh):>11}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from aiceberg.i18n import check_lang

    lang = check_lang(args.lang, "--lang")
    job = _job(args)
    sacct = None
    if args.sacct:
        from aiceberg.measure.sacct import read_sacct

        sacct = read_sacct(job.job_id)
    if args.json:
        data = job.to_dict(lang)
        if sacct is not None:
            data["sacct"] = sacct.to_dict(lang)
        json.dump(data, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
        return 0
    print("\n".join(job_text(job, lang, sacct)))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from aiceberg.cli.runs import _output
    from aiceberg.i18n import check_lang

    lang = check_lang(args.lang, "--lang")
    job = _job(args)
    if args.format == "json":
        text = json.dumps(job.to_dict(lang), indent=2, default=str) + "\n"
    else:
        from aiceberg.cli.compliance import export_text
        from aiceberg.explain.compliance import job_compliance

        text = export_text(args.format, job_compliance(job), args)
    with _output(args.output) as out:
        out.write(text)
    return 0


def job_text(job: Any, lang: str = "en", sacct: Any = None) -> list[str]:
    """The lines ``aiceberg jobs show`` prints: the total, its range, each node, what is unknown."""
    from aiceberg.i18n import numbers as N
    from aiceberg.i18n import t

    status = t(f"measure.status.{job.status}", lang)
    head = t("jobs.show.head", lang, job=job.job_id, launcher=job.launcher or "?", status=status,
             duration=N.duration(job.duration_s, lang), ranks=job.ranks, nodes=len(job.nodes), runs=job.runs)
    lines = [head]
    if job.steps:
        lines.append(t("jobs.show.steps", lang, steps=", ".join(job.steps)))
    if job.energy_kwh is None:
        lines.append(t("jobs.show.no_energy", lang))
    else:
        parts = ", ".join(f"{d} {N.energy(v, lang)}" for d, v in job.domains_kwh.items())
        lines.append(t("jobs.show.energy", lang, energy=N.energy(job.energy_kwh, lang), parts=parts))
    if job.co2e_kg is not None:
        lines.append(t("jobs.show.footprint", lang, co2e=N.co2e(job.co2e_kg, lang, with_range=True),
                       location=job.location or t("jobs.show.no_location", lang)))
    for node in job.nodes:
        ranks = ", ".join(str(r) for _, r in node.ranks) or "—"
        energy = "—" if node.energy_kwh is None else N.energy(node.energy_kwh, lang)
        lines.append(t("jobs.show.node", lang, node=node.node, energy=energy, ranks=ranks,
                       gpus=len(node.gpus), read=N.duration(node.read_s, lang),
                       duration=N.duration(node.duration_s, lang)))
    if sacct is not None:
        if sacct.energy_j is None:
            lines.append(t("jobs.show.sacct_none", lang, why=sacct.why.render(lang) if sacct.why else ""))
        else:
            lines.append(t("jobs.show.sacct", lang, energy=N.energy(sacct.energy_j / 3.6e6, lang)))
            lines.append("  " + t("jobs.sacct.per_node", lang))
    for note in job.notes:
        lines.append(t("jobs.show.note", lang, text=note.render(lang)))
    if job.complete:
        lines.append(t("jobs.show.complete", lang))
    return lines
