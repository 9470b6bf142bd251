"""``aiceberg estimate training|inference|usage``: the engine on the command line."""

from __future__ import annotations

import argparse

from aiceberg.cli.common import (
    RANGE_HELP,
    add_location_args,
    add_output_args,
    cli_lang,
    location_kwargs,
    numbers,
    parse_count,
    print_json,
)

TRAINING_EXAMPLES = """\
examples:
  aiceberg estimate training --hardware a100 --count 8 --hours 24 --location FR
  aiceberg estimate training --hardware "NVIDIA H100 80GB HBM3" --gpu-hours 1000 --power-w 550 --pue 1.1 --intensity 57
  aiceberg estimate training --hardware h100 --count 512 --flops 6e23 --location aws:us-east-1 --json
  aiceberg estimate training --hardware a100 --count 384 --gpu-hours 1082990 --power-w 400 --idle-kwh 256646 \\
      --intensity 57 --pue 1.0 --server server-node-bloom
  aiceberg estimate training --hardware a100 --hours 1,5 --location FR --lang fr
"""

INFERENCE_EXAMPLES = """\
examples:
  aiceberg estimate inference --wh-per-request 3.75 --requests 230768 --intensity 394
  aiceberg estimate inference --task text-generation --requests 1e6 --location FR
  aiceberg estimate inference --parameters-b 70 --output-tokens 400 --location US --json
  aiceberg estimate inference --parameters-b 70 --output-tokens 400 --latency-s 6.2 --intensity 384.4
  aiceberg estimate inference --wh-per-request 0.34 --boundary it --pue 1.2 --requests 1e6 --location FR
  aiceberg estimate inference --batch requests.csv --location US --output per-request.csv --json
      (requests.csv: columns parameters_b,output_tokens[,latency_s,hardware,location,requests…])
"""

USAGE_EXAMPLES = """\
examples:
  aiceberg estimate usage --users 100e6 --requests-per-day 10 --days 30 --wh-per-request 3.75 --intensity 394
  aiceberg estimate usage --users 100e6 --requests-per-day 10 --days 30 --task bloom-api-request --location US
  aiceberg estimate usage --users 1e6 --requests-per-day 5 --days 365 --parameters-b 8 --output-tokens 300 \\
      --data-gb 0.0001 --network 4g --device smartphone --device-seconds 30 --location FR --lang fr
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("estimate", help="estimate the footprint of training, inference, usage at scale or "
                       "federated training",
                       description="Estimate what cannot be measured, with a range and a source on every number.",
                       epilog="examples:\n  aiceberg estimate training --hardware a100 --count 8 --hours 24 "
                       "--location FR\n  aiceberg estimate inference --task text-generation --requests 1e6\n"
                       "  aiceberg estimate usage --users 1e6 --requests-per-day 5 --days 365 --wh-per-request 0.3\n"
                       "  aiceberg estimate federated --device smartphone --clients 100 --rounds 50 --epoch-seconds 60 "
                       "--model-mb 20 --location FR",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    esub = p.add_subparsers(dest="kind", metavar="KIND", required=True, parser_class=type(p))

    t = esub.add_parser("training", help="a training run: hardware × count × time",
                        description="Estimate a training run's whole footprint: compute electricity, "
                        "data-centre overhead (PUE), host, memory, idle, and the manufacturing of GPUs "
                        "and servers allocated over their life. Every number has the engine's bounds "
                        "(see 'aiceberg estimate' in README.md); an option the estimate would not use is "
                        "refused.", epilog=TRAINING_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    t.add_argument("--hardware", required=True, help="accelerator or CPU name (see 'aiceberg data hardware')")
    t.add_argument("--count", default="1", help="number of devices (default 1)")
    time = t.add_argument_group("time (exactly one)")
    time.add_argument("--hours", help="wall-clock hours; device-hours = count × hours (" + RANGE_HELP + ")")
    time.add_argument("--gpu-hours", help="total device-hours (" + RANGE_HELP + ")")
    time.add_argument("--flops", help="total training FLOPs (6 × parameters × tokens); time from peak × MFU")
    t.add_argument("--mfu", help="model FLOPs utilisation, with --flops only (default: sourced 0.31, 0.21–0.46)")
    t.add_argument("--power-w", help="average power per device in W (default: its TDP, as modelled)")
    t.add_argument("--host-power-w", help="average power of each server without its accelerators, W")
    t.add_argument("--memory-gb", help="memory allocated to the job, GB (at the sourced W/GB of 'aiceberg data "
                   "factors memory')")
    idle = t.add_mutually_exclusive_group()
    idle.add_argument("--idle-power-w", help="static power of the whole allocation over the wall time, W")
    idle.add_argument("--idle-kwh", help="idle energy of the whole allocation, kWh, where it is published as "
                      "energy (BLOOM: 256646)")
    t.add_argument("--devices-per-server", default="8", help="devices in one server (default 8)")
    t.add_argument("--server", help="server model for its embodied share (default: default-server)")
    add_location_args(t)
    _add_wue(t)
    t.add_argument("--lifetime-years", help="hardware lifetime for the embodied share (default 6, 3–6)")
    t.add_argument("--utilisation", help="share of its life the hardware is used (default 0.85)")
    t.add_argument("--allocation", choices=("use-time", "calendar-time"),
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
                            "when asked. An option the chosen per-request source does not use is refused.",
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        src = q.add_argument_group("per-request electricity (exactly one)")
        src.add_argument("--wh-per-request", help="measured electricity per request, Wh (" + RANGE_HELP + ")")
        src.add_argument("--task", help="a published per-request figure (see 'aiceberg data inference')")
        src.add_argument("--parameters-b", help="LLM model: parameters in billions (with --output-tokens)")
        q.add_argument("--boundary", choices=("it", "facility"),
                       help="what --wh-per-request includes: it (the servers alone: the PUE is added) or "
                       "facility (the data centre's overhead already in it). Default: it when --pue is given, "
                       "else facility (taken as is, with a warning)")
        llm = q.add_argument_group("LLM model (with --parameters-b)")
        llm.add_argument("--active-parameters-b", help="active parameters in billions (mixture of experts)")
        llm.add_argument("--output-tokens", help="output tokens per request")
        llm.add_argument("--hardware", help="GPU serving it (default H100 SXM)")
        timing = llm.add_mutually_exclusive_group()
        timing.add_argument("--latency-s", help="measured request latency, s: caps the modelled generation time")
        timing.add_argument("--tokens-per-s", help="measured throughput, output tokens per second")
        llm.add_argument("--ttft-s", help="measured time to the first token, s (added to the generation time)")
        llm.add_argument("--server", help="server model for its embodied share (default: default-server)")
        llm.add_argument("--lifetime-years", help="server lifetime for the embodied share (default 6, 3–6)")
        if name == "inference":
            q.add_argument("--requests", default="1", help="number of requests (default 1)")
            batch = q.add_argument_group("a batch of requests (numpy: pip install 'aiceberg[analysis]')")
            batch.add_argument("--batch", metavar="FILE", help="a CSV (or Parquet, with pyarrow) table of requests, "
                               "one per row, columns named like the options (parameters_b, output_tokens, "
                               "latency_s, wh_per_request, requests, hardware, location, intensity…); the options "
                               "given apply to every row. Prints the total; --output writes each row")
            batch.add_argument("--output", metavar="FILE", help="with --batch: each row's energy_kwh and co2e_kg "
                               "with their _low and _high, as CSV or Parquet (by the file's extension)")
        else:
            q.add_argument("--users", help="number of users (" + RANGE_HELP + ")")
            q.add_argument("--requests-per-day", dest="requests_per_user_per_day",
                           help="requests per user per day")
            q.add_argument("--days", help="number of days (default 1)")
            q.add_argument("--requests", help="total requests, instead of --users/--requests-per-day")
        add_location_args(q)
        _add_wue(q)
        q.add_argument("--data-gb", help="data carried per request over the network, GB")
        q.add_argument("--network", help="access network, with --data-gb: fixed, wifi, 4g, 5g… (default fixed)")
        q.add_argument("--device", help="the user's device, with --device-seconds: smartphone, laptop… "
                       "(see 'aiceberg data devices')")
        q.add_argument("--device-seconds", help="seconds of device use per request, with --device")
        q.add_argument("--no-embodied", action="store_true", help="leave out the manufacturing impacts")
        q.add_argument("--sci-per", choices=("request", "token"),
                       help="the SCI's functional unit R: request (default) or output token (LLM model)")
        add_output_args(q)
        q.set_defaults(func=run_inference if name == "inference" else run_usage)
    _register_federated(esub)


FEDERATED_EXAMPLES = """\
examples:
  aiceberg estimate federated --device smartphone --clients 100 --rounds 100 --epoch-seconds 60 --model-mb 20 \\
      --network 4g --location FR --compare-hardware v100 --compare-gpu-hours 2 --compare-location FR
  aiceberg estimate federated --device-power-w 7.5 --clients 50 --rounds 20 --epoch-seconds 30 --model-mb 1 \\
      --upload-mbps 10 --download-mbps 50 --location FR --json
"""


def _register_federated(esub: argparse._SubParsersAction) -> None:
    f = esub.add_parser("federated", help="cross-device federated training, beside the same model trained centrally",
                        description="Estimate federated training on users' devices (Qiu et al. 2023's split: the "
                        "clients' training, the wide-area network, the server's aggregation; plus the devices' "
                        "manufacturing share), and with --compare-* the same model trained on GPUs, with the ratio.",
                        epilog=FEDERATED_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    f.add_argument("--clients", dest="clients_per_round", metavar="N", required=True,
                   help="clients taking part in each round")
    f.add_argument("--rounds", required=True, help="federated rounds")
    f.add_argument("--local-epochs", help="local epochs per round on each client (default 1)")
    f.add_argument("--epoch-seconds", required=True, help="seconds one local epoch takes on a client (" + RANGE_HELP
                   + ")")
    f.add_argument("--model-mb", required=True, help="size of the model (and of its update), MB")
    dev = f.add_argument_group("the clients' device")
    dev.add_argument("--device", help="smartphone, tablet, laptop, desktop (see 'aiceberg data devices')")
    dev.add_argument("--device-power-w", help="its power while it trains, W (default: its average power in use)")
    dev.add_argument("--device-embodied-kgco2e", help="its manufacturing, kgCO2e, for a device the data lacks "
                     "(an embedded board), with --device-lifetime-years")
    dev.add_argument("--device-lifetime-years", help="its lifetime, years")
    net = f.add_argument_group("the network: an access type's kWh per GB, or Qiu et al.'s link rates × powers")
    net.add_argument("--network", help="wifi (default), 4g, 5g, fixed, mobile")
    net.add_argument("--upload-mbps", help="upload rate, Mbit/s (with --download-mbps)")
    net.add_argument("--download-mbps", help="download rate, Mbit/s")
    net.add_argument("--router-w", help="router power during a transfer, W (default: an internet box, devices.csv)")
    net.add_argument("--idle-w", help="the device's power while it waits, W (default: its power)")
    add_location_args(f)
    srv = f.add_argument_group("the server's aggregation (counted when --server-seconds-per-round is given)")
    srv.add_argument("--server-seconds-per-round", help="server time to aggregate one round, s")
    srv.add_argument("--server-power-w", help="server power, W (default: a CPU's TDP, 100 W)")
    srv.add_argument("--server-location", help="where the server runs (default: --location)")
    cmp_ = f.add_argument_group("the same model trained centrally (counted when --compare-hardware is given)")
    cmp_.add_argument("--compare-hardware", help="GPU of the centralised training")
    cmp_.add_argument("--compare-gpu-hours", help="its GPU-hours (" + RANGE_HELP + ")")
    cmp_.add_argument("--compare-location", help="where it trains (default: --location)")
    cmp_.add_argument("--compare-pue", help="its data centre's PUE (default: the documented average)")
    cmp_.add_argument("--compare-data-gb", help="the clients' data uploaded once to train it, GB")
    cmp_.add_argument("--storage-days", help="days that data is stored (HDD), with --compare-data-gb")
    f.add_argument("--no-embodied", action="store_true", help="leave out the devices' manufacturing")
    add_output_args(f)
    f.set_defaults(func=run_federated)


_FEDERATED_NUMBERS = ("local_epochs", "epoch_seconds", "model_mb", "device_power_w", "device_embodied_kgco2e",
                      "device_lifetime_years", "upload_mbps", "download_mbps", "router_w", "idle_w",
                      "server_seconds_per_round", "server_power_w")


def run_federated(args: argparse.Namespace) -> int:
    from aiceberg.errors import InputError
    from aiceberg.explain.render import footprint_dict, footprint_text
    from aiceberg.i18n import Msg, check_lang, t
    from aiceberg.model.federated import compare_federated, estimate_centralised, estimate_federated

    lang = check_lang(args.lang, "lang")
    nums = {k: v for k, v in numbers(args, _FEDERATED_NUMBERS).items() if v is not None}
    fl = estimate_federated(
        clients_per_round=parse_count(args.clients_per_round, "clients_per_round", cli_lang(args)),
        rounds=parse_count(args.rounds, "rounds", cli_lang(args)), device=args.device, network=args.network,
        server_location=args.server_location, embodied=not args.no_embodied, **nums, **location_kwargs(args))
    central = None
    if args.compare_hardware:
        if args.compare_gpu_hours is None:
            raise InputError("compare_gpu_hours", Msg("engine.fl_compare_needs_hours"))
        c = numbers(args, ("compare_gpu_hours", "compare_data_gb", "storage_days"))
        pue = args.compare_pue
        if pue is not None and any(ch.isdigit() for ch in pue):
            pue = numbers(args, ("compare_pue",))["compare_pue"]
        central = estimate_centralised(
            args.compare_hardware, gpu_hours=c["compare_gpu_hours"], data_gb=c["compare_data_gb"],
            network=args.network if c["compare_data_gb"] is not None else None,
            client_location=args.location if c["compare_data_gb"] is not None and args.location else None,
            storage_days=c["storage_days"], location=args.compare_location or args.location,
            intensity_g_per_kwh=None if args.compare_location or args.location else location_kwargs(args)[
                "intensity_g_per_kwh"], pue=pue)
    else:
        from aiceberg.model.inputs import refuse_unused

        refuse_unused({"compare_gpu_hours": args.compare_gpu_hours, "compare_location": args.compare_location,
                       "compare_pue": args.compare_pue, "compare_data_gb": args.compare_data_gb,
                       "storage_days": args.storage_days}, Msg("engine.needs.compare_hardware"))
    if args.json:
        out = footprint_dict(fl, lang, args.country)
        if central is not None:
            out["centralised"] = footprint_dict(central, lang, args.country)
            out["ratio"] = compare_federated(fl, central)
        print_json(out)
        return 0
    print(footprint_text(fl, lang, args.country))
    if central is not None:
        r = compare_federated(fl, central)["co2e"]
        print()
        print(footprint_text(central, lang, args.country, with_equivalents=False))
        print()
        print(t("engine.fl_ratio", lang, ratio=r["value"], low=r["low"], high=r["high"]))
    return 0


def _add_wue(p: argparse.ArgumentParser) -> None:
    p.add_argument("--wue", help="the data centre's on-site water, L per kWh of IT electricity, or an operator "
                   "(google, aws, azure); default: the --pue operator's, else the sourced average 0.38 (0.09–0.999)")


def _wue(args: argparse.Namespace) -> dict:
    """``wue``: a number or range when it has digits, else an operator's name."""
    if args.wue is None or not any(ch.isdigit() for ch in args.wue):
        return {"wue": args.wue}
    return numbers(args, ("wue",))


def _sci_per(fp, args: argparse.Namespace):
    """``--sci-per token``: the SCI per output token (tokens per request × requests) instead of per request."""
    from dataclasses import replace

    from aiceberg.errors import InputError
    from aiceberg.i18n import Msg
    from aiceberg.model.quantity import Q

    if getattr(args, "sci_per", None) != "token":
        return fp
    if args.output_tokens is None:
        raise InputError("sci_per", Msg("engine.sci.token_needs_llm"), Msg("accepted.one_of", values="request"))
    tokens = numbers(args, ("output_tokens",))["output_tokens"]
    tq = Q(tokens[1], tokens[0], tokens[2]) if isinstance(tokens, tuple) else Q.exact(float(tokens))
    n = float(fp.meta.get("requests", 1.0))
    req = Q(n, float(fp.meta.get("requests_low", n)), float(fp.meta.get("requests_high", n)))
    return replace(fp, meta={**fp.meta, "sci": {"unit": "token", "r": tq * req}})


def _emit(fp, args: argparse.Namespace) -> int:
    from aiceberg.explain.render import footprint_dict, footprint_text
    from aiceberg.i18n import check_lang

    lang = check_lang(args.lang, "lang")
    country = args.country
    if args.json:
        print_json(footprint_dict(fp, lang, country))
    else:
        print(footprint_text(fp, lang, country))
    return 0


_TRAINING_NUMBERS = ("hours", "gpu_hours", "flops", "mfu", "power_w", "host_power_w", "memory_gb", "idle_power_w",
                     "idle_kwh", "lifetime_years", "utilisation")


def run_training(args: argparse.Namespace) -> int:
    from aiceberg.i18n import Msg
    from aiceberg.model.inputs import refuse_unused
    from aiceberg.model.training import estimate_training

    lang = cli_lang(args)
    if args.no_embodied:
        refuse_unused({"server": args.server, "allocation": args.allocation}, Msg("input.needs.embodied"))
    # both options have a default, so argparse always gives text
    count_text: str = args.count
    per_server_text: str = args.devices_per_server
    fp = estimate_training(
        args.hardware,
        count=parse_count(count_text, "count", lang),
        devices_per_server=parse_count(per_server_text, "devices_per_server", lang),
        server=args.server or "default-server",
        allocation=args.allocation or "use-time",
        embodied=not args.no_embodied,
        **numbers(args, _TRAINING_NUMBERS),
        **location_kwargs(args),
        **_wue(args),
    )
    return _emit(fp, args)


_PER_REQUEST_NUMBERS = ("wh_per_request", "parameters_b", "active_parameters_b", "output_tokens", "latency_s",
                        "tokens_per_s", "ttft_s", "data_gb", "device_seconds", "lifetime_years")


def _per_request_kwargs(args: argparse.Namespace) -> dict:
    return {
        "task": args.task,
        "boundary": args.boundary,
        "hardware": args.hardware,
        "server": args.server,
        "network": args.network,
        "device": args.device,
        "embodied": not args.no_embodied,
        **numbers(args, _PER_REQUEST_NUMBERS),
        **location_kwargs(args),
        **_wue(args),
    }


def run_inference(args: argparse.Namespace) -> int:
    from aiceberg.model.inference import estimate_inference

    if args.batch is not None:
        return _run_batch(args)
    if args.output is not None:
        from aiceberg.i18n import Msg
        from aiceberg.model.inputs import refuse_unused

        refuse_unused({"output": args.output}, Msg("engine.needs.batch"))
    fp = estimate_inference(**numbers(args, ("requests",)), **_per_request_kwargs(args))
    return _emit(_sci_per(fp, args), args)


def _run_batch(args: argparse.Namespace) -> int:
    """``--batch FILE``: every row a request, the options for every row; the total printed, rows written."""
    import sys

    from aiceberg.cli.batch_file import read_table, write_table
    from aiceberg.errors import InputError
    from aiceberg.explain.render import footprint_dict, footprint_text
    from aiceberg.i18n import Msg, check_lang, t
    from aiceberg.model.batch import estimate_inference_batch

    lang = check_lang(args.lang, "lang")
    for name in ("data_gb", "network", "device", "device_seconds", "task"):
        if getattr(args, name) is not None:
            raise InputError(name, Msg("engine.batch.not_in_batch"))
    columns = read_table(args.batch, cli_lang(args))
    flags = {k: v for k, v in _per_request_kwargs(args).items() if k not in ("task", "network", "device", "data_gb",
                                                                             "device_seconds")}
    if args.requests != "1":
        flags.update(numbers(args, ("requests",)))
    for name, value in flags.items():
        if name in columns and value is not None and name != "embodied":
            raise InputError(name, Msg("engine.batch.column_and_flag"))
    kwargs = {**{k: v for k, v in flags.items() if v is not None}, **columns}
    if isinstance(kwargs.get("pue"), list):
        kwargs["pue"] = tuple(kwargs["pue"])
    result = estimate_inference_batch(**kwargs)
    if args.output:
        write_table(args.output, result.columns())
    fp = result.total
    if args.sci_per == "token":
        tokens = kwargs.get("output_tokens")
        if tokens is None:
            raise InputError("sci_per", Msg("engine.sci.token_needs_llm"), Msg("accepted.one_of", values="request"))
        import numpy as np

        from aiceberg.model.quantity import Q

        per_row = tokens if isinstance(tokens, tuple) else (tokens,) * 3
        mult = kwargs.get("requests", 1.0)
        mult = mult if isinstance(mult, tuple) else (mult,) * 3
        ends = [float(np.sum(np.broadcast_to(np.asarray(per_row[i], dtype=float), (result.rows,))
                             * np.asarray(mult[i], dtype=float))) for i in range(3)]
        from dataclasses import replace

        fp = replace(fp, meta={**fp.meta, "sci": {"unit": "token", "r": Q(ends[1], ends[0], ends[2])}})
    if args.json:
        out = footprint_dict(fp, lang, args.country)
        out.update(rows=result.rows, requests=fp.meta.get("requests"), output=args.output)
        print_json(out)
    else:
        print(footprint_text(fp, lang, args.country))
        if args.output:
            print(t("engine.batch.summary", lang, rows=result.rows, requests=fp.meta.get("requests"),
                    path=args.output), file=sys.stderr)
    return 0


def run_usage(args: argparse.Namespace) -> int:
    from aiceberg.model.inference import estimate_usage

    fp = estimate_usage(**numbers(args, ("users", "requests_per_user_per_day", "days", "requests")),
                        **_per_request_kwargs(args))
    return _emit(_sci_per(fp, args), args)
