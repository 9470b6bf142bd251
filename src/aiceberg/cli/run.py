"""``aiceberg run [options] -- CMD ARGS...``: measure a command while it runs.

The command inherits stdin, stdout and stderr untouched (aiceberg writes its summary on stderr, and
``--output-json`` to a file). Its exit code is aiceberg's exit code; if it dies from a signal, aiceberg
closes the run and then dies from the same signal. SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 sent to
aiceberg are passed to the command. SIGINT too when another process sent it to aiceberg alone (``kill
-INT``); a Ctrl-C typed in the terminal already reaches the command, so it is not sent twice. Either
way the run is closed, as ``interrupted``.

The command always runs: arguments that are not UTF-8 are passed as they are (and stored in bash's
``$'…'`` quoting), and a store that cannot be opened or written costs the record, never the command.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from typing import Any

FORWARDED = ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2")
#: ``si_code`` of a signal the kernel sent (the terminal's Ctrl-C), as opposed to a process's kill() (<= 0).
SI_KERNEL = 0x80
#: SIGINT is read synchronously (with who sent it) where the platform allows it (Linux).
SIGINFO = hasattr(signal, "sigtimedwait") and hasattr(signal, "pthread_sigmask")

#: the settings the command line sets, and their flags (errors name the flag)
FLAGS = {
    "interval_s": "--interval", "location": "--location", "db": "--db", "pue": "--pue", "project": "--project",
    "cpu_tdp_w": "--cpu-tdp-w", "cpu_model": "--cpu-model",
}


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "run",
        help="measure a command while it runs (energy, footprint), and store the run",
        description="Run CMD, measure the machine's energy while it runs, store the run and print its "
        "footprint on stderr. CMD's output, exit code and signals pass through unchanged.",
        epilog="example: aiceberg run --location FR --output-json run.json -- python train.py --epochs 3",
    )
    p.add_argument("--interval", type=str, default=None, metavar="S",
                   help="seconds between readings, 0.01 to 3600 (default 1)")
    p.add_argument("--location", default=None, metavar="ZONE", help="grid zone (ISO code, country, cloud region)")
    p.add_argument("--output-json", default=None, metavar="PATH", help="write the run's summary as JSON")
    p.add_argument("--db", default=None, metavar="PATH", help="the run store (default: AICEBERG_DB or the data folder)")
    p.add_argument("--pue", default=None, metavar="X", help="power usage effectiveness of the facility (>= 1)")
    add_cpu_options(p)
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
    p.add_argument("--job-id", default=None, metavar="ID",
                   help="the distributed job this process is a rank of (default: the launcher's: Slurm's job id, "
                   "torchrun's --rdzv-id, the MPI job; AICEBERG_JOB_ID); its node's sensors are read once per "
                   "node and each GPU once, whatever the number of ranks (see 'aiceberg jobs')")
    p.add_argument("--metrics-port", default=None, metavar="N",
                   help="serve the run's energy, power and CO2e as Prometheus metrics on this port while it runs "
                   "(0: any free port; CMD gets the address in AICEBERG_METRICS_URL); needs aiceberg[prometheus]")
    p.add_argument("--metrics-host", default="127.0.0.1", metavar="ADDR",
                   help="address for --metrics-port (default 127.0.0.1)")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- CMD ARGS", help="the command to run")
    p.set_defaults(func=main)


def add_cpu_options(p: argparse.ArgumentParser) -> None:
    """``--cpu-tdp-w`` and ``--cpu-model``: what the user knows of the CPU (``run``, ``tour``, ``doctor``)."""
    p.add_argument("--cpu-tdp-w", default=None, metavar="W",
                   help="the CPU's TDP per package, in W, for the CPU model when no RAPL counter is readable "
                   "(default: AICEBERG_CPU_TDP_W, cpu_tdp_w in the config, else the reference data)")
    p.add_argument("--cpu-model", default=None, metavar="NAME",
                   help="the CPU's model, where /proc/cpuinfo does not name it (a cloud VM's 'AMD EPYC'): "
                   "a name or id of 'aiceberg data hardware' (default: AICEBERG_CPU_MODEL, cpu_model)")


def cli_settings(values: dict[str, Any]) -> Any:
    """The settings with the command line's values, each checked where the user would look for it:
    a bad number, an unknown zone or CPU is one error naming ``--flag``, the variable or the config key."""
    from aiceberg import refdata
    from aiceberg.config import load_settings
    from aiceberg.measure.cpu_model import resolve_given_cpu

    settings = load_settings(values, labels=FLAGS)
    labels = setting_labels(settings)
    if settings.location is not None:
        refdata.get_zone(settings.location, labels["location"])
    if settings.cpu_model is not None:
        resolve_given_cpu(settings.cpu_model, labels["cpu_model"])
    return settings


def setting_labels(settings: Any) -> dict[str, str]:
    """Each setting's name where its value came from: ``--flag``, ``AICEBERG_…`` or ``config.toml: key``."""
    from aiceberg.config import ENV_VARS

    env = {field: var for var, field in ENV_VARS.items()}
    return {
        name: {"argument": FLAGS.get(name, name), "env": env.get(name, name),
               "config": f"config.toml: {name}"}.get(settings.source_of(name), name)
        for name in (*FLAGS, *env)
    }


def _float_arg(value: str | None, field: str, *, minimum: float, maximum: float) -> float | None:
    import math

    from aiceberg.errors import InputError

    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and minimum <= number <= maximum):
        raise InputError(field, f"{value!r} is not accepted", f"a number from {minimum:g} to {maximum:g}")
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
    from aiceberg.errors import InputError

    cmd = list(args.cmd)
    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    if not cmd:
        raise InputError("CMD", "no command given", "aiceberg run [options] -- CMD ARGS...")
    idle = _float_arg(args.idle_baseline, "--idle-baseline", minimum=0.0, maximum=3600.0)
    settings = cli_settings({
        "interval_s": args.interval, "location": args.location, "db": args.db, "pue": args.pue,
        "project": args.project, "unmetered": args.unmetered, "cpu_tdp_w": args.cpu_tdp_w,
        "cpu_model": args.cpu_model,
    })
    return run_command(
        cmd, settings=settings, output_json=args.output_json, store=not args.no_store,
        idle_baseline_s=idle or 0.0, name=args.name, quiet=args.quiet,
        total_phases=_int_arg(args.total_phases, "--total-phases"),
        metrics=None if args.metrics_port is None else (args.metrics_host, _port_arg(args.metrics_port)),
        job_id=args.job_id,
    )


def _port_arg(value: str) -> int:
    from aiceberg.cli.exporter import parse_port

    port = parse_port(value, "metrics_port")
    assert port is not None
    return port


class _Signals:
    """The signals aiceberg receives while the command runs, and their forwarding to it."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.proc: subprocess.Popen[bytes] | None = None
        self._old: dict[int, Any] = {}
        self._mask: set[Any] | None = None

    def block_sigint(self) -> None:
        """Before any thread starts: SIGINT waits for :meth:`take_sigint`, which says who sent it."""
        if SIGINFO:
            self._mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})

    @property
    def blocking(self) -> bool:
        """Whether SIGINT is read with :meth:`take_sigint` (else it arrives as a handler call)."""
        return self._mask is not None

    def child_mask(self) -> Any:
        """For ``Popen(preexec_fn=…)``: the command gets the signal mask aiceberg was started with."""
        mask = self._mask
        if mask is None:
            return None
        return lambda: signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    def install(self) -> None:
        for name in FORWARDED:
            sig = getattr(signal, name, None)
            if sig is not None:
                self._old[sig] = signal.signal(sig, self._forward)
        if self._mask is None:  # no siginfo here: note Ctrl-C, forward nothing (the terminal did)
            self._old[signal.SIGINT] = signal.signal(signal.SIGINT, self._note_sigint)

    def _forward(self, signum: int, frame: Any) -> None:
        self.received.append(signal.Signals(signum).name)
        self._send(signum)

    def _send(self, signum: int) -> None:
        if self.proc is not None and self.proc.returncode is None:
            with contextlib.suppress(OSError):
                self.proc.send_signal(signum)

    def _note_sigint(self, signum: int, frame: Any) -> None:
        self.received.append("SIGINT")

    def take_sigint(self, timeout: float) -> None:
        """Wait up to ``timeout`` s for a SIGINT: a terminal's Ctrl-C (the command has it too) is noted,
        one sent by a process to aiceberg alone is also forwarded to the command."""
        if self._mask is None:
            return
        info = signal.sigtimedwait({signal.SIGINT}, timeout)
        if info is None:
            return
        if info.si_code == SI_KERNEL:
            self.received.append("Ctrl-C")
        else:
            self.received.append("SIGINT")
            self._send(signal.SIGINT)

    def restore(self) -> None:
        for sig, handler in self._old.items():
            signal.signal(sig, handler)
        self._old.clear()
        if self._mask is not None:
            while signal.sigtimedwait({signal.SIGINT}, 0) is not None:  # a late Ctrl-C: the run is closed
                self.received.append("Ctrl-C")
            signal.pthread_sigmask(signal.SIG_SETMASK, self._mask)
            self._mask = None


def _wait_marking_phases(proc: subprocess.Popen[bytes], run: Any, phases: Any, signals: _Signals,
                         poll_s: float = 0.2) -> int:
    """Wait for the command, starting a phase of the run for each line it appends to its phase file."""
    while True:
        if signals.blocking:
            signals.take_sigint(poll_s)
            code = proc.poll()
        else:
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
    metrics: tuple[str, int] | None = None,
    job_id: str | None = None,
) -> int:
    """Run ``cmd`` under a tracker; returns its exit code (or dies from its signal).

    ``metrics`` (host, port) serves the run's Prometheus metrics while it runs (``--metrics-port``)."""
    import warnings

    from aiceberg.measure.phase_file import ENV_PHASE_FILE, PhaseFileReader
    from aiceberg.measure.recorder import shell_join
    from aiceberg.measure.tracker import Run
    from aiceberg.tracking import open_run_store

    server = None
    if metrics is not None:  # listening first: a port in use fails before anything is measured
        from aiceberg.measure.exporter import MetricsServer

        server = MetricsServer(*metrics, field="metrics_port")
    signals = _Signals()
    signals.block_sigint()  # before the sampler thread exists: it inherits the mask
    run: Any = None
    try:
        run = Run(
            settings=settings, store=None if store else False, sensors=sensors, name=name,
            command=shell_join(cmd), idle_baseline_s=idle_baseline_s, handle_signals=False,
            total_phases=total_phases, labels=None if settings is None else setting_labels(settings),
            open_store=open_run_store, job_id=job_id,
        )
        with warnings.catch_warnings():  # the summary repeats them; the terminal shows them once
            warnings.simplefilter("ignore")
            run.start()
        if server is not None:
            _serve_run(server, run, quiet)
    except BaseException:
        signals.restore()
        if server is not None:
            server.close()
        if run is not None and run.running:
            run.stop(status="failed", end_reason="the metrics server could not start")
        raise
    signals.install()
    phase_dir = tempfile.mkdtemp(prefix="aiceberg-phases-")
    phase_path = os.path.join(phase_dir, "phases")
    open(phase_path, "wb").close()
    phases = PhaseFileReader(phase_path)
    env = dict(os.environ, AICEBERG_RUN_ID=run.run_id, **{ENV_PHASE_FILE: phase_path})
    if server is not None:
        env["AICEBERG_METRICS_URL"] = server.url
    returncode: int
    end_reason: str | None = None
    proc: subprocess.Popen[bytes] | None = None
    try:
        signals.take_sigint(0)  # a Ctrl-C during the start: the command does not start
        if signals.received:
            returncode, end_reason = -signal.SIGINT, "interrupted before the command started"
        else:
            try:
                proc = signals.proc = subprocess.Popen(cmd, env=env, preexec_fn=signals.child_mask())
            except FileNotFoundError:
                returncode, end_reason = 127, f"command not found: {cmd[0]}"
            except PermissionError:
                returncode, end_reason = 126, f"permission denied: {cmd[0]}"
            else:
                # attribution follows this process's tree: the command's CPU time stays counted once it
                # has exited and been reaped (cutime), which a tree rooted at the command would lose
                returncode = _wait_marking_phases(proc, run, phases, signals)
        exit_code, status, end_reason = _outcome(returncode, end_reason, signals.received)
        result = run.stop(status=status, exit_code=exit_code, end_reason=end_reason)
    finally:
        shutil.rmtree(phase_dir, ignore_errors=True)
        signals.restore()
        if server is not None:
            server.close()
    if output_json:
        try:
            with open(output_json, "w", encoding="utf-8") as fh:
                json.dump(result.to_dict(), fh, indent=2, default=str)
                fh.write("\n")
        except OSError as exc:
            print(f"aiceberg: error: --output-json: cannot write {output_json}: {exc}", file=sys.stderr)
    if not quiet:
        _report(result, store, proc is None and returncode in (126, 127), end_reason, output_json)
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


def _serve_run(server: Any, run: Any, quiet: bool) -> None:
    """Serve the started run's metrics on ``server`` (``--metrics-port``)."""
    from aiceberg.i18n import t
    from aiceberg.measure.exporter import SamplerCollector, co2e_basis

    server.attach(SamplerCollector(run.sampler, co2e_basis(run.settings.location, run.settings.pue), job=run.job))
    if not quiet:
        print("aiceberg: " + t("prometheus.run.serving", "en", url=server.url), file=sys.stderr, flush=True)


def _outcome(returncode: int, end_reason: str | None, received: list[str]) -> tuple[int, str, str | None]:
    """(exit code, status, end reason) of the run from the command's return code and the signals seen."""
    if returncode < 0:
        exit_code = 128 - returncode
        end_reason = end_reason or f"killed by {signal.Signals(-returncode).name}"
    else:
        exit_code = returncode
        end_reason = end_reason or (f"exit code {returncode}" if returncode else None)
    if received and returncode != 0:
        return exit_code, "interrupted", f"{received[0]} received; {end_reason}"
    return exit_code, "finished" if returncode == 0 else "failed", end_reason


def _report(result: Any, store: bool, not_started: bool, end_reason: str | None, output_json: str | None) -> None:
    from aiceberg.explain.exports import summary_text
    from aiceberg.i18n import t

    if not_started:
        print(f"aiceberg: error: {end_reason}", file=sys.stderr)
    print("aiceberg: " + summary_text(result.to_dict()), file=sys.stderr)
    if result.stored_in:
        print("aiceberg: " + t("run.stored", "en", where=result.stored_in, run=result.run_id[:12]), file=sys.stderr)
    elif store:
        key = "run.not_stored.json" if output_json else "run.not_stored"
        print("aiceberg: " + t(key, "en", path=output_json or ""), file=sys.stderr)
