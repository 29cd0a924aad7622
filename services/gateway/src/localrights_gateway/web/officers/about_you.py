"""“About you” questions offered ready-made to consultations: asked only to show results
by group, always optional, their options written in the interface's languages."""

from __future__ import annotations

from typing import Any

# The officer completes the other languages, and writes the districts.
ABOUT_YOU: dict[str, dict[str, Any]] = {
    "age": {
        "title": {"en": "Your age", "fr": "Votre âge", "es": "Su edad"},
        "options": {
            "en": ["Under 18", "18 to 29", "30 to 59", "60 or more"],
            "fr": ["Moins de 18 ans", "18 à 29 ans", "30 à 59 ans", "60 ans ou plus"],
            "es": ["Menos de 18", "18 a 29", "30 a 59", "60 o más"],
        },
    },
    "gender": {
        "title": {"en": "Your gender", "fr": "Votre genre", "es": "Su género"},
        "options": {
            "en": ["Woman", "Man", "In another way"],
            "fr": ["Femme", "Homme", "Autrement"],
            "es": ["Mujer", "Hombre", "De otra manera"],
        },
    },
    "disability": {
        "title": {
            "en": "Do you have a disability?",
            "fr": "Avez-vous un handicap ?",
            "es": "¿Tiene una discapacidad?",
        },
        "options": {"en": ["Yes", "No"], "fr": ["Oui", "Non"], "es": ["Sí", "No"]},
    },
    "migrant": {
        "title": {
            "en": "Were you born in another country?",
            "fr": "Êtes-vous né·e dans un autre pays ?",
            "es": "¿Nació en otro país?",
        },
        "options": {"en": ["Yes", "No"], "fr": ["Oui", "Non"], "es": ["Sí", "No"]},
    },
    "district": {
        "title": {
            "en": "Where do you live?",
            "fr": "Où habitez-vous ?",
            "es": "¿Dónde vive?",
        },
        "options": {},
    },
}
