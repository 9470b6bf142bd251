"""``aiceberg runs list|show RUN|export RUN|sync``: the runs in the store, and the local spool.

Reading opens an existing store without creating anything (``open_for_reading``); ``list``, ``show``
and ``export`` then mark the runs whose owner is gone as ``interrupted``, explicitly (the web never
does). Every store is shown without its password.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

FORMATS = ("json", "csv", "codecarbon", "model-card", "cyclonedx", "spdx", "eu-ai-act")
#: Runs that ``aiceberg runs list`` shows without --limit or --all.
PAGE = 100


def _count(minimum: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} is not accepted (accepted: an integer >= {minimum})")
        return value

    return parse


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "runs",
        help="list, show and export the measured runs in the store; send the runs kept in the local spool",
        description="The runs in the store (--db, AICEBERG_DB, or the user's data folder). A store's password "
        "is never printed.",
        epilog="examples:\n  aiceberg runs list --json\n  aiceberg runs show 3f2a\n"
        "  aiceberg runs export 3f2a --format codecarbon >> emissions.csv\n"
        "  aiceberg runs export 3f2a --format model-card\n"
        "  aiceberg runs export 3f2a --format eu-ai-act --lang fr\n"
        "  aiceberg runs sync --db postgresql://me@db.example/aiceberg",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="runs_command", metavar="ACTION")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=None, metavar="PATH",
                        help="the run store (a SQLite file or a postgresql:// URL)")

    lp = sub.add_parser("list", parents=[common], help="the runs, newest first",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        epilog="examples:\n  aiceberg runs list\n  aiceberg runs list --status interrupted --json\n"
                        "  aiceberg runs list --limit 20 --offset 40\n  aiceberg runs list --all --json")
    lp.add_argument("--json", action="store_true", help="print a JSON list of objects")
    lp.add_argument("--limit", type=_count(1), default=None, metavar="N",
                    help=f"at most N runs (default {PAGE}; the rest is a page away: --offset)")
    lp.add_argument("--offset", type=_count(0), default=0, metavar="N", help="skip the N newest runs first")
    lp.add_argument("--all", action="store_true", help="every run (no page)")
    lp.add_argument("--status", default=None, choices=("running", "finished", "interrupted", "failed"))
    lp.add_argument("--host", default=None, metavar="NAME", help="only the runs measured on this host")
    lp.set_defaults(func=cmd_list)

    sp = sub.add_parser("show", parents=[common], help="one run: energy, footprint, sensors, phases",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        epilog="examples:\n  aiceberg runs show 3f2a\n  aiceberg runs show 3f2a --json\n"
                        "  aiceberg runs show 3f2a --lang fr")
    sp.add_argument("run", metavar="RUN", help="a run id or a unique prefix of it")
    sp.add_argument("--json", action="store_true", help="print the run's summary as JSON")
    sp.add_argument("--lang", default="en", help="en (default) or fr")
    sp.set_defaults(func=cmd_show)

    ep = sub.add_parser("export", parents=[common], help="export a run (JSON, samples CSV, CodeCarbon, model card, "
                        "CycloneDX, SPDX, the EU AI Act form)",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        epilog="examples:\n  aiceberg runs export 3f2a --format codecarbon > emissions.csv\n"
                        "  aiceberg runs export 3f2a --format codecarbon --no-header >> emissions.csv\n"
                        "  aiceberg runs export 3f2a --format model-card\n"
                        "  aiceberg runs export 3f2a --format cyclonedx > bom.json\n"
                        "  aiceberg runs export 3f2a --format eu-ai-act --flops 2.1e21 --lang fr")
    ep.add_argument("run", metavar="RUN", help="a run id or a unique prefix of it")
    ep.add_argument("--format", default="json", choices=FORMATS,
                    help="json: everything; csv: the samples; codecarbon: an emissions.csv row; "
                    "model-card: the Hugging Face co2_eq_emissions block; cyclonedx: a CycloneDX 1.6 ML-BOM with the "
                    "energy; spdx: an SPDX 3.0.1 AI package with the energy; eu-ai-act: the EU AI Act's computation "
                    "and energy items, as JSON (docs/compliance.md)")
    ep.add_argument("--no-header", action="store_true", help="codecarbon: the row only, to append to a file")
    ep.add_argument("--training-type", default="pre-training", choices=("pre-training", "fine-tuning"),
                    help="model-card: the training_type field")
    from aiceberg.cli.compliance import add_export_options

    add_export_options(ep)
    ep.add_argument("-o", "--output", default=None, metavar="PATH", help="write to PATH instead of stdout")
    ep.set_defaults(func=cmd_export)

    yp = sub.add_parser("sync", parents=[common],
                        help="send the runs kept in the local spool (PostgreSQL was unreachable) to the store",
                        description="A run measured while its PostgreSQL store could not be reached waits in a "
                        "local spool (spool/ in the data folder). This sends it, once the server is back.",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        epilog="examples:\n  aiceberg runs sync\n  aiceberg runs sync --db postgresql://me@db/aiceberg")
    yp.set_defaults(func=cmd_sync)

    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])


def _settings(args: argparse.Namespace) -> Any:
    from aiceberg.config import load_settings

    return load_settings({"db": args.db}, labels={"db": "--db"})


def _open(settings: Any) -> Any:
    """The store, opened to read (never created), with the runs whose owner is gone marked first."""
    from aiceberg.store import open_for_reading

    store = open_for_reading(settings.db)
    if not getattr(store, "readonly", False):
        from aiceberg.errors import StoreError
        from aiceberg.i18n import t

        try:
            store.mark_stale_runs()
        except StoreError as exc:  # a store that cannot be written still lists
            print(f"aiceberg: {t('runs.stale_not_marked', reason=exc)}", file=sys.stderr)
    return store


def _num(v: float | None, suffix: str = "") -> str:
    """A number for the runs table: 4 significant digits, never an exponent (the number policy's
    ``plain`` where C's ``%g`` would write one; a list of 20,000 runs formats 60,000 numbers)."""
    if v is None:
        return "—"
    text = "%.4g" % v  # noqa: UP031 - the fast path
    if "e" in text or "n" in text:
        from aiceberg.i18n.numbers import plain

        text = plain(v, "en", 4)
    return text + suffix


def cmd_list(args: argparse.Namespace) -> int:
    from aiceberg.config import redact
    from aiceberg.errors import StoreError
    from aiceberg.i18n import t

    settings = _settings(args)
    try:
        store = _open(settings)
    except StoreError as exc:
        if exc.code == "store.missing" and settings.source_of("db") == "default":
            print(t("runs.no_store_yet", where=redact(settings.db)))
            return 0
        raise
    limit = None if args.all else (args.limit or PAGE)
    filters = {"status": args.status, "hostname": args.host}
    try:
        runs = store.list_runs(limit=limit, offset=args.offset, **filters)
        total = len(runs) + args.offset if limit is None or len(runs) < limit else store.count_runs(**filters)
    finally:
        store.close()
    _note_spool(settings.db)
    shown_to = args.offset + len(runs)
    if shown_to < total:  # say there is more, where a script reading stdout does not see it
        print("aiceberg: " + t("runs.more", first=args.offset + 1, last=shown_to, total=total, next=shown_to),
              file=sys.stderr)
    out = sys.stdout
    if args.json:
        json.dump([r.to_dict() for r in runs], out, indent=2)
        out.write("\n")
        return 0
    if not runs:
        print(t("runs.none_yet"))
        return 0
    out.write(f"{'run':<12}  {'status':<11}  {'started (UTC)':<19}  {'duration s':>10}  {'energy kWh':>11}  "
              f"{'kgCO2e':>9}  command\n")
    for k in range(0, len(runs), 1000):  # written a thousand lines at a time: little memory, few writes
        out.write("".join(
            f"{r.run_id[:12]:<12}  {r.status:<11}  {r.started_at[:19].replace('T', ' '):<19}  "
            f"{'—' if r.duration_s is None else f'{r.duration_s:.1f}':>10}  {_num(r.energy_kwh):>11}  "
            f"{_num(r.co2e_kg):>9}  {r.command or r.name or ''}\n"
            for r in runs[k:k + 1000]
        ))
    return 0


def _note_spool(target: str) -> None:
    """Say (on stderr) that runs wait in the local spool for this store, when some do."""
    from aiceberg.store import is_postgres

    if not is_postgres(target):
        return
    from aiceberg.config import redact
    from aiceberg.errors import StoreError
    from aiceberg.i18n import t
    from aiceberg.store.spool import pending, spool_file

    try:
        count = pending(target)
    except StoreError:
        return
    if count:
        print("aiceberg: " + t("runs.spool_waiting", count=count, spool=str(spool_file(target)), where=redact(target)),
              file=sys.stderr)


def cmd_show(args: argparse.Namespace) -> int:
    from aiceberg.explain.exports import summary_text
    from aiceberg.i18n import check_lang, localise, t
    from aiceberg.i18n.numbers import energy

    lang = check_lang(getattr(args, "lang", "en"), "--lang")
    store = _open(_settings(args))
    try:
        rec = store.get_run(args.run)
        phases = store.phases(rec.run_id)
    finally:
        store.close()
    summary = rec.as_summary(phases)  # running, or killed before its end: what the store has
    if args.json:
        json.dump(summary.to_dict(), sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
        return 0
    print(summary_text(summary, lang))
    if rec.end_reason and rec.summary is None:
        print(f"  {localise(rec.end_reason, lang)}")
    if rec.command:
        print(t("report.summary.command", lang, command=rec.command))
    print(t("report.summary.started", lang, at=rec.started_at or "—", host=rec.hostname or "—", pid=str(rec.pid)))
    for p in summary.phases:
        print(t("report.summary.phase", lang, phase=p.name,
                energy="—" if p.energy_kwh is None else energy(p.energy_kwh, lang)))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from aiceberg.explain import exports

    store = _open(_settings(args))
    try:
        rec = store.get_run(args.run)
        if args.format in ("json", "csv"):  # the samples stream from the store to the output
            with _output(args.output) as out:
                if args.format == "json":
                    exports.write_run_json(out, rec, store.iter_samples(rec.run_id), store.phases(rec.run_id),
                                           store.channels(rec.run_id))
                else:
                    exports.write_samples_csv(out, store.iter_samples(rec.run_id))
            return 0
        summary = rec.as_summary(store.phases(rec.run_id))
    finally:
        store.close()
    if args.format == "codecarbon":
        text = exports.codecarbon_csv([summary], header=not args.no_header)
    else:
        from aiceberg.cli.compliance import export_text
        from aiceberg.explain.compliance import run_compliance

        if args.activity is None and args.training_type == "fine-tuning":
            args.activity = "fine-tuning"
        text = export_text(args.format, run_compliance(summary), args)
    with _output(args.output) as out:
        out.write(text)
    return 0


class _output:
    """stdout, or the file of ``--output`` (an error names the option)."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.fh: Any = None

    def __enter__(self) -> Any:
        if self.path is None:
            return sys.stdout
        from aiceberg.errors import InputError

        try:
            self.fh = open(self.path, "w", encoding="utf-8", newline="")
        except OSError as exc:
            raise InputError("--output", f"cannot write {self.path}: {exc.strerror}") from exc
        return self.fh

    def __exit__(self, *exc: object) -> None:
        if self.fh is not None:
            self.fh.close()


def cmd_sync(args: argparse.Namespace) -> int:
    from aiceberg.config import redact
    from aiceberg.i18n import t
    from aiceberg.store import is_postgres
    from aiceberg.store.spool import spools, sync

    settings = _settings(args)
    target = settings.db
    where = redact(target)
    code = 0
    if not is_postgres(target):
        print(t("runs.sync_local", where=where))
        mine = None
    else:
        report = sync(target)
        mine = report.spool
        if report.runs:
            print(t("runs.sync_done", spool=str(report.spool), where=where, runs=report.runs, samples=report.samples))
        if report.waiting:
            reason = report.reason or t("runs.sync_live")
            print(t("runs.sync_kept", spool=str(report.spool), runs=report.waiting, reason=reason), file=sys.stderr)
            code = 1 if report.reason else 0
        elif not report.runs:
            print(t("runs.sync_nothing", where=where))
    for path, other, count in spools():
        if path != mine and count:
            print(t("runs.sync_other", spool=str(path), where=other, count=count))
    return code
