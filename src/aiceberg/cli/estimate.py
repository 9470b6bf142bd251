"""``aiceberg estimate training|inference|usage``: the engine on the command line."""

from __future__ import annotations

import argparse

from aiceberg.cli.common import (
    RANGE_HELP,
    add_location_args,
    add_output_args,
    location_kwargs,
    parse_count,
    parse_q,
    print_json,
)

TRAINING_EXAMPLES = """\
examples:
  aiceberg estimate training --hardware a100 --count 8 --hours 24 --location FR
  aiceberg estimate training --hardware "NVIDIA H100 80GB HBM3" --gpu-hours 1000 --power-w 550 --pue 1.1 --intensity 57
  aiceberg estimate training --hardware h100 --count 512 --flops 6e23 --location aws:us-east-1 --json
"""

INFERENCE_EXAMPLES = """\
examples:
  aiceberg estimate inference --wh-per-request 3.75 --requests 230768 --intensity 394
  aiceberg estimate inference --task text-generation --requests 1e6 --location FR
  aiceberg estimate inference --parameters-b 70 --output-tokens 400 --location US --json
"""

USAGE_EXAMPLES = """\
examples:
  aiceberg estimate usage --users 100e6 --requests-per-day 10 --days 30 --wh-per-request 3.75 --intensity 394
  aiceberg estimate usage --users 1e6 --requests-per-day 5 --days 365 --parameters-b 8 --output-tokens 300 \\
      --data-gb 0.0001 --network 4g --device smartphone --device-seconds 30 --location FR --lang fr
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("estimate", help="estimate the footprint of training, inference or usage at scale",
                       description="Estimate what cannot be measured, with a range and a source on every number.",
                       epilog="examples:\n  aiceberg estimate training --hardware a100 --count 8 --hours 24 "
                       "--location FR\n  aiceberg estimate inference --task text-generation --requests 1e6\n"
                       "  aiceberg estimate usage --users 1e6 --requests-per-day 5 --days 365 --wh-per-request 0.3",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    esub = p.add_subparsers(dest="kind", metavar="KIND", required=True, parser_class=type(p))

    t = esub.add_parser("training", help="a training run: hardware × count × time",
                        description="Estimate a training run's whole footprint: compute electricity, "
                        "data-centre overhead (PUE), host, memory, idle, and the manufacturing of GPUs "
                        "and servers allocated over their life.",
                        epilog=TRAINING_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    t.add_argument("--hardware", required=True, help="accelerator or CPU name (see 'aiceberg data hardware')")
    t.add_argument("--count", default="1", help="number of devices (default 1)")
    time = t.add_argument_group("time (exactly one)")
    time.add_argument("--hours", help="wall-clock hours; device-hours = count × hours (" + RANGE_HELP + ")")
    time.add_argument("--gpu-hours", help="total device-hours (" + RANGE_HELP + ")")
    time.add_argument("--flops", help="total training FLOPs (6 × parameters × tokens); time from peak × MFU")
    t.add_argument("--mfu", help="model FLOPs utilisation with --flops (default: sourced 0.31, 0.21–0.46)")
    t.add_argument("--power-w", help="average power per device in W (default: its TDP, as modelled)")
    t.add_argument("--host-power-w", help="average power of each server without its accelerators, W")
    t.add_argument("--memory-gb", help="memory allocated to the job, GB (0.3725 W/GB, Green Algorithms)")
    t.add_argument("--idle-power-w", help="static power of the whole allocation over the wall time, W")
    t.add_argument("--devices-per-server", default="8", help="devices in one server (default 8)")
    t.add_argument("--server", default="default-server", help="server model for its embodied share")
    add_location_args(t)
    t.add_argument("--lifetime-years", help="hardware lifetime for the embodied share (default 6, 3–6)")
    t.add_argument("--utilisation", help="share of its life the hardware is used (default 0.85)")
    t.add_argument("--allocation", default="use-time", choices=("use-time", "calendar-time"),
                   help="rule that allocates manufacturing impacts to the job (default use-time)")
    t.add_argument("--no-embodied", action="store_true", help="leave out the manufacturing impacts")
    add_output_args(t)
    t.set_defaults(func=run_training)

    for name, examples, helptext in (
        ("inference", INFERENCE_EXAMPLES, "inference requests: a per-request figure × requests"),
        ("usage", USAGE_EXAMPLES, "usage at scale: users × requests per day × days"),
    ):
        q = esub.add_parser(name, help=helptext, epilog=examples,
                            description=f"Estimate {helptext}, with the network and the users' devices "
                            "when asked.", formatter_class=argparse.RawDescriptionHelpFormatter)
        src = q.add_argument_group("per-request electricity (exactly one)")
        src.add_argument("--wh-per-request", help="measured electricity per request, Wh (" + RANGE_HELP + ")")
        src.add_argument("--task", help="a published task average (see 'aiceberg data inference')")
        src.add_argument("--parameters-b", help="LLM model: parameters in billions (with --output-tokens)")
        q.add_argument("--active-parameters-b", help="LLM model: active parameters (mixture of experts)")
        q.add_argument("--output-tokens", help="LLM model: output tokens per request")
        q.add_argument("--hardware", help="LLM model: GPU serving it (default H100 SXM)")
        if name == "inference":
            q.add_argument("--requests", default="1", help="number of requests (default 1)")
        else:
            q.add_argument("--users", help="number of users (" + RANGE_HELP + ")")
            q.add_argument("--requests-per-day", help="requests per user per day")
            q.add_argument("--days", default="1", help="number of days (default 1)")
            q.add_argument("--requests", help="total requests, instead of --users/--requests-per-day")
        add_location_args(q)
        q.add_argument("--data-gb", help="data carried per request over the network, GB")
        q.add_argument("--network", default="fixed", help="access network: fixed, wifi, 4g, 5g… (default fixed)")
        q.add_argument("--device", help="the user's device: smartphone, laptop… (see 'aiceberg data devices')")
        q.add_argument("--device-seconds", help="seconds of device use per request")
        q.add_argument("--lifetime-years", help="server lifetime for the embodied share (LLM model)")
        q.add_argument("--no-embodied", action="store_true", help="leave out the manufacturing impacts")
        add_output_args(q)
        q.set_defaults(func=run_inference if name == "inference" else run_usage)


def _emit(fp, args: argparse.Namespace) -> int:
    from aiceberg.explain.i18n import check_lang
    from aiceberg.explain.render import footprint_dict, footprint_text

    lang = check_lang(args.lang, "--lang")
    country = args.country
    if args.json:
        print_json(footprint_dict(fp, lang, country))
    else:
        print(footprint_text(fp, lang, country))
    return 0


def run_training(args: argparse.Namespace) -> int:
    from aiceberg.model.training import estimate_training

    # both options have a default, so argparse always gives text
    count_text: str = args.count
    per_server_text: str = args.devices_per_server
    fp = estimate_training(
        args.hardware,
        count=parse_count(count_text, "--count"),
        hours=parse_q(args.hours, "--hours"),
        gpu_hours=parse_q(args.gpu_hours, "--gpu-hours"),
        flops=parse_q(args.flops, "--flops"),
        mfu=parse_q(args.mfu, "--mfu"),
        power_w=parse_q(args.power_w, "--power-w"),
        host_power_w=parse_q(args.host_power_w, "--host-power-w"),
        memory_gb=parse_q(args.memory_gb, "--memory-gb"),
        idle_power_w=parse_q(args.idle_power_w, "--idle-power-w"),
        lifetime_years=parse_q(args.lifetime_years, "--lifetime-years"),
        utilisation=parse_q(args.utilisation, "--utilisation"),
        devices_per_server=parse_count(per_server_text, "--devices-per-server"),
        server=args.server,
        allocation=args.allocation,
        embodied=not args.no_embodied,
        **location_kwargs(args),
    )
    return _emit(fp, args)


def _per_request_kwargs(args: argparse.Namespace) -> dict:
    return {
        "wh_per_request": parse_q(args.wh_per_request, "--wh-per-request"),
        "task": args.task,
        "parameters_b": parse_q(args.parameters_b, "--parameters-b"),
        "active_parameters_b": parse_q(args.active_parameters_b, "--active-parameters-b"),
        "output_tokens": parse_q(args.output_tokens, "--output-tokens"),
        "hardware": args.hardware,
        "data_gb": parse_q(args.data_gb, "--data-gb", allow_zero=True),
        "network": args.network,
        "device": args.device,
        "device_seconds": parse_q(args.device_seconds, "--device-seconds"),
        "lifetime_years": parse_q(args.lifetime_years, "--lifetime-years"),
        "embodied": not args.no_embodied,
        **location_kwargs(args),
    }


def run_inference(args: argparse.Namespace) -> int:
    from aiceberg.model.inference import estimate_inference

    fp = estimate_inference(requests=parse_q(args.requests, "--requests"), **_per_request_kwargs(args))
    return _emit(fp, args)


def run_usage(args: argparse.Namespace) -> int:
    from aiceberg.model.inference import estimate_usage

    fp = estimate_usage(
        users=parse_q(args.users, "--users"),
        requests_per_user_per_day=parse_q(args.requests_per_day, "--requests-per-day"),
        days=parse_q(args.days, "--days"),
        requests=parse_q(args.requests, "--requests"),
        **_per_request_kwargs(args),
    )
    return _emit(fp, args)
