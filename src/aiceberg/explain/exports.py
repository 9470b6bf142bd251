"""Exports that people already use: CodeCarbon's ``emissions.csv``, the Hugging Face model card
``co2_eq_emissions`` block, and aiceberg's own JSON and samples CSV; plus the short text summary of a run.

Everything here reads a run's typed summary (:class:`~aiceberg.model.run_summary.RunSummary`, what the
tracker builds and the store keeps, see ``docs/tracking.md``); nothing is recomputed. A summary given as
its JSON dict (``--output-json``, older callers) is read into one first.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TextIO

from aiceberg import __version__, refdata
from aiceberg.explain.compliance.builders import run_compliance
from aiceberg.explain.compliance.model_card import model_card_yaml as card
from aiceberg.explain.render import status_label
from aiceberg.i18n import has, localise, t
from aiceberg.i18n import numbers as N
from aiceberg.model.run_summary import RunSummary
from aiceberg.units import J_PER_KWH

#: A run's summary as the functions here take it: typed, or the JSON dict of it.
SummaryLike = RunSummary | Mapping[str, Any]

__all__ = [
    "CODECARBON_COLUMNS",
    "codecarbon_csv",
    "codecarbon_row",
    "model_card_yaml",
    "operational_co2e_kg",
    "run_json",
    "samples_csv",
    "summary_text",
    "write_run_json",
    "write_samples_csv",
]

#: The columns of CodeCarbon's ``emissions.csv``, in its order (codecarbon 3.3.2,
#: ``codecarbon/output_methods/emissions_data.py``, ``EmissionsData``).
CODECARBON_COLUMNS: tuple[str, ...] = (
    "timestamp", "project_name", "run_id", "experiment_id", "duration", "emissions", "emissions_rate",
    "cpu_power", "gpu_power", "ram_power", "cpu_energy", "gpu_energy", "ram_energy", "energy_consumed",
    "water_consumed", "country_name", "country_iso_code", "region", "cloud_provider", "cloud_region",
    "os", "python_version", "codecarbon_version", "cpu_count", "cpu_model", "gpu_count", "gpu_model",
    "longitude", "latitude", "ram_total_size", "tracking_mode", "cpu_utilization_percent",
    "gpu_utilization_percent", "ram_utilization_percent", "ram_used_gb", "on_cloud", "pue", "wue",
)

CPU_DOMAINS = ("cpu", "psys", "system")


def _version() -> str:
    return str(__version__)


def _typed(summary: SummaryLike) -> RunSummary:
    return summary if isinstance(summary, RunSummary) else RunSummary.from_dict(summary)


def _pue_of(summary: RunSummary) -> float | None:
    if summary.footprint is not None:
        for f in summary.footprint.factors:
            if f.id.startswith("pue"):
                return float(f.value.central)
    return summary.pue


def operational_co2e_kg(summary: SummaryLike) -> float | None:
    """The use-phase emissions (electricity and PUE overhead, no embodied share): CodeCarbon's scope."""
    fp = _typed(summary).footprint
    if fp is None:
        return None
    return sum(p.co2e_kg.central for p in fp.parts if p.phase == "use")


def _zone(location: str | None) -> tuple[str, str, str, str]:
    """(country_name, country_iso_code, cloud_provider, cloud_region) for a location."""
    if not location:
        return "", "", "", ""
    provider, region = "", ""
    if ":" in location:
        provider, region = location.split(":", 1)
    name, iso = "", location if not provider else ""
    try:
        zone = refdata.get_zone(location)
        name = getattr(zone, "name_en", "") or ""
        iso = getattr(zone, "iso3", "") or getattr(zone, "id", "") or iso
        if getattr(zone, "kind", "") == "cloud":
            provider = getattr(zone, "provider", "") or provider
            region = region or str(getattr(zone, "id", "")).split(":", 1)[-1]
    except Exception:  # an export must not fail on a lookup: leave the name empty
        pass
    return name, str(iso), provider, region


def _gpu_model(models: Sequence[str]) -> str:
    counts: dict[str, int] = {}
    for m in models:
        counts[m] = counts.get(m, 0) + 1
    return ", ".join(f"{n} x {m}" for m, n in counts.items())


def _local_timestamp(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return iso
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def codecarbon_row(summary: SummaryLike) -> dict[str, Any]:
    """One row of CodeCarbon's ``emissions.csv`` for a run.

    Units are CodeCarbon's: duration in s, emissions in kgCO2e, emissions_rate in kg/s, powers in W,
    energies in kWh, ram_total_size in GB. As CodeCarbon does, the energies and powers include the PUE
    (``energy_consumed`` is what the emissions were computed from), and ``emissions`` is the use phase
    only (electricity × intensity, PUE overhead included; the embodied share is not in CodeCarbon's
    scope). Values aiceberg does not know (utilisation, coordinates, water) are left empty, never 0.
    """
    summary = _typed(summary)
    duration = float(summary.duration_s or 0.0)
    domains: Mapping[str, float] = summary.domains_kwh
    pue = _pue_of(summary)
    k = pue if pue is not None else 1.0
    cpu = sum(float(domains.get(d, 0.0)) for d in CPU_DOMAINS) * k
    gpu = float(domains.get("gpu", 0.0)) * k
    ram = float(domains.get("dram", 0.0)) * k
    total = cpu + gpu + ram
    emissions = operational_co2e_kg(summary)
    host = summary.host
    name, iso, provider, region = _zone(summary.location)

    def power(kwh: float) -> float | str:
        return kwh * J_PER_KWH / duration if duration > 0 else ""

    try:
        run_id = str(uuid.UUID(summary.run_id))
    except ValueError:
        run_id = summary.run_id
    row: dict[str, Any] = {
        "timestamp": _local_timestamp(summary.ended_at or summary.started_at),
        "project_name": summary.project or "default",
        "run_id": run_id,
        "experiment_id": summary.name or "",
        "duration": duration,
        "emissions": "" if emissions is None else emissions,
        "emissions_rate": "" if emissions is None or duration <= 0 else emissions / duration,
        "cpu_power": power(cpu),
        "gpu_power": power(gpu),
        "ram_power": power(ram),
        "cpu_energy": cpu,
        "gpu_energy": gpu,
        "ram_energy": ram,
        "energy_consumed": total,
        "water_consumed": "",
        "country_name": name,
        "country_iso_code": iso,
        "region": "",
        "cloud_provider": provider,
        "cloud_region": region,
        "os": host.get("os") or "",
        "python_version": host.get("python_version") or "",
        "codecarbon_version": f"aiceberg-{_version()}",
        "cpu_count": host.get("cpu_count") or "",
        "cpu_model": host.get("cpu_model") or "",
        "gpu_count": host.get("gpu_count") or 0,
        "gpu_model": _gpu_model(host.get("gpu_models") or []),
        "longitude": "",
        "latitude": "",
        "ram_total_size": host.get("ram_total_gb") or "",
        "tracking_mode": "machine",
        "cpu_utilization_percent": "",
        "gpu_utilization_percent": "",
        "ram_utilization_percent": "",
        "ram_used_gb": "",
        "on_cloud": "Y" if provider else "N",
        "pue": "" if pue is None else pue,
        "wue": "",
    }
    return row


def codecarbon_csv(summaries: Iterable[SummaryLike], *, header: bool = True) -> str:
    """CodeCarbon ``emissions.csv`` text (header, then one row per run)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CODECARBON_COLUMNS, lineterminator="\n")
    if header:
        writer.writeheader()
    for s in summaries:
        writer.writerow(codecarbon_row(s))
    return out.getvalue()


def model_card_yaml(
    summary: SummaryLike,
    *,
    training_type: str = "pre-training",
    scope: str = "operational",
) -> str:
    """The Hugging Face model card ``co2_eq_emissions`` block of a run, ready to paste into the YAML header
    (:func:`aiceberg.explain.compliance.model_card.model_card_yaml` on the run's compliance input).

    Args:
        training_type: ``pre-training`` or ``fine-tuning`` (the model card's field).
        scope: ``operational`` (use phase, as CodeCarbon and most model cards count it) or ``total``
            (aiceberg's whole footprint, embodied share included). The other figure is given as a
            YAML comment.
    """
    return card(run_compliance(_typed(summary)), training_type=training_type, scope=scope)


def run_json(
    record: Any, samples: Sequence[Any] = (), phases: Sequence[Any] = (), channels: Sequence[Any] = ()
) -> dict[str, Any]:
    """Everything the store holds of a run: its row, its summary, channels, phases and samples."""
    out = _run_head(record, phases, channels)
    out["samples"] = [_sample(s) for s in samples]
    return out


def _run_head(record: Any, phases: Sequence[Any], channels: Sequence[Any]) -> dict[str, Any]:
    out = record.to_dict()
    out["summary"] = None if record.summary is None else record.summary.to_dict()
    out["channels"] = [c.__dict__ for c in channels]
    out["phases"] = [p.__dict__ for p in phases]
    return out


def _sample(s: Any) -> dict[str, Any]:
    return {"t_s": s.t_s, "channel_id": s.channel_id, "energy_j": s.energy_j, "power_w": s.power_w, "error": s.error}


def write_run_json(
    out: TextIO, record: Any, samples: Iterable[Any] = (), phases: Sequence[Any] = (), channels: Sequence[Any] = ()
) -> None:
    """:func:`run_json` written to ``out`` as it is read: the samples stream (constant memory)."""
    head = json.dumps(_run_head(record, phases, channels), indent=2, default=str)
    out.write(head[:-2] + ',\n  "samples": [')
    sep = "\n    "
    for s in samples:
        out.write(sep + json.dumps(_sample(s), default=str))
        sep = ",\n    "
    out.write("\n  ]\n}\n" if sep != "\n    " else "]\n}\n")


_SAMPLE_COLUMNS = ["t_s", "channel_id", "energy_j", "power_w", "error"]


def _sample_cells(s: Any) -> list[Any]:
    return [f"{s.t_s:.6f}", s.channel_id, "" if s.energy_j is None else s.energy_j,
            "" if s.power_w is None else s.power_w, s.error or ""]


def write_samples_csv(out: TextIO, samples: Iterable[Any]) -> None:
    """:func:`samples_csv` written to ``out`` as the samples are read (constant memory)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_SAMPLE_COLUMNS)
    for s in samples:
        writer.writerow(_sample_cells(s))


def samples_csv(samples: Iterable[Any]) -> str:
    """The samples of a run as CSV: ``t_s, channel_id, energy_j`` (cumulative), ``power_w, error``."""
    out = io.StringIO()
    write_samples_csv(out, samples)
    return out.getvalue()


def _kwh(v: float | None, lang: str = "en") -> str:
    return "—" if v is None else N.energy(v, lang)


def _kg(v: float | None, lang: str = "en") -> str:
    return "—" if v is None else N.co2e(v, lang)


def _status(status: object, lang: str) -> str:
    key = f"report.run_status.{status}"
    return t(key, lang) if has(key) else str(status)


def summary_text(summary: SummaryLike, lang: str = "en") -> str:
    """A few lines for a terminal, in ``lang``: energy, footprint, sensors used and why others were not,
    warnings. Every number through :mod:`aiceberg.i18n.numbers` (a range in its total's unit)."""
    summary = _typed(summary)
    lines = []
    status = summary.status
    head = t("report.summary.head", lang, run=summary.run_id[:12], status=_status(status, lang),
             duration=N.duration(float(summary.duration_s or 0), lang))
    if summary.exit_code is not None:
        head += t("report.summary.exit_code", lang, code=summary.exit_code)
    reason = summary.end_reason
    if reason and status != "finished" and reason != f"exit code {summary.exit_code}":
        head += f" ({localise(reason, lang)})"
    lines.append(head)
    parts = ", ".join(f"{d} {_kwh(v, lang)}" for d, v in summary.domains_kwh.items())
    lines.append(t("report.summary.energy", lang, energy=_kwh(summary.energy_kwh, lang))
                 + (f" ({parts})" if parts else ""))
    attr = summary.attribution
    if attr is not None and attr.energy_kwh is not None:
        share = attr.cpu_share
        lines.append(t("report.summary.tracked", lang, energy=_kwh(attr.energy_kwh, lang))
                     + (t("report.summary.cpu_share", lang, share=N.percent(share * 100, lang))
                        if share is not None else ""))
    idle = summary.idle
    if idle is not None:
        lines.append(t("report.summary.idle", lang, power=N.power(idle.power_w, lang),
                       static=_kwh(idle.static_energy_kwh, lang), dynamic=_kwh(idle.dynamic_energy_kwh, lang)))
    co2 = summary.co2e_kg
    if co2 is not None:
        where = summary.location or t("report.summary.no_location", lang)
        lines.append(t("report.summary.footprint", lang, co2e=N.co2e(co2, lang, with_range=True), location=where))
    pred = summary.prediction
    if pred is not None:
        lines.append(t("report.summary.predicted", lang, energy=N.energy(pred.energy_kwh, lang, with_range=True),
                       phases=pred.total))
    lines.append(t("report.summary.sensors", lang))
    for s in summary.sensors:
        e = "" if s.energy_kwh is None else f" {_kwh(s.energy_kwh, lang)}"
        why = localise(s.reason or "", lang)
        lines.append(f"    {s.name:<14} {status_label(s.status, lang):<11}{e}  {why}".rstrip())
    for w in summary.warnings:
        lines.append(t("report.summary.warning", lang, text=localise(w, lang)))
    return "\n".join(lines)
