"""Step 4, govsa_directory.csv: every entity of the national directory (my.gov.sa).

A directory row that is already an entity (by my.gov.sa agency id, by normalised Arabic or
English name, or by a website host that only it and one curated entity use) is not
repeated; the others are written to directory.yaml, known by name and website only. Names
cut off or misspelt by the crawl, rows without an English name, French names (where they
are a straightforward translation), misfiled kinds, websites that are not the body's, and
test entries are the decisions ``decisions/directory_*.csv``.
"""

from __future__ import annotations

import re
from collections import Counter

from knowledge.registry.schema import Confidence, EntityKind, LocalizedText

from .decisions import Decisions
from .seed import Seed
from .sources import SourceReader, reader_for, text_date
from .state import EntityDraft, State
from .text import clean_url, host_key, norm_ar, norm_en, parse_name, parse_website, slugify, squash

DIRECTORY_NOTE_EN_FIXED = "English name corrected; the directory writes it '{raw}'."
DIRECTORY_NOTE_EN_SUPPLIED = "The directory gives no English name; this one is the editors'."
_AGENCY_REF = re.compile(r"my\.gov\.sa directory https://www\.my\.gov\.sa/en/agencies/(\d+)")


def infer_kind(decisions: Decisions, name_en: str) -> EntityKind:
    """The kind an English name announces (before any 'at the ...' that names another
    body); OTHER when it announces none."""
    lowered = re.split(r"\s+at\s+", name_en.lower())[0]
    for pattern, kind in decisions.name_kinds:
        if re.search(pattern, lowered):
            return kind
    return EntityKind.OTHER


def directory_kind(decisions: Decisions, row: dict[str, str], name_en: str) -> EntityKind:
    if row["entity_id"] in decisions.directory_kind_fixes:
        return decisions.directory_kind_fixes[row["entity_id"]]
    category = row["category_en"] or row["category_ar"]
    if category not in decisions.directory_categories:
        raise ValueError(f"unknown directory category {category!r}")
    kind = decisions.directory_categories[category]
    if kind is None:
        return infer_kind(decisions, name_en)
    if kind is EntityKind.FUND and re.search(r"\bbank\b", name_en.lower()):
        return EntityKind.BANK
    if kind is EntityKind.AUTHORITY and re.search(r"\bcommission\b", name_en.lower()):
        return EntityKind.COMMISSION  # هيئة is an authority or a commission
    return kind


def directory_row_named(seed: Seed, name_en: str, name_ar: str) -> dict[str, str] | None:
    found = [
        r
        for r in seed.directory
        if (name_en and norm_en(r["name_en"]) == norm_en(name_en))
        or (name_ar and r["name_ar"] and norm_ar(r["name_ar"]) == norm_ar(name_ar))
    ]
    if len(found) > 1:
        raise ValueError(f"{name_en!r} matches several directory rows")
    return found[0] if found else None


def directory_entity(
    reader: SourceReader, decisions: Decisions, row: dict[str, str], entity_id: str
) -> EntityDraft:
    """A directory row as an entity: its my.gov.sa page (whole URL, crawl date) is the
    source, the crawl's repository the note."""
    agency = row["entity_id"]
    raw_en = squash(row["name_en"])
    notes: list[str] = []
    if agency in decisions.directory_en_fixes:
        en_cell = decisions.directory_en_fixes[agency]
        notes.append(DIRECTORY_NOTE_EN_FIXED.format(raw=raw_en))
    elif not raw_en:
        en_cell = decisions.directory_en_supplied[agency]
        notes.append(DIRECTORY_NOTE_EN_SUPPLIED)
    else:
        en_cell = raw_en
    en = parse_name(en_cell)
    ar = parse_name(row["name_ar"] or decisions.directory_ar_supplied.get(agency, ""))
    if agency in decisions.directory_ar_supplied and row["name_ar"]:
        raise ValueError(f"directory_ar_supplied.csv {agency}: the directory has a name now")
    translated, fr = decisions.directory_fr.get(agency, (en.text, None))
    if translated != en.text:
        raise ValueError(f"directory_fr.csv {agency}: '{translated}' is not '{en.text}'")
    if agency in decisions.directory_website_fixes:
        website, why = decisions.directory_website_fixes[agency]
        notes.append(why)
    else:
        website, _ = parse_website(row["official_website"])
    return EntityDraft(
        id=entity_id,
        name=LocalizedText(ar=ar.text or None, en=en.text or None, fr=fr),
        kind=directory_kind(decisions, row, en.text),
        sources=[
            reader.web(
                row["detail_url_en"],
                date=text_date(row["source"]),
                note=squash(row["source"]),
                kind="official_website",
            )
        ],
        confidence=Confidence.CONFIRMED,
        aliases=[*en.aliases, *ar.aliases],
        website=website,
        notes=notes,
        agency=agency,
    )


def apply(state: State, seed: Seed, decisions: Decisions) -> State:
    state = state.evolve()
    reader = reader_for(seed, decisions)
    curated = [d for d in state.entities if d.row]
    agency_refs: dict[str, str] = {}
    for draft in curated:
        for agency in _AGENCY_REF.findall(draft.row["source"]):
            agency_refs[agency] = draft.id
    names: dict[str, str] = {}
    for draft in state.entities:  # the curated ones and those only AuRED names
        for key in _name_keys(draft):
            names.setdefault(key, draft.id)
    directory_hosts = Counter(
        host_key(clean_url(r["official_website"])) for r in seed.directory if r["official_website"]
    )
    curated_hosts = Counter(host_key(d.website) for d in curated if d.website)
    hosts = {
        host_key(d.website): d.id
        for d in curated
        if d.website and curated_hosts[host_key(d.website)] == 1
    }
    used_ids = {d.id for d in state.entities}
    for row in seed.directory:
        agency = row["entity_id"]
        label = f"govsa_directory.csv {agency} '{row['name_en'] or row['name_ar']}'"
        if agency in decisions.directory_skips:
            state.report.skip(label, decisions.directory_skips[agency])
            continue
        if agency in state.taken_directory_ids:
            continue
        match = _duplicate(row, agency_refs, names, hosts, directory_hosts)
        if match is not None:
            state.report.duplicates.setdefault(match[1], []).append(f"{agency}->{match[0]}")
            continue
        en_text = parse_name(
            decisions.directory_en_fixes.get(agency)
            or row["name_en"]
            or decisions.directory_en_supplied.get(agency, "")
        ).text
        if not en_text:
            raise ValueError(f"{label}: no English name for the id")
        base = slugify(en_text)
        entity_id, counter = base, 2
        while entity_id in used_ids:
            entity_id, counter = f"{base}-{counter}", counter + 1
        draft = directory_entity(reader, decisions, row, entity_id)
        keys = [k for k in _name_keys(draft) if k in names]
        if keys:
            state.report.duplicates.setdefault("corrected name", []).append(
                f"{agency}->{names[keys[0]]}"
            )
            continue
        for key in _name_keys(draft):
            names.setdefault(key, entity_id)
        used_ids.add(entity_id)
        state.directory.append(draft)
    return state


def _name_keys(draft: EntityDraft) -> list[str]:
    keys = []
    if draft.name.en:
        keys.append("en:" + norm_en(draft.name.en))
    if draft.name.ar:
        keys.append("ar:" + norm_ar(draft.name.ar))
    return keys


def _duplicate(
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
