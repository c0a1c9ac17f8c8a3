"""Equal records shared while a registry is read, and the YAML reader's fast paths:
what a registry says, and every problem it reports, are the same as without them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from knowledge.registry.schema import Entity, LocalizedText, Source
from knowledge.registry.sharing import sharing
from knowledge.registry.validation import RegistryInvalid, load_registry
from knowledge.registry.yaml_io import top_level

DIRECTORY = (
    "{kind: government_announcement, url: https://my.gov.sa/agencies, "
    "title: {ar: دليل الجهات, en: Directory of agencies}}"
)
ENTITY = """\
  - id: {id}
    name: {{en: {name}}}
    kind: ministry
    evidence: {{sources: [{source}], checked: "2026-11", confidence: confirmed}}
"""


def entities(*sources: str) -> str:
    return "entities:\n" + "".join(
        ENTITY.format(id=f"e{n}", name=f"Body {n}", source=source)
        for n, source in enumerate(sources)
    )


def test_equal_sources_are_one_record_equal_to_one_validated_alone(tmp_path: Path) -> None:
    own_site = DIRECTORY.replace("government_announcement", "official_website").replace(
        "my.gov.sa/agencies", "e2.sa"
    )
    path = tmp_path / "r.yaml"
    path.write_text(entities(DIRECTORY, DIRECTORY, own_site), encoding="utf-8")
    first, second, third = (e.evidence.sources[0] for e in load_registry(path).entities)

    assert first is second
    assert first == Source.model_validate(yaml.safe_load(DIRECTORY))
    assert third != first and third.title is first.title  # the same title, shared
    assert third.model_fields_set == {"kind", "url", "title"}
    with pytest.raises(ValidationError):
        first.url = "https://elsewhere.sa"  # type: ignore[misc]
    moved = first.model_copy(update={"url": "https://elsewhere.sa"})
    assert moved.url == "https://elsewhere.sa" and first.url == "https://my.gov.sa/agencies"
    assert first.model_fields_set == {"kind", "url", "title"}


def test_records_given_the_same_fields_share_one_equal_set_of_names(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(entities(DIRECTORY, DIRECTORY.replace("agencies,", "bodies,")), "utf-8")
    first, second = load_registry(path).entities

    assert first.model_fields_set is second.model_fields_set
    assert first.model_fields_set == {"id", "name", "kind", "evidence"}
    assert first.evidence.sources[0] is not second.evidence.sources[0]


def test_a_record_given_fewer_fields_is_not_replaced_by_an_equal_one() -> None:
    with sharing():
        bare = Source.model_validate({"kind": "news", "url": "https://a.sa"})
        explicit = Source.model_validate({"kind": "news", "url": "https://a.sa", "note": None})
    assert bare == explicit and bare is not explicit
    assert bare.model_dump(exclude_unset=True) == {"kind": "news", "url": "https://a.sa"}
    assert "note" in explicit.model_fields_set


def test_a_raw_mapping_found_again_is_its_record_but_only_with_the_same_types() -> None:
    raw: dict[str, Any] = {"kind": "news", "url": "https://a.sa", "date": 2025}
    with sharing():
        first = Source.model_validate(raw)
        assert Source.model_validate(dict(raw)) is first
        assert Source.model_validate({**raw, "date": "2025"}) is first  # equal, by value
        for unlike in (2025.0, True):  # equal to 2025 in Python, not a year to the schema
            with pytest.raises(ValidationError):
                Source.model_validate({**raw, "date": unlike})
        titled = {**raw, "title": {"en": " News "}}
        assert Source.model_validate(titled) is Source.model_validate(titled)
        assert Source.model_validate(titled).title == LocalizedText.model_validate({"en": "News"})
        with pytest.raises(ValidationError):
            Source.model_validate({**raw, "title": [["en", "News"]]})


def test_outside_a_load_nothing_is_shared() -> None:
    raw = {"en": "Directory of agencies"}
    assert LocalizedText.model_validate(raw) is not LocalizedText.model_validate(raw)
    with sharing():
        assert LocalizedText.model_validate(raw) is LocalizedText.model_validate(raw)
    assert LocalizedText.model_validate(raw) is not LocalizedText.model_validate(raw)


def test_a_repeated_invalid_source_is_reported_at_each_of_its_lines(tmp_path: Path) -> None:
    dataset_only = "{kind: dataset, note: a saved copy}"  # cannot confirm anything
    bad_url = "{kind: news, url: 'https://a.sa/…'}"
    path = tmp_path / "r.yaml"
    path.write_text(
        entities(dataset_only, DIRECTORY, dataset_only, bad_url, bad_url), encoding="utf-8"
    )
    with pytest.raises(RegistryInvalid) as exc:
        load_registry(path)
    found = [(p.line, p.field) for p in exc.value.problems]
    assert found == [
        (5, "entities[0].evidence"),
        (13, "entities[2].evidence"),
        (17, "entities[3].evidence.sources[0].url"),
        (21, "entities[4].evidence.sources[0].url"),
    ]
    assert all("confirmed needs a source" in p.message for p in exc.value.problems[:2])


SCALARS = """\
plain: [official_website, note, no, on, off, yes, null, ~, true, True, 1, 1.5, .5, -3, +3]
again: [official_website, note, no, on, off, yes, null, ~, true, True, 1, 1.5, .5, -3, +3]
quoted: ["no", 'on', "1", "2026-11", "~", "official_website"]
dates: [2026-11-03, "2026-11", 2026, 0x1A, 0o17, 1e3, .inf, -.nan, "", '']
tagged: [!!str 12, !!int "12", ! 12, !!float 3]
lists: [[], {}, [a, [b]], {a: {b: c}}]
anchored: &x {a: 1}
alias: *x
"""


def test_the_reader_makes_what_the_yaml_library_makes(tmp_path: Path) -> None:
    path = tmp_path / "scalars.yaml"
    path.write_text(SCALARS, encoding="utf-8")
    read: dict[str, Any] = {}
    for key, index, value in top_level(path):
        if index is None:
            read[key] = value
        else:
            read.setdefault(key, []).append(value)
    expected = yaml.safe_load(SCALARS)
    assert repr(read) == repr(expected)  # types too: 1 is not True, "1" is not 1
    assert read["again"] == read["plain"]


def test_a_validated_entity_is_the_same_with_sharing_and_without(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(entities(DIRECTORY, DIRECTORY), encoding="utf-8")
    loaded = load_registry(path).entities
    alone = [Entity.model_validate(raw) for _key, _index, raw in top_level(path)]
    assert loaded == alone
    assert [e.model_dump_json() for e in loaded] == [e.model_dump_json() for e in alone]


def test_a_repeated_invalid_date_is_reported_each_time(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    text = entities(DIRECTORY, DIRECTORY, DIRECTORY).replace('"2026-11"', '"2026-13"')
    path.write_text(text.replace('"2026-13"', '"2026-11"', 1), encoding="utf-8")
    with pytest.raises(RegistryInvalid) as exc:
        load_registry(path)
    assert [(p.line, p.field, p.message) for p in exc.value.problems] == [
        (9, "entities[1].evidence.checked", "2026-13 is not a calendar date"),
        (13, "entities[2].evidence.checked", "2026-13 is not a calendar date"),
    ]
