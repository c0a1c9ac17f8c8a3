"""Build the bundled registry (knowledge/registry/bundled/*.yaml) from the seed data.

Usage::

    .venv/bin/python scripts/build_bundled_registry.py [--data ../shared/data]
                                                       [--out knowledge/registry/bundled]

Reads (the seed data folder, by default ``../shared/data`` relative to the repository root;
its README.md describes the files):

- ``saudi_entities.csv``: 120 curated entities with their accounts and spokespeople;
- ``aured_accounts.csv``: accounts read from the AuRED dataset (a second, independent source);
- ``govsa_directory.csv``: the 360 entities of the national directory (my.gov.sa);
- ``suspect_handles.csv``: handles that must never be called official.

Writes, through ``knowledge.registry.yaml_io.dump_registry``, and then validates the folder
with ``knowledge.registry.validation.load_registry`` (zero problems or the script fails):

- ``entities.yaml``: every curated row as an entity, plus what AuRED adds;
- ``directory.yaml``: the directory's entities that are not already curated (deduplicated by
  my.gov.sa agency id, by website host and by normalised Arabic or English name), known by
  name and website only, without accounts;
- ``non_official.yaml``: the suspect handles and every ambiguous or conflicting candidate.

The output is deterministic (same input, byte-identical files) and the script re-runnable.
It prints a short report: counts, and every item skipped with the reason.

Conversion rules, in brief (the data is messy; it is cleaned, never copied as junk, and no
handle is ever invented):

- Ids are stable slugs: the English abbreviation when the data gives one (``mofa``, ``hrsd``),
  else a short slug of the English name, chosen in ``CURATED``; directory-only entities get
  the slug of their English name, made unique with a numeric suffix.
- Names: remarks are stripped from names. An abbreviation in parentheses becomes an alias
  (``Ministry of Foreign Affairs (MOFA)``); any other remark (``defunct: ...``, ``[English
  name not found ...]``) goes to the entity's note, and status information to the status
  fields. French names of curated entities come from ``CURATED``; platform names stay proper
  names. Directory-only entities carry no French name.
- Kinds: ``CURATED_KINDS`` maps the CSV kinds, ``DIRECTORY_CATEGORIES`` the directory
  categories; the directory's "Other" rows get a kind inferred from the name
  (``infer_kind``), and a few wrongly filed rows are corrected in ``DIRECTORY_KIND_FIXES``.
- Parents only where the row says so (``directorate (MOI)``, ``Absher (MOI e-services
  platform)``); renamed, merged and split bodies get status, successors and status_date as
  given by the data's README ("Renames to know"), never more precise than the data.
- Websites: a clean URL only; a remark in the cell goes to the note; ``https://`` is added
  when missing; session junk of portal URLs is cut.
- Evidence: the row's source cell split on `` | `` (and on stray comma runs), checked
  ``2026-11`` (the data's date). Entity and main X account: high -> confirmed, medium ->
  unconfirmed. Items of other_handles carry their own tag: 2src, 3+src and "official page
  per Khatauat" -> confirmed; API-derived -> the row's confidence when high, else
  unconfirmed; news -> the row's confidence; 1src, unverified, AMBIGUOUS, conflicting ->
  unconfirmed. The tag goes to the evidence note. An account keeps the fragments of the
  source cell that are about it when that can be told (``account_sources``).
- other_handles items ``platform(role):handle[tag]``: roles map onto AccountRole
  (``ROLES``); ``x user id N`` is the main X account's platform_id; "A OR B", "A vs B" and
  every handle listed in suspect_handles.csv go to non_official, never to accounts.
  Accounts of bodies that no longer exist are former accounts.
- AuRED: ``same`` rows add AuRED as a second source (confirmed); ``new`` rows add an
  unconfirmed account (ministers' own accounts get role ``minister``); ``new entity`` rows
  become entities, or take over the directory's entity when it has them; the ``different``
  row (@gsaksa) is a former, unconfirmed account of the General Sports Authority.
- suspect_handles.csv: one non_official entry per handle, with the entity it imitates when
  that entity is in the registry. Rows that are not handles on a supported platform are
  skipped and reported (see ``SUSPECT_SKIPS``).
- Spokespeople are parsed with the help of ``SPOKESPEOPLE``; every name written there must
  appear in the CSV cell, so a changed CSV fails loudly instead of drifting.

Judgement calls (also in comments where they are made):

- A handle listed in suspect_handles.csv is never an account, even when a curated row gives
  it as the main account (Taif Municipality's @tc_gov; its X user id goes to the note).
- @saudimomrah (on the MOMRAH and MOMAH rows) is written once, as a former account of
  MOMRAH with its X user id; the MOMAH row's tag and role are kept in its notes.
- Accounts of bodies that no longer exist are former accounts (e.g. the Ministry of
  Housing's LinkedIn page).
- @gsaksa's X id is "inferred" by the data: it stays in the note, not in platform_id.
- AuRED's Saudi Health Council is directory entry 17522: it is written in entities.yaml
  (with its account) and not repeated in directory.yaml. AuRED's "regional" account of
  Jeddah Health Affairs is that directorate's main account.
- An earlier spokesperson with no end date in the data gets no 'until' (inferred dates are
  not written); 'as_of' and the note say the information is old.
- When the source cell does not tell which fragments name an account, the account keeps
  the row's fragments and its evidence note says so (``UNTOLD_SOURCES``).
- "Same" in suspect_handles.csv's note column repeats the note of the row above.
- Directory names cut off or misspelt by the crawl are corrected in ``DIRECTORY_EN_FIXES``,
  the nine rows without an English name get one in ``DIRECTORY_EN_SUPPLIED`` (both say so
  in the entity's note); its two test entries are skipped.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import textwrap
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from knowledge.normalize import normalize
from knowledge.registry.handles import FORMATS, Platform, handle_key
from knowledge.registry.schema import (
    Account,
    AccountRole,
    AccountStatus,
    Confidence,
    Entity,
    EntityKind,
    EntityStatus,
    Evidence,
    LocalizedText,
    NonOfficial,
    NonOfficialReason,
    Registry,
    Spokesperson,
)
from knowledge.registry.validation import RegistryInvalid, load_registry
from knowledge.registry.yaml_io import dump_registry

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT = REPO_ROOT / "knowledge" / "registry" / "bundled"

CHECKED = "2026-11"
"""The seed data's README: compiled from public sources as of 2026-11."""

AURED_SOURCE = (
    "AuRED dataset (repository AuRED2024/AuRED): timelines of Saudi authority accounts, "
    "tweets 2017-2023"
)
HEADER = (
    "# Generated by scripts/build_bundled_registry.py from the seed data (saudi_entities.csv,\n"
    "# aured_accounts.csv, govsa_directory.csv, suspect_handles.csv). Do not edit by hand:\n"
    "# change the data or the script and run it again.\n"
)

# --------------------------------------------------------------------------------------
# Curated entities (saudi_entities.csv)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Curated:
    """What the registry editors add to one curated row: its id and French name, and what
    the row says in prose (parent, status) in structured form."""

    id: str
    fr: str
    parent: str | None = None
    status: EntityStatus = EntityStatus.ACTIVE
    successors: tuple[str, ...] = ()
    status_date: str | None = None
    aliases: tuple[str, ...] = ()
    """Further names the row gives in prose (each must appear in the row)."""


# The Arabic spelling of an abbreviation or short name that the row gives in Latin letters
# (or, for نزاهة and منشآت, the Arabic of the row's Latin short name): people type these,
# and matching must never guess abbreviations fuzzily. Each Latin form must be in its row.
ARABIC_SHORT_NAMES: dict[str, tuple[str, tuple[str, ...]]] = {
    "sdaia": ("SDAIA", ("سدايا",)),
    "sama": ("SAMA", ("ساما",)),
    "zatca": ("ZATCA", ("زاتكا",)),
    "nazaha": ("Nazaha", ("نزاهة",)),
    "monshaat": ("Monsha'at", ("منشآت",)),
    "hrdf": ("Hadaf", ("هدف",)),
    "jawazat": ("Jawazat", ("الجوازات",)),
    "absher": ("Absher", ("ابشر",)),
}

_R = EntityStatus.RENAMED
_M = EntityStatus.MERGED
_FEB_2020 = "2020-02-25"  # README: "25 Feb 2020 ... became ..."

# Keyed by the English name once its remarks are stripped. Status dates are the README's
# ("Renames to know") or the row's own, as precise as they are given there.
CURATED: dict[str, Curated] = {
    "Ministry of Foreign Affairs": Curated("mofa", "Ministère des Affaires étrangères"),
    "Ministry of Interior": Curated("moi", "Ministère de l'Intérieur"),
    "Ministry of Defense": Curated("mod", "Ministère de la Défense"),
    "Ministry of National Guard": Curated("sang", "Ministère de la Garde nationale"),
    "Ministry of Finance": Curated("mof", "Ministère des Finances"),
    "Ministry of Economy and Planning": Curated(
        "mep", "Ministère de l'Économie et de la Planification"
    ),
    "Ministry of Health": Curated("moh", "Ministère de la Santé"),
    "Ministry of Education": Curated("moe", "Ministère de l'Éducation"),
    "Ministry of Justice": Curated("moj", "Ministère de la Justice"),
    "Ministry of Islamic Affairs, Dawah and Guidance": Curated(
        "moia", "Ministère des Affaires islamiques, de la Prédication et de l'Orientation"
    ),
    "Ministry of Hajj and Umrah": Curated("mohu", "Ministère du Hajj et de la Omra"),
    "Ministry of Human Resources and Social Development": Curated(
        "hrsd", "Ministère des Ressources humaines et du Développement social"
    ),
    "Ministry of Commerce": Curated("mc", "Ministère du Commerce"),
    "Ministry of Investment": Curated("misa", "Ministère de l'Investissement"),
    "Ministry of Industry and Mineral Resources": Curated(
        "mim", "Ministère de l'Industrie et des Ressources minérales"
    ),
    "Ministry of Energy": Curated("ministry-of-energy", "Ministère de l'Énergie"),
    "Ministry of Environment, Water and Agriculture": Curated(
        "mewa", "Ministère de l'Environnement, de l'Eau et de l'Agriculture"
    ),
    "Ministry of Municipalities and Housing": Curated(
        "momah", "Ministère des Municipalités et du Logement"
    ),
    "Ministry of Transport and Logistics Services": Curated(
        "mot", "Ministère des Transports et des Services logistiques"
    ),
    "Ministry of Communications and Information Technology": Curated(
        "mcit", "Ministère des Communications et des Technologies de l'information"
    ),
    "Ministry of Media": Curated(
        "ministry-of-media", "Ministère des Médias", aliases=("Ministry of Information",)
    ),
    "Ministry of Culture": Curated("moc", "Ministère de la Culture"),
    "Ministry of Tourism": Curated("mt", "Ministère du Tourisme"),
    "Ministry of Sport": Curated("mos", "Ministère des Sports"),
    # The 11 defunct or renamed bodies.
    "Ministry of Civil Service": Curated(
        "ministry-of-civil-service",
        "Ministère de la Fonction publique",
        status=_M,
        successors=("hrsd",),
        status_date=_FEB_2020,
    ),
    "Ministry of Labor and Social Development": Curated(
        "mlsd",
        "Ministère du Travail et du Développement social",
        status=_R,
        successors=("hrsd",),
        status_date=_FEB_2020,
    ),
    # The data gives no date for the Ministry of Labor becoming MLSD.
    "Ministry of Labor": Curated(
        "ministry-of-labor", "Ministère du Travail", status=_R, successors=("mlsd",)
    ),
    "Ministry of Commerce and Investment": Curated(
        "mci",
        "Ministère du Commerce et de l'Investissement",
        status=_R,
        successors=("mc",),
        status_date=_FEB_2020,
    ),
    "Saudi Arabian General Investment Authority": Curated(
        "sagia",
        "Autorité générale de l'investissement d'Arabie saoudite",
        status=_R,
        successors=("misa",),
        status_date=_FEB_2020,
    ),
    "General Sports Authority": Curated(
        "gsa",
        "Autorité générale des sports",
        status=_R,
        successors=("mos",),
        status_date=_FEB_2020,
    ),
    "Saudi Commission for Tourism and National Heritage": Curated(
        "scth",
        "Commission saoudienne du tourisme et du patrimoine national",
        status=_R,
        successors=("mt",),
        status_date=_FEB_2020,
    ),
    # Split on 2 Jun 2018: the new Ministry of Culture, and the remainder renamed
    # Ministry of Information (now Media): "renamed" with both successors.
    "Ministry of Culture and Information": Curated(
        "ministry-of-culture-and-information",
        "Ministère de la Culture et de l'Information",
        status=_R,
        successors=("moc", "ministry-of-media"),
        status_date="2018-06-02",
    ),
    "Ministry of Housing": Curated(
        "ministry-of-housing",
        "Ministère du Logement",
        status=_M,
        successors=("momrah",),
        status_date="2021-01",
    ),
    "Ministry of Municipal and Rural Affairs and Housing": Curated(
        "momrah",
        "Ministère des Affaires municipales et rurales et du Logement",
        status=_R,
        successors=("momah",),
        status_date="2024-07-21",
    ),
    # Split in Aug 2019: the Ministry of Energy kept the body, MIM was split off.
    "Ministry of Energy, Industry and Mineral Resources": Curated(
        "ministry-of-energy-industry-and-mineral-resources",
        "Ministère de l'Énergie, de l'Industrie et des Ressources minérales",
        status=_R,
        successors=("ministry-of-energy", "mim"),
        status_date="2019-08",
    ),
    # Directorates of the Ministry of Interior (kind "directorate (MOI)").
    "General Directorate of Civil Defense": Curated(
        "dcd", "Direction générale de la Défense civile", parent="moi"
    ),
    "General Directorate of Passports": Curated(
        "jawazat", "Direction générale des Passeports", parent="moi"
    ),
    "General Directorate of Public Security": Curated(
        "public-security", "Direction générale de la Sécurité publique", parent="moi"
    ),
    "General Directorate of Border Guards": Curated(
        "border-guards", "Direction générale des Garde-frontières", parent="moi"
    ),
    "General Directorate of Traffic": Curated(
        "traffic", "Direction générale de la Circulation", parent="moi"
    ),
    "Absher": Curated("absher", "Absher", parent="moi"),
    "Saudi Press Agency": Curated("spa", "Agence de presse saoudienne"),
    "Saudi Central Bank": Curated("sama", "Banque centrale saoudienne"),
    "Capital Market Authority": Curated("cma", "Autorité des marchés financiers"),
    "Saudi Food and Drug Authority": Curated(
        "sfda", "Autorité saoudienne des aliments et des médicaments"
    ),
    "General Authority for Statistics": Curated("gastat", "Autorité générale des statistiques"),
    "Zakat, Tax and Customs Authority": Curated(
        "zatca", "Autorité de la zakat, des impôts et des douanes"
    ),
    "General Organization for Social Insurance": Curated(
        "gosi", "Organisation générale de l'assurance sociale"
    ),
    "Oversight and Anti-Corruption Authority": Curated(
        "nazaha", "Autorité de contrôle et de lutte contre la corruption"
    ),
    "Digital Government Authority": Curated("dga", "Autorité du gouvernement numérique"),
    "Saudi Data and Artificial Intelligence Authority": Curated(
        "sdaia", "Autorité saoudienne des données et de l'intelligence artificielle"
    ),
    "Tawakkalna": Curated("tawakkalna", "Tawakkalna", parent="sdaia"),
    "Communications, Space and Technology Commission": Curated(
        "cst", "Commission des communications, de l'espace et de la technologie"
    ),
    "National Cybersecurity Authority": Curated("nca", "Autorité nationale de cybersécurité"),
    "General Entertainment Authority": Curated("gea", "Autorité générale du divertissement"),
    "Saudi Tourism Authority": Curated("sta", "Autorité saoudienne du tourisme"),
    "Human Rights Commission": Curated("hrc", "Commission des droits de l'homme"),
    "Public Prosecution": Curated("public-prosecution", "Ministère public"),
    "Small and Medium Enterprises General Authority": Curated(
        "monshaat", "Autorité générale des petites et moyennes entreprises"
    ),
    "General Real Estate Authority": Curated("rega", "Autorité générale de l'immobilier"),
    "National Center for Meteorology": Curated("ncm", "Centre national de météorologie"),
    "Saudi Red Crescent Authority": Curated("srca", "Autorité du Croissant-Rouge saoudien"),
    "General Authority of Civil Aviation": Curated(
        "gaca", "Autorité générale de l'aviation civile"
    ),
    "Transport General Authority": Curated("tga", "Autorité générale des transports"),
    "Public Health Authority": Curated("pha", "Autorité de santé publique"),
    "Council of Health Insurance": Curated("chi", "Conseil de l'assurance maladie"),
    "Royal Commission for Riyadh City": Curated("rcrc", "Commission royale pour la ville de Riyad"),
    "Royal Commission for AlUla": Curated("rcu", "Commission royale pour AlUla"),
    "National Events Center": Curated("nec", "Centre national des événements"),
    "Government Communication centre": Curated("cgc", "Centre de communication gouvernementale"),
    "Human Resources Development Fund": Curated(
        "hrdf", "Fonds de développement des ressources humaines"
    ),
    "Technical and Vocational Training Corporation": Curated(
        "tvtc", "Corporation de la formation technique et professionnelle"
    ),
    "Institute of Public Administration": Curated("ipa", "Institut d'administration publique"),
    "National eLearning Center": Curated("nelc", "Centre national de l'apprentissage en ligne"),
    "King Salman Global Academy for Arabic Language": Curated(
        "king-salman-arabic-language-academy",
        "Académie mondiale du roi Salmane pour la langue arabe",
    ),
    "Research, Development and Innovation Authority": Curated(
        "rdia", "Autorité de la recherche, du développement et de l'innovation"
    ),
    "National Center for Environmental Compliance": Curated(
        "ncec", "Centre national de contrôle de la conformité environnementale"
    ),
    "Family Affairs Council": Curated("family-affairs-council", "Conseil des affaires familiales"),
    "National Center for Non-Profit Sector": Curated(
        "ncnp", "Centre national pour le développement du secteur non lucratif"
    ),
    "Public Investment Fund": Curated("pif", "Fonds public d'investissement"),
    "Saudi Vision 2030": Curated("vision-2030", "Vision saoudienne 2030"),
    "Balady": Curated("balady", "Balady", parent="momah"),
    "Sakani": Curated("sakani", "Sakani"),
    "Etimad": Curated("etimad", "Etimad", parent="mof"),
    "Musaned": Curated("musaned", "Musaned", parent="hrsd"),
    "Saudi Business Center": Curated("saudi-business-center", "Centre saoudien des affaires"),
    "Royal Court": Curated("royal-court", "Cour royale"),
    "Shura Council": Curated("shura-council", "Conseil de la Choura"),
    "Board of Grievances": Curated("board-of-grievances", "Conseil des doléances"),
    "Insurance Authority": Curated("ia", "Autorité des assurances"),
    # Municipalities (amanat).
    "Riyadh Region Municipality": Curated(
        "riyadh-municipality", "Municipalité de la région de Riyad"
    ),
    "Jeddah Municipality": Curated("jeddah-municipality", "Municipalité de Djeddah"),
    "Holy Makkah Municipality": Curated(
        "holy-makkah-municipality", "Municipalité de la Sainte Mecque"
    ),
    "Madinah Region Municipality": Curated(
        "madinah-municipality", "Municipalité de la région de Médine"
    ),
    "Eastern Province Municipality": Curated(
        "eastern-province-municipality", "Municipalité de la Province orientale"
    ),
    "Aseer Region Municipality": Curated("aseer-municipality", "Municipalité de la région d'Asir"),
    "Hail Region Municipality": Curated("hail-municipality", "Municipalité de la région de Haïl"),
    "Tabuk Region Municipality": Curated(
        "tabuk-municipality", "Municipalité de la région de Tabouk"
    ),
    "Jazan Region Municipality": Curated(
        "jazan-municipality", "Municipalité de la région de Jazan"
    ),
    "Najran Region Municipality": Curated(
        "najran-municipality", "Municipalité de la région de Najran"
    ),
    "Al-Baha Region Municipality": Curated(
        "al-baha-municipality", "Municipalité de la région d'Al-Baha"
    ),
    "Al-Jouf Region Municipality": Curated(
        "al-jouf-municipality", "Municipalité de la région d'Al-Jawf"
    ),
    "Northern Borders Region Municipality": Curated(
        "northern-borders-municipality", "Municipalité de la région des Frontières du Nord"
    ),
    "Qassim Region Municipality": Curated(
        "qassim-municipality", "Municipalité de la région d'Al-Qassim"
    ),
    "Taif Municipality": Curated("taif-municipality", "Municipalité de Taïf"),
    "Al-Ahsa Municipality": Curated("al-ahsa-municipality", "Municipalité d'Al-Ahsa"),
    "Hafr Al-Batin Municipality": Curated(
        "hafr-al-batin-municipality", "Municipalité de Hafr al-Batin"
    ),
    # Regional emirates.
    "Emirate of Makkah Province": Curated("makkah-emirate", "Émirat de la province de La Mecque"),
    "Emirate of Al-Qassim Province": Curated("qassim-emirate", "Émirat de la province d'Al-Qassim"),
    "Emirate of Madinah Province": Curated("madinah-emirate", "Émirat de la province de Médine"),
    "Emirate of the Eastern Province": Curated(
        "eastern-province-emirate", "Émirat de la Province orientale"
    ),
    "Emirate of Aseer Province": Curated("aseer-emirate", "Émirat de la province d'Asir"),
    "Emirate of Hail Province": Curated("hail-emirate", "Émirat de la province de Haïl"),
    "Emirate of Northern Borders Province": Curated(
        "northern-borders-emirate", "Émirat de la province des Frontières du Nord"
    ),
    "Emirate of Jazan Province": Curated("jazan-emirate", "Émirat de la province de Jazan"),
    "Emirate of Al-Jouf Province": Curated("al-jouf-emirate", "Émirat de la province d'Al-Jawf"),
    "Emirate of Tabuk Province": Curated("tabuk-emirate", "Émirat de la province de Tabouk"),
    "Emirate of Najran Province": Curated("najran-emirate", "Émirat de la province de Najran"),
    "Emirate of Riyadh Province": Curated("riyadh-emirate", "Émirat de la province de Riyad"),
    "Emirate of Al-Baha Province": Curated("al-baha-emirate", "Émirat de la province d'Al-Baha"),
}

# The CSV's kinds. A parenthesised ministry after "directorate" is the parent (see CURATED).
CURATED_KINDS: dict[str, EntityKind] = {
    "ministry": EntityKind.MINISTRY,
    "ministry (defunct)": EntityKind.MINISTRY,
    "ministry (renamed)": EntityKind.MINISTRY,
    "authority": EntityKind.AUTHORITY,
    "authority (defunct)": EntityKind.AUTHORITY,
    "authority (news agency)": EntityKind.AGENCY,
    "directorate (MOI)": EntityKind.DIRECTORATE,
    "platform": EntityKind.PLATFORM,
    "central bank": EntityKind.BANK,
    "organization": EntityKind.ORGANIZATION,
    "center": EntityKind.CENTER,
    "royal commission": EntityKind.COMMISSION,
    "public prosecution": EntityKind.OTHER,  # neither a court nor an agency of a ministry
    "fund": EntityKind.FUND,
    "institute": EntityKind.INSTITUTE,
    "academy": EntityKind.INSTITUTE,
    "council": EntityKind.COUNCIL,
    "programme": EntityKind.PROGRAMME,
    "royal court": EntityKind.OTHER,  # the King's office, not a court of law
    "court": EntityKind.COURT,
    "municipality (amanah)": EntityKind.MUNICIPALITY,
    "regional emirate": EntityKind.EMIRATE,
}

# Roles of other_handles items: (role, status). The role text is kept in the account's
# note when it says more than the role.
ROLES: dict[str, tuple[AccountRole, AccountStatus]] = {
    "": (AccountRole.MAIN, AccountStatus.ACTIVE),
    "English": (AccountRole.ENGLISH, AccountStatus.ACTIVE),
    "international": (AccountRole.INTERNATIONAL, AccountStatus.ACTIVE),
    "customer care": (AccountRole.CUSTOMER_CARE, AccountStatus.ACTIVE),
    "care": (AccountRole.CUSTOMER_CARE, AccountStatus.ACTIVE),
    "support": (AccountRole.CUSTOMER_CARE, AccountStatus.ACTIVE),
    "Amer care channel": (AccountRole.CUSTOMER_CARE, AccountStatus.ACTIVE),
    "road communication centre / care": (AccountRole.CUSTOMER_CARE, AccountStatus.ACTIVE),
    "regional news": (AccountRole.REGIONAL, AccountStatus.ACTIVE),
    "spokesperson account": (AccountRole.SPOKESPERSON, AccountStatus.ACTIVE),
    "events brand": (AccountRole.BRAND, AccountStatus.ACTIVE),
    "Visit Saudi / روح السعودية brand": (AccountRole.BRAND, AccountStatus.ACTIVE),
    "historical": (AccountRole.MAIN, AccountStatus.FORMER),
    "historical, c.2012": (AccountRole.MAIN, AccountStatus.FORMER),
    "earlier name, c.2022": (AccountRole.MAIN, AccountStatus.FORMER),
    "alternative": (AccountRole.OTHER, AccountStatus.ACTIVE),
    "main?": (AccountRole.MAIN, AccountStatus.ACTIVE),
    "conflicting": (AccountRole.OTHER, AccountStatus.ACTIVE),
}
_PLAIN_ROLES = {"", "English", "international", "customer care", "care", "support", "historical"}
_NON_OFFICIAL_ROLES = {"conflicting"}

# A handle that two rows list: the entity it is written on once, and why.
SHARED_HANDLES: dict[tuple[Platform, str], tuple[str, str]] = {
    (Platform.X, "saudimomrah"): (
        "momrah",
        "May be the same account as @Momah_SA, renamed when the ministry became MOMAH "
        "(the seed data says: verify by the X user id).",
    ),
}


@dataclass(frozen=True)
class SpokesSpec:
    """One spokesperson as the free-text cell describes them."""

    en: str
    title_en: str
    ar: str | None = None
    since: str | None = None
    until: str | None = None
    as_of: str | None = None
    note: str | None = None


# Keyed by entity id. Every name must appear in the row's spokesperson cell; every URL of
# the person's part of the cell becomes a source.
SPOKESPEOPLE: dict[str, tuple[SpokesSpec, ...]] = {
    "moi": (
        SpokesSpec(
            "Mansour Al-Turki",
            "Security spokesman of the Ministry of Interior",
            since="2004",
            until="2020",
            note="Maj. Gen.; former spokesman, retired in 2020. The current spokesperson "
            "is not verified.",
        ),
    ),
    "moh": (
        SpokesSpec(
            "Mohammed Al-Abdulaali",
            "Spokesperson of the Ministry of Health",
            as_of="2020",
            note="Dr.; reported as the ministry's spokesman during 2020; may be outdated.",
        ),
    ),
    "moe": (
        SpokesSpec(
            "Mona Al-Ajmi",
            "Official spokesperson of the Ministry of Education",
            ar="منى العجمي",
            since="2025-08",
            as_of="2025-08-10",
            note="Appointed in Aug 2025 (report of 2025-08-10).",
        ),
        # Judgement call: the data calls her "earlier" but gives no end date, so no 'until'
        # is written (it would be inferred); as_of marks how old the information is.
        SpokesSpec(
            "Ibtisam Al-Shehri",
            "Spokesperson for general education, Ministry of Education",
            since="2019-08",
            as_of="2019-08",
            note="Earlier spokesperson: reported in Aug 2019 as the general-education "
            "spokesperson; the data does not say when her term ended (Mona Al-Ajmi has been "
            "the ministry's spokesperson since Aug 2025).",
        ),
    ),
    "mohu": (
        SpokesSpec(
            "Hisham Saeed",
            "Spokesperson of the Ministry of Hajj and Umrah",
            as_of="2021-05",
        ),
    ),
    "hrsd": (
        SpokesSpec(
            "Saad Al-Hammad",
            "Spokesperson of the Ministry of Human Resources and Social Development",
            as_of="2022-02",
        ),
    ),
    "mc": (
        SpokesSpec(
            "Abdulrahman Al-Hussain",
            "Official spokesperson of the Ministry of Commerce",
            as_of="2020",
        ),
    ),
    "dcd": (
        SpokesSpec(
            "Mohammed Al-Hammadi",
            "Spokesperson of the General Directorate of Civil Defense",
            as_of="2022",
            note="Col.; reported as spokesman in 2022.",
        ),
    ),
}

# --------------------------------------------------------------------------------------
# AuRED (aured_accounts.csv)
# --------------------------------------------------------------------------------------

# relation column -> (role, status)
AURED_RELATIONS: dict[str, tuple[AccountRole, AccountStatus]] = {
    "main": (AccountRole.MAIN, AccountStatus.ACTIVE),
    "minister's own account": (AccountRole.MINISTER, AccountStatus.ACTIVE),
    "spokesperson's account": (AccountRole.SPOKESPERSON, AccountStatus.ACTIVE),
    "media account": (AccountRole.MEDIA, AccountStatus.ACTIVE),
    # The regional directorate is an entity of its own here, so this is its main account.
    "regional": (AccountRole.MAIN, AccountStatus.ACTIVE),
    "main (2020)": (AccountRole.MAIN, AccountStatus.FORMER),
}
MINISTER_NOTE = "Personal account of the minister, not the ministry's."


@dataclass(frozen=True)
class NewEntity:
    """An entity that only AuRED names: its id, kind and French name."""

    id: str
    kind: EntityKind
    fr: str
    note: str | None = None


# Keyed by the AuRED English name without its parenthesised remark. The parent comes from
# that remark ("Jeddah Health Affairs (Ministry of Health)").
AURED_NEW_ENTITIES: dict[str, NewEntity] = {
    "Saudi Health Council": NewEntity(
        "saudi-health-council", EntityKind.COUNCIL, "Conseil de santé saoudien"
    ),
    "General Presidency for the Affairs of the Two Holy Mosques": NewEntity(
        "two-holy-mosques-presidency",
        EntityKind.PRESIDENCY,
        "Présidence générale des affaires de la Grande Mosquée et de la Mosquée du Prophète",
        note="The national directory lists instead the General Authority for the Affairs of "
        "the Grand Mosque and the Prophet's Mosque and the Presidency of Religious Affairs at "
        "the two mosques; the seed data does not say how this presidency relates to them.",
    ),
    "Jeddah Governorate": NewEntity(
        "jeddah-governorate", EntityKind.GOVERNORATE, "Gouvernorat de Djeddah"
    ),
    "Jeddah Health Affairs": NewEntity(
        "jeddah-health-affairs",
        EntityKind.DIRECTORATE,
        "Direction des affaires de santé de Djeddah",
    ),
    "Embassy of Saudi Arabia in Egypt": NewEntity(
        "embassy-egypt", EntityKind.EMBASSY, "Ambassade d'Arabie saoudite en Égypte"
    ),
}

# --------------------------------------------------------------------------------------
# Suspect handles (suspect_handles.csv)
# --------------------------------------------------------------------------------------

SUSPECT_REASONS: dict[str, NonOfficialReason] = {
    "CONFLICT": NonOfficialReason.CONFLICTING,
    "UNVERIFIED": NonOfficialReason.UNVERIFIED,
    "AMBIGUOUS": NonOfficialReason.AMBIGUOUS,
    "FLAGGED MISLEADING": NonOfficialReason.FLAGGED,
    "NOT PRIMARY": NonOfficialReason.NOT_PRIMARY,
    "LOOK-ALIKE": NonOfficialReason.IMPERSONATION,
    "PHISHING": NonOfficialReason.IMPERSONATION,
}

# claimed_for -> the entity imitated (None: not a government entity of the registry).
CLAIMED_FOR: dict[str, str | None] = {
    "Ministry of Defense": "mod",
    "Ministry of Interior": "moi",
    "Civil Defense": "dcd",
    "SDAIA": "sdaia",
    "SAMA": "sama",
    "GOSI": "gosi",
    "ZATCA": "zatca",
    "HRSD": "hrsd",
    "Ministry of Education": "moe",
    "Ministry of Justice": "moj",
    "Emirate of Riyadh": "riyadh-emirate",
    "Emirate of Al-Baha": "al-baha-emirate",
    "Taif Municipality": "taif-municipality",
    "Jeddah Season": None,
}
# For rows that name several bodies: per handle. Tuwaiq Academy, Misk and KAUST are not
# government entities of the registry; King Saud University is in the directory.
CLAIMED_PER_HANDLE: dict[str, str | None] = {
    "tuwaiq": None,
    "misk_sa": None,
    "miskfoundation": None,
    "ksu_news": "king-saud-university",
    "kaust": None,
}

# Rows of suspect_handles.csv that are not handles on a supported platform, skipped:
# - "MODA Saudi": contains a space, not a possible X handle (the data marks it INVALID);
# - "GitHub org qr-saudibosiness-gov-sa-viewcr (...)": a GitHub organisation hosting
#   look-alike copies of gov.sa portals; GitHub is no registry platform and a web domain
#   is not a handle;
# - "seadadevo/Balady_project_sidebar header.js": a look-alike Balady page whose assets sit
#   on a non-gov.sa domain; a web page, not a handle.
# and, inside a kept row, the LinkedIn candidate "وزارة-العدل", not a possible LinkedIn slug
# under the registry's format (ASCII letters, digits, - and _).
SUSPECT_SKIPS: dict[str, str] = {
    "MODA Saudi": "not a valid X handle (contains a space); the data marks it INVALID",
    "GitHub org": "a GitHub organisation of look-alike gov.sa portal clones: GitHub is not a "
    "registry platform and a web domain is not a handle",
    "seadadevo/Balady_project_sidebar": "a look-alike web page (assets on a non-gov.sa "
    "domain): a web page is not a handle on a supported platform",
}

# --------------------------------------------------------------------------------------
# The national directory (govsa_directory.csv)
# --------------------------------------------------------------------------------------

DIRECTORY_CATEGORIES: dict[str, EntityKind | None] = {
    "Ministries": EntityKind.MINISTRY,
    "الوزارات": EntityKind.MINISTRY,
    "Authorities": EntityKind.AUTHORITY,
    "الهيئات": EntityKind.AUTHORITY,
    "Centers": EntityKind.CENTER,
    "المراكز": EntityKind.CENTER,
    "Universities": EntityKind.UNIVERSITY,
    "الجامعات": EntityKind.UNIVERSITY,
    "Development Funds and Banks": EntityKind.FUND,  # BANK when the name says "Bank"
    "الصناديق": EntityKind.FUND,
    "Municipalities": EntityKind.MUNICIPALITY,
    "الأمانات": EntityKind.MUNICIPALITY,
    "Organizations": EntityKind.ORGANIZATION,
    "المؤسسات": EntityKind.ORGANIZATION,
    "Emirates": EntityKind.EMIRATE,
    "الإمارات": EntityKind.EMIRATE,
    "Councils": EntityKind.COUNCIL,
    "المجالس": EntityKind.COUNCIL,
    "Directorates": EntityKind.DIRECTORATE,
    "المديريات": EntityKind.DIRECTORATE,
    "Programs": EntityKind.PROGRAMME,
    "البرامج": EntityKind.PROGRAMME,
    "Presidencies": EntityKind.PRESIDENCY,
    "الرئاسات": EntityKind.PRESIDENCY,
    "Courts": EntityKind.COURT,
    "الدواوين": EntityKind.COURT,
    "Other": None,  # inferred from the name, else OTHER
    "اخرى": None,
}

# Rows the directory files under a category their name contradicts (by my.gov.sa id).
DIRECTORY_KIND_FIXES: dict[str, EntityKind] = {
    "17963": EntityKind.COMMISSION,  # Bankruptcy Commission, filed under Municipalities
    "18116": EntityKind.OTHER,  # Special Forces for Environmental Security, under Ministries
    "17909": EntityKind.OTHER,  # King Faisal Medical City, under Ministries
    "18275": EntityKind.INSTITUTE,  # Prince Saud Al Faisal Institute, under Ministries
    "17342": EntityKind.OTHER,  # National Guard Health Affairs (not a ministry), Ministries
    "18023": EntityKind.OTHER,  # King Abdulaziz Complex for Endowment Libraries, Councils
    "18161": EntityKind.OTHER,  # Strategy Office for Developing Jazan, Authorities
    "18281": EntityKind.OTHER,  # Strategic Office for the Northern Borders, Authorities
}

# Directory rows that are not government entities.
DIRECTORY_SKIPS: dict[str, str] = {
    "319731": "a test entry of the directory ('Test Agency AC999'), not a government body",
    "18143": "a test entry of the directory ('AMER-TEST', تجريبي), not a government body",
}

# English names cut off at 80 characters or misspelt by the directory, corrected; the note
# of the entity keeps the directory's spelling.
DIRECTORY_EN_FIXES: dict[str, str] = {
    "17333": "The General Authority for the Affairs of the Grand Mosque and the Prophet's Mosque",
    "17735": "General Commission for the Guardianship of Trust Funds for Minors and their "
    "Counterparts",
    "17789": "Custodian of the Two Holy Mosques King Salman bin Abdulaziz Al Saud Complex for "
    "the Prophetic Hadith",
    "17972": "The National Research and Development Center for Sustainable Agriculture (Estidamah)",
    "18311": "The General Organization for the Conservation of Coral Reefs and Turtles in the "
    "Red Sea",
    "17420": "Imam Mohammed Bin Saud Islamic University",  # "Immam"
    "17516": "King Khalid Military Academy",  # "King khalid"
    "17801": "Saudi Space Agency",  # "The Saudi Space" (وكالة الفضاء السعودية)
    "17942": "Council of Universities' Affairs",  # "Universities's"
    "18008": "National Center for Government Resources Systems",  # "Sys."
    "18185": "National Committee for the Welfare of Inmates, the Released and their Families",
    "18266": "National Center for Monitoring and Inspection",  # all capitals
    "2033342": "Private Sector Partnership Program Center",  # "privet sector partnership program"
}

# Rows with no English name: an English name supplied by the editors (needed for the id).
DIRECTORY_EN_SUPPLIED: dict[str, str] = {
    "17324": "Saudi Arabian Airlines (Saudia)",
    "17537": "King Abdulaziz City for Science and Technology (KACST)",
    "17726": "King Saud University Medical City",
    "17834": "King Abdullah Medical City in Makkah",
    "17846": "Saudi Contractors Authority",
    "17870": "Museums Commission",
    "17903": "State Properties General Authority",
    "17954": "National Center for Waste Management",
    "18017": "King Abdullah bin Abdulaziz Center for Language Planning and Policies",
}

# Website cells that are not the entity's website (None) or carry session state.
DIRECTORY_WEBSITE_FIXES: dict[str, tuple[str | None, str]] = {
    "17669": (
        "http://eca.gov.sa",
        "The directory gives a session-bound portal page of eca.gov.sa; the site root is kept.",
    ),
    "18146": (
        None,
        "The directory gives a LinkedIn page (linkedin.com/company/soj-gov-sa) as the "
        "website; it is not recorded as an account (one source).",
    ),
    "18287": (None, "The directory gives its own page (my.gov.sa) as the website."),
    "18230": (
        "https://www.moc.gov.sa/en",
        "The directory gives the Ministry of Culture's site as the website.",
    ),
}
UNTOLD_SOURCES = "The row's sources do not say which of them name this account."
DIRECTORY_NOTE_EN_FIXED = "English name corrected; the directory writes it '{raw}'."
DIRECTORY_NOTE_EN_SUPPLIED = "The directory gives no English name; this one is the editors'."

# --------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_URL = re.compile(r"https?://[^\s)]+")
_ABBREVIATION = re.compile(r"[A-Z\u0600-\u06ff][\w'\u0600-\u06ff-]*")
_EN_STOPWORDS = {"the", "of", "for", "and", "in", "at"}
_AGENCY_REF = re.compile(r"my\.gov\.sa directory https://www\.my\.gov\.sa/en/agencies/(\d+)")


def squash(text: str) -> str:
    """One space between words, none around."""
    return _SPACES.sub(" ", text).strip()


def sentence(text: str) -> str:
    """A remark as a sentence of a note."""
    text = squash(text)
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def join_notes(parts: Iterable[str | None]) -> str | None:
    kept = [p for p in parts if p]
    return " ".join(dict.fromkeys(kept)) if kept else None


def split_sources(cell: str) -> list[str]:
    """A source cell as a list: split on ' | ' and on stray comma runs; empty fragments and
    leftovers of removed repository names ('+  (') are dropped."""
    fragments: list[str] = []
    for part in re.split(r"\s\|\s|,{2,}", cell):
        part = re.sub(r"\s+\+\s+\(", " (", part)
        part = squash(part).strip(" ,;|")
        if part and part not in fragments:
            fragments.append(part)
    return fragments


def split_top_level(text: str, separator: str) -> list[str]:
    """Split on a separator outside brackets and parentheses."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        if char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def norm_en(text: str) -> str:
    """An English name for comparison: lower-case words without small words or remarks."""
    text = re.sub(r"\([^)]*\)?", " ", text)
    words = re.findall(r"[a-z0-9]+", text.lower())
    return " ".join(w for w in words if w not in _EN_STOPWORDS)


def norm_ar(text: str) -> str:
    """An Arabic name for comparison: remarks dropped, then the matching form of questions
    and registry names (`knowledge.normalize`), without spaces."""
    return normalize(re.sub(r"\([^)]*\)?", " ", text)).replace(" ", "")


def slugify(text: str, max_length: int = 60) -> str:
    """A lower-case slug of an English name, without a leading 'the' or parentheses."""
    text = re.sub(r"\([^)]*\)?", " ", text)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower().replace("'", ""))
    if words and words[0] == "the":
        words = words[1:]
    slug = "-".join(words)
    if len(slug) > max_length:
        while len(slug) > max_length and "-" in slug:
            slug = slug.rsplit("-", 1)[0]
        while slug.rsplit("-", 1)[-1] in _EN_STOPWORDS and "-" in slug:
            slug = slug.rsplit("-", 1)[0]
    if not slug:
        raise ValueError(f"no slug can be made of {text!r}")
    return slug


@dataclass
class Name:
    """A name cell taken apart: the name itself, aliases and remarks."""

    text: str
    aliases: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)


def parse_name(cell: str) -> Name:
    """'Ministry of Foreign Affairs (MOFA)' -> name + alias MOFA; other parenthesised or
    bracketed text is a remark; '(اسم الحساب: X)' makes X an alias."""
    name = Name(text="")
    remainder = cell
    for bracketed in re.findall(r"\[[^\]]*\]", remainder):
        name.remarks.append(bracketed.strip("[]"))
        remainder = remainder.replace(bracketed, " ")
    for inner in re.findall(r"\(([^()]*)\)", remainder):
        remainder = remainder.replace(f"({inner})", " ")
        for part in (p.strip() for p in inner.split(";")):
            account_name = re.fullmatch(r"اسم الحساب:\s*(.+)", part)
            tokens = [t.strip() for t in part.split(" / ")]
            if account_name:
                name.aliases.append(account_name.group(1).strip())
            elif all(_ABBREVIATION.fullmatch(t) for t in tokens):
                name.aliases.extend(tokens)
            elif part:
                name.remarks.append(part)
    name.text = squash(remainder)
    return name


def clean_url(url: str) -> str:
    """A website: https:// when the scheme is missing, portal session state cut off."""
    url = url.strip()
    if not re.match(r"https?://", url):
        url = "https://" + url
    return re.sub(r"/(?:%21|!)ut/p/.*$", "", url)


def parse_website(cell: str) -> tuple[str | None, str | None]:
    """'https://x.gov.sa (legacy)' -> ('https://x.gov.sa', 'legacy')."""
    cell = squash(cell)
    if not cell:
        return None, None
    match = re.fullmatch(r"(\S+)(?:\s+\((.*)\))?", cell)
    if not match:
        raise ValueError(f"website cell not understood: {cell!r}")
    return clean_url(match.group(1)), match.group(2)


def host_key(url: str | None) -> str | None:
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None


def valid_handle(platform: Platform, handle: str) -> bool:
    return FORMATS[platform].is_valid(handle)


def mentions(fragment: str, handle: str) -> bool:
    """Whether a source fragment names the handle (its last path segment for YouTube)."""
    word = handle.split("/")[-1]
    pattern = rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])"
    return re.search(pattern, fragment, flags=re.IGNORECASE) is not None


def evidence(sources: Sequence[str], confidence: Confidence, note: str | None = None) -> Evidence:
    if not sources:
        raise ValueError("a record without sources")
    return Evidence(
        sources=list(dict.fromkeys(sources)), checked=CHECKED, confidence=confidence, note=note
    )


def row_confidence(cell: str) -> Confidence:
    value = cell.strip().lower()
    if value == "high":
        return Confidence.CONFIRMED
    if value == "medium":
        return Confidence.UNCONFIRMED
    raise ValueError(f"unknown confidence {cell!r}")


def tag_confidence(tag: str, row: Confidence) -> Confidence:
    """The confidence an other_handles tag gives its item (see the module docstring)."""
    text = tag.lower()
    if any(word in text for word in ("unverified", "ambiguous", "conflicting")):
        return Confidence.UNCONFIRMED
    if "1src" in text:
        return Confidence.UNCONFIRMED
    if "2src" in text or "3+src" in text or "official page per khatauat" in text:
        return Confidence.CONFIRMED
    if "api-derived" in text or text.startswith("news"):
        return row
    raise ValueError(f"unknown evidence tag [{tag}]")


# --------------------------------------------------------------------------------------
# Drafts: mutable while the files are read, frozen into schema records at the end
# --------------------------------------------------------------------------------------


@dataclass
class AccountDraft:
    platform: Platform
    handle: str
    role: AccountRole
    status: AccountStatus
    sources: list[str]
    confidence: Confidence
    platform_id: str | None = None
    evidence_notes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    origin: str = ""
    """Where the seed data lists it (for notes when it turns out to be non-official)."""
    told: bool = True
    """Whether its sources are the fragments that name it (see account_sources)."""

    @property
    def key(self) -> tuple[Platform, str]:
        return handle_key(self.platform, self.handle)

    def build(self) -> Account:
        return Account(
            platform=self.platform,
            handle=self.handle,
            platform_id=self.platform_id,
            role=self.role,
            status=self.status,
            evidence=evidence(self.sources, self.confidence, join_notes(self.evidence_notes)),
            note=join_notes(self.notes),
        )


@dataclass
class EntityDraft:
    id: str
    name: LocalizedText
    kind: EntityKind
    sources: list[str]
    confidence: Confidence
    aliases: list[str] = field(default_factory=list)
    parent: str | None = None
    website: str | None = None
    status: EntityStatus = EntityStatus.ACTIVE
    successors: list[str] = field(default_factory=list)
    status_date: str | None = None
    accounts: list[AccountDraft] = field(default_factory=list)
    spokespeople: list[Spokesperson] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    evidence_notes: list[str] = field(default_factory=list)

    def account(self, platform: Platform, handle: str) -> AccountDraft | None:
        key = handle_key(platform, handle)
        return next((a for a in self.accounts if a.key == key), None)

    def build(self) -> Entity:
        names = {n.casefold() for n in (self.name.ar, self.name.en, self.name.fr) if n}
        aliases = [a for a in dict.fromkeys(self.aliases) if a.casefold() not in names]
        return Entity(
            id=self.id,
            name=self.name,
            aliases=aliases,
            kind=self.kind,
            parent=self.parent,
            website=self.website,
            status=self.status,
            successors=self.successors,
            status_date=self.status_date,
            evidence=evidence(self.sources, self.confidence, join_notes(self.evidence_notes)),
            accounts=[a.build() for a in self.accounts],
            spokespeople=self.spokespeople,
            note=join_notes(self.notes),
        )


@dataclass
class NonOfficialDraft:
    platform: Platform
    handle: str
    imitates: str | None
    reason: NonOfficialReason
    sources: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[Platform, str]:
        return handle_key(self.platform, self.handle)


@dataclass
class Report:
    """What the run did, printed at the end."""

    skipped: list[str] = field(default_factory=list)
    duplicates: dict[str, list[str]] = field(default_factory=dict)
    """How a directory row was found to be curated already -> 'row->entity id'."""
    remarks: list[str] = field(default_factory=list)

    def skip(self, what: str, why: str) -> None:
        self.skipped.append(f"{what}: {why}")


# --------------------------------------------------------------------------------------
# Reading the CSV files
# --------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


_ALTERNATIVE_WORDS = {"OR", "or", "vs"}


@dataclass(frozen=True)
class HandleItem:
    """One item of an other_handles cell."""

    platform: Platform
    role: str
    handles: tuple[str, ...]
    tag: str
    alternatives: bool
    raw: str


def parse_other_handles(cell: str) -> tuple[list[HandleItem], str | None, str | None]:
    """The items of an other_handles cell, and the main X account's user id with its tag."""
    items: list[HandleItem] = []
    user_id: str | None = None
    id_tag: str | None = None
    for raw in split_top_level(cell, ";"):
        id_match = re.fullmatch(r"x user id (\d+)\[([^\]]*)\]", raw)
        if id_match:
            user_id, id_tag = id_match.group(1), id_match.group(2)
            continue
        match = re.fullmatch(r"([a-z]+)(?:\(([^)]*)\))?:(.+)", raw)
        if not match:
            raise ValueError(f"other_handles item not understood: {raw!r}")
        platform = Platform(match.group(1))
        role = match.group(2) or ""
        tokens = re.findall(r"@?[^\s\[\]]+(?:\s*\[[^\]]*\])?", match.group(3))
        alternatives = any(t in _ALTERNATIVE_WORDS for t in tokens)
        handles: list[str] = []
        tags: list[str] = []
        for token in tokens:
            if token in _ALTERNATIVE_WORDS or token == "and":
                continue
            part = re.fullmatch(r"@?([^\s\[\]]+)\s*(?:\[([^\]]*)\])?", token)
            if not part:
                raise ValueError(f"handle not understood in {raw!r}")
            handles.append(part.group(1))
            if part.group(2):
                tags.append(part.group(2))
        if alternatives:
            if not tags:
                raise ValueError(f"alternatives without a tag in {raw!r}")
            items.append(HandleItem(platform, role, tuple(handles), tags[-1], True, raw))
            continue
        if len(tags) != len(handles):
            raise ValueError(f"every handle needs its tag in {raw!r}")
        items.extend(
            HandleItem(platform, role, (handle,), tag, False, raw)
            for handle, tag in zip(handles, tags, strict=True)
        )
    return items, user_id, id_tag


# What marks a source fragment as being about accounts of one platform. Lists of X accounts
# (bots' TWITTER_ACCOUNTS, allowlists, API-derived arrays, EVENTME's registry) count for X.
_LABELS: dict[Platform, re.Pattern[str]] = {
    Platform.X: re.compile(
        r"^X[\s:]|TWITTER_ACCOUNTS|famous accounts|official-account allowlist|Twitter-API"
        r"|EVENTME|twitter\.com/|x\.com/"
    ),
    Platform.INSTAGRAM: re.compile(r"\bIG\b|Instagram"),
    Platform.YOUTUBE: re.compile(r"YouTube"),
    Platform.LINKEDIN: re.compile(r"LinkedIn"),
    Platform.FACEBOOK: re.compile(r"Facebook"),
}


def _labels_of(fragment: str) -> set[Platform]:
    return {p for p, pattern in _LABELS.items() if pattern.search(fragment)}


def account_sources(
    platform: Platform,
    handle: str,
    fragments: Sequence[str],
    row_handles: Iterable[str],
    tag: str | None = None,
    main: bool = False,
) -> tuple[list[str], bool]:
    """The fragments of a row's source cell that are about one account, and whether that
    could be told: those naming the handle (for a main account, with those about the
    platform's accounts in general), else those about the platform's accounts, else those
    the item's tag points to (told); else every fragment not about another account or
    platform, else the whole row (not told). A row with one fragment tells."""
    others = {h.casefold() for h in row_handles} - {handle.casefold()}

    def about_other(fragment: str) -> bool:
        return not mentions(fragment, handle) and any(mentions(fragment, o) for o in others)

    def direct(fragment: str) -> bool:
        if not mentions(fragment, handle):
            return False
        labels = _labels_of(fragment)
        if platform is Platform.X:
            return not labels or Platform.X in labels or f"@{handle}".lower() in fragment.lower()
        return platform in labels

    def labelled(fragment: str) -> bool:
        return platform in _labels_of(fragment) and not about_other(fragment)

    if len(fragments) == 1:
        return list(fragments), True
    chosen = [f for f in fragments if direct(f) or (main and labelled(f))]
    if not chosen:
        chosen = [f for f in fragments if labelled(f)]
    if not chosen and tag:
        lowered = tag.lower()
        if "khatauat" in lowered:
            chosen = [f for f in fragments if "Khatauat" in f and not about_other(f)]
        elif "api-derived" in lowered:
            chosen = [f for f in fragments if "API-derived" in f and not about_other(f)]
        elif lowered.startswith("news"):
            chosen = [f for f in fragments if f.startswith("news") and not about_other(f)]
    if chosen:
        return chosen, True
    chosen = [
        f
        for f in fragments
        if not f.startswith("my.gov.sa directory")
        and not about_other(f)
        and not (_labels_of(f) - {platform})
    ]
    return chosen or list(fragments), False


# --------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------


@dataclass
class Builder:
    data: Path
    report: Report = field(default_factory=Report)
    entities: list[EntityDraft] = field(default_factory=list)
    directory: list[EntityDraft] = field(default_factory=list)
    non_official: list[NonOfficialDraft] = field(default_factory=list)
    suspect_keys: dict[tuple[Platform, str], int] = field(default_factory=dict)
    suspect_rows: list[dict[str, str]] = field(default_factory=list)
    curated_rows: list[dict[str, str]] = field(default_factory=list)
    directory_rows: list[dict[str, str]] = field(default_factory=list)
    taken_directory_ids: set[str] = field(default_factory=set)
    """Directory rows an AuRED 'new entity' took over (written in entities.yaml)."""

    # ---- lookups ----

    def entity(self, entity_id: str) -> EntityDraft:
        for draft in (*self.entities, *self.directory):
            if draft.id == entity_id:
                return draft
        raise KeyError(entity_id)

    def owner_of(self, key: tuple[Platform, str]) -> EntityDraft | None:
        for draft in (*self.entities, *self.directory):
            if any(a.key == key for a in draft.accounts):
                return draft
        return None

    def non_official_entry(self, key: tuple[Platform, str]) -> NonOfficialDraft | None:
        return next((n for n in self.non_official if n.key == key), None)

    # ---- suspect handles: read first, so that no suspect becomes an account ----

    def read_suspects(self) -> None:
        self.suspect_rows = read_csv(self.data / "suspect_handles.csv")
        for index, row in enumerate(self.suspect_rows):
            for platform, handle in self._suspect_handles(row, report=False):
                self.suspect_keys[handle_key(platform, handle)] = index

    def _suspect_handles(self, row: dict[str, str], report: bool) -> list[tuple[Platform, str]]:
        item = row["handle_or_item"]
        for prefix, why in SUSPECT_SKIPS.items():
            if item.startswith(prefix):
                if report:
                    self.report.skip(f"suspect_handles.csv '{item}'", why)
                return []
        platform = Platform.X
        text = item
        first, _, rest = item.partition(" ")
        if first in {p.value for p in Platform} and rest:
            platform, text = Platform(first), rest
        telegram = re.fullmatch(r"(\S+) \(Telegram channel\)", text)
        if telegram:
            platform, text = Platform.TELEGRAM, telegram.group(1)
        found: list[tuple[Platform, str]] = []
        for candidate in re.split(r"\s+(?:vs|/)\s+", text):
            handle = candidate.strip().strip('"').removeprefix("@")
            if valid_handle(platform, handle):
                found.append((platform, handle))
            elif report:
                self.report.skip(
                    f"suspect_handles.csv '{item}': {platform.value} '{handle}'",
                    f"not a possible {platform.value} handle ({FORMATS[platform].description})",
                )
        if not found:
            raise ValueError(f"suspect row with no handle and no documented skip: {item!r}")
        return found

    def build_suspects(self) -> None:
        previous_note = ""
        for row in self.suspect_rows:
            # "Same" in the note column repeats the row above.
            if row["note"].strip().rstrip(".").casefold() == "same":
                row = {**row, "note": previous_note}
            previous_note = row["note"]
            status = row["status"]
            handles = self._suspect_handles(row, report=True)
            if not handles:
                continue
            reason = next((r for word, r in SUSPECT_REASONS.items() if word in status), None)
            if reason is None:
                raise ValueError(f"suspect status not understood: {status!r}")
            where = re.sub(r"\s+vs\s*/?\s*$", "", row["where_seen"]).strip()
            for platform, handle in handles:
                imitates = self._imitates(row["claimed_for"], handle)
                note = [sentence(row["note"])]
                if reason is NonOfficialReason.FLAGGED or status != status.upper():
                    note.append(sentence(f"Status in the seed data: {status}"))
                self.non_official.append(
                    NonOfficialDraft(platform, handle, imitates, reason, [where], note)
                )

    def _imitates(self, claimed_for: str, handle: str) -> str | None:
        if claimed_for in CLAIMED_FOR:
            return CLAIMED_FOR[claimed_for]
        if handle.casefold() in CLAIMED_PER_HANDLE:
            return CLAIMED_PER_HANDLE[handle.casefold()]
        raise ValueError(f"no entity known for the claim {claimed_for!r} ({handle})")

    def add_non_official_from_row(
        self,
        entity: EntityDraft,
        platform: Platform,
        handle: str,
        sources: list[str],
        note: str,
        reason: NonOfficialReason,
    ) -> None:
        """A candidate of a curated row that must not be an account."""
        if not valid_handle(platform, handle):
            self.report.skip(f"{entity.id}: {platform.value} '{handle}'", "not a possible handle")
            return
        existing = self.non_official_entry(handle_key(platform, handle))
        if existing is None:
            existing = NonOfficialDraft(platform, handle, entity.id, reason, [], [])
            self.non_official.append(existing)
        if existing.imitates is None:
            existing.imitates = entity.id
        existing.sources.extend(s for s in sources if s not in existing.sources)
        existing.notes.append(note)

    # ---- curated entities ----

    def build_curated(self) -> None:
        self.curated_rows = read_csv(self.data / "saudi_entities.csv")
        seen_specs: set[str] = set()
        for row in self.curated_rows:
            draft = self._curated_entity(row, seen_specs)
            self.entities.append(draft)
        missing = set(CURATED) - seen_specs
        if missing:
            raise ValueError(f"CURATED names that match no row: {sorted(missing)}")
        # Accounts after all entities exist: a row may name a handle kept on another entity.
        for row, draft in zip(self.curated_rows, self.entities, strict=True):
            self._curated_accounts(row, draft)
            self._curated_spokespeople(row, draft)
        spoken = {d.id for d in self.entities if d.spokespeople}
        if spoken != set(SPOKESPEOPLE):
            raise ValueError(f"SPOKESPEOPLE and the CSV disagree: {spoken ^ set(SPOKESPEOPLE)}")

    def _curated_entity(self, row: dict[str, str], seen: set[str]) -> EntityDraft:
        en = parse_name(row["name_en"])
        ar = parse_name(row["name_ar"])
        spec = CURATED.get(en.text)
        if spec is None:
            raise ValueError(f"no CURATED entry for {en.text!r} (row {row['name_en']!r})")
        if en.text in seen:
            raise ValueError(f"two rows named {en.text!r}")
        seen.add(en.text)
        kind = CURATED_KINDS.get(row["kind"])
        if kind is None:
            raise ValueError(f"unknown kind {row['kind']!r} for {en.text}")
        for alias in spec.aliases:
            if alias not in row["name_en"]:
                raise ValueError(f"alias {alias!r} of {spec.id} is not in its row")
        latin, arabic = ARABIC_SHORT_NAMES.get(spec.id, ("", ()))
        if latin not in row["name_en"]:
            raise ValueError(f"{latin!r}, the short name of {spec.id}, is not in its row")
        website, website_remark = parse_website(row["website"])
        remarks = [r for r in (*en.remarks, *ar.remarks) if r.casefold() != row["kind"].casefold()]
        notes = [sentence(r) for r in remarks]
        if website_remark:
            notes.append(sentence(f"Website: {website_remark}"))
        return EntityDraft(
            id=spec.id,
            name=LocalizedText(ar=ar.text or None, en=en.text, fr=spec.fr),
            kind=kind,
            sources=split_sources(row["source"]),
            confidence=row_confidence(row["confidence"]),
            aliases=[*en.aliases, *ar.aliases, *spec.aliases, *arabic],
            parent=spec.parent,
            website=website,
            status=spec.status,
            successors=list(spec.successors),
            status_date=spec.status_date,
            notes=notes,
        )

    def check_parents(self) -> None:
        """A parent is written only where the row names it (by its abbreviation)."""
        by_id = {d.id: d for d in self.entities}
        for row, draft in zip(self.curated_rows, self.entities, strict=True):
            if draft.parent is None:
                continue
            parent = by_id[draft.parent]
            cells = row["name_en"] + " " + row["kind"]
            if not any(re.search(rf"\b{re.escape(a)}\b", cells) for a in parent.aliases):
                raise ValueError(f"{draft.id}: its row does not name the parent {parent.id}")

    def _curated_accounts(self, row: dict[str, str], draft: EntityDraft) -> None:
        fragments = draft.sources
        confidence = draft.confidence
        items, user_id, id_tag = parse_other_handles(row["other_handles"])
        main = row["x_handle"].removeprefix("@")
        row_handles = [main] if main else []
        row_handles += [h for item in items for h in item.handles]
        if user_id and not main:
            raise ValueError(f"{draft.id}: an X user id without an X handle")
        if main:
            sources, told = account_sources(Platform.X, main, fragments, row_handles, main=True)
            notes = [] if told else [UNTOLD_SOURCES]
            origin = f"x_handle @{main}"
            if user_id and id_tag:
                origin += f"; x user id {user_id}[{id_tag}]"
                extra = id_tag.replace("API-derived", "").strip(" ,;")
                detail = f" ({extra})" if extra else ""
                notes.append(sentence(f"X user id from API-derived data{detail}"))
            self._add_account(
                draft,
                AccountDraft(
                    Platform.X,
                    main,
                    AccountRole.MAIN,
                    AccountStatus.ACTIVE,
                    sources,
                    confidence,
                    platform_id=user_id,
                    evidence_notes=notes,
                    origin=origin,
                    told=told,
                ),
                f"main X account of {draft.id}",
            )
        for item in items:
            self._curated_item(draft, item, fragments, row_handles, confidence)

    def _curated_item(
        self,
        draft: EntityDraft,
        item: HandleItem,
        fragments: list[str],
        row_handles: list[str],
        confidence: Confidence,
    ) -> None:
        if item.role not in ROLES:
            raise ValueError(f"{draft.id}: unknown role {item.role!r} in {item.raw!r}")
        if item.alternatives:
            lowered = item.tag.lower()
            reason = (
                NonOfficialReason.AMBIGUOUS
                if "ambiguous" in lowered
                else NonOfficialReason.CONFLICTING
                if "conflicting" in lowered
                else NonOfficialReason.UNVERIFIED
            )
            for handle in item.handles:
                sources, told = account_sources(
                    item.platform, handle, fragments, row_handles, item.tag
                )
                self.add_non_official_from_row(
                    draft,
                    item.platform,
                    handle,
                    sources if told else [],
                    sentence(f"Listed in saudi_entities.csv among alternatives: {item.raw}"),
                    reason,
                )
            return
        handle = item.handles[0]
        role, status = ROLES[item.role]
        sources, told = account_sources(
            item.platform, handle, fragments, row_handles, item.tag, main=not item.role
        )
        account = AccountDraft(
            item.platform,
            handle,
            role,
            status,
            sources,
            tag_confidence(item.tag, confidence),
            evidence_notes=[sentence(f"Seed data tag: [{item.tag}]")],
            origin=item.raw,
            told=told,
        )
        if not told:
            account.evidence_notes.append(UNTOLD_SOURCES)
        user_id = re.search(r"X user id (\d+)", item.tag)
        if user_id and item.platform is Platform.X:
            account.platform_id = user_id.group(1)
        if item.role not in _PLAIN_ROLES:
            account.notes.append(sentence(f"Role in the seed data: {item.role}"))
        if item.role in _NON_OFFICIAL_ROLES:
            self.add_non_official_from_row(
                draft,
                item.platform,
                handle,
                sources if told else [],
                sentence(f"Listed in saudi_entities.csv as {item.role}: {item.raw}"),
                NonOfficialReason.CONFLICTING,
            )
            return
        self._add_account(draft, account, f"{item.raw} ({draft.id})")

    def _add_account(self, draft: EntityDraft, account: AccountDraft, what: str) -> None:
        """Add an account, unless the handle is a suspect (then it is non-official), or is
        written on another entity (SHARED_HANDLES: then its sources are merged there)."""
        if not valid_handle(account.platform, account.handle):
            raise ValueError(f"{what}: '{account.handle}' is not a possible handle")
        if account.key in self.suspect_keys:
            self.add_non_official_from_row(
                draft,
                account.platform,
                account.handle,
                account.sources if account.told else [],
                sentence(f"Listed in saudi_entities.csv for this entity: {account.origin}"),
                NonOfficialReason.CONFLICTING,
            )
            self.report.remarks.append(
                f"{draft.id}: {account.platform.value} @{account.handle} is in "
                "suspect_handles.csv: written as non-official, not as an account"
            )
            return
        shared = SHARED_HANDLES.get(account.key)
        if draft.status is not EntityStatus.ACTIVE:
            account.status = AccountStatus.FORMER
        if shared and shared[0] != draft.id:
            owner = self.entity(shared[0])
            account.notes = [
                n.replace("in the seed data", f"on the {draft.id} row") for n in account.notes
            ]
            account.evidence_notes = [
                n.replace("Seed data tag", f"Tag on the {draft.id} row")
                for n in account.evidence_notes
            ]
            kept = owner.account(account.platform, account.handle)
            if kept is None:  # the owner's row has not been read yet: keep it there now
                account.status = AccountStatus.FORMER
                owner.accounts.append(account)
                kept = account
            else:
                kept.sources.extend(s for s in account.sources if s not in kept.sources)
                kept.evidence_notes.extend(account.evidence_notes)
                kept.notes.extend(n for n in account.notes if n not in kept.notes)
            if shared[1] not in kept.notes:
                kept.notes.append(shared[1])
            self.report.remarks.append(
                f"{draft.id}: {account.platform.value} @{account.handle} kept once, on "
                f"{owner.id} (former account)"
            )
            return
        if shared:
            kept = draft.account(account.platform, account.handle)
            if kept is not None:
                kept.sources.extend(s for s in account.sources if s not in kept.sources)
                kept.platform_id = kept.platform_id or account.platform_id
                kept.evidence_notes.extend(account.evidence_notes)
                kept.notes.extend(n for n in account.notes if n not in kept.notes)
                if account.confidence is Confidence.CONFIRMED:
                    kept.confidence = Confidence.CONFIRMED
                return
            account.notes.append(shared[1])
        other = self.owner_of(account.key)
        if other is not None:
            raise ValueError(f"{what}: handle already on {other.id}; add it to SHARED_HANDLES")
        draft.accounts.append(account)

    def _curated_spokespeople(self, row: dict[str, str], draft: EntityDraft) -> None:
        cell = row["spokesperson"]
        specs = SPOKESPEOPLE.get(draft.id, ())
        if bool(cell) != bool(specs):
            raise ValueError(f"{draft.id}: spokesperson cell and SPOKESPEOPLE disagree")
        if not specs:
            return
        positions = []
        for spec in specs:
            for name in (spec.en, spec.ar):
                if name and name not in cell:
                    raise ValueError(f"{draft.id}: spokesperson {name!r} is not in the CSV")
            positions.append(cell.index(spec.en))
        if positions != sorted(positions):
            raise ValueError(f"{draft.id}: SPOKESPEOPLE is not in the order of the cell")
        bounds = [*positions[1:], len(cell)]
        for spec, start, end in zip(specs, positions, bounds, strict=True):
            part = cell[start:end]
            urls = [u.rstrip(".,;") for u in _URL.findall(part)]
            if not urls:
                raise ValueError(f"{draft.id}: no source URL for {spec.en}")
            draft.spokespeople.append(
                Spokesperson(
                    name=LocalizedText(ar=spec.ar, en=spec.en),
                    title=LocalizedText(en=spec.title_en),
                    since=spec.since,
                    until=spec.until,
                    as_of=spec.as_of,
                    evidence=evidence(
                        urls,
                        Confidence.CONFIRMED if len(set(urls)) >= 2 else Confidence.UNCONFIRMED,
                        spec.note,
                    ),
                )
            )

    # ---- AuRED ----

    def build_aured(self) -> None:
        rows = read_csv(self.data / "aured_accounts.csv")
        for row in rows:
            agreement = row["agrees_with_saudi_entities"]
            handle = row["x_handle"].removeprefix("@")
            if agreement == "new entity":
                draft = self._aured_entity(row)
            else:
                draft = self._find_entity(row["entity_name_en"], row["entity_name_ar"])
            relation = AURED_RELATIONS.get(row["relation"])
            if relation is None:
                raise ValueError(f"unknown AuRED relation {row['relation']!r}")
            if agreement == "same":
                self._aured_same(draft, handle, row["note"])
            elif agreement in {"new", "different"}:
                self._aured_new(draft, handle, relation, row["relation"], row["note"])
            elif agreement == "new entity":  # the note is about the entity: see _aured_entity
                self._aured_new(draft, handle, relation, row["relation"], "")
            else:
                raise ValueError(f"unknown AuRED agreement {agreement!r}")

    def _find_entity(self, name_en: str, name_ar: str) -> EntityDraft:
        """The curated entity an AuRED row names (English or Arabic, remarks aside)."""
        wanted_en, wanted_ar = norm_en(name_en), norm_ar(name_ar)
        found = [
            d
            for d in self.entities
            if (d.name.en and norm_en(d.name.en) == wanted_en)
            or (d.name.ar and norm_ar(d.name.ar) == wanted_ar)
        ]
        if len(found) != 1:
            raise ValueError(f"AuRED row {name_en!r} matches {[d.id for d in found]}")
        return found[0]

    def _aured_same(self, draft: EntityDraft, handle: str, note: str) -> None:
        account = draft.account(Platform.X, handle)
        if account is None:
            raise ValueError(f"AuRED says {draft.id} has @{handle}, the seed data does not")
        account.sources.append(AURED_SOURCE)
        account.confidence = Confidence.CONFIRMED
        account.evidence_notes.append(
            sentence("Confirmed by two sources: saudi_entities.csv and AuRED")
        )
        if note:
            account.evidence_notes.append(sentence(f"AuRED: {note}"))

    def _aured_new(
        self,
        draft: EntityDraft,
        handle: str,
        relation: tuple[AccountRole, AccountStatus],
        relation_text: str,
        note: str,
    ) -> None:
        role, status = relation
        account = AccountDraft(
            Platform.X, handle, role, status, [AURED_SOURCE], Confidence.UNCONFIRMED
        )
        account.evidence_notes.append(sentence("One source (AuRED)"))
        if role is AccountRole.MINISTER:
            account.notes.append(MINISTER_NOTE)
        elif note:
            account.notes.append(sentence(note))
        if relation_text == "regional":
            account.notes.append(sentence("AuRED lists it as a regional account"))
        if role is AccountRole.MAIN and status is AccountStatus.ACTIVE:
            clash = [
                a.handle
                for a in draft.accounts
                if a.platform is Platform.X
                and a.role is AccountRole.MAIN
                and a.status is AccountStatus.ACTIVE
            ]
            if clash:
                raise ValueError(f"AuRED adds a second main X account to {draft.id}: {clash}")
        self._add_account(draft, account, f"AuRED @{handle} ({draft.id})")

    def _aured_entity(self, row: dict[str, str]) -> EntityDraft:
        """A 'new entity' row: the directory's entity when it has it, else a new one."""
        name = parse_name(row["entity_name_en"])
        spec = AURED_NEW_ENTITIES.get(name.text)
        if spec is None:
            raise ValueError(f"no AURED_NEW_ENTITIES entry for {name.text!r}")
        match = self._directory_row_named(name.text, row["entity_name_ar"])
        parent = None
        for remark in name.remarks:
            parent = self._find_entity(remark, "").id
        if match is not None:
            draft = self._directory_entity(match, spec.id)
            draft.name = LocalizedText(ar=draft.name.ar, en=draft.name.en, fr=spec.fr)
            draft.kind = spec.kind
            self.report.remarks.append(
                f"AuRED new entity '{name.text}' is directory entry {match['entity_id']}: "
                f"written in entities.yaml as {spec.id}, with its account"
            )
            self.taken_directory_ids.add(match["entity_id"])
        else:
            draft = EntityDraft(
                id=spec.id,
                name=LocalizedText(ar=row["entity_name_ar"] or None, en=name.text, fr=spec.fr),
                kind=spec.kind,
                sources=[AURED_SOURCE],
                confidence=Confidence.UNCONFIRMED,
                parent=parent,
                notes=[spec.note] if spec.note else [],
                evidence_notes=[sentence(f"AuRED: {row['note']}")] if row["note"] else [],
            )
        self.entities.append(draft)
        return draft

    # ---- the national directory ----

    def read_directory(self) -> None:
        self.directory_rows = read_csv(self.data / "govsa_directory.csv")

    def _directory_row_named(self, name_en: str, name_ar: str) -> dict[str, str] | None:
        found = [
            r
            for r in self.directory_rows
            if (name_en and norm_en(r["name_en"]) == norm_en(name_en))
            or (name_ar and r["name_ar"] and norm_ar(r["name_ar"]) == norm_ar(name_ar))
        ]
        if len(found) > 1:
            raise ValueError(f"{name_en!r} matches several directory rows")
        return found[0] if found else None

    def _directory_entity(self, row: dict[str, str], entity_id: str) -> EntityDraft:
        agency = row["entity_id"]
        raw_en = squash(row["name_en"])
        notes: list[str] = []
        if agency in DIRECTORY_EN_FIXES:
            en_cell = DIRECTORY_EN_FIXES[agency]
            notes.append(DIRECTORY_NOTE_EN_FIXED.format(raw=raw_en))
        elif not raw_en:
            en_cell = DIRECTORY_EN_SUPPLIED[agency]
            notes.append(DIRECTORY_NOTE_EN_SUPPLIED)
        else:
            en_cell = raw_en
        en = parse_name(en_cell)
        ar = parse_name(row["name_ar"])
        if agency in DIRECTORY_WEBSITE_FIXES:
            website, why = DIRECTORY_WEBSITE_FIXES[agency]
            notes.append(why)
        else:
            website, _ = parse_website(row["official_website"])
        return EntityDraft(
            id=entity_id,
            name=LocalizedText(ar=ar.text or None, en=en.text or None),
            kind=directory_kind(row, en.text),
            sources=[row["detail_url_en"], squash(row["source"])],
            confidence=Confidence.CONFIRMED,
            aliases=[*en.aliases, *ar.aliases],
            website=website,
            notes=notes,
        )

    def build_directory(self) -> None:
        curated = self.entities[: len(self.curated_rows)]
        agency_refs: dict[str, str] = {}
        for row, draft in zip(self.curated_rows, curated, strict=True):
            for agency in _AGENCY_REF.findall(row["source"]):
                agency_refs[agency] = draft.id
        names: dict[str, str] = {}
        for draft in self.entities:  # the curated ones and those only AuRED names
            for key in self._name_keys(draft):
                names.setdefault(key, draft.id)
        directory_hosts = Counter(
            host_key(clean_url(r["official_website"]))
            for r in self.directory_rows
            if r["official_website"]
        )
        curated_hosts = Counter(host_key(d.website) for d in curated if d.website)
        hosts = {
            host_key(d.website): d.id
            for d in curated
            if d.website and curated_hosts[host_key(d.website)] == 1
        }
        used_ids = {d.id for d in self.entities}
        for row in self.directory_rows:
            agency = row["entity_id"]
            label = f"govsa_directory.csv {agency} '{row['name_en'] or row['name_ar']}'"
            if agency in DIRECTORY_SKIPS:
                self.report.skip(label, DIRECTORY_SKIPS[agency])
                continue
            if agency in self.taken_directory_ids:
                continue
            match = self._directory_duplicate(row, agency_refs, names, hosts, directory_hosts)
            if match is not None:
                self.report.duplicates.setdefault(match[1], []).append(f"{agency}->{match[0]}")
                continue
            en_text = parse_name(
                DIRECTORY_EN_FIXES.get(agency)
                or row["name_en"]
                or DIRECTORY_EN_SUPPLIED.get(agency, "")
            ).text
            if not en_text:
                raise ValueError(f"{label}: no English name for the id")
            base = slugify(en_text)
            entity_id, counter = base, 2
            while entity_id in used_ids:
                entity_id, counter = f"{base}-{counter}", counter + 1
            draft = self._directory_entity(row, entity_id)
            keys = [k for k in self._name_keys(draft) if k in names]
            if keys:
                self.report.duplicates.setdefault("corrected name", []).append(
                    f"{agency}->{names[keys[0]]}"
                )
                continue
            for key in self._name_keys(draft):
                names.setdefault(key, entity_id)
            used_ids.add(entity_id)
            self.directory.append(draft)

    @staticmethod
    def _name_keys(draft: EntityDraft) -> list[str]:
        keys = []
        if draft.name.en:
            keys.append("en:" + norm_en(draft.name.en))
        if draft.name.ar:
            keys.append("ar:" + norm_ar(draft.name.ar))
        return keys

    @staticmethod
    def _directory_duplicate(
        row: dict[str, str],
        agency_refs: dict[str, str],
        names: dict[str, str],
        hosts: dict[str | None, str],
        directory_hosts: Counter[str | None],
    ) -> tuple[str, str] | None:
        """The curated entity a directory row duplicates, and how it was told."""
        if row["entity_id"] in agency_refs:
            return agency_refs[row["entity_id"]], "my.gov.sa id"
        if row["name_ar"] and "ar:" + norm_ar(row["name_ar"]) in names:
            return names["ar:" + norm_ar(row["name_ar"])], "Arabic name"
        if row["name_en"] and "en:" + norm_en(row["name_en"]) in names:
            return names["en:" + norm_en(row["name_en"])], "English name"
        host = host_key(clean_url(row["official_website"])) if row["official_website"] else None
        # A host identifies an entity only when one directory row and one curated entity
        # use it (www.moi.gov.sa, for one, is the site of many bodies).
        if host and host in hosts and directory_hosts[host] == 1:
            return hosts[host], "website host"
        return None

    # ---- non-official: confidence, and the final records ----

    def non_official_records(self) -> list[NonOfficial]:
        records = []
        for draft in self.non_official:
            confidence = Confidence.UNCONFIRMED
            if draft.reason is NonOfficialReason.CONFLICTING and draft.imitates:
                owner = self.entity(draft.imitates)
                if any(
                    a.platform is draft.platform
                    and a.role is AccountRole.MAIN
                    and a.status is AccountStatus.ACTIVE
                    and a.confidence is Confidence.CONFIRMED
                    for a in owner.accounts
                ):
                    confidence = Confidence.CONFIRMED
            records.append(
                NonOfficial(
                    platform=draft.platform,
                    handle=draft.handle,
                    imitates=draft.imitates,
                    reason=draft.reason,
                    note=join_notes(draft.notes),
                    evidence=evidence(draft.sources, confidence),
                )
            )
        return records


_NAME_KINDS: tuple[tuple[str, EntityKind], ...] = (
    (r"hospital|medical city|health cluster|medical services", EntityKind.OTHER),
    (r"\buniversity\b", EntityKind.UNIVERSITY),
    (r"^ministry of\b", EntityKind.MINISTRY),
    (r"\bmunicipality\b", EntityKind.MUNICIPALITY),
    (r"\bemirate\b", EntityKind.EMIRATE),
    (r"\bcommission\b", EntityKind.COMMISSION),
    (r"\bauthority\b", EntityKind.AUTHORITY),
    (r"\bbank\b", EntityKind.BANK),
    (r"\bfund\b", EntityKind.FUND),
    (r"\bcouncil\b", EntityKind.COUNCIL),
    (r"\bprogram(me)?\b", EntityKind.PROGRAMME),
    (r"\bpresidency\b", EntityKind.PRESIDENCY),
    (r"\b(academy|college|institute)\b", EntityKind.INSTITUTE),
    (r"\b(center|centre)\b", EntityKind.CENTER),
    (r"\b(foundation|organization|corporation)\b", EntityKind.ORGANIZATION),
    (r"\b(directorate|administration)\b", EntityKind.DIRECTORATE),
    (r"\bagency\b", EntityKind.AGENCY),
)


def infer_kind(name_en: str) -> EntityKind:
    """The kind an English name announces (before any 'at the ...' that names another
    body); OTHER when it announces none."""
    lowered = re.split(r"\s+at\s+", name_en.lower())[0]
    for pattern, kind in _NAME_KINDS:
        if re.search(pattern, lowered):
            return kind
    return EntityKind.OTHER


def directory_kind(row: dict[str, str], name_en: str) -> EntityKind:
    if row["entity_id"] in DIRECTORY_KIND_FIXES:
        return DIRECTORY_KIND_FIXES[row["entity_id"]]
    category = row["category_en"] or row["category_ar"]
    if category not in DIRECTORY_CATEGORIES:
        raise ValueError(f"unknown directory category {category!r}")
    kind = DIRECTORY_CATEGORIES[category]
    if kind is None:
        return infer_kind(name_en)
    if kind is EntityKind.FUND and re.search(r"\bbank\b", name_en.lower()):
        return EntityKind.BANK
    if kind is EntityKind.AUTHORITY and re.search(r"\bcommission\b", name_en.lower()):
        return EntityKind.COMMISSION  # هيئة is an authority or a commission
    return kind


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def build(data: Path) -> tuple[dict[str, Registry], Report]:
    builder = Builder(data)
    builder.read_suspects()
    builder.read_directory()
    builder.build_suspects()
    builder.build_curated()
    builder.check_parents()
    builder.build_aured()
    builder.build_directory()
    registries = {
        "entities.yaml": Registry(entities=[d.build() for d in builder.entities]),
        "directory.yaml": Registry(entities=[d.build() for d in builder.directory]),
        "non_official.yaml": Registry(non_official=builder.non_official_records()),
    }
    return registries, builder.report


def write(registries: dict[str, Registry], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, registry in registries.items():
        (out / name).write_text(HEADER + dump_registry(registry), encoding="utf-8")


def print_report(registries: dict[str, Registry], report: Report, out: Path) -> None:
    entities = {n: len(r.entities) for n, r in registries.items() if r.entities}
    all_entities = [e for r in registries.values() for e in r.entities]
    accounts = [a for e in all_entities for a in e.accounts]
    confirmed = sum(a.evidence.confidence is Confidence.CONFIRMED for a in accounts)
    former = sum(a.status is AccountStatus.FORMER for a in accounts)
    spokespeople = sum(len(e.spokespeople) for e in all_entities)
    non_official = sum(len(r.non_official) for r in registries.values())
    print(f"Wrote {out}")
    for name, count in entities.items():
        print(f"  {name}: {count} entities")
    print(f"  entities in all: {len(all_entities)}")
    print(f"  accounts: {len(accounts)} ({confirmed} confirmed, {former} former)")
    print(f"  spokespeople: {spokespeople}")
    print(f"  non_official: {non_official}")
    print(f"Skipped ({len(report.skipped)}):")
    for line in report.skipped:
        print(f"  - {line}")
    repeated = sum(len(rows) for rows in report.duplicates.values())
    print(f"Directory rows already in entities.yaml, not repeated ({repeated}):")
    for method, rows in report.duplicates.items():
        text = f"by {method} ({len(rows)}): " + ", ".join(rows)
        print(
            textwrap.fill(
                text, 100, initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False
            )
        )
    print("Remarks:")
    for line in report.remarks:
        print(f"  - {line}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="seed data folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    registries, report = build(args.data)
    write(registries, args.out)
    try:
        load_registry(args.out)
    except RegistryInvalid as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    print_report(registries, report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
