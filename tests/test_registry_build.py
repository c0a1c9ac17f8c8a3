"""The build of the bundled registry: reproducible, one step per seed file, decisions with
their reasons."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from knowledge.registry import BUNDLED_REGISTRY
from knowledge.registry.schema import Confidence, Source, SourceKind

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from registry_build import suspects
from registry_build.decisions import DECISIONS, load_decisions
from registry_build.evidence import COMPILED, NOTHING_TO_OPEN, evidence
from registry_build.pipeline import DEFAULT_DATA, build, write
from registry_build.seed import read_seed
from registry_build.sources import SourceReader
from registry_build.state import State

needs_seed = pytest.mark.skipif(
    not DEFAULT_DATA.exists(), reason=f"the seed data ({DEFAULT_DATA}) is not beside the checkout"
)


@needs_seed
def test_the_build_reproduces_the_bundled_registry_byte_for_byte(tmp_path: Path) -> None:
    registries, _ = build(DEFAULT_DATA)
    write(registries, tmp_path)
    built = sorted(p.name for p in tmp_path.iterdir())
    # policies.yaml is written by hand (issue 12), not built from the seed data.
    assert built == ["directory.yaml", "entities.yaml", "non_official.yaml"]
    for name in built:
        assert (tmp_path / name).read_bytes() == (BUNDLED_REGISTRY / name).read_bytes(), name


@needs_seed
def test_a_step_returns_the_next_state_and_leaves_its_input_alone() -> None:
    seed, decisions = read_seed(DEFAULT_DATA), load_decisions()
    before = State()
    after = suspects.apply(before, seed, decisions)
    assert before.non_official == [] and before.suspect_keys == set()
    assert after.non_official and after.suspect_keys
    again = suspects.apply(before, seed, decisions)
    assert [n.key for n in again.non_official] == [n.key for n in after.non_official]


def test_a_decision_without_its_reason_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "decisions"
    shutil.copytree(DECISIONS, folder)
    skips = folder / "directory_skips.csv"
    skips.write_text(skips.read_text(encoding="utf-8") + "17219,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"directory_skips\.csv line \d+: a decision without"):
        load_decisions(folder)


def test_every_decision_file_is_read() -> None:
    """A file in decisions/ that no step reads would be a decision nobody applies."""
    decisions = load_decisions()
    assert decisions.curated and decisions.spokespeople and decisions.name_kinds
    read = {
        "curated_entities", "arabic_short_names", "curated_kinds", "roles", "shared_handles",
        "spokespeople", "aured_relations", "aured_new_entities", "suspect_statuses",
        "suspect_claims", "suspect_skips", "directory_categories", "directory_kind_fixes",
        "directory_skips", "directory_en_fixes", "directory_en_supplied", "directory_fr",
        "directory_ar_supplied",
        "directory_website_fixes", "name_kinds", "source_sites", "corrections",
        "account_dates", "suspect_handle_skips",
    }  # fmt: skip
    assert {p.stem for p in DECISIONS.glob("*.csv")} == read


@needs_seed
def test_a_correction_without_its_decision_fails_the_build(tmp_path: Path) -> None:
    folder = tmp_path / "decisions"
    shutil.copytree(DECISIONS, folder)
    path = folder / "corrections.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(x for x in lines if not x.startswith("x,GAZT_KSA,")), "utf-8")
    with pytest.raises(ValueError, match=r"GAZT_KSA.*no decision"):
        build(DEFAULT_DATA, load_decisions(folder))


def test_a_fact_rated_high_with_nothing_to_open_is_written_unconfirmed() -> None:
    saved_footer = Source(kind=SourceKind.DATASET, note="a saved copy of the site's footer")
    report = Source(kind=SourceKind.NEWS, url="https://www.okaz.com.sa/sport/na/2234865")
    kept = evidence([saved_footer], Confidence.CONFIRMED)
    assert kept.confidence is Confidence.UNCONFIRMED and kept.note == NOTHING_TO_OPEN
    assert kept.checked == COMPILED  # no source carries a date
    dated = Source(kind=SourceKind.DATASET, note="tweets 2017-2023", date="2023")
    confirmed = evidence([dated, report], Confidence.CONFIRMED)
    assert confirmed.confirmed and confirmed.checked == "2023"


def test_a_source_cell_becomes_typed_sources() -> None:
    reader = SourceReader("2026-02-27", load_decisions().sites)
    [directory] = reader.read(
        "my.gov.sa directory https://www.my.gov.sa/en/agencies/17639 (as crawled by repo "
        "hrunx/KSAmcp reports/govsa_entity_registry.json @49971f4)"
    )
    assert directory.kind is SourceKind.OFFICIAL_WEBSITE and directory.date == "2026-02-27"
    assert directory.title is not None and directory.title.ar == "my.gov.sa"
    assert directory.note is not None and "hrunx/KSAmcp" in directory.note
    [page] = reader.read(
        "repo aldhhmshi/Khatauat bin/apply-v2.0.11.php @c482f96 (author says handle verified "
        "on official page https://mc.gov.sa/ar/Pages/mcgovsa_care.aspx)"
    )
    assert page.openable and page.url == "https://mc.gov.sa/ar/Pages/mcgovsa_care.aspx"
    assert page.title is not None and page.title.en == "mc.gov.sa"
    [code] = reader.read("X: public GitHub code (repository not recorded) (c.2022)")
    assert code.kind is SourceKind.DATASET and code.url is None and code.date == "2022"
    news = reader.read(
        "rename 2024-07-21: https://urdunews.com/node/873851 ; https://ween.sa/n/300729"
    )
    assert [(s.kind, s.date) for s in news] == [(SourceKind.NEWS, "2024-07-21")] * 2
    assert news[0].title is not None and news[0].title.ar == "أردو نيوز"
    [youm7] = reader.read("https://youm7.com/story/2019/8/27/x/4391838")
    assert youm7.date == "2019-08-27"
