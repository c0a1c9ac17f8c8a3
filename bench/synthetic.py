"""Synthetic registries of any size, written straight to YAML text.

The import benchmark needs registries far larger than anyone will write by hand, yet valid
in every field, so that validation and import do their full work and never stop at an
error. Dumping 100k pydantic models would take longer than the import being measured, so
records are written from text templates; `check_sample` validates a small one with the
real loader so a template that drifts from the schema is caught at once.

The output is deterministic for a given (count, seed): two runs benchmark the same bytes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from knowledge.registry.schema import EntityKind
from knowledge.registry.validation import load_registry

SEED = 20261127

# Every platform, so each handle format is exercised; three per entity, never repeated.
_PLATFORMS = (
    "x",
    "instagram",
    "youtube",
    "tiktok",
    "snapchat",
    "facebook",
    "linkedin",
    "telegram",
    "whatsapp",
    "threads",
)
# Offsets into _PLATFORMS for an entity's three accounts: distinct modulo 10.
_PLATFORM_OFFSETS = (0, 3, 7)
_ROLES = ("main", "english", "news", "customer_care", "media", "regional")
_KINDS = tuple(kind.value for kind in EntityKind)

_AR_HEADS = ("وزارة", "هيئة", "مركز", "مجلس", "صندوق", "برنامج", "جامعة", "معهد", "أمانة")
_AR_TOPICS = (
    "الصحة",
    "التعليم",
    "النقل",
    "الطاقة",
    "المياه",
    "الإسكان",
    "الثقافة",
    "الرياضة",
    "السياحة",
    "الاتصالات",
    "البيئة",
    "الزراعة",
)
_AR_REGIONS = ("الوطنية", "العامة", "الإقليمية", "المحلية", "الشمالية", "الجنوبية")
_EN_HEADS = (
    "Ministry",
    "Authority",
    "Center",
    "Council",
    "Fund",
    "Programme",
    "University",
    "Institute",
    "Secretariat",
)
_EN_TOPICS = (
    "Health",
    "Education",
    "Transport",
    "Energy",
    "Water",
    "Housing",
    "Culture",
    "Sport",
    "Tourism",
    "Communications",
    "Environment",
    "Agriculture",
)
_AR_PEOPLE = ("محمد", "فهد", "نورة", "سارة", "عبدالله", "خالد", "ريم", "ماجد")
_AR_FAMILIES = ("العتيبي", "القحطاني", "الشهري", "الدوسري", "الغامدي", "الحربي")
_EN_PEOPLE = ("Mohammed", "Fahd", "Noura", "Sarah", "Abdullah", "Khalid", "Reem", "Majed")
_EN_FAMILIES = ("Al-Otaibi", "Al-Qahtani", "Al-Shehri", "Al-Dosari", "Al-Ghamdi", "Al-Harbi")


@dataclass(frozen=True)
class SyntheticStats:
    """What was written, so the benchmark can label its rows without re-reading the file."""

    entities: int
    accounts: int
    spokespeople: int
    bytes: int


def handle_for(platform: str, index: int) -> str:
    """A handle valid on `platform` and unique across the registry: the entity number
    keeps it unique, the suffix keeps it distinct from the spokesperson handles."""
    stem = f"ent{index:06d}"
    handles = {
        "x": f"{stem}_a",
        "instagram": f"{stem}.ig",
        "threads": f"{stem}.th",
        "youtube": f"{stem}-yt",
        "tiktok": f"{stem}.tt",
        "snapchat": f"{stem}-sc",
        "facebook": f"{stem}.fb",
        "linkedin": f"{stem}-li",
        "telegram": f"{stem}_tg",
        "whatsapp": f"+9665{index:08d}",
    }
    return handles[platform]


_SITE_TITLE = "{ar: الموقع الرسمي, en: Official website}"
_ACCOUNTS_TITLE = "{ar: حساباتنا في وسائل التواصل, en: Our social media accounts}"
_DIRECTORY = (
    '{kind: government_announcement, url: "https://www.my.gov.sa/wps/portal/snp/agencies", '
    "title: {ar: دليل الجهات الحكومية, en: Directory of government agencies}}"
)
_DATASETS = tuple(
    f'{{kind: dataset, date: "{year}", note: "{note}"}}'
    for year, note in (
        ("2023", "AuRED dataset: timelines of Saudi authority accounts"),
        ("2026-07-19", "public GitHub code: social-accounts registry"),
        ("2022", "public GitHub code: account arrays with numeric user ids"),
        ("2024", "open data portal: list of government bodies"),
    )
)


def _evidence(rng: random.Random, index: int, serial: int, tag: str) -> str:
    """An evidence mapping in flow style, its sources typed and titled as in the bundled
    registry, where 810 sources are 465 distinct ones and 74% of records have one source:
    first the entity's own site (its home page for the entity, its page of accounts for
    its accounts and spokespeople, one page for all of them); then, on 26% of records,
    one or two more: the national directory of agencies (entities only), one of four
    datasets, or a news article of its own. Confidence alternates."""
    site = f"https://e{index:06d}.example.gov.sa"
    if tag == "entities":
        sources = [f'{{kind: official_website, url: "{site}", title: {_SITE_TITLE}}}']
    else:
        sources = [f'{{kind: official_website, url: "{site}/media", title: {_ACCOUNTS_TITLE}}}']
    draw = rng.random()
    for _ in range((draw >= 0.74) + (draw >= 0.89)):
        pick = rng.randrange(4)
        if pick == 0 and tag == "entities":
            sources.append(_DIRECTORY)
        elif pick <= 1:
            sources.append(
                f'{{kind: news, url: "https://news.example.sa/{tag}/{serial}", date: "2025-06", '
                f"title: {{ar: خبر عن الجهة {index}, en: Report on entity {index}}}}}"
            )
        else:
            sources.append(rng.choice(_DATASETS))
    confidence = "confirmed" if serial % 2 == 0 else "unconfirmed"
    return f'{{sources: [{", ".join(sources)}], checked: "2026-11", confidence: {confidence}}}'


def _names(rng: random.Random, index: int) -> tuple[str, str]:
    """An Arabic-like and an English name; the number keeps names distinguishable."""
    head = rng.randrange(len(_AR_HEADS))
    topic = rng.randrange(len(_AR_TOPICS))
    arabic = f"{_AR_HEADS[head]} {_AR_TOPICS[topic]} {rng.choice(_AR_REGIONS)} {index}"
    english = f"{_EN_HEADS[head]} of {_EN_TOPICS[topic]} {index}"
    return arabic, english


def _account(rng: random.Random, index: int, slot: int) -> str:
    """One account; every 7th entity keeps its last account as a former one, and some
    carry a platform id, so optional fields are present in realistic proportions."""
    platform = _PLATFORMS[(index + _PLATFORM_OFFSETS[slot]) % len(_PLATFORMS)]
    lines = [
        f"      - platform: {platform}",
        f'        handle: "{handle_for(platform, index)}"',
        f"        role: {_ROLES[(index + slot) % len(_ROLES)]}",
    ]
    if slot == 0 and index % 4 == 0:
        lines.append(f'        platform_id: "{10**11 + index}"')
    if slot == 2 and index % 7 == 0:
        lines += ["        status: former", '        since: "2015"', '        until: "2020-03"']
    lines.append(f"        evidence: {_evidence(rng, index, index * 3 + slot, 'accounts')}")
    return "\n".join(lines)


def _spokesperson(rng: random.Random, index: int) -> str:
    """A current spokesperson with an X account (unique `spk` handle) and an office email."""
    first = rng.randrange(len(_AR_PEOPLE))
    family = rng.randrange(len(_AR_FAMILIES))
    return "\n".join(
        [
            "    spokespeople:",
            f"      - name: {{ar: {_AR_PEOPLE[first]} {_AR_FAMILIES[family]}, "
            f"en: {_EN_PEOPLE[first]} {_EN_FAMILIES[family]}}}",
            f"        title: {{en: Official spokesperson of entity {index}}}",
            '        since: "2023-05"',
            f'        accounts: [{{platform: x, handle: "spk{index:06d}"}}]',
            f"        contact: {{email: media{index}@example.gov.sa}}",
            f"        evidence: {_evidence(rng, index, index, 'spokespeople')}",
        ]
    )


def entity_yaml(rng: random.Random, index: int) -> str:
    """One entity record, as it would appear in a hand-written registry file."""
    arabic, english = _names(rng, index)
    lines = [
        f"  - id: e{index:06d}",
        "    name:",
        f"      ar: {arabic}",
        f"      en: {english}",
        f"    aliases: [E{index:06d}]",
        f"    kind: {_KINDS[(index - 1) % len(_KINDS)]}",
    ]
    if index % 5 != 1:  # groups of five: the first is the parent of the next four
        lines.append(f"    parent: e{index - (index - 1) % 5:06d}")
    lines.append(f"    website: https://e{index:06d}.example.gov.sa")
    if index % 50 == 0:
        lines += ["    status: dissolved", '    status_date: "2024-07-01"']
    lines.append(f"    evidence: {_evidence(rng, index, index, 'entities')}")
    lines.append("    accounts:")
    lines += [_account(rng, index, slot) for slot in range(3)]
    if index % 10 == 0:
        lines.append(_spokesperson(rng, index))
    return "\n".join(lines) + "\n"


def _file_text(rng: random.Random, first: int, last: int) -> Iterator[str]:
    yield "entities:\n"
    for index in range(first, last + 1):
        yield entity_yaml(rng, index)


def registry_chunks(count: int, seed: int = SEED, files: int = 1) -> Iterator[Iterator[str]]:
    """The text of each file in pieces, so 100k entities never sit in one string.
    Consume each file before the next: they share one random generator. Entities are
    numbered across files; parents may be in another file."""
    rng = random.Random(seed)
    per_file = -(-count // files)
    for first in range(1, count + 1, per_file):
        yield _file_text(rng, first, min(first + per_file - 1, count))


def write_registry(path: Path, count: int, seed: int = SEED, files: int = 1) -> SyntheticStats:
    """Writes a registry of `count` entities (3 accounts each, a spokesperson on every
    10th): one file at `path`, or with `files` > 1 a folder `path` of that many files,
    as a large registry would be kept by hand."""
    targets: list[Path] = [path]
    if files > 1:
        path.mkdir(parents=True, exist_ok=True)
        targets = [path / f"part-{n:04d}.yaml" for n in range(1, files + 1)]
    for target, pieces in zip(targets, registry_chunks(count, seed, files), strict=False):
        with target.open("w", encoding="utf-8") as out:
            out.writelines(pieces)
    return SyntheticStats(
        entities=count,
        accounts=3 * count,
        spokespeople=count // 10,
        bytes=sum(t.stat().st_size for t in targets if t.exists()),
    )


def check_sample(folder: Path, count: int = 120) -> None:
    """Validates a small registry from the same templates with the real loader; raises
    RegistryInvalid if the templates no longer match the schema."""
    sample = folder / "sample.yaml"
    write_registry(sample, count)
    registry = load_registry(sample)
    if len(registry.entities) != count:
        raise RuntimeError(f"the sample has {len(registry.entities)} entities, not {count}")
    sample.unlink()
