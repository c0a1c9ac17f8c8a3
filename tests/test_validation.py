"""Whole files: every problem is reported with file, line and field, all at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from knowledge.registry.validation import Problem, RegistryInvalid, load_registry

ENTITY = """\
  - id: {id}
    name: {{en: {name}}}
    kind: ministry
    evidence: {{sources: [{{kind: news, url: https://a.sa}}], checked: 2026, confidence: confirmed}}
"""


def problems(path: Path) -> list[Problem]:
    with pytest.raises(RegistryInvalid) as exc:
        load_registry(path)
    return exc.value.problems


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_documented_example_is_valid(example_registry: Path) -> None:
    registry = load_registry(example_registry)
    assert [e.id for e in registry.entities] == ["moh", "mlsd", "hrsd", "moi"]
    assert registry.entities[1].successors == ["hrsd"]
    assert registry.non_official[0].imitates == "moi"


def test_a_yaml_syntax_error_is_reported_with_its_line(tmp_path: Path) -> None:
    text = "entities:\n" + ENTITY.format(id="moh", name="Health") + "    aliases: [MOH\n"
    [problem] = problems(write(tmp_path / "broken.yaml", text))
    assert problem.file == tmp_path / "broken.yaml"
    assert problem.line == 6  # where the bracket was opened, not the end of the file
    assert "YAML syntax error" in problem.message
    assert "while parsing a flow sequence" in problem.message


def long_file(records: int) -> list[str]:
    """A registry of `records` entities, each with a quoted note (in double quotes
    for one in 50), as lines."""
    lines = ["# A long registry", "entities:"]
    for n in range(records):
        lines += ENTITY.format(id=f"e{n}", name=f"E{n}").splitlines()
        quote = '"' if n % 50 == 0 else "'"
        lines.append(f"    note: {quote}the body number {n}{quote}")
    return lines


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (lambda line: line.replace("note: '", 'note: "'), "closing quote missing"),
        (lambda line: line[:-1], "closing quote missing"),
        (lambda line: line.replace("note: ", "note: [", 1), "flow sequence"),
        (lambda line: "\t" + line, "token"),
        (lambda line: " " + line, ""),
    ],
)
def test_a_syntax_error_in_a_long_file_is_reported_at_its_line(
    tmp_path: Path, fault: Any, expected: str
) -> None:
    """Issue 10: a quote left open on line 227 was reported on line 1490, where the
    multi-line text it opened happened to end."""
    lines = long_file(400)
    assert lines[226].startswith("    note: '")  # line 227
    lines[226] = fault(lines[226])
    [problem] = problems(write(tmp_path / "long.yaml", "\n".join(lines) + "\n"))
    assert problem.line == 227, problem.message
    assert expected in problem.message


def test_duplicate_handle_unknown_successor_and_invalid_handle_are_all_reported(
    tmp_path: Path,
) -> None:
    text = """\
entities:
  - id: moh
    name: {en: Ministry of Health}
    kind: ministry
    evidence: {sources: [{kind: news, url: https://a.sa}], checked: 2026-11, confidence: confirmed}
    accounts:
      - platform: x
        handle: SaudiMOH
        evidence: {sources: [{kind: news, url: https://a.sa}], checked: 2026, confidence: confirmed}
  - id: mlsd
    name: {en: Ministry of Labor and Social Development}
    kind: ministry
    status: renamed
    successors: [hrsd]
    evidence: {sources: [{kind: news, url: https://a.sa}], checked: 2026-11, confidence: confirmed}
    accounts:
      - platform: x
        handle: saudimoh
        evidence: {sources: [{kind: news, url: https://a.sa}], checked: 2026, confidence: confirmed}
      - platform: instagram
        handle: mlsd..sa
        evidence: {sources: [{kind: news, url: https://a.sa}], checked: 2026, confidence: confirmed}
"""
    found = problems(write(tmp_path / "three.yaml", text))
    assert [(p.line, p.field) for p in found] == [
        (14, "entities[1].successors[0]"),
        (18, "entities[1].accounts[0].handle"),
        (21, "entities[1].accounts[1].handle"),
    ]
    assert "no entity has the id 'hrsd'" in found[0].message
    assert "already belongs to 'moh' at three.yaml:8" in found[1].message
    assert "not a valid instagram handle" in found[2].message
    assert str(found[0]).startswith(f"{tmp_path / 'three.yaml'}:14: entities[1].successors[0]:")


def test_missing_and_unknown_fields_point_at_their_record(tmp_path: Path) -> None:
    text = """\
entities:
  - id: moh
    kind: ministry
    colour: green
    evidence: {sources: [{kind: news, url: https://a.sa}], checked: 2026-11, confidence: confirmed}
"""
    found = {p.field: p for p in problems(write(tmp_path / "f.yaml", text))}
    assert found["entities[0].name"].line == 2
    assert found["entities[0].name"].message == "required field is missing"
    assert found["entities[0].colour"].line == 4
    assert found["entities[0].colour"].message == "unknown field"


def test_a_folder_is_one_registry_and_its_files_are_checked_against_each_other(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "registry"
    folder.mkdir()
    write(folder / "a.yaml", "entities:\n" + ENTITY.format(id="moh", name="Health"))
    write(
        folder / "b.yml",
        "entities:\n" + ENTITY.format(id="moh", name="Again") + ENTITY.format(id="moe", name="E"),
    )
    write(folder / "notes.txt", "not part of the registry")
    [problem] = problems(folder)
    assert problem.file == folder / "b.yml"
    assert problem.line == 2
    assert problem.message == "duplicate id 'moh', first used at a.yaml:2"


def test_a_folder_with_valid_files_merges_them(tmp_path: Path) -> None:
    folder = tmp_path / "registry"
    folder.mkdir()
    write(folder / "a.yaml", "entities:\n" + ENTITY.format(id="moh", name="Health"))
    write(folder / "b.yaml", "entities:\n" + ENTITY.format(id="moe", name="Education"))
    write(folder / "c.yaml", "")  # an empty file is an empty part
    assert [e.id for e in load_registry(folder).entities] == ["moh", "moe"]


def test_a_handle_cannot_be_both_official_and_non_official(tmp_path: Path) -> None:
    text = (
        "entities:\n"
        + ENTITY.format(id="moh", name="Health")
        + """\
    accounts:
      - platform: x
        handle: SaudiMOH
        evidence: {sources: [{kind: news, url: https://a.sa}], checked: 2026, confidence: confirmed}
non_official:
  - platform: x
    handle: '@saudimoh'
    imitates: moh
    reason: impersonation
    evidence: {sources: [{kind: news, url: https://a.sa}], checked: 2026, confidence: confirmed}
  - platform: x
    handle: SaudiM0H
    imitates: nobody
    reason: impersonation
    evidence: {sources: [{kind: news, url: https://a.sa}], checked: 2026, confidence: confirmed}
"""
    )
    found = problems(write(tmp_path / "f.yaml", text))
    assert [(p.line, p.field) for p in found] == [
        (12, "non_official[0].handle"),
        (18, "non_official[1].imitates"),
    ]
    assert "never both" in found[0].message


def test_the_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    [problem] = problems(write(tmp_path / "list.yaml", "- just\n- a list\n"))
    assert "must be a mapping" in problem.message


def test_a_missing_path_and_an_empty_folder_are_problems(tmp_path: Path) -> None:
    assert "no such file" in problems(tmp_path / "nope.yaml")[0].message
    (tmp_path / "empty").mkdir()
    assert "no .yaml or .yml file" in problems(tmp_path / "empty")[0].message


def test_text_that_is_not_utf8_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("entities: []\n# é\n".encode("latin-1"))
    assert "not UTF-8" in problems(path)[0].message


def test_a_broken_file_in_a_folder_does_not_make_references_to_it_look_broken(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "registry"
    folder.mkdir()
    write(folder / "a.yaml", "entities:\n" + ENTITY.format(id="moh", name="Health") + "  - [\n")
    write(
        folder / "b.yaml",
        "entities:\n"
        + ENTITY.format(id="mlsd", name="Labor").replace(
            "    kind: ministry\n", "    kind: ministry\n    parent: moh\n"
        ),
    )
    [problem] = problems(folder)
    assert problem.file == folder / "a.yaml"
    assert "YAML syntax error" in problem.message


def test_anchors_and_aliases_are_read_as_a_yaml_library_would(tmp_path: Path) -> None:
    text = """\
entities:
  - id: absher
    name: {en: Absher}
    kind: platform
    evidence: &checked {sources: [{kind: news, url: https://a.sa}], checked: 2026,
      confidence: confirmed}
    accounts:
      - {platform: x, handle: Absher, evidence: *checked}
"""
    [entity] = load_registry(write(tmp_path / "anchors.yaml", text)).entities
    assert entity.accounts[0].evidence == entity.evidence
    [problem] = problems(write(tmp_path / "alias.yaml", text.replace("&checked ", "")))
    assert "undefined alias" in problem.message and problem.line == 8


def test_sections_must_be_lists_and_files_hold_one_document(tmp_path: Path) -> None:
    [problem] = problems(write(tmp_path / "scalar.yaml", "entities: 3\n"))
    assert (problem.field, problem.message) == ("entities", "must be a list")
    assert (
        load_registry(write(tmp_path / "empty.yaml", "entities:\nnon_official:\n")).entities == []
    )
    [two] = problems(write(tmp_path / "two.yaml", "entities: []\n---\nentities: []\n"))
    assert "single document" in two.message and two.line == 2


def test_unquoted_numbers_dates_and_ids_are_read_as_their_text(tmp_path: Path) -> None:
    text = (
        "entities:\n"
        + ENTITY.format(id="absher", name="Absher")
        + "    accounts:\n"
        + "      - {platform: x, handle: Absher, platform_id: 491190146, since: 2012-03-01,"
        + " evidence: {sources: [{kind: news, url: https://a.sa}],"
        + " checked: 2026-11-27, confidence: confirmed}}\n"
    )
    [account] = load_registry(write(tmp_path / "ids.yaml", text)).entities[0].accounts
    assert (account.platform_id, account.since, account.evidence.checked) == (
        "491190146",
        "2012-03-01",
        "2026-11-27",
    )


def test_a_whatsapp_number_with_and_without_its_plus_is_one_handle(tmp_path: Path) -> None:
    """The database keeps one owner per `handle_key`: what validation lets through must
    be storable."""
    account = (
        "    accounts:\n"
        "      - {{platform: whatsapp, handle: '{number}',"
        " evidence: {{sources: [{{kind: news, url: https://a.sa}}],"
        " checked: 2026, confidence: confirmed}}}}\n"
    )
    text = (
        "entities:\n"
        + ENTITY.format(id="moh", name="Health")
        + account.format(number="+966500000001")
        + ENTITY.format(id="moi", name="Interior")
        + account.format(number="966500000001")
    )
    [problem] = problems(write(tmp_path / "wa.yaml", text))
    assert problem.field == "entities[1].accounts[0].handle"
    assert "already belongs to 'moh'" in problem.message


def test_a_file_that_breaks_midway_claims_nothing(tmp_path: Path) -> None:
    """Records read before a syntax error or a byte that is not UTF-8 are dropped with
    their ids and handles: no other file is reported as duplicating them, and no line of
    the broken file is looked up."""
    folder = tmp_path / "registry"
    folder.mkdir()
    write(folder / "a.yaml", "entities:\n" + ENTITY.format(id="moh", name="Health") + "  - [\n")
    many = "".join(ENTITY.format(id=f"e{n}", name=f"E{n}") for n in range(1000))
    invalid = "  - id: bad\n    kind: ministry\n"  # a problem found before the bad byte
    latin1 = "entities:\n" + invalid + many + '  - id: x\n    note: "é"\n'
    (folder / "b.yaml").write_bytes(latin1.encode("latin-1"))
    write(folder / "c.yaml", "entities:\n" + ENTITY.format(id="moh", name="H") + many)
    assert [(p.file.name, p.line) for p in problems(folder)] == [("a.yaml", 7), ("b.yaml", None)]


def test_a_duplicate_id_above_a_syntax_error_reports_the_syntax_error(tmp_path: Path) -> None:
    """The duplicate is found while the file is still being read; the line it would name
    cannot be looked up in a file that is not YAML, and that must not crash the check."""
    text = (
        "entities:\n"
        "  - {id: a, name: {en: A}, kind: ministry}\n"
        "  - {id: a, name: {en: B}, kind: ministry}\n"
        "  - id: c\n"
        "    name: {en: 'open}\n"
    )
    [problem] = problems(write(tmp_path / "broken.yaml", text))
    assert problem.line == 5 and "YAML syntax error" in problem.message
