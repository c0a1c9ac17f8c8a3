"""The registry Rasmi ships: built from the seed data, valid, complete, and honest about
what its evidence supports."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from knowledge.registry import BUNDLED_REGISTRY
from knowledge.registry.handles import Platform, handle_key
from knowledge.registry.schema import (
    Account,
    AccountRole,
    AccountStatus,
    Confidence,
    Entity,
    EntityStatus,
    Evidence,
    NonOfficial,
    NonOfficialReason,
    Registry,
    SourceKind,
)
from knowledge.registry.validation import load_registry

SEED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="module")
def bundled() -> Registry:
    return load_registry(BUNDLED_REGISTRY)


@pytest.fixture(scope="module")
def entities(bundled: Registry) -> dict[str, Entity]:
    return {e.id: e for e in bundled.entities}


def account(entity: Entity, platform: Platform, handle: str) -> Account:
    key = handle_key(platform, handle)
    [found] = [a for a in entity.accounts if a.key == key]
    return found


def non_official(bundled: Registry, platform: Platform, handle: str) -> NonOfficial | None:
    key = handle_key(platform, handle)
    return next((n for n in bundled.non_official if n.key == key), None)


def every_evidence(bundled: Registry) -> list[Evidence]:
    return [
        *(e.evidence for e in bundled.entities),
        *(a.evidence for e in bundled.entities for a in e.accounts),
        *(p.evidence for e in bundled.entities for p in e.spokespeople),
        *(n.evidence for n in bundled.non_official),
    ]


def test_it_is_large_enough(bundled: Registry) -> None:
    assert len(bundled.entities) >= 350
    assert sum(len(e.accounts) for e in bundled.entities) >= 150


@pytest.mark.skipif(not SEED.exists(), reason="the seed data is not beside the checkout")
def test_every_curated_row_is_an_entity(bundled: Registry) -> None:
    arabic_names = {
        name for e in bundled.entities for name in (e.name.ar, *e.aliases) if name is not None
    }
    with (SEED / "saudi_entities.csv").open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            name = re.sub(r"\s*\(.*\)\s*$", "", row["name_ar"]).strip()
            assert name in arabic_names, row["name_ar"]


@pytest.mark.skipif(not SEED.exists(), reason="the seed data is not beside the checkout")
def test_every_main_x_handle_of_the_seed_data_is_on_record(bundled: Registry) -> None:
    """Either as an account or, where the seed data calls it suspect, as non-official."""
    on_record = {a.key[1] for e in bundled.entities for a in e.accounts}
    on_record |= {n.key[1] for n in bundled.non_official}
    with (SEED / "saudi_entities.csv").open(encoding="utf-8") as rows:
        handles = [r["x_handle"].lstrip("@").casefold() for r in csv.DictReader(rows)]
    assert [h for h in handles if h and h not in on_record] == []


def test_renamed_bodies_lead_to_their_successors(
    bundled: Registry, entities: dict[str, Entity]
) -> None:
    renamed = [
        e for e in bundled.entities if e.status in (EntityStatus.RENAMED, EntityStatus.MERGED)
    ]
    assert len(renamed) >= 8
    labor = next(
        e for e in bundled.entities if e.name.en == "Ministry of Labor and Social Development"
    )
    [successor] = labor.successors
    assert entities[successor].name.en == "Ministry of Human Resources and Social Development"
    assert labor.status_date == "2020-02-25"


def test_the_two_holy_mosques_presidency_is_dissolved_into_its_successors(
    entities: dict[str, Entity],
) -> None:
    presidency = entities["two-holy-mosques-presidency"]
    assert presidency.status is EntityStatus.DISSOLVED and presidency.status_date == "2024-11"
    assert len(presidency.successors) == 2
    assert all(entities[s].status is EntityStatus.ACTIVE for s in presidency.successors)


def test_known_fakes_are_never_accounts_and_defunct_bodies_have_no_active_account(
    bundled: Registry,
) -> None:
    accounts = {a.key for e in bundled.entities for a in e.accounts}
    assert not accounts & {n.key for n in bundled.non_official}
    for entity in bundled.entities:
        if entity.status is not EntityStatus.ACTIVE:
            assert all(a.status is AccountStatus.FORMER for a in entity.accounts), entity.id


def test_no_confirmed_record_without_a_source_a_citizen_can_open(bundled: Registry) -> None:
    for evidence in every_evidence(bundled):
        if evidence.confidence is Confidence.CONFIRMED:
            assert any(s.openable for s in evidence.sources), evidence


def test_sources_are_whole_links_or_provenance_never_a_cut_url(bundled: Registry) -> None:
    for evidence in every_evidence(bundled):
        for source in evidence.sources:
            if source.kind in (SourceKind.DATASET, SourceKind.MAINTAINER):
                assert source.url is None and source.note, source
                continue
            if source.url is not None:
                assert re.fullmatch(r"https?://[^\s…]+", source.url), source.url
            assert source.title is not None, source
            titles = [source.title.ar or "", source.title.en or "", source.title.fr or ""]
            assert all(titles), source
            assert not any(re.search(r"GitHub|repo |dataset|crawl", t) for t in titles), source


def test_the_directory_page_is_evidence_of_a_body_never_of_its_accounts(
    bundled: Registry,
) -> None:
    for entity in bundled.entities:
        for acc in entity.accounts:
            assert not any("my.gov.sa" in (s.url or "") for s in acc.evidence.sources), acc


def test_each_record_has_its_own_checked_date(bundled: Registry) -> None:
    dates = {str(e.checked) for e in every_evidence(bundled)}
    assert len(dates) >= 10
    moh = next(e for e in bundled.entities if e.id == "moh")
    assert account(moh, Platform.X, "SaudiMOH").evidence.checked == "2023"  # AuRED's last year


def test_only_impersonation_evidence_gives_a_red_mark(bundled: Registry) -> None:
    """EVENTME's opinion of KAUST, Misk and Tuwaiq is not evidence of impersonation; the
    look-alike web portals, the only impersonation evidence, cannot be a handle record."""
    for handle in ("KAUST", "misk_sa", "MiskFoundation", "tuwaiq"):
        record = non_official(bundled, Platform.X, handle)
        assert record is not None and record.reason is NonOfficialReason.NOT_GOVERNMENT
    assert non_official(bundled, Platform.X, "KSU_NEWS") is None
    jeddah_season = non_official(bundled, Platform.X, "JeddahSeason")
    assert jeddah_season is not None and jeddah_season.reason is NonOfficialReason.NOT_PRIMARY
    assert [n for n in bundled.non_official if n.reason is NonOfficialReason.IMPERSONATION] == []


def test_conflicting_and_ambiguous_candidates_are_conflicting_not_fake(bundled: Registry) -> None:
    for handle in ("MOD_Saudi", "SaudiMOI", "emara_riyadh", "tc_gov"):
        record = non_official(bundled, Platform.X, handle)
        assert record is not None and record.reason is NonOfficialReason.CONFLICTING, handle
    taif = non_official(bundled, Platform.X, "tc_gov")
    assert taif is not None and taif.platform_id == "4284966023"


def test_zatca_sa_is_a_candidate_never_official_and_never_fake(
    bundled: Registry, entities: dict[str, Entity]
) -> None:
    zatca = entities["zatca"]
    candidate = account(zatca, Platform.X, "ZATCA_SA")
    assert candidate.role is AccountRole.MAIN and not candidate.official
    assert non_official(bundled, Platform.X, "ZATCA_SA") is None
    former = account(zatca, Platform.X, "GAZT_KSA")
    assert former.status is AccountStatus.FORMER and not former.evidence.confirmed
    assert account(zatca, Platform.X, "Zatca_care").official  # its official page


def test_media_ksa_is_the_ministry_of_media_s_x_and_instagram_account(
    entities: dict[str, Entity],
) -> None:
    media = entities["ministry-of-media"]
    for platform in (Platform.X, Platform.INSTAGRAM):
        found = account(media, platform, "media_ksa")
        assert found.role is AccountRole.MAIN and found.status is AccountStatus.ACTIVE
        # Three code sources agree, but nothing a citizen can open: listed, not confirmed.
        assert not found.evidence.confirmed


def test_corrections_move_accounts_to_their_bodies(
    bundled: Registry, entities: dict[str, Entity]
) -> None:
    mci = account(entities["mci"], Platform.X, "SaudiMCI")
    assert mci.status is AccountStatus.FORMER and mci.until == "2020-02-25"
    assert entities["ministry-of-culture-and-information"].accounts == []
    hrsd = entities["hrsd"]
    assert account(hrsd, Platform.INSTAGRAM, "hrsd_sa").role is AccountRole.MAIN
    assert account(hrsd, Platform.SNAPCHAT, "hrsd_sa").role is AccountRole.MAIN
    assert account(hrsd, Platform.YOUTUBE, "user/MinistryOfLabor").role is AccountRole.MAIN
    assert account(hrsd, Platform.YOUTUBE, "c/HRSDsa").role is AccountRole.OTHER
    still = non_official(bundled, Platform.INSTAGRAM, "hrsd.sa")
    assert still is not None and still.reason is NonOfficialReason.CONFLICTING
    assert account(entities["srca"], Platform.X, "mediasrca").role is AccountRole.MAIN
    assert entities["mos"].website == "https://www.mos.gov.sa"


def test_ministers_and_predecessors_accounts_are_told_apart(entities: dict[str, Entity]) -> None:
    minister = account(entities["moh"], Platform.X, "FahadAlJalajel")
    assert minister.role is AccountRole.MINISTER and not minister.official
    gsaksa = account(entities["gsa"], Platform.X, "gsaksa")
    assert gsaksa.status is AccountStatus.FORMER and not gsaksa.evidence.confirmed


def test_official_needs_the_confirmation_rule(entities: dict[str, Entity]) -> None:
    moh = entities["moh"]
    assert account(moh, Platform.X, "SaudiMOH").official  # a news report quotes it
    assert not account(moh, Platform.INSTAGRAM, "saudimoh").official  # tagged 1src


def test_spokespeople_speak_three_languages_and_one_is_current_per_role(
    bundled: Registry, entities: dict[str, Entity]
) -> None:
    people = [p for e in bundled.entities for p in e.spokespeople]
    assert len(people) >= 9
    for person in people:
        assert person.name.en and person.name.fr
        assert person.title is not None
        assert person.title.ar and person.title.en and person.title.fr
    # A person is dated by the year they were reported, so old information shows its age.
    [health] = entities["moh"].spokespeople
    assert health.evidence.checked.startswith("2020")
    education = [p for p in entities["moe"].spokespeople if p.current]
    assert [p.name.en for p in education] == ["Mona Al-Ajmi"]
    [sport] = entities["mos"].spokespeople
    assert sport.name.ar == "عادل الزهراني" and sport.accounts == []


def test_names_in_every_language_french_without_a_leading_article(bundled: Registry) -> None:
    for entity in bundled.entities:
        assert entity.name.en and entity.name.ar, entity.id
        if entity.name.fr:
            assert not re.match(r"(?:Le|La|Les|L')\b", entity.name.fr), entity.name.fr
    french = sum(1 for e in bundled.entities if e.name.fr)
    assert french >= 300
