"""The web pages' words, in English and French."""

from __future__ import annotations

T: dict[str, tuple[str, str]] = {
    "app": ("aiceberg", "aiceberg"),
    "tagline": ("The whole iceberg of AI's environmental footprint",
                "Tout l'iceberg de l'empreinte environnementale de l'IA"),
    "home": ("Home", "Accueil"),
    "training": ("Training", "Entraînement"),
    "inference": ("Inference", "Inférence"),
    "usage": ("Usage at scale", "Usage à grande échelle"),
    "my-ai-day": ("My AI day", "Ma journée d'IA"),
    "runs": ("Runs", "Exécutions"),
    "cases": ("Cases", "Cas d'étude"),
    "api": ("API", "API"),
    "switch": ("Français", "English"),
    "compute": ("Compute", "Calculer"),
    "result": ("Result", "Résultat"),
    "share": ("Link to this result (the parameters are in the address)",
              "Lien vers ce résultat (les paramètres sont dans l'adresse)"),
    "total": ("Total footprint", "Empreinte totale"),
    "range": ("range", "fourchette"),
    "electricity": ("electricity", "électricité"),
    "iceberg": ("The iceberg", "L'iceberg"),
    "parts": ("Every part", "Tous les postes"),
    "equivalents": ("What it compares to", "À quoi cela correspond"),
    "sources": ("Sources", "Sources"),
    "warnings": ("Warnings", "Avertissements"),
    "left_out": ("Not included", "Non inclus"),
    "form_errors": ("Some values need fixing: see the fields marked in red.",
                    "Certaines valeurs sont à corriger : voir les champs en rouge."),
    "yes": ("yes", "oui"),
    "no": ("no", "non"),
    "none": ("—", "—"),
    "per_year": ("per year", "par an"),
    "per_day": ("per day", "par jour"),
    "actions": ("What your actions change", "Ce que vos gestes changent"),
    "you_save": ("you save {x} per year ({y})", "vous économisez {x} par an ({y})"),
    "everyday": ("Everyday uses and their published figures", "Les usages du quotidien et leurs chiffres publiés"),
    "no_figure": ("no published figure", "aucun chiffre publié"),
    "per_use": ("per use", "par usage"),
    "population": ("At the scale of a population", "À l'échelle d'une population"),
    "assumptions": ("Assumptions (no published figure, stated so you can question them)",
                    "Hypothèses (sans chiffre publié, affichées pour que vous puissiez les discuter)"),
    "use": ("Use", "Usage"),
    "figure": ("Figure", "Chiffre"),
    "note": ("Note", "Note"),
    "date_from": ("From (date)", "Du (date)"),
    "date_to": ("To (date)", "Au (date)"),
    "host": ("Host", "Machine"),
    "any": ("any", "toutes"),
    "filter": ("Filter", "Filtrer"),
    "no_runs": ("No runs yet. Track one with: aiceberg run -- python train.py",
                "Aucune exécution pour l'instant. Suivez-en une avec : aiceberg run -- python train.py"),
    "no_store": ("No run store found at {path}.", "Aucune base d'exécutions trouvée à {path}."),
    "run": ("Run", "Exécution"),
    "name": ("Name", "Nom"),
    "status": ("Status", "Statut"),
    "started": ("Started (UTC)", "Début (UTC)"),
    "duration": ("Duration", "Durée"),
    "energy": ("Electricity", "Électricité"),
    "emissions": ("Emissions", "Émissions"),
    "command": ("Command", "Commande"),
    "report": ("Full report", "Rapport complet"),
    "no_footprint": ("This run has no footprint yet (running, or stopped before its end).",
                     "Cette exécution n'a pas encore d'empreinte (en cours, ou arrêtée avant sa fin)."),
    "published": ("Published", "Publié"),
    "reproduced": ("Reproduced", "Reproduit"),
    "deviation": ("Deviation", "Écart"),
    "complete": ("Complete iceberg view", "Vue complète de l'iceberg"),
    "convention": ("What the published figure includes", "Ce que le chiffre publié inclut"),
    "metric": ("Metric", "Indicateur"),
    "not_found": ("Not found", "Introuvable"),
    "not_found_text": ("This page does not exist.", "Cette page n'existe pas."),
    "api_text": ("Every calculator answers JSON at a POST endpoint; the OpenAPI document describes the fields.",
                 "Chaque calculateur répond en JSON à un point d'accès POST ; le document OpenAPI décrit les champs."),
    "home_intro": (
        "The electricity of the computers that run an AI model is only the visible tip. Below the waterline: "
        "the data centre's cooling, idle machines, the manufacturing of chips and servers, the network and "
        "your own devices. aiceberg computes every part, with a range and a source on every number.",
        "L'électricité des ordinateurs qui font tourner un modèle d'IA n'est que la partie émergée. Sous la "
        "ligne de flottaison : le refroidissement du centre de données, les machines au repos, la fabrication "
        "des puces et des serveurs, le réseau et vos propres appareils. aiceberg calcule chaque poste, avec "
        "une fourchette et une source pour chaque chiffre."),
    "home_training": ("A training run: hardware, number of devices, hours, place.",
                      "Un entraînement : matériel, nombre d'appareils, heures, lieu."),
    "home_inference": ("Inference requests from a published figure, a measurement or an LLM's size.",
                       "Des requêtes d'inférence à partir d'un chiffre publié, d'une mesure ou de la taille d'un LLM."),
    "home_usage": ("A service at scale: users × requests per day × days.",
                   "Un service à grande échelle : utilisateurs × requêtes par jour × jours."),
    "home_day": ("Your own day: chatbot, images, videos, your phone. What each gesture saves.",
                 "Votre journée : chatbot, images, vidéos, votre téléphone. Ce que chaque geste économise."),
    "home_runs": ("The measured runs in your store, each with its report.",
                  "Les exécutions mesurées de votre base, chacune avec son rapport."),
    "home_cases": ("Published case studies (BLOOM, GPT-3…) reproduced, then completed.",
                   "Des études publiées (BLOOM, GPT-3…) reproduites, puis complétées."),
    "day_intro": ("Tell us about an ordinary day. We count a year of it: the servers that answer, the network "
                  "that carries, and the devices in your hands.",
                  "Décrivez une journée ordinaire. Nous en comptons une année : les serveurs qui répondent, le "
                  "réseau qui transporte, et les appareils que vous avez en main."),
    "talk_advice": ("What each of us can do (the LIG talk): own fewer devices, keep them longer (repair, buy "
                    "second-hand), use a wired line or Wi-Fi rather than 4G/5G, and know the impact of what "
                    "you use.",
                    "Ce que chacun peut faire (l'exposé du LIG) : avoir moins d'appareils, les garder plus "
                    "longtemps (réparer, acheter d'occasion), utiliser le filaire ou le Wi-Fi plutôt que la "
                    "4G/5G, et avoir conscience de l'impact des technologies utilisées."),
    "not_applicable": ("not applicable", "sans objet"),
    "per_month": ("per month", "par mois"),
    "users": ("users", "utilisateurs"),
    "visible_tip": ("visible tip", "partie émergée"),
    "submerged": ("submerged", "partie immergée"),
    "how": ("How obtained", "Obtenu par"),
    "inputs": ("Inputs", "Données d'entrée"),
    "range_hint": ("Any decimal number below can be a range LOW:CENTRAL:HIGH (for example 20:24:30): "
                   "the result carries it into its low–high range.",
                   "Chaque nombre décimal ci-dessous peut être une fourchette BAS:CENTRAL:HAUT (par exemple "
                   "20:24:30 ou 1,5:2:2,5) : le résultat la reporte dans sa fourchette basse–haute."),
    "range_placeholder": ("1 or LOW:CENTRAL:HIGH", "1 ou BAS:CENTRAL:HAUT"),
    "footer": ("every number with its range and its source", "chaque chiffre avec sa fourchette et sa source"),
}


def t(key: str, lang: str) -> str:
    pair = T.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "fr" else pair[0]
