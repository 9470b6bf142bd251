"""The compliance documents on the command line: ``aiceberg report … --format eu-ai-act|cyclonedx|spdx|model-card``,
``aiceberg runs export RUN --format …`` and ``aiceberg jobs export JOB --format …``.

Not a sub-command: the options and the writers those commands share. A command fetches its data, builds a
:class:`~aiceberg.explain.compliance.ComplianceInput` (``aiceberg.explain.compliance.builders``) and calls
:func:`document` (one text, for the exports) or :func:`write_formats` (``report``'s ``--json``,
``--markdown``, ``--html``). ``jobs export`` adds its formats with :func:`add_export_options` and prints with
:func:`export_text`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
from datetime import UTC, datetime
from typing import Any

#: The documents, by ``--format`` name.
DOCUMENTS = ("eu-ai-act", "cyclonedx", "spdx", "model-card")
ACTIVITIES = ("training", "fine-tuning", "inference")
#: Upper bounds of the numbers these options take (10³² FLOP is the engine's own bound for ``--flops``).
_BOUNDS = {"flops": 1e32, "parameters": 1e16, "training_tokens": 1e18, "inference_flops": 1e32}


def add_compliance_options(p: argparse.ArgumentParser) -> None:
    """The inputs a document may need beyond what the source holds (the EU form's computation items, the
    activity, the model card's scope)."""
    g = p.add_argument_group("compliance documents (--format eu-ai-act, cyclonedx, spdx, model-card)")
    g.add_argument("--flops", metavar="N", help="the training's computation in FLOP (e.g. 3.9e23), if you know it")
    g.add_argument("--parameters", metavar="N", help="the model's parameters: with --training-tokens, the training's "
                   "FLOP as 6 × N × D; alone, an inference count of 2 × N per generated token")
    g.add_argument("--training-tokens", metavar="N", help="the training's tokens (with --parameters)")
    g.add_argument("--inference-flops", metavar="N", help="the benchmarked computation of inference, in FLOP")
    g.add_argument("--inference-task", metavar="TEXT", help="the benchmark's task (e.g. 'generating 100000 tokens')")
    g.add_argument("--inference-hardware", metavar="TEXT", help="the benchmark's hardware (e.g. '64 × A100')")
    g.add_argument("--activity", choices=ACTIVITIES, default=None,
                   help="what the energy is the energy of (default: training, or inference for an inference "
                   "estimate or case)")
    g.add_argument("--scope", choices=("operational", "total"), default="operational",
                   help="model-card: use-phase emissions (as CodeCarbon) or aiceberg's whole footprint")


def add_export_options(p: argparse.ArgumentParser) -> None:
    """For an ``export`` sub-command whose ``--format`` includes :data:`DOCUMENTS`: the same options, and
    ``--lang`` for the EU form's words."""
    add_compliance_options(p)
    if not any("--lang" in a.option_strings for a in p._actions):
        p.add_argument("--lang", default="en", help="eu-ai-act: the language of its words (en or fr)")


def _positive(args: argparse.Namespace, dest: str, lang: str) -> float | None:
    from aiceberg.errors import InputError
    from aiceberg.i18n import Msg
    from aiceberg.i18n.parse import parse_number

    text = getattr(args, dest, None)
    if text is None:
        return None
    value = parse_number(text, dest, lang)
    if not 0 < value <= _BOUNDS[dest]:
        from aiceberg.explain.compliance.eu_form import power_of_ten

        raise InputError(dest, Msg("input.out_of_bounds", value=str(text).strip()),
                         Msg("compliance.cli.accepted_positive", high=power_of_ten(round(math.log10(_BOUNDS[dest])))))
    return value


def apply_options(inp: Any, args: argparse.Namespace, lang: str = "en") -> Any:
    """``inp`` with the options of :func:`add_compliance_options` applied (numbers read in ``lang``'s rule)."""
    from aiceberg.errors import InputError
    from aiceberg.explain.compliance import with_inputs
    from aiceberg.i18n import Msg

    values = {d: _positive(args, d, lang) for d in _BOUNDS}
    if (values["training_tokens"] is not None) and values["parameters"] is None:
        raise InputError("training_tokens", Msg("compliance.cli.tokens_need_parameters"),
                         Msg("compliance.cli.tokens_accepted"))
    if values["flops"] is not None and values["training_tokens"] is not None:
        raise InputError("flops", Msg("compliance.cli.flops_or_size"), Msg("compliance.cli.tokens_accepted"))
    return with_inputs(inp, flops=values["flops"], parameters=values["parameters"],
                       training_tokens=values["training_tokens"], inference_flops=values["inference_flops"],
                       inference_task=getattr(args, "inference_task", None),
                       inference_hardware=getattr(args, "inference_hardware", None),
                       activity=getattr(args, "activity", None))


def created_now() -> str:
    """The documents' creation time, UTC to the second: ``SOURCE_DATE_EPOCH`` when set (reproducible
    builds' convention: the same input gives the same document), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def document(fmt: str, inp: Any, lang: str = "en", *, scope: str = "operational", view: str = "json") -> str:
    """The text of the document ``fmt`` for ``inp``: the EU form as JSON (``view`` ``markdown`` or ``html``
    for people), the CycloneDX BOM and the SPDX document as JSON, the model card's YAML block."""
    from aiceberg.explain.compliance import eu_form
    from aiceberg.explain.compliance.cyclonedx import cyclonedx_bom
    from aiceberg.explain.compliance.eu_render import eu_html, eu_markdown
    from aiceberg.explain.compliance.model_card import model_card_yaml
    from aiceberg.explain.compliance.spdx import spdx_document

    if fmt == "eu-ai-act":
        form = eu_form(inp, lang)
        return eu_markdown(form) if view == "markdown" else eu_html(form) if view == "html" else _json(form)
    if fmt == "cyclonedx":
        return _json(cyclonedx_bom(inp, created=created_now()))
    if fmt == "spdx":
        return _json(spdx_document(inp, created=created_now()))
    return model_card_yaml(inp, scope=scope)


def export_text(fmt: str, inp: Any, args: argparse.Namespace) -> str:
    """What ``runs export``/``jobs export`` print for a compliance format (the EU form as JSON)."""
    from aiceberg.i18n import check_lang

    lang = check_lang(getattr(args, "lang", "en") or "en", "--lang")
    return document(fmt, apply_options(inp, args, lang), lang, scope=getattr(args, "scope", "operational"))


def write_formats(fmt: str, inp: Any, args: argparse.Namespace, lang: str, write: Any) -> list[str]:
    """``report --format FMT``: write the document to ``--json``/``--markdown``/``--html`` (each through
    ``write(path, text)``, which returns the path written), or print it when none is given (the EU form as
    Markdown). An output that the format has not is refused, naming it."""
    import sys

    from aiceberg.errors import InputError
    from aiceberg.i18n import Msg

    allowed = {"eu-ai-act": ("json", "markdown", "html"), "cyclonedx": ("json",), "spdx": ("json",),
               "model-card": ("markdown",)}[fmt]
    for out in ("json", "markdown", "html"):
        if getattr(args, out, None) and out not in allowed:
            raise InputError(f"--{out}", Msg("compliance.cli.output_not_for", format=fmt),
                             ", ".join(f"--{a}" for a in allowed))
    inp = apply_options(inp, args, lang)
    scope = getattr(args, "scope", "operational")
    written = []
    for out in allowed:
        path = getattr(args, out, None)
        if path:
            written.append(write(path, document(fmt, inp, lang, scope=scope, view=out)))
    if not written:
        sys.stdout.write(document(fmt, inp, lang, scope=scope, view="markdown"))
    return written
