"""An SPDX 3.0.1 document (JSON-LD) with an ``ai_AIPackage`` and its ``ai_energyConsumption``: training,
fine-tuning and inference, each a list of ``ai_EnergyConsumptionDescription`` (``ai_energyQuantity``, a
decimal, and ``ai_energyUnit``, here ``kilowattHour``).

SPDX's description holds a quantity and a unit only: the boundary, how each figure was obtained, and the
activities SPDX has no slot for (data, deployment, network, users' devices of a scenario) are written in the
package's ``comment``; the training's hardware and time in ``ai_informationAboutTraining``.
"""

from __future__ import annotations

from typing import Any

from aiceberg import __version__
from aiceberg.explain.compliance.source import ComplianceInput
from aiceberg.i18n import localise
from aiceberg.i18n import numbers as N

__all__ = ["CONTEXT", "SPEC_VERSION", "spdx_document"]

SPEC_VERSION = "3.0.1"
CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
#: SPDX's slot for each activity that has one.
_SLOTS = {"training": "ai_trainingEnergyConsumption", "fine-tuning": "ai_finetuningEnergyConsumption",
          "inference": "ai_inferenceEnergyConsumption"}


def _decimal(x: float) -> str:
    """A decimal as SPDX writes one (``"433196"``, ``"0.000219"``): six significant digits, no exponent."""
    return N.number(x, "en", 6).replace(",", "") or "0"


def _id(inp: ComplianceInput, what: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-._" else "-" for ch in inp.name)
    return f"urn:aiceberg:{inp.kind}:{safe}#{what}"


def spdx_document(inp: ComplianceInput, *, created: str) -> dict[str, Any]:
    """The SPDX 3.0.1 JSON-LD document of ``inp``; ``created`` is its creation time (``YYYY-MM-DDTHH:MM:SSZ``,
    UTC), passed by the caller (now, or SOURCE_DATE_EPOCH)."""
    info = "_:creationinfo"
    tool, agent, pkg, doc = (_id(inp, x) for x in ("tool", "agent", "ai-package", "document"))
    consumption: dict[str, Any] = {"type": "ai_EnergyConsumption"}
    notes = []
    for a in inp.activities:
        e = a.energy
        where = f"{a.phase or a.kind}: {_decimal(e.kwh.central)} kWh ({e.boundary} boundary, {e.obtained}"
        where += f"; range {_decimal(e.kwh.low)} to {_decimal(e.kwh.high)} kWh)" if not e.kwh.is_exact else ")"
        slot = _SLOTS.get(a.kind)
        if slot is None:
            notes.append(where + " — no SPDX slot for this activity")
            continue
        notes.append(where)
        consumption.setdefault(slot, []).append({"type": "ai_EnergyConsumptionDescription",
                                                 "ai_energyQuantity": _decimal(e.kwh.central),
                                                 "ai_energyUnit": "kilowattHour"})
    package: dict[str, Any] = {
        "type": "ai_AIPackage",
        "spdxId": pkg,
        "creationInfo": info,
        "name": localise(inp.title, "en") or inp.name,
        "software_primaryPurpose": "model",
        "ai_energyConsumption": consumption,
        "comment": "Energy as aiceberg obtained it. " + "; ".join(notes) if notes else "No energy figure.",
    }
    if inp.time is not None:
        package["ai_informationAboutTraining"] = (
            f"{N.number(inp.time.wall_hours.central / 24.0, 'en', 3)} wall-clock days, "
            f"{N.number(inp.time.device_hours.central / 24.0, 'en', 3)} device-days on {inp.time.hardware}")
    return {
        "@context": CONTEXT,
        "@graph": [
            {"type": "CreationInfo", "@id": info, "specVersion": SPEC_VERSION, "created": created,
             "createdBy": [agent], "createdUsing": [tool]},
            {"type": "SoftwareAgent", "spdxId": agent, "creationInfo": info, "name": "aiceberg"},
            {"type": "Tool", "spdxId": tool, "creationInfo": info, "name": f"aiceberg {__version__}"},
            package,
            {"type": "SpdxDocument", "spdxId": doc, "creationInfo": info,
             "name": f"aiceberg energy of {inp.kind} {inp.name}", "profileConformance": ["core", "software", "ai"],
             "element": [agent, tool, pkg], "rootElement": [pkg]},
        ],
    }
