"""Names inside sentences: articles, contractions and prepositions in each language.

A catalog sentence such as "Official accounts {of_entity}" needs the name in the form the
language gives it there: "of the Ministry of Health", "du ministère de la Santé",
"لوزارة الصحة". These forms are derived from the name itself (its first word decides the
French article and gender; an English name of a body takes "the"; Arabic joins the
preposition لـ to the word, with ال and hamza forms), so no translator has to write them
for hundreds of bodies.
"""

from __future__ import annotations

import re
from typing import Literal

Lang = Literal["ar", "en", "fr"]

_ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
_JOINED_LAM = re.compile(r"لـ(ال)?(?=[\u0621-\u064a])")
"""لـ written before an Arabic word: the catalog's way of saying "of" before a name."""

_FR_MASCULINE = frozenset(
    [
        "ministère",
        "commandement",
        "centre",
        "conseil",
        "fonds",
        "programme",
        "secrétariat",
        "bureau",
        "comité",
        "institut",
        "émirat",
        "gouvernorat",
        "tribunal",
        "office",
        "port",
        "hôpital",
        "musée",
        "parc",
        "club",
        "service",
        "groupe",
        "réseau",
        "système",
        "registre",
        "observatoire",
        "corps",
        "département",
        "établissement",
        "organisme",
        "portail",
        "complexe",
        "cabinet",
        "palais",
        "collège",
        "diwan",
        "parquet",
    ]
)
_FR_FEMININE = frozenset(
    [
        "autorité",
        "poste",
        "corporation",
        "agence",
        "commission",
        "banque",
        "université",
        "plateforme",
        "direction",
        "municipalité",
        "cour",
        "organisation",
        "académie",
        "présidence",
        "ambassade",
        "bibliothèque",
        "société",
        "fondation",
        "chambre",
        "compagnie",
        "entreprise",
        "association",
        "garde",
        "école",
        "caisse",
        "fédération",
        "unité",
        "administration",
        "mairie",
        "haute",
        "maison",
        "mosquée",
        "présidente",
        "instance",
        "inspection",
        "assemblée",
    ]
)
_FR_PLURAL = frozenset({"forces", "services"})
_FR_LOWERCASE = frozenset({"ministère"})
"""French typography writes "le ministère de la Santé": the ministry's noun is not capitalized
after an article; other bodies keep their capital ("l'Autorité générale des statistiques")."""
_VOWEL_START = re.compile(r"^[aeiouyhâàéèêëîïôöûüœAEIOUYHÂÀÉÈÊËÎÏÔÖÛÜŒ]")

_EN_COMMON = re.compile(
    r"\b(ministry|authority|commission|centre|center|council|fund|bank|programme|program|"
    r"agency|presidency|embassy|university|institute|academy|court|organization|"
    r"organisation|directorate|municipality|emirate|governorate|corporation|company|"
    r"hospital|library|chamber|committee|office|port|ports|platform|foundation|society|"
    r"association|secretariat|general|national|royal|saudi|guard|administration|"
    r"department|college|observatory|house|complex|system)\b",
    re.IGNORECASE,
)
_EN_NO_ARTICLE = re.compile(r"^(the|king|prince|princess|imam|queen)\b", re.IGNORECASE)
"""Names that already have an article, or that start with a person's name ("King Saud
University", "Imam Mohammad Ibn Saud Islamic University") read without one."""


def fix_arabic(text: str) -> str:
    """لـ joined to an Arabic word as Arabic writes it: لـالهيئة → للهيئة, لـأبشر → لأبشر,
    لـوزارة → لوزارة. Before a Latin name or a number the separate form لـ stays."""
    return _JOINED_LAM.sub(_join_lam, text)


def _join_lam(match: re.Match[str]) -> str:
    return "لل" if match.group(1) else "ل"


def _arabic_of(name: str) -> str:
    if name.startswith("ال"):
        return "لل" + name[2:]
    if _ARABIC_LETTER.match(name):
        return "ل" + name
    return "لـ" + name


def subject(name: str, lang: Lang) -> str:
    """The name as the subject or object of a sentence: "the Ministry of Health",
    "le ministère de la Santé", "وزارة الصحة"."""
    if lang == "en":
        if name.startswith("The "):
            return "the " + name[4:]
        return f"the {name}" if _takes_english_article(name) else name
    if lang == "fr":
        article, noun = _french_article(name)
        return f"{article}{noun}"
    return name


def of(name: str, lang: Lang) -> str:
    """The name after "of": "of the Ministry of Health", "du ministère de la Santé",
    "de l'Autorité…", "d'Absher", "لوزارة الصحة", "للهيئة العامة للإحصاء"."""
    if lang == "en":
        return f"of {subject(name, lang)}"
    if lang == "fr":
        article, noun = _french_article(name)
        if article == "le ":
            return f"du {noun}"
        if article == "les ":
            return f"des {noun}"
        if article:
            return f"de {article}{noun}"
        return f"d'{noun}" if _VOWEL_START.match(noun) else f"de {noun}"
    return _arabic_of(name)


def _takes_english_article(name: str) -> bool:
    if _EN_NO_ARTICLE.match(name):
        return False
    return bool(_EN_COMMON.search(name))


def _french_article(name: str) -> tuple[str, str]:
    """(article with its space or apostrophe, the name as it follows the article)."""
    lowered = name.lower()
    for article in ("les ", "le ", "la ", "l'", "l’"):
        if lowered.startswith(article):
            rest = name[len(article) :]
            return ("l'" if article in ("l'", "l’") else article), rest
    first = lowered.split(" ", 1)[0].split("-", 1)[0]
    if first in _FR_LOWERCASE:
        name = name[0].lower() + name[1:]
    if first in _FR_PLURAL:
        return "les ", name
    if first in _FR_MASCULINE or first in _FR_FEMININE:
        if _VOWEL_START.match(first):
            return "l'", name
        return ("le " if first in _FR_MASCULINE else "la "), name
    return "", name


def ordinal(n: int, lang: Lang) -> str:
    """A position in a handle: "8th", "8e" (1er), "رقم 8"."""
    if lang == "en":
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    if lang == "fr":
        return "1er" if n == 1 else f"{n}e"
    return f"رقم {n}"
