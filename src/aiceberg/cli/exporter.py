"""``aiceberg exporter``: serve this node's energy, power and CO2e as Prometheus metrics (``/metrics``).

The exporter samples the discovered sensors on its own clock (``--interval``) and a scrape serves the
latest values: no sensor is read on the scrape path. It runs until SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

#: the default port (any free port will do: Prometheus is told where to scrape)
DEFAULT_PORT = 9955


def register(subparsers: Any) -> None:
    from aiceberg.cli.run import add_cpu_options

    p = subparsers.add_parser(
        "exporter",
        help="serve this node's energy, power and CO2e as Prometheus metrics (/metrics)",
        description="Sample this node's sensors (RAPL, NVML, AMD SMI, or the models where none is readable) "
        "and serve the latest values at http://HOST:PORT/metrics in Prometheus's format: "
        "aiceberg_energy_joules_total, aiceberg_power_watts, aiceberg_co2e_grams_total, aiceberg_sensor_up, "
        "aiceberg_read_errors_total (labels component, device, sensor, status, node, job_id, rank). "
        "Runs until SIGTERM or Ctrl-C. Needs the extra: pip install 'aiceberg[prometheus]'.",
        epilog="example: aiceberg exporter --port 9955 --location FR --pue 1.2   (see docs/prometheus.md)",
    )
    p.add_argument("--port", default=str(DEFAULT_PORT), metavar="N",
                   help=f"TCP port to listen on, 0 for any free port (default {DEFAULT_PORT})")
    p.add_argument("--host", default="127.0.0.1", metavar="ADDR",
                   help="address to listen on (default 127.0.0.1; 0.0.0.0 for a Prometheus on another machine)")
    p.add_argument("--interval", default=None, metavar="S", help="seconds between readings, 0.01 to 3600 (default 1)")
    p.add_argument("--location", default=None, metavar="ZONE",
                   help="grid zone for aiceberg_co2e_grams_total (ISO code, country, cloud region)")
    p.add_argument("--pue", default=None, metavar="X", help="power usage effectiveness of the facility (>= 1)")
    add_cpu_options(p)
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(func=main)


def parse_port(text: str | None, field: str = "port") -> int | None:
    """A TCP port, 0 to 65535 (None stays None); else an error naming ``field``."""
    from aiceberg.errors import InputError
    from aiceberg.i18n import Msg

    if text is None:
        return None
    value = str(text).strip()
    if not value.isdigit() or int(value) > 65535:
        raise InputError(field, Msg("prometheus.port.bad", value=value), Msg("prometheus.port.accepted"))
    return int(value)


def main(args: argparse.Namespace) -> int:
    import signal
    import threading

    from aiceberg.cli.run import cli_settings, setting_labels
    from aiceberg.i18n import t
    from aiceberg.measure.exporter import NodeExporter

    port = parse_port(args.port)
    assert port is not None
    settings = cli_settings({"interval_s": args.interval, "location": args.location, "pue": args.pue,
                             "cpu_tdp_w": args.cpu_tdp_w, "cpu_model": args.cpu_model})
    stop = threading.Event()
    for name in ("SIGTERM", "SIGINT", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, lambda *_: stop.set())
    exporter = NodeExporter(settings, host=args.host, port=port, labels=setting_labels(settings))
    if not args.quiet:
        sampler = exporter.sampler
        assert sampler is not None
        counted = ", ".join(st.channel.id for st in sampler.used_channels()) or "-"
        print("aiceberg: " + t("prometheus.exporter.serving", "en", url=exporter.url, channels=counted,
                               interval=settings.interval_s), flush=True)
        for warning in exporter.basis.warnings:
            print("aiceberg: " + (warning.render("en") if hasattr(warning, "render") else str(warning)),
                  file=sys.stderr, flush=True)
    exporter.serve_until(stop)
    return 0
