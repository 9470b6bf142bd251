"""``aiceberg report (RUN | --case NAME | --estimate FILE.json | --scenario FILE | --job JOB)``: a self-contained
HTML report,
Markdown, JSON; ``--format`` for the compliance documents (the EU AI Act form, CycloneDX, SPDX, model card)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

#: Points per channel of a run's power chart: a report costs the same for an hour or a week.
SERIES_POINTS = 400

EXAMPLES = """\
examples:
  aiceberg report --case bloom-training                    writes aiceberg-report-bloom-training.html
  aiceberg report --case gpt3-training --lang fr --html gpt3.html --markdown gpt3.md
  aiceberg estimate training --hardware a100 --count 8 --hours 24 --location FR --json > est.json
  aiceberg report --estimate est.json --html est.html --json est-report.json
  aiceberg report 3f2a --db runs.db                        a measured run (id or unique prefix)
  aiceberg report --job 4242 --html job.html               a distributed job, each rank and node counted once
  aiceberg report --case bloom-training --format eu-ai-act  the EU AI Act's energy items (Markdown)
  aiceberg report 3f2a --format eu-ai-act --lang fr --html eu.html --json eu.json --flops 2.1e21
  aiceberg report --scenario chatgpt-month --format cyclonedx --json bom.json
  aiceberg report --estimate est.json --format spdx        SPDX 3.0.1 AI profile (JSON-LD) on stdout
  aiceberg report --case bloom-training --format model-card
"""

#: ``--format``: the iceberg report, or a compliance document (docs/compliance.md).
FORMATS = ("report", "eu-ai-act", "cyclonedx", "spdx", "model-card")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="write a report (HTML page that opens offline, Markdown, JSON) or a compliance document of "
        "a run, a job, a case, an estimate or a scenario",
        description="One self-contained HTML page (the iceberg, the breakdown with ranges, equivalents, the case "
        "studies beside it, the provenance of every factor), and the same content as Markdown or JSON. "
        "Without any output option, writes aiceberg-report-NAME.html in the current folder.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run", nargs="?", metavar="RUN", help="a run id (or unique prefix) in the run store")
    p.add_argument("--case", metavar="NAME", help="a case study (see 'aiceberg case list')")
    p.add_argument("--estimate", metavar="FILE.json", help="the JSON that 'aiceberg estimate … --json' printed")
    p.add_argument("--job", metavar="JOB", help="a distributed job of the run store (see 'aiceberg jobs list'): "
                   "its ranks and nodes counted once")
    p.add_argument("--scenario", metavar="FILE", help="a scenario file or template (compliance formats; the "
                   "scenario's own report is 'aiceberg scenario run FILE --html PATH')")
    p.add_argument("--format", default="report", choices=FORMATS,
                   help="report (default): the iceberg report; eu-ai-act: the EU AI Act's computation and energy "
                   "items (Markdown on stdout, or --json/--markdown/--html); cyclonedx, spdx: the SBOM's energy "
                   "(JSON on stdout or --json); model-card: the Hugging Face co2_eq_emissions block")
    p.add_argument("--html", metavar="PATH", help="write the HTML page there ('-' for stdout)")
    p.add_argument("--markdown", metavar="PATH", help="write the Markdown report there ('-' for stdout)")
    p.add_argument("--json", metavar="PATH", help="write the JSON report there ('-' for stdout)")
    p.add_argument("--lang", default="en", help="language: en (default) or fr")
    p.add_argument("--country", help="country whose per-person electricity the equivalents use "
                   "(default: the footprint's grid zone's country, else FR)")
    p.add_argument("--db", metavar="PATH",
                   help="the run store, for RUN or --job (default: AICEBERG_DB or the data folder)")
    from aiceberg.cli.compliance import add_compliance_options

    add_compliance_options(p)
    p.set_defaults(func=run_report)


def _write(path: str, text: str) -> str:
    from aiceberg.errors import InputError
    from aiceberg.i18n import Msg

    if path == "-":
        sys.stdout.write(text)
        return "-"
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise InputError("output", Msg("cli.report.cannot_write", path=path, reason=exc.strerror or str(exc))) from None
    return path


def _input(args: argparse.Namespace, lang: str) -> Any:
    """What the report is about, fetched here (a report receives its data): the case run, the estimate's
    file read, or the run's record, power series and phases read from the store."""
    from aiceberg.cases import get_case
    from aiceberg.config import load_settings
    from aiceberg.explain.report import case_input, estimate_input, run_input
    from aiceberg.model.footprint_json import load_footprint_json
    from aiceberg.store import open_for_reading

    if args.case:
        return case_input(get_case(args.case).run(), lang)
    if args.estimate:
        stem = os.path.splitext(os.path.basename(args.estimate))[0]
        return estimate_input(load_footprint_json(args.estimate), stem)
    settings = load_settings({"db": args.db} if args.db else {}, labels={"db": "--db"})
    store = open_for_reading(settings.db)
    try:
        if args.job:
            return _job_input(store, args.job, lang)
        rec = store.get_run(args.run)
        return run_input(rec, store.series(rec.run_id, max_points=SERIES_POINTS), store.phases(rec.run_id))
    finally:
        store.close()


def _job_input(store: Any, job_id: str, lang: str) -> Any:
    """A job's report input: its total counted once (``aiceberg.jobs``), with its facts in ``lang``."""
    from aiceberg.explain.report import job_input
    from aiceberg.i18n import numbers as N
    from aiceberg.i18n import t
    from aiceberg.jobs import job_summary
    from aiceberg.store.util import now_iso

    job = job_summary(job_id, store)
    info = {t("jobs.report.launcher", lang): job.launcher or "?",
            t("jobs.report.ranks", lang): str(job.ranks) + (f" / {job.world_size}" if job.world_size else ""),
            t("jobs.report.nodes", lang): str(len(job.nodes)) + (f" / {job.nodes_expected}" if job.nodes_expected
                                                                  else "")}
    for node in job.nodes:
        info[t("jobs.report.node", lang, node=node.node)] = t(
            "jobs.report.node_text", lang, energy="—" if node.energy_kwh is None else N.energy(node.energy_kwh, lang),
            ranks=len(node.ranks), gpus=len(node.gpus), unread=N.duration(node.unread_s, lang))
    for i, note in enumerate(job.notes, 1):
        info[t("jobs.report.note", lang, n=i)] = note.render(lang)
    title = t("jobs.report.title", lang, job=job.job_id, ranks=job.ranks, nodes=len(job.nodes))
    return job_input(job.job_id, job.footprint, title=title, status=job.status, started_at=now_iso(job.started_unix),
                     duration_s=job.duration_s, energy_kwh=job.energy_kwh, location=job.location, info=info)


def run_report(args: argparse.Namespace) -> int:
    from aiceberg.errors import InputError
    from aiceberg.explain.report import (
        render_html,
        render_json,
        render_markdown,
        report_data,
        safe_name,
    )
    from aiceberg.i18n import Msg, check_lang

    lang = check_lang(args.lang, "--lang")
    given = [x for x in (args.run, args.case, args.estimate, args.scenario, args.job) if x]
    if len(given) != 1:
        raise InputError("report", Msg("jobs.report.one_source"),
                         "aiceberg report RUN | --case NAME | --estimate FILE.json | --scenario FILE | --job JOB")
    if args.format != "report":
        return _compliance(args, lang)
    if args.scenario:
        raise InputError("--scenario", Msg("compliance.cli.scenario_report"), "--format eu-ai-act, cyclonedx, "
                         "spdx, model-card; aiceberg scenario run FILE --html PATH")
    src = _input(args, lang)
    data = report_data(src.fp, lang=lang, country=args.country, **src.kwargs())
    html_path = args.html
    if not (args.html or args.markdown or args.json):
        html_path = os.path.join(os.getcwd(), f"aiceberg-report-{safe_name(src.name)}.html")
    written = []
    if html_path:
        written.append(_write(html_path, render_html(data)))
    if args.markdown:
        written.append(_write(args.markdown, render_markdown(data)))
    if args.json:
        written.append(_write(args.json, render_json(data)))
    for path in written:
        if path != "-":
            print(path, file=sys.stderr if "-" in written else sys.stdout)
    return 0


def _compliance_input(args: argparse.Namespace, lang: str) -> Any:
    """The compliance input of the source, fetched here (a document receives its data)."""
    from aiceberg.explain import compliance as C

    if args.scenario:
        from aiceberg.cli.scenario import _load
        from aiceberg.scenario import result_dict

        sc = _load(args.scenario, args.db)
        return C.scenario_compliance(result_dict(sc.run(), lang), sc.spec.get("training", "hardware"))
    if args.case:
        from aiceberg.cases import get_case

        return C.case_compliance(get_case(args.case).run())
    if args.estimate:
        from aiceberg.model.footprint_json import load_footprint_json

        stem = os.path.splitext(os.path.basename(args.estimate))[0]
        return C.estimate_compliance(load_footprint_json(args.estimate), stem)
    from aiceberg.config import load_settings
    from aiceberg.store import open_for_reading

    settings = load_settings({"db": args.db} if args.db else {}, labels={"db": "--db"})
    store = open_for_reading(settings.db)
    try:
        if args.job:  # the job's total counted once, as one summary (aiceberg.jobs)
            from aiceberg.jobs import job_summary

            job = job_summary(args.job, store)
            return C.job_compliance(job)
        rec = store.get_run(args.run)
        summary = rec.as_summary(store.phases(rec.run_id))
    finally:
        store.close()
    return C.run_compliance(summary)


def _compliance(args: argparse.Namespace, lang: str) -> int:
    from aiceberg.cli.compliance import write_formats

    written = write_formats(args.format, _compliance_input(args, lang), args, lang, _write)
    for path in written:
        if path != "-":
            print(path, file=sys.stderr if "-" in written else sys.stdout)
    return 0
