"""The report's own labels in English and French (the part names come from ``aiceberg.explain.i18n``)."""

from __future__ import annotations

from aiceberg.explain.i18n import label

__all__ = ["t"]

_REPORT: dict[str, tuple[str, str]] = {
    "report": ("Environmental footprint report", "Rapport d'empreinte environnementale"),
    "kind:estimate": ("Estimate", "Estimation"),
    "kind:case": ("Case study", "Étude de cas"),
    "kind:run": ("Measured run", "Exécution mesurée"),
    "headline": ("In short", "En bref"),
    "total_emissions": ("Total emissions", "Émissions totales"),
    "total_energy": ("Total electricity", "Électricité totale"),
    "likely_range": ("range", "fourchette"),
    "as_much_as": ("As much as", "Autant que"),
    "iceberg": ("The iceberg", "L'iceberg"),
    "iceberg_note": ("Above the waterline, the electricity of the compute itself, the part most tools show. "
                     "Below, everything else it takes. Each area is proportional to its share of the emissions.",
                     "Au-dessus de la ligne de flottaison, l'électricité du calcul lui-même, la part que montrent "
                     "la plupart des outils. En dessous, tout le reste. Chaque surface est proportionnelle à sa "
                     "part des émissions."),
    "breakdown": ("Breakdown by part", "Détail par poste"),
    "share": ("Share", "Part"),
    "detail": ("How it is computed", "Calcul"),
    "equivalents_note": ("Each equivalent divides the footprint by a sourced factor; the range follows the "
                         "footprint's range.", "Chaque équivalence divise l'empreinte par un facteur sourcé ; la "
                         "fourchette suit celle de l'empreinte."),
    "equivalent": ("Equivalent", "Équivalence"),
    "value": ("Value", "Valeur"),
    "unit": ("Unit", "Unité"),
    "year": ("Year", "Année"),
    "comparison": ("Beside the case studies", "À côté des études de cas"),
    "comparison_note": ("Your figure beside published AI footprints, on a logarithmic scale: each line is ten "
                        "times the previous one. Dots: the complete iceberg view; diamonds: the figure as "
                        "published.", "Votre chiffre à côté d'empreintes d'IA publiées, sur une échelle "
                        "logarithmique : chaque trait vaut dix fois le précédent. Points : la vue complète de "
                        "l'iceberg ; losanges : le chiffre tel que publié."),
    "case_col": ("Footprint", "Empreinte"),
    "complete_col": ("Complete view", "Vue complète"),
    "published_col": ("As published", "Tel que publié"),
    "provenance": ("Provenance", "Provenance"),
    "provenance_note": ("Every factor used, with its value, range, unit, year and sources.",
                        "Chaque facteur utilisé, avec sa valeur, sa fourchette, son unité, son année et ses "
                        "sources."),
    "factor": ("Factor", "Facteur"),
    "how_obtained": ("What was measured, modelled or a default", "Ce qui a été mesuré, modélisé ou pris par défaut"),
    "parts_col": ("Parts", "Postes"),
    "source_list": ("Sources", "Sources"),
    "publisher": ("Publisher", "Éditeur"),
    "title": ("Title", "Titre"),
    "unknown_source": ("(not in the reference data)", "(absente des données de référence)"),
    "notes": ("Warnings and what is not included", "Avertissements et ce qui n'est pas inclus"),
    "nothing_left_out": ("Nothing declared as left out.", "Rien n'est déclaré comme exclu."),
    "case": ("The case as published", "Le cas tel que publié"),
    "case_ratio": ("The complete iceberg is {ratio} × the published figure.",
                   "L'iceberg complet représente {ratio} × le chiffre publié."),
    "run": ("The run", "L'exécution"),
    "power": ("Power over time", "Puissance au cours du temps"),
    "phases": ("Phases", "Phases"),
    "phase": ("Phase", "Phase"),
    "start": ("Start (s)", "Début (s)"),
    "end": ("End (s)", "Fin (s)"),
    "no_samples": ("No power samples were stored for this run.",
                   "Aucun échantillon de puissance n'a été enregistré pour cette exécution."),
    "run_id": ("Run", "Exécution"),
    "duration": ("Duration", "Durée"),
    "command": ("Command", "Commande"),
    "host": ("Machine", "Machine"),
    "generated": ("Made with aiceberg {version}, offline: every chart is drawn by the page itself.",
                  "Réalisé avec aiceberg {version}, hors ligne : chaque graphique est dessiné par la page."),
    "notes_case": ("Notes", "Remarques"),
    "visible_short": ("visible", "émergé"),
    "submerged_short": ("submerged", "immergé"),
    "contents": ("Contents", "Sommaire"),
}


def t(key: str, lang: str = "en", **kwargs: object) -> str:
    """The report label ``key`` in ``lang`` (falls back to ``aiceberg.explain.i18n.label``)."""
    pair = _REPORT.get(key)
    text = label(key, lang) if pair is None else (pair[1] if lang == "fr" else pair[0])
    return text.format(**kwargs) if kwargs else text
