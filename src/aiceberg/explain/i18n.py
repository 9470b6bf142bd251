"""Labels in English and French, and number formatting for each language."""

from __future__ import annotations

import math

from aiceberg.errors import InputError

LANGS = ("en", "fr")

_LABELS: dict[str, tuple[str, str]] = {
    # part names
    "gpu.dynamic": ("GPU electricity (compute)", "Électricité des GPU (calcul)"),
    "tpu.dynamic": ("TPU electricity (compute)", "Électricité des TPU (calcul)"),
    "cpu.dynamic": ("CPU electricity (compute)", "Électricité des CPU (calcul)"),
    "inference.compute": ("Inference electricity", "Électricité de l'inférence"),
    "host": ("Host servers (CPU, fans…)", "Serveurs hôtes (CPU, ventilateurs…)"),
    "memory": ("Memory", "Mémoire"),
    "idle": ("Idle and static power", "Consommation au repos et statique"),
    "cooling_overhead": ("Data-centre overhead (PUE: cooling…)",
                         "Surcoût du centre de données (PUE : refroidissement…)"),
    "embodied.gpu": ("Manufacturing of the GPUs", "Fabrication des GPU"),
    "embodied.tpu": ("Manufacturing of the TPUs", "Fabrication des TPU"),
    "embodied.cpu": ("Manufacturing of the CPUs", "Fabrication des CPU"),
    "embodied.server": ("Manufacturing of the servers", "Fabrication des serveurs"),
    "embodied.devices": ("Manufacturing of the user's devices", "Fabrication des terminaux des utilisateurs"),
    "devices.use": ("Electricity of the user's devices", "Électricité des terminaux des utilisateurs"),
    "network": ("Network transfer", "Transfert sur le réseau"),
    "unmetered": ("Unmetered node power (fans, PSU…)", "Puissance non mesurée du nœud (ventilateurs, alimentation…)"),
    # parts of "My AI day" (aiceberg.model.daily)
    "ai.chatbot": ("Chatbot prompts (servers)", "Questions au chatbot (serveurs)"),
    "ai.images": ("Image generation (servers)", "Génération d'images (serveurs)"),
    "video.streaming": ("Video streaming (whole chain, fixed network)",
                        "Streaming vidéo (toute la chaîne, réseau fixe)"),
    # headings
    "part": ("Part", "Poste"),
    "energy": ("Electricity", "Électricité"),
    "co2e": ("Emissions", "Émissions"),
    "range": ("Range", "Fourchette"),
    "status": ("How obtained", "Obtenu par"),
    "sources": ("Sources", "Sources"),
    "total": ("Total", "Total"),
    "visible": ("Visible tip (compute electricity)", "Partie émergée (électricité du calcul)"),
    "submerged": ("Submerged part (everything else)", "Partie immergée (tout le reste)"),
    "equivalents": ("Equivalents", "Équivalences"),
    "warnings": ("Warnings", "Avertissements"),
    "left_out": ("Not included", "Non inclus"),
    "published": ("Published", "Publié"),
    "reproduced": ("Reproduced", "Reproduit"),
    "deviation": ("Deviation", "Écart"),
    "metric": ("Metric", "Indicateur"),
    "convention": ("Convention of the published figure", "Convention du chiffre publié"),
    "complete": ("Complete iceberg view", "Vue complète de l'iceberg"),
    "factors": ("Factors used", "Facteurs utilisés"),
    # statuses
    "status:measured": ("measured", "mesuré"),
    "status:published": ("published", "publié"),
    "status:modelled": ("modelled", "modélisé"),
    "status:default": ("default", "par défaut"),
    "status:input": ("given", "saisi"),
    "status:derived": ("derived", "dérivé"),
}


def check_lang(lang: str, field: str = "lang") -> str:
    if lang not in LANGS:
        raise InputError(field, f"unknown language {lang!r}", ", ".join(LANGS))
    return lang


def label(key: str, lang: str = "en") -> str:
    """The label of ``key`` in ``lang``; unknown keys come back as they are."""
    pair = _LABELS.get(key)
    if pair is None:
        return key.removeprefix("status:")
    return pair[1] if lang == "fr" else pair[0]


def fmt_number(x: float, lang: str = "en", sig: int = 3) -> str:
    """``x`` to ``sig`` significant digits, with the language's separators (1,234.5 / 1 234,5)."""
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else str(x)
    digits = max(sig - 1 - math.floor(math.log10(abs(x))), 0)
    rounded = round(x, digits)
    if digits == 0:
        # also round the integer part to sig figures
        p = math.floor(math.log10(abs(x))) - sig + 1
        rounded = round(x, -p) if p > 0 else round(x)
    text = f"{rounded:,.{digits}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def fmt_exact(x: float, lang: str = "en") -> str:
    """``x`` as published: up to 6 significant digits, no padding zeros (24,690; 126.648)."""
    text = f"{x:,.6g}"
    if "e" in text:
        return text
    return text.replace(",", "\u202f").replace(".", ",") if lang == "fr" else text


def fmt_range(central: float, low: float, high: float, lang: str = "en") -> str:
    if low == central == high:
        return fmt_number(central, lang)
    return f"{fmt_number(low, lang)} – {fmt_number(high, lang)}"


def fmt_mass_kg(kg: float, lang: str = "en") -> str:
    """A mass of CO2e in the most readable unit (g, kg, t)."""
    if kg >= 1000:
        return f"{fmt_number(kg / 1000, lang)} t CO2e"
    if kg >= 1:
        return f"{fmt_number(kg, lang)} kg CO2e"
    return f"{fmt_number(kg * 1000, lang)} g CO2e"


def fmt_energy_kwh(kwh: float, lang: str = "en") -> str:
    if kwh >= 1000:
        return f"{fmt_number(kwh / 1000, lang)} MWh"
    if kwh >= 1:
        return f"{fmt_number(kwh, lang)} kWh"
    return f"{fmt_number(kwh * 1000, lang)} Wh"
