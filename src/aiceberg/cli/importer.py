"""``aiceberg import prometheus``: what a fleet already measures (DCGM exporter, Kepler, Scaphandre) →
aiceberg runs with the whole iceberg (PUE, grid, manufacturing share), one run per node."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

EXAMPLES = """\
examples:
  aiceberg import prometheus --url http://prometheus:9090 --from -24h --to now --location FR
  aiceberg import prometheus --url http://prometheus:9090 --from 2025-01-31T00:00:00Z \\
      --to 2025-02-01T00:00:00Z --selector 'Hostname=~"gpu0[1-4]"' --step 30s --pue 1.2
  aiceberg report RUN                         the whole footprint of an imported node's run
"""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "import", help="import what a fleet already measures (Prometheus: DCGM exporter, Kepler, Scaphandre)",
        description="Import energy measured by other tools into the run store, as runs with the whole iceberg.",
    )
    sources = p.add_subparsers(dest="source", metavar="SOURCE")
    q = sources.add_parser(
        "prometheus", help="node-level DCGM exporter, Kepler and Scaphandre series from a Prometheus server",
        description=(
            "Read the node-level energy series of the NVIDIA DCGM exporter\n"
            "(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION, else DCGM_FI_DEV_POWER_USAGE integrated), Kepler\n"
            "(kepler_node_*_joules_total) and Scaphandre (scaph_host_power_microwatts, integrated) between\n"
            "two times through Prometheus's /api/v1/query_range, and store one run per node: counter resets\n"
            "handled, gaps kept as gaps (never 0), no device counted twice; each run gets its footprint\n"
            "(PUE, grid intensity, manufacturing share). Importing the same window again adds nothing."
        ),
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    q.add_argument("--url", required=True, metavar="URL",
                   help="the Prometheus server (http://host:9090, with its path prefix if any; user:password@ "
                   "is sent as basic authentication)")
    q.add_argument("--from", dest="from", required=True, metavar="T",
                   help="start: RFC 3339 with a zone (2025-01-31T12:00:00Z), unix seconds, or a time ago (-1h)")
    q.add_argument("--to", required=True, metavar="T", help="end, in the same forms, or now")
    q.add_argument("--step", default="15s", metavar="S",
                   help="resolution: seconds or a duration (15s, 1m); at least the scrape interval (default 15s)")
    q.add_argument("--selector", default=None, metavar="MATCHERS",
                   help="label matchers added to every query: instance=~\"gpu.*\",job=\"dcgm\"")
    q.add_argument("--group-by", default=None, metavar="LABEL",
                   help="the label that names a node (default: the first of Hostname, node_name, node, "
                   "kubernetes_node, instance)")
    q.add_argument("--location", default=None, metavar="ZONE",
                   help="grid zone of the nodes (ISO code, country, cloud region); default AICEBERG_LOCATION")
    q.add_argument("--pue", default=None, metavar="X", help="power usage effectiveness of the facility (>= 1)")
    q.add_argument("--project", default=None, help="a project label for the runs")
    q.add_argument("--name", default=None, help="a name for the runs (default: NODE (Prometheus))")
    q.add_argument("--db", default=None, metavar="PATH", help="the run store (default: AICEBERG_DB or the data folder)")
    q.add_argument("--json", action="store_true", help="print one JSON list of the runs")
    q.add_argument("--lang", default="en", help="language of the messages: en (default) or fr")
    # "--from -1h": argparse takes a value starting with "-" for an option unless it looks like a negative
    # number; a time ago (-1h, -1h30m, -500ms) is one here (argparse's own hook, an attribute of the parser)
    q._negative_number_matcher = re.compile(r"^-(?:[0-9]+(?:\.[0-9]+)?|(?:[0-9]+(?:ms|s|m|h|d|w|y))+)$")
    q.set_defaults(func=import_prometheus_cmd)
    p.set_defaults(func=lambda args: _usage(p))


def _usage(p: argparse.ArgumentParser) -> int:
    p.print_help()
    return 0


def import_prometheus_cmd(args: argparse.Namespace) -> int:
    import shlex
    import time

    from aiceberg.cli.common import print_json
    from aiceberg.config import load_settings
    from aiceberg.i18n import Amount, check_lang, numbers, t
    from aiceberg.prometheus import PrometheusAPI, import_prometheus, parse_selector, parse_window
    from aiceberg.store import open_store

    lang = check_lang(args.lang, "--lang")
    start = getattr(args, "from")  # a keyword: the API names the field "from", as errors do
    api = PrometheusAPI(args.url)
    window = parse_window(start, args.to, args.step, now=time.time())
    selector = parse_selector(args.selector)
    settings = load_settings({"db": args.db, "location": args.location, "pue": args.pue, "project": args.project},
                             labels={"db": "--db", "location": "--location", "pue": "--pue", "project": "--project"})
    command = shlex.join(["aiceberg", "import", "prometheus", "--url", api.url, "--from", start, "--to",
                          args.to, "--step", args.step, *(["--selector", args.selector] if args.selector else [])])
    store = open_store(settings.db)
    try:
        runs = import_prometheus(api, store, window, selector=selector, group_by=args.group_by,
                                 location=settings.location, pue=settings.pue, project=settings.project,
                                 name=args.name, command=command)
    finally:
        store.close()
    if args.json:
        print_json([r.to_dict() for r in runs])
        return 0 if runs else 1
    if not runs:
        print("aiceberg: " + t("prometheus.import.none", lang, url=api.url), file=sys.stderr)
        return 1
    for r in runs:
        s = r.summary
        if r.already or s is None:
            print(t("prometheus.import.already", lang, node=r.node, run=r.run_id[:12]))
            continue
        counted = sum(1 for c in r.channels if c["counted"])
        print(t("prometheus.import.run", lang, node=r.node, run=r.run_id[:12],
                energy=Amount(s.energy_kwh or 0.0, "kWh"), co2e=Amount(s.co2e_kg, "kg CO2e", with_range=True)
                if s.co2e_kg is not None else "—", duration=numbers.duration(s.duration_s, lang),
                counted=counted, channels=len(r.channels), gaps=sum(c["gaps"] for c in r.channels)))
        for w in s.warnings:
            print("  " + (w.render(lang) if hasattr(w, "render") else str(w)))
    print(t("prometheus.import.next", lang, run=runs[0].run_id[:12]))
    return 0
