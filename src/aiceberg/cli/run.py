"""``aiceberg run [options] -- CMD ARGS...``: measure a command while it runs.

The command inherits stdin, stdout and stderr untouched (aiceberg writes its summary on stderr, and
``--output-json`` to a file). Its exit code is aiceberg's exit code; if it dies from a signal, aiceberg
closes the run and then dies from the same signal. SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 sent to
aiceberg are passed to the command; Ctrl-C reaches the command through the terminal (aiceberg ignores
its own SIGINT while the command runs, so the run is always closed).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from typing import Any

FORWARDED = ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "run",
        help="measure a command while it runs (energy, footprint), and store the run",
        description="Run CMD, measure the machine's energy while it runs, store the run and print its "
        "footprint on stderr. CMD's output, exit code and signals pass through unchanged.",
        epilog="example: aiceberg run --location FR --output-json run.json -- python train.py --epochs 3",
    )
    p.add_argument("--interval", type=str, default=None, metavar="S", help="seconds between readings (default 1)")
    p.add_argument("--location", default=None, metavar="ZONE", help="grid zone (ISO code, country, cloud region)")
    p.add_argument("--output-json", default=None, metavar="PATH", help="write the run's summary as JSON")
    p.add_argument("--db", default=None, metavar="PATH", help="the run store (default: AICEBERG_DB or the data folder)")
    p.add_argument("--pue", default=None, metavar="X", help="power usage effectiveness of the facility (>= 1)")
    p.add_argument("--idle-baseline", default=None, metavar="S",
                   help="measure the idle machine for S seconds first, to split static and dynamic energy")
    p.add_argument("--unmetered", action="store_true", default=None,
                   help="add the node power no counter sees (fans, power supply…) as its own part: "
                   "1.164 × counters + 282 W, fitted on a DGX-1 (Jay et al. 2023)")
    p.add_argument("--total-phases", default=None, metavar="N",
                   help="how many phases the command will mark (lines appended to $AICEBERG_PHASE_FILE), "
                   "for the prediction of the whole run")
    p.add_argument("--name", default=None, help="a label for the run")
    p.add_argument("--project", default=None, help="a project label (CodeCarbon's project_name)")
    p.add_argument("--no-store", action="store_true", help="do not write the run to the store")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- CMD ARGS", help="the command to run")
    p.set_defaults(func=main)


def _float_arg(value: str | None, field: str, *, minimum: float, inclusive: bool) -> float | None:
    from aiceberg.errors import InputError

    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    ok = number >= minimum if inclusive else number > minimum
    if not ok or number != number or number == float("inf"):
        raise InputError(field, f"{value!r} is not accepted", f"a number {'>=' if inclusive else '>'} {minimum:g}")
    return number


def _int_arg(value: str | None, field: str) -> int | None:
    from aiceberg.errors import InputError

    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise InputError(field, f"{value!r} is not accepted", "a whole number >= 1")
    return number


def main(args: argparse.Namespace) -> int:
    from aiceberg.config import load_settings
    from aiceberg.errors import InputError

    cmd = list(args.cmd)
    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    if not cmd:
        raise InputError("CMD", "no command given", "aiceberg run [options] -- CMD ARGS...")
    idle = _float_arg(args.idle_baseline, "--idle-baseline", minimum=0.0, inclusive=True)
    settings = load_settings(
        {
            "interval_s": args.interval, "location": args.location, "db": args.db, "pue": args.pue,
            "project": args.project, "unmetered": args.unmetered,
        },
        labels={"interval_s": "--interval", "location": "--location", "db": "--db", "pue": "--pue",
                "project": "--project"},
    )
    return run_command(
        cmd, settings=settings, output_json=args.output_json, store=not args.no_store,
        idle_baseline_s=idle or 0.0, name=args.name, quiet=args.quiet,
        total_phases=_int_arg(args.total_phases, "--total-phases"),
    )


def _wait_marking_phases(proc: subprocess.Popen[bytes], run: Any, phases: Any, poll_s: float = 0.2) -> int:
    """Wait for the command, starting a phase of the run for each line it appends to its phase file."""
    while True:
        try:
            code = proc.wait(timeout=poll_s)
        except subprocess.TimeoutExpired:
            code = None
        for name in phases.new_phases():
            run.phase(name)
        if code is not None:
            return code


def run_command(
    cmd: list[str],
    *,
    settings: Any = None,
    output_json: str | None = None,
    store: bool = True,
    idle_baseline_s: float = 0.0,
    name: str | None = None,
    quiet: bool = False,
    sensors: Any = None,
    total_phases: int | None = None,
) -> int:
    """Run ``cmd`` under a tracker; returns its exit code (or dies from its signal)."""
    from aiceberg.explain.exports import summary_text
    from aiceberg.measure.tracker import Run

    run = Run(
        settings=settings, store=None if store else False, sensors=sensors, name=name,
        command=shlex.join(cmd), idle_baseline_s=idle_baseline_s, handle_signals=False,
        total_phases=total_phases,
    )
    import warnings

    with warnings.catch_warnings():  # the summary repeats them; the terminal shows them once
        warnings.simplefilter("ignore")
        run.start()
    received: list[int] = []
    old: dict[int, Any] = {}
    proc: subprocess.Popen[bytes] | None = None

    def forward(signum: int, frame: Any) -> None:
        received.append(signum)
        if proc is not None and proc.returncode is None:
            with contextlib.suppress(OSError):
                proc.send_signal(signum)

    for sig_name in FORWARDED:
        sig = getattr(signal, sig_name, None)
        if sig is not None:
            old[sig] = signal.signal(sig, forward)
    # a Python handler, not SIG_IGN: exec resets it to the default in the command
    old[signal.SIGINT] = signal.signal(signal.SIGINT, _ignore)
    from aiceberg.measure.phase_file import ENV_PHASE_FILE, PhaseFileReader

    phase_dir = tempfile.mkdtemp(prefix="aiceberg-phases-")
    phase_path = os.path.join(phase_dir, "phases")
    open(phase_path, "wb").close()
    phases = PhaseFileReader(phase_path)
    env = dict(os.environ, AICEBERG_RUN_ID=run.run_id, **{ENV_PHASE_FILE: phase_path})
    returncode: int
    end_reason: str | None = None
    try:
        try:
            proc = subprocess.Popen(cmd, env=env)
        except FileNotFoundError:
            returncode, end_reason = 127, f"command not found: {cmd[0]}"
        except PermissionError:
            returncode, end_reason = 126, f"permission denied: {cmd[0]}"
        else:
            # attribution follows this process's tree: the command's CPU time stays counted once it
            # has exited and been reaped (cutime), which a tree rooted at the command would lose
            returncode = _wait_marking_phases(proc, run, phases)
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        shutil.rmtree(phase_dir, ignore_errors=True)
    if returncode < 0:
        exit_code = 128 - returncode
        end_reason = f"killed by {signal.Signals(-returncode).name}"
    else:
        exit_code = returncode
        end_reason = end_reason or (f"exit code {returncode}" if returncode else None)
    if received and returncode != 0:
        status = "interrupted"
        end_reason = f"{signal.Signals(received[0]).name} received; {end_reason}"
    else:
        status = "finished" if returncode == 0 else "failed"
    result = run.stop(status=status, exit_code=exit_code, end_reason=end_reason)
    summary = result.to_dict()
    if output_json:
        try:
            with open(output_json, "w", encoding="utf-8") as fh:
                json.dump(summary, fh, indent=2, default=str)
                fh.write("\n")
        except OSError as exc:
            print(f"aiceberg: error: --output-json: cannot write {output_json}: {exc}", file=sys.stderr)
    if not quiet:
        if returncode in (126, 127) and proc is None:
            print(f"aiceberg: error: {end_reason}", file=sys.stderr)
        print("aiceberg: " + summary_text(summary), file=sys.stderr)
        if store:
            print(f"aiceberg: stored in {run.settings.db} — aiceberg runs show {run.run_id[:12]}", file=sys.stderr)
    if returncode < 0:
        sys.stdout.flush()
        sys.stderr.flush()
        sig = -returncode
        try:
            signal.signal(sig, signal.SIG_DFL)
            os.kill(os.getpid(), sig)
        except (OSError, ValueError):
            pass
    return exit_code


def _ignore(signum: int, frame: Any) -> None:
    """aiceberg's own SIGINT while the command runs: the terminal sent it to the command too."""
